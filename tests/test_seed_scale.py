"""`manage.py seed_scale` builds a data set the product takes as its own: the counts
asked for, every state, an audit chain that verifies, department scope that holds, and
the main pages answering on it."""

import datetime
import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Department, User
from accounts.roles import Role
from accounts.scope import department_ids_of
from editorial.access import visible_posts
from editorial.models import AuditEntry, Channel, Post, PostState, Publication, WeeklyPlan
from notifications.models import Notification

POSTS = 300


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """One data set for the module, rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_scale", posts=POSTS, seed=7, stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def _holder(role: Role) -> User:
    return User.objects.filter(groups__name=role.value).order_by("pk").first()


pytestmark = pytest.mark.django_db


def test_it_builds_the_sizes_asked_for_in_every_state(seeded):
    assert Post.objects.count() == POSTS
    assert Department.objects.count() == 100
    assert Channel.objects.count() == 500
    assert User.objects.count() == 300
    assert WeeklyPlan.objects.exists()
    states = set(Post.objects.values_list("state", flat=True))
    assert states == set(PostState.values)
    assert Post.objects.exclude(held_at=None).exists()
    for outcome in ("sent", "failed", "unknown"):
        assert Publication.objects.filter(state=outcome).exists(), outcome
    assert Notification.objects.filter(event__isnull=False).exists()
    # Three years of posts, a few weeks ahead.
    now = timezone.now()
    first = Post.objects.exclude(scheduled_at=None).order_by("scheduled_at").first()
    assert first.scheduled_at < now - datetime.timedelta(days=365 * 2)
    assert Post.objects.filter(scheduled_at__gt=now).exists()


def test_the_audit_chain_verifies(seeded, capsys):
    assert AuditEntry.objects.count() > POSTS
    call_command("verify_audit")
    assert "intact" in capsys.readouterr().out


def test_it_refuses_a_database_that_holds_posts(seeded):
    with pytest.raises(CommandError):
        call_command("seed_scale", posts=10)


def test_each_departments_people_see_only_their_departments_posts(seeded):
    contributors = User.objects.filter(groups__name=Role.CONTRIBUTOR.value).order_by("pk")[:20]
    for person in contributors:
        mine = department_ids_of(person)
        assert mine and len(mine) <= 2
        seen = set(visible_posts(person).values_list("origin_department_id", flat=True))
        assert seen <= mine
        assert Post.objects.filter(origin_department_id__in=mine).count() == (
            visible_posts(person).count()
        )
    cm = _holder(Role.COMMUNITY_MANAGER)
    assert visible_posts(cm).count() == POSTS
    assert Group.objects.filter(name__startswith="Department: ").count() == 100


@pytest.mark.parametrize("role", [Role.COMMUNITY_MANAGER, Role.CONTRIBUTOR])
def test_the_main_pages_answer_on_it(seeded, client, role):
    person = _holder(role)
    client.force_login(person)
    post = visible_posts(person).order_by("-pk").first()
    now = timezone.now()
    start, end = now - datetime.timedelta(days=3), now + datetime.timedelta(days=4)
    for url in (
        reverse("calendar"),
        reverse("calendar-events") + f"?start={start:%Y-%m-%d}&end={end:%Y-%m-%d}",
        reverse("inbox"),
        # The board is the national team's (a contributor is refused it by design).
        reverse("plan-board" if role == Role.COMMUNITY_MANAGER else "post-list"),
        reverse("post-detail", args=[post.pk]),
    ):
        assert client.get(url).status_code == 200, url
    if role == Role.CONTRIBUTOR:
        elsewhere = Post.objects.exclude(origin_department_id__in=department_ids_of(person))
        assert client.get(reverse("post-detail", args=[elsewhere.first().pk])).status_code == 404
