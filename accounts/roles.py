"""The five roles of a communication team, each an auth group created by a migration."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COMMUNITY_MANAGER = "community_manager", _("Community manager")
    HEAD_OF_COMMUNICATION = "head_of_communication", _("Head of communication")
    DIRECTOR = "director", _("Director")
    CONTRIBUTOR = "department_contributor", _("Department contributor")
    ADMINISTRATOR = "administrator", _("Administrator")


# Roles of the national team: they work across every department.
NATIONAL_ROLES = frozenset(
    {Role.COMMUNITY_MANAGER, Role.HEAD_OF_COMMUNICATION, Role.DIRECTOR, Role.ADMINISTRATOR}
)
# Roles that review content: head of communication approves, director signs off.
APPROVER_ROLES = frozenset({Role.HEAD_OF_COMMUNICATION, Role.DIRECTOR})
