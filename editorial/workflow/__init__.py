"""The editorial workflow: every action a person or the system takes on posts and plans.

Each function checks permission on the object, changes it in one transaction, writes
one audit entry and sends one `workflow_action` signal after commit. Errors are
`WorkflowError`s with a message fit for the user.
"""

from editorial.workflow.actions import available_actions, available_plan_actions
from editorial.workflow.blackouts import change_blackout, create_blackout, end_blackout
from editorial.workflow.copies import copy_to_draft
from editorial.workflow.crisis import (
    confirm_held,
    held_posts,
    pause_publishing,
    reschedule_held,
    resume_publishing,
)
from editorial.workflow.errors import (
    ActionNotAllowed,
    InvalidInput,
    InvalidState,
    NotReady,
    StaleObject,
    WorkflowError,
)
from editorial.workflow.failed import retry_failed
from editorial.workflow.overdue import mark_overdue_posts
from editorial.workflow.plans import (
    TO_PLACE,
    approve_plan,
    place_on_board,
    plan_for_week,
    return_plan,
    submit_plan,
)
from editorial.workflow.posts import (
    accept,
    approve,
    cancel,
    comment,
    create_post,
    edit_post,
    fast_track,
    lift_sensitivity,
    mark_sensitive,
    plan_into_week,
    request_changes,
    return_submission,
    self_approve,
    sign_off,
    submit,
)
from editorial.workflow.publications import resolve_unknown
from editorial.workflow.rules import delete_rule, save_rule, set_rule_active
from editorial.workflow.schedule import reschedule

__all__ = [
    "TO_PLACE",
    "ActionNotAllowed",
    "InvalidInput",
    "InvalidState",
    "NotReady",
    "StaleObject",
    "WorkflowError",
    "accept",
    "approve",
    "approve_plan",
    "available_actions",
    "available_plan_actions",
    "cancel",
    "change_blackout",
    "comment",
    "confirm_held",
    "copy_to_draft",
    "create_blackout",
    "create_post",
    "delete_rule",
    "edit_post",
    "end_blackout",
    "fast_track",
    "held_posts",
    "lift_sensitivity",
    "mark_overdue_posts",
    "mark_sensitive",
    "pause_publishing",
    "place_on_board",
    "plan_for_week",
    "plan_into_week",
    "request_changes",
    "reschedule",
    "reschedule_held",
    "resolve_unknown",
    "resume_publishing",
    "retry_failed",
    "return_plan",
    "return_submission",
    "save_rule",
    "self_approve",
    "set_rule_active",
    "sign_off",
    "submit",
    "submit_plan",
]
