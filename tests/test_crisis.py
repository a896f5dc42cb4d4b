"""Crisis mode: pause publishing, raise the approval level; held posts are released one
by one by a person, never all at once on resume."""

import datetime

import pytest
from django.utils import timezone

from editorial import workflow as wf
from editorial.models import AuditEntry, Post, PostState, PublishingPause
from editorial.publishing import scheduler
from tests.factories import ChannelFactory, PostFactory


@pytest.fixture
def due(cm, head, dept_a, channel_a):
    post = PostFactory(origin_department=dept_a, channels=[channel_a])
    wf.fast_track(post, cm)
    wf.approve(post, head)
    Post.objects.filter(pk=post.pk).update(scheduled_at=timezone.now())
    post.refresh_from_db()
    return post


@pytest.fixture
def held(due, head):
    pause = wf.pause_publishing(head, "Attentat : communication suspendue")
    scheduler.sweep()
    due.refresh_from_db()
    assert due.held_at is not None
    return due, pause


@pytest.mark.django_db  # declared, so that pytest-django orders it before transactional tests
@pytest.mark.parametrize("persona", ["cm", "contrib_a", "admin_user", "outsider"])
def test_only_the_head_of_communication_or_the_director_pauses_publishing(persona, request):
    with pytest.raises(wf.ActionNotAllowed):
        wf.pause_publishing(request.getfixturevalue(persona), "Crise")
    assert not PublishingPause.objects.exists()


def test_a_pause_needs_a_reason_and_is_audited(head, director):
    with pytest.raises(wf.InvalidInput):
        wf.pause_publishing(head, "  ")
    pause = wf.pause_publishing(director, "Crise majeure")
    wf.resume_publishing(pause, head)
    actions = list(AuditEntry.objects.values_list("action", "actor__username", "comment"))
    assert actions == [("pause", "director", "Crise majeure"), ("resume", "head", "")]
    with pytest.raises(wf.InvalidState):
        wf.resume_publishing(pause, head)


def test_posts_held_during_a_pause_stay_held_after_resume(held, head):
    post, pause = held
    wf.resume_publishing(pause, head)
    assert scheduler.sweep().claimed == []
    assert list(wf.held_posts()) == [post]


def test_confirming_a_held_post_sends_it_now(held, head):
    post, pause = held
    wf.resume_publishing(pause, head)
    wf.confirm_held(post, head)
    assert post.held_at is None
    assert scheduler.sweep().claimed == [post.pk]
    assert AuditEntry.objects.filter(action="confirm_held", actor=head).exists()


def test_a_held_post_cannot_be_confirmed_while_the_pause_lasts(held, head):
    post, _pause = held
    with pytest.raises(wf.InvalidState):
        wf.confirm_held(post, head)


def test_a_held_post_can_be_rescheduled_instead(held, head):
    post, pause = held
    wf.resume_publishing(pause, head)
    with pytest.raises(wf.InvalidInput):
        wf.reschedule_held(post, head, timezone.now() - datetime.timedelta(minutes=1))
    later = timezone.now() + datetime.timedelta(hours=2)
    wf.reschedule_held(post, head, later)
    post.refresh_from_db()
    assert (post.held_at, post.scheduled_at, post.state) == (None, later, PostState.APPROVED)
    assert scheduler.sweep().claimed == []


def test_a_contributor_cannot_release_a_held_post(held, head, contrib_a):
    post, pause = held
    wf.resume_publishing(pause, head)
    with pytest.raises(wf.ActionNotAllowed):
        wf.confirm_held(post, contrib_a)


def test_in_crisis_mode_the_head_approval_goes_on_to_the_director(post_a, cm, head, director):
    wf.pause_publishing(director, "Crise", stops_publishing=False, requires_director=True)
    wf.fast_track(post_a, cm)
    wf.approve(post_a, head)
    assert post_a.state == PostState.PENDING_SIGNOFF


def test_in_crisis_mode_only_the_director_releases_a_held_post(due, head, director):
    wf.pause_publishing(director, "Crise", stops_publishing=False, requires_director=True)
    assert scheduler.sweep().held == [due.pk]
    due.refresh_from_db()
    with pytest.raises(wf.ActionNotAllowed):
        wf.confirm_held(due, head)
    wf.confirm_held(due, director)
    assert due.approvals.filter(level="director", voided_at__isnull=True).exists()
    assert scheduler.sweep().claimed == [due.pk]


def test_a_channel_pause_leaves_other_channels_publishing(due, head, dept_a):
    other = ChannelFactory(department=dept_a)
    wf.pause_publishing(head, "Compte compromis", channel=other)
    assert scheduler.sweep().claimed == [due.pk]
