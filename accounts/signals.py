"""Keep the role groups and their permissions as accounts.roles declares them."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission

from accounts.roles import NATIONAL_ROLES, ROLE_GRANTS


def sync_roles(using: str = "default", **kwargs) -> None:
    """Create or update one group per role. Runs after every migrate (and after the test
    runner flushes the database), so the groups can never be missing or out of date."""
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    for role, grants in ROLE_GRANTS.items():
        group, _created = Group.objects.using(using).get_or_create(name=role)
        perms = [
            _permission(using, label, verb) for label, verbs in grants.items() for verb in verbs
        ]
        if role in NATIONAL_ROLES:
            # Held globally, this is what lets national roles work in every department.
            perms.append(_permission(using, "accounts.department", "work_in"))
        group.permissions.set(perms)


def _permission(using: str, label: str, verb: str) -> Permission:
    app_label, model = label.split(".")
    return Permission.objects.using(using).get(
        content_type__app_label=app_label, codename=f"{verb}_{model}"
    )
