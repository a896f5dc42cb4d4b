"""How many SQL statements one publication costs, counted in this process (no worker):
the claim as the wake-up does it (one post), the claim as the sweep does it (a batch,
per post), the publish task, and the bare baseline's. The publish messages are not sent
(enqueue is replaced for the count)."""

from __future__ import annotations

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
        out["publish task"] = len(publish)
        ids = data.approved_posts(fx, batch, timezone.now(), label="count")
        with CaptureQueriesContext(connection) as sweep:
            swept = scheduler.sweep()
        if swept.claimed:
            out[f"sweep of {len(swept.claimed)} due posts, per post"] = round(
                len(sweep) / len(swept.claimed), 1
            )
        Publication.objects.filter(post_id__in=ids).update(state="sent")
        ((pk, key),) = data.baseline_publications(fx, 1)
        with CaptureQueriesContext(connection) as base:
            baseline_publish(pk, key, fx.channel.endpoint_url)
        out["bare baseline task"] = len(base)
        return out
    finally:
        scheduler.enqueue_publications = real_enqueue
