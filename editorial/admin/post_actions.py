"""The catalogued post actions offered in the admin, each on the selected posts.

Labels, messages and what each action needs come from `editorial.workflow.catalog`;
this module only says which actions the admin offers and how it asks for a text or a
time on its intermediate page."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from editorial import workflow
from editorial.admin.steps import Given, WorkflowAction
from editorial.workflow.catalog import PLAN_ACTIONS, POST_ACTIONS, Action, Needs

# The post actions an administrator may run on a selection, in the menu's order. Sending
# failed posts again, rescheduling and copying are done from the post's own page.
OFFERED = (
    "submit",
    "accept",
    "plan_into_week",
    "fast_track",
    "approve",
    "sign_off",
    "self_approve",
    "cancel",
    "request_changes",
    "return_submission",
    "mark_sensitive",
    "lift_sensitivity",
    "confirm_held",
    "reschedule_held",
    "comment",
)
TIME_PROMPT = _("New time (YYYY-MM-DD HH:MM, in your time zone)")


def _parse_time(text: str):
    """A local time typed by a person, in their zone; refused if it does not exist or
    is ambiguous there (DST changes)."""
    try:
        return forms.DateTimeField().clean(text)
    except ValidationError as exc:
        raise workflow.InvalidInput(" ".join(exc.messages)) from None


def as_admin_action(action: Action) -> WorkflowAction:
    """`action` on each selected object. A required text or time is asked for on an
    intermediate page; an optional note is not (the admin cancels without one)."""
    asks = action.needs in (Needs.TEXT, Needs.TIME)

    shows_content = action.needs == Needs.SHOWN_CONTENT

    def run(obj, user, given: Given):
        when = _parse_time(given.text) if action.asks_time and given.text else None
        expected_hash = given.expected_hash(obj)
        if shows_content and not expected_hash:
            # Never "the content as it is now": only what a page showed is approved.
            raise workflow.StaleObject(_("It was not shown to you: open it and approve it."))
        return action.perform(obj, user, text=given.text, expected_hash=expected_hash, when=when)

    return WorkflowAction(
        action.name,
        format_lazy("{}…", action.label) if asks else action.label,
        action.done.listed,
        run,
        ask=(TIME_PROMPT if action.asks_time else action.prompt) if asks else None,
        shows_content=shows_content,
    )


ADMIN_POST_ACTIONS = tuple(as_admin_action(POST_ACTIONS[name]) for name in OFFERED)
ADMIN_PLAN_ACTIONS = {
    name: as_admin_action(PLAN_ACTIONS[name]) for name in ("submit_plan", "return_plan")
}
