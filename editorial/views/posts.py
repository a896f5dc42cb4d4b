"""The post pages: the list, the editor, a post's own page and its actions.

Views stay thin: objects come through `editorial.access` (404 outside the user's
scope), buttons from `available_actions`, and every change through
`editorial.workflow`, whose refusals come back with the reason, never a 500: an
action sends the browser back to the post's page (see `views/respond.py`), the editor
shows the form again as typed, its images kept.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from editorial import workflow
from editorial.access import post_or_404, visible_posts
from editorial.content import channel_access_problem, shown_hash
from editorial.forms.images import PostImageFormSet, save_images
from editorial.forms.posts import (
    CommentForm,
    OutcomeForm,
    PostFilterForm,
    PostForm,
)
from editorial.models import (
    AuditEntry,
    Post,
    PostState,
    PostVariant,
    Publication,
    PublicationState,
)
from editorial.models.posts import FREELY_EDITABLE, UNDER_REVIEW
from editorial.permissions import POST_RULES, deny_resolve_publication, deny_write
from editorial.views.post_actions import time_form_class
from editorial.views.respond import as_data, kept, posted, refused
from editorial.views.review_changes import last_reviews, since_review
from editorial.workflow.catalog import POST_ACTIONS, history_label
from editorial.workflow.failed import retry_refusal

DETAIL = "editorial/posts/detail.html"
EDITOR = "editorial/posts/editor.html"
PAGE_SIZE = 25


ONE_DAY = dt.timedelta(days=1)

# --- the list -------------------------------------------------------------------------


@login_required
def post_list(request):
    filters = PostFilterForm(request.GET or None, user=request.user)
    posts = (
        visible_posts(request.user)
        .select_related("origin_department", "campaign")
        .prefetch_related("channels")
    )
    order = ("-created_at", "-pk")
    searching = False
    if filters.is_valid():
        data = filters.cleaned_data
        if data.get("q"):
            posts, searching = _matching(posts, data["q"]), True
        if data.get("state"):
            posts = posts.filter(state=data["state"])
        if data.get("department"):
            posts = posts.filter(origin_department=data["department"])
        if data.get("day"):
            start = timezone.make_aware(dt.datetime.combine(data["day"], dt.time()))
            end = timezone.make_aware(dt.datetime.combine(data["day"], dt.time()) + ONE_DAY)
            posts = posts.filter(scheduled_at__gte=start, scheduled_at__lt=end)
        if data.get("order") == "soonest":
            order = (F("scheduled_at").asc(nulls_last=True), "pk")
    page = Paginator(posts.order_by(*order), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "editorial/posts/list.html",
        {
            "section": "posts",
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "searching": searching,
            "can_write": deny_write(request.user) is None,
        },
    )


def _matching(posts, text: str):
    """The posts whose title, text or a channel's own text contains `text`, whatever
    the case. On PostgreSQL, trigram GIN indexes on UPPER(…) serve these LIKEs
    (migration 0004). The ids come from a UNION of the two tables: an OR between a
    column and a subquery would make PostgreSQL scan every post instead (200,000 posts:
    70 ms through the indexes, 400 ms scanning)."""
    in_posts = Post.objects.filter(Q(title__icontains=text) | Q(body__icontains=text))
    in_variants = PostVariant.objects.filter(body__icontains=text)
    ids = in_posts.order_by().values("pk").union(in_variants.order_by().values("post_id"))
    return posts.filter(pk__in=ids)


# --- the editor -----------------------------------------------------------------------


def _editor(request, form, post=None, **extra):
    return render(request, EDITOR, _editor_context(form, post, **extra))


def _editor_context(form, post=None, *, images=None, **extra) -> dict:
    if images is not None:
        images.keep_uploads()  # shown again: a browser would not send the files again
    return {
        "section": "posts",
        "form": form,
        "post": post,
        "reverts": post is not None and post.state in UNDER_REVIEW,
        "images": images,
        **extra,
    }


@login_required
def post_create(request):
    user = request.user
    if reason := deny_write(user):
        exc = workflow.ActionNotAllowed(reason)
        return render(
            request,
            "editorial/posts/refused.html",
            {"section": "posts", "refusal": exc},
            status=exc.status,
        )
    form = PostForm(request.POST or None, user=user)
    images = _images(request, Post())
    if request.method == "POST" and _all_valid(form, images):
        try:
            post = workflow.create_post(
                user,
                department=form.origin_department(),
                channels=form.cleaned_data["channels"],
                variants=form.variants(),
                apply=save_images(images),
                **form.fields_for_workflow(),
            )
        except workflow.WorkflowError as exc:
            return refused(request, exc, EDITOR, _editor_context(form, images=images))
        messages.success(request, gettext("Saved as a draft."))
        return redirect("post-detail", pk=post.pk)
    return _editor(request, form, images=images)


def _images(request, post):
    return PostImageFormSet(
        request.POST or None,
        request.FILES or None,
        instance=post,
        prefix="images",
        form_kwargs={"user": request.user},
    )


def _all_valid(*forms) -> bool:
    return all([form.is_valid() for form in forms])  # a list: every form shows its errors


@login_required
def post_edit(request, pk):
    post = post_or_404(request.user, pk, _with_content(visible_posts(request.user)))
    refusal = _edit_refusal(post, request.user)
    if refusal:
        context = partial(_detail_context, request, post)
        return refused(request, refusal, DETAIL, context, back=_page_of(post))
    form = PostForm(request.POST or None, user=request.user, post=post)
    images = _images(request, post)
    if request.method == "POST" and _all_valid(form, images):
        try:
            workflow.edit_post(
                post,
                request.user,
                channels=form.cleaned_data["channels"],
                variants=form.variants(),
                apply=save_images(images),
                **form.fields_for_workflow(),
            )
        except workflow.WorkflowError as exc:
            return refused(request, exc, EDITOR, _editor_context(form, post, images=images))
        messages.success(request, gettext("Changes saved."))
        return redirect("post-detail", pk=post.pk)
    return _editor(request, form, post, images=images)


def _edit_refusal(post, user) -> workflow.WorkflowError | None:
    """Why the editor may not open, in the workflow's own words (see edit_post)."""
    reason = POST_RULES["edit"](post, user)
    if reason:
        return workflow.ActionNotAllowed(reason)
    if post.state not in (*FREELY_EDITABLE, *UNDER_REVIEW):
        return workflow.InvalidState(
            gettext("A post that is %(state)s can no longer be changed.")
            % {"state": post.get_state_display().lower()}
        )
    return None


