"""Every workflow action × every role × the post's own or another department.

For each action a fresh post (or plan) of department A or B is brought to the action's
source state by the people who normally do it; then one persona tries the action.
Allowed: the state moves and exactly one audit entry names the persona. Denied: an
ActionNotAllowed error, nothing changes, nothing is audited. The buttons
(`available_actions`) always agree with the outcome.
"""

import datetime

import pytest
from django.utils import timezone

from accounts.roles import Role
from editorial import workflow as wf
from editorial.models import AuditEntry, Category, Post, PostState, WeeklyPlan
from editorial.permissions import PLAN_RULES, POST_RULES
from editorial.publishing import scheduler, sender
from editorial.workflow.catalog import PLAN_ACTIONS, POST_ACTIONS
from tests.factories import ChannelFactory, PostFactory, UserFactory, shown_items
from tests.loopback import LoopbackChannel, Reply
from tests.test_publishing_sender import claimed_post, webhook

S = PostState
PERSONAS = ["cm", "head", "director", "admin", "contrib_a", "contrib_b", "outsider"]
NATIONAL = {"cm", "head", "director"}

# action: (source state, roles allowed, what the action does, expected target state)
# "contrib" means a contributor of the post's own department. A source written
# "failed", "held", "overdue" or "conversation" is a post brought there as described in
# `bring_post_to`.
POST_MATRIX = {
    "submit": (S.DRAFT, {"contrib"}, lambda p, u: wf.submit(p, u), S.SUBMITTED),
    "accept": (S.SUBMITTED, {"cm"}, lambda p, u: wf.accept(p, u), S.PLANNED),
    "return_submission": (
        S.SUBMITTED,
        {"cm"},
        lambda p, u: wf.return_submission(p, u, "Précisez la date."),
        S.CHANGES_REQUESTED,
    ),
    "plan_into_week": (S.DRAFT, {"cm"}, lambda p, u: wf.plan_into_week(p, u), S.PLANNED),
    "fast_track": (S.DRAFT, {"cm", "head"}, lambda p, u: wf.fast_track(p, u), S.PENDING_APPROVAL),
    "approve": (
        S.PENDING_APPROVAL,
        {"head", "director"},
        lambda p, u: wf.approve(p, u),
        S.APPROVED,
    ),
    "request_changes": (
        S.PENDING_APPROVAL,
        {"head", "director"},
        lambda p, u: wf.request_changes(p, u, "Le ton ne convient pas."),
        S.CHANGES_REQUESTED,
    ),
    "sign_off": (S.PENDING_SIGNOFF, {"director"}, lambda p, u: wf.sign_off(p, u), S.APPROVED),
    "return_signoff": (
        S.PENDING_SIGNOFF,
        {"director"},
        lambda p, u: wf.request_changes(p, u, "Trop tôt pour communiquer."),
        S.CHANGES_REQUESTED,
    ),
    "cancel": (
        S.DRAFT,
        {"cm", "head", "director", "contrib"},
        lambda p, u: wf.cancel(p, u),
        S.CANCELLED,
    ),
    "edit_approved": (
        S.APPROVED,
        {"cm", "head", "director", "contrib"},
        lambda p, u: wf.edit_post(p, u, body="Nouveau texte."),
        S.DRAFT,
    ),
    "mark_sensitive": (
        S.PENDING_APPROVAL,
        {"cm", "head", "director", "contrib"},
        lambda p, u: wf.mark_sensitive(p, u, "Affaire judiciaire en cours."),
        S.PENDING_APPROVAL,
    ),
    # The head approved it: the director's word completes the approval; the head's own
    # lift sends it back for another approver.
    "lift_sensitivity": (
        S.PENDING_SIGNOFF,
        {"head", "director"},
        lambda p, u: wf.lift_sensitivity(p, u, "Information déjà publique."),
        {"director": S.APPROVED, "head": S.PENDING_APPROVAL},
    ),
    "self_approve": (
        "conversation",
        {"cm"},
        lambda p, u: wf.self_approve(p, u),
        S.APPROVED,
    ),
    "comment": (
        S.DRAFT,
        {"cm", "head", "director", "admin", "contrib"},
        lambda p, u: wf.comment(p, u, "Vu, merci."),
        S.DRAFT,
    ),
    "retry_failed": ("failed", {"cm", "head"}, lambda p, u: wf.retry_failed(p, u), S.PUBLISHING),
    "copy_to_draft": (
        "failed",
        {"cm", "head", "director", "contrib"},
        lambda p, u: wf.copy_to_draft(p, u),
        S.FAILED,
    ),
    "confirm_held": ("held", {"head", "director"}, lambda p, u: wf.confirm_held(p, u), S.APPROVED),
    "reschedule_held": (
        "held",
        {"head", "director"},
        lambda p, u: wf.reschedule_held(p, u, timezone.now() + datetime.timedelta(days=2)),
        S.APPROVED,
    ),
    "reschedule": (
        "overdue",
        {"cm", "head", "director", "contrib"},
        lambda p, u: wf.reschedule(p, u, timezone.now() + datetime.timedelta(days=2)),
        S.PENDING_APPROVAL,
    ),
}
# Which catalogued action each matrix row exercises, where it is not the row's name.
BUTTON = {"return_signoff": "request_changes", "edit_approved": "edit"}
PLAN_MATRIX = {
    "submit_plan": ("draft", {"cm"}, lambda pl, u: wf.submit_plan(pl, u), "submitted"),
    "approve_plan": (
        "submitted",
        {"head", "director"},
        lambda pl, u: wf.approve_plan(pl, u, shown=shown_items(pl)),
        "approved",
    ),
    "return_plan": (
        "submitted",
        {"head", "director"},
        lambda pl, u: wf.return_plan(pl, u, "Semaine trop chargée."),
        "returned",
    ),
}


