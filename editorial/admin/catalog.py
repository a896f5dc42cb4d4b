"""Channels, campaigns and sensitivity rules: the settings the content refers to."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from accounts.scope import department_ids_of
from editorial import audit, workflow
from editorial.admin.scope import ScopedAdmin
from editorial.channels import secret_fields
from editorial.forms.channels import NetworkConfigMixin
from editorial.models import Campaign, Channel, SensitivityRule
from editorial.permissions import deny_manage_rules


def campaigns_for(user) -> QuerySet[Campaign]:
    """The campaigns of the user's departments, and the national team's: those carry
    the national communication themes every department passes on."""
    in_scope = Q(department__in=department_ids_of(user)) | Q(department__is_national=True)
    return Campaign.objects.filter(in_scope)


class ChannelAdminForm(NetworkConfigMixin, forms.ModelForm):
    """The network's configuration is checked as on the channels page, and secrets are
    written, never shown."""

    class Meta:
        model = Channel
        # The network's configuration fields come from the mixin, checked and written
        # by the chosen network's schema.
        fields = ["name", "network", "handle", "department", "is_active"]


@admin.register(Channel)
class ChannelAdmin(ScopedAdmin):
    form = ChannelAdminForm
    list_display = ("name", "network", "handle", "department", "is_active")
    list_filter = ("network", "is_active", ("department", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("department",)
    search_fields = ("name", "handle")

    def save_model(self, request: HttpRequest, obj: Channel, form, change: bool) -> None:
        """Saved and audited in one transaction, as on the channels page; the audit
        keeps that a secret changed, never the secret."""
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            secret = secret_fields()
            data = {
                name: "(changed)" if name in secret else audit.plain(getattr(obj, name, None))
                for name in form.changed_data
            }
            action = "edit_channel" if change else "create_channel"
            audit.record(actor=request.user, action=action, obj=obj, data=data)


@admin.register(Campaign)
class CampaignAdmin(ScopedAdmin):
    list_display = ("name", "department", "starts_on", "ends_on")
    list_filter = (("department", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("department",)
    search_fields = ("name", "description")
    date_hierarchy = "starts_on"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Campaign]:
        # Not ScopedAdmin's filter: national campaigns are visible to every department.
        return campaigns_for(request.user).select_related("department")


@admin.register(SensitivityRule)
class SensitivityRuleAdmin(admin.ModelAdmin):
    """Rules go through the workflow's functions, as on the workspace's page: the same
    permission (`deny_manage_rules`, which also hides the buttons here), the same
    validation, an audit entry for each creation, change and deletion."""

    list_display = ("topic", "pattern", "kind", "active", "created_by", "created_at")
    list_filter = ("active", "kind", "topic")
    list_select_related = ("created_by",)
    search_fields = ("pattern", "topic")
    readonly_fields = ("created_by", "created_at")

    def _manages(self, request: HttpRequest) -> bool:
        return deny_manage_rules(request.user) is None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._manages(request) and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._manages(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._manages(request) and super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: SensitivityRule, form, change: bool) -> None:
        workflow.save_rule(request.user, obj, form.changed_data)

    def delete_model(self, request: HttpRequest, obj: SensitivityRule) -> None:
        workflow.delete_rule(request.user, obj)

    @transaction.atomic
    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[SensitivityRule]) -> None:
        for rule in queryset:
            workflow.delete_rule(request.user, rule)
