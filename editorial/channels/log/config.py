"""The server-log channel needs nothing but its handle, which names it in the log line."""

from editorial.channels.base import ChannelConfig


class LogConfig(ChannelConfig):
    pass
