"""Approvals, comments and the audit trail: records of what happened, never edited.

Approvals and comments are written by the workflow (approve, request changes, the
"Add a comment" action on posts); the audit trail only by `editorial.audit.record`.
Here they can only be looked at, by superusers too.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from editorial.admin.scope import ScopedAdmin
from editorial.messages import render
from editorial.models import Approval, AuditEntry, Comment


class ReadOnlyMixin:
    """No add, change or delete, whatever the user's permissions say."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Approval)
class ApprovalAdmin(ReadOnlyMixin, ScopedAdmin):
    scope_field = "post__origin_department"
    list_display = ("post", "level", "approver", "short_hash", "created_at", "voided_at")
    list_filter = ("level", ("voided_at", admin.EmptyFieldListFilter))
    list_select_related = ("post", "approver")
    search_fields = ("post__title", "content_hash")
    date_hierarchy = "created_at"

    @admin.display(description=_("content SHA-256"))
    def short_hash(self, approval: Approval) -> str:
        return approval.content_hash[:12]


@admin.register(Comment)
class CommentAdmin(ReadOnlyMixin, ScopedAdmin):
    scope_field = "post__origin_department"
    list_display = ("post", "author", "created_at", "excerpt")
    list_select_related = ("post", "author")
    search_fields = ("post__title", "body")
    date_hierarchy = "created_at"

    @admin.display(description=_("comment"))
    def excerpt(self, comment: Comment) -> str:
        return str(comment)


AUDIT_FIELDS = (
    "seq",
    "created_at",
    "actor",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "object_link",
    "from_state",
    "to_state",
    "why",
    "data",
    "prev_hash",
    "entry_hash",
)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "seq",
        "created_at",
        "actor_name",
        "action",
        "object_type",
        "object_repr",
        "from_state",
        "to_state",
    )
    list_display_links = ("seq", "created_at")
    list_filter = ("action", "object_type")
    search_fields = ("object_repr", "actor_name", "comment")
    date_hierarchy = "created_at"
    fields = AUDIT_FIELDS
    readonly_fields = AUDIT_FIELDS

    @admin.display(description=_("why"))
    def why(self, entry: AuditEntry) -> str:
        """The comment, or the system's note in the reader's language."""
        return render(entry.comment)

    @admin.display(description=_("object"))
    def object_link(self, entry: AuditEntry) -> str:
        app_label, _dot, model_name = entry.object_type.partition(".")
        try:
            url = reverse(f"admin:{app_label}_{model_name}_change", args=[entry.object_id])
        except NoReverseMatch:
            return entry.object_repr
        return format_html('<a href="{}">{}</a>', url, entry.object_repr)
