"""The Bluesky adapter against the AT Protocol's reference PDS on loopback: what it
writes is read back from the server, record by record."""

from __future__ import annotations

import io
import uuid

import pytest
from PIL import Image as PILImage

from editorial.channels.base import Image, Outgoing, PermanentError, TransientError
from editorial.channels.bluesky import BlueskyAdapter, record_key
from tests.bluesky.conftest import bluesky_channel

pytestmark = pytest.mark.bluesky


def outgoing(text: str, images=()) -> Outgoing:
    return Outgoing(publication_id=1, idempotency_key=str(uuid.uuid4()), text=text, images=images)


@pytest.fixture
def adapter(bluesky_pds):
    return BlueskyAdapter(bluesky_channel(bluesky_pds))


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def jpeg(folder, name: str, size=(64, 48)) -> str:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, (200, 30, 30)).save(buffer, "JPEG")
    (folder / "posts").mkdir(exist_ok=True)
    (folder / "posts" / name).write_bytes(buffer.getvalue())
    return f"posts/{name}"


def test_a_post_with_a_mention_and_a_link_after_accented_text_has_facets_at_utf8_byte_offsets(
    bluesky_pds, adapter
):
    text = "Événement à Lyon @alice.test https://example.fr"

    result = adapter.publish(outgoing(text))

    record = bluesky_pds.get_record(result.external_id)["value"]
    assert record["text"] == text
    # "Événement à Lyon " is 17 characters but 20 bytes: É, é and à take two each.
    assert record["facets"] == [
        {
            "index": {"byteStart": 20, "byteEnd": 31},
            "features": [
                {"$type": "app.bsky.richtext.facet#mention", "did": bluesky_pds.alice.did}
            ],
        },
        {
            "index": {"byteStart": 32, "byteEnd": 50},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://example.fr"}],
        },
    ]
    assert result.external_id.startswith(f"at://{bluesky_pds.cadence.did}/app.bsky.feed.post/")
    assert result.url.endswith(f"/post/{result.external_id.rsplit('/', 1)[1]}")


def test_a_mention_of_a_handle_nobody_has_stays_plain_text(bluesky_pds, adapter):
    result = adapter.publish(outgoing("Merci @nobody.test !"))

    assert "facets" not in bluesky_pds.get_record(result.external_id)["value"]


def test_an_image_goes_out_as_a_blob_with_its_alt_text_and_shape(bluesky_pds, adapter, media):
    image = Image(path=jpeg(media, "barrage.jpg", (64, 48)), alt_text="Un barrage routier")

    result = adapter.publish(outgoing("Route fermée.", images=(image,)))

    embed = bluesky_pds.get_record(result.external_id)["value"]["embed"]
    assert embed["$type"] == "app.bsky.embed.images"
    [shown] = embed["images"]
    assert shown["alt"] == "Un barrage routier"
    assert shown["aspectRatio"] == {"width": 64, "height": 48}
    assert shown["image"]["mimeType"] == "image/jpeg"
    assert shown["image"]["size"] == (media / "posts" / "barrage.jpg").stat().st_size


def test_a_thread_goes_out_in_order_each_part_replying_to_the_one_before(bluesky_pds, adapter):
    result = adapter.publish(outgoing("Un : alerte.\n---\nDeux : consignes.\n---\nTrois : fin."))

    uris = result.extra["thread"]
    records = [bluesky_pds.get_record(uri) for uri in uris]
    assert [r["value"]["text"] for r in records] == [
        "Un : alerte.",
        "Deux : consignes.",
        "Trois : fin.",
    ]
    assert result.external_id == uris[0]
    assert "reply" not in records[0]["value"]
    root = {"uri": records[0]["uri"], "cid": records[0]["cid"]}
    assert records[1]["value"]["reply"] == {"root": root, "parent": root}
    assert records[2]["value"]["reply"] == {
        "root": root,
        "parent": {"uri": records[1]["uri"], "cid": records[1]["cid"]},
    }