# --- a post's page and its actions ----------------------------------------------------


def _with_content(queryset):
    return queryset.select_related(
        "origin_department", "campaign", "author", "last_editor", "plan"
    ).prefetch_related("channels", "variants", "images")


def _page_of(post) -> str:
    return reverse("post-detail", args=[post.pk])


@login_required
def post_detail(request, pk):
    post = post_or_404(request.user, pk, _with_content(visible_posts(request.user)))
    failed = outcome = None
    if refusal := kept(request):
        # Back from a refused action: its form again, as it was typed, with the reason.
        typed = refusal["keep"]
        if "publication" in typed:
            form = OutcomeForm(as_data(typed["data"]), auto_id=_outcome_id(typed["publication"]))
            outcome = (typed["publication"], form)
        else:
            failed = typed
    return render(request, DETAIL, _detail_context(request, post, failed=failed, outcome=outcome))


def _outcome_id(publication_pk: int) -> str:
    return f"outcome-{publication_pk}-%s"


@require_POST
@login_required
def post_action(request, pk, action):
    post = post_or_404(request.user, pk, _with_content(visible_posts(request.user)))
    spec = POST_ACTIONS.get(action)
    if spec is None:
        raise Http404(gettext("There is no such action."))
    text = CommentForm(request.POST)
    text.is_valid()
    typed = {"action": action, "text": text.cleaned_data.get("text", "")}
    before = post.state
    try:
        when = None
        if form_class := time_form_class(spec):
            form = form_class(request.POST, prefix=action)
            if not form.is_valid():
                context = _detail_context(request, post, failed=typed, reschedule=form)
                return render(request, DETAIL, context, status=400)
            when = form.cleaned_data["when"]
        result = spec.perform(
            post,
            request.user,
            text=typed["text"],
            when=when,
            expected_hash=request.POST.get("expected_hash") or None,
        )
    except workflow.WorkflowError as exc:
        # Show the post as it really is now, with what was typed kept.
        post = post_or_404(request.user, pk, _with_content(visible_posts(request.user)))
        typed["error"] = str(exc)
        context = partial(_detail_context, request, post, failed=typed)
        return refused(request, exc, DETAIL, context, back=_page_of(post), keep=typed)
    messages.success(request, str(spec.outcome(before, post.state).page))
    # A copy opens on the new post.
    return redirect("post-detail", pk=result.pk if isinstance(result, Post) else post.pk)


