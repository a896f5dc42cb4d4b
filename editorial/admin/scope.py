"""Department scope in the admin: what a user may see and choose.

A department contributor works only in their own department; the national roles in
every department (`accounts.scope.department_ids_of` answers both). Filtering the
admin's querysets is what makes an out-of-scope object invisible in lists and
unreachable by URL: the admin answers "doesn't exist" for anything its queryset
leaves out.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.admin_site import is_administrator
from accounts.models import Department
from accounts.scope import department_ids_of
from editorial.models import Channel
from editorial.permissions import deny_write


def departments_for(user) -> QuerySet[Department]:
    return Department.objects.filter(pk__in=department_ids_of(user))


def channels_for(user) -> QuerySet[Channel]:
    return Channel.objects.filter(department__in=department_ids_of(user)).select_related(
        "department"
    )


def is_editor(user) -> bool:
    return deny_write(user) is None


class ScopedAdmin(admin.ModelAdmin):
    """An admin whose objects belong to a department through `scope_field`."""

    # The lookup from the model to its department, e.g. "post__origin_department".
    scope_field: str = "department"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        ids = department_ids_of(request.user)
        return super().get_queryset(request).filter(**{f"{self.scope_field}__in": ids})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Nobody files anything under a department they do not work in.
        if db_field.related_model is Department:
            kwargs["queryset"] = departments_for(request.user)
        elif db_field.related_model is Channel:
            kwargs["queryset"] = channels_for(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class WorkflowPermissionMixin:
    """Workflow actions are offered to administrators only (the team acts in the
    pages); the workflow itself still decides, per object, whether each is allowed."""

    def has_workflow_permission(self, request: HttpRequest) -> bool:
        return is_administrator(request.user) and is_editor(request.user)
