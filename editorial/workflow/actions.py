"""Which actions a user may take on a post or a plan: one answer for buttons and checks,
and, for lists, the same answer as a query (`offered_q`)."""

from __future__ import annotations

from django.db.models import Q

from editorial.models import Post, PostState, WeeklyPlan
from editorial.models.posts import FREELY_EDITABLE, UNAPPROVED, UNDER_REVIEW
from editorial.permissions import (
    POST_RULES,
    accept_q,
    approve_q,
    past_due,
    past_due_q,
    retry_failed_q,
    sign_off_q,
)
from editorial.workflow.copies import copyable
from editorial.workflow.core import PLAN_TRANSITIONS, POST_TRANSITIONS, may
from editorial.workflow.failed import retry_refusal
from editorial.workflow.schedule import deny_reschedule

# Transitions the workflow takes on its own behalf, never offered as a button.
_INTERNAL = {"send_for_approval", "back_to_plan"}
# Transitions that need the post's time ahead: not offered once it has come unapproved
# (they would only answer "choose a time in the future"); rescheduling is, instead.
TIME_BOUND = {
    "submit",
    "accept",
    "plan_into_week",
    "fast_track",
    "approve",
    "sign_off",
    "self_approve",
}


def available_actions(post: Post, user) -> list[str]:
    """The actions `user` may take on `post` now, in the order buttons show them."""
    late = post.state in UNAPPROVED and past_due(post)
    actions = [
        action
        for action in POST_TRANSITIONS
        if action not in _INTERNAL
        and not (late and action in TIME_BOUND)
        and may(post, user, action)
    ]
    if "retry_failed" in actions and retry_refusal(post):
        actions.remove("retry_failed")
    if post.state in (*FREELY_EDITABLE, *UNDER_REVIEW) and POST_RULES["edit"](post, user) is None:
        actions.insert(0, "edit")
    if late and deny_reschedule(post, user) is None:
        actions.append("reschedule")
    if copyable(post) and POST_RULES["copy_to_draft"](post, user) is None:
        actions.append("copy_to_draft")
    if post.state not in (*FREELY_EDITABLE, *UNDER_REVIEW):
        return actions
    if not post.sensitive and POST_RULES["mark_sensitive"](post, user) is None:
        actions.append("mark_sensitive")
    if post.sensitive and POST_RULES["lift_sensitivity"](post, user) is None:
        actions.append("lift_sensitivity")
    if post.held_at is not None and POST_RULES["confirm_held"](post, user) is None:
        actions.append("confirm_held")
        if post.state == PostState.APPROVED:
            actions.append("reschedule_held")
    if POST_RULES["comment"](post, user) is None:
        actions.append("comment")
    return actions


# The rules whose query form lists the posts awaiting someone (see editorial.inbox).
_RULE_QUERIES = {
    "accept": accept_q,
    "approve": approve_q,
    "sign_off": sign_off_q,
    "retry_failed": retry_failed_q,
}


def offered_q(user, action: str) -> Q:
    """The posts on which `available_actions` offers `action` to `user`, as a filter:
    the transition's source states, its rule's query form, and its time. (For
    "retry_failed", whether sending again can work is read per post: see
    `editorial.inbox`.)"""
    meta = getattr(Post, action)._django_fsm
    q = Q(state__in=list(meta.transitions)) & _RULE_QUERIES[action](user)
    if action in TIME_BOUND:
        q &= ~(Q(state__in=UNAPPROVED) & past_due_q())
    return q


def available_plan_actions(plan: WeeklyPlan, user) -> list[str]:
    return [action for action in PLAN_TRANSITIONS if may(plan, user, action)]
