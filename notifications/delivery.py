"""Sending one delivery: claimed first, so that running twice sends once.

A delivery is claimed with a conditional update (pending → sending) before anything
leaves the process; only the claimer sends. A worker that dies after the claim leaves
it "sending": never sent twice, at the cost of one e-mail perhaps lost (a person still
has the notice in the application).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from notifications import chat, email
from notifications.models import Channel, Delivery

logger = logging.getLogger(__name__)
ERROR_LENGTH = 300


def claim(delivery_id: int) -> bool:
    return bool(
        Delivery.objects.filter(pk=delivery_id, state=Delivery.State.PENDING).update(
            state=Delivery.State.SENDING, attempts=F("attempts") + 1
        )
    )


def send(delivery_id: int) -> str:
    """Send one delivery if it is still pending; returns the state it ended in (or
    "already" when someone else claimed it)."""
    if not claim(delivery_id):
        return "already"
    delivery = Delivery.objects.select_related(
        "notification__recipient__notification_preferences",
        "notification__post",
        "notification__plan",
        "chat",
    ).get(pk=delivery_id)
    try:
        if delivery.channel == Channel.EMAIL:
            message = email.build(delivery.notification)
            message.send(fail_silently=False)
            if settings.NOTIFICATION_KEEP_SENT_MAIL:
                Delivery.objects.filter(pk=delivery_id).update(
                    subject=message.subject[:300], body=message.body
                )
        elif delivery.channel == Channel.CHAT:
            chat.post(delivery)
        else:
            raise ValueError(f"No sender for the {delivery.channel} channel yet.")
    except Exception as exc:
        logger.warning("Delivery %s failed: %s: %s", delivery.key, type(exc).__name__, exc)
        _finish(delivery_id, Delivery.State.FAILED, error=f"{type(exc).__name__}: {exc}")
        return Delivery.State.FAILED
    _finish(delivery_id, Delivery.State.SENT)
    return Delivery.State.SENT


def _finish(delivery_id: int, state: str, *, error: str = "") -> None:
    Delivery.objects.filter(pk=delivery_id, state=Delivery.State.SENDING).update(
        state=state,
        sent_at=timezone.now() if state == Delivery.State.SENT else None,
        last_error=error[:ERROR_LENGTH],
    )
