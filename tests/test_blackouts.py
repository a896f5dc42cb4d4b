"""Blackout periods: nothing may be scheduled inside a `forbid` one, wherever a time is
set; everything inside a `signoff` one needs the director; approved posts already
inside a new period are held and their owners told; the publisher's claim refuses a
post inside an active `forbid` period even if no hold was made."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from editorial import workflow as wf
from editorial.models import (
    AuditEntry,
    Blackout,
    BlackoutRule,
    BlackoutScope,
    Post,
    PostState,
    PublicationState,
)
from editorial.publishing import claims, scheduler
from notifications.models import Kind, Notification
from tests.factories import ChannelFactory, PostFactory, UserFactory

H = dt.timedelta(hours=1)
PARIS = ZoneInfo("Europe/Paris")


def period(user, start, end, rule=BlackoutRule.FORBID, **more):
    return wf.create_blackout(
        user, name="Réserve électorale", starts_at=start, ends_at=end, rule=rule, **more
    )


def soon(hours: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=hours)


# --- who -----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["cm", "contrib_a", "outsider"])
def test_only_heads_directors_and_administrators_create_a_period(persona, request):
    with pytest.raises(wf.ActionNotAllowed):
        period(request.getfixturevalue(persona), soon(1), soon(5))
    assert not Blackout.objects.exists()


@pytest.mark.parametrize("persona", ["head", "director", "admin_user"])
def test_a_head_a_director_or_an_administrator_creates_one_audited(persona, request):
    user = request.getfixturevalue(persona)
    created = period(user, soon(1), soon(5), reason="Élections")
    entry = AuditEntry.objects.get(action="blackout_create")
    assert (entry.actor, entry.object_id, entry.comment) == (user, created.pk, "Élections")


def test_a_period_must_end_after_it_starts_and_in_the_future(head):
    with pytest.raises(wf.InvalidInput):
        period(head, soon(5), soon(1))
    with pytest.raises(wf.InvalidInput):
        period(head, soon(-5), soon(-1))
    with pytest.raises(wf.InvalidInput):
        period(head, soon(1), soon(2), scope=BlackoutScope.CHANNELS)  # which channels?
    assert not Blackout.objects.exists()


def test_a_cm_cannot_change_or_end_a_period(head, cm):
    created = period(head, soon(1), soon(5))
    with pytest.raises(wf.ActionNotAllowed):
        wf.end_blackout(created, cm)
    with pytest.raises(wf.ActionNotAllowed):
        wf.change_blackout(created, cm, name="x", starts_at=soon(1), ends_at=soon(2), rule="forbid")
    wf.end_blackout(created, head)
    with pytest.raises(wf.InvalidState):
        wf.end_blackout(created, head)


# --- forbid: refused wherever a time is set --------------------------------------------


def test_the_editor_refuses_a_time_inside_a_forbidden_period(head, writer_a, post_a):
    period(head, soon(10), soon(20))
    before = post_a.scheduled_at
    with pytest.raises(wf.InvalidInput, match="Réserve électorale"):
        wf.edit_post(post_a, writer_a, scheduled_at=soon(12))
    post_a.refresh_from_db()
    assert post_a.scheduled_at == before
    wf.edit_post(post_a, writer_a, scheduled_at=soon(21))  # just after: fine


def test_the_calendar_refuses_a_move_inside_a_forbidden_period(head, writer_a, post_a):
    period(head, soon(10), soon(20))
    with pytest.raises(wf.InvalidInput, match="nothing may be published"):
        wf.reschedule(post_a, writer_a, soon(15))
    wf.reschedule(post_a, writer_a, soon(9))


def test_approval_is_refused_for_a_post_inside_a_forbidden_period(head, pending):
    Post.objects.filter(pk=pending.pk).update(scheduled_at=soon(15))
    pending.refresh_from_db()
    period(head, soon(10), soon(20))
    with pytest.raises(wf.InvalidState, match="Réserve électorale"):
        wf.approve(pending, head)
    pending.refresh_from_db()
    assert pending.state == PostState.PENDING_APPROVAL
    assert AuditEntry.objects.filter(action="approval_refused").exists()


def test_a_department_scoped_period_does_not_touch_another_department(
    head, dept_a, dept_b, writer_a, contrib_b, post_a
):
    period(head, soon(10), soon(20), scope=BlackoutScope.DEPARTMENTS, departments=[dept_a])
    with pytest.raises(wf.InvalidInput):
        wf.reschedule(post_a, writer_a, soon(15))
    other = PostFactory(
        author=contrib_b, origin_department=dept_b, channels=[ChannelFactory(department=dept_b)]
    )
    wf.reschedule(other, contrib_b, soon(15))
    other.refresh_from_db()
    assert abs(other.scheduled_at - soon(15)) < dt.timedelta(minutes=1)


def test_a_channel_scoped_period_concerns_only_posts_on_that_channel(
    head, dept_a, writer_a, post_a, channel_a
):
    other_channel = ChannelFactory(department=dept_a)
    period(head, soon(10), soon(20), scope=BlackoutScope.CHANNELS, channels=[other_channel])
    wf.reschedule(post_a, writer_a, soon(15))  # on channel_a: not concerned
    with pytest.raises(wf.InvalidInput):
        wf.edit_post(post_a, writer_a, channels=[channel_a, other_channel])


def test_an_ended_period_no_longer_refuses(head, writer_a, post_a):
    created = period(head, soon(10), soon(20))
    wf.end_blackout(created, head)
    wf.reschedule(post_a, writer_a, soon(15))


# --- a period created over approved posts holds them -----------------------------------


def test_a_new_period_holds_approved_posts_inside_and_tells_their_owners(
    head, cm, approved, writer_a, django_capture_on_commit_callbacks
):
    Post.objects.filter(pk=approved.pk).update(scheduled_at=soon(15))
    outside = PostFactory(origin_department=approved.origin_department, scheduled_at=soon(30))
    wf.fast_track(outside, cm)
    wf.approve(outside, head)
    with django_capture_on_commit_callbacks(execute=True):
        created = period(head, soon(10), soon(20))
    approved.refresh_from_db()
    outside.refresh_from_db()
    assert approved.held_at is not None and outside.held_at is None
    assert "Réserve électorale" in str(wf.held_posts().get().held_reason)
    assert created.held_ids == [approved.pk]
    told = Notification.objects.filter(kind=Kind.HELD, post=approved)
    assert writer_a.pk in set(told.values_list("recipient", flat=True))
    # Ending the period does not release it: a person confirms or reschedules it.
    wf.end_blackout(created, head)
    approved.refresh_from_db()
    assert approved.held_at is not None
    with pytest.raises(wf.InvalidInput):
        wf.reschedule_held(approved, head, soon(-1))
    wf.reschedule_held(approved, head, soon(25))


def test_a_held_post_cannot_be_rescheduled_into_the_period(head, approved):
    Post.objects.filter(pk=approved.pk).update(scheduled_at=soon(15))
    period(head, soon(10), soon(20))
    approved.refresh_from_db()
    with pytest.raises(wf.InvalidInput, match="Réserve électorale"):
        wf.reschedule_held(approved, head, soon(11))


def test_extending_a_period_holds_the_posts_it_now_covers(head, approved):
    Post.objects.filter(pk=approved.pk).update(scheduled_at=soon(25))
    created = period(head, soon(10), soon(20))
    approved.refresh_from_db()
    assert approved.held_at is None
    wf.change_blackout(
        created, head, name=created.name, starts_at=soon(10), ends_at=soon(30), rule="forbid"
    )
    approved.refresh_from_db()
    assert approved.held_at is not None
    assert AuditEntry.objects.filter(action="blackout_change").count() == 1


# --- signoff: the director signs off everything inside ---------------------------------


def test_inside_a_signoff_period_an_approved_post_awaits_the_director(
    head, director, pending, django_capture_on_commit_callbacks
):
    Post.objects.filter(pk=pending.pk).update(scheduled_at=soon(15))
    pending.refresh_from_db()
    period(head, soon(10), soon(20), rule=BlackoutRule.SIGNOFF)
    with django_capture_on_commit_callbacks(execute=True):
        wf.approve(pending, head)
    pending.refresh_from_db()
    assert pending.state == PostState.PENDING_SIGNOFF
    assert Notification.objects.filter(kind=Kind.AWAITS_SIGNOFF, recipient=director).exists()
    wf.sign_off(pending, director)
    pending.refresh_from_db()
    assert pending.state == PostState.APPROVED


def test_outside_a_signoff_period_the_head_approval_suffices(head, pending):
    period(head, soon(100), soon(110), rule=BlackoutRule.SIGNOFF)
    wf.approve(pending, head)
    pending.refresh_from_db()
    assert pending.state == PostState.APPROVED


def test_moving_an_approved_post_into_a_signoff_period_sends_it_to_the_director(head, approved):
    period(head, soon(10), soon(20), rule=BlackoutRule.SIGNOFF)
    wf.reschedule(approved, head, soon(15))
    approved.refresh_from_db()
    assert approved.state == PostState.PENDING_SIGNOFF


def test_a_signoff_period_holds_approved_posts_the_director_has_not_signed(
    head, director, approved, cm
):
    Post.objects.filter(pk=approved.pk).update(scheduled_at=soon(15))
    signed = PostFactory(origin_department=approved.origin_department, scheduled_at=soon(16))
    wf.fast_track(signed, cm)
    wf.approve(signed, director)  # the director's own approval is the sign-off
    period(head, soon(10), soon(20), rule=BlackoutRule.SIGNOFF)
    approved.refresh_from_db()
    signed.refresh_from_db()
    assert approved.held_at is not None
    assert signed.held_at is None


# --- the publisher -----------------------------------------------------------------------


def test_the_sweep_holds_a_due_post_inside_an_active_forbidden_period(head, approved):
    Post.objects.filter(pk=approved.pk).update(scheduled_at=timezone.now())
    # Made directly, as if its hold had been missed: the sweep holds it.
    Blackout.objects.create(
        name="Deuil national", starts_at=soon(-1), ends_at=soon(5), rule="forbid", created_by=head
    )
    result = scheduler.sweep()
    assert result.claimed == [] and result.held == [approved.pk]


def test_the_claim_refuses_a_publication_inside_an_active_forbidden_period(
    head, cm, dept_a, dept_b, channel_a
):
    from tests.test_publishing_sender import claimed_post

    post = claimed_post(cm, head, dept_a, [channel_a])
    publication = post.publications.get()
    publication.channel = channel_a
    mourning = Blackout.objects.create(
        name="Deuil national",
        starts_at=soon(-1),
        ends_at=soon(5),
        rule="forbid",
        scope=BlackoutScope.DEPARTMENTS,
        created_by=head,
    )
    mourning.departments.set([dept_b])
    assert claims.claim_to_send(publication, timezone.now())  # another department's
    publication.refresh_from_db()
    type(publication).objects.filter(pk=publication.pk).update(state=PublicationState.QUEUED)
    mourning.departments.set([dept_a])
    assert not claims.claim_to_send(publication, timezone.now())
    mourning.scope = BlackoutScope.ALL
    mourning.save()
    assert not claims.claim_to_send(publication, timezone.now())
    mourning.scope, mourning.rule = BlackoutScope.CHANNELS, BlackoutRule.FORBID
    mourning.save()
    mourning.channels.set([channel_a])
    assert not claims.claim_to_send(publication, timezone.now())
    mourning.ended_at = timezone.now()
    mourning.save()
    assert claims.claim_to_send(publication, timezone.now())


# --- time: given in local time, across the spring DST change ----------------------------


def test_a_period_given_in_local_time_across_the_spring_change(head, writer_a, post_a):
    # 2027-03-28: Paris moves from UTC+1 to UTC+2 at 02:00 local.
    start = dt.datetime(2027, 3, 27, 22, 0, tzinfo=PARIS)  # 21:00 UTC
    end = dt.datetime(2027, 3, 28, 12, 0, tzinfo=PARIS)  # 10:00 UTC (summer time)
    created = period(head, start, end)
    created.refresh_from_db()
    assert created.starts_at == dt.datetime(2027, 3, 27, 21, 0, tzinfo=dt.UTC)
    assert created.ends_at == dt.datetime(2027, 3, 28, 10, 0, tzinfo=dt.UTC)
    with pytest.raises(wf.InvalidInput):
        wf.reschedule(post_a, writer_a, dt.datetime(2027, 3, 28, 11, 30, tzinfo=PARIS))
    # 12:30 local is 10:30 UTC: after the end, though 11:30 UTC would be inside had the
    # offset not changed.
    wf.reschedule(post_a, writer_a, dt.datetime(2027, 3, 28, 12, 30, tzinfo=PARIS))
    with pytest.raises(wf.InvalidInput):
        wf.reschedule(post_a, writer_a, dt.datetime(2027, 3, 28, 1, 30, tzinfo=PARIS))


def test_a_superuser_manages_periods_as_in_the_admin(db):
    """A superuser manages periods as in the admin."""
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    assert period(root, soon(1), soon(2)).created_by == root


def test_a_held_post_cannot_be_confirmed_while_a_forbidden_period_is_on(head, approved):
    Post.objects.filter(pk=approved.pk).update(scheduled_at=soon(0.5))
    period(head, soon(-1), soon(5))
    approved.refresh_from_db()
    assert approved.held_at is not None
    with pytest.raises(wf.InvalidState, match="Réserve électorale"):
        wf.confirm_held(approved, head)


def test_inside_an_active_signoff_period_only_the_director_releases_a_held_post(
    head, director, approved
):
    Post.objects.filter(pk=approved.pk).update(scheduled_at=soon(0.5))
    period(head, soon(-1), soon(5), rule=BlackoutRule.SIGNOFF)
    approved.refresh_from_db()
    with pytest.raises(wf.ActionNotAllowed):
        wf.confirm_held(approved, head)
    wf.confirm_held(approved, director)
    assert scheduler.sweep().claimed == [approved.pk]  # signed off: goes out


def test_a_conversation_post_inside_a_signoff_period_cannot_skip_approval(head, cm, national):
    post = PostFactory(
        author=cm, origin_department=national, category="conversation", scheduled_at=soon(15)
    )
    period(head, soon(10), soon(20), rule=BlackoutRule.SIGNOFF)
    with pytest.raises(wf.InvalidState, match="director"):
        wf.self_approve(post, cm)


def test_a_plan_with_an_item_inside_a_forbidden_period_is_not_approved(head, week):
    from tests.factories import shown_items

    plan, posts = week
    Post.objects.filter(pk=posts[1].pk).update(scheduled_at=soon(15))
    period(head, soon(10), soon(20))
    with pytest.raises(wf.InvalidState) as refused:
        wf.approve_plan(plan, head, shown=shown_items(plan))
    [problem] = refused.value.problems  # named item by item
    assert problem.startswith("Item 1: ") and "Réserve électorale" in problem
    assert not Post.objects.filter(state=PostState.APPROVED).exists()
    # Returned with a comment, the others go through.
    wf.approve_plan(plan, head, shown=shown_items(plan), returns={posts[1].pk: "Après la réserve"})
    assert Post.objects.filter(state=PostState.APPROVED).count() == 2  # Item 3 to the director


def test_a_new_post_cannot_be_created_at_a_time_inside_a_forbidden_period(
    head, writer_a, dept_a, channel_a
):
    period(head, soon(10), soon(20))
    with pytest.raises(wf.InvalidInput, match="Réserve électorale"):
        wf.create_post(
            writer_a,
            department=dept_a,
            channels=[channel_a],
            title="Titre",
            body="Texte",
            category="prevention",
            scheduled_at=soon(12),
        )
    assert not Post.objects.exists()
