"""Cadence on a phone (390 × 844): no page scrolls sideways, the menu folds behind a
"Menu" button so the first screen shows the page, and a reviewer lands on what awaits
them. Every page is also checked with axe-core, on the demo data of `make run`."""

import datetime as dt

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from demo.build import build_demo
from editorial import workflow as wf
from editorial.models import PlanState, Post, PostState, Publication, PublicationState, WeeklyPlan
from tests.browser.conftest import PHONE, assert_accessible, login_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(db):
    with transaction.atomic():
        build_demo()
    # The head of communication gets a plan to review, as in the demo's walk-through.
    cm = User.objects.get(username="cm")
    wf.submit_plan(WeeklyPlan.objects.get(state=PlanState.DRAFT), cm)
    return {user.username: user for user in User.objects.all()}


def _monday() -> dt.date:
    today = timezone.localdate()
    return today + dt.timedelta(days=7 - today.weekday())


def _pages(role: str) -> list[str]:
    """The pages each role uses, as the demo's walk-through visits them."""
    monday = _monday()
    year, week, _ = (monday + dt.timedelta(days=7)).isocalendar()
    calendar = [f"/calendar/?view=week&date={monday}", f"/calendar/?view=month&date={monday}"]
    common = ["/inbox/", "/posts/", "/posts/new/", *calendar]
    approved = Post.objects.filter(state=PostState.APPROVED).first()
    if role == "contrib67":
        own = Post.objects.filter(origin_department__code="ddsp-67").first()
        return [*common, f"/posts/{own.pk}/", f"/posts/{own.pk}/edit/"]
    pages = [*common, f"/posts/{approved.pk}/", "/submissions/", f"/plans/{year}/{week}/"]
    unknown = Publication.objects.filter(state=PublicationState.UNKNOWN).first()
    pages.append(f"/posts/{unknown.post_id}/")  # the publications table, with its forms
    if role in ("head", "director"):
        plan = WeeklyPlan.objects.get(state=PlanState.SUBMITTED)
        pages += ["/crisis/", reverse("plan-review", args=[plan.pk])]
    return pages


def assert_fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide on a {PHONE['width']} px phone"


@pytest.mark.parametrize("role", ["cm", "head", "director", "contrib67"])
def test_no_page_scrolls_sideways_on_a_phone(phone_page, demo, role):
    login_as(phone_page, demo[role])
    for url in _pages(role):
        response = phone_page.goto(url)
        assert response.status == 200, f"{url} answered {response.status}"
        expect(phone_page.get_by_role("heading", level=1)).to_be_visible()
        if url.startswith("/calendar/"):
            expect(phone_page.locator(".fc-view")).to_be_visible()
        assert_fits(phone_page)
        assert_accessible(phone_page)


def test_the_history_of_a_post_reads_as_labelled_rows_on_a_phone(phone_page, demo):
    post = Post.objects.filter(state=PostState.APPROVED).first()
    login_as(phone_page, demo["cm"])
    phone_page.goto(f"/posts/{post.pk}/")
    history = phone_page.locator("table.history")
    first_row = history.locator("tbody tr").first
    when, who = first_row.locator("td").nth(0), first_row.locator("td").nth(1)
    # One cell under the other, each inside the screen, each named after its column.
    assert when.bounding_box()["y"] < who.bounding_box()["y"]
    box = history.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert (
        phone_page.evaluate(
            "cell => getComputedStyle(cell, '::before').content", when.element_handle()
        )
        == '"When "'
    )
    assert_fits(phone_page)


def menu_button(page):
    return page.get_by_role("button", name="Menu")


def test_the_menu_folds_behind_a_button_so_the_first_screen_shows_the_page(phone_page, demo):
    login_as(phone_page, demo["cm"])
    phone_page.goto("/posts/")
    button = menu_button(phone_page)
    calendar_link = phone_page.get_by_role("link", name="Calendar", exact=True)
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(calendar_link).to_be_hidden()
    heading = phone_page.get_by_role("heading", level=1)
    assert heading.bounding_box()["y"] < PHONE["height"] * 0.2  # the page, not the menu
    assert_accessible(phone_page)
    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(calendar_link).to_be_visible()
    expect(phone_page.get_by_role("link", name="New post")).to_be_visible()
    expect(phone_page.get_by_role("button", name="Log out")).to_be_visible()
    assert_accessible(phone_page)
    assert_fits(phone_page)
    calendar_link.click()
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Calendar")


def test_the_menu_opens_and_closes_from_the_keyboard(phone_page, demo):
    login_as(phone_page, demo["cm"])
    phone_page.goto("/posts/")
    button = menu_button(phone_page)
    button.focus()
    phone_page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    phone_page.keyboard.press("Tab")
    expect(phone_page.get_by_role("link", name="Calendar", exact=True)).to_be_focused()
    phone_page.keyboard.press("Escape")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(button).to_be_focused()
    phone_page.keyboard.press("Space")
    expect(button).to_have_attribute("aria-expanded", "true")


def test_without_javascript_the_menu_stays_open(browser, live_server, demo):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, java_script_enabled=False, locale="en-GB"
    )
    page = context.new_page()
    try:
        login_as(page, demo["cm"])
        page.goto("/posts/")
        expect(page.get_by_role("link", name="Calendar", exact=True)).to_be_visible()
        expect(page.get_by_role("button", name="Menu")).to_be_hidden()
        assert_fits(page)
    finally:
        context.close()


def test_on_a_wide_screen_the_menu_stays_in_the_header(page, demo):
    login_as(page, demo["cm"])
    page.goto("/posts/")
    expect(page.get_by_role("link", name="Calendar", exact=True)).to_be_visible()
    expect(menu_button(page)).to_be_hidden()
    assert_accessible(page)


def test_the_director_signs_in_on_a_phone_and_lands_on_what_awaits_him(phone_page, demo):
    login_as(phone_page, demo["director"])
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Awaiting me")
    assert phone_page.url.endswith("/inbox/")
    # What awaits him starts at the top: the plan to review, then the first sign-off.
    heading = phone_page.get_by_role("heading", level=1)
    assert heading.bounding_box()["y"] < PHONE["height"] * 0.15
    first = phone_page.locator("main").get_by_role("link", name="Match à haut risque")
    assert first.bounding_box()["y"] < PHONE["height"] * 0.6
    assert_fits(phone_page)
