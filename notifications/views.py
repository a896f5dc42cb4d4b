"""The bell's pages: the list, opening a notice, marking all read, the preferences."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from notifications import messages as sentences
from notifications.forms import PreferencesForm
from notifications.links import target_url
from notifications.models import Notification, Preferences
from workspace.permissions import deny_manage_channels

LIST_LENGTH = 50


@login_required
def notification_list(request):
    notices = list(
        Notification.objects.filter(recipient=request.user).order_by("-created_at", "-pk")[
            :LIST_LENGTH
        ]
    )
    for notice in notices:
        notice.headline = sentences.headline(notice.message, notice.params)
    return render(
        request,
        "notifications/list.html",
        {
            "notices": notices,
            "section": "notifications",
            "manages_channels": deny_manage_channels(request.user) is None,
            "shows_sent_mail": settings.DEBUG,
        },
    )


@login_required
def notification_open(request, pk):
    """Mark the notice read, then go to its object (whose page checks access again)."""
    notice = get_object_or_404(
        Notification.objects.select_related("plan"), pk=pk, recipient=request.user
    )
    Notification.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=timezone.now())
    return redirect(target_url(notice, request.user))


@require_POST
@login_required
def mark_all_read(request):
    count = Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if count:
        messages.success(request, _("All your notifications are marked read."))
    return redirect("notification-list")


@login_required
def preferences(request):
    prefs = Preferences.objects.filter(user=request.user).first() or Preferences(
        user=request.user, language=request.LANGUAGE_CODE
    )
    form = PreferencesForm(request.POST if request.method == "POST" else None, preferences=prefs)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your notification preferences are saved."))
        return redirect("notification-preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "section": "notifications"},
        status=400 if form.is_bound else 200,
    )


urlpatterns = [
    path("", notification_list, name="notification-list"),
    path("<int:pk>/open/", notification_open, name="notification-open"),
    path("read/", mark_all_read, name="notification-mark-all-read"),
    path("preferences/", preferences, name="notification-preferences"),
]
