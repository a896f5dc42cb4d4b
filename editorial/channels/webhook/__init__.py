# The HTTP client and helpers are shared with the benchmarks and the tests.
from editorial.channels.webhook.adapter import (
    WebhookAdapter,
    encode,
    get_client,
    parse_retry_after,
    payload,
    timeouts,
)
from editorial.channels.webhook.config import WebhookConfig, WebhookFormat

__all__ = [
    "WebhookAdapter",
    "WebhookConfig",
    "WebhookFormat",
    "encode",
    "get_client",
    "parse_retry_after",
    "payload",
    "timeouts",
]
