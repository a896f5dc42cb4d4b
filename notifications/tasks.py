"""Celery tasks of the notifications: shells taking ids."""

from celery import shared_task

from notifications import delivery, sweep


@shared_task(name="notifications.deliver", acks_late=True, ignore_result=True)
def deliver(delivery_ids: list[int]) -> dict:
    """Send each delivery still pending; delivered twice, it sends none of them twice."""
    summary: dict[str, int] = {}
    for delivery_id in delivery_ids:
        outcome = delivery.send(delivery_id)
        summary[outcome] = summary.get(outcome, 0) + 1
    return summary


@shared_task(name="notifications.sweep_deliveries", ignore_result=True)
def sweep_deliveries() -> int:
    """From the scheduler: send again the task of deliveries whose message was lost."""
    return sweep.resend_lost()


@shared_task(name="notifications.remind", ignore_result=True)
def remind() -> dict:
    """From the scheduler: reminders, escalations and missed slots due now."""
    from notifications import timed

    return timed.run()


@shared_task(name="notifications.digests", ignore_result=True)
def digests() -> int:
    """From the scheduler: the daily digests owed now, each once per person and day."""
    from notifications import digest

    return digest.write_due()
