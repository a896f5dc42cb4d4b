"""Which actions a user may take on a post or a plan: one answer for buttons and checks."""

from __future__ import annotations

from editorial.models import Post, PostState, WeeklyPlan
from editorial.models.posts import FREELY_EDITABLE, UNDER_REVIEW
from editorial.permissions import POST_RULES, deny_release_hold
from editorial.workflow.core import PLAN_TRANSITIONS, POST_TRANSITIONS, may

# Transitions the workflow takes on its own behalf, never offered as a button.
_INTERNAL = {"send_for_approval", "back_to_plan"}


def available_actions(post: Post, user) -> list[str]:
    """The actions `user` may take on `post` now, in the order buttons show them."""
    actions = [
        action for action in POST_TRANSITIONS if action not in _INTERNAL and may(post, user, action)
    ]
    if post.state in (*FREELY_EDITABLE, *UNDER_REVIEW) and POST_RULES["edit"](post, user) is None:
        actions.insert(0, "edit")
    if post.state not in (*FREELY_EDITABLE, *UNDER_REVIEW):
        return actions
    if not post.sensitive and POST_RULES["mark_sensitive"](post, user) is None:
        actions.append("mark_sensitive")
    if post.sensitive and POST_RULES["lift_sensitivity"](post, user) is None:
        actions.append("lift_sensitivity")
    if post.held_at is not None and deny_release_hold(post, user) is None:
        actions.append("confirm_held")
        if post.state == PostState.APPROVED:
            actions.append("reschedule_held")
    if POST_RULES["comment"](post, user) is None:
        actions.append("comment")
    return actions


def available_plan_actions(plan: WeeklyPlan, user) -> list[str]:
    return [action for action in PLAN_TRANSITIONS if may(plan, user, action)]
