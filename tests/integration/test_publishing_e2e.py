"""Publishing end to end: real Redis, real Celery worker and beat processes, PostgreSQL,
and the recording loopback HTTP server as every channel. Each test reads as what the
product promises (PRODUCT.md, point 7): approved posts go out at their time, exactly
once; nothing goes out that is not cleared to.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from editorial import workflow
from editorial.audit import entries_for, verify_chain
from editorial.messages import render
from editorial.models import (
    AuditEntry,
    Post,
    PostState,
    Publication,
    PublicationState,
)
from editorial.publishing import scheduler
from tests.integration.conftest import duplicates, eventually, wait_for_sweeps

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PS = PublicationState


def test_two_hundred_posts_due_at_once_each_go_out_exactly_once(cluster, newsroom, loopback):
    worker, beat = cluster.up()  # they boot while the posts are made
    channels = [newsroom.channel() for _ in range(20)]  # ten posts on each
    posts = newsroom.approved_in_bulk(200, channels)
    cluster.ready(worker, beat)

    due = timezone.now()
    newsroom.due_at(posts, due)

    assert loopback.wait_for(200, timeout=90), f"only {len(loopback.received)} of 200 arrived"
    eventually(
        lambda: Post.objects.filter(state=PostState.PUBLISHED).count() == 200,
        60,
        "every post published",
    )
    wait_for_sweeps(count=2)  # a late duplicate would come from a requeue: give it time

    keys = loopback.keys()
    assert duplicates(keys) == {}
    assert len(keys) == 200
    publications = Publication.objects.all()
    assert set(keys) == {str(p.idempotency_key) for p in publications}
    assert publications.count() == 200
    assert set(publications.values_list("state", flat=True)) == {PS.SENT}
    assert set(publications.values_list("attempts", flat=True)) == {1}
    assert min(r.at for r in loopback.received) >= due.timestamp()
    assert verify_chain() is None
    counts = {
        a: AuditEntry.objects.filter(action=a).count()
        for a in ("start_publishing", "publication_sent", "mark_published")
    }
    assert counts == {"start_publishing": 200, "publication_sent": 200, "mark_published": 200}


def test_a_post_due_in_three_seconds_goes_out_on_time_not_before(cluster, newsroom, loopback):
    worker, beat = cluster.up()
    channel = newsroom.channel()
    # Three posts a fraction of a second apart, so that no lucky alignment with the
    # sweep's ticks makes the precision.
    posts = [newsroom.approved_post([channel], f"Post à l'heure n°{i}") for i in range(3)]
    cluster.ready(worker, beat)
    start = timezone.now()
    for i, post in enumerate(posts):
        newsroom.due_at([post], start + timedelta(seconds=3 + 0.35 * i))

    assert loopback.wait_for(3, timeout=20)
    by_key = {r.body["idempotency_key"]: r for r in loopback.received}
    lags = []
    for post in Post.objects.filter(pk__in=[p.pk for p in posts]):
        publication = post.publications.get()
        received = by_key[str(publication.idempotency_key)]
        lags.append(received.at - post.scheduled_at.timestamp())
    print(f"publish lag after the due time (s): {[round(lag, 3) for lag in lags]}")
    assert all(lag >= 0 for lag in lags), f"sent before its time: {lags}"
    assert all(lag <= 1.5 for lag in lags), f"sent late: {lags}"
    assert duplicates(loopback.keys()) == {}


def test_a_post_edited_after_approval_goes_back_to_draft_and_is_never_sent(
    cluster, newsroom, loopback, cm
):
    worker, beat = cluster.up()
    channel = newsroom.channel()
    edited = newsroom.approved_post([channel], "Texte approuvé.")
    control = newsroom.approved_post([channel], "Texte témoin.")

    workflow.edit_post(edited, cm, body="Texte modifié après l'approbation.")

    cluster.ready(worker, beat)
    due = timezone.now()
    newsroom.due_at([edited, control], due)
    assert loopback.wait_for(1, timeout=15)  # the control post went: publishing was live
    wait_for_sweeps(after=due, count=3)
    assert [r.body["text"] for r in loopback.received] == ["Texte témoin."]
    edited.refresh_from_db()
    assert edited.state == PostState.DRAFT
    assert not edited.publications.exists()
    assert not edited.approvals.filter(voided_at__isnull=True).exists()


def test_content_changed_behind_the_workflow_is_never_sent_and_says_why(
    cluster, newsroom, loopback
):
    worker, beat = cluster.up()
    channel = newsroom.channel()
    approved = newsroom.approved_post([channel], "Texte approuvé A.")
    claimed = newsroom.approved_post([channel], "Texte approuvé B.")
    control = newsroom.approved_post([channel], "Texte témoin.")
    cluster.ready(worker, beat)

    # A: approved, then its text changed by a bare UPDATE before its time.
    Post.objects.filter(pk=approved.pk).update(body="Texte falsifié A.")
    # B: claimed for publishing (the publication carries the approved hash), then its
    # text changed before the worker gets the message.
    with transaction.atomic():
        now = timezone.now()
        Post.objects.filter(pk=claimed.pk).update(scheduled_at=now)
        assert scheduler.claim_post(claimed.pk, now) == "claimed"
        Post.objects.filter(pk=claimed.pk).update(body="Texte falsifié B.")
    newsroom.due_at([approved, control], timezone.now())

    assert loopback.wait_for(1, timeout=15)
    b_publication = Publication.objects.get(post=claimed)
    eventually(
        lambda: Publication.objects.filter(pk=b_publication.pk, state=PS.FAILED).exists(),
        15,
        "B's publication refused",
    )
    eventually(
        lambda: Post.objects.filter(pk=approved.pk, held_at__isnull=False).exists(), 15, "A held"
    )
    wait_for_sweeps(count=2)

    assert [r.body["text"] for r in loopback.received] == ["Texte témoin."]
    approved.refresh_from_db()
    assert approved.state == PostState.APPROVED
    assert "differs from what was approved" in render(approved.held_reason)
    assert not approved.publications.exists()
    hold = entries_for(approved).get(action="hold")
    assert "differs from what was approved" in render(hold.comment)

    claimed.refresh_from_db()
    b_publication.refresh_from_db()
    assert claimed.state == PostState.FAILED
    assert "differs from what was approved" in render(b_publication.last_error)
    failed = entries_for(b_publication).get(action="publication_failed")
    assert "differs from what was approved" in render(failed.comment)
    assert entries_for(claimed).filter(action="mark_failed").exists()
    assert verify_chain() is None
    assert worker.alive()


def test_a_paused_channel_sends_nothing_and_its_post_stays_held_until_confirmed(
    cluster, newsroom, loopback, head
):
    worker, beat = cluster.up()
    paused, open_ = newsroom.channel("En pause"), newsroom.channel("Ouvert")
    held = newsroom.approved_post([paused], "Sur le canal en pause.")
    control = newsroom.approved_post([open_], "Sur le canal ouvert.")
    pause = workflow.pause_publishing(head, "Attentat : communication suspendue", channel=paused)
    cluster.ready(worker, beat)
    newsroom.due_at([held, control], timezone.now())

    assert loopback.wait_for(1, timeout=15)
    eventually(
        lambda: Post.objects.filter(pk=held.pk, held_at__isnull=False).exists(),
        15,
        "the post on the paused channel held",
    )
    held.refresh_from_db()
    assert held.state == PostState.APPROVED
    assert "suspendue" in render(held.held_reason)

    workflow.resume_publishing(pause, head)
    wait_for_sweeps(count=3)  # resuming releases nothing by itself
    held.refresh_from_db()
    assert held.held_at is not None
    assert [r.body["text"] for r in loopback.received] == ["Sur le canal ouvert."]

    workflow.confirm_held(held, head)
    assert loopback.wait_for(2, timeout=15)
    eventually(
        lambda: Post.objects.filter(pk=held.pk, state=PostState.PUBLISHED).exists(),
        15,
        "the confirmed post published",
    )
    wait_for_sweeps(count=2)
    texts = [r.body["text"] for r in loopback.received]
    assert sorted(texts) == ["Sur le canal en pause.", "Sur le canal ouvert."]
    assert duplicates(loopback.keys()) == {}
    assert verify_chain() is None


def test_a_pause_after_the_claim_holds_the_post_mid_publishing_until_confirmed(
    cluster, newsroom, loopback, head
):
    worker, beat = cluster.up()
    channel = newsroom.channel()
    post = newsroom.approved_post([channel], "Réclamé puis suspendu.")
    cluster.ready(worker, beat)
    with transaction.atomic():  # the pause lands between the claim and the send
        now = timezone.now()
        Post.objects.filter(pk=post.pk).update(scheduled_at=now)
        assert scheduler.claim_post(post.pk, now) == "claimed"
        pause = workflow.pause_publishing(head, "Crise : tout est suspendu")

    eventually(
        lambda: Post.objects.filter(pk=post.pk, held_at__isnull=False).exists(),
        15,
        "the post held at send time",
    )
    publication = Publication.objects.get(post=post)
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHING
    assert "suspendu" in render(post.held_reason)
    eventually(
        lambda: Publication.objects.filter(pk=publication.pk, state=PS.QUEUED).exists(),
        15,
        "the publication put back",
    )

    workflow.resume_publishing(pause, head)
    wait_for_sweeps(count=3)
    assert loopback.received == []
    post.refresh_from_db()
    assert post.held_at is not None

    workflow.confirm_held(post, head)  # sends its message from this process, after commit
    assert loopback.wait_for(1, timeout=15)
    eventually(
        lambda: Post.objects.filter(pk=post.pk, state=PostState.PUBLISHED).exists(),
        15,
        "the confirmed post published",
    )
    wait_for_sweeps(count=2)
    assert loopback.keys() == [str(publication.idempotency_key)]
    assert verify_chain() is None
