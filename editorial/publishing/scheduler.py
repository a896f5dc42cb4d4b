"""Find due posts and claim each exactly once.

The sweep is the source of truth: every interval it looks for approved posts whose time
has come (an indexed query on a partial index) and claims each with a conditional
update — `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL, then approved -> publishing
by an UPDATE conditional on the state — so two schedulers, or a sweep and a wake-up,
can never both claim a post. A claimed post gets one publication per channel; after
commit, one `editorial.publish_batch` message per `PUBLISHING_TASK_BATCH` publications
(10 by default) is sent — the sender claims each publication again on its own, just
before sending it, so a batch message delivered twice sends nothing twice.

A batch of due posts is claimed in a handful of statements whatever its size: the posts
are locked together, moved approved -> publishing by one conditional UPDATE (all locked
rows, so all of them move, or the transaction is rolled back), their publications
inserted together and their audit entries appended under one lock of the chain head.

A sweep alone would publish up to one interval late. So each sweep also sends wake-up
messages, timed (ETA) for each due instant before the sweep after next (windows of
successive sweeps overlap, so a late sweep leaves no gap): one per
`CLAIM_BATCH` posts due at that instant, at most `WAKEUPS_PER_INSTANT` (2), each
claiming due posts in batches, as the sweep does, until none is left. Two claimers stay
far ahead of the senders (a batch of 50 posts is claimed in tens of milliseconds, sent
in seconds) while every other worker thread starts sending as soon as the first batch
is committed; one claimer per 50 posts kept every thread claiming for the first two
seconds of a burst of 2,000, sending nothing. The wake-up only calls the same claim: if
it is lost or late, the next sweep claims the posts; if it comes twice, the second finds
nothing.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django_fsm import ConcurrentTransition

from editorial import audit
from editorial.content import compute_content_hashes
from editorial.events import emit
from editorial.liveness import broker
from editorial.models import (
    Approval,
    ApprovalLevel,
    Heartbeat,
    Post,
    PostState,
    Publication,
    PublicationState,
)
from editorial.publishing.holds import HoldRules, hold_post

logger = logging.getLogger(__name__)

SCHEDULER_HEARTBEAT = "scheduler"
# Posts claimed per transaction: their publish messages leave as each batch commits.
CLAIM_BATCH = 50
# Wake-up messages per due instant, at most (one per CLAIM_BATCH posts due then).
WAKEUPS_PER_INSTANT = 2


@dataclass
class SweepResult:
    claimed: list[int] = field(default_factory=list)
    held: list[int] = field(default_factory=list)
    requeued: list[int] = field(default_factory=list)
    lapsed: list[int] = field(default_factory=list)
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
    while len(result.claimed) + len(result.held) < limit:
        size = min(CLAIM_BATCH, limit - len(result.claimed) - len(result.held))
        claimed, held = claim_batch(now, size=size)
        if not (claimed or held):
            break
        result.claimed += claimed
        result.held += held
    result.requeued = requeue_publications(now, limit=limit)
    result.lapsed = send_lapsed(now)
    result.wakeups = send_wakeups(now)
    return result


def beat(now: datetime) -> None:
    Heartbeat.objects.update_or_create(name=SCHEDULER_HEARTBEAT, defaults={"beat_at": now})


def _lock_due(now: datetime, size: int, only: int | None) -> list[Post]:
    candidates = due_posts(now) if only is None else due_posts(now).filter(pk=only)
    if connection.features.has_select_for_update_skip_locked:
        # Rows another scheduler is claiming are skipped, not waited for.
        candidates = candidates.select_for_update(skip_locked=True, of=("self",))
    return list(candidates[:size])


def claim_batch(
    now: datetime, *, size: int, only: int | None = None
) -> tuple[list[int], list[int]]:
    """Claim up to `size` due posts (or just post `only`) in one transaction: hold each
    that may not go out, start publishing the others. Returns (claimed ids, held ids);
    both empty when there is nothing (left) to claim."""
    claimed, held = [], []
    try:
        with transaction.atomic():
            posts = _lock_due(now, size, only)
            if not posts:
                return claimed, held
            ids = [post.pk for post in posts]
            facts = ClaimFacts(ids)
            rules = HoldRules(now)
            started, holds = [], []
            for post in posts:
                reason = rules.reason(
                    post,
                    facts.channels[post.pk],
                    facts.approved.get(post.pk),
                    facts.current[post.pk],
                    post.pk in facts.director_signed,
                )
                if reason:
                    holds.append((post, reason))
                else:
                    started.append(post)
            created = _start_publishing(started, facts, now)
            for post, reason in holds:
                hold_post(post, reason, now)
            # Audited last: the chain head's lock, which every writer waits for, is then
            # held only until the commit.
            _audit_start(started, facts)
            claimed, held = [p.pk for p in started], [p.pk for p, _reason in holds]
            pub_ids = [p.pk for p in created]
            transaction.on_commit(lambda: enqueue_publications(pub_ids))
    except ConcurrentTransition:
        return [], []  # another scheduler claimed one of them first: the next sweep retries
    return claimed, held


class ClaimFacts:
    """What the claim needs to know about a batch of posts, in a handful of queries."""

    def __init__(self, ids: list[int]):
        self.current = compute_content_hashes(ids)
        self.channels: dict[int, list[int]] = {pk: [] for pk in ids}
        for pk, channel_id in Post.channels.through.objects.filter(post_id__in=ids).values_list(
            "post_id", "channel_id"
        ):
            self.channels[pk].append(channel_id)
        self.approved: dict[int, str] = {}
        self.director_signed: set[int] = set()
        for pk, content_hash, level in (
            Approval.objects.filter(post_id__in=ids, voided_at__isnull=True)
            .order_by("created_at", "pk")
            .values_list("post_id", "content_hash", "level")
        ):
            self.approved[pk] = content_hash  # the latest valid approval wins
            if level == ApprovalLevel.DIRECTOR:
                self.director_signed.add(pk)


def _start_publishing(posts: list[Post], facts: ClaimFacts, now: datetime) -> list[Publication]:
    """approved -> publishing for every post of `posts` (locked by the caller), and their
    publications, in two statements. The UPDATE is conditional on the state: should it
    not move them all (another scheduler got one first, which the row locks rule out on
    PostgreSQL), the whole claim is rolled back."""
    if not posts:
        return []
    for post in posts:
        post.start_publishing()  # the transition's own checks, in memory
    moved = Post.objects.filter(pk__in=[p.pk for p in posts], state=PostState.APPROVED).update(
        state=PostState.PUBLISHING, updated_at=timezone.now()
    )
    if moved != len(posts):
        raise ConcurrentTransition("Another scheduler claimed one of these posts first.")
    lease = now + timedelta(seconds=settings.PUBLISHING_LEASE_SECONDS)
    return Publication.objects.bulk_create(
        Publication(
            post=post,
            channel_id=channel_id,
            content_hash=facts.approved[post.pk],
            next_attempt_at=lease,
            created_at=now,
        )
        for post in posts
        for channel_id in sorted(facts.channels[post.pk])
    )


def _audit_start(posts: list[Post], facts: ClaimFacts) -> None:
    audit.record_many(
        [
            dict(
                actor=None,
                action="start_publishing",
                obj=post,
                from_state=PostState.APPROVED,
                to_state=post.state,
                data={"content_hash": facts.approved[post.pk]},
            )
            for post in posts
        ]
    )
    for post in posts:
        emit(post, None, "start_publishing", PostState.APPROVED, post.state)


def claim_post(pk: int, now: datetime | None = None) -> str | None:
    """Claim one due post (the precise wake-up): "claimed", "held", or None when it is
    not (or no longer) due, or someone else has it."""
    claimed, held = claim_batch(now or timezone.now(), size=1, only=pk)
    return "claimed" if claimed else "held" if held else None


def enqueue_publications(ids: list[int]) -> None:
    """One `publish_batch` message per PUBLISHING_TASK_BATCH publications.

    A broker that cannot be reached loses nothing: the publications are committed as
    queued, and the sweep sends their messages again once their lease has passed
    (`requeue_publications`). So a failure here is logged, not raised into the request
    or the task that committed them.
    """
    from editorial.tasks import publish_batch

    size = settings.PUBLISHING_TASK_BATCH
    ids = list(ids)
    try:
        for start in range(0, len(ids), size):
            publish_batch.delay(ids[start : start + size])
    except Exception as exc:  # kombu raises its own and socket errors alike
        # One ERROR when the outage starts, one WARNING when it ends (`liveness.broker`):
        # a sweep every second would otherwise log one error a second.
        broker.failed(exc, "sending publications")
        logger.info(
            "Broker unreachable (%s: %s): %d publication(s) will be sent by the next sweep",
            type(exc).__name__,
            exc,
            len(ids),
        )
    else:
        if ids:
            broker.succeeded()


def requeue_publications(now: datetime, *, limit: int) -> list[int]:
    """Send again the messages of publications waiting past their lease: a first message
    lost with a broker restart, or a retry whose back-off has passed. The claim in the
    publish task makes any duplicate message harmless, and refuses one that comes
    before the publication's back-off (`not_before`), which the lease never moves."""
    lease = now + timedelta(seconds=settings.PUBLISHING_LEASE_SECONDS)
    waiting = (
        Publication.objects.filter(
            state__in=[PublicationState.QUEUED, PublicationState.RETRYING],
            next_attempt_at__lte=now,
            post__held_at__isnull=True,
        )
        .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
        .values_list("pk", flat=True)[:limit]
    )
    ids = []
    for pk in waiting:
        if Publication.objects.filter(pk=pk, next_attempt_at__lte=now).update(
            next_attempt_at=lease
        ):
            ids.append(pk)
    if ids:
        transaction.on_commit(lambda: enqueue_publications(ids))
    return ids


