"""Channels, campaigns and sensitivity rules: the settings the content refers to."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from accounts.scope import department_ids_of
from editorial.admin.scope import ScopedAdmin
from editorial.forms.channels import NetworkConfigMixin
from editorial.models import Campaign, Channel, SensitivityRule


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
    list_display = ("topic", "pattern", "kind", "active", "created_by", "created_at")
    list_filter = ("active", "kind", "topic")
    list_select_related = ("created_by",)
    search_fields = ("pattern", "topic")
    readonly_fields = ("created_by", "created_at")

    def save_model(self, request: HttpRequest, obj: SensitivityRule, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
