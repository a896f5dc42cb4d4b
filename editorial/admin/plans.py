"""Weekly plans in the admin: created here, moved along only by the plan actions.

Approving a plan shows every item awaiting approval whole (each channel's text, its
images with their alternative text), each with an optional comment: the items given a
comment go back to their author, the others are approved together (sensitive ones go
on to the director), all in one workflow call per plan, bound to the content shown.
"""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from editorial import workflow
from editorial.admin.post_actions import ADMIN_PLAN_ACTIONS
from editorial.admin.scope import ScopedAdmin, WorkflowPermissionMixin
from editorial.admin.steps import (
    CONFIRM_FIELD,
    Given,
    intermediate_context,
    run_each,
)
from editorial.forms.review import SHOWN_PREFIX, SHOWN_RELATED, shown_content, shown_hashes
from editorial.models import BY_SCHEDULE, Post, PostState, WeeklyPlan
from editorial.permissions import deny_approve
from editorial.workflow.catalog import PLAN_ACTIONS


def awaiting_approval(plan: WeeklyPlan) -> QuerySet[Post]:
    return (
        plan.posts.filter(state=PostState.PENDING_APPROVAL)
        .prefetch_related(*SHOWN_RELATED)
        .order_by("pk")
    )


def shown_prefix(plan: WeeklyPlan) -> str:
    """The hidden fields carrying the hash of each item of `plan` the page showed."""
    return f"plan{plan.pk}_{SHOWN_PREFIX}"


class PlanReviewForm(forms.Form):
    """One optional comment per item awaiting approval; a comment returns the item."""

    def __init__(self, *args, plans: Sequence[WeeklyPlan], user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.sections = []
        for plan in plans:
            items = []
            for post in awaiting_approval(plan):
                name = f"return_{post.pk}"
                self.fields[name] = forms.CharField(
                    label=_("What needs to change on “%(post)s”") % {"post": post},
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
                )
                # Say up front what approving the whole plan would run into.
                items.append(
                    {
                        "post": post,
                        "field_name": name,
                        "blocked": deny_approve(post, user),
                        "shown": shown_content(post),
                        "shown_field": f"{shown_prefix(plan)}{post.pk}",
                    }
                )
            self.sections.append({"plan": plan, "items": items})

    def returns_for(self, plan: WeeklyPlan) -> dict[int, str]:
        """The items of `plan` to return, with their comment."""
        returns = {}
        for section in self.sections:
            if section["plan"].pk != plan.pk:
                continue
            for item in section["items"]:
                comment = self.cleaned_data.get(item["field_name"], "").strip()
                if comment:
                    returns[item["post"].pk] = comment
        return returns


@admin.action(
    description=format_lazy("{}…", PLAN_ACTIONS["approve_plan"].label), permissions=["workflow"]
)
def approve_plan(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[WeeklyPlan]
) -> HttpResponse | None:
    plans = list(queryset.order_by("pk"))
    data = request.POST if CONFIRM_FIELD in request.POST else None
    form = PlanReviewForm(data, plans=plans, user=request.user)
    if not form.is_valid():  # the review page, before the approver confirms
        context = {
            **intermediate_context(modeladmin, request, plans, "approve_plan"),
            "title": PLAN_ACTIONS["approve_plan"].label,
            "form": form,
            "sections": [
                {
                    **section,
                    "items": [
                        {**item, "field": form[item["field_name"]]} for item in section["items"]
                    ],
                }
                for section in form.sections
            ],
        }
        return TemplateResponse(request, "admin/editorial/weeklyplan/approve_plan.html", context)

    def approve(plan: WeeklyPlan, user, given: Given) -> None:
        shown = shown_hashes(request.POST, prefix=shown_prefix(plan))
        workflow.approve_plan(plan, user, shown=shown, returns=form.returns_for(plan))

    run_each(modeladmin, request, plans, approve, PLAN_ACTIONS["approve_plan"].done.listed)
    return None


@admin.register(WeeklyPlan)
class WeeklyPlanAdmin(WorkflowPermissionMixin, ScopedAdmin):
    scope_field = "team"
    actions = [
        ADMIN_PLAN_ACTIONS["submit_plan"].as_admin_action(),
        approve_plan,
        ADMIN_PLAN_ACTIONS["return_plan"].as_admin_action(),
    ]
    list_display = ("__str__", "state", "item_count", "submitted_by", "reviewed_by")
    list_filter = ("state", ("team", admin.RelatedOnlyFieldListFilter), "iso_year")
    list_select_related = ("team", "submitted_by", "reviewed_by")
    change_form_template = "admin/editorial/weeklyplan/change_form.html"
    readonly_fields = ("state", "created_by", "submitted_by", "reviewed_by", "created_at", "items")

    def get_queryset(self, request: HttpRequest) -> QuerySet[WeeklyPlan]:
        return super().get_queryset(request).annotate(item_count=Count("posts"))

    def get_fields(self, request: HttpRequest, obj: WeeklyPlan | None = None):
        if obj is None:
            return ("team", "iso_year", "iso_week")
        return ("team", "iso_year", "iso_week", *self.readonly_fields)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        year, week, _day = timezone.localdate().isocalendar()
        return {"iso_year": year, "iso_week": week, **super().get_changeform_initial_data(request)}

    def has_change_permission(self, request: HttpRequest, obj: WeeklyPlan | None = None) -> bool:
        # Team and week are fixed once the plan exists; everything else about it moves
        # through the plan actions. So an existing plan opens as a read-only view.
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: WeeklyPlan | None = None) -> bool:
        return False  # its review is part of the audit trail

    def save_model(self, request: HttpRequest, obj: WeeklyPlan, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("items"), ordering="item_count")
    def item_count(self, plan: WeeklyPlan) -> int:
        return plan.item_count

    @admin.display(description=_("posts of the plan"))
    def items(self, plan: WeeklyPlan) -> str:
        posts = list(plan.posts.order_by(*BY_SCHEDULE))
        if not posts:
            return "—"
        rows = (
            (reverse("admin:editorial_post_change", args=[post.pk]), post, _describe(post))
            for post in posts
        )
        return format_html(
            "<ul>{}</ul>", format_html_join("", '<li><a href="{}">{}</a> — {}</li>', rows)
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            labels = dict(self.get_action_choices(request))
            names = workflow.available_plan_actions(obj, request.user)
            context["plan_actions"] = [labels[name] for name in names if name in labels]
        return super().render_change_form(request, context, add, change, form_url, obj)


def _describe(post: Post) -> str:
    parts = [str(post.get_state_display())]
    if post.scheduled_at:
        parts.append(timezone.localtime(post.scheduled_at).strftime("%Y-%m-%d %H:%M"))
    if post.sensitive:
        parts.append(str(_("sensitive")))
    return ", ".join(parts)
