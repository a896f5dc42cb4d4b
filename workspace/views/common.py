"""What every workspace page shares: the role check that answers 403 with the reason,
the side menu of the sections the user may open, and the answer to a bad form."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from editorial.views.respond import refused
from editorial.workflow.errors import WorkflowError
from workspace.permissions import sections_of

FORBIDDEN = "workspace/forbidden.html"


def context(request, current: str, **extra) -> dict:
    return {
        "section": "workspace",
        "workspace_sections": sections_of(request.user),
        "current": current,
        **extra,
    }


def page(request, template: str, current: str, *, status: int = 200, **extra):
    return render(request, template, context(request, current, **extra), status=status)


def manages(deny: Callable, current: str):
    """The view is for the roles `deny` lets through; anyone else gets a 403 page that
    says why (a signed-out visitor goes to the login page first)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if reason := deny(request.user):
                return page(request, FORBIDDEN, current, status=403, reason=reason)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def invalid(request, template: str, current: str, **extra):
    """The form again, with its errors and what was typed: 400."""
    return page(request, template, current, status=400, **extra)


def refusal(request, exc: WorkflowError, template: str, current: str, **extra):
    return refused(request, exc, template, context(request, current, **extra))
