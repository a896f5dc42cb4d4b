"""Channel adapters: the log, the webhook (against a real loopback HTTP server), the
Atom feed's naming, and the registry's refusal of networks without an adapter."""

from __future__ import annotations

import json
import logging
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import path

from editorial.channels import MissingAdapter, adapter_for
from editorial.channels.atom import AtomAdapter
from editorial.channels.base import (
    Image,
    Outgoing,
    PermanentError,
    TransientError,
    UncertainError,
)
from editorial.channels.bluesky import BlueskyAdapter
from editorial.channels.log import LogAdapter
from editorial.channels.mastodon import MastodonAdapter
from editorial.channels.webhook import WebhookAdapter, parse_retry_after
from editorial.channels.x import XAdapter
from editorial.feeds import channel_atom_feed
from editorial.models import Channel, Network

KEY = "3f1c9a52-5c1e-4a57-9d53-2b1f0e0c7a11"
WAIT = 5  # seconds: the most any test waits for an event before failing

urlpatterns = [
    path("feeds/<int:channel_id>/atom.xml", channel_atom_feed, name="channel-atom-feed"),
]


def outgoing(**overrides) -> Outgoing:
    values = {"publication_id": 42, "idempotency_key": KEY, "text": "Bonne année à tous !"}
    return Outgoing(**{**values, **overrides})


def channel(network: str, endpoint_url: str = "") -> Channel:
    # Adapters only read the channel: an unsaved one keeps these tests off the database.
    made = Channel(pk=7, name="Police 67", network=network, handle="police67")
    made.set_credentials({"endpoint_url": endpoint_url})
    return made


# --- a real HTTP server on the loopback ------------------------------------------------


@dataclass
class Receiver:
    """What the loopback server answers, and what it was sent."""

    status: int = 200
    body: bytes = b'{"id": "msg-1", "url": "https://chat.example/msg-1"}'
    headers: dict = field(default_factory=dict)
    hold: bool = False  # wait on `release` after reading the request, before answering
    requests: list = field(default_factory=list)
    received: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    url: str = ""


@pytest.fixture
def receiver():
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length))
            state.requests.append({"headers": dict(self.headers), "json": body})
            state.received.set()
            if state.hold:
                state.release.wait(WAIT)
            self.send_response(state.status)
            for name, value in state.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(state.body)))
            self.end_headers()
            self.wfile.write(state.body)

        def log_message(self, format, *args):  # keep the test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    # A short poll interval makes shutdown() quick at teardown.
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/cadence"
    yield state
    state.release.set()
    server.shutdown()
    server.server_close()
    thread.join(WAIT)


def send(receiver: Receiver, **overrides):
    return WebhookAdapter(channel(Network.WEBHOOK, receiver.url)).publish(outgoing(**overrides))


# --- log -------------------------------------------------------------------------------


def test_the_log_adapter_logs_the_text_with_its_publication_and_key(caplog):
    caplog.set_level(logging.INFO, logger="cadence.channels.log")

    result = LogAdapter(channel(Network.LOG)).publish(outgoing())

    assert result.external_id == "log:42"
    [record] = [r for r in caplog.records if r.name == "cadence.channels.log"]
    assert record.levelno == logging.INFO
    message = record.getMessage()
    assert "Bonne année à tous !" in message
    assert "publication=42" in message
    assert KEY in message
    assert "police67" in message


def test_the_log_adapter_keeps_a_multiline_text_on_one_log_line(caplog):
    caplog.set_level(logging.INFO, logger="cadence.channels.log")

    LogAdapter(channel(Network.LOG)).publish(outgoing(text="one\nFAKE LOG LINE"))

    assert "\n" not in caplog.records[-1].getMessage()


# --- webhook ---------------------------------------------------------------------------


def test_a_webhook_that_answers_200_gives_its_id_and_url_and_got_the_key(receiver):
    result = send(receiver, images=(Image(path="posts/2026/11/a.jpg", alt_text="Un agent"),))

    assert result.external_id == "msg-1"
    assert result.url == "https://chat.example/msg-1"
    [request] = receiver.requests
    assert request["headers"]["Idempotency-Key"] == KEY
    assert request["json"] == {
        "text": "Bonne année à tous !",
        "idempotency_key": KEY,
        "publication_id": 42,
        "images": [{"path": "posts/2026/11/a.jpg", "alt_text": "Un agent"}],
    }


def test_a_webhook_that_answers_plain_ok_is_known_by_the_idempotency_key(receiver):
    receiver.body = b"ok"  # what Slack answers

    result = send(receiver)

    assert result.external_id == KEY
    assert result.url == ""


def test_a_webhook_id_too_long_to_store_falls_back_to_the_key(receiver):
    receiver.body = json.dumps({"id": "x" * 300, "url": "javascript:alert(1)"}).encode()

    result = send(receiver)

    assert result.external_id == KEY
    assert result.url == ""
    assert result.extra == {"id": "x" * 300, "url": "javascript:alert(1)"}


