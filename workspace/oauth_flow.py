"""The OAuth 2 connect flow every OAuth network goes through, between the channel's page
and `services.connect_channel`:

1. `begin`: **Connect with <network>** (POST). The network's provider prepares (Mastodon
   registers Cadence on the instance); a fresh `state` and PKCE verifier are kept in
   the session, bound to the channel and the person; the browser goes to the network's
   authorisation page.
2. `finish`: the network sends the browser back to the one callback URL with `code` and
   `state` (or `error=access_denied`). The state must be one this session started, for
   this person, not stale; the code is exchanged (with the verifier) for a token, and
   the provider says which accounts it may publish as.
3. One account: connected at once. Several (a person's Facebook Pages): kept in the
   session — encrypted, they carry tokens — until the person picks one (`offer`, `offered`).

Anything that goes wrong raises `OAuthProblem`, in words: the channel is left as it
was. The session cookie must stay `SameSite=Lax` (Django's default): the network sends
the browser back by a cross-site navigation, which a `Strict` cookie would not follow.
The redirect URL is `CADENCE_PUBLIC_URL` + the callback's path when set (what is
registered with each network), else the request's own address.
"""

from __future__ import annotations

import time
from dataclasses import asdict

from django.conf import settings
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from editorial import credentials
from editorial.channels.base import PublishError
from editorial.channels.oauth import OAuthAccount, OAuthProblem
from editorial.messages import render
from editorial.models import Channel
from editorial.publishing import tokens
from workspace.access import channel_or_404

PENDING = "cadence_oauth_pending"  # state -> what the callback needs
CHOICE = "cadence_oauth_choice"  # the accounts a token offers, until one is chosen
# An authorisation not finished within this long is void (the person left the tab).
LIFETIME_SECONDS = 15 * 60
# Connections started and not finished, kept per session (several tabs).
KEPT = 5


def redirect_uri(request) -> str:
    path = reverse("workspace-oauth-callback")
    public = (settings.CADENCE_PUBLIC_URL or "").rstrip("/")
    return f"{public}{path}" if public else request.build_absolute_uri(path)


def provider_of(channel: Channel):
    return tokens.provider_for(channel)


def begin(request, channel: Channel) -> str:
    """Where to send the browser to authorise Cadence for `channel`."""
    provider = provider_of(channel)
    if provider is None:
        raise OAuthProblem(_("This network is not connected by OAuth."))
    uri = redirect_uri(request)
    provider.prepare(channel, uri)
    authorization = tokens.authorization(provider, channel, uri)
    now = time.time()
    pending = {
        state: kept
        for state, kept in request.session.get(PENDING, {}).items()
        if now - kept["at"] < LIFETIME_SECONDS
    }
    pending[authorization.state] = {
        "channel": channel.pk,
        "user": request.user.pk,
        "verifier": authorization.verifier,
        "redirect_uri": uri,
        "at": now,
    }
    request.session[PENDING] = dict(sorted(pending.items(), key=lambda kv: kv[1]["at"])[-KEPT:])
    return authorization.url


def finish(request) -> tuple[Channel, list[OAuthAccount]]:
    """The callback: the channel the authorisation was for, and the accounts its token
    may publish as. Raises `OAuthProblem` (with `.channel` when known)."""
    state = request.GET.get("state", "")
    pending = request.session.get(PENDING, {})
    kept = pending.pop(state, None) if state else None
    request.session[PENDING] = pending
    fresh = kept is not None and time.time() - kept["at"] < LIFETIME_SECONDS
    if not fresh or kept["user"] != request.user.pk:
        raise OAuthProblem(
            _("This authorisation was not started here, or is too old: press Connect again.")
        )
    channel = channel_or_404(request.user, kept["channel"])
    try:
        return channel, _accounts(request, channel, kept)
    except OAuthProblem as exc:
        exc.channel = channel
        raise


def _accounts(request, channel: Channel, kept: dict) -> list[OAuthAccount]:
    provider = provider_of(channel)
    network = channel.get_network_display()
    error = request.GET.get("error", "")
    if error == "access_denied":
        raise OAuthProblem(
            _("%(network)s was not authorised: nothing changed on the channel.")
            % {"network": network}
        )
    if error or not request.GET.get("code") or provider is None:
        raise OAuthProblem(
            _("%(network)s did not authorise Cadence (%(error)s): nothing changed.")
            % {"network": network, "error": error[:80] or _("no code")}
        )
    try:
        token = tokens.exchange_code(
            provider,
            channel,
            code=request.GET["code"],
            redirect_uri=kept["redirect_uri"],
            verifier=kept["verifier"],
        )
    except tokens.TokenError as exc:
        raise OAuthProblem(
            _("%(network)s refused to give a token (%(error)s): nothing changed.")
            % {"network": network, "error": exc.error}
        ) from None
    try:
        accounts = provider.accounts_for(channel, token)
    except PublishError as exc:  # the network's own refusal (a permission the app lacks)
        raise OAuthProblem(render(exc.message)) from None
    if not accounts:
        raise OAuthProblem(
            _("%(network)s gives this authorisation no account to publish as.")
            % {"network": network}
        )
    expires = tokens.expires_at(token)
    return [a if a.expires_at or not expires else _with_expiry(a, expires) for a in accounts]


def _with_expiry(account: OAuthAccount, expires) -> OAuthAccount:
    return OAuthAccount(**{**asdict(account), "expires_at": expires})


# --- several accounts: the choice waits in the session ---------------------------------


def offer(request, channel: Channel, accounts: list[OAuthAccount]) -> None:
    rows = [
        {**asdict(a), "expires_at": a.expires_at.isoformat() if a.expires_at else None}
        for a in accounts
    ]
    request.session[CHOICE] = {
        "channel": channel.pk,
        "user": request.user.pk,
        "at": time.time(),
        "accounts": credentials.encrypt({"accounts": rows}),
    }


def offered(request) -> tuple[Channel, list[OAuthAccount]]:
    """The channel and accounts waiting for a choice. Raises `OAuthProblem`."""
    kept = request.session.get(CHOICE)
    if not kept or kept["user"] != request.user.pk or time.time() - kept["at"] >= LIFETIME_SECONDS:
        raise OAuthProblem(_("No account is waiting to be chosen: press Connect again."))
    channel = channel_or_404(request.user, kept["channel"])
    try:
        rows = credentials.decrypt(kept["accounts"])["accounts"]
    except (credentials.InvalidToken, credentials.KeysMissing, KeyError, ValueError):
        raise OAuthProblem(_("No account is waiting to be chosen: press Connect again.")) from None
    accounts = [
        OAuthAccount(**{**row, "expires_at": parse_datetime(row["expires_at"] or "")})
        for row in rows
    ]
    return channel, accounts


def forget_choice(request) -> None:
    request.session.pop(CHOICE, None)
