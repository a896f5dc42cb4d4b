"""Who sees an uploaded image: an unpublished post's only to the signed-in people who may
see the post, a published post's to anyone, a pending upload only to its writer; each
with its type read from its bytes, `nosniff` and `Content-Disposition`."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from editorial.forms.images import keep_upload
from editorial.images import sanitize
from editorial.models import PostImage, Publication, PublicationState
from tests.uploads import HTML_AS_PNG, png


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def image(post_a):
    stored = PostImage(post=post_a, image=sanitize(png()), alt_text="Affiche")
    stored.save()
    return stored


def as_user(client, user):
    client.force_login(user)
    return client


def went_out(post):
    Publication.objects.create(
        post=post,
        channel=post.channels.first(),
        state=PublicationState.SENT,
        content_hash=post.content_hash,
    )


def test_an_unpublished_posts_image_is_hidden_from_anyone_not_signed_in(client, image):
    assert client.get(image.image.url).status_code == 404


def test_an_unpublished_posts_image_is_hidden_from_another_department(client, image, contrib_b):
    assert as_user(client, contrib_b).get(image.image.url).status_code == 404


def test_the_author_gets_the_image_with_its_type_nosniff_and_a_file_name(client, image, writer_a):
    response = as_user(client, writer_a).get(image.image.url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    name = image.image.name.rsplit("/", 1)[-1]
    assert response["Content-Disposition"] == f'inline; filename="{name}"'
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == image.image.open("rb").read()


def test_a_published_posts_image_is_served_to_anyone(client, image, post_a):
    went_out(post_a)
    response = client.get(image.image.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"


def test_an_image_is_only_read_never_changed_through_its_address(client, image, writer_a):
    assert as_user(client, writer_a).post(image.image.url).status_code == 405


def test_an_image_stored_before_the_checks_keeps_its_address(client, post_a, writer_a):
    name = default_storage.save("posts/2024/05/affiche.png", png())
    PostImage(post=post_a, image=name, alt_text="Ancienne").save()
    response = as_user(client, writer_a).get("/media/posts/2024/05/affiche.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"


def test_a_page_stored_before_the_checks_is_never_served_as_anything(client, post_a, writer_a):
    name = default_storage.save("posts/2024/05/page.png", ContentFile(HTML_AS_PNG))
    PostImage(post=post_a, image=name, alt_text="Piège").save()
    assert as_user(client, writer_a).get(f"/media/{name}").status_code == 404


def test_a_file_no_post_uses_is_not_served(client, writer_a):
    default_storage.save("posts/orpheline.png", png())
    assert as_user(client, writer_a).get("/media/posts/orpheline.png").status_code == 404


def test_a_pending_upload_is_shown_to_its_writer_only(client, writer_a, contrib_a):
    kept = keep_upload(sanitize(png()), "affiche.png", writer_a)
    assert kept["url"] == reverse("pending-image", kwargs={"token": kept["token"]})

    assert client.get(kept["url"]).status_code == 302  # to the login page
    assert as_user(client, contrib_a).get(kept["url"]).status_code == 404
    mine = as_user(client, writer_a).get(kept["url"])
    assert mine.status_code == 200
    assert mine["X-Content-Type-Options"] == "nosniff"
    # Under its stored name, never by it: the folder itself is not served.
    assert client.get(f"/media/{kept['name']}").status_code == 404
