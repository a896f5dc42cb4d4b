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
from editorial.channels.mastodon import text as mastodon_text
from editorial.content import channel_publish_problem
from editorial.models import Network, Publication
from tests.factories import ChannelFactory, PostFactory
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


# --- threads ------------------------------------------------------------------------------

THREAD = (
    "Alerte météo : orages.\n---\nRestez chez vous.\n---\nPlus d'infos : https://meteo.example/a"
)


def texts(instance) -> list[str]:
    return [request.body["status"] for request in instance.posts()]


def test_a_thread_goes_out_in_order_each_part_a_reply_with_the_images_on_the_first(
    channel, instance, picture, post_a
):
    publication = Publication.objects.create(post=post_a, channel=channel, content_hash="h")
    sent = Outgoing(publication.pk, "k", THREAD, (Image(picture, "Carte des orages"),))

    result = adapter_for(channel).publish(sent)

    posts = instance.posts()
    assert texts(instance) == [
        "Alerte météo : orages.",
        "Restez chez vous.",
        THREAD.split("\n")[-1],
    ]
    assert [header(p, "Idempotency-Key") for p in posts] == ["k", "k:1", "k:2"]
    assert [len(p.body["media_ids"]) for p in posts] == [1, 0, 0]
    first, second, third = (
        instance.statuses["k"],
        instance.statuses["k:1"],
        instance.statuses["k:2"],
    )
    assert (second["in_reply_to_id"], third["in_reply_to_id"]) == (first["id"], second["id"])
    assert result.external_id == first["id"]
    assert result.extra["thread"] == [first["url"], second["url"], third["url"]]


def test_a_thread_that_failed_half_way_sends_only_the_rest_even_once_its_keys_are_forgotten(
    channel, instance, post_a
):
    publication = Publication.objects.create(post=post_a, channel=channel, content_hash="h")
    sent = Outgoing(publication.pk, "k", THREAD)
    instance.statuses_before_outage = 2
    with pytest.raises(TransientError):
        adapter_for(channel).publish(sent)
    instance.statuses_before_outage = None
    instance.forget_keys()  # the retry comes after the hour Mastodon keeps a key

    result = adapter_for(channel).publish(sent)

    made = list(instance.statuses.values())
    assert [mastodon_text.rendered_text(s["content"]) for s in made] == THREAD.split("\n---\n")
    assert made[2]["in_reply_to_id"] == made[1]["id"]
    assert result.external_id == made[0]["id"] and len(result.extra["thread"]) == 3


def test_a_thread_is_found_whole_or_in_part_and_never_in_last_years_words(
    channel, instance, post_a
):
    old = Publication.objects.create(post=post_a, channel=channel, content_hash="h")
    adapter_for(channel).publish(Outgoing(old.pk, "old", THREAD))
    # Last year's identical thread: made long before this publication.
    for status in instance.statuses.values():
        status["created_at"] = "2025-12-03T09:00:00.000Z"
    publication = Publication.objects.create(
        post=PostFactory(author=post_a.author),
        channel=channel,
        content_hash="h",
    )
    sent = Outgoing(publication.pk, "k", THREAD)
    adapter = adapter_for(channel)
    assert adapter.find_published(sent) is None  # not this publication's

    instance.statuses_before_outage = len(instance.statuses) + 1
    with pytest.raises(TransientError):
        adapter.publish(sent)
    assert adapter.find_published(sent) is None  # one part out: publishing sends the rest

    instance.statuses_before_outage = None
    result = adapter.publish(sent)
    assert adapter.find_published(sent) == result
    assert len(instance.statuses) == 6  # three last year, three now: nothing twice


def test_each_part_of_a_thread_is_checked_against_the_limit(channel, instance):
    instance_limit = MastodonAdapter.text_limit
    adapter = adapter_for(channel)
    at_limit = "a" * instance_limit
    assert adapter.validate(f"Court.\n---\n{at_limit}", 0) == []
    problems = adapter.validate(f"Court.\n---\n{at_limit}b", 0)
    assert problems == [
        f"{channel} accepts {instance_limit} characters per post; part 2 of the thread has "
        f"{instance_limit + 1}."
    ]
