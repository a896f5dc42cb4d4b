"""`manage.py seed_scale`: a national institution's size in bulk inserts (issue 18).

100 departments, 500 channels on networks that need no network (log, Atom, webhook
without an address), 300 people in the four working roles, N posts over three years in
realistic states, weekly plans, comments, notifications and their audit entries. Rows
are made in Python and written with `bulk_create`; the audit chain is computed in order
in Python (demo/scale_audit.py), exactly as `editorial.audit.record_many` would chain
it, so `manage.py verify_audit` passes on the result.

Deterministic for a given seed. Never imported by editorial.
"""

from __future__ import annotations

import datetime
import random
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from guardian.models import GroupObjectPermission

from accounts.models import Department, User
from accounts.roles import Role
from accounts.scope import people_group_name
from demo.scale_audit import AuditPlan
from demo.scale_posts import make_posts
from editorial.models import Channel, Network, Post

DEPARTMENTS = 100
CHANNELS = 500
# People per role: the national team's and the departments' contributors.
PEOPLE = {
    Role.COMMUNITY_MANAGER: 30,
    Role.HEAD_OF_COMMUNICATION: 10,
    Role.DIRECTOR: 5,
    Role.CONTRIBUTOR: 255,
}
NETWORKS = (Network.LOG, Network.ATOM, Network.WEBHOOK)
BATCH = 2000


@dataclass
class World:
    """What the posts are made from: who, where, on which channels."""

    tag: str
    now: datetime.datetime
    rng: random.Random
    national: Department
    departments: list[Department]
    channels_by_dept: dict[int, list[int]] = field(default_factory=dict)
    people_by_role: dict[str, list[User]] = field(default_factory=dict)
    contributors_by_dept: dict[int, list[User]] = field(default_factory=dict)


@contextmanager
def explicit_timestamps(model, *names):
    """Let bulk_create keep the dates we give instead of stamping them all "now"."""
    fields = [model._meta.get_field(name) for name in names]
    saved = [(f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, (auto_now, auto_now_add) in zip(fields, saved, strict=True):
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def build_scale(posts: int, *, seed: int = 18, log=print) -> dict[str, int]:
    rng = random.Random(seed)
    tag = f"{rng.randrange(16**4):04x}{Post.objects.count() % 1000:03d}"
    now = timezone.now().replace(microsecond=0)
    with transaction.atomic():
        world = _departments(tag, now, rng)
        log(f"departments: {len(world.departments) + 1}")
        _channels(world)
        _people(world)
        log(f"channels and people: {sum(map(len, world.people_by_role.values()))} people")
        audit = AuditPlan()
        counts = make_posts(world, posts, audit, log=log)
        counts["audit_entries"] = audit.write(log=log)
        counts["notifications"] = audit.notifications_written
    return counts


def _departments(tag: str, now, rng) -> World:
    national = Department.objects.filter(is_national=True).first()
    names = [f"Département {i:03d} ({tag})" for i in range(1, DEPARTMENTS + (national is None))]
    if national is None:
        names[0] = f"Équipe nationale ({tag})"
    groups = Group.objects.bulk_create(Group(name=people_group_name(n)) for n in names)
    departments = Department.objects.bulk_create(
        Department(
            name=name,
            code=f"s{tag}-{i:03d}",
            is_national=national is None and i == 0,
            group=group,
        )
        for i, (name, group) in enumerate(zip(names, groups, strict=True))
    )
    created = list(departments)
    if national is None:
        national, departments = departments[0], departments[1:]
    # What accounts.scope.create_department gives each department's people group.
    perm = Permission.objects.get(codename="work_in_department", content_type__app_label="accounts")
    ctype = ContentType.objects.get_for_model(Department)
    GroupObjectPermission.objects.bulk_create(
        GroupObjectPermission(
            group_id=d.group_id, permission=perm, content_type=ctype, object_pk=str(d.pk)
        )
        for d in created
    )
    return World(tag=tag, now=now, rng=rng, national=national, departments=departments)


def _channels(world: World) -> None:
    owners = [world.national] * 20 + [
        world.departments[i % len(world.departments)] for i in range(CHANNELS - 20)
    ]
    channels = Channel.objects.bulk_create(
        (
            Channel(
                name=f"{owner.name} — {NETWORKS[i % 3].label}",
                network=NETWORKS[i % 3],
                handle=f"scale-{world.tag}-{i:04d}",
                department=owner,
            )
            for i, owner in enumerate(owners)
        ),
        batch_size=BATCH,
    )
    for channel in channels:
        world.channels_by_dept.setdefault(channel.department_id, []).append(channel.pk)


def _people(world: World) -> None:
    password = make_password(None)
    rows = []
    for role, count in PEOPLE.items():
        for i in range(count):
            rows.append(
                (
                    role,
                    User(
                        username=f"{role.value[:7]}-{world.tag}-{i:03d}",
                        first_name="Agent",
                        last_name=f"{role.value[:4].title()} {i:03d}",
                        email=f"{role.value[:7]}-{i:03d}@{world.tag}.scale.example",
                        password=password,
                    ),
                )
            )
    users = User.objects.bulk_create([user for _, user in rows], batch_size=BATCH)
    role_groups = {g.name: g.pk for g in Group.objects.filter(name__in=Role.values)}
    memberships = []
    through = User.groups.through
    for (role, _), user in zip(rows, users, strict=True):
        world.people_by_role.setdefault(role.value, []).append(user)
        memberships.append(through(user_id=user.pk, group_id=role_groups[role.value]))
        if role == Role.CONTRIBUTOR:
            # Two or three contributors per department; a few work for two.
            index = len(world.people_by_role[role.value]) - 1
            homes = [world.departments[index % len(world.departments)]]
            if index % 17 == 0:
                homes.append(world.departments[(index + 1) % len(world.departments)])
        else:
            homes = [world.national]
        for home in homes:
            memberships.append(through(user_id=user.pk, group_id=home.group_id))
            world.contributors_by_dept.setdefault(home.pk, []).append(user)
    through.objects.bulk_create(memberships, batch_size=BATCH)
