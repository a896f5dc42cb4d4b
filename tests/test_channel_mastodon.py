"""The Mastodon adapter against a Mastodon instance on loopback (tests/mastodon_instance.py):
what it sends, how each documented answer is mapped, and the instance's rules checked
before approval."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image as PILImage

from editorial.channels import adapter_for
from editorial.channels.base import (
    CredentialsRejected,
    Image,
    Outgoing,
    PermanentError,
    TransientError,
    UncertainError,
)
from editorial.channels.mastodon import MastodonAdapter
from editorial.content import channel_publish_problem
from editorial.models import Network, Publication
from tests.factories import ChannelFactory
from tests.loopback import Reply
from tests.mastodon_instance import TOKEN, Instance, header

pytestmark = pytest.mark.django_db


@pytest.fixture
def instance():
    with Instance() as server:
        yield server


@pytest.fixture
def channel(dept_a, instance):
    return ChannelFactory(
        name="Police 33",
        network=Network.MASTODON,
        department=dept_a,
        settings={"instance_url": instance.url},
        credentials={"access_token": TOKEN},
    )


@pytest.fixture
def picture(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    PILImage.new("RGB", (4, 4), "blue").save(buffer, "PNG")
    return default_storage.save("posts/affiche.png", ContentFile(buffer.getvalue()))


def outgoing(text="Fermez vos portes.", images=(), key="5b2f6c1e-key"):
    return Outgoing(publication_id=1, idempotency_key=key, text=text, images=tuple(images))


# --- publishing -------------------------------------------------------------------------


def test_a_status_goes_out_with_its_images_and_their_alt_text(channel, instance, picture):
    instance.processing = True  # the instance answers 202 and processes the image first
    images = [Image(picture, "Une affiche bleue"), Image(picture, "La même, encore")]

    result = adapter_for(channel).publish(outgoing(images=images))

    post = instance.posts()[0]
    assert post.body["status"] == "Fermez vos portes."
    assert header(post, "Idempotency-Key") == "5b2f6c1e-key"
    assert header(post, "Authorization") == f"Bearer {TOKEN}"
    attached = instance.statuses["5b2f6c1e-key"]["media_attachments"]
    assert [m["description"] for m in attached] == ["Une affiche bleue", "La même, encore"]
    assert all(instance.polls[m["id"]] >= 1 for m in attached)  # waited for each one
    assert result.url == f"https://social.example/@police33/{result.external_id}"


def test_an_image_without_alt_text_is_refused_before_anything_is_sent(channel, instance, picture):
    with pytest.raises(PermanentError, match="no alternative text"):
        adapter_for(channel).publish(outgoing(images=[Image(picture, "  ")]))
    assert instance.server.received == []


def test_an_expired_token_is_refused_for_good_as_credentials(channel, instance):
    instance.queue("POST", "/api/v1/statuses", Reply(401, {"error": "The access token expired"}))

    with pytest.raises(CredentialsRejected) as refusal:
        adapter_for(channel).publish(outgoing())
    assert "The access token expired" in str(refusal.value)
    assert TOKEN not in str(refusal.value)


def test_a_rate_limit_is_retried_when_the_instance_says_it_resets(channel, instance):
    reset = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=120)).isoformat()
    instance.queue(
        "POST",
        "/api/v1/statuses",
        Reply(429, {"error": "Too many requests"}, headers={"X-RateLimit-Reset": reset}),
    )

    with pytest.raises(TransientError) as refusal:
        adapter_for(channel).publish(outgoing())
    assert 100 < refusal.value.retry_after <= 120


def test_a_server_error_is_transient(channel, instance):
    instance.queue("POST", "/api/v1/statuses", Reply(500, {"error": "Internal"}))
    with pytest.raises(TransientError):
        adapter_for(channel).publish(outgoing())


def test_a_validation_error_keeps_the_servers_words(channel, instance):
    refused = Reply(422, {"error": "Validation failed: Text character limit of 500 exceeded"})
    instance.queue("POST", "/api/v1/statuses", refused)
    with pytest.raises(PermanentError, match="character limit of 500 exceeded") as refusal:
        adapter_for(channel).publish(outgoing())
    assert not isinstance(refusal.value, CredentialsRejected)


def test_an_instance_that_refuses_connections_is_transient(channel):
    channel.settings = {"instance_url": "http://127.0.0.1:1"}
    with pytest.raises(TransientError):
        adapter_for(channel).publish(outgoing())


def test_a_time_out_after_sending_is_uncertain(channel, instance, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.2
    instance.queue("POST", "/api/v1/statuses", Reply(200, {"id": "1"}, delay=1))
    with pytest.raises(UncertainError):
        adapter_for(channel).publish(outgoing())


def test_the_same_key_twice_gives_the_same_status(channel, instance):
    first = adapter_for(channel).publish(outgoing())
    again = adapter_for(channel).publish(outgoing())
    assert first == again and len(instance.statuses) == 1


# --- the instance's rules, at their boundaries --------------------------------------------


def test_the_instances_limit_passes_at_the_limit_and_fails_one_over(channel):
    channel.settings = {**channel.settings, "max_characters": 600}
    adapter = adapter_for(channel)
    assert adapter.text_limit == 600
    assert adapter.validate("é" * 600, 0) == []
    assert adapter.validate("é" * 601, 0) == [
        "Police 33 (Mastodon) accepts 600 characters, the text has 601."
    ]


def test_without_a_limit_read_from_the_instance_it_is_mastodons_500(channel):
    adapter = adapter_for(channel)
    assert adapter.validate("x" * 500, 0) == []
    assert len(adapter.validate("x" * 501, 0)) == 1


def test_a_link_counts_23_characters_however_long_it_is(channel):
    adapter = adapter_for(channel)
    link = "https://www.interieur.gouv.fr/" + "a" * 200
    assert adapter.text_length(f"Lire {link}") == 5 + 23
    assert adapter.validate("x" * 476 + " " + link, 0) == []  # 476 + 1 + 23 = 500
    assert len(adapter.validate("x" * 477 + " " + link, 0)) == 1  # 501


def test_a_mention_counts_without_its_domain_and_an_emoji_as_one(channel):
    adapter = adapter_for(channel)
    assert adapter.text_length("@marie@mastodon.example") == len("@marie")
    assert adapter.text_length("👩‍👩‍👧") == 1


def test_four_images_pass_and_five_fail(channel):
    adapter = adapter_for(channel)
    assert adapter.validate("x", 4) == []
    assert adapter.validate("x", 5) == ["Police 33 (Mastodon) accepts 4 images, the post has 5."]


# --- Test connection ------------------------------------------------------------------------


def test_checking_the_credentials_says_as_whom_and_reads_the_instances_limits(channel, instance):
    instance.max_characters = 5000
    account = adapter_for(channel).check_credentials()
    assert account.name == "Police nationale 33 (@police33@127.0.0.1)"
    assert account.avatar_url == "https://files.social.example/avatars/7.png"
    assert account.settings["max_characters"] == 5000


def test_a_channel_without_token_is_not_connected_and_cannot_be_aimed_at(dept_a, instance):
    bare = ChannelFactory(network=Network.MASTODON, department=dept_a, name="Nue")
    assert "is not connected" in str(channel_publish_problem(bare))
    bare.settings = {"instance_url": instance.url}
    bare.set_credentials({"access_token": TOKEN})
    assert channel_publish_problem(bare) is None


# --- was it published? ------------------------------------------------------------------------


def test_a_status_that_went_out_is_found_by_its_text(channel, instance, post_a):
    publication = Publication.objects.create(post=post_a, channel=channel, content_hash="h")
    sent = outgoing(text="Bonjour @marie@mastodon.example\n\nLire https://example.org/a?b=c")
    result = adapter_for(channel).publish(sent)

    found = adapter_for(channel).find_published(Outgoing(publication.pk, "another-key", sent.text))
    assert found == result


def test_a_status_that_never_went_out_is_not_found(channel, instance, post_a):
    publication = Publication.objects.create(post=post_a, channel=channel, content_hash="h")
    adapter_for(channel).publish(outgoing(text="Autre chose"))
    assert adapter_for(channel).find_published(Outgoing(publication.pk, "k", "Jamais")) is None


def test_the_adapter_is_the_registered_one_and_honours_the_key(channel):
    adapter = adapter_for(channel)
    assert type(adapter) is MastodonAdapter
    assert adapter.honours_idempotency_key
