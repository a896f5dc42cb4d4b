"""The calendar: week and month views of the posts a user may see, filters, and
rescheduling by drag and drop.

Times travel between the page and the server as naive wall-clock strings in the user's
own zone ("2026-03-29T10:30"): the calendar shows them as they are, with no time-zone
arithmetic in the browser, and the server alone decides what moment a wall-clock time
means (refusing one the clocks skip, asking which one when they repeat).
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber, TruncDate
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.scope import department_ids_of
from editorial import access, workflow
from editorial.blackouts import Blackouts
from editorial.forms.fields import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    LocalDateTimeField,
    fold_choices,
    parse_local,
)
from editorial.models import BlackoutScope, Category, PostState
from editorial.views.respond import HttpResponseSeeOther
from editorial.workflow.schedule import deny_reschedule

TEMPLATE = "editorial/calendar/calendar.html"
VIEWS = {"week": "timeGridWeek", "month": "dayGridMonth"}


class CalendarFilters(forms.Form):
    """What the calendar shows: every choice is limited to what the user may see."""

    channel = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=gettext_lazy("Channel"),
        empty_label=gettext_lazy("All"),
    )
    department = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=gettext_lazy("Department"),
        empty_label=gettext_lazy("All"),
    )
    category = forms.ChoiceField(required=False, label=gettext_lazy("Category"))
    state = forms.ChoiceField(required=False, label=gettext_lazy("State"))
    campaign = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=gettext_lazy("Campaign"),
        empty_label=gettext_lazy("All"),
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = access.visible_channels(user).select_related("department")
        self.fields["department"].queryset = access.visible_departments(user).order_by("name")
        self.fields["campaign"].queryset = access.visible_campaigns(user).order_by("name")
        self.fields["category"].choices = [("", _("All")), *Category.choices]
        self.fields["state"].choices = [("", _("All")), *PostState.choices]

    def filter(self, posts):
        data = self.cleaned_data
        if data.get("channel"):
            posts = posts.filter(channels=data["channel"])
        if data.get("department"):
            posts = posts.filter(origin_department=data["department"])
        if data.get("campaign"):
            posts = posts.filter(campaign=data["campaign"])
        if data.get("category"):
            posts = posts.filter(category=data["category"])
        if data.get("state"):
            posts = posts.filter(state=data["state"])
        return posts


def _wall_clock(moment: dt.datetime) -> str:
    """A moment as the user's own clock shows it, without offset."""
    return timezone.localtime(moment).replace(tzinfo=None).isoformat(timespec="minutes")


def _range_bound(text: str | None) -> dt.datetime | None:
    """FullCalendar's start/end, which it writes as if in UTC but which are the user's
    wall-clock times: read them as such (a bound only needs to be roughly right)."""
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        return None
    return value.replace(tzinfo=timezone.get_current_timezone())


def _capped_events(posts, user) -> list[dict]:
    """At most `CALENDAR_EVENTS_PER_DAY` posts a day (the first ones in time), and for a
    day that holds more, one "+N more" entry leading to that day's list. Two queries
    (the count per day, the posts shown) and their channels, however full the month."""
    per_day = settings.CALENDAR_EVENTS_PER_DAY
    zone = timezone.get_current_timezone()
    day = TruncDate("scheduled_at", tzinfo=zone)
    per_date = posts.order_by().annotate(date=day).values("date")
    counts = {row["date"]: row["n"] for row in per_date.annotate(n=Count("pk", distinct=True))}
    rank = Window(
        RowNumber(), partition_by=[day], order_by=[F("scheduled_at").asc(), F("pk").asc()]
    )
    shown = (
        posts.annotate(day_rank=rank)
        .filter(day_rank__lte=per_day)
        .select_related("origin_department")
        .prefetch_related("channels")
        .order_by("scheduled_at", "pk")
    )
    detail = reverse("post-detail", args=[0]).removesuffix("0/")
    events, last = [], {}
    for post in shown:
        events.append(_event(post, user, url=f"{detail}{post.pk}/"))
        last[timezone.localdate(post.scheduled_at)] = post.scheduled_at
    day_list = reverse("post-list")
    for date, count in sorted(counts.items()):
        if count > per_day and date in last:
            events.append(_more(date, count - per_day, last[date], day_list))
    return events


def _more(date: dt.date, hidden: int, after: dt.datetime, day_list: str) -> dict:
    return {
        "id": f"more-{date.isoformat()}",
        "title": ngettext("+%(count)d more", "+%(count)d more", hidden) % {"count": hidden},
        # Just after the day's last shown post, so that the week view shows it too.
        "start": _wall_clock(after + dt.timedelta(minutes=1)),
        "url": f"{day_list}?day={date.isoformat()}&order=soonest",
        "editable": False,
        "classNames": ["is-more"],
        "extendedProps": {"more": hidden, "day": date.isoformat()},
    }


def _event(post, user, *, url: str | None = None) -> dict:
    return {
        "id": str(post.pk),
        "title": post.title,
        "start": _wall_clock(post.scheduled_at),
        "url": url or reverse("post-detail", args=[post.pk]),
        "editable": deny_reschedule(post, user) is None,
        "durationEditable": False,  # a post goes out at one moment: only its start moves
        "classNames": [f"state-{post.state}"] + (["is-sensitive"] if post.sensitive else []),
        "extendedProps": {
            "state": post.state,
            "stateLabel": str(post.get_state_display()),
            "sensitive": post.sensitive,
            "department": post.origin_department.name,
            "channels": [channel.name for channel in post.channels.all()],
        },
    }


