"""The community manager's weekly plan board and the submissions from the departments.

The board shows one ISO week of the user's team, in the user's time zone: the plan's
items placed by day and hour, and beside them the items still to place. Placing an
item (drag and drop, or the keyboard "Place at" form: both post the same form) sets
its time and plans it in one transaction. Every change goes through
`editorial.workflow`; this module picks objects within the user's scope and answers a
refusal with its reason and status, never a 500.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Window
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from editorial import workflow
from editorial.access import post_or_404, visible_posts
from editorial.forms.fields import EARLIEST_YEAR, LATEST_YEAR
from editorial.forms.plans import CommentForm, PlaceForm
from editorial.forms.review import shown_hashes
from editorial.models import BY_SCHEDULE, Category, PlanState, PostState, WeeklyPlan
from editorial.permissions import deny_plan_board
from editorial.views.respond import as_data, kept, posted, refused
from editorial.views.review_changes import last_reviews, since_review
from editorial.workflow.catalog import PLAN_ACTIONS, POST_ACTIONS
from editorial.workflow.plans import team_of

S = PostState
BOARD = "editorial/plans/board.html"
SUBMISSIONS = "editorial/plans/submissions.html"
# States in which an item's day and time are still the community manager's to choose.
TO_PLACE = workflow.TO_PLACE
SUBMISSION_ACTIONS = ("accept", "return_submission", "fast_track")


def _require_plan_role(user) -> None:
    if reason := deny_plan_board(user):
        raise PermissionDenied(reason)


def _week_bounds(iso_year: int, iso_week: int) -> tuple[dt.date, dt.datetime, dt.datetime]:
    """Monday of the week, and the week as [start, end) moments in the user's zone."""
    try:
        monday = dt.date.fromisocalendar(iso_year, iso_week, 1)
    except ValueError:
        raise Http404(_("There is no such week.")) from None
    if not EARLIEST_YEAR <= iso_year <= LATEST_YEAR:
        raise Http404(_("There is no such week."))
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(dt.datetime.combine(monday, dt.time()), zone)
    end = timezone.make_aware(dt.datetime.combine(monday + dt.timedelta(days=7), dt.time()), zone)
    return monday, start, end


def _team(user):
    try:
        return team_of(user)
    except workflow.WorkflowError as exc:
        raise PermissionDenied(str(exc)) from None


def _existing_plan(team, iso_year: int, iso_week: int) -> WeeklyPlan:
    """The week's plan, or an unsaved draft one: looking at a week creates nothing."""
    plan = (
        WeeklyPlan.objects.filter(team=team, iso_year=iso_year, iso_week=iso_week)
        .select_related("submitted_by", "reviewed_by")
        .first()
    )
    plan = plan or WeeklyPlan(team=team, iso_year=iso_year, iso_week=iso_week)
    plan.team = team
    return plan


def _posts(user):
    return (
        visible_posts(user)
        .select_related("origin_department")
        .prefetch_related("channels", "content_authors")
        .order_by(*BY_SCHEDULE)
    )


