"""The publisher and Meta's networks (a Graph API on loopback, tests/graph_api.py): an
approved post goes out on a Facebook Page and on Instagram through `sender.publish`; a
token Meta refuses fails the publication and flags the channel **needs reconnecting**; a
post whose answer never came is not sent again blindly: the account's latest posts are
read and the publication recorded sent when it is there."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image as PILImage

from editorial import workflow as wf
from editorial.content import channel_publish_problem, compute_content_hash
from editorial.messages import render
from editorial.models import AuditEntry, Network, Post, PostImage, PostState
from editorial.models import PublicationState as PS
from editorial.publishing import scheduler, sender
from tests.factories import ChannelFactory, PostFactory
from tests.graph_api import (
    CLIENT_ID,
    CLIENT_SECRET,
    IG_USER,
    PAGE,
    PAGE_TOKEN,
    GraphAPI,
    graph_error,
    now,
)
from tests.loopback import Reply
from tests.test_publishing_sender import claimed_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def graph(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CADENCE_PUBLIC_URL = "https://cadence.example.gouv.fr"
    with GraphAPI() as server:
        app = {"api_url": server.url, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
        settings.CADENCE_NETWORKS = {Network.FACEBOOK: app, Network.INSTAGRAM: app}
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
def account(dept_a, graph):
    return ChannelFactory(
        name="Préfet 67",
        network=Network.INSTAGRAM,
        department=dept_a,
        settings={"ig_user_id": IG_USER["id"], "page_id": PAGE["id"]},
        credentials={"access_token": PAGE_TOKEN},
    )


def stored(name: str, size=(1080, 1080)) -> str:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, "blue").save(buffer, "PNG")
    return default_storage.save(f"posts/{name}", ContentFile(buffer.getvalue()))


# --- a Facebook Page -------------------------------------------------------------------


def test_an_approved_post_goes_out_on_the_page(cm, head, dept_a, page, graph):
    post = claimed_post(cm, head, dept_a, [page])
    publication = post.publications.get()

    assert sender.publish(publication.pk) == PS.SENT

    publication.refresh_from_db()
    (sent,) = graph.posts
    assert sent["message"] == post.body
    assert (publication.external_id, publication.external_url) == (
        sent["id"],
        sent["permalink_url"],
    )


def test_an_expired_token_fails_the_publication_and_the_page_needs_reconnecting(
    cm, head, dept_a, page, graph
):
    post = claimed_post(cm, head, dept_a, [page])
    publication = post.publications.get()
    expired = graph_error(190, "Error validating access token: The session has been invalidated")
    graph.queue("POST", f"/{PAGE['id']}/feed", Reply(400, expired))

    assert sender.publish(publication.pk) == PS.FAILED

    publication.refresh_from_db()
    page.refresh_from_db()
    assert page.needs_reconnecting
    assert "The session has been invalidated" in render(publication.last_error)
    assert PAGE_TOKEN not in publication.last_error
    assert "needs reconnecting" in str(channel_publish_problem(page))
    flagged = AuditEntry.objects.get(action="channel_needs_reconnecting")
    assert flagged.object_id == page.pk and PAGE_TOKEN not in flagged.comment


def test_a_post_whose_answer_never_came_is_found_on_the_page_and_recorded_sent(
    cm, head, dept_a, page, graph, settings
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    post = claimed_post(cm, head, dept_a, [page])
    publication = post.publications.get()
    graph.slow_answer = 2  # the Page posts it, the answer comes too late

    assert sender.publish(publication.pk) == PS.SENT  # settled by the look-up

    (sent,) = graph.posts  # once: the look-up read, it did not post again
    publication.refresh_from_db()
    assert (publication.external_id, publication.external_url) == (
        sent["id"],
        sent["permalink_url"],
    )
    assert len(graph.requests("GET", f"/{PAGE['id']}/posts")) == 1
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHED


def test_a_post_whose_answer_never_came_and_the_page_cannot_tell_waits_for_a_person(
    cm, head, dept_a, page, graph, settings
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    post = claimed_post(cm, head, dept_a, [page])
    publication = post.publications.get()
    # The Page's 50 latest posts are all newer than the publication and none is it: it
    # may still be in Meta's queue, so no look-up can say it did not go out.
    graph.posts = [
        {"id": f"p_{n}", "message": f"Autre {n}", "created_time": now(), "permalink_url": ""}
        for n in range(50)
    ]
    graph.queue("POST", f"/{PAGE['id']}/feed", Reply(200, {"id": "late"}, delay=2))

    assert sender.publish(publication.pk) == PS.UNKNOWN

    publication.refresh_from_db()
    assert "cannot tell whether the post went out" in render(publication.last_error)
    assert len(graph.requests("POST", f"/{PAGE['id']}/feed")) == 1  # never sent again
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHING  # waits for a person


# --- Instagram -------------------------------------------------------------------


def claimed_post_with_an_image(cm, head, department, channel) -> Post:
    post = PostFactory(origin_department=department, channels=[channel])
    PostImage(post=post, image=stored("photo.png", (1080, 1080)), alt_text="Photo de groupe").save()
    # The image is part of the content the approval is bound to, as the editor keeps it.
    Post.objects.filter(pk=post.pk).update(content_hash=compute_content_hash(post))
    post.refresh_from_db()
    wf.fast_track(post, cm)
    wf.approve(post, head)
    Post.objects.filter(pk=post.pk).update(scheduled_at=timezone.now())
    assert scheduler.claim_post(post.pk) == "claimed"
    post.refresh_from_db()
    return post


def test_an_approved_post_goes_out_on_instagram(cm, head, dept_a, account, graph):
    post = claimed_post_with_an_image(cm, head, dept_a, account)
    publication = post.publications.get()

    assert sender.publish(publication.pk) == PS.SENT

    (media,) = graph.media
    assert media["caption"] == post.body
    assert media["container"]["alt_text"] == "Photo de groupe"
    publication.refresh_from_db()
    assert publication.external_url == media["permalink"]


def test_an_expired_token_fails_the_publication_and_the_account_needs_reconnecting(
    cm, head, dept_a, account, graph
):
    post = claimed_post_with_an_image(cm, head, dept_a, account)
    publication = post.publications.get()
    expired = graph_error(
        190, "Error validating access token: The user has not authorized application"
    )
    graph.queue("POST", f"/{IG_USER['id']}/media", Reply(400, expired))

    assert sender.publish(publication.pk) == PS.FAILED

    account.refresh_from_db()
    publication.refresh_from_db()
    assert account.needs_reconnecting
    assert "has not authorized application" in render(publication.last_error)
    assert PAGE_TOKEN not in publication.last_error
    assert "needs reconnecting" in str(channel_publish_problem(account))


def test_a_publish_whose_answer_never_came_is_found_by_its_caption_and_recorded_sent(
    cm, head, dept_a, account, graph, settings
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    post = claimed_post_with_an_image(cm, head, dept_a, account)
    publication = post.publications.get()
    graph.slow_answer = 2  # published, the answer comes too late

    assert sender.publish(publication.pk) == PS.SENT  # settled by the look-up

    (media,) = graph.media  # once: the look-up read, it did not publish again
    publication.refresh_from_db()
    assert (publication.external_id, publication.external_url) == (media["id"], media["permalink"])
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHED
