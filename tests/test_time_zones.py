"""Times are stored in UTC and read and shown in the user's own zone."""

import datetime

from django import forms
from django.test import RequestFactory
from django.utils import timezone

from accounts.middleware import UserTimeZoneMiddleware


class ScheduleForm(forms.Form):
    scheduled_at = forms.DateTimeField()


def _in_zone_of(user, view):
    request = RequestFactory().get("/")
    request.user = user
    return UserTimeZoneMiddleware(view)(request)


def test_a_users_zone_is_active_for_their_requests_only(cm):
    cm.time_zone = "America/Cayenne"
    seen = _in_zone_of(cm, lambda request: timezone.get_current_timezone_name())
    assert seen == "America/Cayenne"
    assert timezone.get_current_timezone_name() == "Europe/Paris"


def test_a_local_time_entered_in_paris_is_stored_in_utc(cm):
    def view(request):
        form = ScheduleForm({"scheduled_at": "2027-07-14 10:00"})
        assert form.is_valid()
        return form.cleaned_data["scheduled_at"]

    stored = _in_zone_of(cm, view)
    assert stored == datetime.datetime(2027, 7, 14, 8, 0, tzinfo=datetime.UTC)


def test_a_time_that_does_not_exist_at_the_spring_dst_change_is_refused(cm):
    def view(request):
        form = ScheduleForm({"scheduled_at": "2027-03-28 02:30"})  # clocks jump 02:00 -> 03:00
        assert not form.is_valid()
        return form.errors["scheduled_at"][0]

    assert "Europe/Paris" in _in_zone_of(cm, view)


def test_an_ambiguous_time_at_the_autumn_dst_change_is_refused(cm):
    def view(request):
        form = ScheduleForm({"scheduled_at": "2027-10-31 02:30"})  # happens twice
        assert not form.is_valid()
        return form.errors["scheduled_at"][0]

    assert "Europe/Paris" in _in_zone_of(cm, view)
