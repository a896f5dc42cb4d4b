"""The built-in public Atom feed as a channel.

Publishing does no I/O: once the publisher marks the publication sent, the feed view
(`editorial.feeds`) shows it. The adapter only names the entry: a tag URI that stays
the entry's Atom id for ever, and the entry's address in the feed.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from editorial.channels.atom.config import AtomConfig
from editorial.channels.base import ChannelAdapter, Outgoing, Result
from editorial.models import Network

FEED_URL_NAME = "channel-atom-feed"


def entry_id(publication_id: int, year: int) -> str:
    """The entry's permanent Atom id (RFC 4151 tag URI). Stored as the publication's
    external_id at publish time, so the year never changes afterwards."""
    return f"tag:cadence,{year}:publication/{publication_id}"


def feed_path(channel_id: int) -> str:
    return reverse(FEED_URL_NAME, kwargs={"channel_id": channel_id})


def entry_url(channel_id: int, publication_id: int) -> str:
    """The entry's address: its anchor in the channel's feed (there is no HTML page)."""
    return f"{feed_path(channel_id)}#publication-{publication_id}"


class AtomAdapter(ChannelAdapter):
    network = Network.ATOM
    text_limit = 10000
    media_limit = 10
    config = AtomConfig
    # Publishing is a state change in our own database: nothing to send twice.
    honours_idempotency_key = True

    def publish(self, outgoing: Outgoing) -> Result:
        try:
            # SITE_URL (e.g. "https://cadence.example.gouv.fr") makes it absolute.
            url = getattr(settings, "SITE_URL", "").rstrip("/") + entry_url(
                self.channel.pk, outgoing.publication_id
            )
        except NoReverseMatch:  # the feed is not routed in this deployment
            url = ""
        year = timezone.now().astimezone(datetime.UTC).year
        return Result(external_id=entry_id(outgoing.publication_id, year), url=url)

    def find_published(self, outgoing: Outgoing) -> Result | None:
        # The feed shows only publications recorded as sent: one whose outcome is in
        # doubt is in no reader's feed, and publishing it is marking it sent.
        return None