def _board_context(
    request, iso_year: int, iso_week: int, *, place_failed=None, return_form=None
) -> dict:
    user = request.user
    monday, start, end = _week_bounds(iso_year, iso_week)
    team = _team(user)
    plan = _existing_plan(team, iso_year, iso_week)
    in_week = Q(scheduled_at__gte=start, scheduled_at__lt=end)
    no_time_or_in_week = Q(scheduled_at__isnull=True) | in_week
    in_plan = Q(plan_id=plan.pk) if plan.pk else Q(pk__in=[])
    # On the grid: the plan's items once planned, and hot news fast-tracked outside
    # any plan that week (shown for context: they take up the week too).
    on_grid = (in_plan & ~Q(state__in=[*TO_PLACE, S.CANCELLED])) | (
        Q(urgent=True, plan__isnull=True)
        & in_week
        & ~Q(state__in=[*TO_PLACE, S.SUBMITTED, S.CANCELLED])
    )
    # To place: submissions asking for this week (or for no time yet); items of this
    # plan sent back for changes or back in draft; the team's own drafts for this
    # week or without a time. Departments' drafts stay theirs until submitted.
    to_place = (
        (Q(state=S.SUBMITTED) & no_time_or_in_week)
        | (Q(state__in=TO_PLACE) & in_plan)
        | (Q(state__in=TO_PLACE, plan__isnull=True, origin_department=team) & no_time_or_in_week)
    )
    # Items without a time pile up week after week: the newest are listed, each with its
    # form; the older ones are only counted, and the list of submissions shows them all.
    undated = Q(scheduled_at__isnull=True) & ~in_plan
    posts = _posts(user)
    placed, side = list(posts.filter(on_grid)), list(posts.filter(to_place & ~undated))
    newest = (
        posts.filter(to_place & undated)
        .annotate(undated_total=Window(Count("pk")))
        .order_by("-created_at", "-pk")
    )
    listed = list(newest[: settings.PLAN_BOARD_UNDATED])
    older = listed[0].undated_total - len(listed) if listed else 0
    side += listed

    grid = [[[] for _hour in range(24)] for _day in range(7)]
    elsewhere = []
    for post in placed:
        # Moving an item is open while it is planned, before any review started.
        post.draggable = post.state == S.PLANNED and "edit" in workflow.available_actions(
            post, user
        )
        if _within(post, start, end):
            local = timezone.localtime(post.scheduled_at)
            grid[(local.date() - monday).days][local.hour].append(post)
        else:
            elsewhere.append(post)
    failed_pk, failed_form = place_failed or (None, None)
    for post in side:
        actions = workflow.available_actions(post, user)
        post.draggable = ("accept" if post.state == S.SUBMITTED else "plan_into_week") in actions
        post.can_fast_track = "fast_track" in actions and post.category == Category.HOT_NEWS
        post.place_form = (
            failed_form
            if post.pk == failed_pk
            else PlaceForm(
                auto_id=f"place-{post.pk}-%s",
                initial={
                    "post": post.pk,
                    "at": post.scheduled_at if _within(post, start, end) else None,
                },
                week_start=start,
                week_end=end,
            )
        )

    days = [monday + dt.timedelta(days=n) for n in range(7)]
    rows = [
        {
            "hour": hour,
            "time": dt.time(hour),
            "cells": [
                {"slot": f"{day.isoformat()}T{hour:02d}:00", "day": day, "posts": grid[n][hour]}
                for n, day in enumerate(days)
            ],
        }
        for hour in range(24)
    ]
    previous, following = (
        (monday - dt.timedelta(days=7)).isocalendar(),
        (monday + dt.timedelta(days=7)).isocalendar(),
    )
    return {
        "section": "plans",
        "plan": plan,
        "team": team,
        "iso_year": iso_year,
        "iso_week": iso_week,
        "days": days,
        "sunday": days[-1],
        "today": timezone.localdate(),
        "rows": rows,
        "side": side,
        "older_undated": older,
        "elsewhere": elsewhere,
        "placed_count": len(placed),
        "plan_actions": workflow.available_plan_actions(plan, user),
        "return_form": return_form or CommentForm(auto_id="return-plan-%s"),
        "previous": {"year": previous.year, "week": previous.week},
        "following": {"year": following.year, "week": following.week},
    }


def _within(post, start: dt.datetime, end: dt.datetime) -> bool:
    return post.scheduled_at is not None and start <= post.scheduled_at < end


def _render_board(request, iso_year: int, iso_week: int):
    _require_plan_role(request.user)
    failed = _refused_forms(request, iso_year, iso_week)
    return render(request, BOARD, _board_context(request, iso_year, iso_week, **failed))


def _refused_forms(request, iso_year: int, iso_week: int) -> dict:
    """Back from a refused action on the board: its form again, as it was typed."""
    refusal = kept(request)
    if refusal is None:
        return {}
    typed = refusal["keep"]
    if "place" in typed:
        data = as_data(typed["place"])
        _monday, start, end = _week_bounds(iso_year, iso_week)
        pk = int(typed["post"])
        form = PlaceForm(data, auto_id=f"place-{pk}-%s", week_start=start, week_end=end)
        return {"place_failed": (pk, form)}
    if "return_plan" in typed:
        form = CommentForm(as_data(typed["return_plan"]), auto_id="return-plan-%s")
        form.is_valid()
        form.add_error("comment", refusal["error"])
        return {"return_form": form}
    return {}


