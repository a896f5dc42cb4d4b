from editorial.channels.bluesky.adapter import AccountInfo, BlueskyAdapter, record_key
from editorial.channels.bluesky.config import BlueskyConfig

__all__ = ["AccountInfo", "BlueskyAdapter", "BlueskyConfig", "record_key"]
