"""Deliveries whose task never came (the broker was down when they were written): the
scheduler's sweep sends their task again, over the pending deliveries' own index."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from notifications.models import Delivery
from notifications.notify import enqueue

BATCH = 500


def resend_lost(now=None) -> int:
    now = now or timezone.now()
    before = now - timedelta(seconds=settings.NOTIFICATION_LEASE_SECONDS)
    ids = list(
        Delivery.objects.filter(state=Delivery.State.PENDING, created_at__lte=before)
        .order_by("created_at")
        .values_list("pk", flat=True)[:BATCH]
    )
    if ids:
        enqueue(ids)
    return len(ids)
