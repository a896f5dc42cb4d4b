"""Celery tasks: thin shells around the publishing and workflow functions, taking ids."""

import logging
from datetime import datetime

from celery import shared_task

from editorial.publishing import reconcile, scheduler, sender
from editorial.workflow import mark_overdue_posts

# Its own logger, kept at INFO whatever the rest: an operator ships these lines away.
audit_log = logging.getLogger("cadence.audit")


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


@shared_task(name="editorial.settle_in_doubt", ignore_result=True)
def settle_in_doubt(publication_ids: list[int]) -> dict:
    """Publications whose worker died mid-send (found by the sweep): looked up on the
    network, then sent, sent again or unknown. Returns how many ended how."""
    summary: dict[str, int] = {}
    for outcome in reconcile.settle_in_doubt(publication_ids).values():
        summary[outcome] = summary.get(outcome, 0) + 1
    return summary


@shared_task(name="editorial.reap_publications", ignore_result=True)
def reap_publications() -> int:
    """Every 30 s: sends stuck past the sending time-out, and unaudited outcomes."""
    return len(reconcile.reap())


@shared_task(name="editorial.sweep_overdue", ignore_result=True)
def sweep_overdue() -> int:
    """Mark posts whose time came while unapproved (run by the scheduler)."""
    return mark_overdue_posts()


@shared_task(name="editorial.publish_audit_head", ignore_result=True)
def publish_audit_head() -> str:
    """The audit chain's head in the logs, outside the database: a tail rewritten with
    its head is caught by `verify_audit --published` with a line logged before."""
    from editorial.audit import head_line

    line = head_line()
    audit_log.info("Audit chain head %s", line)
    return line


@shared_task(name="editorial.verify_audit", ignore_result=True)
def verify_audit() -> bool:
    """The whole chain checked on a schedule: a break is an ERROR an operator is paged on."""
    from editorial.audit import verify_chain

    problem = verify_chain()
    if problem is not None:
        audit_log.error("Audit trail broken at %s", problem)
    return problem is None


@shared_task(name="editorial.refresh_channel_tokens", ignore_result=True)
def refresh_channel_tokens() -> dict:
    """Every few minutes (OAUTH_REFRESH_SWEEP_SECONDS): OAuth tokens about to expire are
    refreshed; one the network refuses flags its channel needs reconnecting."""
    from editorial.publishing.tokens import refresh_due

    return refresh_due()


@shared_task(name="editorial.preflight_checks", ignore_result=True)
def preflight_checks() -> dict:
    """Every minute: check the posts due in the next minutes, and alert once for each
    post late past its slot (editorial/publishing/preflight.py)."""
    from editorial.publishing import preflight

    return {
        "preflight": len(preflight.run_preflight()),
        "late": len(preflight.run_late_check()),
    }
