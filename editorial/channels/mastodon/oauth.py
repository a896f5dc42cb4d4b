"""Connecting a Mastodon account by OAuth: each instance is its own authorisation
server, with no application registered beforehand. When someone presses **Connect with
Mastodon**, Cadence registers itself on the channel's instance (`POST /api/v1/apps`,
with this site's redirect URL and the scopes it publishes with), then sends the browser
to the instance's `/oauth/authorize` (PKCE S256, which Mastodon takes since 4.3; an
older instance ignores it) and exchanges the code at `/oauth/token`.

The application's client id and secret are kept in the channel's encrypted
credentials (`oauth_client_id`, `oauth_client_secret`, and `oauth_client_for`: the
instance and redirect URL they were registered for), not in a model of their own: they
are secrets like the token beside them, so they get its encryption, its key rotation
(`rotate_channel_keys`) and its lifetime for free, with no migration; registering an
application is one request, so an instance with two Cadence channels having two is no
cost. Another instance or another redirect URL registers again.

Mastodon's tokens do not expire: no refresh, no `token_expires_at`. A pasted access
token (the channel's form) keeps working as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from editorial.channels.base import PublishError
from editorial.channels.mastodon.http import USER_AGENT, call, json_body
from editorial.channels.oauth import OAuthAccount, OAuthProblem, OAuthProvider
from editorial.credentials import CredentialsUnreadable
from editorial.messages import render

SCOPES = ("write:statuses", "write:media", "read:accounts")
APP_KEYS = ("oauth_client_id", "oauth_client_secret", "oauth_client_for")


def instance_of(channel) -> str:
    return str((channel.settings or {}).get("instance_url", "")).rstrip("/")


def account_name(account: dict, instance: str) -> str:
    """ "Police nationale 33 (@police33@social.example)"."""
    host = urlsplit(instance).hostname or ""
    acct = str(account.get("acct") or account.get("username") or "")
    handle = f"@{acct}" if "@" in acct else f"@{acct}@{host}"
    name = str(account.get("display_name") or "").strip()
    return f"{name} ({handle})" if name else handle


def _stored(channel) -> dict:
    try:
        return dict(channel.credentials)
    except CredentialsUnreadable:
        return {}  # replaced by the connection under way


@dataclass(frozen=True)
class MastodonOAuth(OAuthProvider):
    def authorization_endpoint(self, channel) -> str:
        return f"{instance_of(channel)}/oauth/authorize"

    def token_endpoint(self, channel) -> str:
        return f"{instance_of(channel)}/oauth/token"

    def client(self, channel) -> tuple[str, str]:
        stored = _stored(channel)
        return stored.get("oauth_client_id", ""), stored.get("oauth_client_secret", "")

    def prepare(self, channel, redirect_uri: str) -> None:
        instance = instance_of(channel)
        if not instance:
            raise OAuthProblem(_("Enter the instance's address and save the channel first."))
        stored = _stored(channel)
        registered_for = f"{instance} {redirect_uri}"
        if stored.get("oauth_client_id") and stored.get("oauth_client_for") == registered_for:
            return
        app = self._register(instance, redirect_uri)
        channel.set_credentials(
            {
                **stored,
                "oauth_client_id": app["client_id"],
                "oauth_client_secret": app["client_secret"],
                "oauth_client_for": registered_for,
            }
        )
        channel.save(update_fields=["encrypted_credentials"])

    def _register(self, instance: str, redirect_uri: str) -> dict:
        refused = _("The instance %(instance)s did not register Cadence (%(error)s).")
        try:
            answer = httpx.post(
                f"{instance}/api/v1/apps",
                json={
                    "client_name": "Cadence",
                    "redirect_uris": redirect_uri,
                    "scopes": " ".join(self.scopes),
                    "website": settings.CADENCE_PUBLIC_URL or None,
                },
                headers={"User-Agent": USER_AGENT},
                timeout=settings.OAUTH_TIMEOUT_SECONDS,
            )
        except httpx.HTTPError as exc:
            error = type(exc).__name__
            raise OAuthProblem(refused % {"instance": instance, "error": error}) from None
        try:
            app = answer.json()
        except ValueError:
            app = {}
        if answer.status_code != 200 or not isinstance(app, dict) or not app.get("client_id"):
            error = f"HTTP {answer.status_code}"
            raise OAuthProblem(refused % {"instance": instance, "error": error})
        return app

    def accounts_for(self, channel, token: dict) -> list[OAuthAccount]:
        """The token's own account (`verify_credentials`), with the application it was
        given to, kept so that a later connection reuses it."""
        instance = instance_of(channel)
        try:
            response = call(
                channel,
                "GET",
                f"{instance}/api/v1/accounts/verify_credentials",
                token["access_token"],
            )
            account = json_body(channel, response)
        except PublishError as exc:
            raise OAuthProblem(render(exc.message)) from None
        stored = _stored(channel)
        credentials = {key: stored[key] for key in APP_KEYS if stored.get(key)}
        credentials |= {
            key: token[key] for key in ("access_token", "refresh_token") if token.get(key)
        }
        return [
            OAuthAccount(
                key=str(account.get("id", "")),
                name=account_name(account, instance),
                credentials=credentials,
                avatar_url=str(account.get("avatar") or ""),
            )
        ]


MASTODON_OAUTH = MastodonOAuth(network="mastodon", authorize_url="", token_url="", scopes=SCOPES)
