"""Publishing in batches: one `publish_batch` message sends several publications, each
claimed just before its own send, checked, its outcome recorded at once; the batch's
audit entries and the posts' settling follow together. Each test would fail if one of
the publisher's guarantees broke inside a batch. Against a real loopback HTTP channel."""

import datetime
import itertools

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from editorial import audit
from editorial import workflow as wf
from editorial.audit import verify_chain
from editorial.channels.webhook import WebhookAdapter
from editorial.messages import render
from editorial.models import AuditEntry, Post, PostState, Publication, PublicationState
from editorial.publishing import outcomes, reconcile, scheduler, sender
from tests.factories import PostFactory
from tests.loopback import Reply
from tests.test_publishing_sender import webhook

PS = PublicationState


def claimed_posts(cm, head, department, channels, count: int) -> list[Post]:
    """`count` approved posts, due now, claimed by one sweep: their publications queued."""
    posts = []
    for i in range(count):
        post = PostFactory(
            origin_department=department, channels=channels, body=f"Message n°{i} du lot."
        )
        wf.fast_track(post, cm)
        wf.approve(post, head)
        posts.append(post)
    Post.objects.filter(pk__in=[p.pk for p in posts]).update(scheduled_at=timezone.now())
    assert sorted(scheduler.sweep().claimed) == sorted(p.pk for p in posts)
    for post in posts:
        post.refresh_from_db()
    return posts


@pytest.fixture
def batch(cm, head, dept_a, loopback):
    """Five claimed posts on one webhook channel, and their publications' ids in order."""
    posts = claimed_posts(cm, head, dept_a, [webhook(dept_a, loopback)], 5)
    ids = list(
        Publication.objects.filter(post__in=posts).order_by("pk").values_list("pk", flat=True)
    )
    return posts, ids


def key(pk: int) -> str:
    return str(Publication.objects.get(pk=pk).idempotency_key)


def audit_count(action: str) -> int:
    return AuditEntry.objects.filter(action=action).count()


def test_a_batch_sends_each_publication_once_and_settles_every_post(batch, loopback):
    posts, ids = batch
    with CaptureQueriesContext(connection) as queries:
        assert sender.publish_batch(ids) == {pk: PS.SENT for pk in ids}
    # On PostgreSQL each outcome is written by the next claim's statement, the last one
    # on its own; elsewhere each on its own.
    statements = [q["sql"] for q in queries]
    combined = sum(sql.startswith("WITH recorded AS (UPDATE") for sql in statements)
    alone = sum(sql.startswith('UPDATE "editorial_publication" SET') for sql in statements)
    if connection.vendor == "postgresql":
        assert (combined, alone) == (4, 2)
    else:
        assert (combined, alone) == (0, 10)
    assert sorted(loopback.keys()) == sorted(key(pk) for pk in ids)
    assert set(
        Post.objects.filter(pk__in=[p.pk for p in posts]).values_list("state", flat=True)
    ) == {PostState.PUBLISHED}
    assert set(Publication.objects.filter(pk__in=ids).values_list("attempts", flat=True)) == {1}
    assert (audit_count("publication_sent"), audit_count("mark_published")) == (5, 5)
    assert verify_chain() is None


def test_a_batch_message_delivered_twice_sends_nothing_twice(batch, loopback):
    _posts, ids = batch
    sender.publish_batch(ids)
    assert sender.publish_batch(ids) == {pk: "not claimed" for pk in ids}
    assert len(loopback.keys()) == len(ids) == len(set(loopback.keys()))
    assert (audit_count("publication_sent"), audit_count("mark_published")) == (5, 5)
    assert verify_chain() is None


def test_a_held_post_in_a_batch_is_not_sent_while_the_others_are(batch, loopback):
    posts, ids = batch
    held = posts[2]
    Post.objects.filter(pk=held.pk).update(held_at=timezone.now(), held_reason="Retenu.")
    held_pub = held.publications.get().pk
    results = sender.publish_batch(ids)
    assert results[held_pub] == "held"
    assert [results[pk] for pk in ids if pk != held_pub] == [PS.SENT] * 4
    assert loopback.keys().count(key(held_pub)) == 0
    assert len(loopback.keys()) == 4
    assert Publication.objects.get(pk=held_pub).state == PS.QUEUED


def test_a_post_held_after_the_batch_read_its_facts_is_still_not_sent(batch, loopback, monkeypatch):
    """The claim itself re-checks the hold, just before each send."""
    posts, ids = batch
    last = posts[-1]
    real = WebhookAdapter.publish

    def publish_then_hold(adapter, outgoing):
        result = real(adapter, outgoing)
        Post.objects.filter(pk=last.pk).update(held_at=timezone.now(), held_reason="Retenu.")
        return result

    monkeypatch.setattr(WebhookAdapter, "publish", publish_then_hold)
    results = sender.publish_batch(ids)
    assert results[last.publications.get().pk] == "held"
    assert len(loopback.keys()) == 4


