"""The Facebook Page adapter against a Graph API on loopback (tests/graph_api.py): what it
sends, how each documented answer is mapped, the Page's rules checked before approval,
the connection that lists a person's Pages, and the publisher's path through it."""

from __future__ import annotations

import io
import json

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
from editorial.channels.facebook import FacebookAdapter, FacebookConfig
from editorial.content import channel_publish_problem
from editorial.models import Channel, Network, Publication
from tests.factories import ChannelFactory
from tests.graph_api import (
    CLIENT_ID,
    CLIENT_SECRET,
    OTHER_PAGE,
    OTHER_PAGE_TOKEN,
    PAGE,
    PAGE_TOKEN,
    SHORT_TOKEN,
    GraphAPI,
    fields,
    graph_error,
    header,
    now,
)
from tests.loopback import Reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def graph(settings):
    with GraphAPI() as server:
        settings.CADENCE_NETWORKS = {
            Network.FACEBOOK: {
                "api_url": server.url,
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
            }
        }
        yield server


@pytest.fixture
def page(dept_a, graph):
    return ChannelFactory(
        name="Préfecture 67",
        network=Network.FACEBOOK,
        department=dept_a,
        settings={"page_id": PAGE["id"]},
        credentials={"access_token": PAGE_TOKEN},
    )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def stored(name: str, kind: str = "PNG", size=(8, 8), pad_to: int | None = None) -> str:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, "blue").save(buffer, kind)
    content = buffer.getvalue()
    if pad_to is not None:
        content += b"\0" * (pad_to - len(content))  # trailing bytes: the header still reads
    return default_storage.save(f"posts/{name}", ContentFile(content))


def outgoing(text="Fermeture de la route D1083.", images=(), publication_id=1, link=""):
    return Outgoing(publication_id, "2f4c-key", text, tuple(images), link)


# --- publishing -------------------------------------------------------------------------


def test_a_text_post_goes_to_the_pages_feed_with_its_link(page, graph):
    result = adapter_for(page).publish(outgoing(link="https://www.bas-rhin.gouv.fr/route"))

    (request,) = graph.requests("POST", f"/{PAGE['id']}/feed")
    assert header(request, "Authorization") == f"Bearer {PAGE_TOKEN}"
    assert PAGE_TOKEN not in request.path
    sent = fields(request)
    assert sent["message"] == "Fermeture de la route D1083."
    assert sent["link"] == "https://www.bas-rhin.gouv.fr/route"
    (post,) = graph.posts
    assert result.external_id == post["id"]
    assert result.url == post["permalink_url"]


def test_images_are_uploaded_unpublished_with_their_alt_text_then_attached(page, graph, media):
    images = [
        Image(stored("carte.png"), "Carte de la déviation"),
        Image(stored("photo.jpg", "JPEG"), "Le pont fermé"),
    ]

    result = adapter_for(page).publish(outgoing(images=images))

    uploads = graph.requests("POST", f"/{PAGE['id']}/photos")
    assert [fields(r)["published"] for r in uploads] == ["false", "false"]
    photos = list(graph.photos.values())
    assert [p["alt_text_custom"] for p in photos] == ["Carte de la déviation", "Le pont fermé"]
    assert [p["type"] for p in photos] == ["image/png", "image/jpeg"]
    (post,) = graph.posts
    assert post["attached"] == list(graph.photos)  # in the post's order
    assert result.url == post["permalink_url"]


def test_a_post_id_whose_address_cannot_be_read_gets_facebooks_own(page, graph):
    graph.permalinks_fail = True
    result = adapter_for(page).publish(outgoing())
    (post,) = graph.posts
    assert (result.external_id, result.url) == (
        post["id"],
        f"https://www.facebook.com/{post['id']}",
    )


def test_an_image_without_alt_text_is_refused_before_anything_is_sent(page, graph, media):
    with pytest.raises(PermanentError, match="no alternative text"):
        adapter_for(page).publish(outgoing(images=[Image(stored("a.png"), " ")]))
    assert graph.server.received == []


# --- Meta's answers -----------------------------------------------------------------------


def test_an_expired_token_is_refused_as_credentials_whatever_the_http_status(page, graph):
    expired = graph_error(
        190, "Error validating access token: Session has expired", error_subcode=463
    )
    graph.queue("POST", f"/{PAGE['id']}/feed", Reply(400, expired))

    with pytest.raises(CredentialsRejected) as refusal:
        adapter_for(page).publish(outgoing())
    assert "Session has expired" in str(refusal.value)
    assert PAGE_TOKEN not in str(refusal.value)


