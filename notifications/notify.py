"""Writing notices and their deliveries: an outbox the delivery task drains.

The receiver writes the rows (one notice per recipient, one delivery per channel the
person chose) and, once they are committed, sends the delivery task their ids. Every
row is keyed by what it is (event × recipient, × channel), so writing the same event
twice writes nothing new, and the task claims each delivery before sending it, so a
task that runs twice sends once.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from notifications import chat
from notifications.models import Channel, Choice, Delivery, Notification, Preferences
from notifications.recipients import Notice

logger = logging.getLogger(__name__)


def notice_key(event_id: int, recipient_id: int) -> str:
    return f"event:{event_id}:user:{recipient_id}"


def delivery_key(notification: Notification, channel: str) -> str:
    return f"{notification.key}:{channel}"


def fan_out(event, actor, notices: list[Notice], instance=None) -> list[int]:
    """Write the notices of `event` (an audit entry) and their deliveries; returns the
    ids of the deliveries left to send, whose task is sent once this commits."""
    now = timezone.now()
    rows = [
        Notification(
            recipient=user,
            kind=notice.kind,
            post=notice.post,
            plan=notice.plan,
            actor=actor,
            event=event,
            message=notice.kind,
            params=notice.params,
            key=notice_key(event.pk, user.pk),
            created_at=now,
        )
        for notice in notices
        for user in notice.recipients
    ]
    return write(rows, chats=chat.chats_for(event, notices, instance))


def write(rows: list[Notification], *, chats: dict | None = None) -> list[int]:
    """Write `rows` (each keyed) and their deliveries, once whatever runs twice: the
    in-app one (sent as it is written), an e-mail to who wants it now, and each chat
    of `chats` ({notice key prefix: [channels]}, see notifications/chat.py). Returns
    the ids of the deliveries left to send; their task is sent once this commits."""
    if not rows:
        return []
    now = timezone.now()
    people = {row.recipient_id: row.recipient for row in rows}
    with transaction.atomic():
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        written = list(Notification.objects.filter(key__in=[row.key for row in rows]))
        preferences = {p.user_id: p for p in Preferences.objects.filter(user__in=people)}
        deliveries = []
        for notification in written:
            deliveries.append(
                Delivery(
                    notification=notification,
                    channel=Channel.IN_APP,
                    state=Delivery.State.SENT,
                    attempts=1,
                    sent_at=now,
                    key=delivery_key(notification, Channel.IN_APP),
                )
            )
            if wants_email(people[notification.recipient_id], preferences, notification.kind):
                deliveries.append(
                    Delivery(
                        notification=notification,
                        channel=Channel.EMAIL,
                        key=delivery_key(notification, Channel.EMAIL),
                    )
                )
        deliveries += chat.deliveries(written, chats or {})
        Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        pending = list(
            Delivery.objects.filter(
                key__in=[d.key for d in deliveries], state=Delivery.State.PENDING
            ).values_list("pk", flat=True)
        )
        if pending:
            transaction.on_commit(lambda: enqueue(pending))
    return pending


def wants_email(user, preferences: dict, kind: str) -> bool:
    """An e-mail now, unless the person chose the bell only or the digest (kept for
    their daily digest, notifications/digest.py), or has no address."""
    mine = preferences.get(user.pk)
    choice = mine.choice_for(kind) if mine else Preferences(user=user).choice_for(kind)
    return choice == Choice.EMAIL and bool(user.email)


def enqueue(delivery_ids: list[int]) -> None:
    """Send the delivery task (`notifications.deliver`). A broker out of reach loses
    nothing: the rows stay pending and the sweep sends their task again."""
    from notifications.tasks import deliver

    try:
        deliver.delay(list(delivery_ids))
    except Exception as exc:  # kombu raises its own and socket errors alike
        logger.warning(
            "Broker unreachable (%s: %s): %d notification deliveries left for the sweep",
            type(exc).__name__,
            exc,
            len(delivery_ids),
        )