def test_a_changed_post_in_a_batch_is_refused_and_the_others_sent(batch, loopback):
    posts, ids = batch
    changed = posts[1]
    Post.objects.filter(pk=changed.pk).update(body="Texte modifié après approbation.")
    pub = changed.publications.get().pk
    results = sender.publish_batch(ids)
    assert results[pub] == PS.FAILED
    assert "differs" in render(Publication.objects.get(pk=pub).last_error)
    assert loopback.keys().count(key(pub)) == 0
    assert "Texte modifié après approbation." not in [r.body["text"] for r in loopback.received]
    assert len(loopback.keys()) == 4
    assert Post.objects.get(pk=changed.pk).state == PostState.FAILED
    assert verify_chain() is None


def test_a_pause_mid_batch_holds_the_rest_and_sends_none_of_them(
    batch, loopback, head, monkeypatch
):
    _posts, ids = batch
    real = WebhookAdapter.publish
    calls = []

    def publish_then_pause(adapter, outgoing):
        result = real(adapter, outgoing)
        calls.append(outgoing.publication_id)
        if len(calls) == 2:
            wf.pause_publishing(head, "Crise en cours")
        return result

    monkeypatch.setattr(WebhookAdapter, "publish", publish_then_pause)
    results = sender.publish_batch(ids)
    assert [results[pk] for pk in ids] == [PS.SENT, PS.SENT, "held", "held", "held"]
    assert len(loopback.keys()) == 2
    rest = Publication.objects.filter(pk__in=ids[2:])
    assert set(rest.values_list("state", flat=True)) == {PS.QUEUED}
    assert not Post.objects.filter(publications__in=rest, held_at__isnull=True).exists()
    assert all(
        "Crise en cours" in p.held_reason for p in Post.objects.filter(publications__in=rest)
    )
    assert verify_chain() is None


def test_a_transient_error_retries_only_that_publication(batch, loopback, settings):
    settings.PUBLISHING_RETRY_BASE_SECONDS = 1
    _posts, ids = batch
    failing = key(ids[3])
    loopback.respond = lambda request: (
        Reply(status=503)
        if request.body["idempotency_key"] == failing
        else Reply(body={"id": request.body["idempotency_key"]})
    )
    results = sender.publish_batch(ids)
    assert results[ids[3]] == "retrying"
    assert [results[pk] for pk in ids if pk != ids[3]] == [PS.SENT] * 4
    retried = Publication.objects.get(pk=ids[3])
    assert (retried.state, retried.attempts) == (PS.RETRYING, 1)
    assert retried.next_attempt_at > timezone.now()
    assert len(loopback.keys()) == 5  # each sent once, the failing one tried once
    loopback.respond = lambda request: Reply(body={"id": request.body["idempotency_key"]})
    with time_machine.travel(retried.not_before):  # once its back-off has passed
        assert sender.publish_batch(ids) == {**{pk: "not claimed" for pk in ids}, ids[3]: PS.SENT}
    assert loopback.keys().count(failing) == 2
    assert len(loopback.keys()) == 6
    assert verify_chain() is None


def test_a_batch_redelivered_after_its_worker_died_sends_the_rest_and_only_the_one_in_flight_is_unknown(  # noqa: E501
    batch, loopback, settings
):
    settings.PUBLISHING_SENDING_TIMEOUT_SECONDS = 60
    _posts, ids = batch
    # The first delivery sent ids[0], and died while sending ids[1].
    sender.publish_batch(ids[:1])
    in_flight = Publication.objects.get(pk=ids[1])
    assert sender.claim_to_send(in_flight, timezone.now())
    results = sender.publish_batch(ids)  # the same message, delivered again
    assert results == {
        ids[0]: "not claimed",
        ids[1]: "not claimed",
        **{pk: PS.SENT for pk in ids[2:]},
    }
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=61)):
        assert reconcile.reap() == [ids[1]]
    states = dict(Publication.objects.filter(pk__in=ids).values_list("pk", "state"))
    assert states == {**{pk: PS.SENT for pk in ids}, ids[1]: PS.UNKNOWN}
    assert loopback.keys().count(key(ids[1])) == 0
    assert len(loopback.keys()) == 4
    assert verify_chain() is None


