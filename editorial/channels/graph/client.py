"""Requests to Meta's Graph API, and its answers mapped to the publisher's three errors,
from Meta's "Handling Errors" and "Rate Limiting" guides:

- nothing reached Meta (connection refused, DNS, connect or pool time-out) ->
  `TransientError`;
- code 190 (the token expired, was revoked or is invalid) or 102 (the session), and
  401/403 without a Graph error -> `CredentialsRejected`: the channel needs reconnecting;
- codes 10 and 200-299 (a permission the token lacks, or a role on the Page lost) ->
  `CredentialsRejected` too: only connecting again with that permission helps;
- codes 4, 17, 32, 613 and 80001-80014 (rate limits: the app's, the user's, the Page's,
  the business use case's) -> `TransientError`, retried after the
  `estimated_time_to_regain_access` (minutes) of `X-Business-Use-Case-Usage` or
  `X-App-Usage` when Meta gives one, else `Retry-After`;
- codes 1 and 2, `is_transient: true`, and 5xx -> `TransientError` (but a 504 on a request
  that publishes: Meta's front may have passed it on);
- any other error (100 invalid parameter, 368 blocked, 506 duplicate post…) ->
  `PermanentError`, with Meta's own words;
- the request left and no answer came back on a request that publishes ->
  `UncertainError`; on one that does not (an unpublished upload, a container, a read),
  `TransientError`: nothing public can have happened.

The token goes in the Authorization header, never in a URL, a message or a log. When the
app's secret is configured, each call carries `appsecret_proof` (an HMAC of the token
with it), which an app set to "Require App Secret" demands.
"""

from __future__ import annotations

import hashlib
import hmac
import json

import httpx

from editorial.channels.base import (
    CredentialsRejected,
    PermanentError,
    TransientError,
    UncertainError,
)
from editorial.channels.http import send
from editorial.channels.oauth import network_setting
from editorial.channels.webhook.adapter import parse_retry_after
from editorial.messages import message

# The Graph API version every call names (released 2026-07-29); an institution may move
# to another with `CADENCE_NETWORKS[<network>]["api_version"]` once it has read Meta's
# changelog.
GRAPH_VERSION = "v26.0"
GRAPH_URL = "https://graph.facebook.com"
USER_AGENT = "Cadence/0.1 (+graph)"

EXPIRED_TOKEN = {102, 190}
PERMISSION = {10, *range(200, 300)}
RATE_LIMITS = {4, 17, 32, 613, *range(80001, 80015)}
TEMPORARY = {1, 2}
USAGE_HEADERS = ("X-Business-Use-Case-Usage", "X-App-Usage", "X-Ad-Account-Usage")


def api_base(network: str) -> str:
    """`https://graph.facebook.com/v26.0`, or the configured address (a test's loopback)."""
    base = network_setting(network, "api_url", GRAPH_URL).rstrip("/")
    return f"{base}/{network_setting(network, 'api_version', GRAPH_VERSION)}"


def graph_call(
    channel,
    method: str,
    path: str,
    token: str,
    *,
    publishes: bool = False,
    params: dict | None = None,
    **kwargs,
) -> dict:
    """One request to the Graph API (`path` under the versioned base, e.g.
    `/123/feed`), its JSON answer on success, else one of the three errors.
    `publishes`: a request that makes something public."""
    network = channel.network
    params = dict(params or {})
    secret = network_setting(network, "client_secret")
    if secret:
        params["appsecret_proof"] = hmac.new(
            secret.encode(), token.encode(), hashlib.sha256
        ).hexdigest()
    headers = {"Authorization": f"Bearer {token}", "User-Agent": USER_AGENT}
    url = f"{api_base(network)}{path}"
    response = send(
        channel, method, url, params=params, headers=headers, **kwargs, publishes=publishes
    )
    return answer(channel, response, publishes=publishes)


def _json(response: httpx.Response):
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError):
        return None


def answer(channel, response: httpx.Response, *, publishes: bool = False) -> dict:
    """The body of a successful answer; raises the error an unsuccessful one means."""
    status = response.status_code
    body = _json(response)
    error = body.get("error") if isinstance(body, dict) else None
    if 200 <= status < 300 and not isinstance(error, dict):
        if not isinstance(body, dict):
            if publishes:
                return {}  # it was published (2xx) even if its answer cannot be read
            raise PermanentError(
                message("answered", channel=channel, status=status, text="not JSON")
            )
        return body
    if not isinstance(error, dict):
        error = {}
    code = error.get("code") if isinstance(error.get("code"), int) else None
    text = error_text(error) or response.text[:300]
    if code in EXPIRED_TOKEN or code in PERMISSION or (code is None and status in (401, 403)):
        raise CredentialsRejected(
            message("credentials_rejected", channel=channel, status=status, text=text)
        )
    detail = message("answered", channel=channel, status=status, text=text)
    if status == 504 and publishes:
        raise UncertainError(detail)  # the gateway gave up; Meta may have posted it
    if code in RATE_LIMITS or status == 429:
        raise TransientError(detail, retry_after=retry_after(response))
    if code in TEMPORARY or error.get("is_transient") is True or status >= 500:
        raise TransientError(detail, retry_after=retry_after(response))
    raise PermanentError(detail)


def error_text(error: dict) -> str:
    """Meta's words: `(#code) message`, and the sentence meant for a person when there is
    one (`error_user_msg`)."""
    words = str(error.get("message") or "").strip()
    if isinstance(error.get("code"), int) and not words.startswith("("):
        words = f"(#{error['code']}) {words}"
    user = str(error.get("error_user_msg") or "").strip()
    if user and user not in words:
        words = f"{words} {user}"
    return words[:300]


def retry_after(response: httpx.Response) -> float | None:
    """Seconds until Meta lets the app call again: the longest
    `estimated_time_to_regain_access` (minutes) among the usage headers, else
    `Retry-After`."""
    minutes = [
        value
        for name in USAGE_HEADERS
        for value in _regain_times(_parsed(response.headers.get(name)))
    ]
    if minutes:
        return max(minutes) * 60.0
    return parse_retry_after(response.headers.get("Retry-After"))


def _parsed(header: str | None):
    if not header:
        return None
    try:
        return json.loads(header)
    except ValueError:
        return None


def _regain_times(value) -> list[float]:
    """Every `estimated_time_to_regain_access` in a usage header, whatever its nesting
    (`X-Business-Use-Case-Usage` is `{business id: [{type, call_count, …}]}`;
    `X-App-Usage` a flat object)."""
    found = []
    if isinstance(value, dict):
        wait = value.get("estimated_time_to_regain_access")
        if isinstance(wait, int | float) and not isinstance(wait, bool) and wait >= 0:
            found.append(float(wait))
        for inner in value.values():
            if isinstance(inner, dict | list):
                found += _regain_times(inner)
    elif isinstance(value, list):
        for inner in value:
            found += _regain_times(inner)
    return found
