"""The LinkedIn adapter against LinkedIn's REST API on loopback (tests/linkedin_api.py):
what it sends (every call with its version headers), how each documented answer is
mapped, the commentary's escaping, the rules checked before approval, and "was it
published?" read from the page's posts. The connection: tests/test_linkedin_connection.py;
through the publisher: tests/test_publishing_linkedin.py."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone, translation
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
from editorial.channels.linkedin import text as little
from editorial.content import channel_publish_problem
from editorial.messages import message, render
from editorial.models import Network, Publication
from tests.factories import ChannelFactory
from tests.linkedin_api import ORG, TOKEN, LinkedInAPI, header
from tests.loopback import Reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(settings):
    with LinkedInAPI() as server:
        settings.CADENCE_NETWORKS = {"linkedin": {"api_url": server.url}}
        yield server
        assert server.refused == []  # every call carried the headers LinkedIn requires


@pytest.fixture
def channel(dept_a, api):
    return ChannelFactory(
        name="Préfecture 67",
        network=Network.LINKEDIN,
        department=dept_a,
        settings={"organization_urn": ORG},
        credentials={"access_token": TOKEN},
    )


def saved_image(name: str, kind: str, size=(4, 4)) -> str:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, "blue").save(buffer, kind)
    return default_storage.save(f"posts/{name}", ContentFile(buffer.getvalue()))


@pytest.fixture
def pictures(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return saved_image("affiche.png", "PNG"), saved_image("carte.jpg", "JPEG")


def outgoing(text="Fermez vos portes.", images=(), key="5b2f6c1e-key", publication_id=1):
    return Outgoing(publication_id, key, text, tuple(images))


# --- publishing ---------------------------------------------------------------------


def test_a_post_goes_out_as_the_page_with_two_images_and_their_alt_text(channel, api, pictures):
    api.processing = True  # LinkedIn processes each image before it can be used
    images = [Image(pictures[0], "Une affiche bleue"), Image(pictures[1], "Une carte")]

    result = adapter_for(channel).publish(outgoing(images=images))

    request = api.post_requests()[0]
    assert header(request, "Authorization") == f"Bearer {TOKEN}"
    assert header(request, "X-Restli-Protocol-Version") == "2.0.0"
    assert request.body["author"] == ORG
    assert request.body["commentary"] == "Fermez vos portes."
    assert request.body["distribution"]["feedDistribution"] == "MAIN_FEED"
    sent = request.body["content"]["multiImage"]["images"]
    assert [image["altText"] for image in sent] == ["Une affiche bleue", "Une carte"]
    for image, path in zip(sent, pictures, strict=True):
        with default_storage.open(path, "rb") as file:
            assert api.images[image["id"]]["bytes"] == file.read()
        assert api.images[image["id"]]["polls"] >= 2  # waited until AVAILABLE
    post = api.posts[0]
    assert result.external_id == post["id"]
    assert result.url == f"https://www.linkedin.com/feed/update/{post['id']}/"


def test_one_image_goes_out_as_the_posts_media(channel, api, pictures):
    adapter_for(channel).publish(outgoing(images=[Image(pictures[1], "Une carte")]))

    content = api.post_requests()[0].body["content"]
    assert content == {"media": {"id": content["media"]["id"], "altText": "Une carte"}}


def test_reserved_characters_are_escaped_but_hashtags_and_links_stay_live(channel, api, post_a):
    text = "Réunion (salle 2) [urgent] {x} <y> @police_67 | a~b *c* \\ #Crise n°# fin https://ex.fr/a_b"
    publication = Publication.objects.create(post=post_a, channel=channel, content_hash="h")

    result = adapter_for(channel).publish(outgoing(text=text))

    assert api.post_requests()[0].body["commentary"] == (
        "Réunion \\(salle 2\\) \\[urgent\\] \\{x\\} \\<y\\> \\@police\\_67 \\| a\\~b \\*c\\* "
        "\\\\ #Crise n°\\# fin https://ex.fr/a_b"
    )
    # Read back (escaped, the hashtag as a template), it is the same text.
    found = adapter_for(channel).find_published(outgoing(text, publication_id=publication.pk))
    assert found == result


def test_a_link_in_parentheses_keeps_its_closing_parenthesis_escaped():
    assert little.escape("(voir https://ex.fr/a)") == "\\(voir https://ex.fr/a\\)"


def test_an_expired_token_is_refused_as_credentials(channel, api):
    expired = {
        "status": 401,
        "serviceErrorCode": 65602,
        "message": "The token used in the request has expired",
    }
    api.queue("POST", "/rest/posts", Reply(401, expired))

    with pytest.raises(CredentialsRejected) as refusal:
        adapter_for(channel).publish(outgoing())
    assert "The token used in the request has expired [65602]" in str(refusal.value)
    assert TOKEN not in str(refusal.value)


def test_a_missing_permission_is_named_and_does_not_flag_the_token(channel, api):
    denied = {
        "status": 403,
        "serviceErrorCode": 100,
        "code": "ACCESS_DENIED",
        "message": "Not enough permissions to access: partnerApiPostsExternal.CREATE.20260501",
    }
    api.queue("POST", "/rest/posts", Reply(403, denied))

    with pytest.raises(PermanentError) as refusal:
        adapter_for(channel).publish(outgoing())
    assert not isinstance(refusal.value, CredentialsRejected)
    words = str(refusal.value)
    assert "w_organization_social" in words and "partnerApiPostsExternal.CREATE" in words


def test_a_missing_permission_reads_in_the_readers_language(channel):
    refusal = message(
        "permission_missing", channel=channel, scope="w_organization_social", text="x"
    )
    with translation.override("fr"):
        words = render(refusal)
    assert "la connexion n’a pas l’autorisation w_organization_social" in words


def test_a_rate_limit_is_transient_and_left_to_the_publishers_back_off(channel, api):
    throttled = {"status": 429, "message": "Resource level throttle APPLICATION DAY limit reached"}
    api.queue("POST", "/rest/posts", Reply(429, throttled))

    with pytest.raises(TransientError) as refusal:
        adapter_for(channel).publish(outgoing())
    assert refusal.value.retry_after is None  # LinkedIn sends no reset time
    assert api.posts == []


def test_a_server_error_is_transient(channel, api):
    api.queue(
        "POST", "/rest/posts", Reply(500, {"status": 500, "message": "Internal Server Error"})
    )
    with pytest.raises(TransientError):
        adapter_for(channel).publish(outgoing())


def test_a_validation_error_keeps_linkedins_words(channel, api):
    api.queue("POST", "/rest/posts", Reply(422, {"status": 422, "message": "/commentary: invalid"}))
    with pytest.raises(PermanentError, match="/commentary: invalid") as refusal:
        adapter_for(channel).publish(outgoing())
    assert not isinstance(refusal.value, CredentialsRejected)


def test_a_time_out_after_sending_is_uncertain_but_an_upload_time_out_is_not(
    channel, api, pictures, settings
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.2
    api.queue("POST", "/rest/posts", Reply(201, {}, delay=1))
    with pytest.raises(UncertainError):
        adapter_for(channel).publish(outgoing())
    api.queue("POST", "/rest/images", Reply(200, {}, delay=1))
    with pytest.raises(TransientError):
        adapter_for(channel).publish(outgoing(images=[Image(pictures[0], "Affiche")]))


def test_linkedin_unreachable_is_transient(channel, settings):
    settings.CADENCE_NETWORKS = {"linkedin": {"api_url": "http://127.0.0.1:1"}}
    with pytest.raises(TransientError):
        adapter_for(channel).publish(outgoing())


# --- the rules, at their boundaries ---------------------------------------------------


def test_3000_characters_pass_and_3001_fail(channel):
    adapter = adapter_for(channel)
    assert adapter.validate("é" * 3000, 0) == []
    assert adapter.validate("é" * 3001, 0) == [
        "Préfecture 67 (LinkedIn organisation page) accepts 3000 characters, the text has 3001."
    ]


def test_the_limit_counts_the_commentary_as_linkedin_receives_it(channel, api):
    adapter = adapter_for(channel)
    assert adapter.text_length("(x)") == 5  # escaped: \(x\)
    assert adapter.text_length("🚒") == 2  # UTF-16, as LinkedIn counts
    assert adapter.validate("x" * 2998 + "()", 0) != []  # 3002 once escaped
    assert adapter.validate("x" * 2996 + "()", 0) == []
    with pytest.raises(PermanentError, match="accepts 3000 characters"):
        adapter.publish(outgoing(text="x" * 2999 + "_"))
    assert api.server.received == []  # refused before anything was sent


def test_twenty_images_pass_and_twenty_one_fail(channel):
    adapter = adapter_for(channel)
    assert adapter.validate("x", 20) == []
    assert adapter.validate("x", 21) == [
        "Préfecture 67 (LinkedIn organisation page) accepts 20 images, the post has 21."
    ]


def test_image_types_and_alt_text_length_are_checked_before_approval(channel, pictures):
    webp = saved_image("photo.webp", "WEBP")
    adapter = adapter_for(channel)
    assert adapter.validate_images([Image(pictures[0], "a" * 4086)]) == []
    assert adapter.validate_images([Image(pictures[0], "a" * 4087), Image(webp, "Photo")]) == [
        "Préfecture 67 (LinkedIn organisation page) accepts alt text up to 4086 characters; "
        "image 1 has 4087.",
        "Préfecture 67 (LinkedIn organisation page) shows JPEG, PNG and GIF images; "
        "image 2 is not one.",
    ]


def test_pixels_and_gif_frames_are_checked_at_their_limits(channel, pictures):
    adapter = adapter_for(channel)
    adapter.pixel_limit = 17  # LinkedIn's 36,152,320, scaled down: "below this"
    assert adapter.validate_images([Image(pictures[0], "4 x 4")]) == []
    adapter.pixel_limit = 16
    assert adapter.validate_images([Image(pictures[0], "4 x 4")]) == [
        "Préfecture 67 (LinkedIn organisation page) accepts images under 16 pixels; image 1 has 16."
    ]
    frames = [PILImage.new("RGB", (4, 4), colour) for colour in ("red", "green", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:])
    gif = default_storage.save("posts/anim.gif", ContentFile(buffer.getvalue()))
    adapter.pixel_limit, adapter.gif_frame_limit = 10**6, 3
    assert adapter.validate_images([Image(gif, "Animation")]) == []
    adapter.gif_frame_limit = 2
    assert adapter.validate_images([Image(gif, "Animation")]) == [
        "Préfecture 67 (LinkedIn organisation page) accepts GIFs of up to 2 frames; image 1 has 3."
    ]


def test_a_channel_without_its_page_or_token_is_not_connected(dept_a, api):
    bare = ChannelFactory(network=Network.LINKEDIN, department=dept_a, name="Nue")
    assert "is not connected" in str(channel_publish_problem(bare))
    bare.settings = {"organization_urn": ORG}
    bare.set_credentials({"access_token": TOKEN})
    assert channel_publish_problem(bare) is None


# --- was it published? ------------------------------------------------------------------


def test_a_post_that_never_went_out_is_not_found(channel, api, post_a):
    publication = Publication.objects.create(post=post_a, channel=channel, content_hash="h")
    adapter_for(channel).publish(outgoing(text="Autre chose"))
    assert (
        adapter_for(channel).find_published(outgoing("Jamais", publication_id=publication.pk))
        is None
    )


def test_the_same_words_posted_before_the_publication_are_another_post(channel, api, post_a):
    publication = Publication.objects.create(post=post_a, channel=channel, content_hash="h")
    last_week = int((timezone.now() - dt.timedelta(days=7)).timestamp() * 1000)
    api.posts = [
        {"id": "urn:li:share:1", "commentary": "Fermez vos portes.", "createdAt": last_week}
    ]

    assert adapter_for(channel).find_published(outgoing(publication_id=publication.pk)) is None


def test_a_full_page_of_newer_posts_cannot_tell(channel, api, post_a):
    publication = Publication.objects.create(post=post_a, channel=channel, content_hash="h")
    Publication.objects.filter(pk=publication.pk).update(
        created_at=timezone.now() - dt.timedelta(days=2)
    )
    later = int(timezone.now().timestamp() * 1000)
    api.posts = [
        {"id": f"urn:li:share:{n}", "commentary": f"n{n}", "createdAt": later} for n in range(50)
    ]
    with pytest.raises(UncertainError):
        adapter_for(channel).find_published(outgoing("Jamais", publication_id=publication.pk))
