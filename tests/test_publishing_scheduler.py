"""The sweep and the claim: due approved posts are claimed once, or held with a reason."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from editorial import workflow as wf
from editorial.audit import verify_chain
from editorial.messages import render
from editorial.models import AuditEntry, Heartbeat, Post, PostState, Publication
from editorial.publishing import scheduler
from tests.factories import ChannelFactory, PostFactory

NOW = datetime.datetime(2027, 5, 3, 8, 0, tzinfo=datetime.UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def approved_post(cm, head, department, channels=None, *, due=NOW, **kwargs):
    """An approved post falling due at `due` (approved the day before)."""
    channels = channels or [ChannelFactory(department=department)]
    with time_machine.travel(due - datetime.timedelta(days=1), tick=False):
        post = PostFactory(
            origin_department=department, channels=channels, scheduled_at=due, **kwargs
        )
        wf.fast_track(post, cm)
        wf.approve(post, head)
    return post


@pytest.fixture
def due(cm, head, dept_a):
    return approved_post(cm, head, dept_a)


def test_a_due_approved_post_is_claimed_with_one_publication_per_channel(
    cm, head, dept_a, frozen, django_capture_on_commit_callbacks
):
    channels = [ChannelFactory(department=dept_a), ChannelFactory(department=dept_a)]
    post = approved_post(cm, head, dept_a, channels)
    with django_capture_on_commit_callbacks() as callbacks:
        result = scheduler.sweep()
    post.refresh_from_db()
    assert result.claimed == [post.pk]
    assert post.state == PostState.PUBLISHING
    publications = list(post.publications.order_by("channel_id"))
    assert [p.channel for p in publications] == sorted(channels, key=lambda c: c.pk)
    assert {p.content_hash for p in publications} == {post.approvals.get().content_hash}
    assert len(callbacks) == 2  # the signal, and the publish messages: only once committed
    entry = AuditEntry.objects.filter(action="start_publishing").get()
    assert (entry.actor, entry.object_id) == (None, post.pk)


def test_a_post_is_claimed_once_however_many_sweeps_run(due, frozen):
    assert scheduler.sweep().claimed == [due.pk]
    assert scheduler.sweep().claimed == []
    assert scheduler.claim_post(due.pk) is None
    assert Publication.objects.count() == 1
    assert AuditEntry.objects.filter(action="start_publishing").count() == 1


def test_a_stale_claim_loses_to_the_first_one(due, frozen):
    scheduler.claim_post(due.pk)
    assert scheduler.claim_post(due.pk, NOW) is None


def test_a_post_not_yet_due_is_left_alone(cm, head, dept_a, frozen):
    later = approved_post(cm, head, dept_a, due=NOW + datetime.timedelta(minutes=5))
    assert scheduler.sweep().claimed == []
    later.refresh_from_db()
    assert later.state == PostState.APPROVED


def test_an_unapproved_due_post_never_enters_the_publishing_path(cm, dept_a, frozen):
    post = PostFactory(origin_department=dept_a, scheduled_at=NOW + datetime.timedelta(hours=1))
    wf.fast_track(post, cm)
    Post.objects.filter(pk=post.pk).update(scheduled_at=NOW)
    assert scheduler.sweep().claimed == []
    assert not Publication.objects.exists()


def test_the_sweep_writes_the_scheduler_heartbeat(frozen, db):
    scheduler.sweep()
    assert Heartbeat.objects.get(name="scheduler").beat_at == NOW


def test_a_global_pause_holds_a_due_post_with_the_reason(due, head, frozen):
    wf.pause_publishing(head, "Attentat en cours")
    result = scheduler.sweep()
    due.refresh_from_db()
    assert result.held == [due.pk]
    assert due.state == PostState.APPROVED
    assert "Attentat en cours" in due.held_reason
    assert not Publication.objects.exists()
    scheduler.sweep()
    assert AuditEntry.objects.filter(action="hold").count() == 1  # held once, not each sweep


def test_a_channel_pause_holds_only_the_posts_on_that_channel(cm, head, dept_a, frozen):
    paused, open_ = ChannelFactory(department=dept_a), ChannelFactory(department=dept_a)
    on_paused = approved_post(cm, head, dept_a, [paused, open_])
    elsewhere = approved_post(cm, head, dept_a, [open_])
    wf.pause_publishing(head, "Compte piraté", channel=paused)
    result = scheduler.sweep()
    assert result.held == [on_paused.pk]
    assert result.claimed == [elsewhere.pk]


def test_a_pause_that_ended_no_longer_holds(due, head, frozen):
    with time_machine.travel(NOW - datetime.timedelta(hours=2), tick=False):
        wf.pause_publishing(head, "Réunion de crise", ends_at=NOW - datetime.timedelta(hours=1))
    assert scheduler.sweep().claimed == [due.pk]


def test_crisis_mode_holds_posts_not_signed_off_by_the_director(cm, head, director, dept_a, frozen):
    head_only = approved_post(cm, head, dept_a)
    signed = approved_post(cm, director, dept_a)
    wf.pause_publishing(director, "Crise", stops_publishing=False, requires_director=True)
    result = scheduler.sweep()
    assert result.held == [head_only.pk]
    assert result.claimed == [signed.pk]


def test_a_post_due_longer_ago_than_the_grace_window_is_held(cm, head, dept_a, settings, frozen):
    settings.PUBLISHING_GRACE_MINUTES = 15
    missed = approved_post(cm, head, dept_a, due=NOW - datetime.timedelta(minutes=16))
    recent = approved_post(cm, head, dept_a, due=NOW - datetime.timedelta(minutes=14))
    result = scheduler.sweep()
    assert result.held == [missed.pk]
    assert result.claimed == [recent.pk]


def test_content_changed_behind_the_workflows_back_is_held_not_sent(due, frozen):
    Post.objects.filter(pk=due.pk).update(body="Texte non approuvé.")
    assert scheduler.sweep().held == [due.pk]
    due.refresh_from_db()
    assert "approved" in render(due.held_reason)
    assert not Publication.objects.exists()


def test_a_publication_whose_message_was_lost_is_sent_again_after_its_lease(due, settings, frozen):
    settings.PUBLISHING_LEASE_SECONDS = 30
    scheduler.sweep()
    assert scheduler.sweep().requeued == []
    frozen.shift(31)
    assert scheduler.sweep().requeued == [due.publications.get().pk]
    assert scheduler.sweep().requeued == []  # the lease was renewed


def test_a_wake_up_is_sent_for_each_post_due_before_the_sweep_after_next(
    cm, head, dept_a, settings, frozen
):
    settings.PUBLISHING_SWEEP_SECONDS = 1
    next_sweep = approved_post(cm, head, dept_a, due=NOW + datetime.timedelta(seconds=0.5))
    after = approved_post(cm, head, dept_a, due=NOW + datetime.timedelta(seconds=1.5))
    assert approved_post(cm, head, dept_a, due=NOW + datetime.timedelta(seconds=2.5))
    assert sorted(scheduler.sweep().wakeups) == sorted([next_sweep.pk, after.pk])


def test_a_late_sweep_leaves_no_post_without_a_wake_up(cm, head, dept_a, settings, frozen):
    """Sweeps at 0 s and, late, at 1.8 s: a post due at 2.2 s lies beyond the first
    sweep's window and must be in the second's, or it would wait for a third sweep."""
    settings.PUBLISHING_SWEEP_SECONDS = 1
    gap = approved_post(cm, head, dept_a, due=NOW + datetime.timedelta(seconds=2.2))
    assert gap.pk not in scheduler.sweep().wakeups
    frozen.shift(1.8)
    assert gap.pk in scheduler.sweep().wakeups


def test_the_wake_up_claims_with_the_same_claim_as_the_sweep(due, frozen):
    from editorial.tasks import claim_due_at

    assert claim_due_at.apply((NOW.isoformat(),)).get() == 1
    assert claim_due_at.apply((NOW.isoformat(),)).get() == 0
    assert scheduler.sweep().claimed == []
    assert verify_chain() is None


def test_the_due_query_reads_only_approved_posts_not_held(db):
    sql = str(scheduler.due_posts(timezone.now()).query)
    assert "held_at" in sql and "approved" in sql


def test_one_sweep_claims_a_burst_in_batches(cm, head, dept_a, frozen):
    channel = ChannelFactory(department=dept_a)
    posts = [approved_post(cm, head, dept_a, [channel]) for _ in range(scheduler.CLAIM_BATCH + 7)]
    result = scheduler.sweep()
    assert sorted(result.claimed) == sorted(p.pk for p in posts)
    assert Publication.objects.count() == len(posts)
    assert not Post.objects.filter(state=PostState.APPROVED).exists()
    assert verify_chain() is None


def test_one_wake_up_per_due_instant_and_claim_batch_not_one_per_post(
    cm, head, dept_a, settings, frozen, monkeypatch
):
    from editorial import tasks

    settings.PUBLISHING_SWEEP_SECONDS = 1
    channel = ChannelFactory(department=dept_a)
    at = NOW + datetime.timedelta(seconds=1.5)
    burst = [
        approved_post(cm, head, dept_a, [channel], due=at) for _ in range(scheduler.CLAIM_BATCH + 1)
    ]
    other = approved_post(cm, head, dept_a, [channel], due=NOW + datetime.timedelta(seconds=1.7))
    sent = []
    monkeypatch.setattr(
        tasks.claim_due_at, "apply_async", lambda args, eta: sent.append((args, eta))
    )
    assert sorted(scheduler.sweep().wakeups) == sorted([p.pk for p in burst] + [other.pk])
    assert sent == [((at.isoformat(),), at)] * 2 + [
        ((other.scheduled_at.isoformat(),), other.scheduled_at)
    ]


def test_the_wake_up_of_an_instant_claims_everything_due_then_and_nothing_later(
    cm, head, dept_a, frozen
):
    from editorial.tasks import claim_due_at

    channel = ChannelFactory(department=dept_a)
    due = [approved_post(cm, head, dept_a, [channel]) for _ in range(scheduler.CLAIM_BATCH + 3)]
    later = approved_post(cm, head, dept_a, [channel], due=NOW + datetime.timedelta(seconds=1))
    assert claim_due_at.apply((NOW.isoformat(),)).get() == len(due)
    assert claim_due_at.apply((NOW.isoformat(),)).get() == 0  # delivered twice: nothing
    assert set(Post.objects.filter(pk__in=[p.pk for p in due]).values_list("state", flat=True)) == {
        PostState.PUBLISHING
    }
    later.refresh_from_db()
    assert later.state == PostState.APPROVED
    assert AuditEntry.objects.filter(action="start_publishing").count() == len(due)
    assert verify_chain() is None


def test_claiming_a_batch_costs_the_same_statements_for_5_posts_as_for_50(
    cm, head, dept_a, frozen, monkeypatch
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(scheduler, "enqueue_publications", lambda ids: None)
    channel = ChannelFactory(department=dept_a)
    counts = []
    for size in (5, 50):
        for _ in range(size):
            approved_post(cm, head, dept_a, [channel])
        with CaptureQueriesContext(connection) as queries:
            claimed, _held = scheduler.claim_batch(NOW, size=scheduler.CLAIM_BATCH)
        assert len(claimed) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_an_instant_gets_at_most_two_wake_ups_however_many_posts_fall_due_then(
    cm, head, dept_a, settings, frozen, monkeypatch
):
    """Two claimers stay far ahead of the senders; more would keep every worker thread
    claiming, and none sending, at the start of a burst."""
    from editorial import tasks

    settings.PUBLISHING_SWEEP_SECONDS = 1
    monkeypatch.setattr(scheduler, "CLAIM_BATCH", 1)
    channel = ChannelFactory(department=dept_a)
    at = NOW + datetime.timedelta(seconds=1.5)
    posts = [approved_post(cm, head, dept_a, [channel], due=at) for _ in range(4)]
    sent = []
    monkeypatch.setattr(
        tasks.claim_due_at, "apply_async", lambda args, eta: sent.append((args, eta))
    )
    assert sorted(scheduler.sweep().wakeups) == sorted(p.pk for p in posts)
    assert (
        sent
        == [((at.isoformat(),), at)] * scheduler.WAKEUPS_PER_INSTANT
        == [((at.isoformat(),), at)] * 2
    )


def test_a_broker_that_cannot_be_reached_loses_no_publication(
    due, settings, frozen, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    """The sweep commits the claim, then fails to send its message: nothing is raised
    into the sweep, a warning says the next sweep will send it, and it does."""
    from kombu.exceptions import OperationalError

    from editorial import tasks

    def unreachable(*args, **kwargs):
        raise OperationalError("Error 2 connecting to unix socket: No such file or directory.")

    monkeypatch.setattr(tasks.publish_batch, "delay", unreachable)
    with django_capture_on_commit_callbacks(execute=True):
        scheduler.sweep()

    publication = Publication.objects.get(post=due)
    assert publication.state == "queued"
    assert "Broker unreachable" in caplog.text
    assert "1 publication(s) will be sent by the next sweep" in caplog.text

    sent = []
    monkeypatch.setattr(tasks.publish_batch, "delay", sent.append)
    frozen.shift(settings.PUBLISHING_LEASE_SECONDS + 1)
    with django_capture_on_commit_callbacks(execute=True):
        scheduler.sweep()
    assert sent == [[publication.pk]]
