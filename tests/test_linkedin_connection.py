"""Connecting a LinkedIn page: the pages a member's token may publish as (the OAuth
provider's `accounts`, against LinkedIn's API and token endpoint on loopback,
tests/linkedin_api.py), and **Test connection** through the workspace's view."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from django.urls import reverse
from django.utils import timezone

from editorial.channels import adapter_for
from editorial.channels.base import CredentialsRejected
from editorial.channels.linkedin import LinkedInAdapter
from editorial.content import channel_publish_problem
from editorial.models import Channel, Network
from tests.factories import ChannelFactory
from tests.linkedin_api import CLIENT_ID, CLIENT_SECRET, CODE, ORG, TOKEN, LinkedInAPI
from tests.loopback import Reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(settings):
    with LinkedInAPI() as server:
        settings.CADENCE_NETWORKS = {"linkedin": {"api_url": server.url}}
        yield server
        assert server.refused == []


@pytest.fixture
def channel(dept_a, api):
    return ChannelFactory(
        name="Préfecture 67",
        network=Network.LINKEDIN,
        department=dept_a,
        settings={"organization_urn": ORG},
        credentials={"access_token": TOKEN},
    )


def test_checking_the_credentials_names_the_page_its_logo_and_the_tokens_expiry(channel, api):
    channel.token_expires_at = timezone.now() + dt.timedelta(days=59)
    account = adapter_for(channel).check_credentials()
    assert account.name == "Préfecture du Bas-Rhin"
    assert account.url == "https://www.linkedin.com/company/prefecture-67/"
    assert account.avatar_url == "https://media.licdn.example/C4D0BAQHlogo67"
    assert account.expires_at == channel.token_expires_at


def _test_connection(client, user, channel) -> str:
    client.force_login(user)
    return client.post(reverse("workspace-channel-test", args=[channel.pk])).content.decode()


def test_test_connection_shows_the_page_and_when_its_token_expires(client, head, channel, api):
    channel.token_expires_at = dt.datetime(2027, 1, 31, 9, 0, tzinfo=dt.UTC)
    channel.needs_reconnecting = True
    channel.save()

    page = _test_connection(client, head, channel)

    assert "It publishes as Préfecture du Bas-Rhin." in page
    assert 'src="https://media.licdn.example/C4D0BAQHlogo67"' in page
    assert "The token expires on" in page and "10:00" in page  # Paris time
    channel.refresh_from_db()
    assert not channel.needs_reconnecting


def test_test_connection_names_a_missing_permission_without_flagging(client, head, channel, api):
    denied = {"status": 403, "code": "ACCESS_DENIED", "message": "Not enough permissions"}
    api.queue("GET", "/rest/organizations/2414183", Reply(403, denied))

    page = _test_connection(client, head, channel)

    assert "The connection does not work." in page and "rw_organization_admin" in page
    assert TOKEN not in page
    channel.refresh_from_db()
    assert not channel.needs_reconnecting


def test_the_provider_lists_each_administered_page_with_the_members_tokens(api):
    provider = LinkedInAdapter.oauth
    token = {
        "access_token": TOKEN,
        "expires_in": 5_184_000,
        "refresh_token": "li-refresh-never-shown",
        "refresh_token_expires_in": 31_536_000,
    }
    before = timezone.now()

    accounts = provider.accounts(token)

    assert [(a.key, a.name) for a in accounts] == [
        ("urn:li:organization:2414183", "Préfecture du Bas-Rhin"),
        ("urn:li:organization:5515715", "Police nationale 67"),
    ]
    first = accounts[0]
    assert first.credentials == {"access_token": TOKEN, "refresh_token": "li-refresh-never-shown"}
    assert first.settings["organization_urn"] == ORG
    assert first.avatar_url == "https://media.licdn.example/C4D0BAQHlogo67"
    assert (
        before + dt.timedelta(days=60) <= first.expires_at <= timezone.now() + dt.timedelta(days=60)
    )
    assert (provider.pkce, provider.scopes) == (
        False,
        ("w_organization_social", "r_organization_social", "rw_organization_admin"),
    )


def test_a_token_from_linkedins_token_endpoint_lists_the_pages_and_refreshes(api, settings):
    settings.CADENCE_NETWORKS = {
        "linkedin": {
            "api_url": api.url,
            "token_url": f"{api.url}/oauth/v2/accessToken",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        }
    }
    provider = LinkedInAdapter.oauth
    form = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
    exchange = {
        "grant_type": "authorization_code",
        "code": CODE,
        "redirect_uri": "https://c.example/cb",
    }
    token = httpx.post(provider.endpoint("token_url"), data={**form, **exchange}).json()

    assert provider.accounts(token)[0].name == "Préfecture du Bas-Rhin"
    refresh = {"grant_type": "refresh_token", "refresh_token": token["refresh_token"]}
    fresh = httpx.post(provider.endpoint("token_url"), data={**form, **refresh}).json()
    assert fresh["access_token"] != token["access_token"]
    assert provider.accounts(fresh)[0].credentials["access_token"] == fresh["access_token"]


def test_a_refused_token_lists_no_page(api):
    with pytest.raises(CredentialsRejected):
        LinkedInAdapter.oauth.accounts({"access_token": "revoked", "expires_in": 10})


def test_a_page_is_added_with_nothing_to_type_and_is_not_connected_until_connect(
    client, head, dept_a
):
    client.force_login(head)
    data = {
        "name": "Préfecture 67",
        "network": Network.LINKEDIN,
        "handle": "prefecture-67",
        "department": str(dept_a.pk),
        "is_active": "on",
    }
    assert client.post(reverse("workspace-channel-create"), data).status_code == 302

    channel = Channel.objects.get(network=Network.LINKEDIN)
    assert "is not connected" in str(channel_publish_problem(channel))
    page = client.get(reverse("workspace-channel-edit", args=[channel.pk])).content.decode()
    assert 'data-testid="test-connection"' in page
    # What the connect flow writes from the chosen `OAuthAccount`.
    channel.settings = {"organization_urn": ORG}
    channel.set_credentials({"access_token": TOKEN})
    assert channel_publish_problem(channel) is None
