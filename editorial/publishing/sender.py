"""Send publications: claim each, check it, call the channel, record what happened.

A `publish_batch` message carries up to `PUBLISHING_TASK_BATCH` publication ids (the
scheduler sends one per ten publications of a burst; a retry, a lease requeue or a
confirmed held post may send one with a single id: `publish` is the batch of one). The
batch does, once for all its publications, what does not have to be fresh to the
millisecond — load the rows, the posts' approved hashes and current content hashes
(`compute_content_hashes`), the variants and images that go out — then sends its
publications one after the other, each worker thread still making one HTTP call at a
time. For each publication, just before its send:

1. the facts read for the batch must still clear it (the post publishing and not held,
   the channel active and one its department may use, the approval and content
   unchanged since the claim); otherwise nothing is sent: refused (failed, for a
   person) or held;
2. the **claim** (`claims.claim_to_send`), one conditional UPDATE per publication:
   queued/retrying -> sending, attempts + 1, *only if*, in the database *now*, the
   publication's back-off has passed (`not_before`), the post is still publishing and
   not held, no pause stops its channel, and the channel is still active, one the
   post's department may use, with the network, credentials and department the batch read
   (`EXISTS` / `NOT EXISTS` in the same statement, on the row's own columns, so
   PostgreSQL re-checks it all on a concurrent update). The adapter thus sends with the
   channel as the database had it at the claim. A message delivered twice, or a batch
   redelivered after a worker died, finds the publications it (or anyone) already took
   no longer queued and sends nothing twice; one that comes during a back-off (a
   requeue, a redelivery, a person's "send again") sends nothing before its time. A
   claim refused for a pause or a hold holds the post for a person (the publication
   stays queued); for a channel switched off or given away, fails the publication; for
   a channel whose credentials changed, is made again with the channel as it is now.

Why a claim per publication, not one claim for the whole batch: a publication is in
`sending` only while its own HTTP call may be in flight. A worker killed mid-batch
leaves one publication per thread in `sending` — exactly those are looked up on the
network, or marked `unknown` (they may have gone out) — while the batch's other
publications stay queued and are sent again by the sweep once the worker's hold on
them lapses (`keeper`: seconds; Redis gives a killed thread-pool worker's message
back only after its visibility time-out, an hour). A batch-wide claim would have made
every unsent publication of the batch `unknown` too, for a person to check, though none
of them had left.

The outcome of each send is made durable at once: one short UPDATE (sending -> sent,
failed, unknown; conditional on `sending`, so the reaper and the sender never both
settle it), run by the batch's very next statement — on PostgreSQL in the same round
trip and commit as the next publication's claim (two data-modifying CTEs, each on its
own row, each with its own condition), else on its own; after the last send of the
batch, or before anything else, on its own. A retry (nothing went out) is recorded at
once, on its own. The audit entries of the outcomes and the settling of the posts follow in
one transaction at the end of the batch (`record_outcomes`: the posts locked, the
entries appended with one lock of the chain head, `audit.record_many`), at most a batch
of sends (~half a second) later. Should the worker die in between, the reaper finds the
outcomes without an entry and records them, and settles their posts: every outcome is
audited exactly once (entries are written under the post's lock, only for outcomes that
have none), possibly a few seconds late.

Nothing sent (connection refused, 429, 5xx): retried with back-off, that publication
alone. Maybe sent (a time-out after the request left): never re-sent blindly; the
adapter's look-up (`lookup`, `find_published`) says sent, not there (retried), or cannot
tell (`unknown`, for a person).
"""

from __future__ import annotations

import functools
import logging
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from editorial.blackouts import blackout_at, blackout_message
from editorial.channels import adapter_for
from editorial.channels.base import (
    ChannelAdapter,
    CredentialsRejected,
    Image,
    Outgoing,
    PermanentError,
    PublishError,
    Result,
    TransientError,
    UncertainError,
)
from editorial.content import channel_access_problem, compute_content_hashes
from editorial.messages import Message, message, store
from editorial.models import (
    Approval,
    BlackoutRule,
    Channel,
    Post,
    PostImage,
    PostState,
    PostVariant,
    Publication,
    PublicationState,
)
from editorial.publishing import lookup
from editorial.publishing.claims import PENDING, claim, claim_to_send
from editorial.publishing.connections import flag_needs_reconnecting
from editorial.publishing.holds import hold_post, pause_reason
from editorial.publishing.keeper import keeper
from editorial.publishing.outcomes import (
    LAST_ERROR_LENGTH,
    finish,
    outcome_fields,
    record_outcomes,
)

