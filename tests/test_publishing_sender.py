"""The publish task: one publication sent once, checked at the last moment, its outcome
recorded; retries only when nothing went out. Against a real loopback HTTP channel."""

import datetime

import pytest
import time_machine
from django.utils import timezone, translation

from editorial import workflow as wf
from editorial.audit import verify_chain
from editorial.messages import render
from editorial.models import Channel, Post, PostState, Publication, PublicationState
from editorial.publishing import reconcile, scheduler, sender
from tests.factories import PostFactory, WebhookChannelFactory
from tests.loopback import LoopbackChannel, Reply

PS = PublicationState


def webhook(department, server):
    return WebhookChannelFactory(department=department, endpoint_url=server.url)


def claimed_post(cm, head, department, channels) -> Post:
    """An approved post, due now and claimed by the scheduler: its publications queued."""
    post = PostFactory(origin_department=department, channels=channels)
    wf.fast_track(post, cm)
    wf.approve(post, head)
    Post.objects.filter(pk=post.pk).update(scheduled_at=timezone.now())
    assert scheduler.claim_post(post.pk) == "claimed"
    post.refresh_from_db()
    return post


@pytest.fixture
def one(cm, head, dept_a, loopback):
    post = claimed_post(cm, head, dept_a, [webhook(dept_a, loopback)])
    return post, post.publications.get()


def test_a_publication_is_sent_once_and_the_post_published(one, loopback):
    post, publication = one
    assert sender.publish(publication.pk) == PS.SENT
    assert sender.publish(publication.pk) == "not claimed"  # the same message again
    publication.refresh_from_db()
    post.refresh_from_db()
    assert loopback.keys() == [str(publication.idempotency_key)]
    assert loopback.received[0].body["text"] == post.body
    assert (publication.state, publication.attempts) == (PS.SENT, 1)
    assert publication.external_id == str(publication.idempotency_key)
    assert publication.sent_at is not None
    assert post.state == PostState.PUBLISHED
    assert verify_chain() is None


def test_a_post_is_published_only_when_every_channel_has_it(cm, head, dept_a, loopback):
    post = claimed_post(cm, head, dept_a, [webhook(dept_a, loopback), webhook(dept_a, loopback)])
    first, second = post.publications.order_by("pk")
    sender.publish(first.pk)
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHING
    sender.publish(second.pk)
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHED


def test_the_channel_variant_is_what_goes_out_on_that_channel(cm, head, dept_a, loopback):
    channel = webhook(dept_a, loopback)
    post = PostFactory(origin_department=dept_a, channels=[channel])
    wf.edit_post(post, cm, variants={channel: "Version pour ce canal."})
    wf.fast_track(post, cm)
    wf.approve(post, head)
    Post.objects.filter(pk=post.pk).update(scheduled_at=timezone.now())
    scheduler.claim_post(post.pk)
    sender.publish(post.publications.get().pk)
    assert loopback.received[0].body["text"] == "Version pour ce canal."


def test_a_rate_limit_is_retried_after_the_networks_delay(one, loopback, settings):
    settings.PUBLISHING_RETRY_BASE_SECONDS = 1
    loopback.respond = lambda request: Reply(status=429, headers={"Retry-After": "120"})
    _post, publication = one
    before = timezone.now()
    assert sender.publish(publication.pk) == "retrying"
    publication.refresh_from_db()
    assert publication.state == PS.RETRYING
    assert publication.next_attempt_at >= before + datetime.timedelta(seconds=120)
    assert "429" in publication.last_error


def test_a_server_error_is_retried_and_then_gives_up_for_good(one, loopback, settings):
    settings.PUBLISHING_MAX_ATTEMPTS = 3
    loopback.respond = lambda request: Reply(status=503)
    post, publication = one
    results = []
    with time_machine.travel(timezone.now()) as clock:
        for _attempt in range(3):
            results.append(sender.publish(publication.pk))
            clock.shift(datetime.timedelta(minutes=10))  # past the back-off
    assert results == ["retrying", "retrying", PS.FAILED]
    post.refresh_from_db()
    assert post.state == PostState.FAILED
    assert len(loopback.received) == 3


def test_a_refusal_by_the_network_fails_at_once(one, loopback):
    loopback.respond = lambda request: Reply(status=400, body={"error": "bad"})
    post, publication = one
    assert sender.publish(publication.pk) == PS.FAILED
    post.refresh_from_db()
    assert post.state == PostState.FAILED