def test_publishing_again_writes_the_same_record_not_a_second_post(bluesky_pds, adapter):
    sent = outgoing("Une seule fois.")
    first = adapter.publish(sent)
    before = bluesky_pds.get_record(first.external_id)["cid"]
    count = len(bluesky_pds.posts(bluesky_pds.cadence.did))

    again = adapter.publish(sent)

    assert again.external_id == first.external_id
    assert first.external_id.endswith("/" + record_key(sent.idempotency_key))
    assert bluesky_pds.get_record(first.external_id)["cid"] == before
    assert len(bluesky_pds.posts(bluesky_pds.cadence.did)) == count


def test_a_thread_that_failed_half_way_is_finished_without_resending_its_first_part(
    bluesky_pds, adapter, monkeypatch
):
    sent = outgoing("Premier.\n---\nSecond.\n---\nTroisième.")
    write = BlueskyAdapter._write
    calls = []

    def fail_second(self, session, rkey, record):
        calls.append(rkey)
        if len(calls) == 2:
            raise TransientError("the network dropped")
        return write(self, session, rkey, record)

    monkeypatch.setattr(BlueskyAdapter, "_write", fail_second)
    with pytest.raises(TransientError):
        adapter.publish(sent)
    rkey = record_key(sent.idempotency_key, 0)
    first = bluesky_pds.get_record(f"at://{bluesky_pds.cadence.did}/app.bsky.feed.post/{rkey}")
    assert adapter.find_published(sent) is None  # not all out yet
    monkeypatch.setattr(BlueskyAdapter, "_write", write)

    result = adapter.publish(sent)

    texts = [bluesky_pds.get_record(uri)["value"]["text"] for uri in result.extra["thread"]]
    assert texts == ["Premier.", "Second.", "Troisième."]
    assert bluesky_pds.get_record(result.external_id)["cid"] == first["cid"]
    mine = [
        r for r in bluesky_pds.posts(bluesky_pds.cadence.did) if r["uri"] in result.extra["thread"]
    ]
    assert len(mine) == 3


def test_find_published_finds_a_written_post_and_nothing_for_one_never_written(adapter):
    written = outgoing("Publié.")
    result = adapter.publish(written)

    assert adapter.find_published(written) == result
    assert adapter.find_published(outgoing("Jamais envoyé.")) is None


def test_check_credentials_says_who_the_channel_publishes_as(bluesky_pds, adapter):
    account = adapter.check_credentials()

    assert (account.handle, account.did) == ("cadence.test", bluesky_pds.cadence.did)


def test_a_wrong_app_password_is_a_permanent_refusal(bluesky_pds):
    adapter = BlueskyAdapter(bluesky_channel(bluesky_pds, app_password="aaaa-bbbb-cccc-dddd"))

    with pytest.raises(PermanentError, match="401"):
        adapter.publish(outgoing("Refusé."))
    with pytest.raises(PermanentError, match="401"):
        adapter.check_credentials()


def test_the_servers_refusal_of_a_record_is_permanent_and_carries_its_message(adapter):
    session = adapter.session()

    with pytest.raises(PermanentError, match="400: InvalidRequest") as refused:
        session.call(
            "com.atproto.repo.createRecord",
            json={"repo": session.did, "collection": "app.bsky.feed.post", "record": {}},
            write=True,
        )
    assert "Invalid app.bsky.feed.post record" in str(refused.value)


def test_our_count_agrees_with_the_server_at_the_limit(bluesky_pds, adapter):
    at_limit = "é" * 299 + "👩‍👩‍👧"  # 300 graphemes, the last one five code points
    over = at_limit + "a"
    session = adapter.session()

    assert adapter.validate(at_limit, 0) == []
    assert adapter.validate(over, 0) != []
    result = adapter.publish(outgoing(at_limit))
    assert bluesky_pds.get_record(result.external_id)["value"]["text"] == at_limit
    with pytest.raises(PermanentError, match="grapheme"):
        record = {"$type": "app.bsky.feed.post", "text": over, "createdAt": "2030-01-01T00:00:00Z"}
        session.call(
            "com.atproto.repo.createRecord",
            json={"repo": session.did, "collection": "app.bsky.feed.post", "record": record},
            write=True,
        )
