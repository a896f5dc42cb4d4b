"""The one way an action happens: check, change in one transaction, audit, signal."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager

from django.db import models, transaction
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition

from editorial import events
from editorial.permissions import PLAN_RULES, POST_RULES
from editorial.workflow.errors import ActionNotAllowed, InvalidState, NotReady, StaleObject

# Workflow action -> the Post transition method that carries it out.
POST_TRANSITIONS = {
    "submit": "submit",
    "accept": "accept",
    "return_submission": "return_submission",
    "plan": "plan_into_week",
    "send_for_approval": "send_for_approval",
    "fast_track": "fast_track",
    "approve": "approve",
    "sign_off": "sign_off",
    "request_changes": "request_changes",
    "self_approve": "self_approve",
    "back_to_plan": "back_to_plan",
    "cancel": "cancel",
    "retry_failed": "retry_publishing",
}
PLAN_TRANSITIONS = {
    "submit_plan": "submit",
    "approve_plan": "approve",
    "return_plan": "return_to_team",
}


def _rules_for(obj: models.Model):
    from editorial.models import Post

    if isinstance(obj, Post):
        return POST_RULES, POST_TRANSITIONS
    return PLAN_RULES, PLAN_TRANSITIONS


def check(obj: models.Model, user, action: str) -> None:
    """Raise the error that explains why `user` cannot take `action` on `obj` now."""
    rules, transitions = _rules_for(obj)
    method = getattr(obj, transitions[action])
    meta = method._django_fsm
    if not meta.has_transition(obj.state):
        raise InvalidState(
            _("“%(action)s” is not possible while the item is %(state)s.")
            % {"action": action.replace("_", " "), "state": obj.get_state_display().lower()}
        )
    reason = rules[action](obj, user)
    if reason:
        raise ActionNotAllowed(reason)
    if not meta.conditions_met(obj, obj.state):
        problems = obj.readiness_problems() if hasattr(obj, "readiness_problems") else []
        raise NotReady(_("This item is not ready:"), problems or [_("it has no items.")])


def may(obj: models.Model, user, action: str) -> bool:
    """Whether the action is open to the user now, leaving conditions (readiness) aside:
    a button for an unready post is shown and, when used, explains what is missing."""
    rules, transitions = _rules_for(obj)
    meta = getattr(obj, transitions[action])._django_fsm
    return meta.has_transition(obj.state) and rules[action](obj, user) is None


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
    **kwargs,
):
    """Check, transition, save, audit and signal one action on one object, atomically."""
    check(obj, user, action)
    _, transitions = _rules_for(obj)
    with stale_guard(obj), transaction.atomic():
        from_state = obj.state
        result = getattr(obj, transitions[action])(*args, **kwargs)
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
