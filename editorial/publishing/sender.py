"""Send one publication: claim it, check it, call the channel, record what happened.

The claim is a conditional update (queued/retrying -> sending): a message delivered
twice, or by two workers, sends once. A publication left in `sending` by a worker that
died is not sent again automatically: the reaper marks it `unknown` for a person.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_fsm import ConcurrentTransition

from editorial import audit
from editorial.channels import adapter_for
from editorial.channels.base import (
    Image,
    Outgoing,
    PermanentError,
    Result,
    TransientError,
    UncertainError,
)
from editorial.content import approved_hash, compute_content_hash, text_for
from editorial.models import Post, PostState, Publication, PublicationState
from editorial.publishing.holds import hold_post, pause_reason
from editorial.workflow.core import emit

log = logging.getLogger(__name__)
PS = PublicationState


def claim(pk: int, now: datetime) -> bool:
    return bool(
        Publication.objects.filter(pk=pk, state__in=[PS.QUEUED, PS.RETRYING]).update(
            state=PS.SENDING, sending_since=now, attempts=F("attempts") + 1
        )
    )


def publish(pk: int) -> str:
    """Send publication `pk` once. Returns what happened, for logs and tests."""
    now = timezone.now()
    if not claim(pk, now):
        return "not claimed"
    publication = Publication.objects.select_related("post", "channel__department").get(pk=pk)
    problem = _pre_send_problem(publication, now)
    if problem:
        return _refuse(publication, *problem, now)
    adapter = adapter_for(publication.channel)
    try:
        result = adapter.publish(_outgoing(publication))
    except TransientError as exc:
        return _transient(publication, exc, now)
    except PermanentError as exc:
        return _finish(publication, PS.FAILED, now, error=str(exc))
    except UncertainError as exc:
        if adapter.honours_idempotency_key:
            return _transient(publication, exc, now)
        return _finish(publication, PS.UNKNOWN, now, error=str(exc))
    except Exception as exc:  # a bug or an unforeseen failure: it may have gone out
        log.exception("Publication %s: unexpected error while sending", pk)
        return _finish(publication, PS.UNKNOWN, now, error=f"{type(exc).__name__}: {exc}")
    return _finish(publication, PS.SENT, now, result=result)


def _pre_send_problem(publication: Publication, now: datetime) -> tuple[str, str] | None:
    """Checked at the last moment: the post is still cleared to go, with the content
    that was approved, and no pause applies. Returns (kind, why): kind "pause" holds
    the post for a person; "refuse" fails the publication."""
    post = publication.post
    if post.state != PostState.PUBLISHING:
        return "refuse", f"The post is {post.state}, no longer cleared for publishing."
    if post.held_at is not None:  # held for a person: only confirm_held releases it
        return "pause", post.held_reason or "The post is held: confirm or reschedule it."
    expected = approved_hash(post)
    if expected is None or expected != publication.content_hash:
        return "refuse", "The approval changed since publishing started."
    if compute_content_hash(post) != publication.content_hash:
        return "refuse", "The content differs from what was approved."
    reason = pause_reason(now, [publication.channel_id])
    if reason:
        return "pause", reason
    return None


def _refuse(publication: Publication, kind: str, problem: str, now: datetime) -> str:
    """Nothing was sent. A pause puts the publication back and holds the post for a
    person; anything else is a failure that a person must look at."""
    if kind == "pause":
        with transaction.atomic():
            Publication.objects.filter(pk=publication.pk, state=PS.SENDING).update(
                state=PS.QUEUED, sending_since=None, attempts=F("attempts") - 1,
                next_attempt_at=None,
            )
            hold_post(publication.post, problem, now)
        return "held"
    return _finish(publication, PS.FAILED, now, error=problem)


def _outgoing(publication: Publication) -> Outgoing:
    post = publication.post
    images = tuple(
        Image(path=image.image.name, alt_text=image.alt_text) for image in post.images.all()
    )
    return Outgoing(
        publication_id=publication.pk,
        idempotency_key=str(publication.idempotency_key),
        text=text_for(post, publication.channel),
        images=images,
    )


def backoff_seconds(attempt: int, retry_after: float | None = None) -> float:
    """Exponential back-off with full jitter; a network's Retry-After is a floor."""
    base = settings.PUBLISHING_RETRY_BASE_SECONDS * 2 ** (attempt - 1)
    delay = random.uniform(base / 2, base)
    return max(delay, retry_after or 0)


