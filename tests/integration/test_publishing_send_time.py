"""What the claim re-checks at the moment of each send, with real processes: a channel
switched off while the first request of a batch is in flight gets none of the rest; the
worker and the scheduler each say they are alive on their own."""

from __future__ import annotations

import threading

import pytest
from django.utils import timezone

from editorial.liveness import BEAT_HEARTBEAT, WORKER_HEARTBEAT_PREFIX
from editorial.messages import render
from editorial.models import Channel, Heartbeat, Post, PostState, Publication, PublicationState
from tests.integration.conftest import answer, eventually, wait_for_sweeps

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PS = PublicationState


def test_a_channel_switched_off_mid_batch_gets_none_of_the_rest(cluster, newsroom, loopback):
    released = threading.Event()

    def hold_the_first_answer(request):
        released.wait(timeout=60)  # the request has arrived: the batch is mid-send
        return answer(request)

    loopback.respond = hold_the_first_answer
    worker, beat = cluster.up()
    channel = newsroom.channel()
    posts = newsroom.approved_in_bulk(10, [channel])  # one publish_batch of ten
    cluster.ready(worker, beat)
    newsroom.due_at(posts, timezone.now())

    assert loopback.wait_for(1, timeout=60), "the batch's first request never came"
    Channel.objects.filter(pk=channel.pk).update(is_active=False)  # the admin's checkbox
    released.set()
    eventually(
        lambda: (
            not Publication.objects.filter(state__in=[PS.QUEUED, PS.RETRYING, PS.SENDING]).exists()
        ),
        60,
        "every publication settled",
    )
    wait_for_sweeps(count=2)  # a late message would come from a requeue: give it time

    assert len(loopback.received) == 1
    states = list(Publication.objects.values_list("state", flat=True))
    assert sorted(states) == [PS.FAILED] * 9 + [PS.SENT]
    for publication in Publication.objects.filter(state=PS.FAILED):
        assert "is not active" in render(publication.last_error)
    assert Post.objects.filter(state=PostState.FAILED).count() == 9
    assert "Publication" in worker.log_text() and "failed: post" in worker.log_text()


def test_the_scheduler_and_the_worker_each_write_their_own_heartbeat(cluster):
    worker, beat = cluster.up()
    cluster.ready(worker, beat)
    eventually(
        lambda: Heartbeat.objects.filter(name=BEAT_HEARTBEAT).exists(), 30, "beat's heartbeat"
    )
    eventually(
        lambda: Heartbeat.objects.filter(name__startswith=WORKER_HEARTBEAT_PREFIX).exists(),
        30,
        "the worker's heartbeat",
    )