def test_a_time_out_after_sending_is_unknown_and_never_sent_again(one, loopback, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.2
    loopback.respond = lambda request: Reply(delay=1)
    post, publication = one
    assert sender.publish(publication.pk) == PS.UNKNOWN
    assert sender.publish(publication.pk) == "not claimed"
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHING  # a person decides
    assert loopback.wait_for(1, timeout=5)
    assert len(loopback.received) == 1


def test_a_channel_nobody_listens_on_is_retried_as_nothing_went_out(cm, head, dept_a):
    with LoopbackChannel() as server:
        channel = webhook(dept_a, server)
    post = claimed_post(cm, head, dept_a, [channel])  # the server is gone now
    assert sender.publish(post.publications.get().pk) == "retrying"


def test_content_changed_after_the_claim_is_refused_at_send_time(one, loopback):
    post, publication = one
    Post.objects.filter(pk=post.pk).update(body="Texte modifié après approbation.")
    assert sender.publish(publication.pk) == PS.FAILED
    publication.refresh_from_db()
    assert "differs" in render(publication.last_error)
    assert loopback.received == []


def test_what_went_wrong_is_stored_in_no_language_and_read_in_the_readers(one, loopback, settings):
    """A worker has no request and so no reader's language: it stores a code and its
    parameters, which each reader reads in their own language."""
    settings.LANGUAGE_CODE = "fr"
    settings.PUBLISHING_MAX_ATTEMPTS = 1
    loopback.respond = lambda request: Reply(status=503, body={"error": "indisponible"})
    _post, publication = one
    translation.deactivate()  # no active language, as in a Celery worker
    assert sender.publish(publication.pk) == PS.FAILED
    publication.refresh_from_db()
    with translation.override("fr"):
        french = render(publication.last_error)
    with translation.override("en"):
        english = render(publication.last_error)
    assert french.startswith("Abandon après 1 tentatives") and "a répondu 503" in french
    assert english.startswith("Gave up after 1 attempts") and "answered 503" in english
    assert "indisponible" in french and "indisponible" in english  # the network's words


def test_a_channel_switched_off_after_the_approval_gets_nothing(one, loopback):
    post, publication = one
    Channel.objects.filter(pk=publication.channel_id).update(is_active=False)
    assert sender.publish(publication.pk) == PS.FAILED
    publication.refresh_from_db()
    post.refresh_from_db()
    assert "is not active" in render(publication.last_error)
    assert post.state == PostState.FAILED  # for a person to see, with the reason
    assert loopback.received == []


def test_a_channel_handed_to_another_department_after_the_approval_gets_nothing(
    one, loopback, dept_b
):
    _post, publication = one
    Channel.objects.filter(pk=publication.channel_id).update(department=dept_b)
    assert sender.publish(publication.pk) == PS.FAILED
    publication.refresh_from_db()
    assert "belongs to another department" in render(publication.last_error)
    assert loopback.received == []


def test_a_national_channel_takes_a_departments_post(cm, head, dept_a, national, loopback):
    post = claimed_post(cm, head, dept_a, [webhook(national, loopback)])
    assert sender.publish(post.publications.get().pk) == PS.SENT


def test_a_pause_at_send_time_sends_nothing_and_holds_the_post(one, loopback, head):
    post, publication = one
    wf.pause_publishing(head, "Crise en cours", channel=publication.channel)
    assert sender.publish(publication.pk) == "held"
    publication.refresh_from_db()
    post.refresh_from_db()
    assert publication.state == PS.QUEUED
    assert post.held_at is not None
    assert loopback.received == []


def test_a_publication_stuck_in_sending_is_reaped_as_unknown(one, settings):
    settings.PUBLISHING_SENDING_TIMEOUT_SECONDS = 60
    _post, publication = one
    assert sender.claim(publication.pk, timezone.now())  # a worker took it, then died
    assert reconcile.reap() == []
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=61)):
        assert reconcile.reap() == [publication.pk]
    publication.refresh_from_db()
    assert publication.state == PS.UNKNOWN
    assert "died" in render(publication.last_error)


def test_backoff_grows_with_each_attempt_and_respects_retry_after(settings):
    settings.PUBLISHING_RETRY_BASE_SECONDS = 10
    assert 5 <= sender.backoff_seconds(1) <= 10
    assert 40 <= sender.backoff_seconds(4) <= 80
    assert sender.backoff_seconds(1, retry_after=300) == 300


def test_the_publish_task_takes_ids_and_sends_once(one, loopback):
    from editorial.tasks import publish_batch

    _post, publication = one
    assert publish_batch.apply(([publication.pk],)).get() == {PS.SENT: 1}
    assert publish_batch.apply(([publication.pk],)).get() == {"not claimed": 1}
    assert Publication.objects.get(pk=publication.pk).state == PS.SENT
