"""OAuth tokens are refreshed before they expire (the beat task), and just before a
publish when one has (`OAuthProvider.fresh_access_token`); a refresh the network refuses
flags the channel needs reconnecting, one it could not answer is tried again."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from editorial.channels.base import CredentialsRejected, TransientError
from editorial.models import AuditEntry, Channel, Network
from editorial.publishing import tokens
from editorial.tasks import refresh_channel_tokens
from tests.factories import ChannelFactory
from tests.loopback import Reply
from tests.oauth_network import LoopbackNetworkAdapter, use_network
from tests.oauth_server import OAuthServer, form

pytestmark = pytest.mark.django_db


@pytest.fixture
def server(monkeypatch, settings):
    settings.OAUTH_REFRESH_MARGIN_MINUTES = 30
    with OAuthServer(expires_in=7200) as running:
        use_network(monkeypatch, settings, running)
        yield running


def connected(department, server, *, expires_in: dt.timedelta, name: str = "X 67"):
    """A channel holding a refresh token the server issued."""
    issued = server.issue()
    return ChannelFactory(
        name=name,
        network=Network.X,
        department=department,
        credentials={key: issued[key] for key in ("access_token", "refresh_token")},
        token_expires_at=timezone.now() + expires_in,
    )


def refresh_requests(server) -> list[dict]:
    return [form(r) for r in server.received if r.path == "/token"]


def test_a_token_about_to_expire_is_refreshed_and_one_far_from_it_left_alone(dept_a, server):
    soon = connected(dept_a, server, expires_in=dt.timedelta(minutes=10), name="Bientôt")
    later = connected(dept_a, server, expires_in=dt.timedelta(hours=2), name="Plus tard")
    old_refresh = soon.credentials["refresh_token"]

    assert tokens.refresh_due() == {"refreshed": 1}

    soon.refresh_from_db()
    assert soon.credentials["access_token"] == server.issued[-1]
    assert soon.credentials["refresh_token"] != old_refresh  # rotated, the new one kept
    expected = timezone.now() + dt.timedelta(seconds=7200)
    assert abs(soon.token_expires_at - expected) < dt.timedelta(seconds=30)
    sent = refresh_requests(server)
    assert len(sent) == 1 and sent[0]["grant_type"] == "refresh_token"
    assert sent[0]["refresh_token"] == old_refresh and sent[0]["client_id"] == server.client_id
    untouched = later.credentials
    later.refresh_from_db()
    assert later.credentials == untouched
    # Refreshed, it is no longer due.
    assert tokens.refresh_due() == {}


@pytest.mark.parametrize(("status", "error"), [(400, "invalid_grant"), (401, "invalid_client")])
def test_a_refused_refresh_flags_the_channel_and_says_why_without_a_secret(
    dept_a, server, status, error
):
    channel = connected(dept_a, server, expires_in=dt.timedelta(minutes=5))
    secret = channel.credentials["refresh_token"]
    server.refuse_next(status, error)

    assert tokens.refresh_due() == {"refused": 1}

    channel.refresh_from_db()
    assert channel.needs_reconnecting
    entry = AuditEntry.objects.get(action="channel_needs_reconnecting")
    assert error in entry.comment and secret not in entry.comment
    # Flagged, it is not asked again: only someone connecting it again helps.
    assert tokens.refresh_due() == {}
    assert len(refresh_requests(server)) == 1


def test_a_refresh_the_network_could_not_answer_is_tried_again(dept_a, server):
    channel = connected(dept_a, server, expires_in=dt.timedelta(minutes=5))
    server.server.respond = lambda request: Reply(503, text="Service Unavailable")

    assert tokens.refresh_due() == {"failed": 1}
    channel.refresh_from_db()
    assert not channel.needs_reconnecting

    server.server.respond = server
    assert tokens.refresh_due() == {"refreshed": 1}


def test_an_expired_token_without_a_refresh_token_needs_reconnecting(dept_a, server):
    channel = ChannelFactory(
        network=Network.X,
        department=dept_a,
        credentials={"access_token": "long-lived"},
        token_expires_at=timezone.now() - dt.timedelta(minutes=1),
    )
    assert tokens.refresh_due() == {"refused": 1}
    channel.refresh_from_db()
    assert channel.needs_reconnecting and server.received == []


def test_the_beat_task_is_scheduled_and_runs_the_sweep(dept_a, server):
    scheduled = [
        entry
        for entry in django_settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "editorial.refresh_channel_tokens"
    ]
    assert scheduled and scheduled[0]["schedule"] == django_settings.OAUTH_REFRESH_SWEEP_SECONDS
    connected(dept_a, server, expires_in=dt.timedelta(minutes=1))
    assert refresh_channel_tokens.apply().get() == {"refreshed": 1}


# --- just before a publish ------------------------------------------------------------


def test_a_fresh_token_is_used_as_it_is(dept_a, server):
    channel = connected(dept_a, server, expires_in=dt.timedelta(hours=1))
    token = channel.credentials["access_token"]
    assert LoopbackNetworkAdapter.oauth.fresh_access_token(channel) == token
    assert server.received == []


def test_an_expired_token_is_refreshed_before_the_publish(dept_a, server):
    channel = connected(dept_a, server, expires_in=-dt.timedelta(minutes=3))

    token = LoopbackNetworkAdapter.oauth.fresh_access_token(channel)

    assert token == server.issued[-1]
    assert channel.token_expires_at > timezone.now()  # the caller's object too
    channel.refresh_from_db()
    assert channel.credentials["access_token"] == token


def test_an_expired_token_the_network_will_not_renew_is_rejected_credentials(dept_a, server):
    channel = connected(dept_a, server, expires_in=-dt.timedelta(minutes=3))
    server.refuse_next(400, "invalid_grant")
    with pytest.raises(CredentialsRejected) as refused:
        LoopbackNetworkAdapter.oauth.fresh_access_token(channel)
    assert "invalid_grant" in str(refused.value)


def test_an_expired_token_that_could_not_be_renewed_now_is_a_passing_failure(dept_a, server):
    channel = connected(dept_a, server, expires_in=-dt.timedelta(minutes=3))
    server.refuse_next(503, "temporarily_unavailable")
    with pytest.raises(TransientError):
        LoopbackNetworkAdapter.oauth.fresh_access_token(channel)
    channel.refresh_from_db()
    assert not channel.needs_reconnecting


def test_each_networks_application_is_read_from_the_environment():
    script = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps(settings.CADENCE_NETWORKS))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "CADENCE_X_CLIENT_ID": "x-id",
        "CADENCE_X_CLIENT_SECRET": "x-secret",
        "CADENCE_LINKEDIN_CLIENT_ID": "li-id",
    }
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    networks = json.loads(done.stdout.strip().splitlines()[-1])
    assert networks["x"] == {"client_id": "x-id", "client_secret": "x-secret"}
    assert networks["linkedin"]["client_id"] == "li-id"
    assert set(networks) == {"x", "facebook", "instagram", "linkedin"}


@pytest.mark.django_db(transaction=True)
def test_the_beat_and_a_publish_refreshing_at_once_spend_the_refresh_token_once(
    postgres, dept_a, server
):
    channel = connected(dept_a, server, expires_in=-dt.timedelta(minutes=1))
    # A token endpoint slow enough that the two overlap: the second must wait for the
    # first's row lock, then find the token fresh (a second refresh with the spent
    # refresh token would be refused, and flag the channel for nothing).
    server.server.respond = lambda request: replace(server(request), delay=0.3)
    barrier = threading.Barrier(2, timeout=20)
    results: dict[str, object] = {}

    def run(name, act):
        try:
            mine = Channel.objects.get(pk=channel.pk)
            barrier.wait()
            results[name] = act(mine)
        except BaseException as exc:  # reported below, whatever it is
            results[name] = exc
        finally:
            connection.close()

    racers = [
        threading.Thread(
            target=run, args=("beat", lambda c: tokens.refresh(c.pk, margin=dt.timedelta(0)))
        ),
        threading.Thread(
            target=run, args=("publish", LoopbackNetworkAdapter.oauth.fresh_access_token)
        ),
    ]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(timeout=20)

    assert len(refresh_requests(server)) == 1, results
    channel.refresh_from_db()
    assert not channel.needs_reconnecting
    assert results["publish"] == channel.credentials["access_token"] == server.issued[-1]


def test_test_connection_on_an_expired_token_renews_it_and_says_until_when(dept_a, server, head):
    from workspace import services

    channel = connected(dept_a, server, expires_in=-dt.timedelta(minutes=5))
    channel.settings = {"page_id": "42"}
    channel.save()

    result = services.test_connection(head, channel)

    assert result.works and result.account.name == "Préfecture de test"
    assert result.account.expires_at > timezone.now() + dt.timedelta(hours=1)
    channel.refresh_from_db()
    assert channel.credentials["access_token"] == server.issued[-1]
