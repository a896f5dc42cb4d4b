"""Networks Cadence knows but cannot publish to yet (X, LinkedIn).

Each keeps its network's limits here, so that a post aimed at one of its channels is
still measured like any other, and refuses to publish with a `PermanentError`: a post
aimed at it fails loudly instead of being dropped in silence. When the network gets
its package (`editorial/channels/<network>/`), its class here goes and the registry's
`ADAPTERS` gains its line.
"""

from __future__ import annotations

from editorial.channels.base import ChannelAdapter, Outgoing, PermanentError, Result
from editorial.messages import message
from editorial.models import Network


class MissingAdapter(ChannelAdapter):
    """Stands in for a network whose adapter is not written yet. Used as it is for a
    network Cadence does not know at all (no limits to check)."""

    network = ""  # any: the channel says which

    def publish(self, outgoing: Outgoing) -> Result:
        raise PermanentError(message("no_adapter", network=self.channel.network))


class XPlanned(MissingAdapter):
    network = Network.X
    text_limit = 280
    media_limit = 4


class LinkedInPlanned(MissingAdapter):
    network = Network.LINKEDIN
    text_limit = 3000
    media_limit = 20


PLANNED: dict[str, type[MissingAdapter]] = {
    adapter.network: adapter for adapter in (XPlanned, LinkedInPlanned)
}