def test_a_permission_the_token_lacks_needs_reconnecting(page, graph):
    missing = graph_error(
        200, "(#200) The user hasn't authorized the application to perform this action"
    )
    graph.queue("POST", f"/{PAGE['id']}/feed", Reply(403, missing))
    with pytest.raises(CredentialsRejected, match="hasn't authorized"):
        adapter_for(page).publish(outgoing())


def test_an_invalid_parameter_is_refused_for_good_but_not_as_credentials(page, graph):
    graph.queue("POST", f"/{PAGE['id']}/feed", Reply(400, graph_error(100, "(#100) Invalid link")))
    with pytest.raises(PermanentError, match="Invalid link") as refusal:
        adapter_for(page).publish(outgoing())
    assert not isinstance(refusal.value, CredentialsRejected)


def test_the_pages_rate_limit_is_retried_when_meta_says_access_comes_back(page, graph):
    usage = {
        PAGE["id"]: [{"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 7}]
    }
    graph.queue(
        "POST",
        f"/{PAGE['id']}/feed",
        Reply(
            400,
            graph_error(32, "Page request limit reached"),
            headers={"X-Business-Use-Case-Usage": json.dumps(usage)},
        ),
    )
    with pytest.raises(TransientError) as refusal:
        adapter_for(page).publish(outgoing())
    assert refusal.value.retry_after == 7 * 60
    assert graph.posts == []


def test_the_apps_rate_limit_without_an_estimate_is_retried_with_back_off(page, graph):
    usage = {"call_count": 100, "total_cputime": 12, "total_time": 30}
    graph.queue(
        "POST",
        f"/{PAGE['id']}/feed",
        Reply(
            403,
            graph_error(4, "Application request limit reached", is_transient=True),
            headers={"X-App-Usage": json.dumps(usage)},
        ),
    )
    with pytest.raises(TransientError) as refusal:
        adapter_for(page).publish(outgoing())
    assert refusal.value.retry_after is None


def test_a_server_error_is_transient(page, graph):
    graph.queue(
        "POST",
        f"/{PAGE['id']}/feed",
        Reply(500, graph_error(1, "An unknown error occurred", is_transient=True)),
    )
    with pytest.raises(TransientError):
        adapter_for(page).publish(outgoing())


def test_an_upload_that_times_out_is_transient_since_nothing_is_public(
    page, graph, media, settings
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.2
    graph.queue("POST", f"/{PAGE['id']}/photos", Reply(200, {"id": "1"}, delay=1))
    with pytest.raises(TransientError):
        adapter_for(page).publish(outgoing(images=[Image(stored("a.png"), "Un carré")]))
    assert graph.requests("POST", f"/{PAGE['id']}/feed") == []


def test_a_post_whose_answer_never_came_is_uncertain(page, graph, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.2
    graph.slow_answer = 1
    with pytest.raises(UncertainError):
        adapter_for(page).publish(outgoing())


# --- was it published? ------------------------------------------------------------------------


def test_a_post_not_among_the_pages_whole_history_did_not_go_out(page, graph, post_a):
    publication = Publication.objects.create(post=post_a, channel=page, content_hash="h")
    adapter_for(page).publish(outgoing(text="Autre chose"))
    assert (
        adapter_for(page).find_published(outgoing("Jamais", publication_id=publication.pk)) is None
    )


def test_a_post_found_by_its_text_despite_trimmed_whitespace(page, graph, post_a):
    publication = Publication.objects.create(post=post_a, channel=page, content_hash="h")
    result = adapter_for(page).publish(outgoing(text="Route fermée.\n\nDéviation par Obernai."))
    graph.posts[-1]["message"] = "Route fermée.\n\nDéviation par Obernai.  "  # as Facebook keeps it
    found = adapter_for(page).find_published(
        outgoing("Route fermée.\n\nDéviation par Obernai.", publication_id=publication.pk)
    )
    assert found == result


def test_when_the_latest_posts_are_all_newer_it_cannot_tell(page, graph, post_a):
    publication = Publication.objects.create(post=post_a, channel=page, content_hash="h")
    graph.posts = [
        {"id": f"p_{n}", "message": f"Message {n}", "created_time": now(), "permalink_url": ""}
        for n in range(50)
    ]
    with pytest.raises(UncertainError):
        adapter_for(page).find_published(outgoing("Jamais", publication_id=publication.pk))


def test_when_the_latest_posts_reach_back_before_the_publication_it_did_not_go_out(
    page, graph, post_a
):
    publication = Publication.objects.create(post=post_a, channel=page, content_hash="h")
    old = "2020-01-01T08:00:00+0000"
    graph.posts = [
        {
            "id": f"p_{n}",
            "message": f"Message {n}",
            "created_time": old if n == 0 else now(),
            "permalink_url": "",
        }
        for n in range(50)
    ]
    assert (
        adapter_for(page).find_published(outgoing("Jamais", publication_id=publication.pk)) is None
    )


# --- the Page's rules, at their boundaries -------------------------------------------------------


def test_the_text_limit_passes_at_63206_and_fails_one_over(page):
    adapter = adapter_for(page)
    assert adapter.validate("é" * 63206, 0) == []
    assert adapter.validate("é" * 63207, 0) == [
        "Préfecture 67 (Facebook Page) accepts 63206 characters, the text has 63207."
    ]


def test_ten_images_pass_and_eleven_fail(page):
    adapter = adapter_for(page)
    assert adapter.validate("x", 10) == []
    assert adapter.validate("x", 11) == [
        "Préfecture 67 (Facebook Page) accepts 10 images, the post has 11."
    ]


def test_an_image_passes_at_4_mb_and_fails_one_byte_over(page, media):
    limit = FacebookAdapter.image_size_limit
    adapter = adapter_for(page)
    assert adapter.validate_images([Image(stored("a.png", pad_to=limit), "x")]) == []
    assert adapter.validate_images([Image(stored("b.png", pad_to=limit + 1), "x")]) == [
        f"Préfecture 67 (Facebook Page) accepts images up to {limit} bytes; "
        f"image 1 has {limit + 1}."
    ]


def test_an_image_facebook_does_not_show_is_refused(page, media):
    assert adapter_for(page).validate_images([Image(stored("a.tiff", "TIFF"), "x")]) == [
        "Préfecture 67 (Facebook Page) shows JPEG, PNG, WebP and GIF images; image 1 is not one."
    ]


# --- connecting --------------------------------------------------------------------------------


def test_connecting_lists_each_page_with_its_own_token_and_no_expiry(graph):
    provider = FacebookAdapter.oauth
    assert (provider.pkce, provider.scope_separator) == (False, ",")
    assert set(provider.scopes) == {
        "pages_show_list",
        "pages_manage_posts",
        "pages_read_engagement",
    }
    assert provider.authorize_url == "https://www.facebook.com/v26.0/dialog/oauth"

    accounts = provider.accounts({"access_token": SHORT_TOKEN, "expires_in": 3600})

    assert [(a.key, a.name) for a in accounts] == [
        (PAGE["id"], PAGE["name"]),
        (OTHER_PAGE["id"], OTHER_PAGE["name"]),
    ]
    assert [a.credentials for a in accounts] == [
        {"access_token": PAGE_TOKEN},
        {"access_token": OTHER_PAGE_TOKEN},
    ]
    assert accounts[0].settings == {"page_id": PAGE["id"], "page_name": PAGE["name"]}
    assert [a.expires_at for a in accounts] == [None, None]
    assert accounts[1].avatar_url == OTHER_PAGE["picture"]["data"]["url"]
    (exchange,) = graph.requests("POST", "/oauth/access_token")
    assert SHORT_TOKEN not in exchange.path  # in the body, never in an address


def test_test_connection_says_which_page(page, graph):
    account = adapter_for(page).check_credentials()
    assert (account.name, account.avatar_url, account.url) == (
        PAGE["name"],
        PAGE["picture"]["data"]["url"],
        PAGE["link"],
    )
    assert account.expires_at is None


def test_a_page_without_token_is_not_connected_and_cannot_be_aimed_at(dept_a, graph):
    bare = ChannelFactory(network=Network.FACEBOOK, department=dept_a, name="Nue")
    assert "is not connected" in str(channel_publish_problem(bare))
    bare.settings = {"page_id": PAGE["id"]}
    bare.set_credentials({"access_token": PAGE_TOKEN})
    assert channel_publish_problem(bare) is None
    assert type(adapter_for(bare)) is FacebookAdapter


def test_the_channel_form_wants_a_numeric_page_id_and_never_shows_the_token(dept_a):
    channel = Channel(name="Préfecture 67", network=Network.FACEBOOK, department=dept_a)
    refused = FacebookConfig({"page_id": "prefet67", "access_token": "x"}, channel=channel)
    assert not refused.is_valid()
    assert refused.errors["page_id"] == ["A Page id is a number, e.g. 104123456789012."]

    form = FacebookConfig({"page_id": PAGE["id"], "access_token": PAGE_TOKEN}, channel=channel)
    assert form.is_valid()
    form.apply(channel)
    assert channel.settings == {"page_id": PAGE["id"]}
    assert channel.credentials == {"access_token": PAGE_TOKEN}
    assert PAGE_TOKEN not in str(FacebookConfig(channel=channel))  # write-only
