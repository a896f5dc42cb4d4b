"""The bare baseline of the burst benchmark: a plain Celery task doing only what any
exactly-once publisher must do — claim the row with a conditional UPDATE, make the HTTP
call, record the result — on the same workers, broker, database and HTTP client as the
real path. Loaded into the bench workers with `celery worker --include bench.lib.baseline`.
"""

from __future__ import annotations

from celery import shared_task
from django.db.models import F
from django.utils import timezone

from editorial.channels.webhook import get_client
from editorial.models import Publication, PublicationState

PS = PublicationState


@shared_task(name="bench.baseline_publish", acks_late=True, ignore_result=True)
def baseline_publish(pk: int, key: str, url: str) -> str:
    claimed = Publication.objects.filter(pk=pk, state=PS.QUEUED).update(
        state=PS.SENDING, sending_since=timezone.now(), attempts=F("attempts") + 1
    )
    if not claimed:
        return "not claimed"
    response = get_client().post(
        url,
        json={"idempotency_key": key, "publication_id": pk, "text": "baseline"},
        headers={"Idempotency-Key": key},
        timeout=10,
    )
    state = PS.SENT if response.is_success else PS.FAILED
    Publication.objects.filter(pk=pk, state=PS.SENDING).update(
        state=state, sending_since=None, sent_at=timezone.now(), external_id=key
    )
    return state
