"""The generic webhook's signature: HMAC-SHA256, with the channel's signing secret, of
`"<timestamp>.<body>"`, the timestamp in Unix seconds and the body the exact bytes sent.

Sent as `X-Cadence-Timestamp: <timestamp>` and `X-Cadence-Signature: sha256=<hex>`. The
timestamp is inside what is signed, so a receiver that refuses old timestamps refuses a
replayed request: changing the timestamp breaks the signature. `verify` is the
receiver's recipe (docs/channels.md gives it as a snippet); Cadence uses it in its tests.
"""

from __future__ import annotations

import hashlib
import hmac
import time

TIMESTAMP_HEADER = "X-Cadence-Timestamp"
SIGNATURE_HEADER = "X-Cadence-Signature"
SCHEME = "sha256="
# What a receiver should accept: five minutes either way covers clocks a little off.
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    signed = f"{timestamp}.".encode() + body
    return SCHEME + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signed_headers(secret: str, body: bytes, now: float | None = None) -> dict[str, str]:
    timestamp = int(time.time() if now is None else now)
    return {
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }


def verify(
    secret: str,
    timestamp: str,
    signature_header: str,
    body: bytes,
    *,
    now: float | None = None,
    tolerance: int = TOLERANCE_SECONDS,
) -> bool:
    """Whether the request is signed with `secret` and recent: what a receiver checks."""
    try:
        sent_at = int(timestamp)
    except (TypeError, ValueError):
        return False
    now = time.time() if now is None else now
    if abs(now - sent_at) > tolerance:
        return False  # too old (a replay) or from the future
    return hmac.compare_digest(signature(secret, sent_at, body), signature_header or "")