@pytest.fixture
def refusing():
    """A network that refuses every post: what makes a post fail."""
    with LoopbackChannel(respond=lambda request: Reply(status=422, body={"error": "no"})) as server:
        yield server


@pytest.fixture
def people(
    cm, head, director, admin_user, contrib_a, contrib_b, outsider, dept_a, dept_b, refusing
):
    writer_b = UserFactory(username="writer13", role=Role.CONTRIBUTOR, department=dept_b)
    return {
        "cm": cm,
        "head": head,
        "director": director,
        "admin": admin_user,
        "contrib_a": contrib_a,
        "contrib_b": contrib_b,
        "outsider": outsider,
        "refusing": refusing,
        "writers": {
            "a": (
                dept_a,
                UserFactory(username="writer67b", role=Role.CONTRIBUTOR, department=dept_a),
            ),
            "b": (dept_b, writer_b),
        },
    }


def bring_post_to(state, people, dept_key):
    """A post of the department, written by its writer, moved to `state` the usual way.

    "failed": approved, and refused by its network when sent; "held": approved and due
    during a pause, which is over now; "overdue": pending approval when its time came;
    "conversation": a conversation post the community manager wrote."""
    department, writer = people["writers"][dept_key]
    cm, head = people["cm"], people["head"]
    if state == "failed":
        post = claimed_post(cm, head, department, [webhook(department, people["refusing"])])
        sender.publish_batch(list(post.publications.values_list("pk", flat=True)))
        post.refresh_from_db()
        assert post.state == S.FAILED
        return post
    if state == "conversation":
        return PostFactory(
            author=cm,
            origin_department=department,
            category=Category.CONVERSATION,
            channels=[ChannelFactory(department=department)],
        )
    post = PostFactory(
        author=writer,
        origin_department=department,
        channels=[ChannelFactory(department=department)],
    )
    if state == "held":
        wf.fast_track(post, cm)
        wf.approve(post, head)
        Post.objects.filter(pk=post.pk).update(scheduled_at=timezone.now())
        pause = wf.pause_publishing(head, "Alerte en cours")
        scheduler.sweep()
        wf.resume_publishing(pause, head)
        post.refresh_from_db()
        assert post.held_at is not None
        return post
    if state == "overdue":
        wf.fast_track(post, cm)
        Post.objects.filter(pk=post.pk).update(scheduled_at=timezone.now())
        post.refresh_from_db()
        return post
    if state == S.SUBMITTED:
        wf.submit(post, writer)
    elif state in (S.PENDING_APPROVAL, S.APPROVED):
        wf.fast_track(post, cm)
        if state == S.APPROVED:
            wf.approve(post, head)
    elif state == S.PENDING_SIGNOFF:
        wf.mark_sensitive(post, cm, "Enquête en cours.")
        wf.fast_track(post, cm)
        wf.approve(post, head)
    assert post.state == state
    return post


def is_expected_allowed(persona, allowed_roles, dept_key):
    if persona in allowed_roles:
        return True
    return "contrib" in allowed_roles and persona == f"contrib_{dept_key}"


