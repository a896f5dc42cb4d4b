"""How views answer a refused workflow action: with the reason, never a 500.

`WorkflowError.status` says which: 403 (not allowed), 409 (the post moved on or
someone else got there first), 400 (something is missing or wrong in what was given).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from editorial.workflow import WorkflowError


def refused(request: HttpRequest, exc: WorkflowError, template: str, context: dict) -> HttpResponse:
    """Render `template` again with the reason shown, answering the error's status."""
    messages.error(request, str(exc))
    return render(request, template, {**context, "refusal": exc}, status=exc.status)
