from editorial.channels.log.adapter import LogAdapter
from editorial.channels.log.config import LogConfig

__all__ = ["LogAdapter", "LogConfig"]