def test_a_webhook_that_answers_429_is_transient_with_its_retry_after(receiver):
    receiver.status, receiver.headers = 429, {"Retry-After": "7"}

    with pytest.raises(TransientError) as caught:
        send(receiver)

    assert caught.value.retry_after == 7


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_webhook_that_answers_5xx_is_transient(receiver, status):
    receiver.status = status

    with pytest.raises(TransientError) as caught:
        send(receiver)

    assert caught.value.retry_after is None


def test_a_gateway_timeout_is_uncertain_since_the_upstream_may_have_posted(receiver):
    receiver.status = 504

    with pytest.raises(UncertainError):
        send(receiver)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_a_webhook_that_answers_4xx_is_permanent(receiver, status):
    receiver.status = status

    with pytest.raises(PermanentError) as caught:
        send(receiver)

    assert not isinstance(caught.value, TransientError | UncertainError)


def test_a_webhook_nobody_listens_on_is_transient():
    with socket.socket() as sock:  # a port that was free a moment ago and is closed now
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    adapter = WebhookAdapter(channel(Network.WEBHOOK, f"http://127.0.0.1:{port}/hook"))

    with pytest.raises(TransientError):
        adapter.publish(outgoing())


def test_a_webhook_that_reads_the_request_but_does_not_answer_is_uncertain(receiver, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.2
    receiver.hold = True

    with pytest.raises(UncertainError):
        send(receiver)

    assert receiver.received.wait(WAIT), "the server never got the request"
    assert receiver.requests[0]["headers"]["Idempotency-Key"] == KEY


def test_a_webhook_channel_without_an_endpoint_is_permanent():
    with pytest.raises(PermanentError):
        WebhookAdapter(channel(Network.WEBHOOK)).publish(outgoing())


def test_a_webhook_endpoint_that_is_not_http_is_permanent():
    with pytest.raises(PermanentError):
        WebhookAdapter(channel(Network.WEBHOOK, "ftp://example.org/x")).publish(outgoing())


def test_publisher_threads_share_the_webhook_client_safely(receiver):
    adapter = WebhookAdapter(channel(Network.WEBHOOK, receiver.url))
    keys = [f"key-{n}" for n in range(20)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda key: adapter.publish(outgoing(idempotency_key=key)), keys))

    assert len(results) == 20
    assert sorted(r["headers"]["Idempotency-Key"] for r in receiver.requests) == sorted(keys)


def test_the_webhook_adapter_does_not_claim_to_dedupe():
    assert WebhookAdapter.honours_idempotency_key is False


def test_retry_after_is_read_as_seconds_or_as_an_http_date():
    import datetime

    now = datetime.datetime(2026, 11, 24, 8, 0, 0, tzinfo=datetime.UTC)
    assert parse_retry_after("7") == 7
    assert parse_retry_after("Tue, 24 Nov 2026 08:00:30 GMT", now=now) == 30
    assert parse_retry_after("Tue, 24 Nov 2026 07:00:00 GMT", now=now) == 0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


# --- atom ------------------------------------------------------------------------------


@pytest.mark.urls("tests.test_channels")
def test_publishing_to_the_atom_feed_names_a_stable_entry_in_the_channels_feed(settings):
    settings.SITE_URL = "https://cadence.example.gouv.fr/"
    result = AtomAdapter(channel(Network.ATOM)).publish(outgoing())

    assert result.external_id.startswith("tag:cadence,")
    assert result.external_id.endswith(":publication/42")
    assert result.url == "https://cadence.example.gouv.fr/feeds/7/atom.xml#publication-42"


def test_publishing_to_an_atom_feed_that_is_not_routed_has_no_url(settings):
    settings.ROOT_URLCONF = NoRoutes

    result = AtomAdapter(channel(Network.ATOM)).publish(outgoing())

    assert result.url == ""


class NoRoutes:
    urlpatterns: list = []


# --- registry --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("network", "adapter_class"),
    [
        (Network.LOG, LogAdapter),
        (Network.WEBHOOK, WebhookAdapter),
        (Network.ATOM, AtomAdapter),
        (Network.MASTODON, MastodonAdapter),
        (Network.BLUESKY, BlueskyAdapter),
        (Network.X, XAdapter),
    ],
)
def test_each_built_network_has_its_adapter(network, adapter_class):
    assert type(adapter_for(channel(network))) is adapter_class


@pytest.mark.parametrize("network", [Network.FACEBOOK])
@pytest.mark.usefixtures("facebook_without_connector")
def test_a_network_without_an_adapter_refuses_to_publish_for_good(network):
    adapter = adapter_for(channel(network))

    assert isinstance(adapter, MissingAdapter)
    with pytest.raises(PermanentError, match=f"No adapter for {network.label} yet"):
        adapter.publish(outgoing())


def test_a_network_without_an_adapter_still_validates_its_limits():
    adapter = adapter_for(channel(Network.LINKEDIN))

    assert adapter.validate("x" * 3000, 20) == []
    assert len(adapter.validate("x" * 3001, 21)) == 2
