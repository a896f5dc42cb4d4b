"""Who may manage what in the workspace: the only place these rules live.

Each rule answers with the reason a user may *not* act, or None when they may, like
`editorial.permissions`; views answer 403 with that reason. Roles come from
`accounts.roles`, read through `accounts.scope`.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.roles import Role
from accounts.scope import has_role
from editorial.permissions import deny_manage_rules  # the workflow's own rule

CM = Role.COMMUNITY_MANAGER
HEAD = Role.HEAD_OF_COMMUNICATION
DIRECTOR = Role.DIRECTOR
ADMINISTRATOR = Role.ADMINISTRATOR

# Who owns each page of the workspace.
CHANNEL_MANAGERS = (HEAD, ADMINISTRATOR)
CAMPAIGN_MANAGERS = (CM, HEAD, ADMINISTRATOR)
PEOPLE_MANAGERS = (HEAD, ADMINISTRATOR)


def _role(user, *roles: str) -> str | None:
    if not has_role(user, *roles):
        names = ", ".join(str(Role(role).label).lower() for role in roles)
        return _("Only a %(roles)s may do this.") % {"roles": names}
    return None


def deny_manage_channels(user) -> str | None:
    return _role(user, *CHANNEL_MANAGERS)


def deny_manage_campaigns(user) -> str | None:
    return _role(user, *CAMPAIGN_MANAGERS)


def deny_manage_people(user) -> str | None:
    return _role(user, *PEOPLE_MANAGERS)


def grantable_roles(user) -> list[str]:
    """The roles `user` may hand out: only an administrator makes administrators, so a
    head of communication cannot raise anyone (or themselves, through a new account)
    above their own role."""
    if has_role(user, ADMINISTRATOR) or user.is_superuser:
        return list(Role.values)
    return [role for role in Role.values if role != ADMINISTRATOR]


def deny_change_person(user, person) -> str | None:
    """Changing someone's role, department or activity. Nobody changes their own (an
    administrator cannot lock the last door behind them); an account above the
    user's own reach is refused."""
    if reason := deny_manage_people(user):
        return reason
    if person.pk == user.pk:
        return _("You cannot change your own role, department or access.")
    if person.is_superuser and not user.is_superuser:
        return _("Only a superuser may change a superuser's account.")
    if ADMINISTRATOR not in grantable_roles(user) and _holds(person, ADMINISTRATOR):
        return _("Only an administrator may change an administrator's account.")
    return None


def _holds(person, role: str) -> bool:
    # Asked of the groups themselves: `has_role` sees no role on a deactivated account.
    # Through `.all()`, so that a list page's prefetched groups cost no query per row.
    return any(group.name == role for group in person.groups.all())


SECTIONS = {
    "rules": deny_manage_rules,
    "channels": deny_manage_channels,
    "campaigns": deny_manage_campaigns,
    "people": deny_manage_people,
    "departments": deny_manage_people,
}


def sections_of(user) -> list[str]:
    """The workspace pages `user` may open, in the order the menu shows them."""
    return [name for name, deny in SECTIONS.items() if deny(user) is None]
