"""Connect with <network>: the OAuth 2 round trip (workspace/oauth_flow.py) and the
choice among the accounts a token offers. Every step checks that the person manages
channels and that the channel is in their scope (404 otherwise)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from editorial.channels.oauth import OAuthProblem
from editorial.credentials import CredentialsUnreadable
from editorial.workflow.errors import WorkflowError
from workspace import oauth_flow, services
from workspace.access import channel_or_404
from workspace.permissions import deny_manage_channels
from workspace.views.common import manages, page

CHOOSE = "workspace/channels/choose_account.html"
CURRENT = "channels"


def allow(response, directive: str, urls) -> None:
    """Let this answer's page reach the origins of `urls` for `directive` only (the
    site-wide policy stays 'self'): the network's authorisation page the Connect form
    goes on to, the avatars a network serves from its own address."""
    origins = set()
    for url in urls:
        parts = urlsplit(url or "")
        if parts.scheme in ("http", "https") and parts.netloc:
            origins.add(f"{parts.scheme}://{parts.netloc}")
    if origins:
        update = dict(getattr(response, "_csp_update", None) or {})
        update[directive] = sorted(origins | set(update.get(directive, ())))
        response._csp_update = update


def _back(channel):
    if channel is None:
        return redirect("workspace-channels")
    return redirect("workspace-channel-edit", channel.pk)


def _connected(request, channel, account):
    try:
        services.connect_channel(request.user, channel, account)
    except (WorkflowError, CredentialsUnreadable) as exc:
        messages.error(request, str(exc))
        return _back(channel)
    messages.success(
        request,
        _("%(channel)s is connected: it publishes as %(account)s.")
        % {"channel": channel.name, "account": account.name},
    )
    return _back(channel)


@manages(deny_manage_channels, CURRENT)
@require_POST
def channel_connect(request, pk: int):
    channel = channel_or_404(request.user, pk)
    try:
        return redirect(oauth_flow.begin(request, channel))
    except OAuthProblem as exc:
        messages.error(request, exc.message)
        return _back(channel)
    except CredentialsUnreadable as exc:  # no key to store the application's secret
        messages.error(request, str(exc))
        return _back(channel)


@manages(deny_manage_channels, CURRENT)
@require_GET
def oauth_callback(request):
    try:
        channel, accounts = oauth_flow.finish(request)
    except OAuthProblem as exc:
        messages.error(request, exc.message)
        return _back(getattr(exc, "channel", None))
    if len(accounts) == 1:
        return _connected(request, channel, accounts[0])
    oauth_flow.offer(request, channel, accounts)
    return redirect("workspace-oauth-choose")


@manages(deny_manage_channels, CURRENT)
@require_http_methods(["GET", "POST"])
def oauth_choose(request):
    try:
        channel, accounts = oauth_flow.offered(request)
    except OAuthProblem as exc:
        messages.error(request, exc.message)
        return _back(None)
    if request.method == "POST":
        chosen = next((a for a in accounts if a.key == request.POST.get("account")), None)
        if chosen is not None:
            oauth_flow.forget_choice(request)
            return _connected(request, channel, chosen)
    problem = _("Choose one of the accounts.") if request.method == "POST" else ""
    response = page(
        request,
        CHOOSE,
        CURRENT,
        status=400 if problem else 200,
        channel=channel,
        accounts=accounts,
        problem=problem,
    )
    allow(response, "img-src", [a.avatar_url for a in accounts])
    return response


urlpatterns = [
    path("channels/<int:pk>/connect/", channel_connect, name="workspace-channel-connect"),
    path("channels/oauth/callback/", oauth_callback, name="workspace-oauth-callback"),
    path("channels/oauth/choose/", oauth_choose, name="workspace-oauth-choose"),
]
