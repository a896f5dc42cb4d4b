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

What a network's package may override besides `accounts(token)` (each has a default
that fits a network with one application and fixed endpoints):
- `token_auth`: how the client authenticates at the token endpoint, authlib's
  `token_endpoint_auth_method` ("client_secret_post", the default; X wants
  "client_secret_basic").
- `authorization_endpoint(channel)` / `token_endpoint(channel)`: the endpoints for this
  channel (default: `endpoint("authorize_url")` / `endpoint("token_url")`); Mastodon's
  are on the channel's instance.
- `client(channel)`: the application's `(client_id, client_secret)` (default: from
  `CADENCE_NETWORKS`); Mastodon's are registered per instance and kept on the channel.
- `prepare(channel, redirect_uri)`: called when someone presses Connect, before the
  redirect (default: nothing); Mastodon registers the application on the instance here.
  Raises `OAuthProblem` to refuse, in words.
- `accounts_for(channel, token)`: the accounts, knowing the channel (default:
  `accounts(token)`); Mastodon asks the channel's instance. Either may raise
  `OAuthProblem` or the adapters' `PublishError`s: the person connecting reads the
  message, and the channel keeps what it had.
- `authorization_params`: extra query parameters of the authorisation request.

Adapters publishing with an expiring token read it through
`self.oauth.fresh_access_token(self.channel)` just before a request: it refreshes the
token first when it has expired (or is about to), stores the new one, and returns the
access token; a refresh the network refuses flags the channel needs reconnecting and
raises `editorial.channels.base.PermanentError` (a refresh that could not reach the
network raises `TransientError`), so `publish` only has to let them through. The beat
task `editorial.refresh_channel_tokens` refreshes the channels due before that happens.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings


def network_setting(network: str, name: str, default: str = "") -> str:
    """One of `CADENCE_NETWORKS[network]`'s values (`client_id`, `client_secret`,
    `api_url`, `authorize_url`, `token_url`…), or `default`."""
    return (getattr(settings, "CADENCE_NETWORKS", {}).get(network) or {}).get(name) or default


class OAuthProblem(Exception):
    """The connect flow cannot go on; `message` says why, in words, with no secret."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


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
    token_auth: str = "client_secret_post"
    authorization_params: tuple[tuple[str, str], ...] = ()

    def endpoint(self, name: str) -> str:
        return network_setting(self.network, name, getattr(self, name))

    def authorization_endpoint(self, channel) -> str:
        return self.endpoint("authorize_url")

    def token_endpoint(self, channel) -> str:
        return self.endpoint("token_url")

    def origin(self, channel) -> str:
        """Where the browser is sent to authorise (the page's form-action allows it)."""
        parts = urlsplit(self.authorization_endpoint(channel))
        return f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""

    def client(self, channel) -> tuple[str, str]:
        return (
            network_setting(self.network, "client_id"),
            network_setting(self.network, "client_secret"),
        )

    def prepare(self, channel, redirect_uri: str) -> None:
        """Before the redirect to the network: nothing, unless the network registers
        its applications per server."""
        if not self.client(channel)[0]:
            raise OAuthProblem(_no_client(self.network))

    def accounts_for(self, channel, token: dict) -> list[OAuthAccount]:
        return self.accounts(token)

    def accounts(self, token: dict) -> list[OAuthAccount]:
        """The accounts `token` (the token endpoint's answer) may publish as. The
        default: the token's own account, named by nobody (the network's package
        overrides it to ask the network who that is)."""
        raise NotImplementedError

    def fresh_access_token(self, channel) -> str:
        """The channel's access token, refreshed first when it has expired or is about
        to (see the module's docstring)."""
        # Imported here: the refresh flags channels through the publishing package,
        # which imports the adapters.
        from editorial.publishing.tokens import fresh_access_token

        return fresh_access_token(channel, self)


def _no_client(network: str) -> str:
    from django.utils.translation import gettext as _

    return _(
        "No application is registered for this network: set its client id and secret "
        "(CADENCE_%(network)s_CLIENT_ID and CADENCE_%(network)s_CLIENT_SECRET)."
    ) % {"network": network.upper()}
