"""A network connected by OAuth, for the connect flow's tests: its provider asks the
loopback authorisation server (tests/oauth_server.py) which accounts a token may publish
as (`GET /me`), as a Facebook-like network lists a person's Pages. `use_network`
installs it as X's adapter for one test and points `CADENCE_NETWORKS["x"]` at the
server."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from editorial.channels import ADAPTERS
from editorial.channels.base import ChannelAdapter, PermanentError
from editorial.channels.oauth import OAuthAccount, OAuthProvider, network_setting
from editorial.messages import message
from editorial.models import Channel, Network


@dataclass(frozen=True)
class LoopbackProvider(OAuthProvider):
    def accounts(self, token: dict) -> list[OAuthAccount]:
        answer = httpx.get(
            f"{network_setting(self.network, 'api_url')}/me",
            headers={"Authorization": f"Bearer {token['access_token']}"},
            timeout=5,
        )
        if answer.status_code != 200:
            # As a network's package does: its own errors, in words.
            someone = Channel(name="X", network=Network.X)
            text = str(answer.json().get("error", ""))
            raise PermanentError(
                message("answered", channel=someone, status=answer.status_code, text=text)
            )
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
            for account in answer.json()["accounts"]
        ]


class LoopbackNetworkAdapter(ChannelAdapter):
    network = Network.X
    oauth = LoopbackProvider(
        network=Network.X,
        authorize_url="https://network.invalid/authorize",
        token_url="https://network.invalid/token",
        scopes=("publish", "read", "offline.access"),
    )


def use_network(monkeypatch, settings, server) -> None:
    monkeypatch.setitem(ADAPTERS, Network.X, LoopbackNetworkAdapter)
    settings.CADENCE_NETWORKS = {Network.X: server.network_settings()}
