"""What the Facebook Page and Instagram adapters share: an account on the Graph API,
named by one setting (a Page's id, an Instagram user's id), reached with the Page's
token (one made from a long-lived user token does not expire; the OAuth flow's
`fresh_access_token` refreshes any that would)."""

from __future__ import annotations

from typing import ClassVar

from editorial.channels.base import ChannelAdapter, PermanentError
from editorial.channels.graph.client import graph_call
from editorial.messages import message


class GraphAdapter(ChannelAdapter):
    # The key of `Channel.settings` naming the account the channel publishes as.
    account_setting: ClassVar[str]

    @property
    def account_id(self) -> str:
        return str((self.channel.settings or {}).get(self.account_setting) or "")

    def _token(self) -> str:
        if not self.account_id:
            raise PermanentError(message("channel_not_connected", channel=self.channel))
        return self.oauth.fresh_access_token(self.channel)

    def _call(self, method: str, path: str, **kwargs) -> dict:
        return graph_call(self.channel, method, path, self._token(), **kwargs)
