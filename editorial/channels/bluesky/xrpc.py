"""Bluesky's HTTP API (XRPC) for the adapter: a session from the handle and app
password, and each call's failure put in the publisher's three classes.

Plain httpx rather than the `atproto` client: the adapter needs six calls, writes its
records under record keys of its own (the client's `send_post` lets the server pick
one), and must tell "the request never left" (connect errors: retry) from "it left and
no answer came" (read time-out on a write: uncertain), which the client folds into one
exception. What the PDS answers (see the lexicons and the PDS's rate limiter):

- 429 with `ratelimit-reset` (Unix time) -> TransientError, retried after the reset;
- 5xx, connection refused or timed out -> TransientError;
- 401 (`AuthenticationRequired`: wrong handle or app password, revoked app password)
  and 403 -> PermanentError (the channel needs reconnecting);
- 400 `ExpiredToken` / `InvalidToken` -> a new session, then the call once more;
- any other 4xx (`InvalidRequest`, `InvalidSwap`…) -> PermanentError with its message;
- no answer after a write was sent -> UncertainError.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time

import httpx
from django.conf import settings

from editorial.channels.base import PermanentError, TransientError, UncertainError
from editorial.messages import message

USER_AGENT = "Cadence/0.1 (+bluesky)"
_SESSION_ERRORS = {"ExpiredToken", "InvalidToken"}

_client: httpx.Client | None = None
_lock = threading.Lock()
# (service, handle, hash of the app password) -> (did, access token): one login per
# process and account, not one per post (createSession is rate-limited per account).
_sessions: dict[tuple[str, str, str], tuple[str, str]] = {}


def _forget() -> None:
    global _client
    _client = None
    _sessions.clear()


os.register_at_fork(after_in_child=_forget)


def get_client() -> httpx.Client:
    global _client
    if _client is None:
        with _lock:
            if _client is None:
                _client = httpx.Client(
                    follow_redirects=False,
                    headers={"User-Agent": USER_AGENT},
                    limits=httpx.Limits(max_connections=50, max_keepalive_connections=10),
                )
    return _client


def timeouts() -> httpx.Timeout:
    read = float(getattr(settings, "BLUESKY_TIMEOUT_SECONDS", 15))
    connect = float(getattr(settings, "BLUESKY_CONNECT_TIMEOUT_SECONDS", 5))
    return httpx.Timeout(connect=connect, read=read, write=read, pool=read)


def retry_after(response: httpx.Response, now: float | None = None) -> float | None:
    """Seconds until the PDS lets us in again: its `ratelimit-reset` (a Unix time), or a
    plain Retry-After."""
    reset = response.headers.get("ratelimit-reset")
    if reset:
        try:
            return max(0.0, float(reset) - (time.time() if now is None else now))
        except ValueError:
            pass
    try:
        return max(0.0, float(response.headers.get("retry-after", "")))
    except ValueError:
        return None


def _error_name(response: httpx.Response) -> tuple[str, str]:
    try:
        body = response.json()
    except ValueError:
        return "", response.text[:300]
    if not isinstance(body, dict):
        return "", response.text[:300]
    return str(body.get("error") or ""), str(body.get("message") or "")[:300]


class Session:
    """One account on one PDS: every call of the adapter goes through `call`."""

    def __init__(self, channel, service: str, handle: str, password: str):
        self.channel, self.service, self.handle = channel, service.rstrip("/"), handle
        self._password = password
        self._key = (self.service, handle, hashlib.sha256(password.encode()).hexdigest())

    @property
    def did(self) -> str:
        return self._login()[0]

    def login(self) -> str:
        """A new session (the app password checked now, not remembered): the DID."""
        return self._login(fresh=True)[0]

    def _login(self, fresh: bool = False) -> tuple[str, str]:
        if fresh or self._key not in _sessions:
            body = self.call(
                "com.atproto.server.createSession",
                json={"identifier": self.handle, "password": self._password},
                auth=False,
            )
            _sessions[self._key] = (body["did"], body["accessJwt"])
        return _sessions[self._key]

    def call(
        self,
        nsid: str,
        *,
        method: str = "POST",
        params: dict | None = None,
        json: dict | None = None,
        content: bytes | None = None,
        content_type: str | None = None,
        auth: bool = True,
        write: bool = False,
        missing_ok: bool = False,
    ) -> dict | None:
        """The body of `nsid`'s answer. `write`: the call publishes something, so no
        answer after sending is uncertain. `missing_ok`: a "not found" answer is None."""
        for attempt in (1, 2):
            headers = {"Content-Type": content_type} if content_type else {}
            if auth:
                headers["Authorization"] = f"Bearer {self._login(fresh=attempt > 1)[1]}"
            response = self._send(method, nsid, params, json, content, headers, write)
            if response.status_code < 300:
                return response.json()
            error, text = _error_name(response)
            if auth and attempt == 1 and error in _SESSION_ERRORS:
                continue  # the access token expired: a new session, and once more
            if missing_ok and response.status_code == 400 and error == "RecordNotFound":
                return None
            self._fail(response, error, text)
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(self, method, nsid, params, json, content, headers, write) -> httpx.Response:
        url = f"{self.service}/xrpc/{nsid}"
        try:
            return get_client().request(
                method, url, params=params, json=json, content=content, headers=headers,
                timeout=timeouts(),
            )  # fmt: skip
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise TransientError(
                message("unreachable", channel=self.channel, error=repr(exc))
            ) from exc
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            raise PermanentError(
                message("bad_endpoint", channel=self.channel, error=repr(exc))
            ) from exc
        except httpx.HTTPError as exc:
            error = message("no_answer", channel=self.channel, error=repr(exc))
            raise (UncertainError if write else TransientError)(error) from exc

    def _fail(self, response: httpx.Response, error: str, text: str) -> None:
        status = response.status_code
        detail = message(
            "answered", channel=self.channel, status=status, text=f"{error}: {text}".strip(": ")
        )
        if status == 429 or status >= 500:
            raise TransientError(detail, retry_after=retry_after(response))
        if status in (401, 403):
            _sessions.pop(self._key, None)
        raise PermanentError(detail)
