"""The post actions a page can offer: each workflow function with its button label,
what it reports when done, and what it needs from the person (a text, the content hash
that was on screen, a time). The post page and the inbox both act through these."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from editorial import workflow
from editorial.forms.fields import LocalDateTimeField
from editorial.forms.posts import RescheduleForm


class OptionalTimeForm(forms.Form):
    """A time the person may give or leave empty (a copy's: it can be chosen later)."""

    when = LocalDateTimeField(label=_("Goes out at (optional)"), required=False)


@dataclass(frozen=True)
class Action:
    """One button on a post's page: what it says, what it needs, what it does."""

    label: str
    done: str
    run: object
    # "", "text" (required), "note" (optional text), "hash", "time", "when" (optional time)
    needs: str = ""
    ask: str = ""
    danger: bool = False

    @property
    def form_class(self) -> type[forms.Form] | None:
        """The form that reads the time this action needs, if it needs one."""
        return {"time": RescheduleForm, "when": OptionalTimeForm}.get(self.needs)

    def perform(self, post, user, *, text: str = "", expected_hash: str | None = None, when=None):
        """Call the workflow function with what this action needs from the person;
        returns what it returns (a new post, for a copy)."""
        if self.needs in ("time", "when"):
            return self.run(post, user, when)
        if self.needs == "hash":
            return self.run(post, user, expected_hash=expected_hash)
        if self.needs in ("text", "note"):
            return self.run(post, user, text)
        return self.run(post, user)


# Lazy: labels are translated when shown, in the reader's language.
ACTIONS = {
    "submit": Action(
        _("Submit to the national team"), _("Submitted to the national team."), workflow.submit
    ),
    "accept": Action(
        _("Accept into the weekly plan"), _("Accepted into the weekly plan."), workflow.accept
    ),
    "plan": Action(_("Plan into its week"), _("Planned into its week."), workflow.plan_into_week),
    "fast_track": Action(
        _("Fast-track as hot news"), _("Sent for approval as urgent."), workflow.fast_track
    ),
    "approve": Action(_("Approve"), _("Approved."), workflow.approve, needs="hash"),
    "sign_off": Action(_("Sign off"), _("Signed off."), workflow.sign_off, needs="hash"),
    "self_approve": Action(
        _("Clear my conversation post"), _("Cleared to go out."), workflow.self_approve
    ),
    "confirm_held": Action(
        _("Publish the held post now"), _("Released, going out now."), workflow.confirm_held
    ),
    "reschedule_held": Action(
        _("Reschedule the held post"), _("Rescheduled."), workflow.reschedule_held, needs="time"
    ),
    "request_changes": Action(
        _("Request changes"),
        _("Sent back for changes."),
        workflow.request_changes,
        needs="text",
        ask=_("What needs to change"),
    ),
    "return_submission": Action(
        _("Return the submission"),
        _("Returned to its department."),
        workflow.return_submission,
        needs="text",
        ask=_("What needs to change"),
    ),
    "mark_sensitive": Action(
        _("Mark sensitive"),
        _("Marked sensitive."),
        workflow.mark_sensitive,
        needs="text",
        ask=_("Why it is sensitive"),
    ),
    "lift_sensitivity": Action(
        _("Lift sensitivity"),
        _("No longer marked sensitive."),
        workflow.lift_sensitivity,
        needs="text",
        ask=_("Why it is not sensitive"),
    ),
    "cancel": Action(
        _("Cancel the post"),
        _("Cancelled."),
        workflow.cancel,
        needs="note",
        ask=_("Why (optional)"),
        danger=True,
    ),
    "retry_failed": Action(
        _("Send the failed publications again"),
        _("Sending the failed publications again."),
        workflow.retry_failed,
    ),
    "reschedule": Action(
        _("Reschedule"),
        _("Rescheduled: it may now be approved for its new time."),
        workflow.reschedule,
        needs="time",
    ),
    "copy_to_draft": Action(
        _("Copy to a new draft"),
        _("Copied to a new draft: this is the copy, edit it and send it on."),
        workflow.copy_to_draft,
        needs="when",
    ),
    "comment": Action(
        _("Add a comment"),
        _("Comment added."),
        workflow.comment,
        needs="text",
        ask=_("Comment"),
    ),
}
