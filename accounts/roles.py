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


# The admin permissions each role holds, as (app_label.model: verbs). Synced into the
# role groups after every migrate (accounts.signals), so a new model only needs a line here.
_VIEW, _ADD, _CHANGE, _DELETE = "view", "add", "change", "delete"
_CONTENT = {
    "editorial.post": (_VIEW, _ADD, _CHANGE),
    "editorial.postvariant": (_VIEW, _ADD, _CHANGE, _DELETE),
    "editorial.postimage": (_VIEW, _ADD, _CHANGE, _DELETE),
    "editorial.comment": (_VIEW, _ADD),
    "editorial.approval": (_VIEW,),
    "editorial.channel": (_VIEW,),
    "editorial.campaign": (_VIEW,),
    "editorial.publication": (_VIEW,),
    "accounts.department": (_VIEW,),
}
_NATIONAL = {
    **_CONTENT,
    "editorial.weeklyplan": (_VIEW, _ADD, _CHANGE),
    "editorial.campaign": (_VIEW, _ADD, _CHANGE),
    "editorial.sensitivityrule": (_VIEW,),
    "editorial.auditentry": (_VIEW,),
    "editorial.publishingpause": (_VIEW,),
    # Read-only in the admin: created and changed on their page (editorial/views/blackouts.py).
    "editorial.blackout": (_VIEW,),
}
_REVIEWERS = {
    **_NATIONAL,
    "editorial.sensitivityrule": (_VIEW, _ADD, _CHANGE),
    "editorial.publishingpause": (_VIEW, _ADD),
}
_ADMINISTRATOR = {
    **{model: (_VIEW,) for model in _NATIONAL},
    "accounts.user": (_VIEW, _ADD, _CHANGE),
    "accounts.department": (_VIEW, _ADD, _CHANGE),
    "editorial.channel": (_VIEW, _ADD, _CHANGE),
    "editorial.campaign": (_VIEW, _ADD, _CHANGE),
    "editorial.sensitivityrule": (_VIEW, _ADD, _CHANGE),
    # View only: changing a group's permissions would let an administrator raise any role.
    "auth.group": (_VIEW,),
    # Sign-in lock-outs: seen, and lifted by deleting the attempts (django-axes).
    "axes.accessattempt": (_VIEW, _DELETE),
    "axes.accessfailurelog": (_VIEW,),
}
ROLE_GRANTS: dict[str, dict[str, tuple[str, ...]]] = {
    Role.COMMUNITY_MANAGER: _NATIONAL,
    Role.HEAD_OF_COMMUNICATION: _REVIEWERS,
    Role.DIRECTOR: _REVIEWERS,
    Role.CONTRIBUTOR: _CONTENT,
    Role.ADMINISTRATOR: _ADMINISTRATOR,
}
