"""After a send that may have gone out — an uncertain answer, or a worker that died with
the request in flight — the publisher asks the channel "was this published?"
(`ChannelAdapter.find_published`) and leaves to a person only what the network cannot
tell. A worker's hold on its batch lapses within seconds of its death, and the sweep
then has the send in flight settled and the rest of the batch sent again."""

import datetime
import threading

import pytest
import time_machine
from django.utils import timezone

from editorial import workflow as wf
from editorial.audit import verify_chain
from editorial.channels.atom import AtomAdapter
from editorial.channels.base import (
    ChannelAdapter,
    Outgoing,
    Result,
    TransientError,
    UncertainError,
    can_look_up,
)
from editorial.channels.log import LogAdapter
from editorial.channels.webhook import WebhookAdapter
from editorial.messages import render
from editorial.models import Network, Post, PostState, Publication, PublicationState
from editorial.publishing import reconcile, scheduler, sender
from editorial.publishing.keeper import keeper
from tests.factories import ChannelFactory, PostFactory, WebhookChannelFactory

PS = PublicationState


def claimed(cm, head, department, channel) -> Publication:
    post = PostFactory(origin_department=department, channels=[channel])
    wf.fast_track(post, cm)
    wf.approve(post, head)
    Post.objects.filter(pk=post.pk).update(scheduled_at=timezone.now())
    assert scheduler.claim_post(post.pk) == "claimed"
    return Publication.objects.select_related("post", "channel__department").get(post=post)


@pytest.fixture
def on_webhook(cm, head, dept_a, loopback):
    channel = WebhookChannelFactory(department=dept_a, endpoint_url=loopback.url)
    return claimed(cm, head, dept_a, channel)


@pytest.fixture
def a_keeper_runs(monkeypatch):
    """This process counts as a worker whose keeper renews its holds (the thread itself
    is not started: the tests renew by hand)."""
    monkeypatch.setattr(keeper, "thread", threading.current_thread())
    yield keeper
    keeper.release(keeper.held())


def uncertain_send(monkeypatch, *, found):
    """The webhook's send ends in doubt; its look-up answers `found` (a Result, None, or
    an exception to raise)."""

    def publish(adapter, outgoing):
        raise UncertainError("read timed out")

    def find_published(adapter, outgoing):
        if isinstance(found, Exception):
            raise found
        return found

    monkeypatch.setattr(WebhookAdapter, "publish", publish)
    monkeypatch.setattr(WebhookAdapter, "find_published", find_published)


def test_a_send_in_doubt_that_the_network_finds_is_recorded_sent(on_webhook, monkeypatch):
    uncertain_send(monkeypatch, found=Result(external_id="9", url="https://example.org/9"))
    assert sender.publish(on_webhook.pk) == PS.SENT
    on_webhook.refresh_from_db()
    assert (on_webhook.state, on_webhook.external_id) == (PS.SENT, "9")
    assert Post.objects.get(pk=on_webhook.post_id).state == PostState.PUBLISHED
    assert verify_chain() is None


def test_a_send_in_doubt_that_the_network_says_is_not_there_is_retried(on_webhook, monkeypatch):
    uncertain_send(monkeypatch, found=None)
    assert sender.publish(on_webhook.pk) == "retrying"
    on_webhook.refresh_from_db()
    assert on_webhook.state == PS.RETRYING
    assert on_webhook.not_before > timezone.now()  # with back-off, as any retry
    assert "sent again" in render(on_webhook.last_error)


def test_a_send_in_doubt_on_a_network_that_cannot_tell_is_unknown_for_a_person(
    on_webhook, monkeypatch
):
    monkeypatch.setattr(
        WebhookAdapter,
        "publish",
        lambda adapter, outgoing: (_ for _ in ()).throw(UncertainError("read timed out")),
    )
    assert sender.publish(on_webhook.pk) == PS.UNKNOWN
    on_webhook.refresh_from_db()
    assert on_webhook.state == PS.UNKNOWN
    assert render(on_webhook.last_error) == "read timed out"


def test_a_look_up_that_fails_leaves_the_outcome_unknown_and_says_why(on_webhook, monkeypatch):
    uncertain_send(monkeypatch, found=TransientError("503 from the API"))
    assert sender.publish(on_webhook.pk) == PS.UNKNOWN
    on_webhook.refresh_from_db()
    text = render(on_webhook.last_error)
    assert "read timed out" in text and "503 from the API" in text


def test_the_adapters_say_whether_they_can_look_up(channel_a, loopback):
    outgoing = Outgoing(publication_id=1, idempotency_key="k", text="Bonjour")
    assert not can_look_up(WebhookAdapter(channel_a))
    with pytest.raises(UncertainError):
        WebhookAdapter(channel_a).find_published(outgoing)
    with pytest.raises(UncertainError):
        ChannelAdapter(channel_a).find_published(outgoing)
    # The feed shows only what is recorded sent; a log line written twice harms no one.
    assert (
        can_look_up(AtomAdapter(channel_a))
        and AtomAdapter(channel_a).find_published(outgoing) is None
    )
    assert (
        can_look_up(LogAdapter(channel_a))
        and LogAdapter(channel_a).find_published(outgoing) is None
    )


