"""The sentences of notices, stored as a code and parameters and put into words when
shown, in the reader's language (the bell's), or the recipient's (an e-mail's).

Parameters are kept raw at the time of the event (a post's title, a plan's week, who
acted, the comment), so a notice still says what happened once the post has changed.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as N_

# code -> (headline, what to do). Codes are stored: never rename one.
SENTENCES: dict[str, tuple[str, str]] = {
    "plan_submitted": (
        N_("%(actor)s submitted the weekly plan %(plan)s for your approval."),
        N_("Review the plan: approve it as a whole, or return items with a comment."),
    ),
    "urgent": (
        N_("Urgent hot news from %(actor)s awaits your approval: “%(post)s”."),
        N_("Approve it, or return it with a comment, as soon as you can."),
    ),
    "awaits_signoff": (
        N_("The sensitive post “%(post)s” awaits your sign-off."),
        N_("Sign it off, or return it with a comment."),
    ),
    "returned": (
        N_("%(actor)s returned “%(post)s” for changes."),
        N_("Change what the comment asks, then send it on again."),
    ),
    "plan_returned": (
        N_("%(actor)s returned the weekly plan %(plan)s."),
        N_("Its items are back on the board: change what the comment asks, then submit it again."),
    ),
    "submission_accepted": (
        N_("%(actor)s accepted your submission “%(post)s” into the weekly plan."),
        N_("Nothing to do: it is on its way to approval."),
    ),
    "submission_returned": (
        N_("%(actor)s returned your submission “%(post)s”."),
        N_("Change what the comment asks, then submit it again."),
    ),
    "failed": (
        N_("“%(post)s” failed to go out."),
        N_("Look at what each network answered, then send the failed publications again."),
    ),
    "unknown": (
        N_("No answer from %(channel)s for “%(post)s”: it may or may not have gone out."),
        N_("Check the network, then say on the post's page whether it went out."),
    ),
    "held": (
        N_("“%(post)s” is held and did not go out."),
        N_("Confirm it or reschedule it once publishing may go on."),
    ),
    "paused": (
        N_("%(actor)s paused publishing on %(scope)s."),
        N_("Due posts are held, not lost: each must be confirmed or rescheduled on resume."),
    ),
    "resumed": (
        N_("%(actor)s resumed publishing on %(scope)s."),
        N_("Posts held meanwhile stay held: confirm or reschedule each of them."),
    ),
    "reminder": (
        N_("“%(post)s” is due %(due)s and still awaits approval."),
        N_("Approve it, or return it with a comment, before its time."),
    ),
    "escalation": (
        N_("“%(post)s” is due %(due)s and nobody has approved it yet."),
        N_("Approve it, or see that it is reviewed in time: unapproved, it will not go out."),
    ),
    "missed_slot": (
        N_("“%(post)s” did not go out at its time (%(due)s): %(why)s"),
        N_("Reschedule it to a new time, or copy it to a new draft."),
    ),
    "digest": (
        N_("Your daily digest of %(date)s."),
        N_("Open Cadence to act on what awaits you."),
    ),
    "channel_reconnect": (
        N_("The channel %(channel)s needs reconnecting: %(comment)s"),
        N_("Nothing goes out on it until its credentials are entered again on its page."),
    ),
    # Blackout periods and pre-flight checks.
    "preflight_problem": (
        N_("“%(post)s” may not go out at its time: %(comment)s"),
        N_(
            "Fix it before its slot: reconnect the channel, have it approved again, or "
            "reschedule it."
        ),
    ),
    "post_late": (
        N_("“%(post)s” was approved but has not gone out at its time."),
        N_(
            "Look at the post's page: confirm it, reschedule it, or see what each network answered."
        ),
    ),
}

# Why a post did not go out, by the state it was left in.
WHY_MISSED: dict[str, str] = {
    "draft": N_("it was still a draft."),
    "changes_requested": N_("changes were requested and it was not sent on again."),
    "submitted": N_("it was submitted but never planned."),
    "planned": N_("it was planned but never sent for approval."),
    "pending_approval": N_("nobody approved it in time."),
    "pending_signoff": N_("it was approved, but nobody signed it off in time."),
}


def _fill(text: str, params: dict) -> str:
    words = {name: "" if value is None else value for name, value in params.items()}
    words.setdefault("actor", gettext("The system"))
    if params.get("actor") in (None, ""):
        words["actor"] = gettext("The system")
    if params.get("scope") in (None, ""):
        words["scope"] = gettext("every channel")
    if params.get("due"):
        words["due"] = _local(params["due"])
    if params.get("date"):
        words["date"] = _local_date(params["date"])
    if "state" in params:
        words["why"] = gettext(WHY_MISSED.get(params["state"], N_("it was not approved.")))
    try:
        return gettext(text) % words
    except (KeyError, TypeError, ValueError):  # a parameter missing from an old row
        return gettext(text)


def _local(iso: str) -> str:
    """A stored instant, in the active time zone and language."""
    try:
        when = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return date_format(timezone.localtime(when), "DATETIME_FORMAT")


def _local_date(iso: str) -> str:
    try:
        return date_format(date.fromisoformat(iso), "DATE_FORMAT")
    except ValueError:
        return iso


def headline(code: str, params: dict) -> str:
    """What happened, in the active language."""
    if code not in SENTENCES:
        return code
    return _fill(SENTENCES[code][0], params)


def what_to_do(code: str) -> str:
    if code not in SENTENCES:
        return ""
    return gettext(SENTENCES[code][1])
