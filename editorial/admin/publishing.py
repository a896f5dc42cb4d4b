"""Publishing in the admin: publications to look at, crisis pauses to start and end.

A pause is started by saving the add form, which calls `workflow.pause_publishing`
(permission, audit, signal); it is ended by the "Resume publishing" action. Held posts
are released from the post list ("Confirm held posts", "Reschedule held posts…").
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.scope import department_ids_of
from editorial import workflow
from editorial.admin.records import ReadOnlyMixin
from editorial.admin.scope import ScopedAdmin
from editorial.messages import render
from editorial.models import Publication, PublishingPause
from editorial.permissions import deny_pause


@admin.register(Publication)
class PublicationAdmin(ReadOnlyMixin, ScopedAdmin):
    scope_field = "post__origin_department"
    list_display = ("post", "channel", "state", "attempts", "sent_at", "external_id")
    list_filter = ("state", "channel__network")
    list_select_related = ("post", "channel")
    search_fields = ("post__title", "external_id", "idempotency_key")
    # The last error in the reader's language (it is stored as a code and parameters).
    readonly_fields = [
        "error" if f.name == "last_error" else f.name for f in Publication._meta.fields
    ]
    exclude = ("last_error",)

    @admin.display(description=_("last error"))
    def error(self, publication: Publication) -> str:
        return render(publication.last_error)


@admin.register(PublishingPause)
class PublishingPauseAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "reason",
        "stops_publishing",
        "requires_director",
        "started_by",
        "started_at",
        "ends_at",
        "ended_at",
    )
    list_filter = (("ended_at", admin.EmptyFieldListFilter), "requires_director")
    fields = ("channel", "reason", "stops_publishing", "requires_director", "ends_at")
    actions = ["resume"]

    def get_queryset(self, request: HttpRequest):
        ids = department_ids_of(request.user)
        return (
            super()
            .get_queryset(request)
            .filter(Q(channel__isnull=True) | Q(channel__department__in=ids))
            .select_related("channel", "started_by")
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return deny_pause(request.user) is None

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return obj is None and self.has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_resume_permission(self, request: HttpRequest) -> bool:
        return self.has_add_permission(request)

    def save_model(self, request, obj: PublishingPause, form, change: bool) -> None:
        data = form.cleaned_data
        try:
            pause = workflow.pause_publishing(
                request.user,
                data["reason"],
                channel=data["channel"],
                ends_at=data["ends_at"],
                stops_publishing=data["stops_publishing"],
                requires_director=data["requires_director"],
            )
        except workflow.WorkflowError as exc:
            # The form was valid but the workflow refused: say why, create nothing.
            messages.error(request, str(exc))
            obj.pk = None
            return
        obj.pk = pause.pk

    @admin.action(description=_("Resume publishing"), permissions=["resume"])
    def resume(self, request: HttpRequest, queryset) -> None:
        for pause in queryset:
            try:
                workflow.resume_publishing(pause, request.user)
            except workflow.WorkflowError as exc:
                messages.error(request, f"{pause}: {exc}")
            else:
                messages.success(
                    request,
                    _("Resumed: %(pause)s. Held posts stay held until confirmed or rescheduled.")
                    % {"pause": pause},
                )
