"""People and departments: who works in Cadence, in which role and department.

A new person is invited by e-mail (an inactive account and a one-time link to set
their password); a manager changes a person's role and departments, or deactivates
them. Departments are made and renamed with their people group (accounts.scope)."""

from __future__ import annotations

import logging
from smtplib import SMTPException

from django.contrib import messages
from django.contrib.auth.models import Group
from django.db.models import Count, Prefetch
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.roles import Role
from editorial.access import visible_departments
from editorial.workflow.errors import WorkflowError
from workspace import services
from workspace.access import department_or_404, person_or_404, visible_people
from workspace.forms import DepartmentForm, InviteForm, PersonForm
from workspace.invitations import send_invitation
from workspace.permissions import deny_change_person, deny_manage_people, grantable_roles
from workspace.views.common import invalid, manages, page, refusal

logger = logging.getLogger(__name__)

PEOPLE = "workspace/people/list.html"
INVITE = "workspace/people/invite.html"
PERSON = "workspace/people/edit.html"
DEPARTMENTS = "workspace/departments/list.html"
DEPARTMENT = "workspace/departments/form.html"
CURRENT = "people"


def _rows(user) -> list[dict]:
    people = (
        visible_people(user)
        .order_by("-is_active", "last_name", "first_name", "username")
        .prefetch_related(Prefetch("groups", queryset=Group.objects.select_related("department")))
    )
    rows = []
    for person in people:
        groups = list(person.groups.all())
        rows.append(
            {
                "person": person,
                "roles": [Role(g.name).label for g in groups if g.name in Role.values],
                "departments": [g.department for g in groups if hasattr(g, "department")],
                "may_change": deny_change_person(user, person) is None,
            }
        )
    return rows


@manages(deny_manage_people, CURRENT)
def people_list(request):
    return page(request, PEOPLE, CURRENT, rows=_rows(request.user))


def _send(request, person) -> None:
    try:
        send_invitation(request, person)
    except (OSError, SMTPException):
        logger.exception("The invitation to %s could not be sent", person.email)
        messages.error(
            request,
            _(
                "The invitation to %(email)s could not be sent (the mail server did not "
                "answer). Try again later with “Send a new invitation”."
            )
            % {"email": person.email},
        )
    else:
        messages.success(
            request,
            _(
                "Invitation sent to %(email)s: they choose their password through the "
                "link in it, which works once."
            )
            % {"email": person.email},
        )


@manages(deny_manage_people, CURRENT)
@require_http_methods(["GET", "POST"])
def invite(request):
    data = request.POST if request.method == "POST" else None
    form = InviteForm(data, roles=grantable_roles(request.user), user=request.user)
    if request.method == "GET":
        return page(request, INVITE, CURRENT, form=form)
    if not form.is_valid():
        return invalid(request, INVITE, CURRENT, form=form)
    data = form.cleaned_data
    try:
        person = services.invite(
            request.user,
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            role_group=form.role_group(),
            departments=list(data["departments"]),
        )
    except WorkflowError as exc:
        return refusal(request, exc, INVITE, CURRENT, form=form)
    _send(request, person)
    return redirect("workspace-people")


@manages(deny_manage_people, CURRENT)
@require_http_methods(["GET", "POST"])
def person_edit(request, pk: int):
    person = person_or_404(request.user, pk)
    if reason := deny_change_person(request.user, person):
        return page(request, "workspace/forbidden.html", CURRENT, status=403, reason=reason)
    data = request.POST if request.method == "POST" else None
    form = PersonForm(data, person=person, roles=grantable_roles(request.user), user=request.user)
    extra = {"form": form, "person": person}
    if request.method == "GET":
        return page(request, PERSON, CURRENT, **extra)
    if not form.is_valid():
        return invalid(request, PERSON, CURRENT, **extra)
    try:
        services.change_membership(
            request.user,
            person,
            role_group=form.role_group(),
            departments=list(form.cleaned_data["departments"]),
        )
    except WorkflowError as exc:
        return refusal(request, exc, PERSON, CURRENT, **extra)
    messages.success(request, _("Saved: %(person)s.") % {"person": person})
    return redirect("workspace-people")


def _people_refused(request, exc: WorkflowError):
    messages.error(request, str(exc))
    return page(request, PEOPLE, CURRENT, status=exc.status, rows=_rows(request.user))


@manages(deny_manage_people, CURRENT)
@require_POST
def deactivate(request, pk: int):
    person = person_or_404(request.user, pk)
    try:
        services.deactivate(request.user, person)
    except WorkflowError as exc:
        return _people_refused(request, exc)
    messages.success(request, _("%(person)s can no longer sign in.") % {"person": person})
    return redirect("workspace-people")


@manages(deny_manage_people, CURRENT)
@require_POST
def reinvite(request, pk: int):
    person = person_or_404(request.user, pk)
    try:
        person = services.reinvite(request.user, person)
    except WorkflowError as exc:
        return _people_refused(request, exc)
    _send(request, person)
    return redirect("workspace-people")


# --- departments ----------------------------------------------------------------------


@manages(deny_manage_people, "departments")
def department_list(request):
    departments = visible_departments(request.user).annotate(member_count=Count("group__user"))
    return page(request, DEPARTMENTS, "departments", departments=list(departments))


@manages(deny_manage_people, "departments")
@require_http_methods(["GET", "POST"])
def department_form(request, pk: int | None = None):
    department = department_or_404(request.user, pk) if pk is not None else None
    data = request.POST if request.method == "POST" else None
    form = DepartmentForm(data, instance=department)
    extra = {"form": form, "department": department}
    if request.method == "GET":
        return page(request, DEPARTMENT, "departments", **extra)
    if not form.is_valid():
        return invalid(request, DEPARTMENT, "departments", **extra)
    save = services.change_department if department else services.add_department
    try:
        saved = save(request.user, form)
    except WorkflowError as exc:
        return refusal(request, exc, DEPARTMENT, "departments", **extra)
    messages.success(request, _("Department saved: %(department)s.") % {"department": saved})
    return redirect("workspace-departments")


urlpatterns = [
    path("people/", people_list, name="workspace-people"),
    path("people/invite/", invite, name="workspace-invite"),
    path("people/<int:pk>/", person_edit, name="workspace-person-edit"),
    path("people/<int:pk>/deactivate/", deactivate, name="workspace-person-deactivate"),
    path("people/<int:pk>/reinvite/", reinvite, name="workspace-person-reinvite"),
    path("departments/", department_list, name="workspace-departments"),
    path("departments/new/", department_form, name="workspace-department-create"),
    path("departments/<int:pk>/", department_form, name="workspace-department-edit"),
]
