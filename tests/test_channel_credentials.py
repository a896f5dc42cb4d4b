"""A channel's credentials at rest: encrypted with CADENCE_CREDENTIALS_KEYS, never in a
dump, rotated by a command, and a channel no key opens says so instead of crashing."""

from __future__ import annotations

import io
import json

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse

from editorial.content import channel_publish_problem
from editorial.credentials import CredentialsUnreadable, check_keys
from editorial.models import AuditEntry, Channel, Network
from tests.factories import ChannelFactory

pytestmark = pytest.mark.django_db
SECRET = "tok-ultra-secret-4242"


@pytest.fixture
def keys(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.CADENCE_CREDENTIALS_KEYS = [old]
    return settings, old, new


@pytest.fixture
def mastodon(dept_a, keys):
    return ChannelFactory(
        name="Police 33",
        network=Network.MASTODON,
        department=dept_a,
        settings={"instance_url": "https://social.example"},
        credentials={"access_token": SECRET},
    )


def test_the_credentials_are_read_back_but_stored_encrypted(mastodon):
    mastodon.refresh_from_db()
    assert mastodon.credentials == {"access_token": SECRET}
    assert SECRET not in mastodon.encrypted_credentials


def test_neither_a_dump_nor_a_raw_read_of_the_database_holds_the_secret(mastodon):
    dump = io.StringIO()
    call_command("dumpdata", "editorial.channel", stdout=dump)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Channel._meta.db_table}")
        rows = json.dumps(cursor.fetchall(), default=str)
    assert "Police 33" in dump.getvalue() and "Police 33" in rows
    assert SECRET not in dump.getvalue() and SECRET not in rows


def test_after_rotation_every_channel_decrypts_with_the_new_key_alone(mastodon, keys, dept_a):
    settings, old, new = keys
    other = ChannelFactory(network=Network.MASTODON, department=dept_a, credentials={"a": "b"})
    settings.CADENCE_CREDENTIALS_KEYS = [new, old]

    out = io.StringIO()
    call_command("rotate_channel_keys", stdout=out)

    assert "Channels re-encrypted: 2." in out.getvalue()
    settings.CADENCE_CREDENTIALS_KEYS = [new]
    assert Channel.objects.get(pk=mastodon.pk).credentials == {"access_token": SECRET}
    assert Channel.objects.get(pk=other.pk).credentials == {"a": "b"}


def test_a_wrong_key_gives_a_clear_error_naming_the_channel_not_the_secret(mastodon, keys):
    settings, _old, new = keys
    settings.CADENCE_CREDENTIALS_KEYS = [new]
    channel = Channel.objects.get(pk=mastodon.pk)

    with pytest.raises(CredentialsUnreadable) as error:
        channel.credentials  # noqa: B018
    assert "The credentials of Police 33 (Mastodon) cannot be read" in str(error.value)
    assert SECRET not in str(error.value)
    assert "cannot be read" in str(channel_publish_problem(channel))
    with pytest.raises(CommandError, match="1 channel"):
        call_command("rotate_channel_keys", stdout=io.StringIO(), stderr=io.StringIO())


def test_the_channel_page_says_it_cannot_read_them_instead_of_crashing(
    client, head, mastodon, keys
):
    settings, _old, new = keys
    settings.CADENCE_CREDENTIALS_KEYS = [new]
    client.force_login(head)
    response = client.get(reverse("workspace-channel-edit", args=[mastodon.pk]))
    assert response.status_code == 200
    assert 'data-testid="credentials-unreadable"' in response.content.decode()


def test_production_without_keys_is_refused_by_the_deployment_check(settings):
    settings.CADENCE_CREDENTIALS_KEYS = []
    settings.DEBUG = False
    assert [message.id for message in check_keys()] == ["cadence.E001"]
    settings.DEBUG = True  # a development run derives its key from SECRET_KEY
    assert check_keys() == []
    settings.CADENCE_CREDENTIALS_KEYS = ["not-a-key"]
    assert [message.id for message in check_keys()] == ["cadence.E002"]


def test_the_token_is_written_never_shown_and_audited_as_changed(client, head, mastodon):
    client.force_login(head)
    url = reverse("workspace-channel-edit", args=[mastodon.pk])
    page = client.get(url).content.decode()
    assert SECRET not in page and 'value="https://social.example"' in page

    data = {
        "name": "Police 33",
        "network": Network.MASTODON,
        "handle": mastodon.handle,
        "department": str(mastodon.department_id),
        "is_active": "on",
        "instance_url": "https://other.example",
        "access_token": "",
    }
    assert client.post(url, data).status_code == 302  # empty: the stored token stays
    mastodon.refresh_from_db()
    assert mastodon.credentials == {"access_token": SECRET}
    assert mastodon.settings["instance_url"] == "https://other.example"

    assert client.post(url, {**data, "access_token": "tok-new-1"}).status_code == 302
    mastodon.refresh_from_db()
    assert mastodon.credentials == {"access_token": "tok-new-1"}
    entries = AuditEntry.objects.filter(action="edit_channel").order_by("seq")
    assert [entry.data for entry in entries] == [
        {"instance_url": "https://other.example"},
        {"access_token": "(changed)"},
    ]
