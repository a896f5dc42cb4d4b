"""Find due posts and claim each exactly once.

The sweep is the source of truth: every interval it looks for approved posts whose time
has come (an indexed query on a partial index) and claims each with a conditional
update — `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL, then approved -> publishing
guarded by django-fsm's optimistic lock — so two schedulers, or a sweep and a wake-up,
can never both claim a post. A claimed post gets one publication per channel, and one
publish message per publication is sent after commit.

A sweep alone would publish up to one interval late. So each sweep also sends a
wake-up message, timed (ETA) for the due instant, for the posts that fall due in the
interval after the next one. The wake-up only calls the same claim: if it is lost or
late, the next sweep claims the post; if it comes twice, the second finds nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django_fsm import ConcurrentTransition

from editorial import audit
from editorial.content import approved_hash
from editorial.models import Heartbeat, Post, PostState, Publication, PublicationState
from editorial.publishing.holds import hold_post, hold_reason
from editorial.workflow.core import emit

log = logging.getLogger(__name__)

SCHEDULER_HEARTBEAT = "scheduler"


@dataclass
class SweepResult:
    claimed: list[int] = field(default_factory=list)
    held: list[int] = field(default_factory=list)
    requeued: list[int] = field(default_factory=list)
    wakeups: list[int] = field(default_factory=list)


def due_posts(now: datetime):
    """Approved, not held, due: served by the partial index post_due_sweep_idx."""
    return Post.objects.filter(
        state=PostState.APPROVED, held_at__isnull=True, scheduled_at__lte=now
    ).order_by("scheduled_at", "pk")


def sweep(now: datetime | None = None, *, limit: int | None = None) -> SweepResult:
    now = now or timezone.now()
    limit = limit or settings.PUBLISHING_SWEEP_BATCH
    beat(now)
    result = SweepResult()
    for pk in due_posts(now).values_list("pk", flat=True)[:limit]:
        outcome = claim_post(pk, now)
        if outcome == "claimed":
            result.claimed.append(pk)
        elif outcome == "held":
            result.held.append(pk)
    result.requeued = requeue_publications(now, limit=limit)
    result.wakeups = send_wakeups(now)
    return result


def beat(now: datetime) -> None:
    Heartbeat.objects.update_or_create(name=SCHEDULER_HEARTBEAT, defaults={"beat_at": now})


def _lock_due(pk: int, now: datetime) -> Post | None:
    candidates = Post.objects.filter(
        pk=pk, state=PostState.APPROVED, held_at__isnull=True, scheduled_at__lte=now
    )
    if connection.features.has_select_for_update_skip_locked:
        candidates = candidates.select_for_update(skip_locked=True, of=("self",))
    return candidates.first()


def claim_post(pk: int, now: datetime | None = None) -> str | None:
    """Claim one due post: hold it, or start publishing it. Returns "claimed", "held",
    or None when the post is not (or no longer) due, or someone else has it."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            post = _lock_due(pk, now)
            if post is None:
                return None
            reason = hold_reason(post, now)
            if reason:
                hold_post(post, reason, now)
                return "held"
            _start_publishing(post, now)
            return "claimed"
    except ConcurrentTransition:
        return None  # another scheduler claimed it between our read and our update


def _start_publishing(post: Post, now: datetime) -> None:
    content_hash = approved_hash(post)
    post.start_publishing()
    post.save(update_fields=Post.WORKFLOW_FIELDS)  # raises ConcurrentTransition if beaten
    lease = now + timedelta(seconds=settings.PUBLISHING_LEASE_SECONDS)
    publications = Publication.objects.bulk_create(
        Publication(post=post, channel=channel, content_hash=content_hash,
                    next_attempt_at=lease, created_at=now)
        for channel in post.channels.all()
    )
    audit.record(actor=None, action="start_publishing", obj=post,
                 from_state=PostState.APPROVED, to_state=post.state,
                 data={"publications": [p.pk for p in publications],
                       "content_hash": content_hash})
    emit(post, None, "start_publishing", PostState.APPROVED, post.state)
    ids = [p.pk for p in publications]
    transaction.on_commit(lambda: enqueue_publications(ids))


def enqueue_publications(ids: list[int]) -> None:
    from editorial.tasks import publish

    for pk in ids:
        publish.delay(pk)


def requeue_publications(now: datetime, *, limit: int) -> list[int]:
    """Send again the messages of publications waiting past their lease: a first message
    lost with a broker restart, or a retry whose back-off has passed. The claim in the
    publish task makes any duplicate message harmless."""
    lease = now + timedelta(seconds=settings.PUBLISHING_LEASE_SECONDS)
    waiting = Publication.objects.filter(
        state__in=[PublicationState.QUEUED, PublicationState.RETRYING],
        next_attempt_at__lte=now,
        post__held_at__isnull=True,
    ).values_list("pk", flat=True)[:limit]
    ids = []
    for pk in waiting:
        if Publication.objects.filter(pk=pk, next_attempt_at__lte=now).update(
            next_attempt_at=lease
        ):
            ids.append(pk)
    if ids:
        transaction.on_commit(lambda: enqueue_publications(ids))
    return ids


def send_wakeups(now: datetime) -> list[int]:
    """Wake-up messages, timed to the instant, for posts due in the interval after the
    next one: each post falls in exactly one sweep's window."""
    from editorial.tasks import claim_due_post

    interval = timedelta(seconds=settings.PUBLISHING_SWEEP_SECONDS)
    window = Post.objects.filter(
        state=PostState.APPROVED, held_at__isnull=True,
        scheduled_at__gt=now + interval, scheduled_at__lte=now + 2 * interval,
    ).values_list("pk", "scheduled_at")
    sent = []
    for pk, due in window:
        claim_due_post.apply_async((pk,), eta=due)
        sent.append(pk)
    return sent
