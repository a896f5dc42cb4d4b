"""A LinkedIn channel is connected by LinkedIn's OAuth authorisation (the channel page's
Connect button: `LinkedInAdapter.oauth`), never by typing a token: the connect flow
keeps the chosen organisation's URN in `Channel.settings["organization_urn"]`, the
member's access and refresh tokens in the encrypted credentials, and the token's expiry
in `Channel.token_expires_at`. Nothing to type, so no field; a channel without them is
not connected."""

from editorial.channels.base import ChannelConfig
from editorial.credentials import CredentialsUnreadable

ORGANIZATION_PREFIX = "urn:li:organization:"


class LinkedInConfig(ChannelConfig):
    @classmethod
    def missing(cls, channel) -> list[str]:
        missing = []
        urn = str((channel.settings or {}).get("organization_urn") or "")
        if not urn.startswith(ORGANIZATION_PREFIX):
            missing.append("organization_urn")
        try:
            token = channel.credentials.get("access_token")
        except CredentialsUnreadable:
            token = None  # `connection_problem` says so in its own words
        if not token:
            missing.append("access_token")
        return missing
