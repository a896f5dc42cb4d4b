"""French is the default, as institutions expect, whatever the browser's language;
English only for someone who chose it with the header's switch, and remembered."""

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("french_default")]


@pytest.fixture
def french_default():
    # The test settings default to English (tests read English); production is French.
    with override_settings(LANGUAGE_CODE="fr"):
        yield


def test_the_interface_is_french_even_for_an_english_browser(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert '<html lang="fr">' in response.content.decode()
    assert "Se connecter" in response.content.decode()
    assert response.headers["Content-Language"] == "fr"


def test_the_switch_to_english_is_remembered(client, cm):
    client.force_login(cm)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/posts/"})
    assert response.status_code == 302
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en" and int(cookie["max-age"]) >= 30 * 24 * 3600
    page = client.get(reverse("post-list"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="en">' in page


def test_switching_back_to_french(client, cm):
    client.force_login(cm)
    client.post(reverse("set_language"), {"language": "en", "next": "/posts/"})
    client.post(reverse("set_language"), {"language": "fr", "next": "/posts/"})
    assert '<html lang="fr">' in client.get(reverse("post-list")).content.decode()


def test_an_unknown_language_in_the_cookie_falls_back_to_french(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert '<html lang="fr">' in client.get(reverse("login")).content.decode()
