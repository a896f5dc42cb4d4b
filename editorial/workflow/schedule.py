"""Moving a post to another time (the calendar's drag and drop, or any other caller), and
the rules every way of setting a time obeys: no time inside a `forbid` blackout period
(`check_blackout`), and the director's sign-off of a new time for a sensitive post or
one inside a `signoff` period (`needs_new_signoff`).

The time is not part of the approved content (see `editorial.content`), so moving an
approved post keeps its approval — except for a sensitive post: the director signed off
publishing it *then*, so a new time goes back to the director.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from editorial import events
from editorial.blackouts import Blackouts, Target, blackout_at, refusal
from editorial.models import ApprovalLevel, BlackoutRule, Post, PostState
from editorial.models.posts import FREELY_EDITABLE, UNDER_REVIEW
from editorial.permissions import POST_RULES
from editorial.workflow.core import stale_guard
from editorial.workflow.errors import ActionNotAllowed, InvalidInput, InvalidState, StaleObject

MOVABLE = (*FREELY_EDITABLE, *UNDER_REVIEW)


def deny_reschedule(post: Post, user) -> str | None:
    """Why `user` may not move `post` now, or None. Asks nothing of the database beyond
    the user's cached roles and scope, so a calendar can ask it for every event."""
    refusal = _refusal(post, user)
    return refusal[1] if refusal else None


def _refusal(post: Post, user) -> tuple[type, str] | None:
    reason = POST_RULES["reschedule"](post, user)
    if reason:
        return ActionNotAllowed, reason
    if post.state not in MOVABLE:
        return InvalidState, _("A post that is %(state)s can no longer be moved.") % {
            "state": post.get_state_display().lower()
        }
    if post.held_at is not None:
        # A held post is released by someone who may lift the hold (crisis page); that
        # release must not slip past the sensitive-post rule below either.
        return InvalidState, _(
            "This post is held by a publishing pause: confirm or "
            "reschedule it from the crisis page."
        )
    return None


def check_blackout(post: Post, when, channels=None, *, error=InvalidInput) -> None:
    """Refuse `when` if a `forbid` blackout period concerning `post` (on `channels`,
    default its own) covers it. Asked by every way a time is set or approved: the
    editor and plan placement (`edit_post`), the calendar (`reschedule`), a held post's
    new time (`reschedule_held`), and approval and sign-off."""
    period = blackout_at(post, when, channels, BlackoutRule.FORBID)
    if period is not None:
        raise error(refusal(period))


def forbidden_times(posts: list[Post]) -> list[str]:
    """`check_blackout` for many posts (a plan's items), each refusal named by its post;
    the periods are read once."""
    times = [post.scheduled_at for post in posts if post.scheduled_at is not None]
    if not times:
        return []
    periods = Blackouts(min(times), max(times))
    if not periods.periods:
        return []
    found = []
    for post in posts:
        when = post.scheduled_at
        period = when and periods.find(when, Target.of(post), BlackoutRule.FORBID)
        if period:
            found.append(f"{post}: {refusal(period)}")
    return found


def in_signoff_period(post: Post, when=None) -> bool:
    """Whether a `signoff` blackout period covers the post's time (or `when`)."""
    when = when or post.scheduled_at
    return blackout_at(post, when, rule=BlackoutRule.SIGNOFF) is not None


def needs_new_signoff(post: Post) -> bool:
    """A sensitive post was signed off for the time it had, and a post inside a
    `signoff` blackout period needs the director for its time: a new time needs the
    director again. Asked by every way a time changes (this module, and `edit_post`)."""
    if post.state != PostState.APPROVED:
        return False
    return post.sensitive or in_signoff_period(post)


def return_for_signoff(post: Post) -> int:
    """Send an approved sensitive post back to the director; returns the sign-offs voided.
    The head's approval stands: the content did not change."""
    post.back_to_signoff()
    return post.approvals.filter(voided_at__isnull=True, level=ApprovalLevel.DIRECTOR).update(
        voided_at=timezone.now()
    )


def reschedule(post: Post, user, when: dt.datetime) -> Post:
    """Give `post` a new time. A sensitive approved post goes back to pending sign-off
    and its sign-off is voided: the director must agree to the new time."""
    refusal = _refusal(post, user)
    if refusal:
        error, message = refusal
        raise error(message)
    if when is None or timezone.is_naive(when):
        raise InvalidInput(_("Choose a date and time."))
    if when <= timezone.now():
        raise InvalidInput(_("Choose a time in the future."))
    check_blackout(post, when)

    old = post.scheduled_at
    with stale_guard(post), transaction.atomic():
        stored = Post.objects.select_for_update().values_list("scheduled_at", flat=True)
        if stored.get(pk=post.pk) != old:
            # Someone else moved it meanwhile: do not silently overwrite their move.
            post.refresh_from_db()
            raise StaleObject()
        from_state = post.state
        post.scheduled_at = when
        if post.overdue_at and when > timezone.now():
            post.overdue_at = None  # back in the future: it may go through again
        voided = return_for_signoff(post) if needs_new_signoff(post) else 0
        post.save(update_fields=["scheduled_at", "overdue_at", *Post.WORKFLOW_FIELDS])
        events.record(
            actor=user,
            action="reschedule",
            obj=post,
            from_state=from_state,
            to_state=post.state,
            data={
                "from": old.astimezone(dt.UTC).isoformat() if old else None,
                "to": when.astimezone(dt.UTC).isoformat(),
                "signoff_voided": voided,
            },
        )
    return post
