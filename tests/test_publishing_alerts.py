"""The publisher's log: one WARNING line, in English, per publication that needs a person
(unknown, failed, held), naming the post, the channel and the reason; no warning during
normal work; a broker outage logged once when it starts and once when it ends."""

import logging
from types import SimpleNamespace

import pytest
from django.utils import timezone, translation
from kombu.exceptions import OperationalError

from editorial import workflow as wf
from editorial.liveness import BrokerWatch
from editorial.models import Channel, Publication, PublicationState
from editorial.publishing import outcomes, reconcile, sender
from tests.loopback import Reply
from tests.test_publishing_batch import claimed_posts
from tests.test_publishing_sender import webhook

PS = PublicationState


def warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.fixture
def one(cm, head, dept_a, loopback, settings):
    settings.LANGUAGE_CODE = "fr"  # the process's language must not leak into the log
    translation.deactivate()
    [post] = claimed_posts(cm, head, dept_a, [webhook(dept_a, loopback)], 1)
    return post, post.publications.select_related("channel").get()


def test_an_unknown_outcome_is_one_warning_in_english(one, loopback, settings, caplog):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.2
    loopback.respond = lambda request: Reply(delay=1)
    post, publication = one
    assert sender.publish(publication.pk) == PS.UNKNOWN
    [line] = warnings(caplog)
    assert line.startswith(f"Publication {publication.pk} unknown: post {post.pk} on channel")
    assert str(publication.channel) in line
    assert "No answer from" in line and "after sending" in line  # English, not French


def test_a_failed_outcome_is_one_warning_naming_the_reason(one, loopback, caplog):
    loopback.respond = lambda request: Reply(status=400, body={"error": "bad"})
    post, publication = one
    assert sender.publish(publication.pk) == PS.FAILED
    [line] = warnings(caplog)
    assert line.startswith(f"Publication {publication.pk} failed: post {post.pk}")
    assert "answered 400" in line


def test_a_refusal_at_send_time_is_one_warning(one, loopback, caplog):
    _post, publication = one
    Channel.objects.filter(pk=publication.channel_id).update(is_active=False)
    assert sender.publish(publication.pk) == PS.FAILED
    [line] = warnings(caplog)
    assert "is not active" in line


def test_a_held_post_is_one_warning_naming_its_channel(
    one, loopback, head, caplog, django_capture_on_commit_callbacks
):
    post, publication = one
    wf.pause_publishing(head, "Crise en cours", channel=publication.channel)
    with django_capture_on_commit_callbacks(execute=True):
        assert sender.publish(publication.pk) == "held"
    [line] = warnings(caplog)
    assert line.startswith(f"Post {post.pk} held: channel(s) {publication.channel_id} (")
    assert "Crise en cours" in line


def test_normal_work_logs_no_warning_even_with_the_reaper_running_alongside(
    cm, head, dept_a, loopback, caplog
):
    posts = claimed_posts(cm, head, dept_a, [webhook(dept_a, loopback)], 3)
    ids = list(
        Publication.objects.filter(post__in=posts).order_by("pk").values_list("pk", flat=True)
    )
    # A batch mid-way: its first outcome written, not audited yet — when the reaper runs.
    publication = Publication.objects.select_related("post", "channel").get(pk=ids[0])
    assert sender.claim_to_send(publication, timezone.now())
    batch = sender._Batch(outcomes={})
    assert sender._send(publication, sender._BatchFacts.read([publication.post_id]), batch)
    batch.flush()
    reconcile.reap()
    outcomes.record_outcomes(batch.recorded)  # the batch's own end
    assert sender.publish_batch(ids[1:]) == {pk: PS.SENT for pk in ids[1:]}
    assert warnings(caplog) == []


def test_a_broker_outage_is_logged_once_when_it_starts_and_once_when_it_ends(caplog):
    watch = BrokerWatch()
    for _second in range(30):
        watch.failed(OperationalError("Error 111 connecting"), "sending sweep-publishing")
    watch.succeeded()
    watch.succeeded()
    lines = [
        (r.levelname, r.getMessage()) for r in caplog.records if r.name == "editorial.liveness"
    ]
    assert len(lines) == 2
    assert lines[0][0] == "ERROR" and "Broker unreachable" in lines[0][1]
    assert lines[1][0] == "WARNING" and "30 message(s)" in lines[1][1]


def test_the_scheduler_logs_an_outage_once_not_once_a_second(caplog, monkeypatch):
    from config.beat import Scheduler
    from config.celery import app
    from editorial import liveness

    monkeypatch.setattr(liveness, "broker", BrokerWatch())
    scheduler = Scheduler(app, lazy=True)
    entry = SimpleNamespace(name="sweep-publishing", task="editorial.sweep_publishing")

    def unreachable(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(scheduler, "apply_async", unreachable)
    for _second in range(10):
        scheduler.apply_entry(entry)
    monkeypatch.setattr(scheduler, "apply_async", lambda *args, **kwargs: None)
    scheduler.apply_entry(entry)
    errors = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.levelname for r in errors] == ["ERROR", "WARNING"]
