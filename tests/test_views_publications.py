"""Settling an unknown outcome in the web interface: the inbox tells the people who run
the accounts, the post's page lets them say what they found on the network."""

import pytest
from django.urls import reverse

from editorial.models import PostState, PublicationState
from tests.factories import ChannelFactory
from tests.refusals import refused_page
from tests.test_publishing_sender import claimed_post

PS = PublicationState


@pytest.fixture
def unknown(cm, head, dept_a):
    """A post publishing on two channels: one sent, the other's outcome unknown."""
    sent, lost = ChannelFactory(department=dept_a), ChannelFactory(department=dept_a)
    post = claimed_post(cm, head, dept_a, [sent, lost])
    post.publications.filter(channel=sent).update(state=PS.SENT)
    post.publications.filter(channel=lost).update(
        state=PS.UNKNOWN, last_error="No answer after sending."
    )
    return post, post.publications.get(channel=lost)


def outcome_url(publication) -> str:
    return reverse("publication-resolve", args=[publication.post_id, publication.pk])


def test_the_inbox_tells_the_community_manager_and_the_header_counts_it(client, cm, unknown):
    post, publication = unknown
    client.force_login(cm)
    page = client.get(reverse("inbox")).content.decode()
    assert 'data-testid="unknown-outcome"' in page
    assert str(publication.channel) in page
    assert reverse("post-detail", args=[post.pk]) in page
    assert 'data-testid="awaiting-count">1<' in page.replace(" ", "")


def test_a_contributor_is_not_asked_and_sees_no_form(client, writer_a, unknown):
    post, publication = unknown
    client.force_login(writer_a)
    assert 'data-testid="unknown-outcome"' not in client.get(reverse("inbox")).content.decode()
    page = client.get(reverse("post-detail", args=[post.pk])).content.decode()
    assert f'data-testid="outcome-{publication.pk}"' not in page
    assert "No answer after sending." in page  # but they see what happened


def test_someone_who_found_it_on_the_network_records_it_and_the_post_is_published(
    client, cm, unknown
):
    post, publication = unknown
    client.force_login(cm)
    page = client.get(reverse("post-detail", args=[post.pk])).content.decode()
    assert f'data-testid="outcome-{publication.pk}"' in page
    url = "https://social.example/@police/7"
    response = client.post(outcome_url(publication), {"outcome": "sent", "url": url})
    assert response.status_code == 302
    publication.refresh_from_db()
    post.refresh_from_db()
    assert (publication.state, publication.external_url) == (PS.SENT, url)
    assert post.state == PostState.PUBLISHED
    history = client.get(reverse("post-detail", args=[post.pk])).content.decode()
    assert f"Found on {publication.channel}: recorded as sent" in history
    assert cm.username in history


def test_a_publication_not_found_on_the_network_is_sent_again(client, head, unknown):
    _post, publication = unknown
    client.force_login(head)
    response = client.post(outcome_url(publication), {"outcome": "resend"})
    assert response.status_code == 302
    publication.refresh_from_db()
    assert (publication.state, publication.last_error) == (PS.QUEUED, "")


def test_a_malformed_address_is_refused_and_kept_as_typed(client, cm, unknown):
    _post, publication = unknown
    client.force_login(cm)
    response = client.post(outcome_url(publication), {"outcome": "sent", "url": "pas une url"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="pas une url"' in page
    assert "errorlist" in page
    publication.refresh_from_db()
    assert publication.state == PS.UNKNOWN


def test_a_contributor_who_posts_anyway_is_refused_with_the_reason(client, writer_a, unknown):
    _post, publication = unknown
    client.force_login(writer_a)
    response = client.post(outcome_url(publication), {"outcome": "sent"})
    back = reverse("post-detail", args=[publication.post_id])
    assert "may do this" in refused_page(client, response, back)
    publication.refresh_from_db()
    assert publication.state == PS.UNKNOWN


def test_a_second_answer_for_a_settled_publication_is_a_conflict(client, cm, head, unknown):
    _post, publication = unknown
    client.force_login(cm)
    assert client.post(outcome_url(publication), {"outcome": "sent"}).status_code == 302
    client.force_login(head)
    response = client.post(outcome_url(publication), {"outcome": "resend"})
    back = reverse("post-detail", args=[publication.post_id])
    assert "no longer unknown" in refused_page(client, response, back)
    publication.refresh_from_db()
    assert publication.state == PS.SENT


def test_another_departments_post_is_not_found(client, contrib_b, unknown):
    _post, publication = unknown
    client.force_login(contrib_b)
    assert client.post(outcome_url(publication), {"outcome": "sent"}).status_code == 404
