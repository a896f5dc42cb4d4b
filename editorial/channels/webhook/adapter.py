"""Chat webhooks (Slack, Mattermost, Microsoft Teams) and a generic signed JSON webhook.

One JSON POST per publication, to the channel's address (an encrypted credential), in the
channel's format (`formats.py`; the generic one signed, `signing.py`). What each failure
means for the publisher:

- nothing reached the receiver (connection refused or timed out, DNS failure, proxy
  failure, no free connection in the pool) -> `TransientError`;
- the receiver answered 429, 408 or 5xx (but 504) -> `TransientError`, with Retry-After;
- 401, 403, 404, 410, and the services' own "this hook is gone" answers (Slack's
  `no_service`, `channel_is_archived`…, Mattermost's invalid or disabled webhook) ->
  `CredentialsRejected`: the channel needs reconnecting (a new address or secret);
- Teams' legacy connectors' 200 carrying "HTTP error 429" -> `TransientError`;
- any other answer that is not 2xx -> `PermanentError`;
- the request left but the answer did not come back (read time-out, connection
  dropped, 504 from a gateway whose upstream may have posted) -> `UncertainError`.
  Generic webhooks do not dedupe, so the publisher must not re-send on its own; nor
  can they be asked whether a post arrived (Slack's, Mattermost's and Teams' incoming
  webhooks keep nothing anyone can read back), so `find_published` keeps the base's
  answer, "cannot tell", and a person checks.
"""

from __future__ import annotations

import datetime
import json
import os
import threading
from collections.abc import Sequence
from email.utils import parsedate_to_datetime

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from editorial.channels.base import (
    ChannelAdapter,
    CredentialsRejected,
    Image,
    Outgoing,
    PermanentError,
    Result,
    TransientError,
    UncertainError,
)
from editorial.channels.webhook import formats, signing
from editorial.channels.webhook.config import WebhookConfig, WebhookFormat
from editorial.credentials import CredentialsUnreadable
from editorial.messages import message
from editorial.models import Network

USER_AGENT = "Cadence/0.1 (+webhook)"
# Publication.external_id / external_url column sizes: a longer value would fail the
# save *after* a successful send, so it is not stored there.
MAX_ID_LENGTH = 200
MAX_URL_LENGTH = 500

_client: httpx.Client | None = None
_client_lock = threading.Lock()


def _forget_client() -> None:
    # A forked worker process must not share the parent's sockets: it makes its own.
    global _client
    _client = None


os.register_at_fork(after_in_child=_forget_client)


def get_client() -> httpx.Client:
    """The one client of this process, shared by the publisher's threads so that they
    share its connection pool (httpx.Client is thread-safe)."""
    global _client
    if _client is None:
        with _client_lock:
            if _client is None:
                _client = httpx.Client(
                    follow_redirects=False,  # a redirected POST is a misconfigured endpoint
                    limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
                    headers={"User-Agent": USER_AGENT},
                )
    return _client


def timeouts() -> httpx.Timeout:
    """Read at each request, so settings (and tests) can change them at run time."""
    read = float(getattr(settings, "WEBHOOK_TIMEOUT_SECONDS", 10))
    connect = float(getattr(settings, "WEBHOOK_CONNECT_TIMEOUT_SECONDS", 3))
    return httpx.Timeout(connect=connect, read=read, write=read, pool=read)


