"""What every page's header needs: the user's roles, how many items await them, and
whether crisis mode is on."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from accounts.admin_site import is_administrator
from accounts.roles import Role
from accounts.scope import roles_of
from editorial.inbox import awaiting_count
from editorial.pauses import pauses_seen_by, what_it_does


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


def crisis(request) -> dict:
    """The active pauses that concern the signed-in person, for the banner on every
    page: read once per request, and only if a page renders the banner."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def load() -> list[dict]:
        cached = getattr(request, "_cadence_pauses", None)
        if cached is None:
            cached = [{"pause": p, "what": what_it_does(p)} for p in pauses_seen_by(user)]
            request._cadence_pauses = cached
        return cached

    return {"crisis_pauses": SimpleLazyObject(load)}
