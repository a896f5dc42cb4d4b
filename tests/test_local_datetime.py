"""Times typed in the user's zone: the spring gap is refused, the autumn repeat is asked."""

import datetime as dt
import zoneinfo

import pytest
from django import forms
from django.utils import timezone

from editorial.forms.fields import LocalDateTimeField

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


class WhenForm(forms.Form):
    when = LocalDateTimeField(label="When")


@pytest.fixture(autouse=True)
def in_paris():
    with timezone.override(PARIS):
        yield


def test_an_ordinary_local_time_becomes_the_right_utc_moment():
    form = WhenForm({"when_0": "2026-07-14T10:30"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["when"] == dt.datetime(2026, 7, 14, 8, 30, tzinfo=dt.UTC)


def test_a_time_in_the_spring_gap_is_refused_with_a_message_saying_why():
    form = WhenForm({"when_0": "2026-03-29T02:30"})
    assert not form.is_valid()
    message = form.errors["when"][0]
    assert "does not exist" in message and "clocks go forward" in message


def test_a_time_in_the_autumn_repeat_asks_which_one_and_keeps_what_was_typed():
    form = WhenForm({"when_0": "2026-10-25T02:30"})
    assert not form.is_valid()
    assert "happens twice" in form.errors["when"][0]
    html = str(form["when"])
    assert 'value="2026-10-25T02:30"' in html
    assert "UTC+2 (summer time)" in html and "UTC+1 (winter time)" in html


@pytest.mark.parametrize(
    ("fold", "utc_hour"), [("0", 0), ("1", 1)], ids=["first, summer time", "second, winter time"]
)
def test_the_chosen_occurrence_of_a_repeated_time_is_the_one_stored(fold, utc_hour):
    form = WhenForm({"when_0": "2026-10-25T02:30", "when_1": fold})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["when"] == dt.datetime(2026, 10, 25, utc_hour, 30, tzinfo=dt.UTC)


def test_an_unreadable_time_says_what_is_expected():
    form = WhenForm({"when_0": "tomorrow-ish"})
    assert not form.is_valid()
    assert "Enter a date and time" in form.errors["when"][0]


def test_a_stored_moment_is_shown_in_the_users_zone():
    form = WhenForm(initial={"when": dt.datetime(2026, 12, 24, 17, 0, tzinfo=dt.UTC)})
    assert 'value="2026-12-24T18:00"' in str(form["when"])


def test_the_time_is_read_in_the_users_own_zone():
    with timezone.override(zoneinfo.ZoneInfo("America/Cayenne")):
        form = WhenForm({"when_0": "2026-07-14T10:30"})
        assert form.is_valid()
    assert form.cleaned_data["when"] == dt.datetime(2026, 7, 14, 13, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("utc_hour", "fold"), [(0, "0"), (1, "1")], ids=["summer time", "winter time"]
)
def test_a_stored_time_in_the_repeated_hour_shows_its_own_occurrence_chosen(utc_hour, fold):
    stored = dt.datetime(2027, 10, 31, utc_hour, 30, tzinfo=dt.UTC)  # 02:30 in Paris
    html = str(WhenForm(initial={"when": stored})["when"])
    assert 'value="2027-10-31T02:30"' in html
    assert f'name="when_1" value="{fold}" checked' in html
    other = "1" if fold == "0" else "0"
    assert f'name="when_1" value="{other}">' in html