def audit_count():
    return AuditEntry.objects.count()


@pytest.mark.parametrize("dept_key", ["a", "b"])
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", list(POST_MATRIX))
def test_post_action_is_allowed_exactly_for_the_right_roles_and_departments(
    action, persona, dept_key, people
):
    source, allowed_roles, act, target = POST_MATRIX[action]
    post = bring_post_to(source, people, dept_key)
    source = post.state
    user = people[persona]
    expected = is_expected_allowed(persona, allowed_roles, dept_key)
    assert (BUTTON.get(action, action) in wf.available_actions(post, user)) is expected
    before = audit_count()

    if expected:
        target = target[persona] if isinstance(target, dict) else target
        act(post, user)
        post.refresh_from_db()
        assert post.state == target
        # The post's own entry (a copy and the publications sent again have theirs).
        entries = list(post_entries(post).filter(seq__gt=before))
        assert [(e.actor, e.action) for e in entries] == [(user, BUTTON.get(action, action))]
        assert entries[0].from_state == source
        assert entries[0].to_state == target
    else:
        with pytest.raises(wf.ActionNotAllowed):
            act(post, user)
        post.refresh_from_db()
        assert post.state == source
        # Nothing is recorded, but a refused approval: that attempt is in the trail.
        refusals = [(e.actor, e.action) for e in AuditEntry.objects.filter(seq__gt=before)]
        approving = BUTTON.get(action, action) in ("approve", "sign_off")
        assert refusals == ([(user, "approval_refused")] if approving else [])


def post_entries(post):
    return AuditEntry.objects.filter(object_type=Post._meta.label_lower, object_id=post.pk)


def test_the_matrices_cover_every_catalogued_action():
    rows = {BUTTON.get(row, row) for row in POST_MATRIX} - {"edit"}
    assert rows == set(POST_ACTIONS)
    assert set(PLAN_MATRIX) == set(PLAN_ACTIONS)


def test_a_conversation_post_can_be_cleared_only_by_the_community_manager_who_wrote_it(
    people, national
):
    channel = ChannelFactory(department=national)
    for persona in PERSONAS:
        post = PostFactory(
            author=people["cm"],
            origin_department=national,
            category=Category.CONVERSATION,
            channels=[channel],
        )
        user = people[persona]
        if persona == "cm":
            wf.self_approve(post, user)
            assert post.state == S.APPROVED
            assert post.approvals.get().level == "self"
        else:
            with pytest.raises(wf.ActionNotAllowed):
                wf.self_approve(post, user)
            assert post.state == S.DRAFT


def bring_plan_to(state, people, dept_key):
    department, writer = people["writers"][dept_key]
    plan = wf.plan_for_week(department, 2030, 10, people["cm"])
    post = PostFactory(
        author=writer,
        origin_department=department,
        channels=[ChannelFactory(department=department)],
    )
    wf.plan_into_week(post, people["cm"], plan=plan)
    if state == "submitted":
        wf.submit_plan(plan, people["cm"])
    plan.refresh_from_db()
    assert plan.state == state
    return plan


@pytest.mark.parametrize("dept_key", ["a", "b"])
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", list(PLAN_MATRIX))
def test_plan_action_is_allowed_exactly_for_the_right_roles(action, persona, dept_key, people):
    source, allowed_roles, act, target = PLAN_MATRIX[action]
    plan = bring_plan_to(source, people, dept_key)
    user = people[persona]
    expected = persona in allowed_roles
    assert (action in wf.available_plan_actions(plan, user)) is expected
    before = audit_count()

    if expected:
        act(plan, user)
        plan.refresh_from_db()
        assert plan.state == target
        first = AuditEntry.objects.filter(seq__gt=before).first()
        assert (first.actor, first.action, first.from_state, first.to_state) == (
            user,
            action,
            source,
            target,
        )
    else:
        with pytest.raises(wf.ActionNotAllowed):
            act(plan, user)
        plan.refresh_from_db()
        assert plan.state == source
        refusals = [(e.actor, e.action) for e in AuditEntry.objects.filter(seq__gt=before)]
        assert refusals == ([(user, "approval_refused")] if action == "approve_plan" else [])
        assert WeeklyPlan.objects.get(pk=plan.pk).state == source


def test_every_catalogued_action_has_its_rule_in_permissions():
    assert set(POST_ACTIONS) <= set(POST_RULES)
    assert set(PLAN_ACTIONS) <= set(PLAN_RULES)