log = logging.getLogger(__name__)
PS = PublicationState
# What `publish_batch` says of a publication whose back-off has not passed: a duplicate
# or early message, refused by the claim; the requeue sends it again once it is due.
NOT_DUE = "not due yet"

__all__ = ["NOT_DUE", "claim", "claim_to_send", "outgoing_of", "publish", "publish_batch"]


def publish(pk: int) -> str:
    """Send publication `pk` once. Returns what happened, for logs and tests."""
    return publish_batch([pk])[pk]


@dataclass
class _BatchFacts:
    """What the checks and the outgoing messages need, read once for a batch."""

    approved: dict[int, str]
    current: dict[int, str]
    variants: dict[tuple[int, int], str]
    images: dict[int, list[Image]]

    @classmethod
    def read(cls, post_ids: list[int]) -> _BatchFacts:
        approved: dict[int, str] = {}
        for post_id, content_hash in (
            Approval.objects.filter(post_id__in=post_ids, voided_at__isnull=True)
            .order_by("created_at", "pk")
            .values_list("post_id", "content_hash")
        ):
            approved[post_id] = content_hash  # the latest valid approval wins
        variants = {
            (post_id, channel_id): body
            for post_id, channel_id, body in PostVariant.objects.filter(
                post_id__in=post_ids
            ).values_list("post_id", "channel_id", "body")
        }
        images: dict[int, list[Image]] = defaultdict(list)
        for image in PostImage.objects.filter(post_id__in=post_ids).order_by("position", "pk"):
            images[image.post_id].append(Image(path=image.image.name, alt_text=image.alt_text))
        return cls(approved, compute_content_hashes(post_ids), variants, images)


class _Carry:
    """The outcome of a send, made durable by the next statement the batch runs (the
    next claim, or on its own): right after the HTTP call, in any case before the
    batch goes on to anything that could take time."""

    def __init__(self, batch: _Batch, pk: int, state: str, sql: str, params: list):
        self.batch, self.pk, self.state, self.sql, self.params = batch, pk, state, sql, params

    def write(self, cursor) -> None:
        cursor.execute(self.sql, self.params)
        self.done(cursor.rowcount == 1)

    def done(self, written: bool) -> None:
        if written:
            self.batch.recorded.append(self.pk)
        else:  # the reaper (or a person) got there first
            self.batch.outcomes[self.pk] = "already settled"


@dataclass
class _Batch:
    outcomes: dict[int, str]
    recorded: list[int] = field(default_factory=list)
    carry: _Carry | None = None

    def take_carry(self) -> _Carry | None:
        carry, self.carry = self.carry, None
        return carry

    def flush(self) -> None:
        carry = self.take_carry()
        if carry is not None:
            with connection.cursor() as cursor:
                carry.write(cursor)


def publish_batch(ids: list[int]) -> dict[int, str]:
    """Send each of the publications `ids` at most once, one after the other. Returns
    what happened to each (id -> outcome), for logs and tests."""
    batch = _Batch(outcomes={pk: "not claimed" for pk in ids})
    publications = list(
        Publication.objects.filter(pk__in=ids, state__in=PENDING)
        .select_related("post", "channel__department")
        .order_by("pk")
    )
    if not publications:
        return batch.outcomes
    held = [p.pk for p in publications]
    keeper.hold(held)  # their leases now last only while this worker lives
    try:
        facts = _BatchFacts.read(sorted({p.post_id for p in publications}))
        for publication in publications:
            batch.outcomes[publication.pk] = _publish_one(publication, facts, batch)
            keeper.release([publication.pk])
            held.remove(publication.pk)
    finally:
        keeper.release(held)
        batch.flush()
        if batch.recorded:
            record_outcomes(batch.recorded)
    return batch.outcomes


def outgoing_of(publication: Publication) -> Outgoing:
    """What `publication` sends (or sent): for a look-up outside its batch."""
    return _outgoing(publication, _BatchFacts.read([publication.post_id]))


