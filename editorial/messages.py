"""Sentences the system stores for a person to read later, translated when shown.

A hold reason, a publication's last error, the reaper's note: written by a worker that
has no reader (so no language), read later by someone in French or English. They are
stored as a code and its parameters, `{"code": ..., "params": {...}}` (JSON, in the
same text column as before), and put into words by `render` in the language of
whoever reads them — `{{ value|stored_message }}` in a template
(`{% load stored_messages %}`).

Anything else in those columns is shown as it is: free text a person typed (a pause
reason, a comment), a network's own error, and rows written before codes existed.
Parameters stay raw (a channel's name and network, a post state, a UTC time) and are
put into words with the sentence: "Server log" or "Journal du serveur", "approved" or
"validée", the time in the reader's zone.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as N_

# How a parameter is put into words, when it is more than text or a number.
CHANNEL, NETWORK, STATE, TIME, MESSAGE = "channel", "network", "state", "time", "message"


@dataclass(frozen=True)
class Sentence:
    text: str  # the English msgid, translated when shown
    kinds: dict[str, str] = field(default_factory=dict)


# Every code a stored message may carry. Codes are stored: never rename one; a sentence
# may change (old rows then show the new wording).
CATALOG: dict[str, Sentence] = {
    # Holds (editorial.publishing.holds, .sender)
    "paused": Sentence(N_("Publishing is paused: %(reason)s")),
    "channel_paused": Sentence(N_("%(channel)s is paused: %(reason)s"), {"channel": CHANNEL}),
    "crisis_needs_director": Sentence(N_("Crisis mode: every post needs the director's sign-off.")),
    "due_long_ago": Sentence(
        N_("Due at %(due)s, more than %(minutes)s minutes ago: confirm or reschedule."),
        {"due": TIME},
    ),
    "held": Sentence(N_("The post is held: confirm or reschedule it.")),
    # Blackout periods (editorial.blackouts)
    "blackout_forbid": Sentence(
        N_("Blackout period “%(name)s”, from %(start)s to %(end)s: nothing may be published."),
        {"start": TIME, "end": TIME},
    ),
    "blackout_signoff": Sentence(
        N_(
            "Blackout period “%(name)s”, from %(start)s to %(end)s: every post needs the "
            "director's sign-off."
        ),
        {"start": TIME, "end": TIME},
    ),
    # Refusals just before a send (editorial.publishing.sender, editorial.content)
    "content_changed": Sentence(N_("The content differs from what was approved.")),
    "approval_changed": Sentence(N_("The approval changed since publishing started.")),
    "not_cleared": Sentence(
        N_("The post is %(state)s, no longer cleared for publishing."), {"state": STATE}
    ),
    "channel_inactive": Sentence(N_("%(channel)s is not active."), {"channel": CHANNEL}),
    "channel_no_connector": Sentence(
        N_("%(channel)s cannot publish: no connector for %(network)s yet."),
        {"channel": CHANNEL, "network": NETWORK},
    ),
    "channel_needs_reconnecting": Sentence(
        N_("%(channel)s needs reconnecting: the network refused its credentials."),
        {"channel": CHANNEL},
    ),
    "channel_not_connected": Sentence(
        N_("%(channel)s is not connected: its account settings are incomplete."),
        {"channel": CHANNEL},
    ),
    "credentials_unreadable": Sentence(
        N_("The credentials of %(channel)s cannot be read: enter them again."),
        {"channel": CHANNEL},
    ),
    "channel_foreign": Sentence(
        N_("%(channel)s belongs to another department."), {"channel": CHANNEL}
    ),
    # Outcomes (editorial.publishing.sender, .outcomes)
    "gave_up": Sentence(N_("Gave up after %(attempts)s attempts: %(error)s"), {"error": MESSAGE}),
    "no_outcome_in_time": Sentence(
        N_("No outcome recorded in time: the worker may have died mid-send.")
    ),
    "not_on_network": Sentence(
        N_("Not on %(channel)s after an uncertain send (%(error)s): sent again."),
        {"channel": CHANNEL, "error": MESSAGE},
    ),
    "look_up_failed": Sentence(
        N_("%(error)s Asking %(channel)s whether it went out failed too: %(lookup)s"),
        {"channel": CHANNEL, "error": MESSAGE, "lookup": MESSAGE},
    ),
    # Channel adapters (editorial.channels)
    "cannot_look_up": Sentence(
        N_("%(channel)s cannot tell whether a post went out: check the account."),
        {"channel": CHANNEL},
    ),
    "no_adapter": Sentence(N_("No adapter for %(network)s yet."), {"network": NETWORK}),
    "no_endpoint": Sentence(N_("%(channel)s has no endpoint address."), {"channel": CHANNEL}),
    "unreachable": Sentence(N_("Could not reach %(channel)s: %(error)s"), {"channel": CHANNEL}),
    "bad_endpoint": Sentence(N_("Bad endpoint for %(channel)s: %(error)s"), {"channel": CHANNEL}),
    "no_answer": Sentence(
        N_("No answer from %(channel)s after sending: %(error)s"), {"channel": CHANNEL}
    ),
    "answered": Sentence(N_("%(channel)s answered %(status)s: %(text)s"), {"channel": CHANNEL}),
    "credentials_rejected": Sentence(
        N_("%(channel)s refused the credentials (%(status)s: %(text)s): connect it again."),
        {"channel": CHANNEL},
    ),
    "no_connection_test": Sentence(
        N_("%(channel)s has no account to test: nothing to connect."), {"channel": CHANNEL}
    ),
    "cannot_tell": Sentence(
        N_("%(channel)s cannot tell whether the post went out: check the account."),
        {"channel": CHANNEL},
    ),
    "alt_text_missing": Sentence(
        N_("%(channel)s: an image has no alternative text."), {"channel": CHANNEL}
    ),
    "too_many_images": Sentence(
        N_("%(channel)s accepts %(limit)s images, the post has %(count)s."),
        {"channel": CHANNEL},
    ),
    "media_not_ready": Sentence(
        N_("%(channel)s did not finish processing an image in time."), {"channel": CHANNEL}
    ),
    "permission_missing": Sentence(
        N_(
            "%(channel)s refused access (%(text)s): the connection lacks the %(scope)s "
            "permission; connect it again, granting it, as an administrator of the page."
        ),
        {"channel": CHANNEL},
    ),
    "media_failed": Sentence(
        N_("%(channel)s could not process an image: %(text)s"), {"channel": CHANNEL}
    ),
    # OAuth tokens (editorial.publishing.tokens)
    "token_refresh_refused": Sentence(
        N_("%(channel)s refused to renew its access token (%(error)s): connect it again."),
        {"channel": CHANNEL},
    ),
    "token_refresh_failed": Sentence(
        N_("%(channel)s could not renew its access token now (%(error)s): tried again later."),
        {"channel": CHANNEL},
    ),
}


@dataclass(frozen=True)
class Message:
    """A sentence of `CATALOG` with its parameters, as stored (JSON values only)."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        """In the active language: for logs and exceptions."""
        return render(self)

    def as_dict(self) -> dict:
        return {"code": self.code, "params": self.params}


def message(code: str, **params: Any) -> Message:
    """A message to store: `message("no_adapter", network=channel.network)`. A
    parameter may be a channel, a datetime, another message, text or a number."""
    if code not in CATALOG:
        raise KeyError(f"Unknown message code: {code}")
    return Message(code, {name: _raw(value) for name, value in params.items()})


def _raw(value: Any) -> Any:
    from editorial.models import Channel

    if isinstance(value, Message):
        return value.as_dict()
    if isinstance(value, Channel):
        return {"name": value.name, "network": value.network}
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="minutes")
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


# --- storing ------------------------------------------------------------------------


def store(value: Message | str | None, limit: int) -> str:
    """What to write in a text column of `limit` characters. A message too long for it
    has its longest texts shortened (never cut mid-JSON); plain text is cut."""
    if value is None:
        return ""
    if not isinstance(value, Message):
        value = str(value)  # a lazy translation, an exception…
        loaded = load(value)
        if isinstance(loaded, str) or len(value) <= limit:
            return value[:limit]
        value = loaded
    data = value.as_dict()
    text = _dumps(data)
    while len(text) > limit:
        if not _shorten_longest(data, len(text) - limit):
            return render(value)[:limit]  # nothing left to shorten: words, at least
        text = _dumps(data)
    return text


def _dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(", ", ": "))


def _shorten_longest(data: dict, by: int) -> bool:
    """Shorten the longest text parameter (at any depth) by `by` characters, or more.
    False when none is long enough to shorten."""
    holder, key, longest = None, None, ""

    def visit(params: dict) -> None:
        nonlocal holder, key, longest
        for name, value in params.items():
            if isinstance(value, str) and len(value) > len(longest):
                holder, key, longest = params, name, value
            elif isinstance(value, dict):
                visit(value.get("params", value))

    visit(data["params"])
    if holder is None or len(longest) < 2:
        return False
    holder[key] = longest[: max(0, len(longest) - by - 1)] + "…"
    return True


def load(text: str) -> Message | str:
    """The message stored in `text`, or `text` itself when it is not one."""
    if not isinstance(text, str) or not text.startswith('{"code"'):
        return text
    try:
        data = json.loads(text)
    except ValueError:
        return text
    return _from_dict(data) or text


def _from_dict(data: Any) -> Message | None:
    if not isinstance(data, dict) or data.get("code") not in CATALOG:
        return None
    params = data.get("params")
    return Message(data["code"], params if isinstance(params, dict) else {})


# --- showing ------------------------------------------------------------------------


def render(value: Message | str | None) -> str:
    """`value` in words, in the active language (the reader's, in a request)."""
    if not value:
        return ""
    if isinstance(value, str):
        value = load(value)
        if isinstance(value, str):
            return value
    sentence = CATALOG[value.code]
    params = {name: _words(sentence.kinds.get(name), raw) for name, raw in value.params.items()}
    try:
        return gettext(sentence.text) % params
    except (KeyError, TypeError, ValueError):  # a parameter missing from an old row
        return gettext(sentence.text)


def _words(kind: str | None, raw: Any) -> str:
    from editorial.models import Network, PostState

    if isinstance(raw, dict) and "code" in raw:
        return render(_from_dict(raw) or "")
    if kind == CHANNEL and isinstance(raw, dict):
        return f"{raw.get('name', '')} ({_label(Network, raw.get('network'))})"
    if kind == NETWORK:
        return _label(Network, raw)
    if kind == STATE:
        return _label(PostState, raw).lower()
    if kind == TIME and isinstance(raw, str) and (when := parse_datetime(raw)):
        return formats.date_format(timezone.localtime(when), "DATETIME_FORMAT")
    return "" if raw is None else str(raw)


def _label(choices, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)