def send_lapsed(now: datetime, *, limit: int = 500) -> list[int]:
    """Publications in `sending` whose worker's hold lapsed (`keeper`: the worker died),
    sent to be settled as the network says (`reconcile.settle_in_doubt`, a task: a
    look-up on the network never slows the sweep). Each is taken by a conditional update
    that pushes its lease a message lease ahead, so the next sweeps leave it to that
    task; should the task be lost, it is taken again then. One indexed query when
    there is none."""
    from editorial.tasks import settle_in_doubt

    lease = now + timedelta(seconds=settings.PUBLISHING_LEASE_SECONDS)
    candidates = Publication.objects.filter(
        state=PublicationState.SENDING, next_attempt_at__lt=now
    ).values_list("pk", flat=True)[:limit]
    ids = [
        pk
        for pk in candidates
        if Publication.objects.filter(
            pk=pk, state=PublicationState.SENDING, next_attempt_at__lt=now
        ).update(next_attempt_at=lease)
    ]
    if ids:

        def send() -> None:
            try:
                settle_in_doubt.delay(ids)
            except Exception as exc:  # taken again once the lease passes
                broker.failed(exc, "sending publications to settle")

        transaction.on_commit(send)
    return ids


def send_wakeups(now: datetime) -> list[int]:
    """Wake-up messages, timed to the instant, for posts due before the sweep after next:
    per due instant, one message per CLAIM_BATCH posts due then, at most
    WAKEUPS_PER_INSTANT. Returns the ids of the posts covered.

    The windows of two sweeps in a row overlap by one interval on purpose: a sweep that
    starts late would otherwise leave a gap between its window and the previous one,
    and a post due in that gap would wait for a sweep. A post thus usually gets two
    wake-ups; the second finds it claimed and does nothing."""
    from editorial.tasks import claim_due_at

    interval = timedelta(seconds=settings.PUBLISHING_SWEEP_SECONDS)
    window = (
        Post.objects.filter(
            state=PostState.APPROVED,
            held_at__isnull=True,
            scheduled_at__gt=now,
            scheduled_at__lte=now + 2 * interval,
        )
        .order_by("scheduled_at", "pk")
        .values_list("pk", "scheduled_at")
    )
    instants: dict[datetime, list[int]] = {}
    for pk, due in window:
        instants.setdefault(due, []).append(pk)
    for due, ids in instants.items():
        for _ in range(min(WAKEUPS_PER_INSTANT, math.ceil(len(ids) / CLAIM_BATCH))):
            try:
                claim_due_at.apply_async((due.isoformat(),), eta=due)
            except Exception as exc:  # the sweep after next claims them, a little late
                broker.failed(exc, "sending wake-ups")
                return [pk for ids in instants.values() for pk in ids]
    return [pk for ids in instants.values() for pk in ids]


def claim_due_at(due: datetime) -> int:
    """The wake-up of a due instant: claim every post due by now, in batches, as the
    sweep does, until none is left. Never before `due`: an ETA that fired a hair early
    is slept off. Returns how many posts this call claimed or held."""
    early = (due - timezone.now()).total_seconds()
    if 0 < early < 1:
        time.sleep(early)
    now = timezone.now()
    done = 0
    while True:
        claimed, held = claim_batch(now, size=CLAIM_BATCH)
        if not (claimed or held):
            return done
        done += len(claimed) + len(held)
