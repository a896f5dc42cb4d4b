"""Mastodon's answers mapped to the publisher's three errors, from its documentation
(docs.joinmastodon.org, "Rate limits", "Errors", each method's responses):

- nothing reached the instance (connection refused, DNS, connect or pool time-out) ->
  `TransientError`;
- 429 -> `TransientError`, retried after `X-RateLimit-Reset` (an ISO 8601 time) or
  `Retry-After`; 5xx (but 504 on a write) -> `TransientError`;
- 401 (the token is invalid, revoked or expired), 403 (outside the token's scopes,
  account disabled) -> `CredentialsRejected`: the channel needs reconnecting;
- 422 (validation failed: the server's own words kept), 404, other 4xx ->
  `PermanentError`;
- the request left and no answer came back (read time-out, dropped connection, 504 from
  a gateway) on a request that publishes -> `UncertainError`; on one that does not
  (an upload, a read), `TransientError`: nothing public can have happened.

The token goes in the Authorization header only: never in a URL, a message or a log.
"""

from __future__ import annotations

import datetime as dt

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

USER_AGENT = "Cadence/0.1 (+mastodon)"


def call(
    channel,
    method: str,
    url: str,
    token: str,
    *,
    publishes: bool = False,
    **kwargs,
) -> httpx.Response:
    """One request to the instance, answered 2xx or raised as one of the three errors.
    `publishes`: a request that makes something public (a status), so that a send
    whose answer never came is uncertain."""
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
    if status in (401, 403):
        raise CredentialsRejected(
            message("credentials_rejected", channel=channel, status=status, text=text)
        )
    detail = message("answered", channel=channel, status=status, text=text)
    if status == 504 and publishes:
        raise UncertainError(detail)  # the gateway gave up; the instance may have posted
    if status in (408, 429) or status >= 500:
        raise TransientError(detail, retry_after=retry_after(response))
    raise PermanentError(detail)


def error_text(response: httpx.Response) -> str:
    """Mastodon's error entity: `error`, and `error_description` on OAuth errors."""
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        return response.text[:300]
    if not isinstance(body, dict) or not isinstance(body.get("error"), str):
        return response.text[:300]
    words = body["error"]
    if isinstance(body.get("error_description"), str):
        words = f"{words}: {body['error_description']}"
    return words[:300]


def retry_after(response: httpx.Response, now: dt.datetime | None = None) -> float | None:
    """Seconds until the rate limit resets: `X-RateLimit-Reset` (Mastodon's, an ISO 8601
    time), else `Retry-After`."""
    reset = response.headers.get("X-RateLimit-Reset")
    if reset:
        try:
            when = dt.datetime.fromisoformat(reset.strip())
        except ValueError:
            when = None
        if when is not None:
            if when.tzinfo is None:
                when = when.replace(tzinfo=dt.UTC)
            now = now or dt.datetime.now(dt.UTC)
            return max(0.0, (when - now).total_seconds())
    return parse_retry_after(response.headers.get("Retry-After"), now)


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
