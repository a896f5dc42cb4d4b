"""The Instagram adapter against a Graph API on loopback (tests/graph_api.py): the
container → publish flow with the images Instagram fetches through Cadence's signed
links, how each documented answer is mapped, Instagram's rules at their boundaries, the
accounts a connection offers, and the publisher's path through it."""

from __future__ import annotations

import io
import json
from urllib.parse import urlsplit

import pytest
import time_machine
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
from editorial.channels.instagram import InstagramAdapter, InstagramConfig
from editorial.channels.instagram.media import public_image_url
from editorial.content import content_problems
from editorial.models import Channel, Network, PostImage, Publication
from tests.factories import ChannelFactory, PostFactory
from tests.graph_api import (
    CLIENT_ID,
    CLIENT_SECRET,
    IG_USER,
    PAGE,
    PAGE_TOKEN,
    SHORT_TOKEN,
    GraphAPI,
    graph_error,
)
from tests.loopback import Reply

pytestmark = pytest.mark.django_db
PUBLIC = "https://cadence.example.gouv.fr"


@pytest.fixture
def graph(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CADENCE_PUBLIC_URL = PUBLIC
    with GraphAPI() as server:
        settings.CADENCE_NETWORKS = {
            Network.INSTAGRAM: {
                "api_url": server.url,
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
            }
        }
        yield server


@pytest.fixture
def account(dept_a, graph):
    return ChannelFactory(
        name="Préfet 67",
        network=Network.INSTAGRAM,
        department=dept_a,
        settings={"ig_user_id": IG_USER["id"], "page_id": PAGE["id"]},
        credentials={"access_token": PAGE_TOKEN},
    )


def stored(name: str, size=(800, 800), kind: str = "PNG", pad_to: int | None = None) -> str:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, "blue").save(buffer, kind)
    content = buffer.getvalue()
    if pad_to is not None:
        content += b"\0" * (pad_to - len(content))  # trailing bytes: the header still reads
    return default_storage.save(f"posts/{name}", ContentFile(content))


def outgoing(text="Portes ouvertes samedi #police #recrutement", images=(), publication_id=1):
    return Outgoing(publication_id, "9a1d-key", text, tuple(images))


def fetched(client, url: str):
    """What Instagram gets from a link Cadence handed it (its path, on this site)."""
    assert url.startswith(f"{PUBLIC}/")
    return client.get(urlsplit(url).path)


def container(graph, **wanted) -> dict:
    (found,) = [c for c in graph.containers.values() if wanted.items() <= c.items()]
    return found


# --- publishing -------------------------------------------------------------------------


def of_post(post, name: str) -> str:
    """`name`, made an image of `post`: the only images a signed link serves."""
    PostImage(post=post, image=name, alt_text="Image").save()
    return name


def test_one_image_goes_out_by_a_container_polled_until_finished_then_published(
    account, graph, client, post_a
):
    name = of_post(post_a, stored("affiche.png", (1080, 1350)))

    result = adapter_for(account).publish(outgoing(images=[Image(name, "Affiche bleue")]))

    made = container(graph, alt_text="Affiche bleue")
    assert made["caption"] == "Portes ouvertes samedi #police #recrutement"
    assert made["polls"] == 2  # IN_PROGRESS, then FINISHED
    assert made["status_code"] == "PUBLISHED"
    (media,) = graph.media
    assert (result.external_id, result.url) == (media["id"], media["permalink"])
    assert all(PAGE_TOKEN not in request.path for request in graph.server.received)
    # Instagram fetched the exact image, as JPEG (it was kept as PNG).
    response = fetched(client, made["image_url"])
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    with PILImage.open(io.BytesIO(b"".join(response))) as picture:
        assert (picture.format, picture.size) == ("JPEG", (1080, 1350))


def test_several_images_go_out_as_a_carousel_each_with_its_alt_text(account, graph, client, post_a):
    images = [
        Image(of_post(post_a, stored("a.jpg", (1080, 1080), "JPEG")), "Le commissariat"),
        Image(of_post(post_a, stored("b.png", (1080, 566))), "L'équipe cynophile"),
    ]

    adapter_for(account).publish(outgoing(images=images))

    children = [c for c in graph.containers.values() if c["is_carousel_item"]]
    assert [c["alt_text"] for c in children] == ["Le commissariat", "L'équipe cynophile"]
    assert all("caption" not in c for c in children)
    carousel = container(graph, media_type="CAROUSEL")
    assert carousel["children"].split(",") == [
        key for key, c in graph.containers.items() if c["is_carousel_item"]
    ]
    assert carousel["caption"] == outgoing().text
    assert graph.media[0]["container"] is carousel
    jpeg = fetched(client, children[0]["image_url"])
    with default_storage.open(images[0].path, "rb") as original:
        assert b"".join(jpeg) == original.read()  # a JPEG goes as it is kept


