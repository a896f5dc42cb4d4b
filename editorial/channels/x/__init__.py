"""X (Twitter): an account connected by OAuth 2.0 (user context, PKCE), posting
through the API v2."""

from editorial.channels.x.adapter import XAdapter
from editorial.channels.x.config import XConfig

__all__ = ["XAdapter", "XConfig"]
