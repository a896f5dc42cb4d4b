"""Departments in the admin: created with their people group and its scope, and renamed
with it."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import Department
from accounts.scope import WORK_PERM, works_in
from tests.factories import UserFactory


def test_an_administrator_creates_a_department_with_its_people_group_and_scope(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:accounts_department_add"),
        {"name": "DDSP 33 Gironde", "code": "ddsp-33"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    department = Department.objects.get(code="ddsp-33")
    assert department.group.name == "Department: DDSP 33 Gironde"
    assert department.group.permissions.count() == 0  # the scope is per object
    member = UserFactory(department=department)
    assert works_in(member, department.pk)
    assert member.has_perm(WORK_PERM, department)


def test_renaming_a_department_renames_its_people_group_and_keeps_its_people(
    client, admin_user, dept_a, contrib_a
):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:accounts_department_change", args=[dept_a.pk]),
        {"name": "DDSP 67 Strasbourg", "code": dept_a.code},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    dept_a.refresh_from_db()
    assert dept_a.name == "DDSP 67 Strasbourg"
    assert Group.objects.get(pk=dept_a.group_id).name == "Department: DDSP 67 Strasbourg"
    assert works_in(contrib_a, dept_a.pk)


def test_a_department_that_cannot_be_created_leaves_no_people_group(db):
    """create_department is one transaction: a clash on the department (its code taken)
    must not leave its people group behind."""
    from django.contrib.auth.models import Group
    from django.db import IntegrityError

    from accounts.scope import create_department

    create_department("Gironde", "33")
    with pytest.raises(IntegrityError):
        create_department("Gironde bis", "33")
    assert not Group.objects.filter(name__contains="Gironde bis").exists()
