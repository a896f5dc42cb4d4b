"""**Test connection** on a channel's page: says in words whether it works and as whom,
keeps what it learned, and flags or clears needs reconnecting."""

from __future__ import annotations

import pytest
from django.urls import reverse

from editorial.models import AuditEntry, Network
from tests.factories import ChannelFactory
from tests.loopback import Reply
from tests.mastodon_instance import TOKEN, Instance

pytestmark = pytest.mark.django_db


@pytest.fixture
def instance():
    with Instance(max_characters=1000) as server:
        yield server


@pytest.fixture
def mastodon(dept_a, instance):
    return ChannelFactory(
        name="Police 33",
        network=Network.MASTODON,
        department=dept_a,
        settings={"instance_url": instance.url},
        credentials={"access_token": TOKEN},
    )


def _test(client, user, channel):
    client.force_login(user)
    return client.post(reverse("workspace-channel-test", args=[channel.pk]))


def test_a_working_connection_says_as_whom_and_keeps_the_instances_limit(client, head, mastodon):
    mastodon.needs_reconnecting = True
    mastodon.save()

    page = _test(client, head, mastodon).content.decode()

    assert "The connection works." in page
    assert "It publishes as Police nationale 33 (@police33@127.0.0.1)." in page
    assert 'src="https://files.social.example/avatars/7.png"' in page
    mastodon.refresh_from_db()
    assert mastodon.settings["max_characters"] == 1000 and mastodon.text_limit == 1000
    assert not mastodon.needs_reconnecting
    assert AuditEntry.objects.filter(action="channel_reconnected").count() == 1


def test_a_refused_token_says_why_and_flags_the_channel(client, head, mastodon, instance):
    instance.queue(
        "GET",
        "/api/v1/accounts/verify_credentials",
        Reply(401, {"error": "The access token was revoked"}),
    )

    page = _test(client, head, mastodon).content.decode()

    assert "The connection does not work." in page
    assert "The access token was revoked" in page and TOKEN not in page
    mastodon.refresh_from_db()
    assert mastodon.needs_reconnecting
    entry = AuditEntry.objects.get(action="test_channel_connection")
    assert entry.data == {"works": False} and TOKEN not in entry.comment


def test_only_those_who_manage_channels_may_test_one(client, cm, contrib_a, mastodon, instance):
    for user in (cm, contrib_a):
        assert _test(client, user, mastodon).status_code == 403
    assert instance.server.received == []


def test_the_button_is_shown_for_a_network_that_can_be_tested_only(client, head, mastodon, dept_a):
    client.force_login(head)
    log = ChannelFactory(network=Network.LOG, department=dept_a)
    page = client.get(reverse("workspace-channel-edit", args=[mastodon.pk])).content.decode()
    other = client.get(reverse("workspace-channel-edit", args=[log.pk])).content.decode()
    assert 'data-testid="test-connection"' in page
    assert 'data-testid="test-connection"' not in other
    assert client.get(reverse("workspace-channel-test", args=[mastodon.pk])).status_code == 405