def _transient(publication: Publication, exc: Exception, now: datetime) -> str:
    if publication.attempts >= settings.PUBLISHING_MAX_ATTEMPTS:
        return _finish(publication, PS.FAILED, now,
                       error=f"Gave up after {publication.attempts} attempts: {exc}")
    delay = backoff_seconds(publication.attempts, getattr(exc, "retry_after", None))
    Publication.objects.filter(pk=publication.pk, state=PS.SENDING).update(
        state=PS.RETRYING, sending_since=None, last_error=str(exc)[:2000],
        next_attempt_at=now + timedelta(seconds=delay),
    )
    return "retrying"


def _finish(publication: Publication, state: str, now: datetime, *, error: str = "",
            result: Result | None = None) -> str:
    """Record a final (or unknown) outcome and settle the post, in one transaction."""
    with transaction.atomic():
        # Locking the post serializes the last publications of one post finishing at
        # once, so exactly one of them sees them all done and settles the post.
        post = Post.objects.select_for_update().get(pk=publication.post_id)
        fields = {"state": state, "sending_since": None, "last_error": error[:2000]}
        if result is not None:
            fields.update(external_id=result.external_id[:200], external_url=result.url[:500],
                          sent_at=now)
        if not Publication.objects.filter(pk=publication.pk, state=PS.SENDING).update(**fields):
            return "already settled"  # the reaper (or a person) got there first
        publication.state = state
        settled = settle(post)
        # Audited last: the chain head's lock, which every writer waits for, is then
        # held only until the commit.
        audit.record(actor=None, action=f"publication_{state}", obj=publication,
                     from_state=PS.SENDING, to_state=state, comment=error,
                     data={"external_id": result.external_id} if result else None)
        emit(publication, None, f"publication_{state}", PS.SENDING, state, error)
        if settled:
            audit.record(actor=None, action=f"mark_{settled}", obj=post,
                         from_state=PostState.PUBLISHING, to_state=settled)
            emit(post, None, f"mark_{settled}", PostState.PUBLISHING, settled)
    return state


def settle(post: Post) -> str | None:
    """Published when every publication is sent; failed when one failed for good and
    none is still under way. An unknown outcome keeps the post publishing: a person
    decides. Returns the state the post moved to, if it moved."""
    states = set(post.publications.values_list("state", flat=True))
    if states == {PS.SENT}:
        transition, target = post.mark_published, PostState.PUBLISHED
    elif PS.FAILED in states and not states & {PS.QUEUED, PS.RETRYING, PS.SENDING, PS.UNKNOWN}:
        transition, target = post.mark_failed, PostState.FAILED
    else:
        return None
    if post.state != PostState.PUBLISHING:
        return None
    try:
        transition()
        post.save(update_fields=Post.WORKFLOW_FIELDS)
    except ConcurrentTransition:
        return None
    return target


def reap(now: datetime | None = None) -> list[int]:
    """Publications stuck in `sending` past the time-out: the worker died, or hangs.
    Whether they went out is unknown: mark them so, never send them again blindly."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.PUBLISHING_SENDING_TIMEOUT_SECONDS)
    stuck = list(
        Publication.objects.filter(state=PS.SENDING, sending_since__lt=cutoff)
        .select_related("post")
        .order_by("pk")[:500]
    )
    error = "No outcome recorded in time: the worker may have died mid-send."
    return [p.pk for p in stuck if _finish(p, PS.UNKNOWN, now, error=error) == PS.UNKNOWN]
