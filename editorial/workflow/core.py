"""The one way an action happens: check, change in one transaction, audit, signal."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager, nullcontext

from django.db import models, transaction
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition

from editorial import events
from editorial.permissions import PLAN_RULES, POST_RULES
from editorial.workflow.errors import (
    ActionNotAllowed,
    InvalidInput,
    InvalidState,
    NotReady,
    StaleObject,
    WorkflowError,
)

# The actions that are transitions, each named as the model method that carries it out
# (one name for a step, from the button to the audit trail).
POST_TRANSITIONS = (
    "submit",
    "accept",
    "return_submission",
    "plan_into_week",
    "send_for_approval",
    "fast_track",
    "approve",
    "sign_off",
    "request_changes",
    "self_approve",
    "back_to_plan",
    "cancel",
    "retry_failed",
)
PLAN_TRANSITIONS = ("submit_plan", "approve_plan", "return_plan")


def _transition(obj: models.Model, action: str):
    """The rule and the transition method of `action` on `obj` (a post or a plan)."""
    from editorial.models import Post

    rules, actions = (
        (POST_RULES, POST_TRANSITIONS) if isinstance(obj, Post) else (PLAN_RULES, PLAN_TRANSITIONS)
    )
    if action not in actions:
        raise ValueError(f"{action!r} is not a transition of {type(obj).__name__}")
    return rules[action], getattr(obj, action)


def check(obj: models.Model, user, action: str) -> None:
    """Raise the error that explains why `user` cannot take `action` on `obj` now."""
    rule, method = _transition(obj, action)
    meta = method._django_fsm
    if not meta.has_transition(obj.state):
        raise InvalidState(
            _("“%(action)s” is not possible while the item is %(state)s.")
            % {"action": action.replace("_", " "), "state": obj.get_state_display().lower()}
        )
    reason = rule(obj, user)
    if reason:
        raise ActionNotAllowed(reason)
    if not meta.conditions_met(obj, obj.state):
        problems = obj.readiness_problems() if hasattr(obj, "readiness_problems") else []
        raise NotReady(_("This item is not ready:"), problems or [_("it has no items.")])


def may(obj: models.Model, user, action: str) -> bool:
    """Whether the action is open to the user now, leaving conditions (readiness) aside:
    a button for an unready post is shown and, when used, explains what is missing."""
    rule, method = _transition(obj, action)
    return method._django_fsm.has_transition(obj.state) and rule(obj, user) is None


@contextmanager
def stale_guard(obj: models.Model):
    """Turn django-fsm's optimistic-lock failure into the workflow's own error, and
    reload the object so that whoever shows it next shows what is really stored."""
    try:
        yield
    except ConcurrentTransition:
        obj.refresh_from_db()
        raise StaleObject() from None


def run_transition(
    obj: models.Model,
    user,
    action: str,
    *args,
    comment: str = "",
    data: dict | None = None,
    before_save: Callable[[], None] | None = None,
    after_save: Callable[[], None] | None = None,
    audit_refusal: bool = False,
    **kwargs,
):
    """Check, transition, save, audit and signal one action on one object, atomically.
    `audit_refusal`: a refusal of the check is recorded too (approvals)."""
    with refusal_audited(obj, user, action) if audit_refusal else nullcontext():
        check(obj, user, action)
    _, method = _transition(obj, action)
    with stale_guard(obj), transaction.atomic():
        from_state = obj.state
        result = method(*args, **kwargs)
        if before_save:
            before_save()
        # Only the fields transitions own: a stale copy must never write back old content.
        obj.save(update_fields=obj.WORKFLOW_FIELDS)
        if after_save:
            after_save()
        events.record(
            actor=user,
            action=action,
            obj=obj,
            from_state=from_state,
            to_state=obj.state,
            comment=comment,
            data=data,
        )
    return result


@contextmanager
def refusal_audited(obj: models.Model, user, action: str):
    """The checks of an approval: if one refuses, the refusal goes in the audit trail
    (who tried to approve what, and why not) before the error reaches the person. A
    form left incomplete (`InvalidInput`) is not a refusal: the person simply goes on."""
    try:
        yield
    except WorkflowError as exc:
        if isinstance(exc, InvalidInput):
            raise
        with transaction.atomic():
            events.record(
                actor=user,
                action="approval_refused",
                obj=obj,
                from_state=obj.state,
                to_state=obj.state,
                comment=str(exc),
                data={"attempted": action, "error": type(exc).__name__},
            )
        raise