def test_a_container_instagram_could_not_make_is_refused_and_nothing_published(account, graph):
    graph.processed = "ERROR"
    with pytest.raises(PermanentError, match="2207026"):
        adapter_for(account).publish(outgoing(images=[Image(stored("a.png"), "Un carré")]))
    assert graph.requests("POST", f"/{IG_USER['id']}/media_publish") == []


def test_a_container_still_processing_is_waited_for_within_a_bound(account, graph, settings):
    settings.INSTAGRAM_CONTAINER_WAIT_SECONDS = 0.3
    graph.in_progress_polls = 10_000
    with pytest.raises(TransientError, match="did not finish processing"):
        adapter_for(account).publish(outgoing(images=[Image(stored("a.png"), "Un carré")]))
    assert graph.requests("POST", f"/{IG_USER['id']}/media_publish") == []


def test_an_image_without_alt_text_is_refused_before_anything_is_sent(account, graph):
    with pytest.raises(PermanentError, match="no alternative text"):
        adapter_for(account).publish(outgoing(images=[Image(stored("a.png"), "  ")]))
    assert graph.server.received == []


# --- Meta's answers -----------------------------------------------------------------------


def test_an_expired_token_is_refused_as_credentials(account, graph):
    expired = graph_error(190, "Error validating access token: Session has expired")
    graph.queue("POST", f"/{IG_USER['id']}/media", Reply(400, expired))
    with pytest.raises(CredentialsRejected, match="Session has expired") as refusal:
        adapter_for(account).publish(outgoing(images=[Image(stored("a.png"), "Un carré")]))
    assert PAGE_TOKEN not in str(refusal.value)


def test_a_rate_limit_on_publishing_is_retried_when_meta_says_access_comes_back(account, graph):
    usage = {IG_USER["id"]: [{"type": "instagram", "estimated_time_to_regain_access": 12}]}
    graph.queue(
        "POST",
        f"/{IG_USER['id']}/media_publish",
        Reply(
            400,
            graph_error(4, "Application request limit reached", is_transient=True),
            headers={"X-Business-Use-Case-Usage": json.dumps(usage)},
        ),
    )
    with pytest.raises(TransientError) as refusal:
        adapter_for(account).publish(outgoing(images=[Image(stored("a.png"), "Un carré")]))
    assert refusal.value.retry_after == 12 * 60
    assert graph.media == []


def test_a_server_error_is_transient(account, graph):
    graph.queue(
        "POST",
        f"/{IG_USER['id']}/media",
        Reply(500, graph_error(2, "Service temporarily unavailable")),
    )
    with pytest.raises(TransientError):
        adapter_for(account).publish(outgoing(images=[Image(stored("a.png"), "Un carré")]))


