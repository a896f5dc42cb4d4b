"""Connect with <network>: the OAuth 2 round trip through the workspace's views against
the loopback authorisation server, which checks the client, the redirect URI and the
PKCE verifier itself."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from editorial.channels.oauth import OAuthAccount
from editorial.models import AuditEntry, Network
from editorial.workflow.errors import ActionNotAllowed
from tests.factories import ChannelFactory, UserFactory
from tests.oauth_network import use_network
from tests.oauth_server import CLIENT_SECRET, OAuthServer, form
from workspace import oauth_flow, services

pytestmark = pytest.mark.django_db

OLD = {"access_token": "old-token-still-here", "refresh_token": "old-refresh"}


@pytest.fixture
def server(monkeypatch, settings):
    with OAuthServer() as running:
        use_network(monkeypatch, settings, running)
        yield running


@pytest.fixture
def channel(dept_a):
    return ChannelFactory(
        name="Préfecture sur X", network=Network.X, department=dept_a, credentials=OLD
    )


def start(client, channel):
    answer = client.post(reverse("workspace-channel-connect", args=[channel.pk]))
    assert answer.status_code == 302, answer.content
    return answer["Location"]


def connect(client, user, channel, server):
    client.force_login(user)
    return client.get(server.authorize(start(client, channel)), follow=True)


def messages_of(answer) -> str:
    return " ".join(str(m) for m in answer.context["messages"])


def test_one_account_is_connected_with_its_tokens_settings_and_expiry(
    client, head, channel, server
):
    channel.needs_reconnecting = True
    channel.save()

    answer = connect(client, head, channel, server)

    assert "Préfecture sur X is connected: it publishes as Préfecture de test." in messages_of(
        answer
    )
    channel.refresh_from_db()
    assert channel.credentials == {"access_token": server.issued[-1], "refresh_token": "refresh-2"}
    assert channel.settings["page_id"] == "42"
    expected = timezone.now() + dt.timedelta(seconds=server.expires_in)
    assert abs(channel.token_expires_at - expected) < dt.timedelta(seconds=30)
    assert not channel.needs_reconnecting
    entry = AuditEntry.objects.get(action="connect_channel")
    assert entry.data == {"account": "Préfecture de test"} and entry.actor == head
    dumped = json.dumps([entry.data, entry.comment])
    assert server.issued[-1] not in dumped and "refresh-2" not in dumped


def test_the_authorisation_request_carries_state_scopes_and_an_s256_challenge(
    client, head, channel, server
):
    client.force_login(head)
    asked = parse_qs(urlsplit(start(client, channel)).query)

    assert asked["response_type"] == ["code"] and asked["client_id"] == [server.client_id]
    assert asked["scope"] == ["publish read offline.access"]
    assert asked["code_challenge_method"] == ["S256"] and len(asked["state"][0]) >= 32
    assert asked["redirect_uri"] == ["http://testserver/workspace/channels/oauth/callback/"]
    assert CLIENT_SECRET not in json.dumps(asked)


def test_the_redirect_url_is_the_public_address_when_there_is_one(
    client, head, channel, server, settings
):
    settings.CADENCE_PUBLIC_URL = "https://cadence.example.gouv.fr/"
    client.force_login(head)
    asked = parse_qs(urlsplit(start(client, channel)).query)
    assert asked["redirect_uri"] == [
        "https://cadence.example.gouv.fr/workspace/channels/oauth/callback/"
    ]


def test_the_token_request_sends_the_verifier_the_server_checks(client, head, channel, server):
    client.force_login(head)
    back = server.authorize(start(client, channel))
    session = client.session
    pending = session[oauth_flow.PENDING]
    for kept in pending.values():
        kept["verifier"] = "x" * 64  # not the one the challenge was made from
    session[oauth_flow.PENDING] = pending
    session.save()

    answer = client.get(back, follow=True)

    assert "refused to give a token (invalid_grant)" in messages_of(answer)
    token_request = form(next(r for r in server.received if r.path == "/token"))
    assert token_request["code_verifier"] == "x" * 64
    channel.refresh_from_db()
    assert channel.credentials == OLD and not AuditEntry.objects.filter(action="connect_channel")


def test_a_state_this_session_did_not_start_is_refused_and_nothing_exchanged(
    client, head, channel, server
):
    client.force_login(head)
    back = server.authorize(start(client, channel))
    forged = back.replace("state=", "state=forged")

    answer = client.get(forged, follow=True)

    assert "not started here, or is too old" in messages_of(answer)
    assert not [r for r in server.received if r.path == "/token"]
    channel.refresh_from_db()
    assert channel.credentials == OLD


def test_a_state_is_good_once(client, head, channel, server):
    client.force_login(head)
    back = server.authorize(start(client, channel))
    client.get(back)
    assert "not started here" in messages_of(client.get(back, follow=True))


def test_a_stale_authorisation_is_refused(client, head, channel, server, monkeypatch):
    client.force_login(head)
    back = server.authorize(start(client, channel))
    later = oauth_flow.time.time() + oauth_flow.LIFETIME_SECONDS + 1
    monkeypatch.setattr(oauth_flow.time, "time", lambda: later)
    assert "too old" in messages_of(client.get(back, follow=True))


def test_a_person_who_says_no_changes_nothing(client, head, channel, server):
    server.deny_next()
    answer = connect(client, head, channel, server)

    assert "X was not authorised: nothing changed on the channel." in messages_of(answer)
    assert answer.redirect_chain[-1][0] == reverse("workspace-channel-edit", args=[channel.pk])
    channel.refresh_from_db()
    assert channel.credentials == OLD and not AuditEntry.objects.filter(action="connect_channel")


def test_a_token_endpoint_refusal_is_said_in_words(client, head, channel, server):
    server.refuse_next(400, "invalid_grant")
    answer = connect(client, head, channel, server)
    assert "X refused to give a token (invalid_grant): nothing changed." in messages_of(answer)
    channel.refresh_from_db()
    assert channel.credentials == OLD


def test_a_network_refusing_to_list_the_accounts_is_said_in_words(client, head, channel, server):
    server.refuse_accounts_next()
    answer = connect(client, head, channel, server)
    assert "X (X) answered 403: insufficient_scope" in messages_of(answer)
    channel.refresh_from_db()
    assert channel.credentials == OLD


def test_several_accounts_wait_for_a_choice(client, head, channel, server):
    server.accounts = [
        {"id": "1", "name": "Préfecture du Bas-Rhin", "avatar": "https://cdn.network.example/1"},
        {"id": "2", "name": "Sous-préfecture de Saverne", "avatar": ""},
    ]
    answer = connect(client, head, channel, server)
    # Its avatar, from the network's own site: this page's policy lets that one in.
    assert 'src="https://cdn.network.example/1"' in answer.content.decode()
    images = next(p for p in answer["Content-Security-Policy"].split(";") if "img-src" in p)
    assert "https://cdn.network.example" in images and "'self'" in images

    assert answer.redirect_chain[-1][0] == reverse("workspace-oauth-choose")
    page = answer.content.decode()
    assert "Préfecture du Bas-Rhin" in page and "Sous-préfecture de Saverne" in page
    assert server.issued[-1] not in page and server.issued[-1] not in str(dict(client.session))
    channel.refresh_from_db()
    assert channel.credentials == OLD  # nothing until chosen

    unchosen = client.post(reverse("workspace-oauth-choose"))
    assert unchosen.status_code == 400
    assert "Choose one of the accounts." in unchosen.content.decode()

    client.post(reverse("workspace-oauth-choose"), {"account": "2"})
    channel.refresh_from_db()
    assert channel.settings["page_id"] == "2"
    assert channel.credentials["access_token"] == server.issued[-1]
    assert AuditEntry.objects.get(action="connect_channel").data == {
        "account": "Sous-préfecture de Saverne"
    }
    # Chosen once: the choice is gone.
    again = client.post(reverse("workspace-oauth-choose"), {"account": "1"}, follow=True)
    assert "No account is waiting" in messages_of(again)


def test_a_network_without_its_application_says_so(client, head, channel, server, settings):
    settings.CADENCE_NETWORKS = {}
    client.force_login(head)
    answer = client.post(reverse("workspace-channel-connect", args=[channel.pk]), follow=True)
    assert "CADENCE_X_CLIENT_ID" in messages_of(answer)


def test_only_channel_managers_may_connect_a_channel_that_exists(
    client, contrib_a, head, channel, server
):
    client.force_login(contrib_a)
    assert client.post(reverse("workspace-channel-connect", args=[channel.pk])).status_code == 403
    assert client.get(reverse("workspace-oauth-callback")).status_code == 403
    client.force_login(head)
    assert client.post(reverse("workspace-channel-connect", args=[999])).status_code == 404
    assert server.received == []


def test_the_service_refuses_a_channel_outside_the_persons_departments(dept_b, channel):
    # Channel managers are national today; a department's own manager would see only
    # their department (what `department_ids_of` says, cached on the user).
    manager = UserFactory(username="head13", role=Role.HEAD_OF_COMMUNICATION, department=dept_b)
    manager._cadence_department_ids = frozenset({dept_b.pk})
    account = OAuthAccount(key="1", name="Autre", credentials={"access_token": "t"})
    with pytest.raises(ActionNotAllowed):
        services.connect_channel(manager, channel, account)
    channel.refresh_from_db()
    assert channel.credentials == OLD


def test_a_callback_meant_for_another_person_is_refused(client, head, admin_user, channel, server):
    client.force_login(head)
    back = server.authorize(start(client, channel))
    client.force_login(admin_user)  # another session: it never started this
    assert "not started here" in messages_of(client.get(back, follow=True))
    channel.refresh_from_db()
    assert channel.credentials == OLD


def test_the_channel_page_offers_the_button_and_lets_the_form_go_to_the_network(
    client, head, channel, server
):
    client.force_login(head)
    answer = client.get(reverse("workspace-channel-edit", args=[channel.pk]))
    assert "Connect with X" in answer.content.decode()
    policy = answer["Content-Security-Policy"]
    form_action = next(p for p in policy.split(";") if "form-action" in p)
    assert server.url in form_action and "'self'" in form_action
