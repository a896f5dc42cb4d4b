"""The approval inbox: what awaits the signed-in person, with the review actions inline.

Rows come from `editorial.inbox.awaiting`, the query behind the header's counter, so
the two always agree. Every row shows all that its approval approves (each channel's
text, the images with their alternative text) and its buttons send the hash of exactly
that. The buttons come from `available_actions`, computed on posts whose channels,
variants, images and approvals were fetched with the page: the page costs the same
number of queries for two posts or two hundred.
"""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from editorial import workflow
from editorial.access import post_or_404, visible_plans, visible_posts
from editorial.forms.review import SHOWN_RELATED, shown_content
from editorial.inbox import GROUPS, awaiting, awaiting_counts, awaiting_pages, row_actions
from editorial.models import Approval, PlanState, PostState, Publication, PublicationState
from editorial.views import plan_review
from editorial.views.respond import kept, refused
from editorial.views.review_changes import last_reviews, since_review
from editorial.workflow.catalog import POST_ACTIONS

# The review actions a row offers, in the order shown (labels and messages: the catalog).
ROW_ACTIONS = ("sign_off", "approve", "retry_failed", "request_changes", "mark_sensitive")
TEMPLATE = "editorial/inbox/inbox.html"
# An htmx answer: the row, and the header's counter swapped out of band.
ROW_TEMPLATE = "editorial/inbox/_row_response.html"
OPEN = [PublicationState.UNKNOWN, PublicationState.FAILED]
# Rows of one group on one page, at most: the first ones in the inbox's order; the
# others on the group's next pages (`?group=…&page=…`).
INBOX_ROWS = settings.INBOX_PAGE_SIZE
GROUP_LABELS = {
    "sign_off": gettext_lazy("To sign off"),
    "approve": gettext_lazy("To approve"),
    "held": gettext_lazy("Held by a pause"),
    "unknown": gettext_lazy("Outcome unknown: to settle"),
    "failed": gettext_lazy("Not published"),
    "overdue": gettext_lazy("Overdue"),
    "submitted": gettext_lazy("Submitted: to accept"),
    "changes_requested": gettext_lazy("Returned to me"),
}


def _with_rows(queryset):
    return queryset.select_related("origin_department", "author", "last_editor").prefetch_related(
        *SHOWN_RELATED,
        "content_authors",  # the four-eyes rule, asked for each row's buttons
        Prefetch("approvals", queryset=Approval.objects.filter(voided_at__isnull=True)),
        Prefetch(
            "publications",
            queryset=Publication.objects.filter(state__in=OPEN).select_related(
                "channel__department"
            ),
            to_attr="open_publications",
        ),
    )


def _row(post, user, *, error=None, typed=None, review=False) -> dict:
    """One inbox row. `review`: the post's last review entry (from `last_reviews`, read
    once for the page), or False to read it here for a row answered alone."""
    actions = row_actions(post, user)
    if review is False:
        review = last_reviews([post]).get(post.pk)
    publications = getattr(post, "open_publications", None)
    if publications is None:  # a row answered alone, after an action
        publications = list(post.publications.filter(state__in=OPEN).select_related("channel"))
    unknown = [p for p in publications if p.state == PublicationState.UNKNOWN]
    return {
        "post": post,
        "awaits": getattr(post, "awaits", ""),
        "unknown_channels": ", ".join(str(publication.channel) for publication in unknown),
        "failed": [p for p in publications if p.state == PublicationState.FAILED],
        "can_retry": "retry_failed" in actions,
        "actions": [
            (name, POST_ACTIONS[name].row_label) for name in ROW_ACTIONS if name in actions
        ],
        "since_review": since_review(post, review),
        # The whole content, which an approval approves; its hash goes with the buttons.
        "shown": shown_content(post),
        "error": error,
        "typed": typed or {},
    }


