"""Where a notice leads its reader: the page where they act on its object."""

from __future__ import annotations

from django.urls import reverse

from editorial.permissions import deny_pause, deny_review_plan
from notifications.models import Notification
from workspace.permissions import deny_manage_channels


def target_url(notification: Notification, user) -> str:
    if notification.post_id:
        return reverse("post-detail", args=[notification.post_id])
    if notification.plan_id:
        plan = notification.plan
        if deny_review_plan(plan, user) is None:
            return reverse("plan-review", args=[plan.pk])
        return reverse("plan-board-week", args=[plan.iso_year, plan.iso_week])
    if notification.kind in ("paused", "resumed") and deny_pause(user) is None:
        return reverse("crisis")
    channel_id = notification.params.get("channel_id")
    manages = deny_manage_channels(user) is None
    if notification.kind == "channel_reconnect" and channel_id and manages:
        return reverse("workspace-channel-edit", args=[channel_id])
    return reverse("notification-list")
