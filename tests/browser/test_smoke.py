"""The pages every journey starts from: logging in and the language switch."""

import pytest

from tests.browser.conftest import assert_accessible, login_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_new_visitor_sees_french_and_can_log_in_and_switch_to_english(page, cm, settings):
    settings.LANGUAGE_CODE = "fr"  # production's default (the tests' is English)
    page.set_extra_http_headers({"Accept-Language": "en-GB,en"})  # ignored: French
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert_accessible(page)
    login_as(page, cm, language="en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Calendar", exact=True).is_visible()
    assert_accessible(page)


def test_a_wrong_password_is_refused_with_a_message_and_the_username_kept(page, cm):
    page.goto("/login/")
    page.locator("input[name=username]").fill("cm")
    page.locator("input[name=password]").fill("wrong")
    page.locator("form button[type=submit]").last.click()
    assert page.locator("[role=alert]").is_visible()
    assert page.locator("input[name=username]").input_value() == "cm"
