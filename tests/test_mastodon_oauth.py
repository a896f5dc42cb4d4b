"""Connect with Mastodon: Cadence registers itself on the channel's instance, the
instance's OAuth authorisation (PKCE S256) gives a token, and the channel publishes
with it — against the loopback instance (tests/mastodon_instance.py), which checks the
application, the redirect URI and the verifier itself. A pasted token keeps working."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.urls import reverse

from editorial.models import AuditEntry, Channel, Network
from tests.factories import ChannelFactory
from tests.mastodon_instance import TOKEN, Instance
from workspace import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def instance():
    with Instance() as server:
        yield server


@pytest.fixture
def channel(dept_a, instance):
    return ChannelFactory(
        name="Police 33",
        network=Network.MASTODON,
        department=dept_a,
        settings={"instance_url": instance.url},
    )


def connect(client, channel):
    start = client.post(reverse("workspace-channel-connect", args=[channel.pk]))
    assert start.status_code == 302, start.content
    back = httpx.get(start["Location"], follow_redirects=False, timeout=5)
    assert back.status_code == 302
    return start["Location"], client.get(back.headers["Location"], follow=True)


def test_a_channel_is_connected_through_its_instances_oauth_and_then_works(
    client, head, channel, instance
):
    client.force_login(head)

    authorize, answer = connect(client, channel)

    registered = next(r for r in instance.server.received if r.path == "/api/v1/apps")
    assert registered.body["scopes"] == "write:statuses write:media read:accounts"
    assert registered.body["redirect_uris"] == (
        "http://testserver/workspace/channels/oauth/callback/"
    )
    asked = parse_qs(urlsplit(authorize).query)
    assert authorize.startswith(f"{instance.url}/oauth/authorize?")
    assert asked["code_challenge_method"] == ["S256"]
    assert asked["scope"] == ["write:statuses write:media read:accounts"]
    assert "Police 33 is connected: it publishes as Police nationale 33 (@police33@127.0.0.1)." in (
        answer.content.decode()
    )
    channel.refresh_from_db()
    token = channel.credentials["access_token"]
    assert token.startswith("oauth-token-") and token in instance.tokens
    assert channel.token_expires_at is None  # Mastodon's tokens do not expire
    app = instance.apps[channel.credentials["oauth_client_id"]]
    assert channel.credentials["oauth_client_secret"] == app["client_secret"]
    entry = AuditEntry.objects.get(action="connect_channel")
    assert entry.data == {"account": "Police nationale 33 (@police33@127.0.0.1)"}
    assert token not in json.dumps(entry.data) and app["client_secret"] not in entry.comment
    assert services.test_connection(head, channel).works


def test_the_application_is_registered_once_per_instance_and_address(
    client, head, channel, instance
):
    client.force_login(head)
    connect(client, channel)
    connect(client, channel)
    assert len(instance.apps) == 1

    channel.refresh_from_db()
    with Instance() as elsewhere:
        channel.settings = {"instance_url": elsewhere.url}
        channel.save()
        connect(client, channel)
        assert len(elsewhere.apps) == 1


def test_a_revoked_token_fails_the_test_and_flags_the_channel(client, head, channel, instance):
    client.force_login(head)
    connect(client, channel)
    instance.revoke_all()

    channel.refresh_from_db()
    result = services.test_connection(head, channel)

    assert not result.works and "The access token is invalid" in result.problem
    channel.refresh_from_db()
    assert channel.needs_reconnecting


def test_refusing_on_the_instance_changes_nothing(client, head, channel, instance):
    client.force_login(head)
    instance.deny_next()
    _, answer = connect(client, channel)
    assert "Mastodon was not authorised: nothing changed on the channel." in answer.content.decode()
    channel.refresh_from_db()
    assert "access_token" not in channel.credentials


def test_a_channel_without_its_instance_saved_cannot_start(client, head, dept_a, instance):
    bare = ChannelFactory(network=Network.MASTODON, department=dept_a)
    client.force_login(head)
    page = client.get(reverse("workspace-channel-edit", args=[bare.pk])).content.decode()
    assert 'data-testid="oauth-connect"' not in page
    answer = client.post(reverse("workspace-channel-connect", args=[bare.pk]), follow=True)
    said = " ".join(str(m) for m in answer.context["messages"])
    assert "Enter the instance's address and save the channel first." in said
    assert instance.server.received == []


def test_a_new_channel_is_saved_with_its_instance_alone_then_connected(
    client, head, dept_a, instance
):
    client.force_login(head)
    data = {
        "name": "Police 33",
        "network": Network.MASTODON,
        "handle": "@police33",
        "instance_url": instance.url,
        "department": str(dept_a.pk),
        "is_active": "on",
    }
    assert client.post(reverse("workspace-channel-create"), data).status_code == 302
    channel = Channel.objects.get()
    page = client.get(reverse("workspace-channel-edit", args=[channel.pk]))
    assert 'data-testid="oauth-connect">Connect with Mastodon<' in page.content.decode()
    assert instance.url in page["Content-Security-Policy"]

    connect(client, channel)

    channel.refresh_from_db()
    assert channel.credentials["access_token"] in instance.tokens


def test_a_pasted_token_still_works_and_keeps_the_registered_application(
    client, head, channel, instance
):
    client.force_login(head)
    connect(client, channel)
    channel.refresh_from_db()
    client_id = channel.credentials["oauth_client_id"]
    data = {
        "name": channel.name,
        "network": Network.MASTODON,
        "handle": channel.handle,
        "instance_url": instance.url,
        "access_token": TOKEN,
        "department": str(channel.department_id),
        "is_active": "on",
    }

    edit = reverse("workspace-channel-edit", args=[channel.pk])
    assert client.post(edit, data).status_code == 302

    channel.refresh_from_db()
    assert channel.credentials["access_token"] == TOKEN
    assert channel.credentials["oauth_client_id"] == client_id
    assert services.test_connection(head, channel).works
