"""Which adapter publishes to which network: the one place that says so.

Each network is a package, `editorial/channels/<network>/`, whose `adapter.py` holds the
adapter class (with the network's limits) and `config.py` the configuration a channel
of that network needs; `ADAPTERS` below maps the network to that class. A network
without an adapter still validates (`planned.py` keeps its limits) but refuses to
publish, and `content.channel_publish_problem` keeps posts away from it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from editorial.channels.atom import AtomAdapter
from editorial.channels.base import ChannelAdapter, ChannelConfig
from editorial.channels.bluesky import BlueskyAdapter
from editorial.channels.facebook import FacebookAdapter
from editorial.channels.instagram import InstagramAdapter
from editorial.channels.linkedin import LinkedInAdapter
from editorial.channels.log import LogAdapter
from editorial.channels.mastodon import MastodonAdapter
from editorial.channels.planned import PLANNED, MissingAdapter
from editorial.channels.webhook import WebhookAdapter
from editorial.channels.x import XAdapter
from editorial.models import Network

if TYPE_CHECKING:
    from editorial.models import Channel

ADAPTERS: dict[str, type[ChannelAdapter]] = {
    Network.LOG: LogAdapter,
    Network.WEBHOOK: WebhookAdapter,
    Network.ATOM: AtomAdapter,
    Network.MASTODON: MastodonAdapter,
    Network.BLUESKY: BlueskyAdapter,
    Network.X: XAdapter,
    Network.LINKEDIN: LinkedInAdapter,
    Network.FACEBOOK: FacebookAdapter,
    Network.INSTAGRAM: InstagramAdapter,
}


def adapter_class(network: str) -> type[ChannelAdapter]:
    """The class that validates and publishes for `network`, with its limits."""
    return ADAPTERS.get(network) or PLANNED.get(network, MissingAdapter)


def adapter_for(channel: Channel) -> ChannelAdapter:
    """The adapter that validates and publishes for `channel`."""
    return adapter_class(channel.network)(channel)


def config_for(network: str) -> type[ChannelConfig]:
    """The form that checks the configuration of a channel of `network`."""
    return adapter_class(network).config


def known_adapters() -> list[type[ChannelAdapter]]:
    """Every network's class, the planned ones included: for what spans all networks
    (the most images a post may carry, every configuration field a form may show)."""
    return [adapter_class(network) for network in Network.values]


def secret_fields() -> frozenset[str]:
    """The configuration fields of every network that are written, never shown (nor
    kept in the audit trail)."""
    return frozenset().union(*(adapter.config.secret_fields for adapter in known_adapters()))


__all__ = [
    "ADAPTERS",
    "MissingAdapter",
    "adapter_class",
    "adapter_for",
    "config_for",
    "known_adapters",
    "secret_fields",
]
