"""Sends whose outcome nobody recorded — the worker died, or hangs — settled as far as
the network can tell.

Two ways a publication is found stuck in `sending`:

- its worker's hold lapsed (`keeper`: not renewed for `PUBLISHING_HOLD_SECONDS`, the
  worker is gone): the sweep finds it within a second (`lapsed`) and has it settled
  by a task of its own (`editorial.settle_in_doubt`), so a look-up on the network never
  slows the sweep;
- it has been sending longer than `PUBLISHING_SENDING_TIMEOUT_SECONDS` (a worker alive
  but stuck, or one without a keeper): the reaper, every 30 s (`reap`).

Either way the request may have left: it is never sent again blindly. The channel's
adapter is asked "was this published?" (`lookup`): on the network, the publication is
recorded sent; certainly not, it is sent again; cannot tell, it is unknown and a person
checks (each one WARNING line, `alerts`).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from editorial.channels import adapter_for
from editorial.channels.base import Result
from editorial.messages import Message, message, store
from editorial.models import Publication, PublicationState
from editorial.publishing import lookup
from editorial.publishing.outcomes import (
    LAST_ERROR_LENGTH,
    finish,
    record_outcomes,
    unrecorded_outcomes,
)
from editorial.publishing.scheduler import enqueue_publications
from editorial.publishing.sender import outgoing_of

log = logging.getLogger(__name__)
PS = PublicationState
SENT_AGAIN = "sent again"


def settle_in_doubt(ids: list[int], now: datetime | None = None) -> dict[int, str]:
    """Settle each of `ids` still in `sending` as the network says. Returns what became
    of each: sent, "sent again", unknown (or "already settled")."""
    now = now or timezone.now()
    error = message("no_outcome_in_time")
    publications = Publication.objects.filter(pk__in=ids, state=PS.SENDING).select_related(
        "post", "channel__department"
    )
    return {p.pk: settle_one(p, error, now) for p in publications.order_by("pk")}


def settle_one(publication: Publication, reason: Message | str, now: datetime) -> str:
    answer = lookup.ask(adapter_for(publication.channel), outgoing_of(publication), reason)
    if isinstance(answer, Result):
        return finish(publication, PS.SENT, now, result=answer)
    if answer is lookup.ABSENT:
        return send_again(publication, reason, now)
    return finish(publication, PS.UNKNOWN, now, error=answer)


def send_again(publication: Publication, reason: Message | str, now: datetime) -> str:
    """The network says it is not there: queue it again, at once, through every check of
    a send (its attempts still count)."""
    if publication.attempts >= settings.PUBLISHING_MAX_ATTEMPTS:
        error = message("gave_up", attempts=publication.attempts, error=reason)
        return finish(publication, PS.FAILED, now, error=error)
    absent = message("not_on_network", channel=publication.channel, error=reason)
    with transaction.atomic():
        moved = Publication.objects.filter(pk=publication.pk, state=PS.SENDING).update(
            state=PS.RETRYING,
            sending_since=None,
            last_error=store(absent, LAST_ERROR_LENGTH),
            not_before=None,
            next_attempt_at=now + timedelta(seconds=settings.PUBLISHING_LEASE_SECONDS),
        )
        if not moved:
            return "already settled"
        transaction.on_commit(lambda: enqueue_publications([publication.pk]))
    return SENT_AGAIN


def reap(now: datetime | None = None) -> list[int]:
    """Publications stuck in `sending` past the sending time-out, settled as the network
    says (`settle_one`); then the outcomes a worker made durable but died before
    auditing (between a send and the end of its batch), audited, their posts settled.
    Returns the ids of the stuck publications this call settled."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.PUBLISHING_SENDING_TIMEOUT_SECONDS)
    stuck = list(
        Publication.objects.filter(state=PS.SENDING, sending_since__lt=cutoff)
        .select_related("post", "channel__department")
        .order_by("pk")[:500]
    )
    error = message("no_outcome_in_time")
    reaped = [p.pk for p in stuck if settle_one(p, error, now) != "already settled"]
    unrecorded = unrecorded_outcomes()
    if unrecorded:
        # Most are outcomes of batches still running (a batch audits its outcomes at its
        # end): recording them here is harmless, and no sign of trouble. A worker that
        # died shows as its unknown publications, each with its own WARNING.
        log.debug("Recording %s publication outcome(s) not audited yet", len(unrecorded))
        record_outcomes(unrecorded)
    return reaped
