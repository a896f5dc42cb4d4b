"""Departments on the settings pages: created with their people group and scope, and
renamed with it, as in the admin (accounts.scope)."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import Department
from accounts.scope import WORK_PERM, works_in
from editorial.audit import entries_for
from tests.factories import UserFactory


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["cm", "director", "contrib_a", "outsider"])
def test_other_roles_may_not_manage_departments(client, persona, request, dept_a):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("workspace-departments")).status_code == 403
    response = client.post(
        reverse("workspace-department-create"), {"name": "DDSP 33", "code": "ddsp-33"}
    )
    assert response.status_code == 403
    assert not Department.objects.filter(code="ddsp-33").exists()


def test_the_head_creates_a_department_with_its_people_group_and_scope(client, head):
    client.force_login(head)
    response = client.post(
        reverse("workspace-department-create"), {"name": "DDSP 33 Gironde", "code": "ddsp-33"}
    )
    assert response.status_code == 302
    department = Department.objects.get(code="ddsp-33")
    assert department.group.name == "Department: DDSP 33 Gironde"
    member = UserFactory(department=department)
    assert works_in(member, department.pk) and member.has_perm(WORK_PERM, department)
    assert entries_for(department).get().action == "create_department"
    assert "DDSP 33 Gironde" in client.get(reverse("workspace-departments")).content.decode()


def test_renaming_a_department_renames_its_people_group_and_keeps_its_people(
    client, admin_user, dept_a, contrib_a
):
    client.force_login(admin_user)
    response = client.post(
        reverse("workspace-department-edit", args=[dept_a.pk]),
        {"name": "DDSP 67 Strasbourg", "code": dept_a.code},
    )
    assert response.status_code == 302
    dept_a.refresh_from_db()
    assert dept_a.name == "DDSP 67 Strasbourg"
    assert Group.objects.get(pk=dept_a.group_id).name == "Department: DDSP 67 Strasbourg"
    assert works_in(contrib_a, dept_a.pk)
    assert entries_for(dept_a).get().data == {"name": "DDSP 67 Strasbourg"}


def test_a_name_already_taken_is_refused_and_keeps_what_was_typed(client, head, dept_a):
    client.force_login(head)
    response = client.post(
        reverse("workspace-department-create"), {"name": dept_a.name, "code": "nouveau"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "already exists" in page and 'value="nouveau"' in page
    assert not Department.objects.filter(code="nouveau").exists()


def test_a_department_that_does_not_exist_is_404(client, head):
    client.force_login(head)
    assert client.get(reverse("workspace-department-edit", args=[999])).status_code == 404
