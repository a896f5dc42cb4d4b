"""X's API v2 answers mapped to the publisher's three errors, from its documentation
(docs.x.com: "Response codes and errors", "Rate limits"). X answers an error with a
problem object, `{"title", "detail", "type", "status"}` (older ones with
`{"errors": [{"message"}]}`):

- nothing reached X (connection refused, DNS, connect or pool time-out) ->
  `TransientError`;
- 429 (too many requests) -> `TransientError`, retried at `x-rate-limit-reset` (epoch
  seconds, X's header) or after `Retry-After`; 5xx (but 504 on a write) ->
  `TransientError`;
- 401 (the token expired or was revoked) -> `CredentialsRejected`: the channel needs
  reconnecting;
- 403 (forbidden: duplicate content, an app not attached to a project, a suspended
  account, a tier that does not offer the endpoint), 400 and other 4xx ->
  `PermanentError`, with X's own words;
- the request left and no answer came back (read time-out, dropped connection, 504) on
  a request that publishes -> `UncertainError`; on one that does not (an upload, a
  read) `TransientError`: nothing public can have happened.

The token goes in the Authorization header only: never in a URL, a message or a log.
"""

from __future__ import annotations

import time

import httpx

from editorial.channels.base import (
    CredentialsRejected,
    PermanentError,
    TransientError,
    UncertainError,
)
from editorial.channels.http import send
from editorial.channels.webhook.adapter import parse_retry_after
from editorial.messages import message

USER_AGENT = "Cadence/0.1 (+x)"
# X's words for a post it refuses because the account just posted the same text.
DUPLICATE = "duplicate content"


class DuplicatePost(PermanentError):
    """X refused a post as one the account already published (403, "duplicate
    content"): perhaps an earlier attempt of this very publication."""


def call(
    channel,
    method: str,
    url: str,
    token: str,
    *,
    publishes: bool = False,
    **kwargs,
) -> httpx.Response:
    """One request to X, answered 2xx or raised as one of the three errors.
    `publishes`: a request that makes something public (a post), so that a send whose
    answer never came is uncertain."""
    headers = {
        "Authorization": f"Bearer {token}",
        "User-Agent": USER_AGENT,
        **kwargs.pop("headers", {}),
    }
    response = send(channel, method, url, headers=headers, publishes=publishes, **kwargs)
    check(channel, response, publishes=publishes)
    return response


def check(channel, response: httpx.Response, *, publishes: bool = False) -> None:
    status = response.status_code
    if 200 <= status < 300:
        return
    text = error_text(response)
    if status == 401:
        raise CredentialsRejected(
            message("credentials_rejected", channel=channel, status=status, text=text)
        )
    detail = message("answered", channel=channel, status=status, text=text)
    if status == 504 and publishes:
        raise UncertainError(detail)  # the gateway gave up; X may have posted
    if status in (408, 429) or status >= 500:
        raise TransientError(detail, retry_after=retry_after(response))
    if status == 403 and DUPLICATE in text.lower():
        raise DuplicatePost(detail)
    raise PermanentError(detail)


def error_text(response: httpx.Response) -> str:
    """X's problem object (`detail`, else `title`) or its older `errors[0].message`."""
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        return response.text[:300]
    if not isinstance(body, dict):
        return response.text[:300]
    for name in ("detail", "title"):
        if isinstance(body.get(name), str) and body[name]:
            return body[name][:300]
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        words = errors[0].get("message") or errors[0].get("detail")
        if isinstance(words, str):
            return words[:300]
    return response.text[:300]


def retry_after(response: httpx.Response, now: float | None = None) -> float | None:
    """Seconds until the rate limit resets: `x-rate-limit-reset` (epoch seconds), else
    `Retry-After`."""
    reset = response.headers.get("x-rate-limit-reset")
    if reset:
        try:
            return max(0.0, float(reset.strip()) - (time.time() if now is None else now))
        except ValueError:
            pass
    return parse_retry_after(response.headers.get("Retry-After"))


def json_body(channel, response: httpx.Response) -> dict:
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        raise PermanentError(
            message("answered", channel=channel, status=response.status_code, text="not JSON")
        )
    return body


def data(channel, response: httpx.Response) -> dict:
    """The `data` object of an answer."""
    found = json_body(channel, response).get("data")
    if not isinstance(found, dict):
        raise PermanentError(
            message("answered", channel=channel, status=response.status_code, text="no data")
        )
    return found
