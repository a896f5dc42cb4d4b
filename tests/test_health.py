"""/healthz (text) and /healthz.json tell an operator what is alive — the database, the
broker, the scheduler, the workers — what waits — messages, due posts — and what needs a
person: unknown, held, retrying and failed publications, each against a threshold."""

import datetime

import pytest
from django.utils import timezone

from editorial.liveness import BEAT_HEARTBEAT, worker_heartbeat_name
from editorial.models import Heartbeat, Post, Publication, PublicationState
from editorial.publishing.scheduler import SCHEDULER_HEARTBEAT
from tests.test_publishing_sender import claimed_post

PS = PublicationState
EVERY_CHECK = {
    "database",
    "broker",
    "scheduler",
    "workers",
    "sweep",
    "queue",
    "due",
    "publications",
}


def beats(*, scheduler=0, sweep=0, worker=0) -> None:
    """Heartbeats, each `n` seconds old (None: never written)."""
    now = timezone.now()
    for name, age in [
        (BEAT_HEARTBEAT, scheduler),
        (SCHEDULER_HEARTBEAT, sweep),
        (worker_heartbeat_name("w1@host"), worker),
    ]:
        if age is not None:
            beat_at = now - datetime.timedelta(seconds=age)
            Heartbeat.objects.update_or_create(name=name, defaults={"beat_at": beat_at})


MONITOR = {"Authorization": "Bearer test-only-health-token"}  # HEALTHZ_TOKEN in tests


def health(client) -> tuple[int, dict]:
    """What a monitor holding the token reads."""
    response = client.get("/healthz.json", headers=MONITOR)
    return response.status_code, response.json()


def failing(body: dict) -> set[str]:
    return {name for name, check in body["checks"].items() if not check["ok"]}


@pytest.fixture
def empty_queue():
    from config.celery import app

    def purge():
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge(app.conf.task_default_queue)

    purge()
    yield
    purge()


def test_healthy_when_every_process_beat_recently_and_nothing_waits(client, db, empty_queue):
    beats()
    status, body = health(client)
    assert (status, body["status"]) == (200, "ok")
    assert {name for name, check in body["checks"].items() if check["ok"]} == EVERY_CHECK
    assert body["checks"]["workers"]["names"] == ["w1@host"]
    assert body["checks"]["queue"]["depth"] == 0


def test_a_silent_scheduler_makes_the_service_unhealthy(client, db, settings, empty_queue):
    settings.HEARTBEAT_MAX_AGE_SECONDS = 60
    beats(scheduler=61, sweep=61)
    status, body = health(client)
    assert status == 503
    assert failing(body) == {"scheduler", "sweep"}  # the workers are not blamed


def test_stopped_workers_are_blamed_and_not_the_scheduler(client, db, settings, empty_queue):
    """Beat alive, both workers stopped: the sweep (a task) stops too, but the scheduler's
    own heartbeat goes on."""
    settings.HEARTBEAT_MAX_AGE_SECONDS = 60
    beats(sweep=75, worker=75)
    status, body = health(client)
    assert status == 503
    assert failing(body) == {"workers", "sweep"}
    assert "no worker alive" in body["checks"]["workers"]["detail"]


def test_no_heartbeat_at_all_is_unhealthy(client, db, empty_queue):
    status, body = health(client)
    assert status == 503
    assert body["checks"]["scheduler"]["detail"] == "no heartbeat yet"
    assert body["checks"]["workers"]["detail"] == "no worker has ever beaten"


def test_messages_piling_up_in_the_broker_make_it_unhealthy(client, db, settings, empty_queue):
    from editorial.tasks import publish_batch

    settings.HEALTH_MAX_QUEUE_DEPTH = 2
    beats()
    for pk in range(3):
        publish_batch.delay([pk])
    status, body = health(client)
    assert status == 503
    assert failing(body) == {"queue"}
    assert body["checks"]["queue"]["depth"] == 3


def test_a_due_post_nobody_claimed_makes_it_unhealthy(client, approved, settings, empty_queue):
    settings.HEALTH_MAX_DUE_LAG_SECONDS = 60
    beats()
    Post.objects.filter(pk=approved.pk).update(
        scheduled_at=timezone.now() - datetime.timedelta(seconds=90)
    )
    status, body = health(client)
    assert status == 503
    assert failing(body) == {"due"}
    assert 89 <= body["checks"]["due"]["oldest_due_seconds"] < 120


@pytest.fixture
def publishing(cm, head, dept_a, channel_a):
    """A claimed post: its one publication queued."""
    post = claimed_post(cm, head, dept_a, [channel_a])
    return post, post.publications.get()


def test_an_unknown_publication_makes_it_unhealthy(client, publishing, empty_queue):
    beats()
    _post, publication = publishing
    Publication.objects.filter(pk=publication.pk).update(state=PS.UNKNOWN)
    status, body = health(client)
    assert status == 503
    assert failing(body) == {"publications"}
    assert body["checks"]["publications"]["unknown"] == 1
    assert "unknown 1 > 0" in body["checks"]["publications"]["detail"]


def test_a_held_post_and_what_waits_behind_it_are_counted(client, publishing, empty_queue):
    beats()
    post, _publication = publishing
    Post.objects.filter(pk=post.pk).update(held_at=timezone.now(), held_reason="Retenu.")
    status, body = health(client)
    assert status == 503
    check = body["checks"]["publications"]
    assert (check["held"], check["queued_behind_a_hold"]) == (1, 1)


def test_counts_within_their_thresholds_stay_healthy(client, publishing, settings, empty_queue):
    settings.HEALTH_MAX_RETRYING = 1
    settings.HEALTH_MAX_FAILED_PER_DAY = 1
    beats()
    _post, publication = publishing
    Publication.objects.filter(pk=publication.pk).update(state=PS.RETRYING)
    status, body = health(client)
    assert (status, body["checks"]["publications"]["retrying"]) == (200, 1)
    Publication.objects.filter(pk=publication.pk).update(state=PS.FAILED)
    status, body = health(client)
    assert (status, body["checks"]["publications"]["failed_last_day"]) == (200, 1)
    settings.HEALTH_MAX_FAILED_PER_DAY = 0
    assert health(client)[0] == 503


def test_the_text_answer_gives_one_line_per_check(client, db, settings, empty_queue):
    beats(worker=600)
    response = client.get("/healthz", headers=MONITOR)
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert lines[0] == "unhealthy"
    assert {line.split(":")[0] for line in lines[1:]} == EVERY_CHECK
    assert any(line.startswith("workers: FAIL - no worker alive") for line in lines)


def test_the_health_check_is_public_and_read_only(client, db):
    assert client.post("/healthz").status_code == 405
    assert client.post("/healthz.json").status_code == 405


def test_without_the_token_the_world_gets_the_verdict_and_nothing_of_the_inside(
    client, db, empty_queue
):
    beats(worker=600)
    assert client.get("/healthz.json").json() == {"status": "unhealthy"}
    assert client.get("/healthz").content.decode() == "unhealthy\n"
    wrong = {"Authorization": "Bearer not-the-token"}
    assert client.get("/healthz.json", headers=wrong).json() == {"status": "unhealthy"}
    assert set(health(client)[1]["checks"]) == EVERY_CHECK
