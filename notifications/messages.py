"""The sentences of notices, stored as a code and parameters and put into words when
shown, in the reader's language (the bell's), or the recipient's (an e-mail's).

Parameters are kept raw at the time of the event (a post's title, a plan's week, who
acted, the comment), so a notice still says what happened once the post has changed.
"""

from __future__ import annotations

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
    # Blackout periods and pre-flight checks.
    "preflight_problem": (
        N_("“%(post)s” may not go out at its time: %(comment)s"),
        N_(
            "Fix it before its slot: reconnect the channel, have it approved again, or "
            "reschedule it."
        ),
    ),
    "post_late": (
        N_("“%(post)s” did not go out at its time."),
        N_(
            "Look at the post's page: confirm it, reschedule it, or see what each network answered."
        ),
    ),
}


def _fill(text: str, params: dict) -> str:
    words = {name: "" if value is None else value for name, value in params.items()}
    words.setdefault("actor", gettext("The system"))
    if params.get("actor") in (None, ""):
        words["actor"] = gettext("The system")
    if params.get("scope") in (None, ""):
        words["scope"] = gettext("every channel")
    try:
        return gettext(text) % words
    except (KeyError, TypeError, ValueError):  # a parameter missing from an old row
        return gettext(text)


def headline(code: str, params: dict) -> str:
    """What happened, in the active language."""
    if code not in SENTENCES:
        return code
    return _fill(SENTENCES[code][0], params)


def what_to_do(code: str) -> str:
    if code not in SENTENCES:
        return ""
    return gettext(SENTENCES[code][1])
