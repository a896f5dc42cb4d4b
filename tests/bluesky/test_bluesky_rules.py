"""The Bluesky adapter's rules and its reading of the server's answers, without a PDS:
what a contributor is told before approval, and what the publisher is told after a send
(the answers are Bluesky's documented ones, served by a loopback server)."""

from __future__ import annotations

import io
import re
import time

import pytest
from PIL import Image as PILImage

from editorial.channels import ADAPTERS
from editorial.channels.base import (
    Image,
    Outgoing,
    PermanentError,
    TransientError,
    UncertainError,
)
from editorial.channels.bluesky import BlueskyAdapter, BlueskyConfig, record_key
from editorial.channels.bluesky.xrpc import Session
from editorial.channels.threads import thread_parts
from editorial.content import content_problems
from editorial.models import Channel, Network
from tests.factories import ChannelFactory
from tests.loopback import LoopbackChannel, Reply
from tests.processes import free_port

FAMILY = "👩‍👩‍👧‍👦"  # one grapheme, seven code points, 25 bytes


def bluesky(**settings) -> BlueskyAdapter:
    channel = Channel(name="Police 67", network=Network.BLUESKY, handle="police67.bsky.social")
    channel.settings = {"handle": "police67.bsky.social", **settings}
    channel.set_credentials({"app_password": "abcd-efgh-ijkl-mnop"})
    return BlueskyAdapter(channel)


def test_300_graphemes_pass_and_301_are_refused_naming_the_channel_and_the_count():
    adapter = bluesky()

    assert adapter.validate("a" * 300, 0) == []
    assert adapter.validate("a" * 301, 0) == [
        "Police 67 (Bluesky) accepts 300 characters, the text has 301."
    ]


def test_an_emoji_joined_by_zwj_counts_as_one_character():
    adapter = bluesky()

    assert adapter.text_length(FAMILY) == 1
    assert adapter.text_length("Café ☕ 🇫🇷") == 8
    assert adapter.validate("a" * 299 + FAMILY, 0) == []
    assert adapter.validate("a" * 300 + FAMILY, 0) != []


def test_a_text_over_bluesky_s_3000_bytes_is_refused_even_under_300_graphemes():
    adapter = bluesky()

    assert adapter.validate(FAMILY * 120, 0) == []  # 3000 bytes
    assert adapter.validate(FAMILY * 121, 0) == [
        "Police 67 (Bluesky) accepts 3000 bytes per post; the text has 3025."
    ]


def test_each_part_of_a_thread_has_the_whole_limit_and_an_overlong_part_is_named():
    adapter = bluesky()
    thread = "a" * 300 + "\n---\n" + "b" * 300 + "\n  ---  \n" + "c" * 301

    assert adapter.validate("a" * 300 + "\n---\n" + "b" * 300, 0) == []
    assert adapter.validate(thread, 0) == [
        "Police 67 (Bluesky) accepts 300 characters per post; part 3 of the thread has 301."
    ]


def test_a_thread_is_split_on_lines_holding_only_three_dashes():
    assert thread_parts("Un\n---\nDeux\r\n---\r\nTrois") == ["Un", "Deux", "Trois"]
    assert thread_parts("---\nSeul\n---\n\n---\n") == ["Seul"]
    assert thread_parts("Un -- deux\n----\nmoins --- plus") == ["Un -- deux\n----\nmoins --- plus"]


def test_four_images_pass_and_a_fifth_is_refused():
    adapter = bluesky()

    assert adapter.validate("Photos", 4) == []
    assert adapter.validate("Photos", 5) == [
        "Police 67 (Bluesky) accepts 4 images, the post has 5."
    ]


def image_of(path, size: int, kind: str = "BMP") -> None:
    """An image file of exactly `size` bytes: a picture, then padding its readers skip."""
    buffer = io.BytesIO()
    PILImage.new("RGB", (8, 8), "red").save(buffer, kind)
    path.write_bytes(buffer.getvalue().ljust(size, b"\0"))