@require_POST
@login_required
def publication_resolve(request, pk, publication_pk):
    """Someone checked the network for a publication whose outcome is unknown."""
    post = post_or_404(request.user, pk, _with_content(visible_posts(request.user)))
    publication = post.publications.filter(pk=publication_pk).first()
    if publication is None:
        raise Http404(gettext("There is no such publication."))
    form = OutcomeForm(request.POST, auto_id=_outcome_id(publication.pk))
    if not form.is_valid():
        context = _detail_context(request, post, outcome=(publication.pk, form))
        return render(request, DETAIL, context, status=400)
    went_out = form.cleaned_data["outcome"] == "sent"
    try:
        workflow.resolve_unknown(
            publication, request.user, went_out=went_out, url=form.cleaned_data["url"]
        )
    except workflow.WorkflowError as exc:
        post = post_or_404(request.user, pk, _with_content(visible_posts(request.user)))
        context = partial(_detail_context, request, post, outcome=(publication.pk, form))
        typed = {"publication": publication.pk, "data": posted(request)}
        return refused(request, exc, DETAIL, context, back=_page_of(post), keep=typed)
    done = (
        gettext("Recorded as sent on %(channel)s.")
        if went_out
        else gettext("Sent again to %(channel)s.")
    )
    messages.success(request, done % {"channel": publication.channel})
    return redirect("post-detail", pk=post.pk)


def _detail_context(request, post, *, failed=None, reschedule=None, outcome=None) -> dict:
    user = request.user
    names = workflow.available_actions(post, user)
    buttons, text_actions, comment = [], [], None
    for name in names:
        spec = POST_ACTIONS.get(name)
        if spec is None:
            continue
        entry = {
            "name": name,
            "spec": spec,
            "failed": failed if failed and failed["action"] == name else None,
        }
        if name == "comment":
            comment = entry
        elif spec.asks_text:
            text_actions.append(entry)
        elif form_class := time_form_class(spec):
            entry["form"] = (
                reschedule
                if reschedule is not None and failed and failed["action"] == name
                else form_class(prefix=name)
            )
            text_actions.append(entry)
        else:
            buttons.append(entry)
    variants = {v.channel_id: v.body for v in post.variants.all()}
    # Said here, before review, rather than learnt at the slot (the review refuses it too).
    unsent = post.state in (*FREELY_EDITABLE, *UNDER_REVIEW)
    channels = [
        {
            "channel": c,
            "text": variants.get(c.pk, post.body),
            "has_variant": c.pk in variants,
            "problem": channel_access_problem(post, c) if unsent else None,
        }
        for c in post.channels.all()
    ]
    approvals = list(post.approvals.select_related("approver"))
    for approval in approvals:
        approval.matches = approval.content_hash == post.content_hash
    publications = _publications(post, user, outcome)
    history = _history(post, publications)
    return {
        "since_review": since_review(post, last_reviews([post]).get(post.pk)),
        # Approve and sign off send it back: the hash of exactly what this page shows.
        "shown_hash": shown_hash(post),
        "section": "posts",
        "post": post,
        "channels": channels,
        "can_edit": "edit" in names,
        "buttons": buttons,
        "text_actions": text_actions,
        "comment_action": comment,
        "failed": failed,
        "approvals": approvals,
        "history": history,
        "comments": list(post.comments.select_related("author")),
        "publications": publications,
        # Why a failed post cannot simply be sent again, for whoever would do it.
        "retry_refusal": (
            retry_refusal(post)
            if post.state == PostState.FAILED and POST_RULES["retry_failed"](post, user) is None
            else None
        ),
    }


def _history(post, publications) -> list:
    """The post's audit entries and its publications', in the order they were written."""
    channels = {p.pk: p.channel for p in publications}
    history = list(
        AuditEntry.objects.filter(
            Q(object_type=Post._meta.label_lower, object_id=post.pk)
            | Q(object_type=Publication._meta.label_lower, object_id__in=list(channels))
        ).order_by("seq")
    )
    states = {**dict(PublicationState.choices), **dict(PostState.choices)}
    for entry in history:
        label = history_label(entry.action)
        if entry.object_type == Publication._meta.label_lower:
            label = label % {"channel": channels[entry.object_id]}
        entry.label = label
        entry.from_label = states.get(entry.from_state, entry.from_state)
        entry.to_label = states.get(entry.to_state, entry.to_state)
    return history


def _publications(post, user, outcome=None) -> list:
    """The post's publications; an unknown one carries the form that settles it, for
    someone who may (with what they typed, if it was refused)."""
    publications = list(post.publications.select_related("channel"))
    may_resolve = deny_resolve_publication(post, user) is None
    failed_pk, failed_form = outcome or (None, None)
    for publication in publications:
        if may_resolve and publication.state == PublicationState.UNKNOWN:
            publication.outcome_form = (
                failed_form
                if publication.pk == failed_pk
                else OutcomeForm(auto_id=_outcome_id(publication.pk))
            )
    return publications


urlpatterns = [
    path("posts/<int:pk>/", post_detail, name="post-detail"),
    path("posts/<int:pk>/edit/", post_edit, name="post-edit"),
    path("posts/<int:pk>/actions/<slug:action>/", post_action, name="post-action"),
    path(
        "posts/<int:pk>/publications/<int:publication_pk>/outcome/",
        publication_resolve,
        name="publication-resolve",
    ),
    path("posts/", post_list, name="post-list"),
    path("posts/new/", post_create, name="post-create"),
]
