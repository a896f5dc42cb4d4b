"""The action catalog: every action a person takes, named once.

Each entry joins a workflow function to what people read about it: the button, what it
reports when done (on the item's own page, and in a list that names the items), how the
history names it, and what it needs from the person. The post page, the inbox, the
plan board, the admin and the history all read this table, and so will the API and the
notifications: a label or a message changes here, and everywhere.

What the system does on its own (the publisher, the overdue sweep) is not an action but
an event; `EVENTS` gives those their history labels.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from editorial.models import PostState
from editorial.workflow.copies import copy_to_draft
from editorial.workflow.crisis import confirm_held, reschedule_held
from editorial.workflow.failed import retry_failed
from editorial.workflow.plans import approve_plan, return_plan, submit_plan
from editorial.workflow.posts import (
    accept,
    approve,
    cancel,
    comment,
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
from editorial.workflow.schedule import reschedule

S = PostState


class Needs(enum.StrEnum):
    """What an action needs from the person besides the click."""

    NOTHING = ""
    TEXT = "text"  # a comment or a reason, required
    NOTE = "note"  # a comment, optional
    SHOWN_CONTENT = "hash"  # the content hash of what was on screen: approve what was seen
    SHOWN_ITEMS = "shown"  # a plan's: each item shown, with its content hash
    TIME = "time"  # a new time, required
    OPTIONAL_TIME = "when"  # a time that may be chosen later


@dataclass(frozen=True)
class Done:
    """What an action reports: on the item's own page, and in a list naming the items
    (`%(items)s`: one title in the inbox, several in the admin)."""

    page: Promise
    listed: Promise

    def for_items(self, items) -> str:
        return str(self.listed) % {"items": items}


@dataclass(frozen=True)
class Action:
    name: str
    run: Callable
    label: Promise
    done: Done
    history: Promise
    needs: Needs = Needs.NOTHING
    # The label of the text or time asked for, when the action needs one.
    prompt: Promise | None = None
    danger: bool = False
    # Where a row has little room (the inbox); the label otherwise.
    short_label: Promise | None = None
    # What it reports instead when it moves the item from one state to another:
    # {(from_state, to_state): Done}; either may be None for "any".
    done_when: Mapping[tuple[str | None, str | None], Done] = field(default_factory=dict)

    @property
    def row_label(self) -> Promise:
        return self.short_label or self.label

    @property
    def asks_text(self) -> bool:
        return self.needs in (Needs.TEXT, Needs.NOTE)

    @property
    def requires_text(self) -> bool:
        return self.needs == Needs.TEXT

    @property
    def binds_to_content(self) -> bool:
        """It approves what the person saw: the page sends the hash of what it showed
        (of each item it showed, for a plan)."""
        return self.needs in (Needs.SHOWN_CONTENT, Needs.SHOWN_ITEMS)

    @property
    def asks_time(self) -> bool:
        return self.needs in (Needs.TIME, Needs.OPTIONAL_TIME)

    def outcome(self, before: str | None = None, after: str | None = None) -> Done:
        """What to report once the item went from `before` to `after`."""
        for key in ((before, after), (None, after), (before, None)):
            if key in self.done_when:
                return self.done_when[key]
        return self.done

    def perform(
        self,
        obj,
        user,
        *,
        text: str = "",
        expected_hash: str | None = None,
        when=None,
        shown: Mapping[int, str] | None = None,
    ):
        """Call the workflow function with what this action needs from the person;
        returns what it returns (a new post, for a copy)."""
        if self.asks_time:
            return self.run(obj, user, when)
        if self.needs == Needs.SHOWN_CONTENT:
            return self.run(obj, user, expected_hash=expected_hash)
        if self.needs == Needs.SHOWN_ITEMS:
            # Nothing said to be shown approves nothing: the workflow names every item.
            return self.run(obj, user, shown=dict(shown or {}))
        if self.asks_text:
            return self.run(obj, user, text)
        return self.run(obj, user)


# Labels are lazy: translated when shown, in the reader's language.
POST_ACTIONS: dict[str, Action] = {
    action.name: action
    for action in (
        Action(
            "submit",
            submit,
            _("Submit to the national team"),
            Done(_("Submitted to the national team."), _("Submitted: %(items)s.")),
            _("Submitted to the national team"),
        ),
        Action(
            "accept",
            accept,
            _("Accept into the weekly plan"),
            Done(_("Accepted into the weekly plan."), _("Accepted into the plan: %(items)s.")),
            _("Accepted into the weekly plan"),
        ),
        Action(
            "plan_into_week",
            plan_into_week,
            _("Plan into its week"),
            Done(_("Planned into its week."), _("Planned: %(items)s.")),
            _("Planned into its week"),
        ),
        Action(
            "fast_track",
            fast_track,
            _("Fast-track as hot news"),
            Done(_("Sent for approval as urgent."), _("Sent for approval as urgent: %(items)s.")),
            _("Sent for approval as urgent"),
        ),
        Action(
            "approve",
            approve,
            _("Approve"),
            Done(_("Approved."), _("Approved: %(items)s.")),
            _("Approved"),
            needs=Needs.SHOWN_CONTENT,
            done_when={
                (None, S.PENDING_SIGNOFF): Done(
                    _("Approved: it now awaits the director's sign-off."),
                    _("Approved, sent to the director for sign-off: %(items)s."),
                )
            },
        ),
        Action(
            "sign_off",
            sign_off,
            _("Sign off"),
            Done(_("Signed off."), _("Signed off: %(items)s.")),
            _("Signed off"),
            needs=Needs.SHOWN_CONTENT,
        ),
        Action(
            "self_approve",
            self_approve,
            _("Clear my conversation post"),
            Done(_("Cleared to go out."), _("Cleared to go out: %(items)s.")),
            _("Cleared to go out"),
        ),
        Action(
            "confirm_held",
            confirm_held,
            _("Publish the held post now"),
            Done(_("Released, going out now."), _("Released, going out now: %(items)s.")),
            _("Held post released"),
        ),
        Action(
            "reschedule_held",
            reschedule_held,
            _("Reschedule the held post"),
            Done(_("Rescheduled."), _("Rescheduled: %(items)s.")),
            _("Held post rescheduled"),
            needs=Needs.TIME,
            prompt=_("New time"),
        ),
        Action(
            "request_changes",
            request_changes,
            _("Request changes"),
            Done(_("Sent back for changes."), _("Returned with your comment: %(items)s.")),
            _("Sent back for changes"),
            needs=Needs.TEXT,
            prompt=_("What needs to change"),
            short_label=_("Return with a comment"),
        ),
        Action(
            "return_submission",
            return_submission,
            _("Return the submission"),
            Done(_("Returned to its department."), _("Returned to their department: %(items)s.")),
            _("Returned to its department"),
            needs=Needs.TEXT,
            prompt=_("What needs to change"),
        ),
        Action(
            "mark_sensitive",
            mark_sensitive,
            _("Mark sensitive"),
            Done(_("Marked sensitive."), _("Marked sensitive: %(items)s.")),
            _("Marked sensitive"),
            needs=Needs.TEXT,
            prompt=_("Why it is sensitive"),
        ),
        Action(
            "lift_sensitivity",
            lift_sensitivity,
            _("Lift sensitivity"),
            Done(_("No longer marked sensitive."), _("No longer sensitive: %(items)s.")),
            _("No longer marked sensitive"),
            needs=Needs.TEXT,
            prompt=_("Why it is not sensitive"),
            done_when={
                (S.PENDING_SIGNOFF, S.APPROVED): Done(
                    _("No longer marked sensitive: approved, no sign-off needed."),
                    _("No longer sensitive, approved: %(items)s."),
                ),
                (S.PENDING_SIGNOFF, S.PENDING_APPROVAL): Done(
                    _(
                        "No longer marked sensitive. You approved it: someone else must "
                        "approve it now."
                    ),
                    _("No longer sensitive, awaiting another approval: %(items)s."),
                ),
            },
        ),
        Action(
            "cancel",
            cancel,
            _("Cancel the post"),
            Done(_("Cancelled."), _("Cancelled: %(items)s.")),
            _("Cancelled"),
            needs=Needs.NOTE,
            prompt=_("Why (optional)"),
            danger=True,
        ),
        Action(
            "retry_failed",
            retry_failed,
            _("Send the failed publications again"),
            Done(_("Sending the failed publications again."), _("Sending again: %(items)s.")),
            _("Failed publications sent again"),
            short_label=_("Send again"),
        ),
        Action(
            "reschedule",
            reschedule,
            _("Reschedule"),
            Done(
                _("Rescheduled: it may now be approved for its new time."),
                _("Rescheduled: %(items)s."),
            ),
            _("Rescheduled"),
            needs=Needs.TIME,
            prompt=_("New time"),
        ),
        Action(
            "copy_to_draft",
            copy_to_draft,
            _("Copy to a new draft"),
            Done(
                _("Copied to a new draft: this is the copy, edit it and send it on."),
                _("Copied to a new draft: %(items)s."),
            ),
            _("Copied to a new draft"),
            needs=Needs.OPTIONAL_TIME,
            prompt=_("Goes out at (optional)"),
        ),
        Action(
            "comment",
            comment,
            _("Add a comment"),
            Done(_("Comment added."), _("Commented on: %(items)s.")),
            _("Commented"),
            needs=Needs.TEXT,
            prompt=_("Comment"),
        ),
    )
}

PLAN_ACTIONS: dict[str, Action] = {
    action.name: action
    for action in (
        Action(
            "submit_plan",
            submit_plan,
            _("Submit the plan for approval"),
            Done(
                _("The plan is submitted: its items await approval."),
                _("Submitted for approval: %(items)s."),
            ),
            _("Plan submitted for approval"),
        ),
        Action(
            "approve_plan",
            approve_plan,
            _("Approve the whole plan"),
            Done(_("The plan is approved."), _("Approved: %(items)s.")),
            _("Plan approved"),
            needs=Needs.SHOWN_ITEMS,
        ),
        Action(
            "return_plan",
            return_plan,
            _("Return the plan to its team"),
            Done(
                _("The plan went back to the team with your comment."),
                _("Returned to the team: %(items)s."),
            ),
            _("Plan returned to its team"),
            needs=Needs.TEXT,
            prompt=_("What needs to change"),
        ),
    )
}

# What the system, or an editor's change, leaves in the history: not buttons.
EVENTS: dict[str, Promise] = {
    "create": _("Created"),
    "edit": _("Edited"),
    "send_for_approval": _("Sent for approval"),
    "back_to_plan": _("Back to the plan"),
    "pause": _("Publishing paused"),
    "resume": _("Publishing resumed"),
    "hold": _("Held by the publisher"),
    "mark_overdue": _("Marked overdue: its time came before approval"),
    "start_publishing": _("Publishing started"),
    "mark_published": _("Published"),
    "mark_failed": _("Publishing failed"),
    # A publication's own entries, named with its channel.
    "publication_sent": _("Sent to %(channel)s"),
    "publication_failed": _("Failed on %(channel)s"),
    "publication_unknown": _("No answer from %(channel)s: outcome unknown"),
    "publication_confirmed_sent": _("Found on %(channel)s: recorded as sent"),
    "publication_resent": _("Not found on %(channel)s: sent again"),
    "publication_retried": _("Failed on %(channel)s: sent again"),
}


def history_label(action: str) -> str:
    """How the history names an audit entry's action (a publication's with a
    `%(channel)s` to fill in)."""
    known = POST_ACTIONS.get(action) or PLAN_ACTIONS.get(action)
    if known is not None:
        return str(known.history)
    if action in EVENTS:
        return str(EVENTS[action])
    return action.replace("_", " ").capitalize()


__all__ = ["EVENTS", "PLAN_ACTIONS", "POST_ACTIONS", "Action", "Done", "Needs", "history_label"]
