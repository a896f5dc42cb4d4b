"""The harness's scenarios of issue 13, with real processes: a worker killed every few
seconds during a burst costs its sends in flight and nothing else for long; a message
that comes during a back-off sends nothing before its time; a receiver that closes
without answering leaves an outcome unknown, for a person, never sent again."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from editorial.audit import verify_chain
from editorial.messages import render
from editorial.models import Post, PostState, Publication, PublicationState
from editorial.tasks import publish_batch
from tests.integration.conftest import answer, duplicates, eventually, wait_for_sweeps
from tests.loopback import Reply

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PS = PublicationState
UNDER_WAY = [PS.QUEUED, PS.RETRYING, PS.SENDING]
HOLD_SECONDS = 3
# Production's lease and sending time-out: what a killed worker's batch waited for before.
LEASE_SECONDS = 30
SENDING_TIMEOUT_SECONDS = 120


def test_a_worker_killed_every_few_seconds_during_a_burst_delays_its_batches_by_seconds(
    make_cluster, own_redis, newsroom, loopback
):
    cluster = make_cluster(own_redis.url)
    cluster.env.update(
        PUBLISHING_HOLD_SECONDS=str(HOLD_SECONDS),
        PUBLISHING_LEASE_SECONDS=str(LEASE_SECONDS),
        PUBLISHING_SENDING_TIMEOUT_SECONDS=str(SENDING_TIMEOUT_SECONDS),
    )
    loopback.respond = lambda request: answer(request, delay=0.25)
    workers = [cluster.worker(f"w{i}", concurrency=4, wait=False) for i in (1, 2)]
    beat = cluster.beat(wait=False)
    posts = newsroom.approved_in_bulk(120, [newsroom.channel() for _ in range(6)])
    cluster.ready(*workers, beat)
    newsroom.due_at(posts, timezone.now())

    in_flight: set[int] = set()
    for kill, received in enumerate((15, 45, 75)):
        assert loopback.wait_for(received, timeout=60), f"{len(loopback.received)} arrived"
        slot = kill % 2
        workers[slot].kill()  # SIGKILL, mid-burst
        in_flight |= set(Publication.objects.filter(state=PS.SENDING).values_list("pk", flat=True))
        # The supervisor starts it again; the other worker goes on meanwhile.
        workers[slot] = cluster.worker(f"w{slot + 1}-{kill}", concurrency=4, wait=False)
    last_kill = time.monotonic()

    eventually(
        lambda: (
            Publication.objects.count() == 120
            and not Publication.objects.filter(state__in=UNDER_WAY).exists()
        ),
        LEASE_SECONDS,
        "every publication settled",
        interval=0.1,
    )
    settled_after = time.monotonic() - last_kill
    wait_for_sweeps(count=2)

    assert duplicates(loopback.keys()) == {}
    unknown = set(Publication.objects.filter(state=PS.UNKNOWN).values_list("pk", flat=True))
    assert unknown <= in_flight  # only a send in flight at a kill may be in doubt
    assert Publication.objects.filter(state=PS.SENT).count() == 120 - len(unknown)
    for publication in Publication.objects.filter(state=PS.UNKNOWN):
        assert "died" in render(publication.last_error)
    # Neither the lease (30 s) nor the sending time-out (120 s): the hold (3 s).
    assert settled_after < LEASE_SECONDS - 5, f"settled {settled_after:.1f} s after the last kill"
    print(f"unknown {len(unknown)} of 120; settled {settled_after:.1f} s after the last kill")
    assert verify_chain() is None


def test_a_message_during_a_back_off_sends_nothing_before_the_retry_time(
    make_cluster, own_redis, newsroom, loopback
):
    cluster = make_cluster(own_redis.url)
    retry_after = 4

    def too_many_requests_once(request):
        if len(loopback.received) == 1:
            return Reply(status=429, headers={"Retry-After": str(retry_after)})
        return answer(request)

    loopback.respond = too_many_requests_once
    worker, beat = cluster.up()
    post = newsroom.approved_post([newsroom.channel()], "Retry-After respecté.")
    cluster.ready(worker, beat)
    newsroom.due_at([post], timezone.now())
    eventually(
        lambda: Publication.objects.filter(post=post, state=PS.RETRYING).exists(),
        30,
        "the publication waiting after a 429",
    )
    refused_at = loopback.received[0].at
    publication = Publication.objects.get(post=post)

    # What a lease requeue, a redelivery or a person's "send again" would send now.
    outcomes = [cluster.task_outcome(worker, publish_batch.delay([publication.pk]).id)]
    outcomes.append(cluster.task_outcome(worker, publish_batch.delay([publication.pk]).id))

    assert all("not due yet" in outcome for outcome in outcomes), outcomes
    assert loopback.wait_for(2, timeout=30)
    eventually(
        lambda: Post.objects.filter(pk=post.pk, state=PostState.PUBLISHED).exists(),
        30,
        "the post published after its back-off",
    )
    assert len(loopback.received) == 2
    assert loopback.received[1].at - refused_at >= retry_after


def test_a_receiver_that_closes_without_answering_leaves_the_outcome_to_a_person(
    make_cluster, own_redis, newsroom, loopback
):
    cluster = make_cluster(own_redis.url)
    loopback.respond = lambda request: Reply(hang_up=True)
    worker, beat = cluster.up()
    post = newsroom.approved_post([newsroom.channel()], "Reçu, sans réponse.")
    cluster.ready(worker, beat)
    newsroom.due_at([post], timezone.now())

    eventually(
        lambda: Publication.objects.filter(post=post, state=PS.UNKNOWN).exists(),
        30,
        "the outcome marked unknown",
    )
    wait_for_sweeps(count=3)  # nothing sends it again

    publication = Publication.objects.get(post=post)
    assert len(loopback.received) == 1
    assert "No answer from" in render(publication.last_error)
    assert Post.objects.get(pk=post.pk).state == PostState.PUBLISHING  # waits for a person
    worker.wait_for_log(rf"WARNING.*Publication {publication.pk} unknown: post {post.pk}")
