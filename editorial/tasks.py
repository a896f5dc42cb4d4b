"""Celery tasks: thin shells around the publishing and workflow functions, taking ids."""

import time

from celery import shared_task
from django.utils import timezone

from editorial.models import Post
from editorial.publishing import scheduler, sender
from editorial.workflow import mark_overdue_posts


@shared_task(name="editorial.publish", acks_late=True, reject_on_worker_lost=True,
             ignore_result=True)
def publish(publication_id: int) -> str:
    """Send one publication. Delivered twice, it sends once (the claim)."""
    return sender.publish(publication_id)


@shared_task(name="editorial.sweep_publishing", ignore_result=True)
def sweep_publishing() -> dict:
    """Every second, from the scheduler (beat): claim due posts, resend lost messages."""
    result = scheduler.sweep()
    return {"claimed": len(result.claimed), "held": len(result.held)}


@shared_task(name="editorial.claim_due_post", ignore_result=True)
def claim_due_post(post_id: int) -> str | None:
    """The precise wake-up for one post, sent by a sweep with an ETA of its due time."""
    due = Post.objects.filter(pk=post_id).values_list("scheduled_at", flat=True).first()
    if due is None:
        return None
    early = (due - timezone.now()).total_seconds()
    if 0 < early < 1:  # the ETA fired a hair early: never publish before the time
        time.sleep(early)
    return scheduler.claim_post(post_id)


@shared_task(name="editorial.reap_publications", ignore_result=True)
def reap_publications() -> int:
    return len(sender.reap())


@shared_task(name="editorial.sweep_overdue", ignore_result=True)
def sweep_overdue() -> int:
    """Mark posts whose time came while unapproved (run by the scheduler)."""
    return mark_overdue_posts()
