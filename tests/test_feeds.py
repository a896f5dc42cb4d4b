"""The public Atom feed of an "atom" channel, read back with a real feed parser."""

from __future__ import annotations

import calendar
import datetime

import feedparser
import pytest
from django.urls import path, reverse
from django.utils import timezone

from editorial import feeds
from editorial.channels.atom import entry_id
from editorial.feeds import channel_atom_feed
from editorial.models import Network, PostVariant, Publication, PublicationState
from tests.factories import ChannelFactory, PostFactory

urlpatterns = [
    path("feeds/<int:channel_id>/atom.xml", channel_atom_feed, name="channel-atom-feed"),
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.test_feeds")]

SENT_AT = datetime.datetime(2026, 11, 24, 9, 30, tzinfo=datetime.UTC)


@pytest.fixture
def atom(dept_a):
    return ChannelFactory(
        name="Police 67 — actualités",
        network=Network.ATOM,
        handle="police67-atom",
        department=dept_a,
    )


def publish(
    channel,
    *,
    body="Conseils de prévention.",
    sent_at=SENT_AT,
    state=PublicationState.SENT,
    **post_fields,
) -> Publication:
    """A post that went out on `channel`, made straight in the database (the publisher
    is tested elsewhere)."""
    post = PostFactory(
        body=body, channels=[channel], origin_department=channel.department, **post_fields
    )
    sent = state == PublicationState.SENT
    publication = Publication.objects.create(
        post=post,
        channel=channel,
        state=state,
        content_hash=post.content_hash,
        sent_at=sent_at if sent else None,
    )
    if sent:
        publication.external_id = entry_id(publication.pk, sent_at.year)
        publication.save(update_fields=["external_id"])
    return publication


def fetch(client, channel):
    return client.get(reverse("channel-atom-feed", kwargs={"channel_id": channel.pk}))


def parse(response) -> feedparser.FeedParserDict:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def test_the_feed_is_valid_atom_with_each_sent_publication_as_an_entry(client, atom):
    publication = publish(
        atom,
        body="Bonne année !\nSoyez prudents sur la route & ailleurs.",
        title="INTERNE : à valider avec le cabinet",
    )

    parsed = parse(fetch(client, atom))

    assert parsed.feed.title == "Police 67 — actualités"
    assert parsed.feed.author == "DDSP 67 Bas-Rhin"
    [entry] = parsed.entries
    assert entry.id == publication.external_id
    assert entry.title == "Bonne année !"
    assert entry.content[0].type == "text/plain"
    assert entry.content[0].value == "Bonne année !\nSoyez prudents sur la route & ailleurs."
    assert calendar.timegm(entry.updated_parsed) == SENT_AT.timestamp()
    assert calendar.timegm(entry.published_parsed) == SENT_AT.timestamp()
    assert entry.link == f"http://testserver/feeds/{atom.pk}/atom.xml#publication-{publication.pk}"


def test_the_internal_title_of_a_post_is_never_published(client, atom):
    publish(atom, title="INTERNE : à valider avec le cabinet")

    response = fetch(client, atom)

    assert "INTERNE" not in response.content.decode()


def test_an_entry_carries_the_channels_variant_when_there_is_one(client, atom):
    publication = publish(atom, body="Texte principal.")
    PostVariant.objects.create(post=publication.post, channel=atom, body="Texte du flux.")

    [entry] = parse(fetch(client, atom)).entries

    assert entry.content[0].value == "Texte du flux."


def test_entries_are_newest_first_and_at_most_fifty(client, atom, monkeypatch):
    monkeypatch.setattr(feeds, "MAX_ENTRIES", 2)
    for hours, body in [(0, "oldest"), (2, "newest"), (1, "middle")]:
        publish(atom, body=body, sent_at=SENT_AT + datetime.timedelta(hours=hours))

    entries = parse(fetch(client, atom)).entries

    assert [entry.content[0].value for entry in entries] == ["newest", "middle"]


@pytest.mark.parametrize(
    "state",
    [
        PublicationState.QUEUED,
        PublicationState.SENDING,
        PublicationState.RETRYING,
        PublicationState.UNKNOWN,
        PublicationState.FAILED,
    ],
)
def test_a_post_not_yet_sent_never_appears(client, atom, state):
    publish(atom, body="Déjà en ligne.")
    publish(atom, body="SECRET pas encore publié", title="SECRET interne", state=state)

    response = fetch(client, atom)

    assert len(parse(response).entries) == 1
    assert "SECRET" not in response.content.decode()


def test_a_post_sent_on_another_channel_does_not_appear(client, atom, dept_a):
    other = ChannelFactory(network=Network.ATOM, department=dept_a)
    publish(other, body="Ailleurs seulement.")

    response = fetch(client, atom)

    assert parse(response).entries == []
    assert "Ailleurs" not in response.content.decode()


def test_a_channel_that_is_not_an_atom_feed_has_no_feed(client, dept_a):
    mastodon = ChannelFactory(network=Network.MASTODON, department=dept_a)
    publish(mastodon)

    assert fetch(client, mastodon).status_code == 404


def test_an_inactive_atom_channel_has_no_feed(client, atom):
    publish(atom)
    atom.is_active = False
    atom.save()

    assert fetch(client, atom).status_code == 404


def test_a_channel_that_does_not_exist_has_no_feed(client):
    assert client.get("/feeds/999999/atom.xml").status_code == 404


def test_the_feed_is_public(client, atom):
    publish(atom)
    client.logout()

    assert fetch(client, atom).status_code == 200


def test_a_control_character_in_a_text_does_not_take_the_feed_down(client, atom):
    publish(atom, body="Avant\x0bAprès")

    [entry] = parse(fetch(client, atom)).entries

    assert entry.content[0].value == "AvantAprès"


def test_a_sent_publication_without_an_external_id_still_has_a_stable_id(client, atom):
    publication = publish(atom)
    Publication.objects.filter(pk=publication.pk).update(external_id="")

    [entry] = parse(fetch(client, atom)).entries

    assert entry.id == entry_id(publication.pk, SENT_AT.year)


@pytest.mark.parametrize("count", [1, 20])
def test_the_feed_costs_the_same_queries_for_one_entry_or_twenty(
    client, atom, count, django_assert_num_queries
):
    for n in range(count):
        publication = publish(atom, sent_at=timezone.now() - datetime.timedelta(minutes=n))
        if n % 2:  # half of them with a variant, which must come prefetched too
            PostVariant.objects.create(post=publication.post, channel=atom, body=f"v{n}")

    # The channel; the publications with their posts; this channel's variants.
    with django_assert_num_queries(3):
        response = fetch(client, atom)

    assert len(parse(response).entries) == count
