"""What each receiver reads, and what its refusals mean.

- generic: Cadence's own JSON (text, images with their alt text, the publication's key),
  signed (`signing.py`);
- Slack incoming webhook: `text` (the notification's fallback) and Block Kit blocks, the
  text as `mrkdwn` sections (3,000 characters each at most) and one `image` block per
  image with its `alt_text`;
- Mattermost incoming webhook: `text`, and one attachment per image (`image_url`, its
  alt text as `fallback` and `text`);
- Microsoft Teams (a Workflows "post to a channel when a webhook request is received"
  URL, or a legacy incoming webhook): a message with one Adaptive Card, a `TextBlock`
  and one `Image` per image with its `altText`.

Chat services fetch images by address: an image is sent as its public URL (an http(s)
path as it is, else `CADENCE_PUBLIC_URL` + the media URL), which `image_url` gives.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urljoin

from django.conf import settings

from editorial.channels.base import Image, Outgoing
from editorial.channels.webhook.config import WebhookFormat

SLACK_SECTION_LIMIT = 3000


def image_url(image: Image) -> str:
    """The address a chat service can fetch the image from; "" when there is none."""
    if image.path.startswith(("http://", "https://")):
        return image.path
    base = getattr(settings, "CADENCE_PUBLIC_URL", "")
    if not base:
        return ""
    return urljoin(base.rstrip("/") + "/", f"{settings.MEDIA_URL.strip('/')}/{image.path}")


def generic(outgoing: Outgoing) -> dict:
    images = [
        {
            ("url" if image.path.startswith(("http://", "https://")) else "path"): image.path,
            "alt_text": image.alt_text,
        }
        for image in outgoing.images
    ]
    return {
        "text": outgoing.text,
        "idempotency_key": str(outgoing.idempotency_key),
        "publication_id": outgoing.publication_id,
        "images": images,
    }


def slack_escape(text: str) -> str:
    # The three characters Slack's mrkdwn reserves for its own markup.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _chunks(text: str, size: int) -> list[str]:
    return [text[start : start + size] for start in range(0, len(text), size)] or [""]


def slack(outgoing: Outgoing) -> dict:
    text = slack_escape(outgoing.text)
    blocks: list[dict] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": chunk}}
        for chunk in _chunks(text, SLACK_SECTION_LIMIT)
        if chunk.strip()
    ]
    blocks += [
        {"type": "image", "image_url": image_url(image), "alt_text": image.alt_text}
        for image in outgoing.images
    ]
    return {"text": text, "blocks": blocks}


def mattermost(outgoing: Outgoing) -> dict:
    body: dict = {"text": outgoing.text}
    if outgoing.images:
        body["attachments"] = [
            {"fallback": image.alt_text, "text": image.alt_text, "image_url": image_url(image)}
            for image in outgoing.images
        ]
    return body


def teams(outgoing: Outgoing) -> dict:
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {"type": "TextBlock", "text": outgoing.text, "wrap": True},
            *(
                {"type": "Image", "url": image_url(image), "altText": image.alt_text}
                for image in outgoing.images
            ),
        ],
    }
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


PAYLOADS: dict[str, Callable[[Outgoing], dict]] = {
    WebhookFormat.GENERIC: generic,
    WebhookFormat.SLACK: slack,
    WebhookFormat.MATTERMOST: mattermost,
    WebhookFormat.TEAMS: teams,
}

# Answers that mean the address itself is dead or refused (deleted hook, archived
# channel, revoked token, integrations switched off, signature refused): nothing will
# go out on the channel until someone enters a new address or secret.
DEAD_STATUSES = {401, 403, 404, 410}
# Slack's documented error strings (api.slack.com/messaging/webhooks, "Handling errors").
SLACK_DEAD = {
    "no_service",
    "no_service_id",
    "no_team",
    "team_disabled",
    "invalid_token",
    "channel_not_found",
    "channel_is_archived",
    "action_prohibited",
}
# Mattermost's error ids (server/channels/app/webhook.go): a hook that does not exist,
# incoming webhooks switched off on the server.
MATTERMOST_DEAD = {
    "web.incoming_webhook.invalid.app_error",
    "web.incoming_webhook.disabled.app_error",
}


def address_refused(webhook_format: str, status: int, text: str, body: object) -> bool:
    """Whether the receiver's answer says the channel must be connected again."""
    if status in DEAD_STATUSES:
        return True
    if webhook_format == WebhookFormat.SLACK:
        return text.strip() in SLACK_DEAD
    if webhook_format == WebhookFormat.MATTERMOST and isinstance(body, dict):
        return body.get("id") in MATTERMOST_DEAD
    return False


def throttled_in_body(webhook_format: str, status: int, text: str) -> bool:
    """Teams' legacy connectors answer a throttled request 200 with the 429 in the body
    ("Microsoft Teams endpoint returned HTTP error 429…"): nothing was posted."""
    return (
        webhook_format == WebhookFormat.TEAMS and 200 <= status < 300 and "HTTP error 429" in text
    )
