"""The publisher and a Mastodon channel (an instance on loopback): a refused token
flags the channel and fails the publication; a post whose answer never came is sent
again with the same Idempotency-Key, which Mastodon answers with the status it made."""

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
from tests.mastodon_instance import TOKEN, Instance, header
from tests.test_publishing_sender import claimed_post


@pytest.fixture
def instance():
    with Instance() as server:
        yield server


@pytest.fixture
def mastodon(dept_a, instance):
    return ChannelFactory(
        name="Police 67",
        network=Network.MASTODON,
        department=dept_a,
        settings={"instance_url": instance.url},
        credentials={"access_token": TOKEN},
    )


def test_an_approved_post_goes_out_on_mastodon_with_its_link(cm, head, dept_a, mastodon, instance):
    post = claimed_post(cm, head, dept_a, [mastodon])
    publication = post.publications.get()

    assert sender.publish(publication.pk) == PS.SENT

    publication.refresh_from_db()
    status = instance.statuses[str(publication.idempotency_key)]
    assert publication.external_id == status["id"]
    assert publication.external_url == status["url"]
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHED


def test_an_expired_token_fails_the_publication_and_the_channel_needs_reconnecting(
    cm, head, dept_a, mastodon, instance, client
):
    post = claimed_post(cm, head, dept_a, [mastodon])
    publication = post.publications.get()
    instance.queue("POST", "/api/v1/statuses", Reply(401, {"error": "The access token expired"}))

    assert sender.publish(publication.pk) == PS.FAILED

    publication.refresh_from_db()
    mastodon.refresh_from_db()
    assert mastodon.needs_reconnecting
    assert "refused the credentials (401: The access token expired)" in render(
        publication.last_error
    )
    assert TOKEN not in publication.last_error
    assert "needs reconnecting" in str(channel_publish_problem(mastodon))
    flagged = AuditEntry.objects.get(action="channel_needs_reconnecting")
    assert flagged.object_id == mastodon.pk and TOKEN not in flagged.comment
    client.force_login(head)
    listing = client.get(reverse("workspace-channels")).content.decode()
    assert 'data-testid="needs-reconnecting"' in listing


def test_a_post_whose_answer_never_came_is_sent_again_with_the_same_key(
    cm, head, dept_a, mastodon, instance, settings
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    post = claimed_post(cm, head, dept_a, [mastodon])
    publication = post.publications.get()
    instance.slow_answer = 2  # the instance posts it, the answer comes too late

    assert sender.publish(publication.pk) == "retrying"
    Publication.objects.filter(pk=publication.pk).update(not_before=None)  # back-off over
    assert sender.publish(publication.pk) == PS.SENT

    keys = [header(request, "Idempotency-Key") for request in instance.posts()]
    assert keys == [str(publication.idempotency_key)] * 2
    assert len(instance.statuses) == 1  # one status in public, not two
    publication.refresh_from_db()
    assert publication.external_id == instance.statuses[keys[0]]["id"]