def test_an_image_of_a_million_bytes_passes_and_one_byte_more_is_refused(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    image_of(tmp_path / "at-limit.png", 1_000_000, "PNG")
    image_of(tmp_path / "over.png", 1_000_001, "PNG")
    adapter = bluesky()

    assert adapter.validate_images([Image("at-limit.png", "Une affiche")]) == []
    assert adapter.validate_images([Image("at-limit.png", "A"), Image("over.png", "B")]) == [
        "Police 67 (Bluesky) accepts images up to 1000000 bytes; image 2 has 1000001."
    ]


def test_an_image_bluesky_does_not_show_is_refused(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    image_of(tmp_path / "scan.bmp", 500, "BMP")

    assert bluesky().validate_images([Image("scan.bmp", "Un scan")]) == [
        "Police 67 (Bluesky) shows JPEG, PNG, WebP and GIF images; image 1 is not one."
    ]


def test_an_image_without_alt_text_is_refused_before_anything_is_sent(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    (tmp_path / "affiche.jpg").write_bytes(b"x" * 10)
    # Nothing listens there: a request would be a TransientError, not this refusal.
    adapter = bluesky(service_url=f"http://127.0.0.1:{free_port()}")
    sent = Outgoing(1, "k", "Affiche", images=(Image("affiche.jpg", "  "),))

    with pytest.raises(PermanentError, match=r"image 1 has no alt text"):
        adapter.publish(sent)


@pytest.mark.django_db
def test_an_oversized_image_stops_a_post_aimed_at_bluesky_before_review(
    monkeypatch, settings, tmp_path, post_a, dept_a
):
    settings.MEDIA_ROOT = str(tmp_path)
    (tmp_path / "posts").mkdir()
    image_of(tmp_path / "posts" / "big.jpg", 1_000_001, "JPEG")
    monkeypatch.setitem(ADAPTERS, Network.BLUESKY, BlueskyAdapter)
    sky = ChannelFactory(
        name="Police 67",
        network=Network.BLUESKY,
        department=dept_a,
        settings={"handle": "police67.test", "service_url": "https://bsky.social"},
        credentials={"app_password": "abcd-efgh-ijkl-mnop"},
    )
    post_a.channels.add(sky)
    post_a.images.create(image="posts/big.jpg", alt_text="Affiche", sha256="a" * 64)

    assert content_problems(post_a) == [
        "Police 67 (Bluesky) accepts images up to 1000000 bytes; image 1 has 1000001."
    ]


def test_record_keys_are_valid_tids_fixed_by_the_publication_and_the_part():
    key = "0d3f3a4e-8a4b-4d8e-9a40-1c1f0b7e2b51"

    assert record_key(key) == record_key(key, 0)
    assert len({record_key(key, part) for part in range(3)} | {record_key(key[::-1])}) == 4
    for rkey in (record_key(key), record_key(key, 7)):
        assert re.fullmatch(r"[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}", rkey)


def test_the_configuration_asks_for_an_app_password_and_keeps_a_stored_one():
    new = Channel(name="Police 67", network=Network.BLUESKY, handle="@police67.bsky.social")
    missing = BlueskyConfig({}, channel=new)
    given = BlueskyConfig({"app_password": " abcd-efgh-ijkl-mnop "}, channel=new)

    assert missing.errors == {"app_password": ["A Bluesky channel needs an app password."]}
    assert given.is_valid()
    given.apply(new)
    assert new.settings == {"handle": "police67.bsky.social", "service_url": "https://bsky.social"}
    assert new.credentials == {"app_password": "abcd-efgh-ijkl-mnop"}
    kept = BlueskyConfig({"service_url": "https://pds.example.org/"}, channel=new)
    assert kept.is_valid()
    kept.apply(new)
    assert new.credentials == {"app_password": "abcd-efgh-ijkl-mnop"}
    assert new.settings["service_url"] == "https://pds.example.org"
    assert "abcd-efgh" not in str(kept)


# --- the server's answers --------------------------------------------------------------


def session_on(server: LoopbackChannel) -> Session:
    adapter = bluesky()
    return Session(adapter.channel, server.url.removesuffix("/hook"), "police67.test", "pw")


def serve(reply_to_write: Reply):
    """A PDS that opens sessions and answers every write with `reply_to_write`."""

    def respond(request):
        if request.path.endswith("createSession"):
            return Reply(body={"did": "did:plc:police67", "accessJwt": f"jwt-{time.time()}"})
        return reply_to_write

    return LoopbackChannel(respond)


def write(session: Session):
    return session.call("com.atproto.repo.createRecord", json={"record": {}}, write=True)


def test_a_429_is_transient_and_waits_until_the_rate_limit_resets():
    reset = int(time.time()) + 120
    reply = Reply(429, {"error": "RateLimitExceeded"}, {"ratelimit-reset": str(reset)})
    with serve(reply) as server, pytest.raises(TransientError) as raised:
        write(session_on(server))

    assert 100 < raised.value.retry_after <= 120


def test_a_server_error_or_a_refused_connection_is_transient():
    with (
        serve(Reply(502, {"error": "InternalServerError"})) as server,
        pytest.raises(TransientError),
    ):
        write(session_on(server))

    nobody = Session(bluesky().channel, f"http://127.0.0.1:{free_port()}", "police67.test", "pw")
    with pytest.raises(TransientError, match="Could not reach"):
        write(nobody)


def test_a_refused_app_password_is_permanent():
    reply = Reply(
        401, {"error": "AuthenticationRequired", "message": "Invalid identifier or password"}
    )
    with LoopbackChannel(lambda request: reply) as server, pytest.raises(PermanentError) as raised:
        write(session_on(server))

    assert "401: AuthenticationRequired: Invalid identifier or password" in str(raised.value)


def test_an_invalid_request_is_permanent_with_the_servers_message():
    reply = Reply(400, {"error": "InvalidRequest", "message": "Record/text must not be longer"})
    with serve(reply) as server, pytest.raises(PermanentError, match="must not be longer"):
        write(session_on(server))


def test_an_expired_session_is_renewed_once_and_the_write_goes_through():
    answers = iter(
        [Reply(400, {"error": "ExpiredToken"}), Reply(200, {"uri": "at://x", "cid": "c"})]
    )

    def respond(request):
        if request.path.endswith("createSession"):
            return Reply(
                body={"did": "did:plc:police67", "accessJwt": f"jwt-{len(server.received)}"}
            )
        return next(answers)

    with LoopbackChannel(respond) as server:
        assert write(session_on(server)) == {"uri": "at://x", "cid": "c"}

    paths = [request.path.rsplit(".", 1)[-1] for request in server.received]
    assert paths == ["createSession", "createRecord", "createSession", "createRecord"]
    tokens = [r.headers["Authorization"] for r in server.received if "createRecord" in r.path]
    assert tokens[0] != tokens[1]


def test_no_answer_after_a_write_is_uncertain_but_after_a_read_only_transient(settings):
    settings.BLUESKY_TIMEOUT_SECONDS = 0.3
    with serve(Reply(200, {"uri": "at://x", "cid": "c"}, delay=1.0)) as server:
        session = session_on(server)
        with pytest.raises(UncertainError, match="No answer"):
            write(session)
        with pytest.raises(TransientError):
            session.call("com.atproto.repo.uploadBlob", content=b"x", content_type="image/png")


def test_find_published_cannot_tell_when_the_server_cannot_be_asked():
    adapter = bluesky(service_url=f"http://127.0.0.1:{free_port()}")

    with pytest.raises(UncertainError, match="Could not reach"):
        adapter.find_published(Outgoing(1, "k", "Publié ?"))
