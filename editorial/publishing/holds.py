"""Why a due post may not go out now. When unsure, hold and tell a person."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils.translation import gettext as _

from editorial import audit
from editorial.content import approved_hash, compute_content_hash
from editorial.models import ApprovalLevel, Post, PublishingPause
from editorial.workflow.core import emit


def active_pauses(now: datetime, channel_ids: list[int] | None = None):
    pauses = PublishingPause.objects.active(now)
    if channel_ids is not None:
        pauses = pauses.filter(Q(channel__isnull=True) | Q(channel_id__in=channel_ids))
    return pauses


def director_required(now: datetime) -> bool:
    """Crisis mode raised the approval level: every post needs the director."""
    return active_pauses(now).filter(requires_director=True).exists()


def pause_reason(now: datetime, channel_ids: list[int]) -> str | None:
    pause = (
        active_pauses(now, channel_ids)
        .filter(stops_publishing=True)
        .select_related("channel")
        .order_by(F("channel_id").asc(nulls_first=True))  # a global pause first
        .first()
    )
    if pause is None:
        return None
    if pause.channel is None:
        return _("Publishing is paused: %(reason)s") % {"reason": pause.reason}
    return _("%(channel)s is paused: %(reason)s") % {
        "channel": pause.channel, "reason": pause.reason}


def hold_reason(post: Post, now: datetime) -> str | None:
    """The reason this due, approved post must be held, or None if it may go out."""
    channel_ids = list(post.channels.values_list("pk", flat=True))
    reason = pause_reason(now, channel_ids)
    if reason:
        return reason
    if director_required(now) and not post.approvals.filter(
        voided_at__isnull=True, level=ApprovalLevel.DIRECTOR
    ).exists():
        return _("Crisis mode: every post needs the director's sign-off.")
    grace = timedelta(minutes=settings.PUBLISHING_GRACE_MINUTES)
    if post.scheduled_at < now - grace:
        return _("Due at %(due)s, more than %(minutes)s minutes ago: confirm or reschedule.") % {
            "due": post.scheduled_at.isoformat(timespec="minutes"),
            "minutes": settings.PUBLISHING_GRACE_MINUTES,
        }
    expected = approved_hash(post)
    if expected is None or expected != compute_content_hash(post):
        return _("The content differs from what was approved.")
    return None


def hold_post(post: Post, reason: str, now: datetime) -> bool:
    """Hold `post` for a person (once: a post already held keeps its first reason).
    Runs inside the caller's transaction."""
    held = Post.objects.filter(pk=post.pk, state=post.state, held_at__isnull=True).update(
        held_at=now, held_reason=reason[:300]
    )
    if held:
        audit.record(actor=None, action="hold", obj=post, from_state=post.state,
                     to_state=post.state, comment=reason)
        emit(post, None, "hold", post.state, post.state, reason)
    return bool(held)
