"""Messages stored for a person to read later: a code and its parameters, put into
words in the reader's language when shown."""

import datetime
import json

import pytest
from django.utils import translation
from django.utils.timezone import override as timezone_override

from editorial.messages import load, message, render, store
from editorial.models import Network, PostState
from tests.factories import ChannelFactory


def _in(language: str, stored: str) -> str:
    """`stored` as a reader of `language` reads it (French spaces made plain)."""
    with translation.override(language):
        return render(stored).replace("\xa0", " ")


def test_a_stored_message_reads_in_english_and_in_french():
    stored = store(message("no_adapter", network=Network.MASTODON), 2000)
    assert _in("en", stored) == "No adapter for Mastodon yet."
    assert _in("fr", stored) == "Pas encore de connecteur pour Mastodon."


@pytest.mark.django_db
def test_a_channel_is_named_with_its_network_in_the_readers_language(dept_a):
    channel = ChannelFactory(name="Police 67", network=Network.LOG, department=dept_a)
    stored = store(message("channel_inactive", channel=channel), 2000)
    assert _in("en", stored) == "Police 67 (Server log) is not active."
    assert _in("fr", stored) == "Police 67 (Journal du serveur) n’est pas actif."


def test_a_post_state_and_a_time_are_put_into_words_for_the_reader():
    state = store(message("not_cleared", state=PostState.CANCELLED), 2000)
    assert "is cancelled, no longer" in _in("en", state)
    assert "« annulée »" in _in("fr", state)
    due = datetime.datetime(2027, 3, 28, 7, 30, tzinfo=datetime.UTC)
    late = store(message("due_long_ago", due=due, minutes=15), 2000)
    with translation.override("en"), timezone_override("Europe/Paris"):
        assert "9:30" in render(late)  # Paris summer time, not UTC
    assert "15 minutes" in _in("en", late)


def test_a_message_inside_a_message_is_translated_too():
    answer = message("answered", channel="Webhook", status=503, text="Service Unavailable")
    stored = store(message("gave_up", attempts=5, error=answer), 2000)
    assert (
        _in("en", stored) == "Gave up after 5 attempts: Webhook answered 503: Service Unavailable"
    )
    assert _in("fr", stored) == (
        "Abandon après 5 tentatives : Webhook a répondu 503 : Service Unavailable"
    )


@pytest.mark.parametrize(
    "text",
    [
        "Les publications sont suspendues : crise en cours",  # a row from before codes
        "Crise en cours, on attend la préfecture.",  # a person's words
        "ConnectError: [Errno 111] Connection refused",  # a raw error
        '{"code": "no_such_code", "params": {}}',
        '{"code": broken json',
        "",
    ],
)
def test_text_that_is_not_a_stored_message_shows_as_it_is(text):
    assert _in("en", text) == text
    assert store(text, 300) == text[:300]


def test_a_message_too_long_for_its_column_is_shortened_and_stays_readable():
    reason = "Attentat en cours à Lyon. " * 40
    stored = store(message("paused", reason=reason), 300)
    assert len(stored) <= 300
    assert json.loads(stored)["code"] == "paused"
    assert _in("en", stored).startswith("Publishing is paused: Attentat en cours à Lyon.")
    assert _in("en", stored).endswith("…")


def test_storing_a_stored_message_again_keeps_it():
    stored = store(message("held"), 300)
    assert store(stored, 300) == stored
    assert load(stored).code == "held"


def test_an_unknown_code_is_refused_when_writing():
    with pytest.raises(KeyError):
        message("no_such_code")
