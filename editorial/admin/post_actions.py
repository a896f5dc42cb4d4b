"""The workflow's post transitions, each offered as an admin action on the post list."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from editorial import workflow
from editorial.admin.steps import WorkflowAction


def _parse_time(text: str):
    """A local time typed by a person, in their zone; refused if it does not exist or
    is ambiguous there (DST changes)."""
    try:
        return forms.DateTimeField().clean(text)
    except ValidationError as exc:
        raise workflow.InvalidInput(" ".join(exc.messages)) from None


def _plain(function):
    return lambda post, user, given: function(post, user)


def _with_text(function):
    return lambda post, user, given: function(post, user, given.text)


def _bound_to_content(function):
    # From a post's own page the approver approves what they saw, not what is there now.
    return lambda post, user, given: function(post, user, expected_hash=given.expected_hash(post))


POST_ACTIONS = (
    WorkflowAction(
        "submit",
        _("Submit to the national team"),
        _("Submitted: %(items)s."),
        _plain(workflow.submit),
    ),
    WorkflowAction(
        "accept",
        _("Accept into the weekly plan"),
        _("Accepted into the plan: %(items)s."),
        _plain(workflow.accept),
    ),
    WorkflowAction(
        "plan", _("Plan into its week"), _("Planned: %(items)s."), _plain(workflow.plan_into_week)
    ),
    WorkflowAction(
        "fast_track",
        _("Fast-track as hot news"),
        _("Sent for approval as urgent: %(items)s."),
        _plain(workflow.fast_track),
    ),
    WorkflowAction(
        "approve", _("Approve"), _("Approved: %(items)s."), _bound_to_content(workflow.approve)
    ),
    WorkflowAction(
        "sign_off",
        _("Sign off (sensitive posts)"),
        _("Signed off: %(items)s."),
        _bound_to_content(workflow.sign_off),
    ),
    WorkflowAction(
        "self_approve",
        _("Clear my conversation post"),
        _("Cleared to go out: %(items)s."),
        _plain(workflow.self_approve),
    ),
    WorkflowAction(
        "cancel", _("Cancel posts"), _("Cancelled: %(items)s."), _plain(workflow.cancel)
    ),
    WorkflowAction(
        "request_changes",
        _("Request changes…"),
        _("Sent back for changes: %(items)s."),
        _with_text(workflow.request_changes),
        ask=_("What needs to change"),
    ),
    WorkflowAction(
        "return_submission",
        _("Return the submission…"),
        _("Returned to their department: %(items)s."),
        _with_text(workflow.return_submission),
        ask=_("What needs to change"),
    ),
    WorkflowAction(
        "mark_sensitive",
        _("Mark sensitive…"),
        _("Marked sensitive: %(items)s."),
        _with_text(workflow.mark_sensitive),
        ask=_("Why it is sensitive"),
    ),
    WorkflowAction(
        "lift_sensitivity",
        _("Lift sensitivity…"),
        _("No longer sensitive: %(items)s."),
        _with_text(workflow.lift_sensitivity),
        ask=_("Why it is not sensitive"),
    ),
    WorkflowAction(
        "confirm_held",
        _("Confirm held posts: publish now"),
        _("Released, going out now: %(items)s."),
        _plain(workflow.confirm_held),
    ),
    WorkflowAction(
        "reschedule_held",
        _("Reschedule held posts…"),
        _("Rescheduled: %(items)s."),
        lambda post, user, given: workflow.reschedule_held(post, user, _parse_time(given.text)),
        ask=_("New time (YYYY-MM-DD HH:MM, in your time zone)"),
    ),
    WorkflowAction(
        "comment",
        _("Add a comment…"),
        _("Commented on: %(items)s."),
        _with_text(workflow.comment),
        ask=_("Comment"),
    ),
)
