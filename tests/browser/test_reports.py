"""The Reports page in a browser, on the demo data of `make run`: the head of
communication finds it in the menu, its charts and tables pass axe-core, and the page
raises no CSP violation (the charts are SVG with classes, no inline style)."""

import pytest
from django.db import transaction
from playwright.sync_api import expect

from accounts.models import User
from demo.build import build_demo
from tests.browser.conftest import assert_accessible, login_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(db):
    with transaction.atomic():
        build_demo()
    return {user.username: user for user in User.objects.all()}


def test_the_head_opens_the_reports(page, demo):
    login_as(page, demo["head"])
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    expect(page.get_by_role("img", name="Sent by channel")).to_be_visible()
    expect(page.get_by_role("table", name="Sent by channel")).to_be_visible()
    expect(page.get_by_role("table", name="Approval lead times")).to_be_visible()
    assert_accessible(page)
    # Last month: the demo's history (demo/history.py) has gone out then.
    page.get_by_label("Period", exact=True).select_option("last_month")
    page.get_by_role("button", name="Show").click()
    chart = page.get_by_role("img", name="Sent by department")
    expect(chart.locator("rect.bar-fill").first).to_be_visible()
    expect(page.get_by_role("table", name="Sent by department")).to_contain_text("DDSP 69")
    assert_accessible(page)
    # A custom period whose last day comes first: the form says so and keeps the dates.
    page.get_by_label("Period", exact=True).select_option("custom")
    page.get_by_label("From", exact=True).fill("2026-01-31")
    page.get_by_label("To", exact=True).fill("2026-01-01")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("The last day comes before the first.")).to_be_visible()
    expect(page.get_by_label("From", exact=True)).to_have_value("2026-01-31")
    assert_accessible(page)
