"""A network Cadence cannot publish to: a channel whose network has no adapter (data
from before one was written, or a network withdrawn from `ADAPTERS`).

`MissingAdapter` validates like any adapter (no limits to check) and refuses to publish
with a `PermanentError`: a post aimed at such a channel fails loudly instead of being
dropped in silence, and `content.channel_publish_problem` keeps posts away from it
before approval. `PLANNED` keeps the limits of a network Cadence knows before its
package is written (none today: every network has one), so that its posts are still
measured.
"""

from __future__ import annotations

from editorial.channels.base import ChannelAdapter, Outgoing, PermanentError, Result
from editorial.messages import message


class MissingAdapter(ChannelAdapter):
    """Stands in for a network whose adapter is not written (or withdrawn)."""

    network = ""  # any: the channel says which

    def publish(self, outgoing: Outgoing) -> Result:
        raise PermanentError(message("no_adapter", network=self.channel.network))


PLANNED: dict[str, type[MissingAdapter]] = {}
