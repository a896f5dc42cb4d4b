"""What every page's header needs: the user's roles, how many items await them, and
whether crisis mode is on."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from accounts.admin_site import is_administrator
from editorial.inbox import awaiting_count
from editorial.pauses import pauses_seen_by, what_it_does
from editorial.permissions import deny_pause, deny_plan_board, deny_reports, is_national_team


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        # Lazy: a page that does not render the header (a fragment) costs no query.
        "awaiting_count": SimpleLazyObject(lambda: awaiting_count(user)),
        "nav": {
            "is_national": is_national_team(user),
            "plans": deny_plan_board(user) is None,
            "crisis": deny_pause(user) is None,
            "reports": deny_reports(user) is None,
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
