"""Posts in the admin: written, edited and moved along only through the workflow.

Adding a post calls `workflow.create_post`, changing one calls `workflow.edit_post`
(so an edit of a post under review sends it back to draft and voids its approvals),
and every transition is an admin action that calls the matching workflow function.
The state and the other workflow fields are never edited here.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.scope import department_ids_of
from editorial import workflow
from editorial.admin.catalog import campaigns_for
from editorial.admin.post_actions import ADMIN_POST_ACTIONS
from editorial.admin.scope import (
    ScopedAdmin,
    WorkflowPermissionMixin,
    channels_for,
    departments_for,
    is_editor,
)
from editorial.admin.steps import EXPECTED_HASH_PREFIX, RETURN_FIELD
from editorial.audit import entries_for
from editorial.content import channel_publish_problem, compute_content_hash
from editorial.forms.images import MAX_IMAGES, ImageUploadField, LimitedImageFormSet
from editorial.models import Channel, Post, PostImage, PostState, PostVariant
from editorial.models.posts import FREELY_EDITABLE, UNDER_REVIEW
from editorial.permissions import POST_RULES
from editorial.workflow.posts import CONTENT_FIELDS

EDITABLE_STATES = (*FREELY_EDITABLE, *UNDER_REVIEW)
WORKFLOW_FIELDS = (
    "state",
    "plan",
    "urgent",
    "sensitive",
    "sensitive_reason",
    "overdue_at",
    "author",
    "last_editor",
    "content_hash",
)


def can_edit(post: Post, user) -> bool:
    """The same answer as the "edit" entry of `workflow.available_actions`."""
    return post.state in EDITABLE_STATES and POST_RULES["edit"](post, user) is None


class PostForm(forms.ModelForm):
    """Checks the user's own channel scope at once, so that the workflow's refusal
    shows as a field error with the input kept rather than after the save."""

    user = None  # the request's user, set by PostAdmin.get_form

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        channels = self.fields.get("channels")
        if channels is not None and self.instance.pk:
            # Keep the post's current channels listed, so one outside the user's scope
            # is refused with a message instead of being silently dropped.
            channels.queryset = Channel.objects.filter(
                Q(department__in=department_ids_of(self.user))
                | Q(pk__in=self.instance.channels.values("pk"))
            ).select_related("department")

    def clean_channels(self):
        channels = self.cleaned_data["channels"]
        allowed = department_ids_of(self.user)
        outside = [str(channel) for channel in channels if channel.department_id not in allowed]
        if outside:
            raise ValidationError(
                _("You may not publish on: %(channels)s."),
                params={"channels": ", ".join(outside)},
                code="channel_out_of_scope",
            )
        # The same rule as the editor's: no channel that cannot publish.
        unable = [
            str(problem) for channel in channels if (problem := channel_publish_problem(channel))
        ]
        if unable:
            raise ValidationError(unable, code="channel_cannot_publish")
        return channels


class PostContentInline(admin.TabularInline):
    """Variants and images are content: editable exactly when the post is."""

    extra = 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "channel":
            kwargs["queryset"] = channels_for(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _post_editable(self, request: HttpRequest, obj: Post | None) -> bool:
        return obj is None or can_edit(obj, request.user)

    def has_add_permission(self, request, obj=None) -> bool:
        return super().has_add_permission(request, obj) and self._post_editable(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self._post_editable(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and self._post_editable(request, obj)


class PostVariantInline(PostContentInline):
    model = PostVariant
    fields = ("channel", "body")


class PostImageInline(PostContentInline):
    """The editor's limits here too: an image made safe (`ImageUploadField`), and no more
    than any network takes."""

    model = PostImage
    fields = ("image", "alt_text", "position")
    formset = LimitedImageFormSet
    max_num = MAX_IMAGES
    formfield_overrides = {models.ImageField: {"form_class": ImageUploadField}}

    def get_formset(self, request, obj=None, **kwargs):
        return super().get_formset(request, obj, validate_max=True, **kwargs)


@admin.register(Post)
class PostAdmin(WorkflowPermissionMixin, ScopedAdmin):
    scope_field = "origin_department"
    form = PostForm
    inlines = (PostVariantInline, PostImageInline)
    actions = [action.as_admin_action() for action in ADMIN_POST_ACTIONS]
    list_display = (
        "title",
        "state",
        "category",
        "scheduled_at",
        "origin_department",
        "urgent",
        "sensitive",
        "author",
    )
    list_filter = (
        "state",
        "category",
        "urgent",
        "sensitive",
        ("origin_department", admin.RelatedOnlyFieldListFilter),
        ("channels", admin.RelatedOnlyFieldListFilter),
        ("campaign", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("origin_department", "author")
    search_fields = ("title", "body")
    date_hierarchy = "scheduled_at"
    readonly_fields = WORKFLOW_FIELDS
    change_form_template = "admin/editorial/post/change_form.html"

    # --- who may do what --------------------------------------------------------------

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Only the writing roles may create posts (a superuser without one may not).
        return super().has_add_permission(request) and is_editor(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Post | None = None) -> bool:
        # A post the user may not edit now (published, cancelled, someone else's
        # department…) opens as a read-only view.
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or can_edit(obj, request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Post | None = None) -> bool:
        return False  # a post is cancelled, never deleted: its history stays

    # --- the form ---------------------------------------------------------------------

    def get_fieldsets(self, request: HttpRequest, obj: Post | None = None):
        fieldsets = [
            (None, {"fields": ("title", "body", "category")}),
            (
                _("Where and when"),
                {
                    "fields": ("origin_department", "channels", "scheduled_at", "campaign"),
                },
            ),
        ]
        if obj is not None:
            fieldsets.append((_("Workflow"), {"fields": WORKFLOW_FIELDS}))
        return fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Post | None = None):
        # The department decides who sees a post: it is chosen once, at creation.
        return (*WORKFLOW_FIELDS, "origin_department") if obj else WORKFLOW_FIELDS

    def get_form(self, request: HttpRequest, obj: Post | None = None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)
        form_class.user = request.user  # a fresh class per call: safe to set
        return form_class

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("origin_department", departments_for(request.user).first())
        return initial

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "channels":
            kwargs["queryset"] = channels_for(request.user)
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "campaign":
            kwargs["queryset"] = campaigns_for(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # --- saving through the workflow --------------------------------------------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except workflow.WorkflowError as exc:
            # Raised inside the admin's transaction, which has rolled back: nothing changed.
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request: HttpRequest, obj: Post, form, change: bool) -> None:
        # Nothing here: the post is written in save_related, by the workflow, together
        # with its channels, variants and images, so that its content hash and the
        # audit entry cover the whole content.
        pass

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        if change:
            self._edit(request, form, formsets)
        else:
            self._create(request, form, formsets)

    def _create(self, request: HttpRequest, form, formsets) -> None:
        data = form.cleaned_data
        save_related = super().save_related

        def save_parts(post: Post) -> None:
            _adopt(form.instance, post)
            save_related(request, form, formsets, False)

        workflow.create_post(
            request.user,
            department=data["origin_department"],
            channels=data["channels"],
            apply=save_parts,
            **{name: data[name] for name in CONTENT_FIELDS},
        )

    def _edit(self, request: HttpRequest, form, formsets) -> None:
        save_related = super().save_related
        if not form.has_changed() and not any(formset.has_changed() for formset in formsets):
            # Saved without a change: no edit to record. The admin still expects its
            # formsets saved (its change message reads them); that writes nothing.
            save_related(request, form, formsets, True)
            return
        workflow.edit_post(
            form.instance,
            request.user,
            apply=lambda post: save_related(request, form, formsets, True),
        )

    # --- the workflow panel of the change page ----------------------------------------

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["workflow"] = self._workflow_panel(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _workflow_panel(self, request: HttpRequest, post: Post) -> dict:
        names = workflow.available_actions(post, request.user)
        offered = self.get_actions(request)
        return {
            "can_edit": "edit" in names,
            "actions": [(name, offered[name][2]) for name in names if name in offered],
            "problems": post.readiness_problems() if post.state in FREELY_EDITABLE else [],
            "approvals": post.approvals.select_related("approver"),
            "comments": post.comments.select_related("author"),
            "history": _history(post),
            "changelist_url": reverse("admin:editorial_post_changelist"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "return_field": RETURN_FIELD,
            "expected_hash_field": f"{EXPECTED_HASH_PREFIX}{post.pk}",
            "expected_hash": compute_content_hash(post),
        }


def _history(post: Post) -> list[dict]:
    """The post's audit entries, with states in words rather than their codes."""
    states = dict(PostState.choices)
    return [
        {
            "entry": entry,
            "action": entry.action.replace("_", " "),
            "from": states.get(entry.from_state, entry.from_state),
            "to": states.get(entry.to_state, entry.to_state),
        }
        for entry in entries_for(post)
    ]


def _adopt(instance: Post, post: Post) -> None:
    """Give the form's own instance the identity of the row the workflow created: the
    admin goes on with that instance (inlines, log entry, redirect)."""
    instance.pk = post.pk
    instance._state.adding = False
    instance._state.db = post._state.db