def test_an_outcome_recorded_by_a_worker_that_died_before_its_batch_ended_is_audited_by_the_reaper(
    batch, loopback
):
    _posts, ids = batch
    publication = Publication.objects.select_related("post", "channel").get(pk=ids[0])
    assert sender.claim_to_send(publication, timezone.now())
    batch = sender._Batch(outcomes={})
    facts = sender._BatchFacts.read([publication.post_id])
    assert sender._send(publication, facts, batch) == PS.SENT
    batch.flush()  # durable at once (by the batch's next statement)…
    assert Publication.objects.get(pk=ids[0]).state == PS.SENT
    post = Post.objects.get(pk=publication.post_id)
    assert post.state == PostState.PUBLISHING  # …but the batch never reached its end
    assert outcomes.unrecorded_outcomes() == [ids[0]]
    reconcile.reap()
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHED
    assert outcomes.unrecorded_outcomes() == []
    outcomes.record_outcomes(batch.recorded)  # the batch's own end, late: nothing twice
    assert (audit_count("publication_sent"), audit_count("mark_published")) == (1, 1)
    assert verify_chain() is None


def test_the_claim_before_each_send_is_one_update_on_the_publications_own_row(batch):
    """An UPDATE filtered across a join (`WHERE id IN (SELECT …)`, as Django writes it)
    is not re-checked by PostgreSQL against a concurrent claim: the claim must not be one."""
    _posts, ids = batch
    publication = Publication.objects.select_related("channel").get(pk=ids[0])  # as a batch
    with CaptureQueriesContext(connection) as queries:
        assert sender.claim_to_send(publication, timezone.now())
        assert not sender.claim_to_send(publication, timezone.now())  # taken already
    assert len(queries) == 2
    update = queries[0]["sql"]
    assert update.startswith('UPDATE "editorial_publication" SET')
    where = update.split(" WHERE ", 1)[1]
    assert where.startswith('"editorial_publication"."id" = ')
    assert '"editorial_publication"."state" IN' in where
    assert " IN (SELECT" not in where
    publication.refresh_from_db()
    assert (publication.state, publication.attempts) == (PS.SENDING, 1)


def test_the_claim_refuses_a_paused_channel_a_global_pause_and_a_held_post(batch, head):
    posts, ids = batch
    publications = list(Publication.objects.filter(pk__in=ids).order_by("pk"))
    now = timezone.now()
    pause = wf.pause_publishing(head, "Canal piraté", channel=publications[0].channel)
    assert not sender.claim_to_send(publications[0], now)
    wf.resume_publishing(pause, head)
    Post.objects.filter(pk=posts[1].pk).update(held_at=now, held_reason="Retenu.")
    assert not sender.claim_to_send(publications[1], now)
    with time_machine.travel(now - datetime.timedelta(hours=2), tick=False):
        wf.pause_publishing(head, "Fini", ends_at=now - datetime.timedelta(hours=1))
    assert sender.claim_to_send(publications[2], now)  # a pause that ended stops nothing
    wf.pause_publishing(head, "Crise")
    assert not sender.claim_to_send(publications[3], now)
    assert set(
        Publication.objects.filter(pk__in=ids).exclude(pk=ids[2]).values_list("state", flat=True)
    ) == {PS.QUEUED}


def test_publications_are_enqueued_ten_to_a_message(monkeypatch, settings):
    from editorial import tasks

    settings.PUBLISHING_TASK_BATCH = 10
    sent = []
    monkeypatch.setattr(tasks.publish_batch, "delay", lambda ids: sent.append(ids))
    scheduler.enqueue_publications(list(range(1, 24)))
    assert sent == [list(range(1, 11)), list(range(11, 21)), [21, 22, 23]]


def test_a_batch_overlapping_one_already_sent_sends_only_the_others(batch, loopback):
    from editorial.tasks import publish_batch

    _posts, ids = batch
    assert publish_batch.apply(([ids[0]],)).get() == {PS.SENT: 1}
    assert publish_batch.apply((ids,)).get() == {"not claimed": 1, PS.SENT: 4}
    assert publish_batch.apply((ids,)).get() == {"not claimed": 5}
    assert len(loopback.keys()) == 5


def test_audit_entries_appended_together_chain_like_one_by_one(batch, loopback):
    posts, _ids = batch
    from django.db import transaction

    before = AuditEntry.objects.order_by("-seq").first().seq
    with transaction.atomic():
        entries = audit.record_many(
            [
                dict(actor=None, action="hold", obj=post, comment=f"n°{i}")
                for i, post in enumerate(posts)
            ]
        )
    assert [e.seq for e in entries] == list(range(before + 1, before + 6))
    assert all(b.prev_hash == a.entry_hash for a, b in itertools.pairwise(entries))
    assert verify_chain() is None
