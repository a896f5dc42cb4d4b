"""Weekly plans: one per team and week, approved in one action with returned items."""

import pytest
from django.db import IntegrityError, transaction

from editorial import workflow as wf
from editorial.models import AuditEntry, Comment, PlanState, PostState, WeeklyPlan
from tests.factories import PostFactory, shown_items

S = PostState


def test_there_is_one_plan_per_team_and_week(national, cm):
    first = wf.plan_for_week(national, 2030, 12, cm)
    assert wf.plan_for_week(national, 2030, 12, cm) == first
    with pytest.raises(IntegrityError), transaction.atomic():
        WeeklyPlan.objects.create(team=national, iso_year=2030, iso_week=12, created_by=cm)


def test_submitting_a_plan_sends_every_planned_item_for_approval(week):
    plan, posts = week
    assert plan.state == PlanState.SUBMITTED
    assert {p.state for p in posts} == {S.PENDING_APPROVAL}


def test_an_empty_plan_cannot_be_submitted(national, cm):
    plan = wf.plan_for_week(national, 2030, 13, cm)
    with pytest.raises(wf.NotReady):
        wf.submit_plan(plan, cm)


def test_approving_a_plan_approves_all_but_the_returned_items_and_escalates_sensitive_ones(
    week, head
):
    plan, posts = week
    wf.approve_plan(
        plan,
        head,
        shown=shown_items(plan),
        returns={posts[0].pk: "Date à revoir.", posts[1].pk: "Ajoutez une image."},
    )
    plan.refresh_from_db()
    for post in posts:
        post.refresh_from_db()
    assert plan.state == PlanState.APPROVED
    assert plan.reviewed_by == head
    assert [p.state for p in posts] == [
        S.CHANGES_REQUESTED,
        S.CHANGES_REQUESTED,
        S.APPROVED,
        S.PENDING_SIGNOFF,
    ]
    assert Comment.objects.get(post=posts[0]).body == "Date à revoir."
    assert Comment.objects.get(post=posts[1]).body == "Ajoutez une image."
    actions = list(
        AuditEntry.objects.filter(
            action__in=["approve_plan", "approve", "request_changes"]
        ).values_list("action", flat=True)
    )
    assert actions == ["approve_plan", "request_changes", "request_changes", "approve", "approve"]


def test_a_returned_item_without_a_comment_stops_the_whole_approval(week, head):
    plan, posts = week
    with pytest.raises(wf.InvalidInput):
        wf.approve_plan(plan, head, shown=shown_items(plan), returns={posts[0].pk: " "})
    plan.refresh_from_db()
    assert plan.state == PlanState.SUBMITTED
    assert not posts[1].approvals.exists()


def test_returning_an_item_outside_the_plan_is_refused(week, head, post_a):
    plan, _posts = week
    with pytest.raises(wf.InvalidInput):
        wf.approve_plan(plan, head, shown=shown_items(plan), returns={post_a.pk: "?"})


def test_the_head_cannot_approve_a_plan_holding_an_item_he_last_edited(week, head, cm):
    plan, posts = week
    wf.edit_post(posts[2], head, body="Retouché par le chef.")
    wf.plan_into_week(posts[2], cm, plan=plan)  # back in the plan, and so under review again
    with pytest.raises(wf.ActionNotAllowed) as error:
        wf.approve_plan(plan, head, shown=shown_items(plan))
    assert posts[2].title in str(error.value)
    plan.refresh_from_db()
    assert plan.state == PlanState.SUBMITTED
    assert not posts[0].approvals.exists()


def test_the_head_may_return_that_item_and_approve_the_rest(week, head, cm):
    plan, posts = week
    wf.edit_post(posts[2], head, body="Retouché par le chef.")
    wf.plan_into_week(posts[2], cm, plan=plan)
    returns = {posts[2].pk: "À relire par quelqu'un d'autre."}
    wf.approve_plan(plan, head, shown=shown_items(plan), returns=returns)
    posts[0].refresh_from_db()
    assert posts[0].state == S.APPROVED


def test_returning_the_whole_plan_puts_its_items_back_in_the_plan(week, head, cm):
    plan, _posts = week
    with pytest.raises(wf.InvalidInput):
        wf.return_plan(plan, head, "")
    wf.return_plan(plan, head, "Trop de messages mardi.")
    plan.refresh_from_db()
    assert plan.state == PlanState.RETURNED
    assert {p.state for p in plan.posts.all()} == {S.PLANNED}
    wf.submit_plan(plan, cm)
    assert {p.state for p in plan.posts.all()} == {S.PENDING_APPROVAL}


def test_a_post_planned_into_an_approved_week_goes_straight_to_review(
    week, head, cm, writer_a, dept_a, channel_a
):
    plan, _posts = week
    wf.approve_plan(plan, head, shown=shown_items(plan))
    late = PostFactory(author=writer_a, origin_department=dept_a, channels=[channel_a])
    wf.plan_into_week(late, cm, plan=plan)
    late.refresh_from_db()
    assert late.state == S.PENDING_APPROVAL
    actions = list(
        AuditEntry.objects.filter(object_id=late.pk, object_type="editorial.post").values_list(
            "action", "to_state"
        )
    )
    assert actions == [("plan_into_week", "planned"), ("send_for_approval", "pending_approval")]


# --- placing a post on the board -------------------------------------------------------


def test_placing_a_submission_on_the_board_sets_its_time_and_accepts_it(cm, writer_a, dept_a):
    from tests.factories import in_days

    post = PostFactory(author=writer_a, origin_department=dept_a, scheduled_at=in_days(5))
    wf.submit(post, writer_a)
    at = in_days(9)
    wf.place_on_board(post, cm, at)
    post.refresh_from_db()
    assert (post.state, post.scheduled_at) == (PostState.PLANNED, at)
    actions = list(AuditEntry.objects.filter(object_id=post.pk).values_list("action", flat=True))
    assert actions[-2:] == ["edit", "accept"]


def test_a_placement_that_is_refused_keeps_the_former_time(contrib_a, writer_a, dept_a):
    from tests.factories import in_days

    before = in_days(5)
    post = PostFactory(author=writer_a, origin_department=dept_a, scheduled_at=before)
    wf.submit(post, writer_a)
    entries = AuditEntry.objects.count()
    with pytest.raises(wf.ActionNotAllowed):
        wf.place_on_board(post, contrib_a, in_days(9))  # a contributor does not plan
    post.refresh_from_db()
    assert (post.state, post.scheduled_at) == (PostState.SUBMITTED, before)
    assert AuditEntry.objects.count() == entries