def _plans_to_review(user) -> list:
    plans = (
        visible_plans(user)
        .filter(state=PlanState.SUBMITTED)
        .select_related("team", "submitted_by")
        .annotate(
            pending=Count("posts", filter=Q(posts__state=PostState.PENDING_APPROVAL)),
            sensitive=Count(
                "posts", filter=Q(posts__state=PostState.PENDING_APPROVAL, posts__sensitive=True)
            ),
        )
        .order_by("iso_year", "iso_week", "pk")
    )
    return [plan for plan in plans if "approve_plan" in workflow.available_plan_actions(plan, user)]


def _page(request, *, failed=None, status=200):
    return render(request, TEMPLATE, _context(request, failed=failed), status=status)


def _context(request, *, failed=None) -> dict:
    user, size = request.user, INBOX_ROWS
    group = request.GET.get("group", "")
    try:
        page = max(1, int(request.GET.get("page", 1))) if group in GROUPS else 1
    except ValueError:
        page = 1
    counts = awaiting_counts(user)
    last = max(1, -(-counts.get(group, 0) // size))
    page = min(page, last)
    posts = list(_with_rows(awaiting_pages(user, size, group, page)))
    reviews = last_reviews(posts)
    rows = {kind: [] for kind in GROUPS}
    for post in posts:
        if failed and failed["post"].pk == post.pk:
            rows[post.awaits].append(failed)
        else:
            rows[post.awaits].append(_row(post, user, review=reviews.get(post.pk)))
    groups = []
    for kind in GROUPS:
        if not counts[kind]:
            continue
        at = page if kind == group else 1
        groups.append(
            {
                "kind": kind,
                "label": GROUP_LABELS[kind],
                "count": counts[kind],
                "rows": rows[kind],
                "page": at,
                "pages": -(-counts[kind] // size),
                "previous": at - 1 if at > 1 else None,
                "next": at + 1 if at * size < counts[kind] else None,
                "first_shown": size * (at - 1) + 1,
            }
        )
    return {
        "section": "inbox",
        "groups": groups,
        "total": sum(counts.values()),
        "plans": _plans_to_review(user),
    }


@login_required
def inbox(request):
    failed = None
    refusal = kept(request)
    typed = refusal["keep"] if refusal else {}
    # Back from a refused row action (without htmx): that row, as it was typed.
    if post := visible_posts(request.user).filter(pk=typed.get("post")).first():
        error, typed = refusal["error"], {typed["action"]: typed["text"]}
        failed = _row(post, request.user, error=error, typed=typed)
    return _page(request, failed=failed)


@login_required
@require_POST
def inbox_action(request, pk: int, action: str):
    """One review action on one row. With htmx the row alone comes back (done, or with
    the reason it was refused); without, the whole inbox."""
    # Any visible post, not only awaiting ones: a row someone else dealt with meanwhile
    # answers with the reason (409), not as if it did not exist.
    post = post_or_404(request.user, pk)
    text = (request.POST.get("comment") or "").strip()
    expected = request.POST.get("expected_hash") or None
    before = post.state
    try:
        if action not in ROW_ACTIONS:
            raise workflow.InvalidInput(_("Unknown action."))
        POST_ACTIONS[action].perform(post, request.user, text=text, expected_hash=expected)
    except workflow.WorkflowError as exc:
        # The row as it stands now, with why it (still) awaits the user, if it does.
        post = _with_rows(awaiting(request.user)).filter(pk=post.pk).first() or post_or_404(
            request.user, pk
        )
        failed = _row(post, request.user, error=exc, typed={action: text})
        if request.htmx:
            return render(request, ROW_TEMPLATE, {"row": failed}, status=exc.status)
        keep = {"post": post.pk, "action": action, "text": text}
        context = partial(_context, request, failed=failed)
        return refused(request, exc, TEMPLATE, context, back=reverse("inbox"), keep=keep)
    done = POST_ACTIONS[action].outcome(before, post.state).for_items(post)
    if request.htmx:
        return render(request, ROW_TEMPLATE, {"row": {"post": post, "done": done}})
    messages.success(request, done)
    return redirect("inbox")


urlpatterns = [
    path("inbox/", inbox, name="inbox"),
    path("inbox/<int:pk>/<slug:action>/", inbox_action, name="inbox-action"),
    *plan_review.urlpatterns,
]
