# The feed view (editorial.feeds) names entries the way the adapter stored them.
from editorial.channels.atom.adapter import AtomAdapter, entry_id, entry_url, feed_path
from editorial.channels.atom.config import AtomConfig

__all__ = ["AtomAdapter", "AtomConfig", "entry_id", "entry_url", "feed_path"]
