"""Publishing under faults, with real processes: a worker killed mid-send, two
schedulers at once, the broker restarted mid-burst, a message delivered twice. The
promise (PRODUCT.md, point 7): never twice, never silently missed; when a send may or
may not have gone out, it is marked unknown for a person and never sent again blindly.
"""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import transaction
from django.utils import timezone

from editorial import workflow
from editorial.audit import verify_chain
from editorial.messages import render
from editorial.models import Post, PostState, Publication, PublicationState
from editorial.publishing import scheduler
from editorial.tasks import publish_batch, reap_publications
from tests.integration.conftest import (
    SENDING_TIMEOUT_SECONDS,
    answer,
    duplicates,
    eventually,
    wait_for_sweeps,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PS = PublicationState
WORKER_CONCURRENCY = 8


def _every_publication_settled(expected: int, states) -> bool:
    publications = Publication.objects.all()
    return publications.count() == expected and not publications.exclude(state__in=states).exists()


def test_a_worker_killed_mid_burst_loses_nothing_and_sends_nothing_twice(
    cluster, newsroom, loopback
):
    loopback.respond = lambda request: answer(request, delay=0.2)  # a slow network
    w1 = cluster.worker("w1", concurrency=WORKER_CONCURRENCY, wait=False)
    beat = cluster.beat(wait=False)
    posts = newsroom.approved_in_bulk(100, [newsroom.channel() for _ in range(10)])
    cluster.ready(w1, beat)
    newsroom.due_at(posts, timezone.now())

    assert loopback.wait_for(30, timeout=60)
    w1.kill()
    killed_at = timezone.now()
    # Nothing else runs now: what w1 left in `sending` is exactly what it was sending.
    sending = set(Publication.objects.filter(state=PS.SENDING).values_list("pk", flat=True))
    assert sending, "the kill did not land mid-send"
    # Publications are sent in batches, but each is claimed just before its own send: at
    # most one per worker thread can be caught in `sending` (a batch-wide claim would
    # leave every unsent publication of the batches in flight there, to be reaped as
    # unknown though they never left).
    assert len(sending) <= WORKER_CONCURRENCY, f"{len(sending)} caught in sending"

    w2 = cluster.worker("w2")
    eventually(
        lambda: Post.objects.filter(state=PostState.APPROVED).count() == 0, 60, "every post claimed"
    )
    eventually(
        lambda: not Publication.objects.exclude(pk__in=sending).exclude(state=PS.SENT).exists(),
        90,
        "every other publication sent",
    )
    # Beat runs the reaper every 30 s; send the same task once the sending time-out has
    # passed instead of waiting for its turn. It runs on the real worker, w2.
    eventually(
        lambda: (timezone.now() - killed_at).total_seconds() > SENDING_TIMEOUT_SECONDS,
        SENDING_TIMEOUT_SECONDS + 5,
        "the sending time-out to pass",
        interval=0.2,
    )
    cluster.task_outcome(w2, reap_publications.delay().id)
    eventually(
        lambda: _every_publication_settled(100, [PS.SENT, PS.UNKNOWN]),
        30,
        "every publication sent or unknown",
    )
    wait_for_sweeps(count=2)  # nothing is sent again after the dust settles

    received = Counter(loopback.keys())
    assert duplicates(loopback.keys()) == {}
    for publication in Publication.objects.select_related("post"):
        key = str(publication.idempotency_key)
        if publication.state == PS.SENT:
            assert received[key] == 1, f"{publication} sent but received {received[key]}×"
            assert publication.post.state == PostState.PUBLISHED
        else:  # unknown: it was in flight when the worker died; a person decides
            assert publication.state == PS.UNKNOWN
            assert publication.pk in sending
            assert received[key] <= 1
            assert "died" in render(publication.last_error)
            assert publication.post.state == PostState.PUBLISHING
    unknown = set(Publication.objects.filter(state=PS.UNKNOWN).values_list("pk", flat=True))
    assert unknown == sending
    assert Publication.objects.count() == 100
    assert verify_chain() is None


def test_two_schedulers_at_once_send_each_post_exactly_once(cluster, newsroom, loopback):
    worker = cluster.worker(wait=False)
    beats = [cluster.beat("beat1", wait=False), cluster.beat("beat2", wait=False)]
    posts = newsroom.approved_in_bulk(100, [newsroom.channel() for _ in range(10)])
    cluster.ready(worker, *beats)
    for beat in beats:  # both schedulers sweeping side by side before the burst starts
        eventually(lambda beat=beat: sweeps_sent(beat) >= 1, 30, f"{beat.name} to sweep")
    sent_before = {beat.name: sweeps_sent(beat) for beat in beats}
    newsroom.due_at(posts, timezone.now())

    assert loopback.wait_for(100, timeout=90), f"{len(loopback.received)} of 100 arrived"
    eventually(
        lambda: Post.objects.filter(state=PostState.PUBLISHED).count() == 100,
        60,
        "every post published",
    )
    wait_for_sweeps(count=2)

    assert duplicates(loopback.keys()) == {}
    assert len(loopback.keys()) == 100
    publications = Publication.objects.all()
    assert set(loopback.keys()) == {str(p.idempotency_key) for p in publications}
    assert set(publications.values_list("state", flat=True)) == {PS.SENT}
    assert set(publications.values_list("attempts", flat=True)) == {1}
    for beat in beats:  # and both went on sweeping through it: neither stood aside
        eventually(
            lambda beat=beat: sweeps_sent(beat) >= sent_before[beat.name] + 2,
            30,
            f"{beat.name} to keep sweeping",
        )
    assert verify_chain() is None


def sweeps_sent(beat) -> int:
    return beat.log_text().count("Sending due task sweep-publishing")


def _wait_until_the_worker_saw_the_broker_go(worker) -> None:
    """Keep the broker down until the worker has noticed and tried to reconnect (or
    died): a restart takes seconds, not the milliseconds a test could make it."""
    worker.wait_for_log(r"Connection to broker lost", timeout=30)
    worker.wait_for_log(r"Cannot connect to redis|Unrecoverable error", timeout=30)


def _supervise(cluster, workers: list, restarted: list[str]) -> None:
    """What the process supervisor of a production worker (systemd Restart=always, a
    container restart policy) does: start again a worker that exited."""
    for i, worker in enumerate(workers):
        if not worker.alive():
            restarted.append(worker.name)
            workers[i] = cluster.worker(f"{worker.name}-restarted", wait=False)


def test_redis_restarted_mid_burst_loses_nothing_and_sends_nothing_twice(
    make_cluster, own_redis, newsroom, loopback
):
    cluster = make_cluster(own_redis.url)
    loopback.respond = lambda request: answer(request, delay=0.5)  # the burst lasts
    worker, beat = cluster.up()
    posts = newsroom.approved_in_bulk(100, [newsroom.channel() for _ in range(10)])
    cluster.ready(worker, beat)
    newsroom.due_at(posts, timezone.now())

    # Every post claimed, so every message sent, and part of the burst received.
    eventually(
        lambda: Publication.objects.count() == 100 and len(loopback.received) >= 10,
        60,
        "the burst under way",
    )
    queued = own_redis.client().llen("celery")
    own_redis.kill()  # SIGKILL: the queued messages are gone with it
    _wait_until_the_worker_saw_the_broker_go(worker)
    own_redis.start()  # same port, empty
    assert queued > 0, "nothing was queued when the broker died: nothing was put at risk"

    workers, restarted = [worker], []

    def all_sent() -> bool:
        _supervise(cluster, workers, restarted)
        return _every_publication_settled(100, [PS.SENT])

    eventually(all_sent, 120, "every publication sent after the restart", interval=0.2)
    eventually(
        lambda: Post.objects.filter(state=PostState.PUBLISHED).count() == 100,
        30,
        "every post published",
    )
    wait_for_sweeps(count=2)

    print(
        f"{queued} messages lost with Redis; workers restarted by the supervisor: "
        f"{restarted or 'none'}"
    )
    assert duplicates(loopback.keys()) == {}
    assert len(loopback.keys()) == 100
    assert set(loopback.keys()) == {
        str(key) for key in Publication.objects.values_list("idempotency_key", flat=True)
    }
    assert verify_chain() is None
    assert beat.alive()


def test_a_worker_with_sends_in_flight_rides_out_a_redis_restart_by_itself(
    make_cluster, own_redis, newsroom, loopback
):
    """The ordinary state of a publisher: a few sends in flight (acknowledged late),
    spare threads listening for more. Redis restarts: the worker must reconnect on its
    own, finish what it was sending, and publish what falls due next."""
    cluster = make_cluster(own_redis.url)
    loopback.respond = lambda request: answer(request, delay=2.0)
    worker, beat = cluster.up()
    channel = newsroom.channel()
    first = newsroom.approved_in_bulk(3, [channel])
    later = newsroom.approved_post([channel], "Programmé après le redémarrage.")
    cluster.ready(worker, beat)
    newsroom.due_at(first, timezone.now())
    assert loopback.wait_for(3, timeout=20)  # three sends in flight

    own_redis.kill()
    _wait_until_the_worker_saw_the_broker_go(worker)
    own_redis.start()
    newsroom.due_at([later], timezone.now())

    eventually(
        lambda: (
            not worker.alive()
            or Post.objects.filter(pk=later.pk, state=PostState.PUBLISHED).exists()
        ),
        60,
        "the post due after the restart published (or the worker gone)",
    )
    crash = [line for line in worker.log_text().splitlines() if "Unrecoverable error" in line]
    assert worker.alive(), (
        f"the worker exited after the broker restart instead of reconnecting: {crash}"
    )
    eventually(lambda: _every_publication_settled(4, [PS.SENT]), 30, "every publication sent")
    assert duplicates(loopback.keys()) == {}
    assert len(loopback.keys()) == 4


def test_a_message_delivered_again_for_a_held_post_does_not_send_it_unconfirmed(
    cluster, newsroom, loopback, head
):
    """A publish message can arrive twice: the sweep sends another when a lease runs
    out while the first still waits in a busy queue, and Redis delivers an unacked
    message again after its visibility time-out. The design counts on the claim to make
    the second harmless. Here the first one found the channel paused and held the post;
    the pause then ended, but nobody confirmed the post: it must not go out."""
    worker, beat = cluster.up()
    post = newsroom.approved_post([newsroom.channel()], "Suspendu, pas encore confirmé.")
    cluster.ready(worker, beat)
    with transaction.atomic():  # claimed, then paused before the send
        now = timezone.now()
        Post.objects.filter(pk=post.pk).update(scheduled_at=now)
        assert scheduler.claim_post(post.pk, now) == "claimed"
        pause = workflow.pause_publishing(head, "Crise : tout est suspendu")
    publication = Publication.objects.get(post=post)
    eventually(
        lambda: (
            Post.objects.filter(pk=post.pk, held_at__isnull=False).exists()
            and Publication.objects.filter(pk=publication.pk, state=PS.QUEUED).exists()
        ),
        15,
        "the post held at send time, its publication put back",
    )
    workflow.resume_publishing(pause, head)  # held posts stay held until confirmed

    outcome = cluster.task_outcome(worker, publish_batch.delay([publication.pk]).id)

    assert loopback.received == [], (
        f"a held post went out without anyone confirming it (the task said {outcome})"
    )
    post.refresh_from_db()
    assert post.held_at is not None
    assert post.state == PostState.PUBLISHING
