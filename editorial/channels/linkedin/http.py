"""LinkedIn's answers mapped to the publisher's three errors, from its documentation
("Error Handling", "Rate Limits", each API's responses). An error body reads
`{"status": 401, "serviceErrorCode": 65601, "code": "REVOKED_ACCESS_TOKEN", "message":
"The token used in the request has been revoked by the user"}`:

- nothing reached LinkedIn (connection refused, DNS, connect or pool time-out) ->
  `TransientError`;
- 401 (invalid, expired or revoked token: serviceErrorCode 65600, 65601, 65602…) ->
  `CredentialsRejected`: the channel needs reconnecting;
- 403 (`ACCESS_DENIED`: "Not enough permissions to access: …", the member is no longer
  an administrator of the page, or the app lacks the scope) -> `PermanentError` naming
  the permission the request needed; the token itself still works for the rest;
- 400, 422 (validation: the server's words kept), 404, other 4xx -> `PermanentError`;
- 429 (the application's or the member's daily limit) -> `TransientError`: LinkedIn
  sends no reset header, so the publisher's own back-off applies (a `Retry-After`, if
  ever sent, is honoured); 5xx (but 504 on a write) -> `TransientError`;
- the request left and no answer came (read time-out, dropped connection, 504) on a
  request that publishes -> `UncertainError`; on one that does not (an image upload, a
  read) -> `TransientError`: nothing public can have happened.

Every call to the versioned API carries `LinkedIn-Version` (YYYYMM, from
`CADENCE_NETWORKS["linkedin"]["version"]`) and `X-Restli-Protocol-Version: 2.0.0`. The
token goes in the Authorization header only: never in a URL, a message or a log.
"""

from __future__ import annotations

from urllib.parse import quote

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

USER_AGENT = "Cadence/0.1 (+linkedin)"
# A version LinkedIn supports (each is supported for about a year): an institution
# moves it forward in its settings without a release.
DEFAULT_VERSION = "202605"


def api_url() -> str:
    return network_setting("linkedin", "api_url", "https://api.linkedin.com").rstrip("/")


def version() -> str:
    return network_setting("linkedin", "version", DEFAULT_VERSION)


def urn_path(urn: str) -> str:
    """A URN as one segment of a path or a query value (Rest.li 2.0: percent-encoded)."""
    return quote(urn, safe="")


def call(
    channel,
    method: str,
    url: str,
    token: str,
    *,
    scope: str = "",
    publishes: bool = False,
    rest: bool = True,
    **kwargs,
) -> httpx.Response:
    """One request, answered 2xx or raised as one of the three errors. `scope`: the
    permission the request needs (named when LinkedIn refuses it); `publishes`: a
    request that makes something public, so that a send whose answer never came is
    uncertain; `rest`: a call to the versioned API (an upload URL is not one)."""
    headers = {"Authorization": f"Bearer {token}", "User-Agent": USER_AGENT}
    if rest:
        headers["LinkedIn-Version"] = version()
        headers["X-Restli-Protocol-Version"] = "2.0.0"
    headers.update(kwargs.pop("headers", {}))
    response = send(channel, method, url, headers=headers, publishes=publishes, **kwargs)
    check(channel, response, scope=scope, publishes=publishes)
    return response


def check(channel, response: httpx.Response, *, scope: str = "", publishes: bool = False):
    status = response.status_code
    if 200 <= status < 300:
        return
    text = error_text(response)
    if status == 401:
        raise CredentialsRejected(
            message("credentials_rejected", channel=channel, status=status, text=text)
        )
    if status == 403 and scope:
        raise PermanentError(message("permission_missing", channel=channel, scope=scope, text=text))
    detail = message("answered", channel=channel, status=status, text=text)
    if status == 504 and publishes:
        raise UncertainError(detail)  # the gateway gave up; LinkedIn may have posted
    if status in (408, 429) or status >= 500:
        raise TransientError(
            detail, retry_after=parse_retry_after(response.headers.get("Retry-After"))
        )
    raise PermanentError(detail)


def error_text(response: httpx.Response) -> str:
    """LinkedIn's error body: its `message`, and the `code` or `serviceErrorCode`."""
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        return response.text[:300]
    if not isinstance(body, dict) or not isinstance(body.get("message"), str):
        return response.text[:300]
    code = body.get("code") or body.get("serviceErrorCode")
    words = body["message"]
    if isinstance(code, (str, int)) and not isinstance(code, bool) and str(code) not in words:
        words = f"{words} [{code}]"
    return words[:300]


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
