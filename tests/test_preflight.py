"""Pre-flight checks before each slot, and the alert for a post late past its slot: each
problem alerts the community managers and the head of communication once per post and
slot, before the slot; the task reads a constant number of queries whatever the posts."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from editorial import workflow as wf
from editorial.models import AuditEntry, Blackout, Network, Post, PostAlert, PublishingPause
from editorial.publishing import preflight
from notifications.models import Kind, Notification
from tests.factories import ChannelFactory, PostFactory, approved_in_bulk
from tests.mastodon_instance import TOKEN, Instance


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def instance():
    with Instance() as server:
        yield server


def mastodon(department, instance, token=TOKEN):
    return ChannelFactory(
        name="Police 67 (Mastodon)",
        network=Network.MASTODON,
        department=department,
        settings={"instance_url": instance.url},
        credentials={"access_token": token},
    )


def approved_post(cm, head, department, channels, minutes: float) -> Post:
    post = PostFactory(origin_department=department, channels=channels)
    wf.fast_track(post, cm)
    wf.approve(post, head)
    Post.objects.filter(pk=post.pk).update(
        scheduled_at=timezone.now() + dt.timedelta(minutes=minutes)
    )
    post.refresh_from_db()
    return post


def told(kind: str, post: Post) -> set[str]:
    return set(
        Notification.objects.filter(kind=kind, post=post).values_list(
            "recipient__username", flat=True
        )
    )


def test_refused_credentials_alert_the_cm_and_the_head_before_the_slot_once(
    cm, head, director, dept_a, instance, django_capture_on_commit_callbacks
):
    channel = mastodon(dept_a, instance, token="revoked-token")
    first = approved_post(cm, head, dept_a, [channel], minutes=5)
    second = approved_post(cm, head, dept_a, [channel], minutes=8)
    later = approved_post(cm, head, dept_a, [channel], minutes=30)  # not in the window

    with django_capture_on_commit_callbacks(execute=True):
        assert set(preflight.run_preflight()) == {first.pk, second.pk}
    checks = [r for r in instance.server.received if "verify_credentials" in r.path]
    assert len(checks) == 1  # cached per channel and credentials
    entry = AuditEntry.objects.get(action="preflight_problem", object_id=first.pk)
    assert "refused" in entry.comment and TOKEN not in entry.comment
    assert told(Kind.PREFLIGHT_PROBLEM, first) == {"cm", "head"}
    assert not told(Kind.PREFLIGHT_PROBLEM, later)

    with django_capture_on_commit_callbacks(execute=True):
        assert preflight.run_preflight() == []  # once per post and slot
    assert AuditEntry.objects.filter(action="preflight_problem").count() == 2
    assert Notification.objects.filter(kind=Kind.PREFLIGHT_PROBLEM).count() == 4


def test_working_credentials_raise_nothing(cm, head, dept_a, instance):
    channel = mastodon(dept_a, instance)
    approved_post(cm, head, dept_a, [channel], minutes=5)
    assert preflight.run_preflight() == []
    assert not PostAlert.objects.exists()


def test_content_no_longer_matching_its_approval_alerts(
    cm, head, dept_a, channel_a, django_capture_on_commit_callbacks
):
    post = approved_post(cm, head, dept_a, [channel_a], minutes=5)
    Post.objects.filter(pk=post.pk).update(body="Changé dans la base, sans approbation.")
    with django_capture_on_commit_callbacks(execute=True):
        assert preflight.run_preflight() == [post.pk]
        assert preflight.run_preflight() == []
    entry = AuditEntry.objects.get(action="preflight_problem")
    assert "differs from what was approved" in entry.comment
    assert told(Kind.PREFLIGHT_PROBLEM, post) == {"cm", "head"}


def test_a_blackout_period_at_the_slot_alerts(cm, head, dept_a, channel_a):
    post = approved_post(cm, head, dept_a, [channel_a], minutes=8)
    # Starting after now but before the slot; made directly, as if its hold was missed.
    Blackout.objects.create(
        name="Deuil national",
        starts_at=timezone.now() + dt.timedelta(minutes=6),
        ends_at=timezone.now() + dt.timedelta(hours=6),
        rule="forbid",
        created_by=head,
    )
    assert preflight.run_preflight() == [post.pk]
    assert "Deuil national" in AuditEntry.objects.get(action="preflight_problem").comment


def test_a_pause_alerts(cm, head, dept_a, channel_a):
    post = approved_post(cm, head, dept_a, [channel_a], minutes=8)
    wf.pause_publishing(head, "Crise en cours", channel=channel_a)
    assert preflight.run_preflight() == [post.pk]


def test_a_post_not_out_five_minutes_after_its_slot_alerts_once(
    cm, head, dept_a, channel_a, django_capture_on_commit_callbacks
):
    late = approved_post(cm, head, dept_a, [channel_a], minutes=-6)
    recent = approved_post(cm, head, dept_a, [channel_a], minutes=-4)
    with django_capture_on_commit_callbacks(execute=True):
        assert preflight.run_late_check() == [late.pk]
        assert preflight.run_late_check() == []
    assert told(Kind.POST_LATE, late) == {"cm", "head"}
    assert not told(Kind.POST_LATE, recent)
    # Given a new slot, it may be late again, and alerted again.
    Post.objects.filter(pk=late.pk).update(scheduled_at=timezone.now() - dt.timedelta(minutes=7))
    assert preflight.run_late_check() == [late.pk]


def test_the_late_check_follows_the_setting(cm, head, dept_a, channel_a, settings):
    settings.LATE_POST_MINUTES = 15
    approved_post(cm, head, dept_a, [channel_a], minutes=-6)
    assert preflight.run_late_check() == []


HOUR = dt.timedelta(hours=1)


def _queries(run) -> int:
    with CaptureQueriesContext(connection) as queries:
        run()
    return len(queries)


def test_the_checks_read_a_constant_number_of_queries(head, cm, dept_a, instance):
    channels = [mastodon(dept_a, instance), ChannelFactory(department=dept_a)]
    when = timezone.now() + dt.timedelta(minutes=5)
    approved_in_bulk(2, channels=channels, author=cm, approver=head, scheduled_at=when)
    few = _queries(preflight.run_preflight)
    cache.clear()
    approved_in_bulk(48, channels=channels, author=cm, approver=head, scheduled_at=when)
    assert _queries(preflight.run_preflight) == few

    # Late: 2 posts, then 50; the audit chain has begun, as on any site in use.
    wf.pause_publishing(head, "Test")
    PublishingPause.objects.update(ended_at=timezone.now())
    ids = list(Post.objects.order_by("pk").values_list("pk", flat=True))
    Post.objects.filter(pk__in=ids[:2]).update(scheduled_at=timezone.now() - HOUR)
    few = _queries(preflight.run_late_check)
    Post.objects.filter(pk__in=ids[2:]).update(scheduled_at=timezone.now() - 2 * HOUR)
    assert _queries(preflight.run_late_check) == few
    assert PostAlert.objects.filter(kind="late").count() == 50
