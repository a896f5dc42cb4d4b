"""Subscriptions page (list, create, revoke) and the feed itself.

The feed URL is fetched by calendar applications without a session: the secret in the
URL is the only credential, so an unknown, revoked or malformed secret answers 404
exactly alike, and the answer is never cached by a shared proxy.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from calendar_feeds import services
from calendar_feeds.ical import build_calendar
from calendar_feeds.models import CalendarFeed
from editorial.views.calendar import CalendarFilters
from editorial.workflow.errors import WorkflowError

PAGE = "calendar_feeds/feeds.html"
FILTER_KEYS = ("channel", "department", "category", "state", "campaign")


class FeedForm(CalendarFilters):
    """The calendar page's filters, and a name for the subscription."""

    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=services.NAME_MAX,
        help_text=gettext_lazy("To tell your subscriptions apart, e.g. “Outlook at work”."),
    )

    field_order = ["name", *FILTER_KEYS]

    def chosen_filters(self) -> dict:
        """The filters as the calendar's query string holds them: ids and codes."""
        chosen = {}
        for key in FILTER_KEYS:
            value = self.cleaned_data.get(key)
            if value:
                chosen[key] = str(getattr(value, "pk", value))
        return chosen

    def summary(self) -> str:
        parts = []
        for key in FILTER_KEYS:
            value = self.cleaned_data.get(key)
            if value:
                field = self.fields[key]
                shown = (
                    dict(field.choices).get(value, value) if key in ("category", "state") else value
                )
                parts.append(f"{field.label}: {shown}")
        return " · ".join(parts)[:300]


def public_base(request) -> str:
    base = (getattr(settings, "CADENCE_PUBLIC_URL", "") or "").rstrip("/")
    return base or request.build_absolute_uri("/").rstrip("/")


def _feeds(user):
    return list(CalendarFeed.objects.filter(user=user, revoked_at=None))


def _page(request, form, *, created=None, status=200):
    response = render(
        request,
        PAGE,
        {"section": "calendar", "form": form, "feeds": _feeds(request.user), "created": created},
        status=status,
    )
    if created:
        response["Cache-Control"] = "no-store"  # the secret is on this page, once
    return response


@login_required
@require_http_methods(["GET", "POST"])
def feed_list(request):
    if request.method == "GET":
        initial = {key: request.GET[key] for key in FILTER_KEYS if request.GET.get(key)}
        return _page(request, FeedForm(request.user, initial=initial))
    form = FeedForm(request.user, request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        feed, secret = services.create_feed(
            request.user, form.cleaned_data["name"], form.chosen_filters(), form.summary()
        )
    except WorkflowError as exc:
        form.add_error(None, str(exc))
        return _page(request, form, status=exc.status)
    url = public_base(request) + reverse("calendar-feed", args=[secret])
    return _page(request, FeedForm(request.user), created={"feed": feed, "url": url})


@login_required
@require_POST
def feed_revoke(request, pk: int):
    feed = get_object_or_404(CalendarFeed, pk=pk, user=request.user, revoked_at=None)
    services.revoke_feed(feed, request.user)
    messages.success(
        request,
        _("“%(name)s” is revoked: its address no longer works.") % {"name": feed.name},
    )
    return redirect("calendar-feeds")


@never_cache
@require_safe
def feed_ics(request, secret: str):
    feed = services.feed_for_secret(secret)
    if feed is None:
        raise Http404
    response = HttpResponse(
        build_calendar(feed, public_base(request)), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="cadence.ics"'
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


urlpatterns = [
    path("calendar/subscriptions/", feed_list, name="calendar-feeds"),
    path("calendar/subscriptions/<int:pk>/revoke/", feed_revoke, name="calendar-feed-revoke"),
    path("calendar/ics/<str:secret>.ics", feed_ics, name="calendar-feed"),
]
