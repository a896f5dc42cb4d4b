"""Which adapter publishes to which network.

A network without an adapter still validates (through the base class) but refuses to
publish with a `PermanentError`, so a post aimed at it fails loudly instead of being
dropped in silence.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from editorial.channels.atom import AtomAdapter
from editorial.channels.base import ChannelAdapter, Outgoing, PermanentError, Result
from editorial.channels.log import LogAdapter
from editorial.channels.webhook import WebhookAdapter
from editorial.messages import message
from editorial.models import Network

if TYPE_CHECKING:
    from editorial.models import Channel

ADAPTERS: dict[str, type[ChannelAdapter]] = {
    Network.LOG: LogAdapter,
    Network.WEBHOOK: WebhookAdapter,
    Network.ATOM: AtomAdapter,
}


class MissingAdapter(ChannelAdapter):
    """Stands in for a network whose adapter is not written yet (Mastodon, Bluesky…)."""

    network = ""  # any: the channel says which

    def publish(self, outgoing: Outgoing) -> Result:
        raise PermanentError(message("no_adapter", network=self.channel.network))


def adapter_for(channel: Channel) -> ChannelAdapter:
    """The adapter that validates and publishes for `channel`."""
    return ADAPTERS.get(channel.network, MissingAdapter)(channel)


__all__ = ["ADAPTERS", "MissingAdapter", "adapter_for"]
