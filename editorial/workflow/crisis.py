"""Crisis mode: pause publishing everywhere or on one channel, raise the approval level,
and release held posts one by one — never all at once on resume."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import has_role
from editorial import events
from editorial.content import compute_content_hash
from editorial.models import Approval, ApprovalLevel, Channel, Post, PostState, PublishingPause
from editorial.permissions import DIRECTOR, POST_RULES, deny_four_eyes, deny_pause
from editorial.publishing.holds import director_required, pause_reason
from editorial.workflow.core import stale_guard
from editorial.workflow.errors import ActionNotAllowed, InvalidInput, InvalidState, StaleObject
from editorial.workflow.schedule import (
    check_blackout,
    in_signoff_period,
    needs_new_signoff,
    return_for_signoff,
)
from editorial.workflow.texts import REASON_MAX, clean_text


def _require(reason: str | None) -> None:
    if reason:
        raise ActionNotAllowed(reason)


def pause_publishing(
    user,
    reason: str,
    *,
    channel: Channel | None = None,
    ends_at: datetime | None = None,
    stops_publishing: bool = True,
    requires_director: bool = False,
) -> PublishingPause:
    """Stop publishing (everywhere, or on `channel`) and/or require the director's
    sign-off on every post, until resumed or until `ends_at`."""
    _require(deny_pause(user))
    reason = clean_text(reason, max_length=REASON_MAX, required=_("Say why publishing is paused."))
    if ends_at is not None and ends_at <= timezone.now():
        raise InvalidInput(_("The end of the pause must be in the future."))
    if not (stops_publishing or requires_director):
        raise InvalidInput(_("A pause must stop publishing or require the director."))
    with transaction.atomic():
        pause = PublishingPause.objects.create(
            channel=channel,
            reason=reason,
            ends_at=ends_at,
            started_by=user,
            stops_publishing=stops_publishing,
            requires_director=requires_director,
        )
        data = {
            "channel": channel.pk if channel else None,
            "requires_director": requires_director,
            "stops_publishing": stops_publishing,
            "ends_at": ends_at.isoformat() if ends_at else None,
        }
        events.record(
            actor=user, action="pause", obj=pause, to_state="active", comment=reason, data=data
        )
    return pause


def resume_publishing(pause: PublishingPause, user) -> None:
    """End a pause. Posts held meanwhile stay held: each must be confirmed or
    rescheduled by a person (see `held_posts`)."""
    _require(deny_pause(user))
    with transaction.atomic():
        ended = PublishingPause.objects.filter(pk=pause.pk, ended_at__isnull=True).update(
            ended_at=timezone.now(), ended_by=user
        )
        if not ended:
            raise InvalidState(_("This pause has already ended."))
        events.record(actor=user, action="resume", obj=pause, from_state="active", to_state="ended")
    pause.refresh_from_db()


def held_posts():
    return Post.objects.filter(held_at__isnull=False).order_by("scheduled_at", "pk")


def confirm_held(post: Post, user) -> None:
    """Publish a held post now. During crisis mode only the director may, and doing so
    is the director's sign-off of the content as it stands."""
    _require(POST_RULES["confirm_held"](post, user))
    _check_held(post)
    now = timezone.now()
    if pause_reason(now, list(post.channels.values_list("pk", flat=True))):
        raise InvalidState(_("Publishing is still paused for this post's channels."))
    check_blackout(post, now, error=InvalidState)  # it would go out now, inside the period
    needs_director = director_required(now) or in_signoff_period(post, now)
    if needs_director and not has_role(user, DIRECTOR):
        raise ActionNotAllowed(_("Crisis mode: only the director may release this post."))
    if needs_director and deny_four_eyes(post, user):
        raise ActionNotAllowed(_("Four-eyes rule: someone else must sign this post off."))
    with transaction.atomic():
        fields = {"held_at": None, "held_reason": ""}
        if post.state == PostState.APPROVED:
            fields["scheduled_at"] = now  # due now: the next sweep (or wake-up) claims it
        _release(post, fields)
        if needs_director:
            Approval.objects.create(
                post=post,
                approver=user,
                level=ApprovalLevel.DIRECTOR,
                content_hash=compute_content_hash(post),
            )
        events.record(
            actor=user, action="confirm_held", obj=post, from_state=post.state, to_state=post.state
        )
        if post.state == PostState.PUBLISHING:
            _requeue(post)


def reschedule_held(post: Post, user, when: datetime) -> None:
    """Give a held post a new time instead of publishing it now."""
    _require(POST_RULES["reschedule_held"](post, user))
    _check_held(post)
    if post.state != PostState.APPROVED:
        raise InvalidState(_("Publishing of this post has started: confirm it instead."))
    if when is None or when <= timezone.now():
        raise InvalidInput(_("Choose a time in the future."))
    check_blackout(post, when)
    with stale_guard(post), transaction.atomic():
        from_state, voided = post.state, 0
        _release(post, {"held_at": None, "held_reason": "", "scheduled_at": when})
        # The same rule as every other way a time changes: the director agrees to it.
        if needs_new_signoff(post):
            voided = return_for_signoff(post)
            post.save(update_fields=Post.WORKFLOW_FIELDS)
        events.record(
            actor=user,
            action="reschedule_held",
            obj=post,
            from_state=from_state,
            to_state=post.state,
            data={"scheduled_at": when.isoformat(), "approvals_voided": voided},
        )


def _check_held(post: Post) -> None:
    if post.held_at is None:
        raise InvalidState(_("This post is not held."))


def _release(post: Post, fields: dict) -> None:
    if not Post.objects.filter(pk=post.pk, state=post.state, held_at__isnull=False).update(
        **fields
    ):
        post.refresh_from_db()
        raise StaleObject()
    for name, value in fields.items():
        setattr(post, name, value)


def _requeue(post: Post) -> None:
    """A post held mid-publishing: send its waiting publications now."""
    from editorial.models import Publication, PublicationState
    from editorial.publishing.scheduler import enqueue_publications

    ids = list(
        post.publications.filter(
            state__in=[PublicationState.QUEUED, PublicationState.RETRYING]
        ).values_list("pk", flat=True)
    )
    Publication.objects.filter(pk__in=ids).update(next_attempt_at=timezone.now())
    transaction.on_commit(lambda: enqueue_publications(ids))
