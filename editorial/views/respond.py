"""How views answer a refused workflow action: with the reason, never a 500.

`WorkflowError.status` says which: 403 (not allowed), 409 (the post moved on or
someone else got there first), 400 (something is missing or wrong in what was given).

A browser's plain form post that is refused is answered post/redirect/get: a redirect
(303) back to the page the action was taken from (`back`), the reason as a message, and
what was typed kept in the session for that page to show again (`kept`). The browser
then sits on an ordinary page: a reload shows it again, it never posts the action a
second time. Callers that do not navigate (htmx, scripts asking for JSON) get the page
or fragment with the error's status instead, as does a view that gives no `back`.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render

from editorial.workflow import WorkflowError

KEPT = "editorial.refused"


class HttpResponseSeeOther(HttpResponseRedirect):
    """After a POST, go and GET this page (a 302 means the same to browsers, but 303
    says it)."""

    status_code = 303


def refused(
    request: HttpRequest,
    exc: WorkflowError,
    template: str,
    context: dict | Callable[[], dict],
    *,
    back: str | None = None,
    keep: dict | None = None,
) -> HttpResponse:
    """Answer a refusal: a redirect to `back` for a browser's form post, else render
    `template` again with the reason shown, answering the error's status.

    `keep` is what the page at `back` needs to show the refused form as it was typed
    (JSON-serialisable); by default, the posted fields. `context` may be a function,
    called only when the page is rendered here."""
    messages.error(request, str(exc))
    if back is not None and navigates(request):
        request.session[KEPT] = {
            "back": back,
            "action": request.path,
            "error": str(exc),
            "keep": posted(request) if keep is None else keep,
        }
        return HttpResponseSeeOther(back)
    context = context() if callable(context) else context
    return render(request, template, {**context, "refusal": exc}, status=exc.status)


def navigates(request: HttpRequest) -> bool:
    """A plain form post, whose answer the browser shows as a page at the action's
    address (not htmx, which swaps a part in place, nor a script asking for JSON)."""
    return (
        request.method == "POST"
        and not getattr(request, "htmx", False)
        and "application/json" not in request.headers.get("Accept", "")
    )


def kept(request: HttpRequest) -> dict | None:
    """What the action refused just before this page kept for it, once: `keep`, the
    refused action's path (`action`) and its reason (`error`). None on any other page."""
    entry = request.session.pop(KEPT, None)
    if not entry or entry["back"] != request.get_full_path():
        return None
    return entry


def as_data(posted: dict) -> QueryDict:
    """Kept form fields, to bind the refused form again."""
    data = QueryDict(mutable=True)
    for name, values in posted.items():
        data.setlist(name, values)
    return data


def posted(request: HttpRequest) -> dict:
    """The posted fields, to keep (see `as_data`)."""
    return {name: values for name, values in request.POST.lists() if name != "csrfmiddlewaretoken"}
