"""The crisis banner, as people see it: on every page, readable on a phone, accessible."""

import pytest
from playwright.sync_api import expect

from editorial import workflow as wf
from tests.browser.conftest import assert_accessible, login_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_contributor_sees_the_pause_on_every_page_in_french(page, contrib_a, head, settings):
    settings.LANGUAGE_CODE = "fr"
    wf.pause_publishing(head, "Attentat en cours")
    login_as(page, contrib_a, language="fr")
    banner = page.get_by_test_id("crisis-banner")
    expect(banner).to_contain_text("Les publications sont suspendues sur tous les canaux.")
    expect(banner).to_contain_text("Motif : Attentat en cours.")
    assert_accessible(page)
    page.goto("/posts/new/")
    expect(page.get_by_test_id("crisis-banner")).to_be_visible()


def test_a_raised_approval_level_on_a_phone(phone_page, cm, director):
    wf.pause_publishing(director, "Élections", stops_publishing=False, requires_director=True)
    login_as(phone_page, cm)
    banner = phone_page.get_by_test_id("crisis-banner")
    expect(banner).to_contain_text("Approval level raised")
    expect(banner).not_to_contain_text("paused")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= phone_page.viewport_size["width"]  # no sideways scrolling
    assert_accessible(phone_page)
