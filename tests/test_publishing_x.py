"""The publisher and an X channel (X's API on loopback): a refused token flags the
channel and fails the publication; a post whose answer never came is settled by
reading the account's posts, never by sending it blindly again (X keeps no
idempotency key)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from editorial.content import channel_publish_problem
from editorial.messages import render
from editorial.models import AuditEntry, Network, PostState, Publication
from editorial.models import PublicationState as PS
from editorial.publishing import sender
from tests.factories import ChannelFactory
from tests.loopback import Reply
from tests.test_publishing_sender import claimed_post
from tests.x_api import TOKEN, USER, XServer, problem


@pytest.fixture
def x_api(settings):
    with XServer() as server:
        settings.CADENCE_NETWORKS = {"x": {"api_url": server.url}}
        yield server


@pytest.fixture
def x_channel(dept_a, x_api):
    return ChannelFactory(
        name="Préfet 67",
        network=Network.X,
        department=dept_a,
        settings={"user_id": USER["id"], "username": USER["username"]},
        credentials={"access_token": TOKEN},
    )


def test_an_approved_post_goes_out_on_x_with_its_link(cm, head, dept_a, x_channel, x_api):
    post = claimed_post(cm, head, dept_a, [x_channel])
    publication = post.publications.get()

    assert sender.publish(publication.pk) == PS.SENT

    publication.refresh_from_db()
    [made] = x_api.posts
    assert made["sent_text"] == post.body
    assert publication.external_id == made["id"]
    assert publication.external_url == f"https://x.com/Prefet67/status/{made['id']}"
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHED


def test_an_expired_token_fails_the_publication_and_the_channel_needs_reconnecting(
    cm, head, dept_a, x_channel, x_api, client
):
    post = claimed_post(cm, head, dept_a, [x_channel])
    publication = post.publications.get()
    x_api.queue("POST", "/2/tweets", problem(401, "Unauthorized", "Unauthorized"))

    assert sender.publish(publication.pk) == PS.FAILED

    publication.refresh_from_db()
    x_channel.refresh_from_db()
    assert x_channel.needs_reconnecting
    assert "refused the credentials (401: Unauthorized)" in render(publication.last_error)
    assert TOKEN not in publication.last_error
    assert "needs reconnecting" in str(channel_publish_problem(x_channel))
    flagged = AuditEntry.objects.get(action="channel_needs_reconnecting")
    assert flagged.object_id == x_channel.pk and TOKEN not in flagged.comment
    client.force_login(head)
    listing = client.get(reverse("workspace-channels")).content.decode()
    assert 'data-testid="needs-reconnecting"' in listing


def test_a_post_whose_answer_never_came_is_found_on_the_account_and_not_sent_again(
    cm, head, dept_a, x_channel, x_api, settings
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    post = claimed_post(cm, head, dept_a, [x_channel])
    publication = post.publications.get()
    x_api.slow_answer = 2  # X makes the post, its answer comes too late

    assert sender.publish(publication.pk) == PS.SENT

    [made] = x_api.posts
    assert len(x_api.requests("/2/tweets")) == 1  # one post in public, sent once
    publication.refresh_from_db()
    assert publication.external_id == made["id"]


def test_a_post_whose_answer_never_came_and_is_not_on_the_account_is_sent_again(
    cm, head, dept_a, x_channel, x_api, settings
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    post = claimed_post(cm, head, dept_a, [x_channel])
    publication = post.publications.get()
    x_api.queue("POST", "/2/tweets", Reply(503, {}, delay=2))  # lost on X's side

    assert sender.publish(publication.pk) == "retrying"
    Publication.objects.filter(pk=publication.pk).update(not_before=None)  # back-off over
    assert sender.publish(publication.pk) == PS.SENT

    assert len(x_api.requests("/2/tweets")) == 2 and len(x_api.posts) == 1


def test_a_post_in_doubt_that_the_account_cannot_tell_is_unknown_for_a_person(
    cm, head, dept_a, x_channel, x_api, settings
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    post = claimed_post(cm, head, dept_a, [x_channel])
    publication = post.publications.get()
    x_api.slow_answer = 2
    x_api.queue("GET", f"/2/users/{USER['id']}/tweets", problem(503, "Service Unavailable", "Busy"))

    assert sender.publish(publication.pk) == PS.UNKNOWN

    publication.refresh_from_db()
    assert "503: Busy" in render(publication.last_error)
    assert len(x_api.requests("/2/tweets")) == 1  # never sent blindly again


def test_test_connection_says_as_whom_and_learns_the_account(client, head, dept_a, x_api):
    pasted = ChannelFactory(
        name="Préfet 68", network=Network.X, department=dept_a, credentials={"access_token": TOKEN}
    )
    client.force_login(head)

    page = client.post(reverse("workspace-channel-test", args=[pasted.pk])).content.decode()

    assert "The connection works." in page
    assert "Préfecture du Bas-Rhin (@Prefet67)" in page and TOKEN not in page
    pasted.refresh_from_db()
    assert pasted.settings == {"user_id": USER["id"], "username": "Prefet67"}