def _publish_one(publication: Publication, facts: _BatchFacts, batch: _Batch) -> str:
    now = timezone.now()
    problem = _pre_send_problem(publication, facts)
    if problem:
        batch.flush()
        return _refuse(publication, *problem, now)
    if not claim_to_send(publication, now, batch.take_carry()):
        outcome = _not_cleared(publication, now)
        if outcome is not None:
            return outcome
        # Whatever stopped the claim is gone already (a pause that just ended): once more.
        if not claim_to_send(publication, now):
            return "not claimed"  # the lease requeue will bring it back
    return _send(publication, facts, batch)


def _send(publication: Publication, facts: _BatchFacts, batch: _Batch) -> str:
    """Call the channel for a claimed publication; its outcome is written by the next
    statement (`_Carry`)."""
    adapter = adapter_for(publication.channel)
    outgoing = _outgoing(publication, facts)
    try:
        result = adapter.publish(outgoing)
    except TransientError as exc:
        return _transient(publication, exc, batch)
    except CredentialsRejected as exc:
        batch.flush()  # the flag's transaction comes after the previous outcome's write
        flag_needs_reconnecting(publication.channel, exc.message)
        return _record(publication, PS.FAILED, batch, error=exc.message)
    except PermanentError as exc:
        return _record(publication, PS.FAILED, batch, error=exc.message)
    except UncertainError as exc:
        if adapter.honours_idempotency_key:
            return _transient(publication, exc, batch)
        return _in_doubt(publication, adapter, outgoing, exc.message, batch)
    except Exception as exc:  # a bug or an unforeseen failure: it may have gone out
        log.exception("Publication %s: unexpected error while sending", publication.pk)
        error = f"{type(exc).__name__}: {exc}"
        return _in_doubt(publication, adapter, outgoing, error, batch)
    return _record(publication, PS.SENT, batch, result=result)


def _in_doubt(
    publication: Publication,
    adapter: ChannelAdapter,
    outgoing: Outgoing,
    reason: Message | str,
    batch: _Batch,
) -> str:
    """The send may have gone out: ask the network (`lookup`). On it: sent. Not on
    it: retried as if nothing had gone out. Cannot tell: unknown, for a person."""
    answer = lookup.ask(adapter, outgoing, reason)
    if isinstance(answer, Result):
        return _record(publication, PS.SENT, batch, result=answer)
    if answer is lookup.ABSENT:
        absent = message("not_on_network", channel=publication.channel, error=reason)
        return _transient(publication, TransientError(absent), batch)
    return _record(publication, PS.UNKNOWN, batch, error=answer)


def _pre_send_problem(
    publication: Publication, facts: _BatchFacts
) -> tuple[str, Message | str] | None:
    """What the batch's facts say: the post still cleared to go, on a channel it may
    use, with the content that was approved. Returns (kind, why): kind "pause" holds
    the post for a person; "refuse" fails the publication. State, hold and pauses are
    checked again, fresh, by the claim itself."""
    post = publication.post
    if post.state != PostState.PUBLISHING:
        return "refuse", no_longer_cleared(post)
    if post.held_at is not None:  # held for a person: only confirm_held releases it
        return "pause", post.held_reason or message("held")
    access = channel_access_problem(post, publication.channel)
    if access:
        return "refuse", access
    expected = facts.approved.get(post.pk)
    if expected is None or expected != publication.content_hash:
        return "refuse", message("approval_changed")
    if facts.current.get(post.pk) != publication.content_hash:
        return "refuse", message("content_changed")
    return None


def no_longer_cleared(post: Post) -> Message:
    return message("not_cleared", state=post.state)


