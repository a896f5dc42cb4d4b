"""Campaigns: posts grouped across channels and weeks, kept by the community manager
and the head of communication."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from editorial.access import visible_campaigns
from editorial.workflow.errors import WorkflowError
from workspace import services
from workspace.access import campaign_or_404
from workspace.forms import CampaignForm
from workspace.permissions import deny_manage_campaigns
from workspace.views.common import invalid, manages, page, refusal

LIST = "workspace/campaigns/list.html"
FORM = "workspace/campaigns/form.html"
CURRENT = "campaigns"


@manages(deny_manage_campaigns, CURRENT)
def campaign_list(request):
    campaigns = visible_campaigns(request.user).select_related("department")
    return page(request, LIST, CURRENT, campaigns=list(campaigns))


@manages(deny_manage_campaigns, CURRENT)
@require_http_methods(["GET", "POST"])
def campaign_form(request, pk: int | None = None):
    campaign = campaign_or_404(request.user, pk) if pk is not None else None
    data = request.POST if request.method == "POST" else None
    form = CampaignForm(data, instance=campaign, user=request.user)
    if request.method == "GET":
        return page(request, FORM, CURRENT, form=form, campaign=campaign)
    if not form.is_valid():
        return invalid(request, FORM, CURRENT, form=form, campaign=campaign)
    try:
        saved = services.save_campaign(request.user, form)
    except WorkflowError as exc:
        return refusal(request, exc, FORM, CURRENT, form=form, campaign=campaign)
    messages.success(request, _("Campaign saved: %(campaign)s.") % {"campaign": saved})
    return redirect("workspace-campaigns")


urlpatterns = [
    path("campaigns/", campaign_list, name="workspace-campaigns"),
    path("campaigns/new/", campaign_form, name="workspace-campaign-create"),
    path("campaigns/<int:pk>/", campaign_form, name="workspace-campaign-edit"),
]