def parse_retry_after(value: str | None, now: datetime.datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # HTTP dates are GMT
        when = when.replace(tzinfo=datetime.UTC)
    now = now or datetime.datetime.now(datetime.UTC)
    return max(0.0, (when - now).total_seconds())


def payload(outgoing: Outgoing) -> dict:
    """The generic format's body (kept under this name for the benchmarks)."""
    return formats.generic(outgoing)


def encode(body: dict) -> bytes:
    """The exact bytes sent, and signed."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


class WebhookAdapter(ChannelAdapter):
    network = Network.WEBHOOK
    text_limit = 4000
    media_limit = 10
    config = WebhookConfig
    honours_idempotency_key = False  # generic receivers post whatever they get

    @property
    def webhook_format(self) -> str:
        return (self.channel.settings or {}).get("webhook_format") or WebhookFormat.GENERIC

    def validate_images(self, images: Sequence[Image]) -> list[str]:
        """A chat service fetches each image by its address: one it cannot reach would
        be missing from the message."""
        if self.webhook_format == WebhookFormat.GENERIC:
            return []
        if all(formats.image_url(image) for image in images):
            return []
        return [
            _(
                "%(channel)s shows images from their public address: set "
                "CADENCE_PUBLIC_URL, or send the post without images."
            )
            % {"channel": self.channel}
        ]

    def _secrets(self) -> dict:
        try:
            return self.channel.credentials
        except CredentialsUnreadable:
            raise PermanentError(message("credentials_unreadable", channel=self.channel)) from None

    def request(self, outgoing: Outgoing) -> tuple[str, bytes, dict[str, str]]:
        """The address, body and headers of the POST `outgoing` makes."""
        secrets = self._secrets()
        url = secrets.get("endpoint_url", "")
        if not url:
            raise PermanentError(message("no_endpoint", channel=self.channel))
        body = encode(formats.PAYLOADS[self.webhook_format](outgoing))
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": str(outgoing.idempotency_key),
        }
        if self.webhook_format == WebhookFormat.GENERIC and secrets.get("signing_secret"):
            headers.update(signing.signed_headers(secrets["signing_secret"], body))
        return url, body, headers

    def publish(self, outgoing: Outgoing) -> Result:
        url, body, headers = self.request(outgoing)
        try:
            response = get_client().post(url, content=body, headers=headers, timeout=timeouts())
        # Order matters: the connect/pool errors are subclasses of the broader ones below.
        except (
            httpx.ConnectError,
            httpx.ConnectTimeout,
            httpx.PoolTimeout,
            httpx.ProxyError,
        ) as exc:
            raise TransientError(
                message("unreachable", channel=self.channel, error=repr(exc))
            ) from exc
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            raise PermanentError(
                message("bad_endpoint", channel=self.channel, error=repr(exc))
            ) from exc
        except httpx.HTTPError as exc:
            # ReadTimeout, WriteTimeout, ReadError, RemoteProtocolError, a body that
            # would not decode…: the request (or part of it) left; it may be posted.
            raise UncertainError(
                message("no_answer", channel=self.channel, error=repr(exc))
            ) from exc
        return self._result(response, outgoing)

    def _result(self, response: httpx.Response, outgoing: Outgoing) -> Result:
        status = response.status_code
        detail = message("answered", channel=self.channel, status=status, text=response.text[:300])
        if status == 504:
            # A gateway gave up waiting for the upstream, which may have posted.
            raise UncertainError(detail)
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if status in (408, 429) or (status >= 500 and status != 501):  # 501: Mattermost hooks off
            raise TransientError(detail, retry_after=retry_after)
        if formats.throttled_in_body(self.webhook_format, status, response.text):
            raise TransientError(detail, retry_after=retry_after)
        if not 200 <= status < 300:
            if formats.address_refused(self.webhook_format, status, response.text, _json(response)):
                raise CredentialsRejected(
                    message(
                        "credentials_rejected",
                        channel=self.channel,
                        status=status,
                        text=response.text[:300],
                    )
                )
            raise PermanentError(detail)
        return self._success(response, outgoing)

    def _success(self, response: httpx.Response, outgoing: Outgoing) -> Result:
        body = _json(response)
        if not isinstance(body, dict):
            body = {}  # Slack answers a plain "ok", Teams' workflows an empty 202
        extra = {}
        external_id = str(body["id"]) if body.get("id") not in (None, "") else ""
        if len(external_id) > MAX_ID_LENGTH:
            extra["id"], external_id = external_id, ""
        url = body.get("url") if isinstance(body.get("url"), str) else ""
        if not url.startswith(("http://", "https://")) or len(url) > MAX_URL_LENGTH:
            if url:
                extra["url"] = url
            url = ""
        external_id = external_id or str(outgoing.idempotency_key)
        return Result(external_id=external_id, url=url, extra=extra)


def _json(response: httpx.Response) -> object:
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError):
        return None
