from celery import shared_task

from editorial.workflow import mark_overdue_posts


@shared_task(name="editorial.sweep_overdue")
def sweep_overdue() -> int:
    """Mark posts whose time came while unapproved (run by the scheduler)."""
    return mark_overdue_posts()
