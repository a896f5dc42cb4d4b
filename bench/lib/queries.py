"""How many SQL statements one publication costs, counted in this process (no worker):
the claim of one post alone, the claim as the sweep and the wake-ups of a due instant do
it (a batch, per post), the publish task with one publication, a `publish_batch` of
PUBLISHING_TASK_BATCH publications (per publication: what a burst runs), and the bare
baseline's. The publish messages are not sent (enqueue is replaced for the count); the
sends are real (the loopback)."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone


def count(fx, batch: int = 50) -> dict[str, float]:
    from bench.lib import data
    from bench.lib.baseline import baseline_publish
    from editorial.models import Publication
    from editorial.publishing import scheduler, sender

    real_enqueue = scheduler.enqueue_publications
    scheduler.enqueue_publications = lambda ids: None
    try:
        out: dict[str, float] = {}
        (one,) = data.approved_posts(fx, 1, timezone.now(), label="count")
        with CaptureQueriesContext(connection) as claim:
            scheduler.claim_post(one)
        out["claim, one post (wake-up)"] = len(claim)
        pub = Publication.objects.get(post_id=one)
        with CaptureQueriesContext(connection) as publish:
            sender.publish(pub.pk)
        out["publish, one publication alone"] = len(publish)
        ids = data.approved_posts(fx, batch, timezone.now(), label="count")
        with CaptureQueriesContext(connection) as sweep:
            swept = scheduler.sweep()
        if swept.claimed:
            out[f"sweep of {len(swept.claimed)} due posts, per post"] = round(
                len(sweep) / len(swept.claimed), 1
            )
        size = settings.PUBLISHING_TASK_BATCH
        pubs = list(
            Publication.objects.filter(post_id__in=ids, state="queued")
            .order_by("pk")
            .values_list("pk", flat=True)[:size]
        )
        with CaptureQueriesContext(connection) as publish_batch:
            outcomes = sender.publish_batch(pubs)
        if pubs and set(outcomes.values()) == {"sent"}:
            out[f"publish_batch of {len(pubs)}, per publication"] = round(
                len(publish_batch) / len(pubs), 1
            )
        # What is left queued must not be sent by the bench's beat (a requeue).
        Publication.objects.filter(post_id__in=ids).exclude(state="sent").update(state="sent")
        ((pk, key),) = data.baseline_publications(fx, 1)
        with CaptureQueriesContext(connection) as base:
            baseline_publish(pk, key, fx.channel.credentials["endpoint_url"])
        out["bare baseline task"] = len(base)
        return out
    finally:
        scheduler.enqueue_publications = real_enqueue
