"""One WARNING line per publication that needs a person: unknown, failed or held.

Each names the post, the channel and the reason, in English whatever the process's
language (an operator greps logs; the person reads the stored message in their own
language on the post's page). Nothing else in the publisher warns during normal work,
so that a WARNING in the log is always something to look at.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.utils import translation

from editorial.messages import Message, render

log = logging.getLogger("editorial.publishing")


def english(reason: Message | str | None) -> str:
    with translation.override("en"):
        return render(reason) or "no reason given"


def publication_needs_a_person(publication, state: str, reason: Message | str | None) -> None:
    """`publication` ended `state` (unknown or failed)."""
    log.warning(
        "Publication %s %s: post %s on channel %s (%s): %s",
        publication.pk,
        state,
        publication.post_id,
        publication.channel_id,
        publication.channel,
        english(reason),
    )


def post_held(post, channels: Iterable, reason: Message | str | None) -> None:
    """`post` is held for a person: nothing goes out on `channels` until one decides."""
    log.warning(
        "Post %s held: channel(s) %s: %s",
        post.pk,
        ", ".join(f"{channel.pk} ({channel})" for channel in channels) or "none",
        english(reason),
    )
