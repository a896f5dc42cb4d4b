"""A director's first sign-in in a real browser: the password, then the QR code and
its key, the first code, the recovery codes, and the page they asked for."""

import base64
import time

import pytest
from django_otp.oath import TOTP

from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def code_from(secret: str) -> str:
    """What an authenticator app shows for the key typed from the page."""
    key = base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    totp = TOTP(key)
    totp.time = time.time()
    return f"{totp.token():06d}"


def test_a_director_sets_up_two_factor_authentication_at_the_first_sign_in(page, director):
    page.goto("/calendar/")
    page.locator("input[name=username]").fill("director")
    page.locator("input[name=password]").fill("demo")
    page.locator("form button[type=submit]").last.click()

    page.wait_for_url("**/account/two-factor/setup/**")
    assert page.locator(".qr-code svg").is_visible()
    assert_accessible(page)
    secret = page.get_by_test_id("totp-secret").inner_text()
    page.locator("input[name=code]").fill(code_from(secret))
    page.locator("form button[type=submit]").last.click()

    codes = page.get_by_test_id("recovery-codes").locator("li")
    codes.first.wait_for()
    assert codes.count() == 10
    page.get_by_role("link", name="I have kept them: continue").click()
    page.wait_for_url("**/calendar/")
