"""What every page's header needs: the user's roles and how many items await them."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from accounts.admin_site import is_administrator
from accounts.roles import Role
from accounts.scope import roles_of
from editorial.inbox import awaiting_count


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = roles_of(user)
    return {
        # Lazy: a page that does not render the header (a fragment) costs no query.
        "awaiting_count": SimpleLazyObject(lambda: awaiting_count(user)),
        "nav": {
            "is_national": bool(roles - {Role.CONTRIBUTOR}),
            "plans": Role.COMMUNITY_MANAGER in roles
            or Role.HEAD_OF_COMMUNICATION in roles
            or Role.DIRECTOR in roles,
            "reviews": bool(roles & {Role.HEAD_OF_COMMUNICATION, Role.DIRECTOR}),
            "crisis": bool(roles & {Role.HEAD_OF_COMMUNICATION, Role.DIRECTOR}),
            "admin": is_administrator(user),
        },
    }
