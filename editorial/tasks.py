"""Celery tasks: thin shells around the publishing and workflow functions, taking ids."""

import time
from datetime import datetime

from celery import shared_task
from django.utils import timezone

from editorial.models import Post
from editorial.publishing import outcomes, scheduler, sender
from editorial.workflow import mark_overdue_posts


@shared_task(
    name="editorial.publish_batch", acks_late=True, reject_on_worker_lost=True, ignore_result=True
)
def publish_batch(publication_ids: list[int]) -> dict:
    """Send up to PUBLISHING_TASK_BATCH publications, one after the other, each claimed
    just before its send: delivered twice (or again after its worker died), it sends
    none of them twice. Returns how many ended how, for the worker's log."""
    outcomes = sender.publish_batch(publication_ids)
    summary: dict[str, int] = {}
    for outcome in outcomes.values():
        summary[outcome] = summary.get(outcome, 0) + 1
    return summary


@shared_task(
    name="editorial.publish", acks_late=True, reject_on_worker_lost=True, ignore_result=True
)
def publish(publication_id: int) -> str:
    """Send one publication (a batch of one). Delivered twice, it sends once (the
    claim). Kept for messages queued before batches, and for people's own use."""
    return sender.publish(publication_id)


@shared_task(name="editorial.sweep_publishing", ignore_result=True)
def sweep_publishing() -> dict:
    """Every second, from the scheduler (beat): claim due posts, resend lost messages."""
    result = scheduler.sweep()
    return {"claimed": len(result.claimed), "held": len(result.held)}


@shared_task(name="editorial.claim_due_at", ignore_result=True)
def claim_due_at(instant: str) -> int:
    """The precise wake-up of a due instant (ISO 8601), sent by a sweep with that ETA:
    claims the posts due by then in batches, as the sweep does. Never before it."""
    return scheduler.claim_due_at(datetime.fromisoformat(instant))


@shared_task(name="editorial.claim_due_post", ignore_result=True)
def claim_due_post(post_id: int) -> str | None:
    """The wake-up for one post (as sent before wake-ups per instant; kept for messages
    still queued, and for a single post): the same claim, never before its time."""
    due = Post.objects.filter(pk=post_id).values_list("scheduled_at", flat=True).first()
    if due is None:
        return None
    early = (due - timezone.now()).total_seconds()
    if 0 < early < 1:  # the ETA fired a hair early: never publish before the time
        time.sleep(early)
    return scheduler.claim_post(post_id)


@shared_task(name="editorial.reap_publications", ignore_result=True)
def reap_publications() -> int:
    return len(outcomes.reap())


@shared_task(name="editorial.sweep_overdue", ignore_result=True)
def sweep_overdue() -> int:
    """Mark posts whose time came while unapproved (run by the scheduler)."""
    return mark_overdue_posts()
