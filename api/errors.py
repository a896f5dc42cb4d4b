"""How the API answers what went wrong, always in JSON and never with a 500:
400 with the fields' errors, 401, 403 with the reason in words, 404 outside the user's
scope (as if it were not there), 409 when the item moved on meanwhile.

A workflow refusal answers the status its error carries (`WorkflowError.status`, as
the pages do): {"detail": reason, "code": kind, "problems": [...]}."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from editorial.workflow.errors import WorkflowError


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def handle(exc, context):
    if isinstance(exc, WorkflowError):
        return Response(
            {
                "detail": exc.message,
                "code": _code(type(exc).__name__),
                "problems": [str(p) for p in exc.problems],
            },
            status=exc.status,
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    return exception_handler(exc, context)


def _code(name: str) -> str:
    """`StaleObject` → "stale_object"."""
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")
