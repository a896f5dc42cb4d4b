"""Was this post published? Facebook and Instagram keep no idempotency key: the account's
latest posts are read (newest first) for the exact text, as the network shows it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils.dateparse import parse_datetime

from editorial.channels.base import Outgoing, UncertainError
from editorial.messages import message

# Meta's times are to the second, and its clock is not ours: an item counts as older
# than the publication only by more than this.
CLOCK_MARGIN = dt.timedelta(minutes=1)


def comparable(text: str) -> str:
    """What the sent text and the network's copy of it share: whitespace collapsed (both
    networks trim and may fold line ends)."""
    return " ".join(str(text or "").split())


def publication_created(outgoing: Outgoing):
    from editorial.models import Publication

    return (
        Publication.objects.filter(pk=outgoing.publication_id)
        .values_list("created_at", flat=True)
        .first()
    )


def settle(
    channel,
    outgoing: Outgoing,
    items: Iterable[dict],
    *,
    limit: int,
    text_key: str,
    time_key: str,
) -> dict | None:
    """The item carrying `outgoing`'s text, or None when it certainly is not there: the
    items read are the account's whole history (fewer than `limit`) or reach back
    before the publication existed. Otherwise `UncertainError`."""
    items = [item for item in items if isinstance(item, dict)]
    wanted = comparable(outgoing.text)
    for item in items:
        if comparable(item.get(text_key)) == wanted:
            return item
    if len(items) < limit:
        return None
    created = publication_created(outgoing)
    oldest = parse_datetime(_iso(items[-1].get(time_key)))
    if created is not None and oldest is not None and oldest + CLOCK_MARGIN < created:
        return None
    raise UncertainError(message("cannot_tell", channel=channel))


def _iso(value) -> str:
    """Graph's times are ISO 8601 with `+0000`; Python wants `+00:00`."""
    text = str(value or "")
    if len(text) > 5 and text[-5] in "+-" and text[-4:].isdigit():
        text = f"{text[:-2]}:{text[-2:]}"
    return text
