"""Workflow transitions as admin actions: one call of the workflow per selected object.

Each object is handled on its own: a refused action (four-eyes rule, wrong state,
someone else got there first) is reported by name and leaves the others be, and
nothing is ever changed except by the workflow functions. Actions that need words
(a comment, a reason) first show an intermediate page, in the pattern of the admin's
own "delete selected" confirmation: the selected ids travel along as hidden fields.
Approvals from the list first show each post whole, and approve only with the content
hash of what that page showed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from editorial.forms.review import SHOWN_RELATED, shown_content
from editorial.workflow import WorkflowError

# Posted by the intermediate page once the person has written the text.
CONFIRM_FIELD = "confirm"
# Posted by the buttons on a post's own page: come back to that page afterwards.
RETURN_FIELD = "_return_to_change"
# Posted by those buttons too: the content hash of what the person was looking at.
EXPECTED_HASH_PREFIX = "expected_hash_"


@dataclass(frozen=True)
class Given:
    """What the person gave along with the action."""

    text: str = ""
    expected_hashes: Mapping[str, str] = field(default_factory=dict)

    def expected_hash(self, obj: Model) -> str | None:
        return self.expected_hashes.get(str(obj.pk))


Runner = Callable[[Any, Any, Given], object]


@dataclass(frozen=True)
class WorkflowAction:
    """One workflow function offered as an admin action."""

    name: str
    label: Promise
    done: Promise  # reported on success, with the items' names as %(items)s
    run: Runner
    ask: Promise | None = None  # the label of the text the action needs, if any
    # It approves what the person saw: each post is first shown whole (content_step).
    shows_content: bool = False

    def as_admin_action(self) -> Callable[[admin.ModelAdmin, HttpRequest, QuerySet], Any]:
        def action(modeladmin, request, queryset):
            return perform(modeladmin, request, queryset, self)

        # The admin tells actions apart by their function's name.
        action.__name__ = self.name
        return admin.action(description=self.label, permissions=["workflow"])(action)


class TextForm(forms.Form):
    """The comment or reason an action needs."""

    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5, "cols": 70}),
        error_messages={"required": _("This action needs a text: write it here.")},
    )

    def __init__(self, *args, label: Promise, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].label = label


def perform(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet, action: WorkflowAction
) -> HttpResponse | None:
    """Run `action` on every selected object, asking for its text first if it needs one."""
    objects = list(queryset.order_by("pk"))
    given = Given(expected_hashes=_expected_hashes(request))
    if action.shows_content and not all(given.expected_hash(obj) for obj in objects):
        # Not from a page that showed each post (its own page, or the step below, whose
        # hidden fields carry the hash of what it showed): show them first.
        return content_step(modeladmin, request, queryset, action)
    if action.ask:
        data = request.POST if CONFIRM_FIELD in request.POST else None
        form = TextForm(data, label=action.ask)
        if not form.is_valid():  # not yet asked, or left empty: (re)show the page
            return text_step(modeladmin, request, objects, action, form)
        given = replace(given, text=form.cleaned_data["text"])
    run_each(modeladmin, request, objects, action.run, action.done, given)
    return back_to_change_form(request, objects)


def run_each(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    objects: Sequence[Model],
    run: Runner,
    done: Promise,
    given: Given = Given(),
) -> None:
    """Apply `run` to each object; report the successes together and each refusal."""
    succeeded = []
    for obj in objects:
        try:
            run(obj, request.user, given)
        except WorkflowError as exc:
            message = _("“%(item)s”: %(error)s") % {"item": obj, "error": exc}
            modeladmin.message_user(request, message, messages.ERROR)
        else:
            succeeded.append(f"“{obj}”")
    if succeeded:
        modeladmin.message_user(request, done % {"items": ", ".join(succeeded)}, messages.SUCCESS)


def text_step(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    objects: Sequence[Model],
    action: WorkflowAction,
    form: TextForm,
) -> TemplateResponse:
    """The intermediate page that asks for the action's comment or reason."""
    context = {
        **intermediate_context(modeladmin, request, objects, action.name),
        "title": action.label,
        "form": form,
    }
    return TemplateResponse(request, "admin/editorial/action_text.html", context)


def content_step(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet, action: WorkflowAction
) -> TemplateResponse:
    """The intermediate page of an approval: each selected post whole (every channel's
    text, the images with their alternative text), with the hash of exactly that."""
    posts = list(queryset.prefetch_related(*SHOWN_RELATED).order_by("pk"))
    items = [
        {"post": post, "shown": shown_content(post), "field": f"{EXPECTED_HASH_PREFIX}{post.pk}"}
        for post in posts
    ]
    context = {
        **intermediate_context(modeladmin, request, posts, action.name),
        "title": action.label,
        "items": items,
    }
    return TemplateResponse(request, "admin/editorial/action_shown.html", context)


def intermediate_context(
    modeladmin: admin.ModelAdmin, request: HttpRequest, objects: Sequence[Model], name: str
) -> dict[str, Any]:
    """What every intermediate page needs to post the action back to the changelist."""
    request.current_app = modeladmin.admin_site.name
    return {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.model._meta,
        "objects": objects,
        "action_name": name,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "confirm_field": CONFIRM_FIELD,
        "return_field": RETURN_FIELD if RETURN_FIELD in request.POST else "",
    }


def back_to_change_form(request: HttpRequest, objects: Sequence[Model]) -> HttpResponse | None:
    """An action started from an object's own page returns to that page; otherwise the
    admin goes back to the list (by our returning None)."""
    if RETURN_FIELD not in request.POST or len(objects) != 1:
        return None
    opts = objects[0]._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[objects[0].pk])
    return HttpResponseRedirect(url)


def _expected_hashes(request: HttpRequest) -> dict[str, str]:
    return {
        key.removeprefix(EXPECTED_HASH_PREFIX): value
        for key, value in request.POST.items()
        if key.startswith(EXPECTED_HASH_PREFIX)
    }