def _not_cleared(publication: Publication, now: datetime) -> str | None:
    """The claim did not take the publication: someone else has it (or had it), its
    back-off has not passed, the post is no longer cleared, or the channel changed since
    the batch read it. Read why, fresh (a rare path). None: nothing stops it any more —
    `publication.channel` is then the channel as it is now, for the claim to expect."""
    row = Publication.objects.filter(pk=publication.pk).values("state", "not_before").first()
    if row is None or row["state"] not in PENDING:
        return "not claimed"
    if row["not_before"] is not None and row["not_before"] > now:
        return NOT_DUE  # a second message during the back-off: the requeue brings it back
    post = Post.objects.get(pk=publication.post_id)
    publication.post = post
    if post.state != PostState.PUBLISHING:
        return _refuse(publication, "refuse", no_longer_cleared(post), now)
    if post.held_at is not None:
        return "held"  # held for a person; the publication waits, queued
    # Switched off, handed to another department, its credentials changed: as it is now.
    publication.channel = Channel.objects.select_related("department").get(
        pk=publication.channel_id
    )
    access = channel_access_problem(post, publication.channel)
    if access:
        return _refuse(publication, "refuse", access, now)
    reason = pause_reason(now, [publication.channel_id])
    if reason:
        return _refuse(publication, "pause", reason, now)
    period = blackout_at(post, now, [publication.channel], BlackoutRule.FORBID)
    if period is not None:
        return _refuse(publication, "pause", blackout_message(period), now)
    return None


def _refuse(publication: Publication, kind: str, problem: Message | str, now: datetime) -> str:
    """Nothing was sent. A pause (or a hold) leaves the publication queued and holds the
    post for a person; anything else is a failure that a person must look at."""
    if kind == "pause":
        with transaction.atomic():
            hold_post(publication.post, problem, now, channels=[publication.channel])
        return "held"
    if not claim(publication.pk, now):
        return "not claimed"
    return finish(publication, PS.FAILED, now, error=problem)


def _outgoing(publication: Publication, facts: _BatchFacts) -> Outgoing:
    post = publication.post
    return Outgoing(
        publication_id=publication.pk,
        idempotency_key=str(publication.idempotency_key),
        text=facts.variants.get((post.pk, publication.channel_id), post.body),
        images=tuple(facts.images.get(post.pk, ())),
    )


def backoff_seconds(attempt: int, retry_after: float | None = None) -> float:
    """Exponential back-off with full jitter; a network's Retry-After is a floor."""
    base = settings.PUBLISHING_RETRY_BASE_SECONDS * 2 ** (attempt - 1)
    delay = random.uniform(base / 2, base)
    return max(delay, retry_after or 0)


def _transient(publication: Publication, exc: PublishError, batch: _Batch) -> str:
    """Nothing went out: retry this publication alone, later, unless it has had its
    attempts."""
    attempts = (
        Publication.objects.filter(pk=publication.pk).values_list("attempts", flat=True).first()
        or 0
    )
    if attempts >= settings.PUBLISHING_MAX_ATTEMPTS:
        return _record(
            publication,
            PS.FAILED,
            batch,
            error=message("gave_up", attempts=attempts, error=exc.message),
        )
    delay = backoff_seconds(attempts, getattr(exc, "retry_after", None))
    due = timezone.now() + timedelta(seconds=delay)
    Publication.objects.filter(pk=publication.pk, state=PS.SENDING).update(
        state=PS.RETRYING,
        sending_since=None,
        last_error=store(exc.message, LAST_ERROR_LENGTH),
        not_before=due,  # the claim's: no message sends it earlier
        next_attempt_at=due,  # the sweep's: its message is sent again then
    )
    return "retrying"


def _record(
    publication: Publication,
    state: str,
    batch: _Batch,
    *,
    error: Message | str = "",
    result: Result | None = None,
) -> str:
    """The outcome of a send: one short UPDATE, conditional on `sending`, run by the
    batch's next statement (`_Carry`). Its audit entry and the post's settling follow
    with the batch's (`record_outcomes`)."""
    fields = outcome_fields(state, timezone.now(), error=error, result=result)
    sql = _record_sql(tuple(fields))
    adapt = connection.ops.adapt_datetimefield_value  # as the ORM would store it
    params = [adapt(v) if isinstance(v, datetime) else v for v in fields.values()]
    params += [publication.pk, PS.SENDING]
    batch.flush()  # never more than one outcome waiting
    batch.carry = _Carry(batch, publication.pk, state, sql, params)
    return state


@functools.cache
def _record_sql(columns: tuple[str, ...]) -> str:
    """The outcome's UPDATE of `columns`, conditional on `sending` (raw: it runs once
    per send)."""
    q = connection.ops.quote_name
    assignments = ", ".join(f"{q(c)} = %s" for c in columns)
    return (
        f"UPDATE {q(Publication._meta.db_table)} SET {assignments}, {q('sending_since')} = NULL "
        f"WHERE {q('id')} = %s AND {q('state')} = %s"
    )
