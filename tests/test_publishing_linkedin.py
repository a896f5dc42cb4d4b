"""The publisher and a LinkedIn page (LinkedIn's API on loopback): a refused token flags
the channel and fails the publication; a post whose answer never came is settled by
reading the page's posts — found: sent, never posted twice; absent: sent again; the
look-up failing too: unknown, for a person."""

from __future__ import annotations

import pytest
from django.urls import reverse

from editorial.content import channel_publish_problem
from editorial.messages import render
from editorial.models import AuditEntry, Network, PostState, Publication
from editorial.models import PublicationState as PS
from editorial.publishing import sender
from tests.factories import ChannelFactory
from tests.linkedin_api import ORG, TOKEN, LinkedInAPI
from tests.loopback import Reply
from tests.test_publishing_sender import claimed_post


@pytest.fixture
def api(settings):
    with LinkedInAPI() as server:
        settings.CADENCE_NETWORKS = {"linkedin": {"api_url": server.url}}
        yield server
        assert server.refused == []


@pytest.fixture
def linkedin(dept_a, api):
    return ChannelFactory(
        name="Préfecture 67",
        network=Network.LINKEDIN,
        department=dept_a,
        settings={"organization_urn": ORG},
        credentials={"access_token": TOKEN},
    )


def test_an_approved_post_goes_out_on_the_page_with_its_link(cm, head, dept_a, linkedin, api):
    post = claimed_post(cm, head, dept_a, [linkedin])
    publication = post.publications.get()

    assert sender.publish(publication.pk) == PS.SENT

    publication.refresh_from_db()
    assert publication.external_id == api.posts[0]["id"]
    assert publication.external_url == f"https://www.linkedin.com/feed/update/{api.posts[0]['id']}/"
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHED


def test_an_expired_token_fails_the_publication_and_the_channel_needs_reconnecting(
    cm, head, dept_a, linkedin, api, client
):
    post = claimed_post(cm, head, dept_a, [linkedin])
    publication = post.publications.get()
    expired = {
        "status": 401,
        "serviceErrorCode": 65602,
        "message": "The token used in the request has expired",
    }
    api.queue("POST", "/rest/posts", Reply(401, expired))

    assert sender.publish(publication.pk) == PS.FAILED

    publication.refresh_from_db()
    linkedin.refresh_from_db()
    assert linkedin.needs_reconnecting
    assert "refused the credentials (401: The token used in the request has expired" in render(
        publication.last_error
    )
    assert TOKEN not in publication.last_error
    assert "needs reconnecting" in str(channel_publish_problem(linkedin))
    flagged = AuditEntry.objects.get(action="channel_needs_reconnecting")
    assert flagged.object_id == linkedin.pk and TOKEN not in flagged.comment
    client.force_login(head)
    listing = client.get(reverse("workspace-channels")).content.decode()
    assert 'data-testid="needs-reconnecting"' in listing


def test_a_post_whose_answer_never_came_is_found_on_the_page_and_recorded_sent_once(
    cm, head, dept_a, linkedin, api, settings
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    post = claimed_post(cm, head, dept_a, [linkedin])
    publication = post.publications.get()
    api.slow_answer = 1  # LinkedIn posts it, the answer comes too late

    assert sender.publish(publication.pk) == PS.SENT  # settled by reading the page

    assert len(api.post_requests()) == 1 and len(api.posts) == 1  # one post in public
    publication.refresh_from_db()
    assert publication.external_id == api.posts[0]["id"]


def test_a_post_that_never_reached_the_page_is_sent_again(
    cm, head, dept_a, linkedin, api, settings
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    post = claimed_post(cm, head, dept_a, [linkedin])
    publication = post.publications.get()
    api.queue("POST", "/rest/posts", Reply(201, {}, delay=1))  # an answer, and no post made

    assert sender.publish(publication.pk) == "retrying"  # not on the page: safe to send
    Publication.objects.filter(pk=publication.pk).update(not_before=None)  # back-off over
    assert sender.publish(publication.pk) == PS.SENT
    assert len(api.posts) == 1


def test_when_the_page_cannot_be_read_either_a_person_checks(
    cm, head, dept_a, linkedin, api, settings
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    post = claimed_post(cm, head, dept_a, [linkedin])
    publication = post.publications.get()
    api.slow_answer = 1
    api.queue("GET", "/rest/posts", Reply(500, {"status": 500, "message": "Internal Server Error"}))

    assert sender.publish(publication.pk) == PS.UNKNOWN

    publication.refresh_from_db()
    words = render(publication.last_error)
    assert "No answer from Préfecture 67" in words and "failed too" in words
    assert len(api.posts) == 1  # it did go out: nothing sent again
