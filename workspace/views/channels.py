"""Channels: the team's accounts on the networks. The head of communication and the
administrator manage them; secrets (a webhook's address, an access token) are written,
never shown. **Test connection** asks the network who the credentials are."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from editorial.access import visible_channels
from editorial.channels import adapter_for
from editorial.credentials import CredentialsUnreadable
from editorial.workflow.errors import WorkflowError
from workspace import services
from workspace.access import channel_or_404
from workspace.forms import ChannelForm
from workspace.permissions import deny_manage_channels
from workspace.views.common import invalid, manages, page, refusal
from workspace.views.oauth import allow

LIST = "workspace/channels/list.html"
FORM = "workspace/channels/form.html"
CURRENT = "channels"


@manages(deny_manage_channels, CURRENT)
def channel_list(request):
    channels = visible_channels(request.user).select_related("department")
    return page(request, LIST, CURRENT, channels=list(channels))


def _state(channel) -> dict:
    """What the page says of a stored channel besides its form: whether it can be
    tested, needs reconnecting, or has credentials no key opens."""
    if channel is None:
        return {}
    adapter = adapter_for(channel)
    try:
        channel.credentials  # noqa: B018 - decrypting is the check
        unreadable = ""
    except CredentialsUnreadable as exc:
        unreadable = str(exc)
    oauth = getattr(adapter, "oauth", None)
    return {
        "can_test": adapter.checks_connection,
        "unreadable": unreadable,
        # Connect with <network>: the button posts here, and the answer sends the
        # browser on to the network, which the page's form-action must allow.
        "oauth_origin": oauth.origin(channel) if oauth is not None else "",
    }


def _channel_page(request, *, respond=None, **extra):
    response = (respond or page)(request, FORM, CURRENT, **extra)
    allow(response, "form-action", [extra.get("oauth_origin")])
    test = extra.get("test")
    if test is not None and test.account is not None:
        allow(response, "img-src", [test.account.avatar_url])  # on the network's site
    return response


@manages(deny_manage_channels, CURRENT)
@require_http_methods(["GET", "POST"])
def channel_form(request, pk: int | None = None):
    channel = channel_or_404(request.user, pk) if pk is not None else None
    data = request.POST if request.method == "POST" else None
    form = ChannelForm(data, instance=channel, user=request.user)
    extra = {"form": form, "channel": channel, **_state(channel)}
    if request.method == "GET":
        return _channel_page(request, **extra)
    if not form.is_valid():
        return _channel_page(request, respond=invalid, **extra)
    try:
        saved = services.save_channel(request.user, form)
    except WorkflowError as exc:
        return refusal(request, exc, FORM, CURRENT, **extra)
    messages.success(request, _("Channel saved: %(channel)s.") % {"channel": saved})
    generated = getattr(form.network_config, "generated_secret", "")
    if generated:
        # Shown in this answer only (never in a message, which may travel in a cookie):
        # a reload, or any later visit, does not show it again.
        form = ChannelForm(instance=saved, user=request.user)
        return page(
            request,
            FORM,
            CURRENT,
            form=form,
            channel=saved,
            generated_secret=generated,
            **_state(saved),
        )
    return redirect("workspace-channels")


@manages(deny_manage_channels, CURRENT)
@require_POST
def channel_test(request, pk: int):
    """**Test connection**: the channel's page again, saying whether it works and as
    whom."""
    channel = channel_or_404(request.user, pk)
    try:
        result = services.test_connection(request.user, channel)
    except WorkflowError as exc:
        form = ChannelForm(instance=channel, user=request.user)
        return refusal(request, exc, FORM, CURRENT, form=form, channel=channel)
    form = ChannelForm(instance=channel, user=request.user)
    return _channel_page(request, form=form, channel=channel, test=result, **_state(channel))


urlpatterns = [
    path("channels/", channel_list, name="workspace-channels"),
    path("channels/new/", channel_form, name="workspace-channel-create"),
    path("channels/<int:pk>/", channel_form, name="workspace-channel-edit"),
    path("channels/<int:pk>/test/", channel_test, name="workspace-channel-test"),
]
