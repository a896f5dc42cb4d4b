"""EXPERIMENT, for the benchmarks only: one wake-up per due instant, not one per post.

Superseded: the core does this now (`scheduler.send_wakeups` / `claim_due_at`); kept
so that the rows measured with it can be reproduced. What follows describes the core
as it was when the experiment was written.

`scheduler.send_wakeups` sends one `claim_due_post` message per post (ETA = its due
time), and each claims its one post in its own transaction: for 2,000 posts due at the
same instant, 2,000 messages, 2,000 claim transactions, and the hold-rule and content
queries made 2,000 times. Loaded by `bench/burst.py --experiment instant-wakeups`, this
module replaces `send_wakeups` with one that sends, per distinct due instant, one message
per CLAIM_BATCH posts (so that several workers claim in parallel), each of which claims
due posts in batches (`claim_batch`, as the sweep does) until none is left. Safety is
unchanged: the claim is the same function.
"""

from __future__ import annotations

import math
import time
from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from editorial.models import Post, PostState
from editorial.publishing import scheduler


@shared_task(name="bench.claim_due_at", ignore_result=True)
def claim_due_at(instant: str) -> int:
    due = datetime.fromisoformat(instant)
    early = (due - timezone.now()).total_seconds()
    if 0 < early < 1:  # never before the time
        time.sleep(early)
    now = timezone.now()
    done = 0
    while True:
        claimed, held = scheduler.claim_batch(now, size=scheduler.CLAIM_BATCH)
        if not (claimed or held):
            return done
        done += len(claimed) + len(held)


def send_wakeups(now: datetime) -> list[int]:
    interval = timedelta(seconds=settings.PUBLISHING_SWEEP_SECONDS)
    window = Post.objects.filter(
        state=PostState.APPROVED,
        held_at__isnull=True,
        scheduled_at__gt=now + interval,
        scheduled_at__lte=now + 2 * interval,
    ).values_list("pk", "scheduled_at")
    instants: dict[datetime, list[int]] = {}
    for pk, due in window:
        instants.setdefault(due, []).append(pk)
    for due, ids in instants.items():
        for _ in range(math.ceil(len(ids) / scheduler.CLAIM_BATCH)):
            claim_due_at.apply_async((due.isoformat(),), eta=due)
    return [pk for ids in instants.values() for pk in ids]


scheduler.send_wakeups = send_wakeups