def test_a_batch_holds_its_publications_on_a_short_lease_while_it_runs_and_lets_go_after(
    cm, head, dept_a, loopback, a_keeper_runs, settings, monkeypatch
):
    settings.PUBLISHING_HOLD_SECONDS = 5
    channel = WebhookChannelFactory(department=dept_a, endpoint_url=loopback.url)
    first, second = (claimed(cm, head, dept_a, channel) for _ in range(2))
    # Queued by the sweep: the long lease of a message waiting in the broker.
    assert first.next_attempt_at > timezone.now() + datetime.timedelta(seconds=20)

    seen = {}

    def publish(adapter, outgoing):  # mid-send of the first: what does the database say?
        if seen:
            return Result(external_id=outgoing.idempotency_key)
        seen.update(
            Publication.objects.filter(pk__in=[first.pk, second.pk]).values_list(
                "pk", "next_attempt_at"
            )
        )
        seen["held"] = set(keeper.held())
        return Result(external_id=outgoing.idempotency_key)

    monkeypatch.setattr(WebhookAdapter, "publish", publish)
    assert sender.publish_batch([first.pk, second.pk]) == {first.pk: PS.SENT, second.pk: PS.SENT}
    soon = timezone.now() + datetime.timedelta(seconds=6)
    assert seen[first.pk] <= soon and seen[second.pk] <= soon  # the short hold
    assert {first.pk, second.pk} <= seen["held"]
    assert keeper.held() == []  # released once the batch is done


def test_a_sending_publication_whose_hold_lapsed_is_taken_by_one_sweep_only(
    on_webhook, a_keeper_runs, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr("editorial.tasks.settle_in_doubt.delay", lambda ids: sent.append(ids))
    now = timezone.now()
    assert sender.claim_to_send(on_webhook, now)  # a worker took it… and was killed
    with django_capture_on_commit_callbacks(execute=True):
        assert scheduler.send_lapsed(now + datetime.timedelta(seconds=1)) == []  # still held
    later = now + datetime.timedelta(seconds=6)
    with django_capture_on_commit_callbacks(execute=True):
        assert scheduler.send_lapsed(later) == [on_webhook.pk]
        assert scheduler.send_lapsed(later + datetime.timedelta(seconds=1)) == []
    assert sent == [[on_webhook.pk]]


def test_a_lapsed_send_is_settled_as_the_network_says(
    cm, head, dept_a, loopback, django_capture_on_commit_callbacks, monkeypatch
):
    enqueued = []
    monkeypatch.setattr(scheduler, "enqueue_publications", enqueued.extend)
    monkeypatch.setattr(reconcile, "enqueue_publications", enqueued.extend)
    hook = WebhookChannelFactory(department=dept_a, endpoint_url=loopback.url)
    feed = ChannelFactory(department=dept_a, network=Network.ATOM)
    in_doubt = claimed(cm, head, dept_a, hook)
    not_there = claimed(cm, head, dept_a, feed)
    for publication in (in_doubt, not_there):
        assert sender.claim_to_send(publication, timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        outcome = reconcile.settle_in_doubt([in_doubt.pk, not_there.pk])
    assert outcome == {in_doubt.pk: PS.UNKNOWN, not_there.pk: reconcile.SENT_AGAIN}
    assert enqueued == [not_there.pk]
    not_there.refresh_from_db()
    assert not_there.state == PS.RETRYING
    assert sender.publish(not_there.pk) == PS.SENT  # its message, sent again
    in_doubt.refresh_from_db()
    assert "died" in render(in_doubt.last_error)
    assert loopback.received == []
    assert verify_chain() is None


def test_the_reaper_settles_a_send_stuck_past_the_time_out_as_the_network_says(
    cm, head, dept_a, settings, monkeypatch
):
    monkeypatch.setattr(reconcile, "enqueue_publications", lambda ids: None)
    settings.PUBLISHING_SENDING_TIMEOUT_SECONDS = 60
    feed = ChannelFactory(department=dept_a, network=Network.ATOM)
    publication = claimed(cm, head, dept_a, feed)
    assert sender.claim(publication.pk, timezone.now())
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=61)):
        assert reconcile.reap() == [publication.pk]
    publication.refresh_from_db()
    assert publication.state == PS.RETRYING  # not on the feed: sent again, not unknown


def test_the_keeper_renews_only_what_its_batches_still_hold(on_webhook, a_keeper_runs, settings):
    settings.PUBLISHING_HOLD_SECONDS = 5
    keeper.hold([on_webhook.pk])
    later = timezone.now() + datetime.timedelta(seconds=60)
    with time_machine.travel(later):
        assert keeper.renew() == 1
        lease = Publication.objects.get(pk=on_webhook.pk).next_attempt_at
        assert later < lease <= later + datetime.timedelta(seconds=6)
        keeper.release([on_webhook.pk])
        assert keeper.renew() == 0  # a killed worker renews nothing either
