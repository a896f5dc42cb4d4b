""" "Was this published?": the adapter's look-up after an uncertain send, and what its
answer means for the publisher (`ChannelAdapter.find_published`)."""

from __future__ import annotations

import logging

from editorial.channels.base import (
    ChannelAdapter,
    Outgoing,
    PublishError,
    Result,
    UncertainError,
    can_look_up,
)
from editorial.messages import Message, message

log = logging.getLogger(__name__)

# `ask`'s answer when the network says the post is not there: send it again.
ABSENT = None


def ask(
    adapter: ChannelAdapter, outgoing: Outgoing, reason: Message | str
) -> Result | Message | str | None:
    """The network's answer about `outgoing`, whose send ended in doubt for `reason`:
    a `Result` (it went out), None (it did not: send it again), or what to tell the
    person who must check (`reason`, with why the look-up could not settle it)."""
    try:
        return adapter.find_published(outgoing)
    except UncertainError as exc:
        if not can_look_up(adapter):
            return reason  # no look-up on this network: the reason alone says it all
        lookup = exc.message
    except PublishError as exc:
        lookup = exc.message
    except Exception as exc:  # a bug in a look-up must not lose the outcome
        log.exception("Publication %s: the look-up failed", outgoing.publication_id)
        lookup = f"{type(exc).__name__}: {exc}"
    return message("look_up_failed", channel=adapter.channel, error=reason, lookup=lookup)
