"""Blackout periods in the admin: read-only, created and changed on their own page
(`blackouts`), where the workflow functions hold the posts inside; the admin may end
them, through the same function."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from editorial import workflow
from editorial.admin.records import ReadOnlyMixin
from editorial.models import Blackout
from editorial.permissions import deny_manage_blackouts


@admin.register(Blackout)
class BlackoutAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("name", "rule", "scope", "starts_at", "ends_at", "created_by", "ended_at")
    list_filter = ("rule", "scope", ("ended_at", admin.EmptyFieldListFilter))
    list_select_related = ("created_by",)
    search_fields = ("name", "reason")
    readonly_fields = [f.name for f in Blackout._meta.fields] + ["channels", "departments"]
    actions = ["end"]

    def has_end_permission(self, request: HttpRequest) -> bool:
        return deny_manage_blackouts(request.user) is None

    @admin.action(description=_("End the blackout period now"), permissions=["end"])
    def end(self, request: HttpRequest, queryset) -> None:
        for period in queryset:
            try:
                workflow.end_blackout(period, request.user)
            except workflow.WorkflowError as exc:
                messages.error(request, f"{period}: {exc}")
            else:
                messages.success(request, _("Ended: %(period)s.") % {"period": period})
