"""A post whose time comes while it is still unapproved never goes out: it is marked
overdue, stays out of the publishing path, and its author is told (through the signal)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from editorial import events
from editorial.models import Post
from editorial.models.posts import UNAPPROVED


def overdue_candidates(now: datetime):
    # Served by the partial index post_overdue_sweep_idx.
    return Post.objects.filter(
        state__in=UNAPPROVED, overdue_at__isnull=True, scheduled_at__lte=now
    ).order_by("scheduled_at")


def mark_overdue_posts(now: datetime | None = None, batch_size: int = 500) -> int:
    """Mark every due, unapproved post overdue; safe to run twice or concurrently:
    each post is claimed with a conditional update and audited once."""
    now = now or timezone.now()
    marked = 0
    for post in overdue_candidates(now)[:batch_size]:
        with transaction.atomic():
            claimed = Post.objects.filter(
                pk=post.pk, overdue_at__isnull=True, state__in=UNAPPROVED
            ).update(overdue_at=now)
            if not claimed:
                continue
            events.record(
                actor=None,
                action="mark_overdue",
                obj=post,
                from_state=post.state,
                to_state=post.state,
                data={"scheduled_at": post.scheduled_at.isoformat()},
            )
        marked += 1
    return marked
