"""The claim just before each send re-checks, from the database, everything the send
depends on: a channel switched off, given away or rotated mid-batch, and a publication
in its back-off, are seen at the moment of the send, not as the batch read them.
Against a real loopback HTTP channel, through the real sender."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from editorial.channels.webhook import WebhookAdapter
from editorial.messages import render
from editorial.models import Channel, Post, PostState, Publication, PublicationState
from editorial.publishing import scheduler, sender
from tests.loopback import LoopbackChannel, Reply
from tests.test_publishing_batch import claimed_posts
from tests.test_publishing_sender import webhook

PS = PublicationState


@pytest.fixture
def five(cm, head, dept_a, loopback):
    """Five claimed posts on one webhook channel: the channel and the publications' ids."""
    channel = webhook(dept_a, loopback)
    posts = claimed_posts(cm, head, dept_a, [channel], 5)
    ids = list(
        Publication.objects.filter(post__in=posts).order_by("pk").values_list("pk", flat=True)
    )
    return channel, ids


def after_the_first_send(monkeypatch, change) -> None:
    """Run `change()` once the batch's first request has been answered: the batch has
    read its publications and their channel long before."""
    real = WebhookAdapter.publish
    calls = []

    def publish_then_change(adapter, outgoing):
        result = real(adapter, outgoing)
        calls.append(outgoing.publication_id)
        if len(calls) == 1:
            change()
        return result

    monkeypatch.setattr(WebhookAdapter, "publish", publish_then_change)


def test_a_channel_switched_off_mid_batch_gets_none_of_the_rest(five, loopback, monkeypatch):
    channel, ids = five
    after_the_first_send(
        monkeypatch, lambda: Channel.objects.filter(pk=channel.pk).update(is_active=False)
    )
    results = sender.publish_batch(ids)
    assert [results[pk] for pk in ids] == [PS.SENT] + [PS.FAILED] * 4
    assert len(loopback.received) == 1
    for publication in Publication.objects.filter(pk__in=ids[1:]).select_related("post"):
        assert "is not active" in render(publication.last_error)
        assert publication.post.state == PostState.FAILED  # for a person, with the reason


def test_a_channel_given_to_another_department_mid_batch_gets_none_of_the_rest(
    five, loopback, monkeypatch, dept_b
):
    channel, ids = five
    after_the_first_send(
        monkeypatch, lambda: Channel.objects.filter(pk=channel.pk).update(department=dept_b)
    )
    results = sender.publish_batch(ids)
    assert [results[pk] for pk in ids] == [PS.SENT] + [PS.FAILED] * 4
    assert len(loopback.received) == 1
    assert all(
        "belongs to another department" in render(error)
        for error in Publication.objects.filter(pk__in=ids[1:]).values_list("last_error", flat=True)
    )


def rotate_address(channel: Channel, url: str) -> None:
    """What the channel page does: a new address, encrypted, saved."""
    fresh = Channel.objects.get(pk=channel.pk)
    fresh.set_credentials({**fresh.credentials, "endpoint_url": url})
    fresh.save(update_fields=["encrypted_credentials"])


def test_a_webhook_address_rotated_mid_batch_is_used_for_the_rest(five, loopback, monkeypatch):
    channel, ids = five
    with LoopbackChannel() as rotated:
        after_the_first_send(
            monkeypatch,
            lambda: rotate_address(channel, rotated.url),
        )
        results = sender.publish_batch(ids)
        assert [results[pk] for pk in ids] == [PS.SENT] * 5
        assert len(loopback.received) == 1  # the leaked address got only the first
        assert len(rotated.received) == 4
        assert {r.body["publication_id"] for r in rotated.received} == set(ids[1:])


def test_the_claim_itself_refuses_a_channel_changed_since_the_batch_read_it(five, dept_b):
    channel, ids = five
    stale = list(Publication.objects.filter(pk__in=ids).select_related("channel").order_by("pk"))
    now = timezone.now()
    Channel.objects.filter(pk=channel.pk).update(is_active=False)
    assert not sender.claim_to_send(stale[0], now)
    Channel.objects.filter(pk=channel.pk).update(is_active=True, department=dept_b)
    assert not sender.claim_to_send(stale[1], now)
    Channel.objects.filter(pk=channel.pk).update(department=channel.department)
    rotate_address(channel, "http://127.0.0.1:9/rotated")
    assert not sender.claim_to_send(stale[2], now)
    Channel.objects.filter(pk=channel.pk).update(
        encrypted_credentials=channel.encrypted_credentials
    )
    assert sender.claim_to_send(stale[3], now)  # as the batch read it: claimed
    assert set(Publication.objects.filter(pk__in=ids[:3]).values_list("state", flat=True)) == {
        PS.QUEUED
    }


@pytest.fixture
def rate_limited(five, loopback, settings):
    """The first publication answered 429 with Retry-After: 30; it waits, retrying."""
    settings.PUBLISHING_RETRY_BASE_SECONDS = 1
    _channel, ids = five
    loopback.respond = lambda request: Reply(status=429, headers={"Retry-After": "30"})
    assert sender.publish(ids[0]) == "retrying"
    loopback.respond = lambda request: Reply(body={"id": request.body["idempotency_key"]})
    return Publication.objects.get(pk=ids[0])


def test_messages_during_a_back_off_send_nothing_before_its_time(rate_limited, loopback):
    publication = rate_limited
    assert publication.not_before >= timezone.now() + datetime.timedelta(seconds=29)
    # A redelivery, a requeue, a person's "send again": four of them, as the harness sent.
    for _message in range(4):
        assert sender.publish_batch([publication.pk]) == {publication.pk: sender.NOT_DUE}
    assert len(loopback.received) == 1
    publication.refresh_from_db()
    assert (publication.state, publication.attempts) == (PS.RETRYING, 1)  # none used up
    with time_machine.travel(publication.not_before):
        assert sender.publish(publication.pk) == PS.SENT
    assert len(loopback.received) == 2
    publication.refresh_from_db()
    assert publication.attempts == 2


def test_the_lease_requeue_does_not_cut_a_back_off_short(rate_limited, settings):
    publication = rate_limited
    settings.PUBLISHING_LEASE_SECONDS = 3
    # `confirm_held` and a person's "send again" set the lease to now.
    Publication.objects.filter(pk=publication.pk).update(next_attempt_at=timezone.now())
    assert publication.pk not in scheduler.sweep().requeued
    publication.refresh_from_db()
    with time_machine.travel(publication.not_before + datetime.timedelta(seconds=1)):
        assert publication.pk in scheduler.sweep().requeued  # due now: its message again
        assert sender.publish(publication.pk) == PS.SENT
    assert Post.objects.get(pk=publication.post_id).state == PostState.PUBLISHED
