"""A post whose time comes while unapproved is never published: it is marked overdue."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.utils import timezone

from editorial import workflow as wf
from editorial.events import workflow_action
from editorial.models import AuditEntry, Post, PostState
from tests.factories import PostFactory

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=PARIS)


@pytest.fixture
def due_soon(writer_a, dept_a, channel_a, cm):
    """A post pending approval, due 2027-03-28 03:30 Paris: just after the spring DST
    change (02:00 -> 03:00), that is 01:30 UTC."""
    with time_machine.travel(at(2027, 3, 27, 12, 0), tick=False):
        post = PostFactory(
            author=writer_a,
            origin_department=dept_a,
            channels=[channel_a],
            scheduled_at=at(2027, 3, 28, 3, 30),
        )
        wf.fast_track(post, cm)
    return post


def test_a_post_not_yet_due_is_left_alone(due_soon):
    with time_machine.travel(datetime.datetime(2027, 3, 28, 1, 29, tzinfo=datetime.UTC)):
        assert wf.mark_overdue_posts() == 0


def test_an_unapproved_post_whose_time_passed_is_marked_overdue_once_by_the_system(
    due_soon, django_capture_on_commit_callbacks
):
    received = []
    workflow_action.connect(
        lambda **kw: received.append(kw["action"]), weak=False, dispatch_uid="overdue-test"
    )
    try:
        with (
            time_machine.travel(datetime.datetime(2027, 3, 28, 1, 31, tzinfo=datetime.UTC)),
            django_capture_on_commit_callbacks(execute=True),
        ):
            assert wf.mark_overdue_posts() == 1
            assert wf.mark_overdue_posts() == 0
    finally:
        workflow_action.disconnect(dispatch_uid="overdue-test")
    due_soon.refresh_from_db()
    assert due_soon.is_overdue
    assert due_soon.state == PostState.PENDING_APPROVAL
    entry = AuditEntry.objects.get(action="mark_overdue")
    assert (entry.actor, entry.actor_name) == (None, "system")
    assert received == ["mark_overdue"]


def test_an_overdue_post_cannot_be_approved(due_soon, head):
    with time_machine.travel(at(2027, 3, 28, 9, 0)):
        wf.mark_overdue_posts()
        due_soon.refresh_from_db()
        with pytest.raises(wf.NotReady):
            wf.approve(due_soon, head)
        assert due_soon.state == PostState.PENDING_APPROVAL


def test_an_approved_post_is_never_marked_overdue(due_soon, head):
    with time_machine.travel(at(2027, 3, 27, 13, 0)):
        wf.approve(due_soon, head)
    with time_machine.travel(at(2027, 3, 28, 9, 0)):
        assert wf.mark_overdue_posts() == 0


def test_rescheduling_an_overdue_post_lets_it_through_again(due_soon, cm, head):
    with time_machine.travel(at(2027, 3, 28, 9, 0)):
        wf.mark_overdue_posts()
        post = Post.objects.get(pk=due_soon.pk)
        wf.edit_post(post, cm, scheduled_at=at(2027, 3, 29, 10, 0))
        assert post.overdue_at is None
        wf.approve(post, head)
        assert post.state == PostState.APPROVED


def test_a_post_is_planned_in_the_week_of_its_local_time(writer_a, dept_a, channel_a, cm):
    # Monday 00:30 in Paris is still Sunday in UTC: the local week counts.
    with time_machine.travel(at(2027, 3, 20, 12, 0)):
        post = PostFactory(
            author=writer_a,
            origin_department=dept_a,
            channels=[channel_a],
            scheduled_at=at(2027, 3, 29, 0, 30),
        )
        assert timezone.localtime(post.scheduled_at, datetime.UTC).isocalendar()[1] == 12
        wf.plan_into_week(post, cm)
    assert (post.plan.iso_year, post.plan.iso_week) == (2027, 13)


def test_the_scheduler_runs_the_overdue_sweep_as_a_task(due_soon, settings):
    from editorial.tasks import sweep_overdue

    schedule = settings.CELERY_BEAT_SCHEDULE["sweep-overdue"]
    assert schedule["task"] == sweep_overdue.name
    with time_machine.travel(at(2027, 3, 28, 9, 0)):
        assert sweep_overdue.apply().get() == 1