def _board_url(iso_year: int, iso_week: int) -> str:
    return reverse("plan-board-week", args=[iso_year, iso_week])


@login_required
def plan_board(request):
    iso_year, iso_week, _day = timezone.localdate().isocalendar()
    return _render_board(request, iso_year, iso_week)


@login_required
def plan_board_week(request, year: int, week: int):
    return _render_board(request, year, week)


@login_required
@require_POST
def plan_place(request, year: int, week: int):
    _require_plan_role(request.user)
    _monday, start, end = _week_bounds(year, week)
    pk = request.POST.get("post", "")
    # ASCII digits only: "²" is a digit to Python, not to the database.
    if not (pk.isascii() and pk.isdigit()):
        raise Http404
    post = post_or_404(request.user, pk)
    form = PlaceForm(request.POST, auto_id=f"place-{post.pk}-%s", week_start=start, week_end=end)
    failed = {"place_failed": (post.pk, form)}
    if not form.is_valid():
        reasons = " ".join(message for errors in form.errors.values() for message in errors)
        messages.error(
            request, _("“%(post)s” was not placed: %(reason)s") % {"post": post, "reason": reasons}
        )
        return render(request, BOARD, _board_context(request, year, week, **failed), status=400)
    at = form.cleaned_data["at"]
    try:
        workflow.place_on_board(post, request.user, at)
    except workflow.WorkflowError as exc:
        post.refresh_from_db()
        context = partial(_board_context, request, year, week, **failed)
        keep = {"post": post.pk, "place": posted(request)}
        return refused(request, exc, BOARD, context, back=_board_url(year, week), keep=keep)
    done = _("Planned: “%(post)s”, %(time)s") % {
        "post": post,
        "time": formats.date_format(timezone.localtime(at), "DATETIME_FORMAT"),
    }
    messages.success(request, f"{done} {note}" if (note := _joined_review(post)) else done)
    return redirect("plan-board-week", year, week)


@login_required
@require_POST
def plan_action(request, year: int, week: int, action: str):
    _require_plan_role(request.user)
    if action not in PLAN_ACTIONS:
        raise Http404
    _week_bounds(year, week)
    form = CommentForm(request.POST, auto_id="return-plan-%s")
    form.is_valid()
    plan = workflow.plan_for_week(_team(request.user), year, week, request.user)
    spec = PLAN_ACTIONS[action]
    try:
        # Approved from the plan review, which shows each item whole and sends its hash:
        # without them, nothing is approved (the refusal names each item not shown).
        shown = shown_hashes(request.POST)
        spec.perform(plan, request.user, text=form.cleaned_data["comment"], shown=shown)
    except workflow.WorkflowError as exc:
        if action == "return_plan":
            form.add_error("comment", str(exc))
        context = partial(_board_context, request, year, week, return_form=form)
        keep = {"return_plan": posted(request)} if action == "return_plan" else {}
        return refused(request, exc, BOARD, context, back=_board_url(year, week), keep=keep)
    messages.success(request, str(spec.done.page))
    return redirect("plan-board-week", year, week)


def _submissions_context(request, failed=None) -> dict:
    user = request.user
    posts = list(
        _posts(user).filter(state=S.SUBMITTED).select_related("author").prefetch_related("variants")
    )
    failed_post, failed_form = failed or (None, None)
    failed_pk = failed_post.pk if failed_post else None
    if failed_post is not None and failed_pk not in {post.pk for post in posts}:
        # It moved on meanwhile: keep it on the page, with what was typed for it.
        posts.insert(0, failed_post)
    # A submission sent back and submitted again: the comment and what changed since.
    reviews = last_reviews(posts)
    for post in posts:
        post.since_review = since_review(post, reviews.get(post.pk))
        actions = workflow.available_actions(post, user) if post.state == S.SUBMITTED else []
        post.can_accept = "accept" in actions
        post.can_return = "return_submission" in actions or post.pk == failed_pk
        post.can_fast_track = "fast_track" in actions and post.category == Category.HOT_NEWS
        post.return_form = (
            failed_form if post.pk == failed_pk else CommentForm(auto_id=f"return-{post.pk}-%s")
        )
    return {"section": "submissions", "posts": posts}


