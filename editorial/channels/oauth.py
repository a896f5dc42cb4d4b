"""How a network whose accounts are connected by OAuth 2 says so: the contract between
a network's package and the connect flow (the workspace's Connect button, the callback,
the token refresh).

A network that connects by OAuth gives its adapter class an `oauth` attribute, an
`OAuthProvider`: where its authorisation and token endpoints are, which scopes it asks,
whether it takes PKCE, and, once the token exchange is done, which accounts that token
may publish as (`accounts`: a Facebook user token lists the Pages they manage, each
with its own token). The flow stores the chosen account's tokens in the channel's
encrypted credentials (`access_token`, `refresh_token`), its expiry in
`Channel.token_expires_at`, and what is not secret (a Page id) in `Channel.settings`.

The application registered with each network (its client id and secret) and the
network's addresses come from the settings, `CADENCE_NETWORKS[<network>]`, so that an
institution configures them once and the tests point them at a loopback server.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings


def network_setting(network: str, name: str, default: str = "") -> str:
    """One of `CADENCE_NETWORKS[network]`'s values (`client_id`, `client_secret`,
    `api_url`, `authorize_url`, `token_url`…), or `default`."""
    return (getattr(settings, "CADENCE_NETWORKS", {}).get(network) or {}).get(name) or default


@dataclass(frozen=True)
class OAuthAccount:
    """One account a token may publish as, offered to the person connecting."""

    key: str  # unique among the token's accounts (a Page id)
    name: str  # shown: "Préfecture du Bas-Rhin"
    credentials: dict  # kept encrypted: access_token, refresh_token…
    settings: dict = field(default_factory=dict)  # kept in clear: page id, user id…
    expires_at: datetime | None = None
    avatar_url: str = ""


@dataclass(frozen=True)
class OAuthProvider:
    """A network's OAuth 2 authorisation-code flow. The endpoints given here are the
    network's real ones; `CADENCE_NETWORKS[network]["authorize_url"]` / `["token_url"]`
    replace them (a test's loopback server)."""

    network: str
    authorize_url: str
    token_url: str
    scopes: tuple[str, ...]
    pkce: bool = True
    # How the scopes are joined in the authorisation request (a space for most
    # networks, a comma for Facebook's).
    scope_separator: str = " "

    def endpoint(self, name: str) -> str:
        return network_setting(self.network, name, getattr(self, name))

    def accounts(self, token: dict) -> list[OAuthAccount]:
        """The accounts `token` (the token endpoint's answer) may publish as. The
        default: the token's own account, named by nobody (the network's package
        overrides it to ask the network who that is)."""
        raise NotImplementedError
