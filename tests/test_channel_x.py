"""The X adapter against X's API v2 on loopback (tests/x_api.py): what it sends, how each
documented answer is mapped, X's way of counting at its boundaries, and who the token
posts as."""

from __future__ import annotations

import datetime as dt
import io
import time

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
    Result,
    TransientError,
    UncertainError,
)
from editorial.channels.x import XAdapter, XConfig
from editorial.content import channel_publish_problem
from editorial.models import Network, Publication
from editorial.verdicts import channel_verdicts
from tests.factories import ChannelFactory
from tests.x_api import DUPLICATE, TOKEN, USER, XServer, header, problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def x_api(settings):
    with XServer() as server:
        settings.CADENCE_NETWORKS = {"x": {"api_url": server.url}}
        yield server


@pytest.fixture
def channel(dept_a, x_api):
    return ChannelFactory(
        name="Préfet 67",
        network=Network.X,
        department=dept_a,
        credentials={"access_token": TOKEN, "refresh_token": "x-refresh-never-in-clear"},
    )


def _png(name: str, colour: str) -> str:
    buffer = io.BytesIO()
    PILImage.new("RGB", (4, 4), colour).save(buffer, "PNG")
    return default_storage.save(f"posts/{name}.png", ContentFile(buffer.getvalue()))


@pytest.fixture
def pictures(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return _png("affiche", "blue"), _png("carte", "red")


def outgoing(text="Fermez vos portes.", images=(), publication_id=1):
    return Outgoing(
        publication_id=publication_id, idempotency_key="5b2f-key", text=text, images=images
    )


# --- publishing -------------------------------------------------------------------------


def test_a_post_goes_out_with_two_images_and_their_alt_text(channel, x_api, pictures):
    images = (Image(pictures[0], "Une affiche bleue"), Image(pictures[1], "Une carte rouge"))

    result = adapter_for(channel).publish(outgoing("Vigilance & prudence", images))

    uploads = x_api.requests("/2/media/upload")
    assert len(uploads) == 2
    assert all(header(r, "Authorization") == f"Bearer {TOKEN}" for r in uploads)
    [post] = x_api.posts
    assert post["sent_text"] == "Vigilance & prudence"
    assert [m["alt_text"] for m in post["media"]] == ["Une affiche bleue", "Une carte rouge"]
    assert [m["category"] for m in post["media"]] == ["tweet_image", "tweet_image"]
    sent = x_api.requests("/2/tweets")[0].body
    assert sent["media"]["media_ids"] == [m["id"] for m in post["media"]]
    assert result == Result(post["id"], f"https://x.com/{USER['username']}/status/{post['id']}")


def test_a_post_without_images_sends_no_media_and_uses_the_kept_username(channel, x_api):
    channel.settings = {"user_id": USER["id"], "username": "Gardé"}

    result = adapter_for(channel).publish(outgoing())

    assert "media" not in x_api.requests("/2/tweets")[0].body
    assert x_api.requests("/2/users/me") == []  # the kept account, not asked again
    assert result.url == f"https://x.com/Gardé/status/{result.external_id}"


def test_an_image_without_alt_text_or_over_the_limits_is_refused_before_sending(
    channel, x_api, pictures
):
    with pytest.raises(PermanentError, match="no alternative text"):
        adapter_for(channel).publish(outgoing(images=(Image(pictures[0], " "),)))
    with pytest.raises(PermanentError, match="accepts 4 images, the post has 5"):
        adapter_for(channel).publish(outgoing(images=(Image(pictures[0], "Affiche"),) * 5))
    assert x_api.server.received == []


def test_an_expired_token_is_refused_as_credentials(channel, x_api):
    x_api.queue("POST", "/2/tweets", problem(401, "Unauthorized", "Unauthorized"))

    with pytest.raises(CredentialsRejected) as refusal:
        adapter_for(channel).publish(outgoing())
    assert "401: Unauthorized" in str(refusal.value)
    assert TOKEN not in str(refusal.value)


def test_a_forbidden_post_fails_for_good_without_flagging_the_credentials(channel, x_api):
    words = "You are not permitted to perform this action."
    x_api.queue("POST", "/2/tweets", problem(403, "Forbidden", words))

    with pytest.raises(PermanentError, match="not permitted") as refusal:
        adapter_for(channel).publish(outgoing())
    assert not isinstance(refusal.value, CredentialsRejected)


def test_a_rate_limit_is_retried_when_x_says_it_resets(channel, x_api):
    reset = str(int(time.time()) + 120)
    limited = problem(429, "Too Many Requests", "Too Many", **{"x-rate-limit-reset": reset})
    x_api.queue("POST", "/2/tweets", limited)

    with pytest.raises(TransientError) as refusal:
        adapter_for(channel).publish(outgoing())
    assert 100 < refusal.value.retry_after <= 120


def test_a_server_error_is_transient(channel, x_api):
    x_api.queue("POST", "/2/tweets", problem(500, "Internal Server Error", "Oops"))
    with pytest.raises(TransientError):
        adapter_for(channel).publish(outgoing())
    assert x_api.posts == []


def test_an_api_that_refuses_connections_is_transient(channel, settings):
    settings.CADENCE_NETWORKS = {"x": {"api_url": "http://127.0.0.1:1"}}
    with pytest.raises(TransientError):
        adapter_for(channel).publish(outgoing())


def test_a_time_out_after_sending_is_uncertain(channel, x_api, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.2
    x_api.slow_answer = 1
    with pytest.raises(UncertainError):
        adapter_for(channel).publish(outgoing())


def test_a_duplicate_of_this_publication_is_the_post_already_out(channel, x_api, post_a):
    publication = Publication.objects.create(post=post_a, channel=channel, content_hash="h")
    first = adapter_for(channel).publish(outgoing(publication_id=publication.pk))

    again = adapter_for(channel).publish(outgoing(publication_id=publication.pk))

    assert again == first and len(x_api.posts) == 1


def test_a_duplicate_of_an_older_post_is_refused_for_good(channel, x_api, post_a):
    publication = Publication.objects.create(post=post_a, channel=channel, content_hash="h")
    x_api.queue("POST", "/2/tweets", problem(403, "Forbidden", DUPLICATE))

    with pytest.raises(PermanentError, match="duplicate content"):
        adapter_for(channel).publish(outgoing(publication_id=publication.pk))


# --- X's count, at its boundaries ---------------------------------------------------------


def test_280_weighted_characters_pass_and_281_fail(channel):
    adapter = adapter_for(channel)
    assert adapter.validate("é" * 280, 0) == []
    assert adapter.validate("é" * 281, 0) == [
        "Préfet 67 (X) accepts 280 characters, the text has 281."
    ]


def test_a_link_counts_23_however_long_with_or_without_its_scheme(channel):
    adapter = adapter_for(channel)
    link = "https://www.interieur.gouv.fr/" + "a" * 200
    assert adapter.text_length(f"Lire {link}") == 5 + 23
    assert adapter.validate("x" * 256 + " " + link, 0) == []  # 256 + 1 + 23 = 280
    assert len(adapter.validate("x" * 257 + " " + link, 0)) == 1
    assert adapter.text_length("Voir www.service-public.fr.") == 5 + 23 + 1
    assert adapter.text_length("Voir service-public.fr/particuliers") == 5 + 23
    # One label under a country code, no path: text for X too.
    assert adapter.text_length("Voir service-public.fr") == len("Voir service-public.fr")


def test_cjk_counts_two_and_an_emoji_sequence_counts_two(channel):
    adapter = adapter_for(channel)
    assert adapter.text_length("警報") == 4
    assert adapter.validate("警" * 140, 0) == []
    assert len(adapter.validate("警" * 140 + "a", 0)) == 1
    assert adapter.text_length("👩‍👩‍👧") == 2  # a ZWJ family: one emoji
    assert adapter.text_length("🇫🇷👍🏽") == 4  # a flag, a thumb with its skin tone
    assert adapter.text_length("e\u0301") == 1  # NFC first: one é


def test_the_editors_verdict_counts_as_x_does(channel):
    [verdict] = channel_verdicts(
        origin_department=None,
        body="警" * 141,
        variants={},
        channels=[channel],
        images=[Image("posts/none.png", "")],
    )
    assert (verdict.length, verdict.limit) == (282, 280)
    assert "Préfet 67 (X) accepts 280 characters, the text has 282." in verdict.problems
    assert "Every image needs an alternative text." in verdict.problems


def test_image_rules_size_type_and_alt_text_length(channel, pictures, settings):
    adapter = adapter_for(channel)
    assert adapter.validate_images([Image(pictures[0], "a" * 1000)]) == []
    assert adapter.validate_images([Image(pictures[0], "a" * 1001)]) == [
        "Préfet 67 (X) accepts alt text up to 1000 characters; image 1 has 1001."
    ]
    big = default_storage.save("posts/big.png", ContentFile(b"\0" * (5 * 1024 * 1024 + 1)))
    fake = default_storage.save("posts/fake.png", ContentFile(b"not an image"))
    assert adapter.validate_images([Image(big, "Grande")]) == [
        "Préfet 67 (X) accepts images up to 5242880 bytes; image 1 has 5242881."
    ]
    assert adapter.validate_images([Image(fake, "Fausse")]) == [
        "Préfet 67 (X) shows JPEG, PNG, WebP and GIF images; image 1 is not one."
    ]
    frames = [PILImage.new("RGB", (4, 4), colour) for colour in ("red", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:])
    gif = default_storage.save("posts/anim.gif", ContentFile(buffer.getvalue()))
    assert adapter.validate_images([Image(gif, "Animée")]) == []
    assert adapter.validate_images([Image(pictures[0], "Fixe"), Image(gif, "Animée")]) == [
        "Préfet 67 (X) takes an animated GIF alone; image 2 is one."
    ]


# --- was it published? ----------------------------------------------------------------------


def test_a_post_that_went_out_is_found_as_x_shows_it(channel, x_api, post_a, pictures):
    publication = Publication.objects.create(post=post_a, channel=channel, content_hash="h")
    sent = outgoing(
        "Crues & routes : https://www.vigicrues.gouv.fr/niv3?a=1 <urgent>",
        (Image(pictures[0], "Carte"),),
        publication.pk,
    )
    result = adapter_for(channel).publish(sent)
    assert x_api.posts[0]["text"].startswith("Crues &amp; routes : https://t.co/")

    assert adapter_for(channel).find_published(sent) == result
    since = x_api.timeline_queries[-1]["start_time"][0]
    made = publication.created_at - dt.timedelta(minutes=5)
    assert since == made.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_post_that_never_went_out_is_not_found(channel, x_api, post_a):
    publication = Publication.objects.create(post=post_a, channel=channel, content_hash="h")
    adapter_for(channel).publish(outgoing("Autre chose", publication_id=publication.pk))
    assert adapter_for(channel).find_published(outgoing("Jamais", (), publication.pk)) is None


def test_a_look_up_that_fails_cannot_tell(channel, x_api, post_a):
    publication = Publication.objects.create(post=post_a, channel=channel, content_hash="h")
    path = f"/2/users/{USER['id']}/tweets"
    x_api.queue("GET", path, problem(503, "Service Unavailable", "Over capacity"))
    with pytest.raises(UncertainError):
        adapter_for(channel).find_published(outgoing(publication_id=publication.pk))


# --- Test connection, the configuration, the connect flow -------------------------------------


def test_checking_the_credentials_says_as_whom_and_until_when(channel, x_api):
    channel.token_expires_at = dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC)

    account = adapter_for(channel).check_credentials()

    assert account.name == "Préfecture du Bas-Rhin (@Prefet67)"
    assert account.avatar_url == USER["profile_image_url"]
    assert account.url == "https://x.com/Prefet67"
    assert account.expires_at == channel.token_expires_at
    assert account.settings == {"user_id": USER["id"], "username": "Prefet67"}


def test_checking_a_revoked_token_says_it_was_refused(channel, x_api):
    channel.set_credentials({"access_token": "revoked"})
    with pytest.raises(CredentialsRejected, match="refused the credentials"):
        adapter_for(channel).check_credentials()


def test_a_channel_is_saved_unconnected_and_connected_by_its_token(dept_a, x_api):
    bare = ChannelFactory(network=Network.X, department=dept_a, name="Nu", settings={})
    form = XConfig({"access_token": "", "refresh_token": ""}, channel=bare)
    assert form.is_valid(), form.errors
    assert "is not connected" in str(channel_publish_problem(bare))

    pasted = XConfig({"access_token": TOKEN, "refresh_token": ""}, channel=bare)
    assert pasted.is_valid()
    pasted.apply(bare)
    bare.save()
    assert channel_publish_problem(bare) is None
    assert {"access_token", "refresh_token"} <= XConfig.secret_fields


def test_the_connect_flow_gets_the_tokens_account(x_api):
    provider = XAdapter.oauth
    assert provider.pkce and "offline.access" in provider.scopes
    assert "media.write" in provider.scopes

    [account] = provider.accounts({"access_token": TOKEN, "refresh_token": "r", "expires_in": 7200})

    assert account.key == USER["id"] and account.name == "Préfecture du Bas-Rhin (@Prefet67)"
    assert account.credentials == {"access_token": TOKEN, "refresh_token": "r"}
    assert account.settings == {"user_id": USER["id"], "username": "Prefet67"}
    left = account.expires_at - dt.datetime.now(dt.UTC)
    assert dt.timedelta(minutes=119) < left <= dt.timedelta(hours=2)


def test_the_adapter_is_registered_and_does_not_claim_idempotency(channel):
    adapter = adapter_for(channel)
    assert type(adapter) is XAdapter
    assert not adapter.honours_idempotency_key and adapter.checks_connection
