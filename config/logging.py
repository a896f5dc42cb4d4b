"""What each log line says, and what it never says.

- `CADENCE_LOG_FORMAT=json` (the default outside DEBUG): one JSON object a line, for a log
  shipper; `plain` (DEBUG, `make run`): one readable line. Built by `logging_config`.
- Every record carries the context it was logged in (`ContextFilter`): a web request's
  `request_id` (also answered in the `X-Request-ID` header), `user_id` and `post_id`
  (`RequestContextMiddleware`), a Celery task's `task_id`, `task` and `publication_id`
  (`bind_task`/`unbind_task`, connected in config/celery.py). Context variables, so
  threads of a worker and requests of a server never mix their fields.
- No secret reaches a handler (`RedactFilter`): values under known secret names
  (access tokens, app passwords, passwords, signing secrets, Authorization headers) are
  replaced in the message, its arguments and its extra fields, whatever logged them.

The filters sit on the handler, not on a logger: a logger's filters see only what is
logged to that logger itself, a handler's see what every logger below it passes on.
"""

from __future__ import annotations

import contextvars
import logging
import re
import uuid
from typing import Any

import pythonjsonlogger.json

REDACTED = "[redacted]"
FIELDS = ("request_id", "user_id", "post_id", "task_id", "task", "publication_id")

# Never mutated in place: each `bind` sets a new dict (which `unbind` puts back).
_context: contextvars.ContextVar[dict[str, Any]] = contextvars.ContextVar(
    "cadence_log_context",
    default={},  # noqa: B039
)


def bind(**fields: Any) -> contextvars.Token:
    """Add `fields` to every record logged from here on in this context; `unbind(token)`."""
    return _context.set({**_context.get(), **fields})


def unbind(token: contextvars.Token) -> None:
    _context.reset(token)


def current() -> dict[str, Any]:
    return dict(_context.get())


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        fields = dict(_context.get())
        # Django logs a 4xx answer after the middleware has returned: its record carries
        # the request, which carries what the middleware learnt.
        request = getattr(record, "request", None)
        fields.update(getattr(request, "log_fields", None) or {})
        for name, value in fields.items():
            if not hasattr(record, name):  # a field given as `extra=` wins
                setattr(record, name, value)
        return True


# Lower-case names whose values are secrets wherever they appear: a dict's key, a
# keyword in a URL or form body, a JSON member, an HTTP header.
SECRET_NAMES = frozenset(
    {
        "access_token",
        "refresh_token",
        "id_token",
        "app_password",
        "password",
        "new_password1",
        "new_password2",
        "old_password",
        "client_secret",
        "signing_secret",
        "secret",
        "api_key",
        "token",
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "sessionid",  # Django's cookies, met inside a Cookie header
        "csrftoken",
        "x-api-key",
        "endpoint_url",  # a webhook's address is its credential
    }
)
_NAMES = "|".join(re.escape(name) for name in sorted(SECRET_NAMES, key=len, reverse=True))
# name, optional closing quote, `=` or `:`, optional opening quote, then the value up to
# the closing quote, a separator or the end. "Bearer xyz" / "Basic xyz" go whole.
_PAIR = re.compile(
    rf"""(?P<key>(?<![\w-])(?:{_NAMES})["']?\s*[:=]\s*)"""
    r"""(?P<quote>["']?)(?P<value>(?:Bearer\s+|Basic\s+|Token\s+)?[^\s"'&,;}\]]+)""",
    re.IGNORECASE,
)
_BEARER = re.compile(r"\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}", re.IGNORECASE)
# A password in a URL's user information: redis://:secret@host, https://user:secret@host.
_USERINFO = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^/\s:@]*:)[^/\s@]+@", re.IGNORECASE)


def redact_text(text: str) -> str:
    text = _PAIR.sub(lambda m: f"{m['key']}{m['quote']}{REDACTED}", text)
    text = _USERINFO.sub(lambda m: f"{m['head']}{REDACTED}@", text)
    return _BEARER.sub(lambda m: f"{m[1]} {REDACTED}", text)


def redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {
            key: REDACTED if str(key).lower() in SECRET_NAMES else redact_value(item)
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        return type(value)(redact_value(item) for item in value)
    return value


class RedactFilter(logging.Filter):
    """Formats the message once, redacted, so that no argument's `repr` (a dict of
    credentials, a request's headers) can carry a secret past it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: let the handler report it as usual
            return True
        record.msg, record.args = redact_text(message), None
        for name in SECRET_NAMES & set(vars(record)):
            setattr(record, name, REDACTED)
        for name, value in list(vars(record).items()):
            if isinstance(value, (dict, list, tuple)) and name not in ("args", "exc_info"):
                setattr(record, name, redact_value(value))
        if record.exc_info and not record.exc_text:
            record.exc_text = redact_text(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        return True


# --- Web requests --------------------------------------------------------------------

# A request id from the proxy is kept when it is a plausible id (a UUID, a trace id),
# never when it could forge a log line or smuggle markup.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")
# The URL keyword whose value is a post's id, by route name (routes under posts/<pk>/
# are found by their path).
_POST_ROUTES = {
    "post-reschedule",
    "inbox-action",
    "submission-action",
    "crisis-confirm",
    "crisis-reschedule",
    "plan-fast-track",
}


def request_id_from(header: str | None) -> str:
    if header and _SANE_REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


class RequestContextMiddleware:
    """Binds request_id (answered as X-Request-ID), then user_id once authentication
    ran and post_id once the URL is resolved; unbinds when the response is out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request.headers.get("X-Request-ID"))
        request.log_fields = {"request_id": request_id}
        token = bind(request_id=request_id)
        try:
            response = self.get_response(request)
        finally:
            unbind(token)
        response.headers["X-Request-ID"] = request_id
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        """Every middleware has run by now: the user is known, and the URL resolved."""
        fields = {}
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            fields["user_id"] = user.pk
        match, pk = request.resolver_match, view_kwargs.get("pk")
        on_post = match is not None and (
            match.url_name in _POST_ROUTES or match.route.startswith("posts/<int:pk>")
        )
        if on_post and pk is not None:
            fields["post_id"] = pk
        request.log_fields.update(fields)
        bind(**fields)
        return None


# --- Celery tasks --------------------------------------------------------------------

_task_tokens: dict[str, contextvars.Token] = {}


def bind_task(task_id=None, task=None, args=None, kwargs=None, **_ignored) -> None:
    """`task_prerun`: the task's id and name, and the publications it works on."""
    fields: dict[str, Any] = {"task_id": task_id, "task": getattr(task, "name", None)}
    ids = (kwargs or {}).get("publication_ids")
    if ids is None and args and task is not None and task.name in PUBLICATION_TASKS:
        ids = args[0]
    if ids is not None:
        ids = list(ids)
        fields["publication_id"] = ids[0] if len(ids) == 1 else ids
    _task_tokens[task_id] = bind(**fields)


def unbind_task(task_id=None, **_ignored) -> None:
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        try:
            unbind(token)
        except ValueError:  # set in another context (a different thread): drop the fields
            _context.set({k: v for k, v in _context.get().items() if k not in FIELDS})


# Tasks whose first argument is the list of publication ids they send or settle.
PUBLICATION_TASKS = {"editorial.publish_batch", "editorial.settle_in_doubt"}


# --- Configuration -------------------------------------------------------------------


# The JSON line's fixed members, renamed for shippers; every extra field (the context,
# a record's `extra=`) follows as its own member.
_JSON = {
    "fmt": ["levelname", "name", "message"],
    "rename_fields": {"levelname": "level", "name": "logger"},
    "timestamp": "time",  # ISO 8601 in UTC, whatever the server's zone
}


def json_formatter() -> logging.Formatter:
    return JsonFormatter(**_JSON)


class JsonFormatter(pythonjsonlogger.json.JsonFormatter):
    """python-json-logger's, with tracebacks redacted: it formats `exc_info` itself
    rather than reading the `exc_text` the redaction filter wrote."""

    def formatException(self, ei) -> str:
        return redact_text(super().formatException(ei))

    def formatStack(self, stack_info) -> str:
        return redact_text(super().formatStack(stack_info))


def logging_config(log_format: str, level: str) -> dict:
    """The LOGGING setting: `log_format` is "json" or "plain"."""
    formatters = {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "config.logging.JsonFormatter", **_JSON},
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "context": {"()": "config.logging.ContextFilter"},
            "redact": {"()": "config.logging.RedactFilter"},
        },
        "formatters": formatters,
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["context", "redact"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        # The audit chain's head and its checks: always logged (see editorial/sealing.py).
        "loggers": {"cadence.audit": {"level": "INFO"}},
    }