@login_required
@require_GET
def calendar(request):
    filters = CalendarFilters(request.user, request.GET or None)
    filters.is_valid()
    view = VIEWS.get(request.GET.get("view", ""), VIEWS["week"])
    initial_date = request.GET.get("date", "")
    try:
        if not EARLIEST_YEAR <= dt.date.fromisoformat(initial_date).year <= LATEST_YEAR:
            raise ValueError(initial_date)
    except ValueError:
        initial_date = timezone.localdate().isoformat()
    return render(request, TEMPLATE, _page(filters, view, initial_date))


def _page(filters, view: str, initial_date: str) -> dict:
    return {
        "section": "calendar",
        "filters": filters,
        "initial_view": view,
        "initial_date": initial_date,
        "zone": str(timezone.get_current_timezone()),
        "now": _wall_clock(timezone.now()),
        # Words the script shows, translated here like every other string.
        "calendar_strings": {
            "summary": _("“%(title)s” moves from %(from)s to %(to)s."),
            "saving": _("Saving the new time…"),
            "cancelled": _("Move cancelled: “%(title)s” keeps its time."),
            "keeps": _("“%(title)s” keeps its time."),
            "network": _("The server could not be reached."),
            "loadFailed": _("The posts could not be loaded. Reload the page."),
            "sensitive": _("sensitive"),
        },
    }


@login_required
@require_GET
def calendar_events(request):
    filters = CalendarFilters(request.user, request.GET)
    if not filters.is_valid():
        return JsonResponse({"errors": filters.errors}, status=400)
    posts = access.visible_posts(request.user).filter(scheduled_at__isnull=False)
    start, end = _range_bound(request.GET.get("start")), _range_bound(request.GET.get("end"))
    if start:
        posts = posts.filter(scheduled_at__gte=start - dt.timedelta(days=1))
    if end:
        posts = posts.filter(scheduled_at__lt=end + dt.timedelta(days=1))
    events = _capped_events(filters.filter(posts), request.user)
    if start and end:
        events += _bands(request.user, start - dt.timedelta(days=1), end + dt.timedelta(days=1))
    return JsonResponse(events, safe=False)


def _bands(user, start: dt.datetime, end: dt.datetime) -> list[dict]:
    """The blackout periods over the range that concern the user's departments, as
    background bands (styled by class: no inline style under the CSP)."""
    mine = set(department_ids_of(user))
    bands = []
    for period, _channels, departments in Blackouts(start, end).periods:
        if period.scope == BlackoutScope.CHANNELS:
            departments = {channel.department_id for channel in period.channels.all()}
        if period.scope != BlackoutScope.ALL and not departments & mine:
            continue
        bands.append(
            {
                "id": f"blackout-{period.pk}",
                "title": period.name,
                "start": _wall_clock(period.starts_at),
                "end": _wall_clock(period.ends_at),
                "display": "background",
                "editable": False,
                "classNames": ["blackout", f"blackout-{period.rule}"],
                "extendedProps": {
                    "blackout": True,
                    "rule": period.rule,
                    "ruleLabel": str(period.get_rule_display()),
                },
            }
        )
    return bands


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
@require_POST
def post_reschedule(request, pk):
    post = access.post_or_404(request.user, pk)
    # The dropped wall-clock time is read exactly as the editor's time field reads it.
    start, fold = request.POST.get("start", ""), request.POST.get("fold")
    try:
        when = LocalDateTimeField(
            error_messages={"required": LocalDateTimeField.default_error_messages["invalid"]}
        ).clean([start, fold])
        workflow.reschedule(post, request.user, when)
    except ValidationError as exc:
        choices = (
            [
                {"value": value, "label": label}
                for value, label in fold_choices(
                    parse_local(start), timezone.get_current_timezone()
                )
            ]
            if getattr(exc, "code", None) == "ambiguous"
            else []
        )
        return _refused(request, post, " ".join(exc.messages), 400, fold_choices=choices)
    except workflow.WorkflowError as exc:
        return _refused(request, post, str(exc), exc.status)
    message = _moved_message(post)
    if _wants_json(request):
        return JsonResponse({"message": message, "event": _event(post, request.user)})
    messages.success(request, message)
    return redirect(_calendar_url(post))


def _moved_message(post) -> str:
    when = formats.date_format(timezone.localtime(post.scheduled_at), "DATETIME_FORMAT")
    if post.state == PostState.PENDING_SIGNOFF and post.sensitive:
        return _(
            "“%(title)s” now goes out on %(when)s. It is sensitive: the director must "
            "sign off the new time."
        ) % {"title": post.title, "when": when}
    if post.state == PostState.PENDING_SIGNOFF:
        return _(
            "“%(title)s” now goes out on %(when)s, inside a blackout period: the director "
            "must sign off the new time."
        ) % {"title": post.title, "when": when}
    return _("“%(title)s” now goes out on %(when)s.") % {"title": post.title, "when": when}


def _refused(request, post, message: str, status: int, fold_choices=()) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(
            {
                "error": message,
                "event": _event(post, request.user),
                "fold_choices": list(fold_choices),
            },
            status=status,
        )
    # A plain form post: back to the calendar at the post's day (post/redirect/get).
    messages.error(request, message)
    return HttpResponseSeeOther(_calendar_url(post) if post.scheduled_at else reverse("calendar"))


def _calendar_url(post) -> str:
    day = timezone.localtime(post.scheduled_at).date().isoformat()
    return f"{reverse('calendar')}?date={day}"


urlpatterns = [
    path("calendar/", calendar, name="calendar"),
    path("calendar/events/", calendar_events, name="calendar-events"),
    path("calendar/posts/<int:pk>/reschedule/", post_reschedule, name="post-reschedule"),
]
