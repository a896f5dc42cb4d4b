"""How a time reads: 24-hour in French, "5:00 PM" in English with the meridiem always
shown, and never a double period when a time ends a sentence."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
EVENING = datetime.datetime(2026, 12, 11, 17, 0, tzinfo=PARIS)
NIGHT = datetime.datetime(2026, 12, 11, 0, 30, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("language", "moment", "expected"),
    [
        ("en", EVENING, "Dec. 11, 2026, 5:00 PM"),
        ("en", NIGHT, "Dec. 11, 2026, 12:30 AM"),
        ("fr", EVENING, "11 décembre 2026 17:00"),
        ("fr", NIGHT, "11 décembre 2026 00:30"),
    ],
)
def test_a_date_and_time_reads_unambiguously_in_each_language(language, moment, expected):
    with translation.override(language):
        assert formats.date_format(moment, "DATETIME_FORMAT") == expected


def test_english_times_and_short_dates_show_their_meridiem():
    with translation.override("en"):
        assert formats.time_format(EVENING.time(), "TIME_FORMAT") == "5:00 PM"
        assert formats.date_format(NIGHT, "SHORT_DATETIME_FORMAT") == "12/11/2026 12:30 AM"


@pytest.mark.django_db
def test_a_post_moved_on_the_calendar_is_announced_without_a_double_period(client, cm, post_a):
    client.force_login(cm)
    day = timezone.localdate() + datetime.timedelta(days=10)
    response = client.post(
        reverse("post-reschedule", args=[post_a.pk]),
        {"start": f"{day}T14:00"},
        HTTP_ACCEPT="application/json",
    )
    message = response.json()["message"]
    assert message.endswith("2:00 PM."), message
    assert ".." not in message
