"""A sign-in ends after a time without activity and after a time in all, sooner for the
two-factor roles; the session cookie expires with it."""

import time

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

MINUTE = 60


def test_an_approver_is_signed_out_after_the_idle_time_out(client, head):
    with time_machine.travel(0, tick=False) as clock:
        client.force_login(head)
        assert client.get(reverse("post-list")).status_code == 200
        clock.shift(settings.PRIVILEGED_SESSION_IDLE_SECONDS + MINUTE)

        response = client.get(reverse("post-list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session


def test_activity_keeps_the_session_until_the_absolute_limit(client, director):
    step = settings.PRIVILEGED_SESSION_IDLE_SECONDS - MINUTE
    with time_machine.travel(0, tick=False) as clock:
        client.force_login(director)
        while time.time() + step < settings.PRIVILEGED_SESSION_SECONDS:
            clock.shift(step)
            assert client.get(reverse("post-list")).status_code == 200
        clock.shift(step)
        assert client.get(reverse("post-list")).status_code == 302


def test_the_other_roles_have_a_longer_idle_time_out(client, cm):
    with time_machine.travel(0, tick=False) as clock:
        client.force_login(cm)
        clock.shift(settings.PRIVILEGED_SESSION_IDLE_SECONDS + MINUTE)
        assert client.get(reverse("post-list")).status_code == 200
        clock.shift(settings.SESSION_IDLE_SECONDS + MINUTE)
        assert client.get(reverse("post-list")).status_code == 302


def test_the_session_cookie_of_an_approver_expires_at_the_absolute_limit(client, head):
    client.force_login(head)
    assert client.session.get_expiry_age() == settings.PRIVILEGED_SESSION_SECONDS
    assert settings.PRIVILEGED_SESSION_SECONDS < settings.SESSION_COOKIE_AGE <= 24 * 3600
