"""The webhook channel: each format's payload as its receiver gets it on a real loopback
server, the generic format's signature as a receiver checks it, and each service's
refusals mapped to what the publisher does."""

import hashlib
import hmac
import time

import pytest

from editorial.channels.base import (
    CredentialsRejected,
    Image,
    Outgoing,
    PermanentError,
    TransientError,
)
from editorial.channels.webhook import WebhookAdapter
from editorial.channels.webhook.signing import verify
from editorial.models import Channel, Network
from tests.loopback import LoopbackChannel, Reply

SECRET = "a-receivers-shared-secret-0123456789"
IMAGE = Image(path="posts/2026/affiche.png", alt_text="Affiche : « Ne laissez rien en vue »")


def channel(webhook_format: str, url: str, secret: str = SECRET) -> Channel:
    made = Channel(pk=7, name="Alertes 67", network=Network.WEBHOOK, handle="alertes67")
    made.settings = {"webhook_format": webhook_format}
    made.set_credentials({"endpoint_url": url, "signing_secret": secret})
    return made


def outgoing(text: str = "Vols à la roulotte : <fermez> vos portières & coffres.", images=()):
    return Outgoing(publication_id=42, idempotency_key="key-42", text=text, images=images)


def publish(webhook_format: str, reply: Reply | None = None, **kwargs):
    with LoopbackChannel(lambda request: reply or Reply()) as server:
        result = WebhookAdapter(channel(webhook_format, server.url)).publish(outgoing(**kwargs))
        return result, server.received[0]


def receiver_accepts(secret: str, headers: dict, body: bytes, now: float) -> bool:
    """The receiver's recipe, as docs/channels.md gives it, written out independently."""
    timestamp = headers["X-Cadence-Timestamp"]
    if abs(now - int(timestamp)) > 300:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest("sha256=" + expected.hexdigest(), headers["X-Cadence-Signature"])


@pytest.fixture
def public_media(settings):
    settings.CADENCE_PUBLIC_URL = "https://cadence.example.gouv.fr"


# --- payloads ---------------------------------------------------------------------------


def test_the_generic_format_posts_cadences_json_signed_with_the_channels_secret():
    _, received = publish("generic", images=(IMAGE,))

    assert received.body == {
        "text": "Vols à la roulotte : <fermez> vos portières & coffres.",
        "idempotency_key": "key-42",
        "publication_id": 42,
        "images": [{"path": IMAGE.path, "alt_text": IMAGE.alt_text}],
    }
    assert received.headers["Content-Type"] == "application/json"
    assert receiver_accepts(SECRET, received.headers, received.raw, now=time.time())
    assert verify(
        SECRET,
        received.headers["X-Cadence-Timestamp"],
        received.headers["X-Cadence-Signature"],
        received.raw,
    )


def test_a_replayed_request_is_refused_once_its_timestamp_is_old():
    _, received = publish("generic")
    sent_at = int(received.headers["X-Cadence-Timestamp"])

    assert abs(sent_at - time.time()) < 60
    assert not receiver_accepts(SECRET, received.headers, received.raw, now=sent_at + 301)
    assert not verify(
        SECRET,
        received.headers["X-Cadence-Timestamp"],
        received.headers["X-Cadence-Signature"],
        received.raw,
        now=sent_at + 301,
    )


def test_a_replay_with_a_fresh_timestamp_does_not_verify():
    _, received = publish("generic")
    forged = {**received.headers, "X-Cadence-Timestamp": str(int(time.time()) + 5)}

    assert not receiver_accepts(SECRET, forged, received.raw, now=time.time())


def test_a_wrong_secret_or_a_changed_body_does_not_verify():
    _, received = publish("generic")
    changed = received.raw.replace(b"42", b"43")

    assert not receiver_accepts(
        "another-secret-0123456789", received.headers, received.raw, time.time()
    )
    assert not receiver_accepts(SECRET, received.headers, changed, time.time())


def test_slack_gets_escaped_mrkdwn_and_an_image_block_with_its_alt_text(public_media):
    result, received = publish("slack", Reply(text="ok"), images=(IMAGE,))

    escaped = "Vols à la roulotte : &lt;fermez&gt; vos portières &amp; coffres."
    assert received.body == {
        "text": escaped,
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": escaped}},
            {
                "type": "image",
                "image_url": "https://cadence.example.gouv.fr/media/posts/2026/affiche.png",
                "alt_text": IMAGE.alt_text,
            },
        ],
    }
    assert "X-Cadence-Signature" not in received.headers
    assert result.external_id == "key-42"


