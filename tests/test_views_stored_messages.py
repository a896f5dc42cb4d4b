"""What the publisher stored for people to read (a hold reason, a channel's error) shows
in each reader's language: English for one, French for another, from the same row."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from editorial import workflow as wf
from editorial.models import Channel, Network, Post, PublicationState
from editorial.publishing import scheduler, sender
from tests.factories import ChannelFactory, PostFactory

HELD_EN = "Publishing is paused: Attentat : communication suspendue"
HELD_FR = "Les publications sont suspendues : Attentat : communication suspendue"
FAILED_EN = "cannot publish: no connector for Facebook Page yet."
FAILED_FR = "ne peut pas publier : pas encore de connecteur pour Page Facebook."


def _due(cm, head, department, channels, title) -> Post:
    post = PostFactory(title=title, origin_department=department, channels=channels)
    wf.fast_track(post, cm)
    wf.approve(post, head)
    Post.objects.filter(pk=post.pk).update(scheduled_at=timezone.now())
    return post


@pytest.fixture
def held(cm, head, dept_a, channel_a):
    """Held by the scheduler for a pause (no language: a worker)."""
    post = _due(cm, head, dept_a, [channel_a], "Held one")
    wf.pause_publishing(head, "Attentat : communication suspendue")
    assert scheduler.claim_post(post.pk) == "held"
    post.refresh_from_db()
    return post


@pytest.fixture
def failed(cm, head, dept_a, facebook_without_connector):
    """Refused by a network Cadence has no adapter for: the channel was switched to it
    after the approval (the review refuses such a channel before)."""
    channel = ChannelFactory(name="Police 67", network=Network.LOG, department=dept_a)
    post = _due(cm, head, dept_a, [channel], "Failed one")
    Channel.objects.filter(pk=channel.pk).update(network=Network.FACEBOOK)
    assert scheduler.claim_post(post.pk) == "claimed"
    assert sender.publish(post.publications.get().pk) == PublicationState.FAILED
    return post


def _page(client, user, url, *, cookie=None) -> str:
    client.force_login(user)
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    if cookie:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
    return client.get(url).content.decode().replace("\xa0", " ")


@pytest.mark.parametrize(
    ("language", "expected", "other"),
    [({"cookie": "en"}, HELD_EN, HELD_FR), ({"cookie": "fr"}, HELD_FR, HELD_EN)],
)
def test_a_hold_reason_shows_in_the_readers_language_on_every_page(
    client, head, held, language, expected, other
):
    for url in (reverse("post-detail", args=[held.pk]), reverse("crisis"), reverse("inbox")):
        page = _page(client, head, url, **language)
        assert expected in page, url
        assert other not in page and '{"code"' not in page, url


@pytest.mark.parametrize(
    ("language", "expected", "other"),
    [
        ({"cookie": "en"}, FAILED_EN, FAILED_FR),
        ({"cookie": "fr"}, FAILED_FR, FAILED_EN),
    ],
)
def test_a_channels_error_shows_in_the_readers_language_with_its_history(
    client, cm, failed, language, expected, other
):
    page = _page(client, cm, reverse("post-detail", args=[failed.pk]), **language)
    assert page.count(expected) == 2  # the publication's error, and its history entry
    assert other not in page and '{"code"' not in page


def test_the_admin_shows_a_stored_error_in_the_readers_language(client, admin_user, failed):
    admin_user.is_superuser = True
    admin_user.save()
    publication = failed.publications.get()
    url = reverse("admin:editorial_publication_change", args=[publication.pk])
    assert FAILED_FR in _page(client, admin_user, url, cookie="fr")
    assert FAILED_EN in _page(client, admin_user, url, cookie="en")


def test_a_row_written_before_codes_existed_shows_its_text(client, head, held):
    Post.objects.filter(pk=held.pk).update(held_reason="Retenue : crise en cours.")
    page = _page(client, head, reverse("post-detail", args=[held.pk]), cookie="en")
    assert "Retenue : crise en cours." in page
