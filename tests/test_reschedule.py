"""Moving a post to another time: who may, from which states, and what it does to an
approval (nothing, except for a sensitive post, which goes back to the director)."""

import datetime

import pytest
from django.utils import timezone

from editorial import workflow as wf
from editorial.audit import entries_for
from editorial.content import content_matches_approval
from editorial.events import workflow_action
from editorial.models import Post, PostState
from editorial.workflow.schedule import deny_reschedule

S = PostState


def later(days: float = 5) -> datetime.datetime:
    return (timezone.now() + datetime.timedelta(days=days)).replace(microsecond=0)


@pytest.fixture
def signed_off(pending, cm, head, director):
    wf.mark_sensitive(pending, cm, "Affaire judiciaire.")
    wf.approve(pending, head)
    wf.sign_off(pending, director)
    assert pending.state == S.APPROVED
    return pending


def test_a_contributor_moves_a_draft_of_their_department(post_a, contrib_a):
    when = later()
    wf.reschedule(post_a, contrib_a, when)
    post_a.refresh_from_db()
    assert post_a.scheduled_at == when
    assert post_a.state == S.DRAFT


def test_a_contributor_of_another_department_may_not_move_the_post(post_a, contrib_b):
    before = post_a.scheduled_at
    with pytest.raises(wf.ActionNotAllowed) as error:
        wf.reschedule(post_a, contrib_b, later())
    assert error.value.status == 403
    post_a.refresh_from_db()
    assert post_a.scheduled_at == before
    assert not entries_for(post_a).filter(action="reschedule").exists()


def test_a_user_without_an_editing_role_may_not_move_a_post(post_a, outsider):
    with pytest.raises(wf.ActionNotAllowed):
        wf.reschedule(post_a, outsider, later())


def test_the_author_may_move_their_own_approved_post_four_eyes_does_not_apply(approved, writer_a):
    wf.reschedule(approved, writer_a, later())
    approved.refresh_from_db()
    assert approved.state == S.APPROVED
    assert approved.last_editor == writer_a  # unchanged: moving is not rewriting


def test_moving_a_post_is_audited_with_the_old_and_new_times_in_utc(post_a, cm):
    old, new = post_a.scheduled_at, later()
    wf.reschedule(post_a, cm, new)
    entry = entries_for(post_a).get(action="reschedule")
    assert entry.actor == cm
    assert entry.data["from"] == old.astimezone(datetime.UTC).isoformat()
    assert entry.data["to"] == new.astimezone(datetime.UTC).isoformat()
    assert entry.data["to"].endswith("+00:00")
    assert (entry.from_state, entry.to_state) == (S.DRAFT, S.DRAFT)


def test_moving_a_post_sends_one_workflow_signal(post_a, cm, django_capture_on_commit_callbacks):
    received = []

    def listener(sender, **kwargs):
        received.append(kwargs["action"])

    workflow_action.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            wf.reschedule(post_a, cm, later())
    finally:
        workflow_action.disconnect(listener)
    assert received == ["reschedule"]


def test_a_non_sensitive_approved_post_stays_approved_when_moved(approved, cm):
    wf.reschedule(approved, cm, later(6))
    approved.refresh_from_db()
    assert approved.state == S.APPROVED
    assert approved.approvals.get().voided_at is None
    assert content_matches_approval(approved)


def test_a_sensitive_approved_post_goes_back_to_the_director_when_moved(signed_off, cm):
    wf.reschedule(signed_off, cm, later(6))
    signed_off.refresh_from_db()
    assert signed_off.state == S.PENDING_SIGNOFF
    director_approval = signed_off.approvals.get(level="director")
    head_approval = signed_off.approvals.get(level="head")
    assert director_approval.voided_at is not None
    assert head_approval.voided_at is None  # the content is unchanged: the head's holds
    entry = entries_for(signed_off).get(action="reschedule")
    assert (entry.from_state, entry.to_state) == (S.APPROVED, S.PENDING_SIGNOFF)
    assert entry.data["signoff_voided"] == 1


