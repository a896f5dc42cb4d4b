"""Crisis mode: pause publishing (everywhere or on one channel), resume it, and release
held posts one by one: confirmed to go out now, or given a new time."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from editorial import workflow
from editorial.access import post_or_404, visible_channels, visible_posts
from editorial.forms.crisis import PauseForm, RescheduleHeldForm
from editorial.models import PublishingPause
from editorial.pauses import what_it_does, what_its_end_does
from editorial.permissions import deny_pause
from editorial.views.respond import as_data, kept, posted, refused

TEMPLATE = "editorial/crisis/crisis.html"


def _pause_form(user, data=None) -> PauseForm:
    return PauseForm(data, channels=visible_channels(user).select_related("department"))


def _page(request, *, status=200, **forms):
    return render(request, TEMPLATE, _context(request, **forms), status=status)


def _context(request, *, pause_form=None, reschedule=None) -> dict:
    user = request.user
    held = list(
        (workflow.held_posts() & visible_posts(user))
        .select_related("origin_department")
        .prefetch_related("channels")
    )
    reschedule = reschedule or {}
    rows = []
    for post in held:
        actions = workflow.available_actions(post, user)
        form = reschedule.get(post.pk) or RescheduleHeldForm(prefix=f"held-{post.pk}")
        rows.append(
            {
                "post": post,
                "form": form,
                "confirm": "confirm_held" in actions,
                "reschedule": "reschedule_held" in actions,
            }
        )
    pauses = (
        PublishingPause.objects.active(timezone.now())
        .select_related("channel", "started_by")
        .order_by("started_at", "pk")
    )
    return {
        "section": "crisis",
        "pauses": list(pauses),
        "held": rows,
        "pause_form": pause_form or _pause_form(user),
    }


def _forbidden(request):
    reason = deny_pause(request.user)
    if reason:
        return render(
            request,
            "editorial/crisis/forbidden.html",
            {"section": "crisis", "reason": reason},
            status=403,
        )
    return None


def _refused(request, exc, keep=None, **forms):
    context = partial(_context, request, **forms)
    return refused(request, exc, TEMPLATE, context, back=reverse("crisis"), keep=keep or {})


@login_required
def crisis(request):
    return _forbidden(request) or _page(request, **_refused_forms(request))


def _refused_forms(request) -> dict:
    """Back from a refused pause or reschedule: that form again, as it was typed."""
    refusal = kept(request)
    typed = refusal["keep"] if refusal else {}
    if "pause" in typed:
        return {"pause_form": _pause_form(request.user, as_data(typed["pause"]))}
    if "reschedule" in typed:
        pk = typed["post"]
        form = RescheduleHeldForm(as_data(typed["reschedule"]), prefix=f"held-{pk}")
        return {"reschedule": {pk: form}}
    return {}


@login_required
@require_POST
def pause(request):
    if response := _forbidden(request):
        return response
    form = _pause_form(request.user, request.POST)
    if not form.is_valid():
        return _page(request, pause_form=form, status=400)
    data = form.cleaned_data
    try:
        paused = workflow.pause_publishing(
            request.user,
            data["reason"],
            channel=form.channel(),
            ends_at=data["ends_at"],
            stops_publishing=data["stops_publishing"],
            requires_director=data["requires_director"],
        )
    except workflow.WorkflowError as exc:
        return _refused(request, exc, {"pause": posted(request)}, pause_form=form)
    messages.success(request, what_it_does(paused))
    return redirect("crisis")


@login_required
@require_POST
def resume(request, pk: int):
    if response := _forbidden(request):
        return response
    paused = get_object_or_404(PublishingPause, pk=pk)
    try:
        workflow.resume_publishing(paused, request.user)
    except workflow.WorkflowError as exc:
        return _refused(request, exc)
    messages.success(request, what_its_end_does(paused))
    return redirect("crisis")


@login_required
@require_POST
def confirm(request, pk: int):
    if response := _forbidden(request):
        return response
    post = post_or_404(request.user, pk)
    try:
        workflow.confirm_held(post, request.user)
    except workflow.WorkflowError as exc:
        return _refused(request, exc)
    messages.success(request, _("Confirmed: %(post)s goes out now.") % {"post": post})
    return redirect("crisis")


@login_required
@require_POST
def reschedule(request, pk: int):
    if response := _forbidden(request):
        return response
    post = post_or_404(request.user, pk)
    form = RescheduleHeldForm(request.POST, prefix=f"held-{post.pk}")
    if not form.is_valid():
        return _page(request, reschedule={post.pk: form}, status=400)
    try:
        workflow.reschedule_held(post, request.user, form.cleaned_data["when"])
    except workflow.WorkflowError as exc:
        keep = {"post": post.pk, "reschedule": posted(request)}
        return _refused(request, exc, keep, reschedule={post.pk: form})
    messages.success(request, _("Rescheduled: %(post)s.") % {"post": post})
    return redirect("crisis")


urlpatterns = [
    path("crisis/", crisis, name="crisis"),
    path("crisis/pause/", pause, name="crisis-pause"),
    path("crisis/pauses/<int:pk>/resume/", resume, name="crisis-resume"),
    path("crisis/held/<int:pk>/confirm/", confirm, name="crisis-confirm"),
    path("crisis/held/<int:pk>/reschedule/", reschedule, name="crisis-reschedule"),
]
