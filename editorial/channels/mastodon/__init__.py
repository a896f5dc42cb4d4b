"""Mastodon: an account on any instance, connected with an access token."""

from editorial.channels.mastodon.adapter import MastodonAdapter
from editorial.channels.mastodon.config import MastodonConfig

__all__ = ["MastodonAdapter", "MastodonConfig"]