def test_the_director_signs_off_the_new_time_of_a_moved_sensitive_post(signed_off, cm, director):
    wf.reschedule(signed_off, cm, later(6))
    wf.sign_off(signed_off, director)
    assert signed_off.state == S.APPROVED


def test_a_post_under_review_can_be_moved_and_stays_under_review(pending, cm):
    wf.reschedule(pending, cm, later())
    pending.refresh_from_db()
    assert pending.state == S.PENDING_APPROVAL


def test_a_time_in_the_past_is_refused(post_a, cm):
    with pytest.raises(wf.InvalidInput) as error:
        wf.reschedule(post_a, cm, timezone.now() - datetime.timedelta(hours=1))
    assert error.value.status == 400
    assert "future" in str(error.value)


def test_a_time_without_a_zone_is_refused(post_a, cm):
    with pytest.raises(wf.InvalidInput):
        wf.reschedule(post_a, cm, datetime.datetime(2030, 1, 1, 10, 0))


@pytest.mark.parametrize("state", [S.PUBLISHING, S.PUBLISHED, S.FAILED, S.CANCELLED])
def test_a_post_that_went_out_or_was_called_off_cannot_be_moved(approved, cm, state):
    Post.objects.filter(pk=approved.pk).update(state=state)
    approved.refresh_from_db()
    with pytest.raises(wf.InvalidState) as error:
        wf.reschedule(approved, cm, later())
    assert error.value.status == 409


def test_a_stale_copy_is_refused_and_reloaded(approved, cm):
    stale = Post.objects.get(pk=approved.pk)
    first_move = later(4)
    wf.reschedule(approved, cm, first_move)
    with pytest.raises(wf.StaleObject):
        wf.reschedule(stale, cm, later(8))
    approved.refresh_from_db()
    assert approved.scheduled_at == stale.scheduled_at == first_move


def test_a_copy_whose_state_moved_on_is_refused(pending, cm, head):
    stale = Post.objects.get(pk=pending.pk)
    wf.approve(pending, head)
    with pytest.raises(wf.StaleObject):
        wf.reschedule(stale, cm, later())
    assert stale.state == S.APPROVED  # reloaded: the page shows what is stored


def test_a_held_post_is_released_from_the_crisis_page_not_the_calendar(approved, head):
    Post.objects.filter(pk=approved.pk).update(held_at=timezone.now(), held_reason="Pause")
    approved.refresh_from_db()
    with pytest.raises(wf.InvalidState) as error:
        wf.reschedule(approved, head, later())
    assert "crisis" in str(error.value)
    assert deny_reschedule(approved, head) == str(error.value)


def test_an_overdue_post_moved_into_the_future_is_no_longer_overdue(post_a, cm):
    Post.objects.filter(pk=post_a.pk).update(overdue_at=timezone.now())
    post_a.refresh_from_db()
    wf.reschedule(post_a, cm, later())
    post_a.refresh_from_db()
    assert post_a.overdue_at is None


def test_deny_reschedule_answers_without_querying(post_a, contrib_b, cm, django_assert_num_queries):
    from accounts.scope import department_ids_of, roles_of

    for user in (contrib_b, cm):
        roles_of(user), department_ids_of(user)
    with django_assert_num_queries(0):
        assert deny_reschedule(post_a, cm) is None
        assert deny_reschedule(post_a, contrib_b)


def test_a_new_time_typed_in_the_editor_also_sends_a_signed_off_post_back(signed_off, cm):
    wf.edit_post(signed_off, cm, scheduled_at=later(8))
    signed_off.refresh_from_db()
    assert signed_off.state == S.PENDING_SIGNOFF
    assert not signed_off.approvals.filter(voided_at__isnull=True, level="director").exists()
    assert signed_off.approvals.filter(voided_at__isnull=True, level="head").exists()


def test_an_edit_that_keeps_the_time_keeps_the_sign_off(signed_off, cm):
    wf.edit_post(signed_off, cm, title="Renamed, same content and time")
    signed_off.refresh_from_db()
    assert signed_off.state == S.APPROVED
