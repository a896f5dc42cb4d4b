"""A network connected by OAuth, for the connect flow's tests: its provider asks the
loopback authorisation server (tests/oauth_server.py) which accounts a token may publish
as (`GET /me`), as a Facebook-like network lists a person's Pages. `use_network`
installs it as X's adapter for one test and points `CADENCE_NETWORKS["x"]` at the
server."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from editorial.channels import ADAPTERS
from editorial.channels.base import (
    AccountInfo,
    ChannelAdapter,
    CredentialsRejected,
    PermanentError,
)
from editorial.channels.oauth import OAuthAccount, OAuthProvider, network_setting
from editorial.messages import message
from editorial.models import Channel, Network


@dataclass(frozen=True)
class LoopbackProvider(OAuthProvider):
    def accounts(self, token: dict) -> list[OAuthAccount]:
        someone = Channel(name="X", network=Network.X)  # no channel yet: names the network
        return [
            OAuthAccount(
                key=account["id"],
                name=account["name"],
                credentials={
                    "access_token": token["access_token"],
                    "refresh_token": token.get("refresh_token", ""),
                },
                settings={"page_id": account["id"]},
                avatar_url=account.get("avatar", ""),
            )
            for account in _accounts(someone, token["access_token"])
        ]


def _accounts(channel, access_token: str) -> list[dict]:
    answer = httpx.get(
        f"{network_setting(Network.X, 'api_url')}/me",
        headers={"Authorization": f"Bearer {access_token}"},
        timeout=5,
    )
    if answer.status_code != 200:
        # As a network's package does: its own errors, in words.
        text = str(answer.json().get("error", ""))
        raise (CredentialsRejected if answer.status_code == 401 else PermanentError)(
            message("answered", channel=channel, status=answer.status_code, text=text)
        )
    return answer.json()["accounts"]


class LoopbackNetworkAdapter(ChannelAdapter):
    network = Network.X
    checks_connection = True
    oauth = LoopbackProvider(
        network=Network.X,
        authorize_url="https://network.invalid/authorize",
        token_url="https://network.invalid/token",
        scopes=("publish", "read", "offline.access"),
    )

    def check_credentials(self) -> AccountInfo:
        """As an adapter with expiring tokens does: the token read through
        `fresh_access_token`, refreshed first when it has expired."""
        token = self.oauth.fresh_access_token(self.channel)
        page_id = (self.channel.settings or {}).get("page_id")
        account = next(a for a in _accounts(self.channel, token) if a["id"] == page_id)
        return AccountInfo(name=account["name"], expires_at=self.channel.token_expires_at)


def use_network(monkeypatch, settings, server) -> None:
    monkeypatch.setitem(ADAPTERS, Network.X, LoopbackNetworkAdapter)
    settings.CADENCE_NETWORKS = {Network.X: server.network_settings()}
