"""Every page of the interface, on the demo data of `make run`, for each role that uses
it: it loads, it passes axe-core, and its text is in the user's language. The README's
screenshots are taken here, on realistic data (`make screenshots`)."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from demo.build import build_demo
from editorial import workflow as wf
from editorial.models import PlanState, Post, PostState, Publication, PublicationState, WeeklyPlan
from tests.browser.conftest import assert_accessible, login_as, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(db):
    with transaction.atomic():
        build_demo()
    return {user.username: user for user in User.objects.all()}


@pytest.fixture
def plan_submitted(demo):
    """The CM's next step in the demo: the week after next goes for approval, so that
    the head of communication has a plan to review."""
    plan = WeeklyPlan.objects.get(state=PlanState.DRAFT)
    wf.submit_plan(plan, demo["cm"])
    return plan


def _next_monday() -> dt.date:
    today = timezone.localdate()
    return today + dt.timedelta(days=7 - today.weekday())


def visit(page, url: str, heading: str | None = None, *, shot: str | None = None) -> None:
    response = page.goto(url)
    assert response.status == 200, f"{url} answered {response.status}"
    if heading:
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    assert_accessible(page)
    if shot:
        screenshot(page, shot)


def test_the_community_managers_pages(page, demo):
    login_as(page, demo["cm"])
    monday = _next_monday()
    visit(page, f"/calendar/?view=week&date={monday}", "Calendar", shot="calendar")
    expect(page.locator(".fc-event").first).to_be_visible()
    visit(page, f"/calendar/?view=month&date={monday}", "Calendar")
    visit(page, "/submissions/", "Submissions")
    year, week, _day = (monday + dt.timedelta(days=7)).isocalendar()
    visit(page, f"/plans/{year}/{week}/", "Weekly plan", shot="plan-board")
    expect(page.get_by_test_id("to-place")).to_contain_text("vols à la portière")
    visit(page, "/posts/", "Posts")
    visit(page, "/posts/new/", "New post")
    post = Post.objects.filter(state=PostState.APPROVED).first()
    visit(page, f"/posts/{post.pk}/")
    # The alert whose outcome is unknown: in the inbox, then settled from its page.
    visit(page, "/inbox/", "Awaiting me")
    expect(page.get_by_test_id("unknown-outcome")).to_be_visible()
    unknown = Publication.objects.get(state=PublicationState.UNKNOWN)
    visit(page, f"/posts/{unknown.post_id}/")
    expect(page.get_by_test_id(f"outcome-{unknown.pk}")).to_be_visible()


def test_the_head_of_communications_pages(page, demo, plan_submitted):
    login_as(page, demo["head"])
    visit(page, "/inbox/", "Awaiting me", shot="approval-inbox")
    page.get_by_role("link", name="Review the plan of").click()
    expect(page.get_by_role("button", name="Approve the plan")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "plan-review")
    visit(page, "/crisis/", "Crisis")


def test_the_directors_inbox_on_a_phone(phone_page, demo):
    login_as(phone_page, demo["director"])
    visit(phone_page, "/inbox/", "Awaiting me", shot="director-phone")
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_department_contributors_pages_in_french(page, demo):
    login_as(page, demo["contrib67"], language="fr")
    visit(page, "/posts/", "Publications")
    expect(page.get_by_role("link", name="Calendrier")).to_be_visible()
    visit(page, "/posts/new/")
    own = Post.objects.filter(origin_department__code="ddsp-67").first()
    visit(page, f"/posts/{own.pk}/")
    visit(page, f"/calendar/?view=week&date={_next_monday()}", "Calendrier")
