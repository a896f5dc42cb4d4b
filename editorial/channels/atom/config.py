"""The Atom feed is served by Cadence itself (`editorial.feeds`): nothing to configure."""

from editorial.channels.base import ChannelConfig


class AtomConfig(ChannelConfig):
    pass
