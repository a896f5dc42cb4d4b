"""The calendar subscription and the spreadsheet import in a browser: reached from the
calendar and the plan board, each page passes axe-core, the address works, the import
goes from preview to the plan board."""

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from editorial.models import Post, PostState
from tests.browser.conftest import assert_accessible, login_as
from tests.factories import PostFactory
from tests.test_plan_import import csv_bytes, line

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_cm_subscribes_from_the_calendar(page, cm, dept_a, channel_a):
    PostFactory(title="Dans le flux", origin_department=dept_a, channels=[channel_a])
    login_as(page, cm)
    page.goto("/calendar/")
    page.get_by_role("link", name="Subscribe (iCalendar)").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("iCalendar")
    assert_accessible(page)
    page.get_by_label("Name").fill("Outlook")
    page.get_by_role("button", name="Create the address").click()
    address = page.get_by_test_id("feed-url").input_value()
    assert_accessible(page)

    feed = page.request.get(address)

    assert feed.status == 200
    summaries = [str(e["SUMMARY"]) for e in Calendar.from_ical(feed.body()).walk("VEVENT")]
    assert summaries == ["Dans le flux"]
    page.get_by_role("button", name="Revoke “Outlook”").click()
    assert page.request.get(address).status == 404


def test_a_cm_imports_a_spreadsheet_from_the_plan_board(page, cm, channel_a, tmp_path):
    upload = tmp_path / "semaine.csv"
    upload.write_bytes(csv_bytes([line(title="Importée")], delimiter=";", bom=True))
    login_as(page, cm)
    page.goto("/plans/")
    page.get_by_role("link", name="Import a spreadsheet").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("spreadsheet")
    assert_accessible(page)
    page.get_by_label("Spreadsheet (CSV or XLSX)").set_input_files(str(upload))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_test_id("import-preview")).to_contain_text("Importée")
    assert_accessible(page)
    assert not Post.objects.exists()

    page.get_by_role("button", name="Create these posts").click()

    expect(page.get_by_text("1 post imported")).to_be_visible()
    assert Post.objects.get().state == PostState.PLANNED
