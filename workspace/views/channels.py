"""Channels: the team's accounts on the networks. The head of communication and the
administrator manage them; a webhook's address (its secret) is written, never shown."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from editorial.access import visible_channels
from editorial.workflow.errors import WorkflowError
from workspace import services
from workspace.access import channel_or_404
from workspace.forms import ChannelForm
from workspace.permissions import deny_manage_channels
from workspace.views.common import invalid, manages, page, refusal

LIST = "workspace/channels/list.html"
FORM = "workspace/channels/form.html"
CURRENT = "channels"


@manages(deny_manage_channels, CURRENT)
def channel_list(request):
    channels = visible_channels(request.user).select_related("department")
    return page(request, LIST, CURRENT, channels=list(channels))


@manages(deny_manage_channels, CURRENT)
@require_http_methods(["GET", "POST"])
def channel_form(request, pk: int | None = None):
    channel = channel_or_404(request.user, pk) if pk is not None else None
    data = request.POST if request.method == "POST" else None
    form = ChannelForm(data, instance=channel, user=request.user)
    if request.method == "GET":
        return page(request, FORM, CURRENT, form=form, channel=channel)
    if not form.is_valid():
        return invalid(request, FORM, CURRENT, form=form, channel=channel)
    try:
        saved = services.save_channel(request.user, form)
    except WorkflowError as exc:
        return refusal(request, exc, FORM, CURRENT, form=form, channel=channel)
    messages.success(request, _("Channel saved: %(channel)s.") % {"channel": saved})
    return redirect("workspace-channels")


urlpatterns = [
    path("channels/", channel_list, name="workspace-channels"),
    path("channels/new/", channel_form, name="workspace-channel-create"),
    path("channels/<int:pk>/", channel_form, name="workspace-channel-edit"),
]