def test_a_long_text_goes_to_slack_in_sections_of_3000_characters():
    _, received = publish("slack", Reply(text="ok"), text="a" * 3001)

    sections = [block["text"]["text"] for block in received.body["blocks"]]
    assert [len(text) for text in sections] == [3000, 1]


def test_mattermost_gets_the_text_and_one_attachment_per_image(public_media):
    _, received = publish("mattermost", Reply(text="ok"), images=(IMAGE,))

    assert received.body == {
        "text": "Vols à la roulotte : <fermez> vos portières & coffres.",
        "attachments": [
            {
                "fallback": IMAGE.alt_text,
                "text": IMAGE.alt_text,
                "image_url": "https://cadence.example.gouv.fr/media/posts/2026/affiche.png",
            }
        ],
    }


def test_teams_gets_an_adaptive_card_with_the_images_alt_text(public_media):
    _, received = publish("teams", Reply(status=202, text=""), images=(IMAGE,))

    assert received.body["type"] == "message"
    (attachment,) = received.body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.4")
    assert card["body"] == [
        {
            "type": "TextBlock",
            "text": "Vols à la roulotte : <fermez> vos portières & coffres.",
            "wrap": True,
        },
        {
            "type": "Image",
            "url": "https://cadence.example.gouv.fr/media/posts/2026/affiche.png",
            "altText": IMAGE.alt_text,
        },
    ]


def test_a_chat_format_refuses_images_it_could_not_fetch_before_approval(settings):
    settings.CADENCE_PUBLIC_URL = ""
    online = Image(path="https://cdn.example/affiche.png", alt_text="Affiche")

    assert WebhookAdapter(channel("slack", "http://x")).validate_images([IMAGE])
    assert WebhookAdapter(channel("slack", "http://x")).validate_images([online]) == []
    assert WebhookAdapter(channel("generic", "http://x")).validate_images([IMAGE]) == []


# --- what the services answer -----------------------------------------------------------


@pytest.mark.parametrize(
    ("webhook_format", "reply"),
    [
        ("slack", Reply(status=404, text="no_service")),
        ("slack", Reply(status=410, text="channel_is_archived")),
        ("slack", Reply(status=403, text="invalid_token")),
        (
            "mattermost",
            Reply(
                status=400,
                body={"id": "web.incoming_webhook.invalid.app_error", "status_code": 400},
            ),
        ),
        ("teams", Reply(status=404, body={"error": {"code": "WorkflowNotFound"}})),
        ("generic", Reply(status=401, body={"error": "bad signature"})),
    ],
)
def test_a_dead_hook_means_the_channel_needs_reconnecting(webhook_format, reply):
    with pytest.raises(CredentialsRejected) as refused:
        publish(webhook_format, reply)
    assert "connect it again" in str(refused.value)
    assert SECRET not in str(refused.value)


@pytest.mark.parametrize(
    ("webhook_format", "reply"),
    [
        ("slack", Reply(status=400, text="invalid_payload")),
        ("mattermost", Reply(status=400, body={"id": "web.incoming_webhook.text.app_error"})),
    ],
)
def test_a_refused_message_fails_without_flagging_the_channel(webhook_format, reply):
    with pytest.raises(PermanentError) as refused:
        publish(webhook_format, reply)
    assert not isinstance(refused.value, CredentialsRejected)


def test_slack_rate_limiting_is_retried_after_the_time_it_asks():
    with pytest.raises(TransientError) as limited:
        publish("slack", Reply(status=429, text="rate_limited", headers={"Retry-After": "30"}))
    assert limited.value.retry_after == 30


def test_teams_throttling_answered_as_200_is_retried():
    throttled = (
        "Webhook message delivery failed with error: Microsoft Teams endpoint returned "
        "HTTP error 429 with ContextId tcid=0,server=msgapi-production-weu-azsc1-6-73"
    )
    with pytest.raises(TransientError):
        publish("teams", Reply(status=200, text=throttled))
