"""The Django admin is for administrators only: staff status follows the role, the
header links to it for them alone, and accounts made staff before are fixed."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.admin import set_membership
from accounts.models import User
from accounts.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_staff_status_follows_the_administrator_role(cm, dept_a):
    administrator = Group.objects.get(name=Role.ADMINISTRATOR)
    contributor = Group.objects.get(name=Role.CONTRIBUTOR)
    set_membership(cm, [administrator], [])
    assert User.objects.get(pk=cm.pk).is_staff
    set_membership(cm, [contributor], [dept_a])
    assert not User.objects.get(pk=cm.pk).is_staff


def test_the_header_links_to_the_admin_for_administrators_only(client, contrib_a, admin_user):
    admin_link = f'href="{reverse("admin:index")}"'
    client.force_login(contrib_a)
    assert admin_link not in client.get(reverse("post-list")).content.decode()
    client.force_login(admin_user)
    assert admin_link in client.get(reverse("post-list")).content.decode()


def test_the_migration_takes_staff_status_from_everyone_but_administrators(
    cm, contrib_a, admin_user
):
    root = UserFactory(username="root", is_superuser=True, is_staff=False)
    User.objects.filter(pk=admin_user.pk).update(is_staff=False)
    assert User.objects.get(pk=cm.pk).is_staff and User.objects.get(pk=contrib_a.pk).is_staff
    migration = importlib.import_module("accounts.migrations.0002_staff_only_for_administrators")

    migration.staff_for_administrators(apps, None)

    staff = set(User.objects.filter(is_staff=True).values_list("username", flat=True))
    assert staff == {admin_user.username, root.username}
