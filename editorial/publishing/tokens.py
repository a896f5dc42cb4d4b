"""OAuth 2 tokens on the wire: the authorisation request the connect flow sends the
browser to, the code exchanged for a token, and the refresh — by the beat task before a
token expires (`refresh_due`), and just before a publish when it has
(`fresh_access_token`, which adapters reach through `OAuthProvider.fresh_access_token`).

authlib builds the protocol's pieces (the authorisation URI, PKCE's S256 challenge, the
token requests' bodies, the token's `expires_at`); httpx carries them, so that the
token endpoint's answer is classified here from its status and `error` code: refused
for good (400/401/403: `invalid_grant`, a revoked refresh token, a withdrawn
application) or failed for now (no answer, 429, 5xx, `temporarily_unavailable`).

A refresh holds the channel's row for the length of the request: the beat task and a
publish refreshing the same channel at once would otherwise spend one single-use
refresh token twice, and the second would be refused (and flag the channel) for no
fault of anyone.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
from dataclasses import dataclass

import httpx
from authlib.common.security import generate_token
from authlib.common.urls import add_params_to_qs
from authlib.oauth2.rfc6749 import OAuth2Token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from editorial.channels import adapter_class
from editorial.channels.base import CredentialsRejected, PermanentError, TransientError
from editorial.credentials import CredentialsUnreadable
from editorial.messages import message
from editorial.models import Channel, Network
from editorial.publishing.connections import flag_needs_reconnecting

log = logging.getLogger(__name__)

# Errors a token endpoint may answer with a 400 that say "later", not "never".
PASSING = frozenset({"temporarily_unavailable", "server_error", "slow_down"})
# Just before a publish, a token this close to its expiry is refreshed first.
PUBLISH_MARGIN = dt.timedelta(seconds=60)
REFRESHED, FRESH, REFUSED, FAILED, SKIPPED = "refreshed", "fresh", "refused", "failed", "skipped"


class TokenError(Exception):
    """The token endpoint did not give a token. `error`: its error code, or the HTTP
    status, or the kind of network failure (never a secret); `refused`: for good."""

    def __init__(self, error: str, *, refused: bool):
        super().__init__(error)
        self.error = error
        self.refused = refused


def provider_for(channel):
    """The channel's network's `OAuthProvider`, or None (not connected by OAuth)."""
    return getattr(adapter_class(channel.network), "oauth", None)


# --- the authorisation code ----------------------------------------------------------


@dataclass(frozen=True)
class Authorization:
    url: str  # where the browser goes
    state: str  # comes back with the code; kept in the session
    verifier: str  # PKCE's secret half ("" without PKCE); kept in the session


def authorization(provider, channel, redirect_uri: str) -> Authorization:
    client_id, _secret = provider.client(channel)
    state = generate_token(32)
    verifier = generate_token(64) if provider.pkce else ""
    extra = dict(provider.authorization_params)
    if verifier:
        extra |= {
            "code_challenge": create_s256_code_challenge(verifier),
            "code_challenge_method": "S256",
        }
    url = prepare_grant_uri(
        provider.authorization_endpoint(channel),
        client_id=client_id,
        response_type="code",
        redirect_uri=redirect_uri,
        scope=provider.scope_separator.join(provider.scopes),
        state=state,
        **extra,
    )
    return Authorization(url, state, verifier)


def exchange_code(provider, channel, *, code: str, redirect_uri: str, verifier: str) -> dict:
    """The token endpoint's answer for `code` (with `expires_at`, seconds since the
    epoch, when it gave `expires_in`). Raises `TokenError`."""
    body = prepare_token_request(
        "authorization_code", code=code, redirect_uri=redirect_uri, code_verifier=verifier
    )
    return _token_request(provider, channel, body)


def expires_at(token: dict) -> dt.datetime | None:
    when = token.get("expires_at")
    if isinstance(when, int | float) and when > 0:
        return dt.datetime.fromtimestamp(when, tz=dt.UTC)
    return None


def _token_request(provider, channel, body: str) -> dict:
    client_id, client_secret = provider.client(channel)
    headers = {"Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"}
    if provider.token_auth == "client_secret_basic":
        pair = f"{client_id}:{client_secret}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
    else:
        body = add_params_to_qs(body, [("client_id", client_id), ("client_secret", client_secret)])
    try:
        answer = httpx.post(
            provider.token_endpoint(channel),
            content=body,
            headers=headers,
            timeout=settings.OAUTH_TIMEOUT_SECONDS,
        )
    except httpx.HTTPError as exc:
        raise TokenError(type(exc).__name__, refused=False) from None
    try:
        data = answer.json()
    except ValueError:
        data = None
    data = data if isinstance(data, dict) else {}
    if answer.status_code == 200 and data.get("access_token"):
        return dict(OAuth2Token(data))
    error = data.get("error")
    if isinstance(error, dict):  # the Graph API's {"error": {"type": …, "code": …}}
        error = error.get("type") or error.get("code")
    error = str(error or f"HTTP {answer.status_code}")[:80]
    refused = answer.status_code in (400, 401, 403) and error not in PASSING
    raise TokenError(error, refused=refused)


# --- the refresh ---------------------------------------------------------------------


def refresh(channel_id: int, *, margin: dt.timedelta) -> tuple[str, Channel, TokenError | None]:
    """Refresh the channel's token if it expires within `margin` (someone else may
    just have). Returns the outcome, the channel as stored now, and the refusal."""
    now = timezone.now()
    with transaction.atomic():
        channel = Channel.objects.select_for_update().get(pk=channel_id)
        provider = provider_for(channel)
        due = channel.token_expires_at is not None and channel.token_expires_at <= now + margin
        if provider is None or channel.needs_reconnecting or not due:
            return (SKIPPED if provider is None else FRESH), channel, None
        try:
            stored = dict(channel.credentials)
        except CredentialsUnreadable:
            return REFUSED, channel, TokenError("unreadable credentials", refused=True)
        if not stored.get("refresh_token"):
            if channel.token_expires_at > now:
                return FRESH, channel, None  # usable until it expires; then reconnect
            return REFUSED, channel, TokenError("no refresh token", refused=True)
        body = prepare_token_request("refresh_token", refresh_token=stored["refresh_token"])
        try:
            token = _token_request(provider, channel, body)
        except TokenError as exc:
            return (REFUSED if exc.refused else FAILED), channel, exc
        # A network that does not rotate refresh tokens leaves the old one working.
        renewed = {**stored, "access_token": token["access_token"]}
        if token.get("refresh_token"):
            renewed["refresh_token"] = token["refresh_token"]
        channel.set_credentials(renewed)
        channel.token_expires_at = expires_at(token)
        channel.save(update_fields=["encrypted_credentials", "token_expires_at"])
    log.info("Channel %s: access token renewed until %s", channel.pk, channel.token_expires_at)
    return REFRESHED, channel, None


def refresh_due(now: dt.datetime | None = None, *, batch: int = 100) -> dict[str, int]:
    """The beat task: refresh every channel whose token expires within
    OAUTH_REFRESH_MARGIN_MINUTES; a refusal flags the channel needs reconnecting (its
    owner and the CM are told), a failure is tried again at the next sweep."""
    now = now or timezone.now()
    margin = dt.timedelta(minutes=settings.OAUTH_REFRESH_MARGIN_MINUTES)
    oauth_networks = [n for n in Network.values if getattr(adapter_class(n), "oauth", None)]
    due = (
        Channel.objects.filter(
            token_expires_at__lte=now + margin,
            needs_reconnecting=False,
            network__in=oauth_networks,
        )
        .order_by("token_expires_at")
        .values_list("pk", flat=True)[:batch]
    )
    summary: dict[str, int] = {}
    for channel_id in list(due):
        outcome, channel, error = refresh(channel_id, margin=margin)
        if outcome == REFUSED:
            flag_needs_reconnecting(channel, _refused(channel, error))
        elif outcome == FAILED:
            log.warning("Channel %s: token refresh failed (%s), tried again", channel.pk, error)
        summary[outcome] = summary.get(outcome, 0) + 1
    return summary


def fresh_access_token(channel: Channel, provider) -> str:
    """The channel's access token, refreshed first when it expires within a minute. A
    refusal raises `CredentialsRejected` (the publisher flags the channel); a failure
    with the token already expired, `TransientError` (tried again later)."""
    if channel.token_expires_at is not None and (
        channel.token_expires_at <= timezone.now() + PUBLISH_MARGIN
    ):
        outcome, stored, error = refresh(channel.pk, margin=PUBLISH_MARGIN)
        channel.encrypted_credentials = stored.encrypted_credentials
        channel.token_expires_at = stored.token_expires_at
        if outcome == REFUSED:
            raise CredentialsRejected(_refused(channel, error))
        if outcome == FAILED and channel.token_expires_at <= timezone.now():
            raise TransientError(
                message("token_refresh_failed", channel=channel, error=error.error)
            )
    try:
        token = channel.credentials.get("access_token", "")
    except CredentialsUnreadable:
        raise PermanentError(message("credentials_unreadable", channel=channel)) from None
    if not token:
        raise PermanentError(message("channel_not_connected", channel=channel))
    return token


def _refused(channel: Channel, error: TokenError | None):
    return message("token_refresh_refused", channel=channel, error=error.error if error else "")
