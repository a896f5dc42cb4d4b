"""Blackout periods on the calendar in a real browser: a band over the period, and a
post dragged into a forbidden one is refused with the period's name and keeps its time."""

import datetime

import pytest
from playwright.sync_api import expect

from editorial import workflow as wf
from editorial.audit import entries_for
from tests.browser.conftest import assert_accessible, login_as
from tests.browser.test_calendar import approved_post, at, drag, in_slot, monday, open_week

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

__all__ = ["monday"]  # the fixture, shared with the calendar's own tests


def test_a_forbidden_period_shows_as_a_band_and_a_drag_into_it_is_refused(
    page, cm, head, writer_a, dept_a, channel_a, monday
):
    tuesday = monday + datetime.timedelta(days=1)
    post = approved_post(
        cm, head, writer_a, dept_a, channel_a, at(monday, 10), "Vigilance cambriolages"
    )
    wf.create_blackout(
        head,
        name="Deuil national",
        starts_at=at(tuesday, 8),
        ends_at=at(tuesday, 20),
        rule="forbid",
    )
    login_as(page, cm)
    open_week(page, monday)
    band = page.locator(f'td.fc-timegrid-col[data-date="{tuesday}"] .fc-bg-event.blackout')
    expect(band).to_contain_text("Deuil national")
    assert_accessible(page)

    drag(page, "Vigilance cambriolages", tuesday, "11:30")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Save the new time").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("Deuil national")
    expect(status).to_contain_text("keeps its time")
    expect(in_slot(page, monday, "Vigilance cambriolages")).to_contain_text("10:00")
    post.refresh_from_db()
    assert post.scheduled_at == at(monday, 10)
    assert not entries_for(post).filter(action="reschedule").exists()


def test_the_head_creates_a_period_on_its_page(page, head):
    login_as(page, head)
    page.goto("/crisis/")
    page.get_by_role("link", name="Blackout periods").click()
    expect(page.get_by_role("heading", name="Blackout periods", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Name").fill("Deuil national")
    page.locator("#id_starts_at_0").fill("2030-06-01T00:00")
    page.locator("#id_ends_at_0").fill("2030-06-02T00:00")
    page.get_by_role("button", name="Create the period").click()
    listed = page.get_by_test_id("blackout")
    expect(listed).to_contain_text("Deuil national")
    expect(listed).to_contain_text("Nothing may be scheduled")
    assert_accessible(page)