@login_required
def submissions(request):
    _require_plan_role(request.user)
    return render(request, SUBMISSIONS, _submissions_context(request, failed=_refused(request)))


def _refused(request):
    """Back from a refused action on Submissions: the post, with what was typed for it."""
    refusal = kept(request)
    typed = refusal["keep"] if refusal else {}
    post = _posts(request.user).filter(pk=typed.get("post")).first() if typed else None
    if post is None:
        return None
    form = CommentForm(as_data(typed["data"]), auto_id=f"return-{post.pk}-%s")
    form.is_valid()
    if typed["action"] == "return_submission":
        form.add_error("comment", refusal["error"])
    return (post, form)


def _joined_review(post) -> str:
    """Said when a post planned into a week already submitted or approved went straight
    on to approval (see `workflow.join_plan`): the CM would otherwise think it waits."""
    if post.state != S.PENDING_APPROVAL:
        return ""
    if post.plan.state == PlanState.APPROVED:
        return _("That plan is already approved: this item goes straight to approval.")
    return _("That plan is under review: this item joins the review and awaits approval.")


def _run_post_action(request, post, action: str, comment: str) -> str:
    """Run one action on a post; answer what to tell the user once it is done."""
    user = request.user
    POST_ACTIONS[action].perform(post, user, text=comment)
    # Richer than the catalog's message: this page says where the post went.
    if action == "accept":
        done = _("“%(post)s” is accepted into the plan of week %(week)s.") % {
            "post": post,
            "week": post.plan.iso_week,
        }
        return f"{done} {note}" if (note := _joined_review(post)) else done
    if action == "return_submission":
        return _("“%(post)s” went back to %(department)s with your comment.") % {
            "post": post,
            "department": post.origin_department,
        }
    return _("“%(post)s” is sent for approval as urgent hot news.") % {"post": post}


@login_required
@require_POST
def submission_action(request, pk: int, action: str):
    _require_plan_role(request.user)
    if action not in SUBMISSION_ACTIONS:
        raise Http404
    post = post_or_404(request.user, pk, _posts(request.user).select_related("author"))
    form = CommentForm(request.POST, auto_id=f"return-{post.pk}-%s")
    form.is_valid()
    try:
        done = _run_post_action(request, post, action, form.cleaned_data["comment"])
    except workflow.WorkflowError as exc:
        if action == "return_submission":
            form.add_error("comment", str(exc))
        context = partial(_submissions_context, request, failed=(post, form))
        keep = {"post": post.pk, "action": action, "data": posted(request)}
        return refused(request, exc, SUBMISSIONS, context, back=reverse("submissions"), keep=keep)
    messages.success(request, done)
    return redirect("submissions")


@login_required
@require_POST
def board_fast_track(request, year: int, week: int, pk: int):
    _require_plan_role(request.user)
    post = post_or_404(request.user, pk)
    try:
        done = _run_post_action(request, post, "fast_track", "")
    except workflow.WorkflowError as exc:
        context = partial(_board_context, request, year, week)
        return refused(request, exc, BOARD, context, back=_board_url(year, week), keep={})
    messages.success(request, done)
    return redirect("plan-board-week", year, week)


urlpatterns = [
    path("plans/", plan_board, name="plan-board"),
    path("plans/<int:year>/<int:week>/", plan_board_week, name="plan-board-week"),
    path("plans/<int:year>/<int:week>/place/", plan_place, name="plan-place"),
    path("plans/<int:year>/<int:week>/actions/<slug:action>/", plan_action, name="plan-action"),
    path(
        "plans/<int:year>/<int:week>/posts/<int:pk>/fast-track/",
        board_fast_track,
        name="plan-fast-track",
    ),
    path("submissions/", submissions, name="submissions"),
    path("submissions/<int:pk>/<slug:action>/", submission_action, name="submission-action"),
]
