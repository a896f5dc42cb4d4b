"""The server-log channel: the demo's way of seeing a post go out."""

from __future__ import annotations

import logging

from editorial.channels.base import ChannelAdapter, Outgoing, Result
from editorial.channels.log.config import LogConfig
from editorial.models import Network

logger = logging.getLogger("cadence.channels.log")


class LogAdapter(ChannelAdapter):
    """Writes one INFO line per publication; never fails."""

    network = Network.LOG
    text_limit = 10000
    media_limit = 10
    config = LogConfig
    # Logging twice would be harmless, but nothing dedupes it either.
    honours_idempotency_key = False

    def publish(self, outgoing: Outgoing) -> Result:
        # repr() keeps the line one line: a text with newlines cannot forge log entries.
        logger.info(
            "Published publication=%s key=%s channel=%r images=%d text=%r",
            outgoing.publication_id,
            outgoing.idempotency_key,
            self.channel.handle,
            len(outgoing.images),
            outgoing.text,
        )
        return Result(external_id=f"log:{outgoing.publication_id}")

    def find_published(self, outgoing: Outgoing) -> Result | None:
        # The line is written in this process's own log, which it cannot read back; a
        # second line, carrying the same key, harms no one where a missing one would
        # be a post silently lost: so "not there", and the publisher writes it again.
        return None
