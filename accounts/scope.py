"""Who may work where: roles and department scope, looked up once per user object.

A department contributor works only in the departments whose group they belong to
(django-guardian object permission on the department); the national roles hold the
permission globally and so work everywhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import Group
from django.db import transaction
from guardian.shortcuts import assign_perm, get_objects_for_user

from accounts.models import Department, User
from accounts.roles import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

WORK_PERM = "accounts.work_in_department"


def roles_of(user: User | AnonymousUser) -> frozenset[str]:
    """The user's roles, cached on the user object for the length of a request."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_cadence_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = frozenset(role for role in Role.values if role in names)
        user._cadence_roles = cached
    return cached


def has_role(user: User | AnonymousUser, *roles: str) -> bool:
    return bool(roles_of(user).intersection(roles))


def department_ids_of(user: User | AnonymousUser) -> frozenset[int]:
    """Ids of the departments the user may work in (all of them for national roles)."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_cadence_department_ids", None)
    if cached is None:
        departments = get_objects_for_user(user, WORK_PERM, klass=Department)
        cached = frozenset(departments.values_list("pk", flat=True))
        user._cadence_department_ids = cached
    return cached


def works_in(user: User | AnonymousUser, department_id: int | None) -> bool:
    return department_id is not None and department_id in department_ids_of(user)


def forget_cached_scope(user: User) -> None:
    for attr in ("_cadence_roles", "_cadence_department_ids", "_perm_cache", "_group_perm_cache"):
        if hasattr(user, attr):
            delattr(user, attr)


def people_group_name(department_name: str) -> str:
    return f"Department: {department_name}"


@transaction.atomic
def create_department(name: str, code: str, *, is_national: bool = False) -> Department:
    """Create a department with its people group holding the scope permission on it."""
    group = Group.objects.create(name=people_group_name(name))
    department = Department.objects.create(
        name=name, code=code, is_national=is_national, group=group
    )
    assign_perm(WORK_PERM, group, department)
    return department


def rename_group_after(department: Department) -> None:
    """Keep the people group's name (shown in the admin's group lists) the department's."""
    Group.objects.filter(pk=department.group_id).update(name=people_group_name(department.name))


def add_member(department: Department, user: User) -> None:
    user.groups.add(department.group)
    forget_cached_scope(user)


def give_role(user: User, role: Role) -> None:
    user.groups.add(Group.objects.get(name=role.value))
    forget_cached_scope(user)


def membership_of(user: User) -> dict[str, list[str]]:
    """The person's roles and departments by name, as the audit trail keeps them."""
    groups = list(user.groups.select_related("department"))
    return {
        "roles": sorted(g.name for g in groups if not hasattr(g, "department")),
        "departments": sorted(str(g.department) for g in groups if hasattr(g, "department")),
    }


def members_of(department: Department):
    return User.objects.filter(groups=department.group)


def holders_of(*roles: str):
    """The active people holding any of `roles`: whom a rule is then asked about one by
    one (a role alone never decides; scope and the four-eyes rule do too)."""
    return (
        User.objects.filter(is_active=True, groups__name__in=[str(role) for role in roles])
        .distinct()
        .order_by("pk")
    )
