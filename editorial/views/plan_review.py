"""Reviewing a submitted weekly plan: every item with all that is approved (its text
per channel, its images with their alternative text) and what changed since the last
review, approved in one action with some items returned.

The page sends back the content hash of each item it showed: an item edited, planned
in or taken out meanwhile refuses the whole approval (409), and the page comes back
with what was typed, saying which items moved."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from editorial import workflow
from editorial.access import plan_or_404
from editorial.forms.review import (
    SHOWN_PREFIX,
    SHOWN_RELATED,
    PlanReviewForm,
    ReturnPlanForm,
    shown_content,
    shown_hashes,
)
from editorial.models import BY_SCHEDULE, AuditEntry, PostState
from editorial.permissions import deny_approve
from editorial.views.respond import as_data, kept, refused
from editorial.views.review_changes import changes_since, last_reviews, returned_comment

TEMPLATE = "editorial/inbox/plan_review.html"


def _item(post, review: AuditEntry | None, user, before: dict[int, str] | None) -> dict:
    shown = shown_content(post)
    moved = None
    if before is not None:  # back from a refusal: say which items moved since
        if post.pk not in before:
            moved = _("New in the plan since you opened it.")
        elif before[post.pk] != shown["hash"]:
            moved = _("Changed since you opened it.")
    return {
        "post": post,
        "shown": shown,
        "moved": moved,
        "review": review,
        "changes": changes_since(post, review),
        "returned_comment": returned_comment(review),
        "blocked": deny_approve(post, user),
    }


def _context(plan, user, form, return_form, before=None) -> dict:
    """`before`: the hashes the refused approval said it showed, to point at what moved."""
    posts = list(
        plan.posts.filter(state=PostState.PENDING_APPROVAL)
        .select_related("origin_department", "author")
        .prefetch_related(*SHOWN_RELATED, "content_authors")
        .order_by(*BY_SCHEDULE)
    )
    reviews = last_reviews(posts)
    items = [_item(post, reviews.get(post.pk), user, before) for post in posts]
    if form is None or {p.pk for p in form.items} != {p.pk for p in posts}:
        # The items changed since the form was built: one for these items, keeping what
        # was typed for those still here.
        typed = form.data if form is not None and form.is_bound else None
        form = PlanReviewForm(typed, items=posts)
    for item in items:
        item["return_field"], item["comment_field"] = form.fields_for(item["post"])
    others = plan.posts.exclude(state=PostState.PENDING_APPROVAL).order_by(*BY_SCHEDULE)
    return {
        "section": "inbox",
        "plan": plan,
        "items": items,
        "form": form,
        "return_form": return_form or ReturnPlanForm(),
        "shown_prefix": SHOWN_PREFIX,
        "others": others,
        "actions": workflow.available_plan_actions(plan, user),
    }


@login_required
def plan_review(request, pk: int):
    plan = plan_or_404(request.user, pk)
    if request.method != "POST":
        form, return_form, before = _refused_forms(request, plan)
        return render(request, TEMPLATE, _context(plan, request.user, form, return_form, before))
    if request.POST.get("action") == "return_plan":
        return _return_plan(request, plan)
    return _approve_plan(request, plan)


def _items_of(plan):
    return plan.posts.filter(state=PostState.PENDING_APPROVAL).order_by(*BY_SCHEDULE)


def _approve_plan(request, plan):
    form = PlanReviewForm(request.POST, items=_items_of(plan))
    if not form.is_valid():
        context = _context(plan, request.user, form, None)
        messages.error(request, _("The plan was not approved: see the items marked below."))
        return render(request, TEMPLATE, context, status=400)
    returns = form.returns()
    shown = shown_hashes(request.POST)
    try:
        workflow.approve_plan(plan, request.user, shown=shown, returns=returns)
    except workflow.WorkflowError as exc:
        plan.refresh_from_db()
        return _refused(request, plan, exc, form, None, before=shown)
    approved, returned = len(form.items) - len(returns), len(returns)
    messages.success(
        request,
        _("Plan approved: %(approved)s, %(returned)s.")
        % {
            "approved": ngettext("%(count)d item approved", "%(count)d items approved", approved)
            % {"count": approved},
            "returned": ngettext(
                "%(count)d returned with your comment",
                "%(count)d returned with your comments",
                returned,
            )
            % {"count": returned},
        },
    )
    return redirect("inbox")


def _return_plan(request, plan):
    return_form = ReturnPlanForm(request.POST)
    if not return_form.is_valid():
        context = _context(plan, request.user, None, return_form)
        return render(request, TEMPLATE, context, status=400)
    try:
        workflow.return_plan(plan, request.user, return_form.cleaned_data["plan_comment"])
    except workflow.WorkflowError as exc:
        plan.refresh_from_db()
        return _refused(request, plan, exc, None, return_form)
    messages.success(request, _("The whole plan went back to the team with your comment."))
    return redirect("inbox")


def _refused(request, plan, exc, form, return_form, before=None):
    def context():
        return _context(plan, request.user, form, return_form, before)

    back = reverse("plan-review", args=[plan.pk])
    return refused(request, exc, TEMPLATE, context, back=back)


def _refused_forms(request, plan):
    """Back from a refused approval or return: that form again, as it was typed."""
    refusal = kept(request)
    if refusal is None:
        return None, None, None
    data = as_data(refusal["keep"])
    if data.get("action") == "return_plan":
        return None, ReturnPlanForm(data), None
    return PlanReviewForm(data, items=_items_of(plan)), None, shown_hashes(data)


urlpatterns = [
    path("plans/<int:pk>/review/", plan_review, name="plan-review"),
]
