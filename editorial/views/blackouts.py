"""Blackout periods: the list of periods in force or to come, a form to create one, each
changed or ended on its own page. The head of communication, the director and the
administrators manage them (`deny_manage_blackouts`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.models import Department
from editorial import workflow
from editorial.forms.blackouts import BlackoutForm
from editorial.models import Blackout, Channel
from editorial.permissions import deny_manage_blackouts

LIST, EDIT = "editorial/crisis/blackouts.html", "editorial/crisis/blackout_edit.html"
SHOWN = 100  # periods listed: those in force or to come, the nearest first


def _form(data=None, initial=None) -> BlackoutForm:
    return BlackoutForm(
        data,
        initial=initial,
        channels=Channel.objects.select_related("department").order_by("name"),
        departments=Department.objects.order_by("name"),
    )


def _forbidden(request):
    reason = deny_manage_blackouts(request.user)
    if reason:
        return render(
            request,
            "editorial/crisis/forbidden.html",
            {"section": "crisis", "reason": reason},
            status=403,
        )
    return None


def _periods():
    return list(
        Blackout.objects.in_force()
        .filter(ends_at__gt=timezone.now())
        .select_related("created_by")
        .prefetch_related("channels", "departments")
        .order_by("starts_at", "pk")[:SHOWN]
    )


def _arguments(form: BlackoutForm) -> dict:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "reason": data["reason"],
        "starts_at": data["starts_at"],
        "ends_at": data["ends_at"],
        "rule": data["rule"],
        "scope": data["scope"],
        "channels": data["channels"],
        "departments": data["departments"],
    }


def _list(request, form=None, status=200):
    context = {"section": "crisis", "periods": _periods(), "form": form or _form()}
    return render(request, LIST, context, status=status)


@login_required
def blackouts(request):
    if response := _forbidden(request):
        return response
    if request.method != "POST":
        return _list(request)
    form = _form(request.POST)
    if not form.is_valid():
        return _list(request, form, status=400)
    try:
        period = workflow.create_blackout(request.user, **_arguments(form))
    except workflow.WorkflowError as exc:
        form.add_error(None, str(exc))
        return _list(request, form, status=exc.status)
    messages.success(request, _held_message(_("Blackout period created: %(name)s."), period))
    return redirect("blackouts")


@login_required
def blackout_edit(request, pk: int):
    if response := _forbidden(request):
        return response
    period = get_object_or_404(Blackout.objects.in_force(), pk=pk)
    if request.method != "POST":
        form = _form(initial=BlackoutForm.initial_from(period))
        return render(request, EDIT, {"section": "crisis", "period": period, "form": form})
    form = _form(request.POST)
    status = 400
    if form.is_valid():
        try:
            workflow.change_blackout(period, request.user, **_arguments(form))
        except workflow.WorkflowError as exc:
            form.add_error(None, str(exc))
            status = exc.status
        else:
            done = _("Blackout period changed: %(name)s.")
            messages.success(request, _held_message(done, period))
            return redirect("blackouts")
    context = {"section": "crisis", "period": period, "form": form}
    return render(request, EDIT, context, status=status)


@login_required
@require_POST
def blackout_end(request, pk: int):
    if response := _forbidden(request):
        return response
    period = get_object_or_404(Blackout, pk=pk)
    try:
        workflow.end_blackout(period, request.user)
    except workflow.WorkflowError as exc:
        messages.error(request, str(exc))
        return redirect("blackouts")
    messages.success(
        request,
        _(
            "Blackout period ended: %(name)s. Posts it held stay held until each is "
            "confirmed or rescheduled."
        )
        % {"name": period.name},
    )
    return redirect("blackouts")


def _held_message(done: str, period: Blackout) -> str:
    text = done % {"name": period.name}
    count = len(period.held_ids)
    if not count:
        return text
    held = ngettext(
        "%(count)d approved post inside it is held: confirm or reschedule it on the crisis page.",
        "%(count)d approved posts inside it are held: confirm or reschedule each "
        "on the crisis page.",
        count,
    ) % {"count": count}
    return f"{text} {held}"


urlpatterns = [
    path("crisis/blackouts/", blackouts, name="blackouts"),
    path("crisis/blackouts/<int:pk>/", blackout_edit, name="blackout-edit"),
    path("crisis/blackouts/<int:pk>/end/", blackout_end, name="blackout-end"),
]