def test_a_publish_whose_answer_never_came_is_uncertain(account, graph, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.2
    graph.slow_answer = 1
    with pytest.raises(UncertainError):
        adapter_for(account).publish(outgoing(images=[Image(stored("a.png"), "Un carré")]))


# --- was it published? ------------------------------------------------------------------------


def test_a_caption_not_among_the_accounts_media_did_not_go_out(account, graph, post_a):
    publication = Publication.objects.create(post=post_a, channel=account, content_hash="h")
    adapter_for(account).publish(outgoing(images=[Image(stored("a.png"), "Un carré")]))
    missing = outgoing("Jamais", publication_id=publication.pk)
    assert adapter_for(account).find_published(missing) is None


# --- Instagram's rules, at their boundaries ------------------------------------------------------


def test_a_post_without_an_image_cannot_go_to_instagram(account, writer_a, dept_a):
    assert adapter_for(account).validate("Bonjour", 0) == [
        "Préfet 67 (Instagram professional account): Instagram needs at least one image."
    ]
    post = PostFactory(origin_department=dept_a, channels=[account])
    assert any("Instagram needs at least one image" in p for p in content_problems(post))


def test_the_caption_passes_at_2200_characters_and_fails_one_over(account):
    adapter = adapter_for(account)
    assert adapter.validate("é" * 2200, 1) == []
    assert adapter.validate("é" * 2201, 1) == [
        "Préfet 67 (Instagram professional account) accepts 2200 characters, the text has 2201."
    ]


def test_thirty_hashtags_pass_and_thirty_one_fail(account):
    adapter = adapter_for(account)
    tags = " ".join(f"#tag{n}" for n in range(31))
    assert adapter.validate(tags.rsplit(" ", 1)[0], 1) == []
    assert adapter.validate(tags, 1) == [
        "Préfet 67 (Instagram professional account) accepts 30 hashtags, the text has 31."
    ]
    assert adapter.validate("C#" * 40 + " http://a.example/#x", 1) == []  # not hashtags


def test_ten_images_pass_and_eleven_fail(account):
    adapter = adapter_for(account)
    assert adapter.validate("x", 10) == []
    assert len(adapter.validate("x", 11)) == 1


@pytest.mark.parametrize(
    "size, fits",
    [((400, 500), True), ((399, 500), False), ((191, 100), True), ((192, 100), False)],
)
def test_the_aspect_ratio_passes_from_4_5_to_1_91_and_fails_beyond(account, graph, size, fits):
    problems = adapter_for(account).validate_images([Image(stored("r.png", size), "x")])
    width, height = size
    assert problems == (
        []
        if fits
        else [
            "Préfet 67 (Instagram professional account) shows images from 4:5 (portrait) to "
            f"1.91:1 (landscape); image 1 is {width} × {height} pixels."
        ]
    )


def test_an_image_passes_at_8_mb_and_fails_one_byte_over(account, graph):
    limit = InstagramAdapter.image_size_limit
    adapter = adapter_for(account)
    assert adapter.validate_images([Image(stored("a.jpg", kind="JPEG", pad_to=limit), "x")]) == []
    assert adapter.validate_images(
        [Image(stored("b.jpg", kind="JPEG", pad_to=limit + 1), "x")]
    ) == [
        f"Préfet 67 (Instagram professional account) accepts images up to {limit} bytes; "
        f"image 1 has {limit + 1}."
    ]


def test_images_need_cadences_public_address(account, graph, settings):
    settings.CADENCE_PUBLIC_URL = ""
    assert adapter_for(account).validate_images([Image(stored("a.png"), "x")]) == [
        "Préfet 67 (Instagram professional account) fetches images from Cadence's public "
        "address: set CADENCE_PUBLIC_URL."
    ]


# --- the signed image link ---------------------------------------------------------------------


@pytest.fixture
def kept(post_a, graph):
    name = stored("kept.png", (600, 600))
    PostImage(post=post_a, image=name, alt_text="Affiche").save()
    return name


def test_a_signed_link_serves_its_image_to_anyone_for_an_hour_only(kept, client):
    with time_machine.travel("2030-03-01 09:00 +0000", tick=False):
        url = public_image_url(kept)
        assert fetched(client, url).status_code == 200
    with time_machine.travel("2030-03-01 09:59:59 +0000", tick=False):
        assert fetched(client, url).status_code == 200
    with time_machine.travel("2030-03-01 10:00:01 +0000", tick=False):
        assert fetched(client, url).status_code == 404


def test_an_unsigned_or_tampered_link_is_a_404(kept, client):
    url = public_image_url(kept)
    token = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
    base = urlsplit(url).path.removesuffix(token)
    assert client.get(f"{base}{kept.replace('/', '')}").status_code == 404
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert client.get(f"{base}{tampered}").status_code == 404
    other = public_image_url("posts/other.png").rsplit("/", 1)[-1]
    forged = f"{other.split(':', 1)[0]}:{token.split(':', 1)[1]}"  # another name, this signature
    assert client.get(f"{base}{forged}").status_code == 404


def test_a_signed_link_to_a_file_that_is_no_posts_image_is_a_404(graph, client):
    loose = stored("loose.png")
    assert fetched(client, public_image_url(loose)).status_code == 404


# --- connecting --------------------------------------------------------------------------------


def test_connecting_offers_the_instagram_account_linked_to_each_page(graph):
    provider = InstagramAdapter.oauth
    assert (provider.pkce, provider.scope_separator) == (False, ",")
    assert {"instagram_basic", "instagram_content_publish"} <= set(provider.scopes)

    (offered,) = provider.accounts({"access_token": SHORT_TOKEN})  # the other Page has none

    assert offered.key == IG_USER["id"]
    assert offered.name == f"@{IG_USER['username']} ({PAGE['name']})"
    assert offered.credentials == {"access_token": PAGE_TOKEN}
    assert offered.settings["ig_user_id"] == IG_USER["id"]
    assert offered.expires_at is None
    assert offered.avatar_url == IG_USER["profile_picture_url"]


def test_test_connection_with_a_revoked_token_says_so(account, graph):
    account.set_credentials({"access_token": "EAArevoked"})
    with pytest.raises(CredentialsRejected, match="Session has expired"):
        adapter_for(account).check_credentials()


def test_test_connection_says_which_account(account, graph):
    info = adapter_for(account).check_credentials()
    assert info.name == f"{IG_USER['name']} (@{IG_USER['username']})"
    assert info.avatar_url == IG_USER["profile_picture_url"]
    assert info.url == f"https://www.instagram.com/{IG_USER['username']}/"


def test_the_channel_form_wants_a_numeric_account_id_and_never_shows_the_token(dept_a):
    channel = Channel(name="Préfet 67", network=Network.INSTAGRAM, department=dept_a)
    refused = InstagramConfig({"ig_user_id": "@prefet67", "access_token": "x"}, channel=channel)
    assert not refused.is_valid() and "ig_user_id" in refused.errors

    form = InstagramConfig(
        {"ig_user_id": IG_USER["id"], "access_token": PAGE_TOKEN}, channel=channel
    )
    assert form.is_valid()
    form.apply(channel)
    assert channel.settings == {"ig_user_id": IG_USER["id"]}
    assert channel.credentials == {"access_token": PAGE_TOKEN}
    assert PAGE_TOKEN not in str(InstagramConfig(channel=channel))  # write-only
