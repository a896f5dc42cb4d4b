"""Reminders, escalation and missed slots, with time frozen across the DST changes of
Europe/Paris: each told at its instant (a real duration before the post's time, however
the clocks moved), to exactly the people the permission rules let act, once per post
and rule however often the beat runs, at a fixed number of queries."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from editorial.models import Category, Post, PostState
from notifications import tasks, timed
from notifications.models import Delivery, Kind, Notification
from tests.factories import PostFactory

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
UTC = datetime.UTC


def utc(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


@pytest.fixture(autouse=True)
def windows(settings):
    settings.NOTIFICATION_REMINDER_MINUTES = {"default": 120, "hot_news": 30}
    settings.NOTIFICATION_ESCALATION_MINUTES = {"default": 60, "hot_news": 15}
    settings.NOTIFICATION_MISSED_LOOKBACK_HOURS = 24


def pending_post(author, department, channel, when, cm, *, category=Category.PREVENTION):
    """A post of `department` sent for approval the day before `when`."""
    with time_machine.travel(when - datetime.timedelta(days=1), tick=False):
        post = PostFactory(
            author=author,
            origin_department=department,
            channels=[channel],
            scheduled_at=when,
            category=category,
        )
        Post.objects.filter(pk=post.pk).update(state=PostState.PENDING_APPROVAL)
    post.refresh_from_db()
    return post


def told_at(instant) -> set[tuple[str, str]]:
    before = set(Notification.objects.values_list("pk", flat=True))
    with time_machine.travel(instant, tick=False):
        timed.run()
    return set(
        Notification.objects.exclude(pk__in=before).values_list("recipient__username", "kind")
    )


@pytest.fixture
def spring(writer_a, dept_a, channel_a, cm, head, director, contrib_b, outsider):
    """Due 2027-03-28 03:30 in Paris, just after the clocks jumped 02:00 -> 03:00
    (01:30 UTC)."""
    when = datetime.datetime(2027, 3, 28, 3, 30, tzinfo=PARIS)
    assert when.astimezone(UTC) == utc(2027, 3, 28, 1, 30)
    return pending_post(writer_a, dept_a, channel_a, when, cm)


def test_spring_reminder_escalation_and_missed_slot_each_at_its_instant(spring):
    # Two hours before is 00:30 Paris (23:30 UTC the day before): one hour of the two
    # is the hour that does not exist.
    assert told_at(utc(2027, 3, 27, 23, 29)) == set()
    assert told_at(utc(2027, 3, 27, 23, 30)) == {
        ("head", Kind.REMINDER),
        ("director", Kind.REMINDER),
    }
    assert told_at(utc(2027, 3, 28, 0, 29)) == set()
    assert told_at(utc(2027, 3, 28, 0, 30)) == {("director", Kind.ESCALATION)}
    assert told_at(utc(2027, 3, 28, 1, 29)) == set()
    assert told_at(utc(2027, 3, 28, 1, 30)) == {
        ("writer67", Kind.MISSED_SLOT),
        ("cm", Kind.MISSED_SLOT),
    }
    # Nobody of another department, nobody without a role there, ever.
    assert not Notification.objects.filter(
        recipient__username__in=["contrib13", "outsider", "contrib67"]
    ).exists()


@pytest.mark.parametrize(
    "local, fold, due_utc",
    [
        # 2026-10-25: 03:00 CEST -> 02:00 CET; 02:30 happens twice. The second one.
        ((2026, 10, 25, 2, 30), 1, utc(2026, 10, 25, 1, 30)),
        # The first one, an hour earlier.
        ((2026, 10, 25, 2, 30), 0, utc(2026, 10, 25, 0, 30)),
        # 2027-10-31, the next autumn change, in the morning after it.
        ((2027, 10, 31, 9, 0), 0, utc(2027, 10, 31, 8, 0)),
    ],
)
def test_autumn_rules_count_real_hours_before_the_post(
    local, fold, due_utc, writer_a, dept_a, channel_a, cm, head, director
):
    when = datetime.datetime(*local, tzinfo=PARIS, fold=fold)
    assert when.astimezone(UTC) == due_utc
    pending_post(writer_a, dept_a, channel_a, when, cm)
    hour = datetime.timedelta(hours=1)
    minute = datetime.timedelta(minutes=1)
    assert told_at(due_utc - 2 * hour - minute) == set()
    assert told_at(due_utc - 2 * hour) == {("head", Kind.REMINDER), ("director", Kind.REMINDER)}
    assert told_at(due_utc - hour - minute) == set()
    assert told_at(due_utc - hour) == {("director", Kind.ESCALATION)}
    assert told_at(due_utc - minute) == set()
    assert told_at(due_utc) == {("writer67", Kind.MISSED_SLOT), ("cm", Kind.MISSED_SLOT)}


def test_each_rule_tells_once_however_often_the_beat_runs(spring):
    for minute in range(0, 150, 13):
        told_at(utc(2027, 3, 27, 23, 30) + datetime.timedelta(minutes=minute))
    kinds = list(Notification.objects.values_list("recipient__username", "kind"))
    assert sorted(kinds) == sorted(
        [
            ("head", Kind.REMINDER),
            ("director", Kind.REMINDER),
            ("director", Kind.ESCALATION),
            ("writer67", Kind.MISSED_SLOT),
            ("cm", Kind.MISSED_SLOT),
        ]
    )
    # One e-mail each (everyone keeps the default: e-mail at once), sent once.
    ids = list(Delivery.objects.filter(channel="email").values_list("pk", flat=True))
    assert len(ids) == 5
    assert tasks.deliver(ids) == {"sent": 5}
    assert tasks.deliver(ids) == {"already": 5}


def test_a_post_moved_to_a_new_time_is_reminded_again(spring, head):
    told_at(utc(2027, 3, 27, 23, 30))
    Post.objects.filter(pk=spring.pk).update(scheduled_at=utc(2027, 3, 28, 12, 0))
    assert ("head", Kind.REMINDER) in told_at(utc(2027, 3, 28, 10, 0))


def test_the_window_is_per_category(writer_a, dept_a, channel_a, cm, head, director):
    when = utc(2027, 5, 4, 12, 0)
    pending_post(writer_a, dept_a, channel_a, when, cm, category=Category.HOT_NEWS)
    assert told_at(when - datetime.timedelta(minutes=31)) == set()
    assert told_at(when - datetime.timedelta(minutes=30)) == {
        ("head", Kind.REMINDER),
        ("director", Kind.REMINDER),
    }
    assert told_at(when - datetime.timedelta(minutes=15)) == {("director", Kind.ESCALATION)}


def test_a_sensitive_post_reminds_the_head_and_escalates_to_its_director(
    writer_a, dept_a, channel_a, cm, head, director
):
    """The director does not approve a sensitive post in the head's place (no reminder
    to approve it), but hears of it an hour before: they will have to sign it off."""
    when = utc(2027, 5, 4, 12, 0)
    post = pending_post(writer_a, dept_a, channel_a, when, cm)
    Post.objects.filter(pk=post.pk).update(sensitive=True)
    assert told_at(when - datetime.timedelta(hours=2)) == {("head", Kind.REMINDER)}
    assert told_at(when - datetime.timedelta(hours=1)) == {("director", Kind.ESCALATION)}


def test_awaiting_sign_off_reminds_the_director_who_did_not_approve(
    writer_a, dept_a, channel_a, cm, head, director
):
    when = utc(2027, 5, 4, 12, 0)
    post = pending_post(writer_a, dept_a, channel_a, when, cm)
    Post.objects.filter(pk=post.pk).update(state=PostState.PENDING_SIGNOFF)
    assert told_at(when - datetime.timedelta(hours=2)) == {("director", Kind.REMINDER)}
    # No escalation beyond the director, and no missed slot before its time.
    assert told_at(when - datetime.timedelta(hours=1)) == set()


def test_an_approved_post_is_left_alone(writer_a, dept_a, channel_a, cm, head, director):
    when = utc(2027, 5, 4, 12, 0)
    post = pending_post(writer_a, dept_a, channel_a, when, cm)
    Post.objects.filter(pk=post.pk).update(state=PostState.APPROVED)
    for hours in (2, 1, 0):
        assert told_at(when - datetime.timedelta(hours=hours)) == set()


def test_the_missed_slot_says_why_in_the_readers_language(spring, cm, writer_a):
    from notifications import email
    from notifications.models import Preferences

    Preferences.objects.create(user=cm, language="en")
    Preferences.objects.create(user=writer_a, language="fr")
    told_at(utc(2027, 3, 28, 1, 30))
    english = email.build(Notification.objects.get(recipient=cm, kind=Kind.MISSED_SLOT))
    french = email.build(Notification.objects.get(recipient=writer_a, kind=Kind.MISSED_SLOT))
    assert "did not go out at its time" in english.body
    assert "nobody approved it in time" in english.body
    assert "n’est pas partie à son heure" in french.body
    assert "personne ne l’a approuvée à temps" in french.body


def test_the_reminder_shows_the_time_in_each_readers_zone(spring, head, director):
    from notifications import email

    head.time_zone = "Europe/Paris"
    head.save()
    director.time_zone = "Pacific/Noumea"  # UTC+11: 12:30 on 28 March
    director.save()
    told_at(utc(2027, 3, 27, 23, 30))
    for_head = email.build(Notification.objects.get(recipient=head, kind=Kind.REMINDER))
    for_director = email.build(Notification.objects.get(recipient=director, kind=Kind.REMINDER))
    assert "03:30" in for_head.body or "3:30" in for_head.body
    assert "12:30" in for_director.body


def _posts(n, writer_a, contrib_a, dept_a, channel_a, cm):
    """`n` posts due within the hour, and `n` whose time has just passed, all unapproved,
    by the same two authors."""
    now = utc(2027, 5, 4, 12, 0)
    for i in range(n):
        author = writer_a if i % 2 else contrib_a
        pending_post(author, dept_a, channel_a, now + datetime.timedelta(minutes=10 + i), cm)
        pending_post(author, dept_a, channel_a, now - datetime.timedelta(minutes=10 + i), cm)
    return now


def _queries_of_a_run(now) -> tuple[int, int]:
    """The statements of one run, but for the INSERTs SQLite's driver splits by its
    999-parameter limit (one statement per table and rule on PostgreSQL)."""
    Notification.objects.all().delete()
    with CaptureQueriesContext(connection) as run, time_machine.travel(now, tick=False):
        timed.run()
    kept = [
        q["sql"]
        for q in run.captured_queries
        if connection.vendor == "postgresql" or not q["sql"].startswith("INSERT")
    ]
    return len(kept), Notification.objects.count()


def test_a_run_costs_the_same_queries_at_2_and_at_50_posts(
    writer_a, contrib_a, dept_a, channel_a, cm, head, director
):
    now = _posts(2, writer_a, contrib_a, dept_a, channel_a, cm)
    _queries_of_a_run(now)  # warms the caches a process fills once (content types)
    at_two, told_two = _queries_of_a_run(now)
    Post.objects.all().delete()
    _posts(50, writer_a, contrib_a, dept_a, channel_a, cm)
    at_fifty, told_fifty = _queries_of_a_run(now)
    assert told_fifty > told_two > 0
    assert at_fifty == at_two


def test_a_full_batch_moves_on_to_the_posts_not_yet_told(
    monkeypatch, writer_a, dept_a, channel_a, cm, head, director
):
    monkeypatch.setattr(timed, "BATCH", 1)
    when = utc(2027, 5, 4, 12, 0)
    posts = [
        pending_post(writer_a, dept_a, channel_a, when + datetime.timedelta(minutes=n), cm)
        for n in range(3)
    ]
    for _ in range(3):
        told_at(when - datetime.timedelta(minutes=100))
    reminded = Notification.objects.filter(recipient=head, kind=Kind.REMINDER)
    assert sorted(reminded.values_list("post_id", flat=True)) == [post.pk for post in posts]
