"""The community manager builds next week's plan in a real browser: accepts a
submission, drags an item onto the board, places another with the keyboard, submits."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from editorial import workflow as wf
from editorial.models import PlanState, Post, PostState, WeeklyPlan
from tests.browser.conftest import assert_accessible, login_as
from tests.factories import ChannelFactory, PostFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


@pytest.fixture
def next_week():
    """Monday of next week, in Paris: every time on it is still to come."""
    today = timezone.localtime(timezone.now(), PARIS).date()
    return today + dt.timedelta(days=7 - today.weekday())


@pytest.fixture
def items(next_week, cm, writer_a, dept_a, channel_a, national):
    national_channel = ChannelFactory(name="Police nationale", department=national)
    tuesday_10 = dt.datetime.combine(next_week + dt.timedelta(days=1), dt.time(10), PARIS)
    submission = PostFactory(
        title="Fête de la musique",
        author=writer_a,
        origin_department=dept_a,
        channels=[channel_a],
        scheduled_at=tuesday_10,
    )
    wf.submit(submission, writer_a)
    draft = PostFactory(
        title="Conseils vacances",
        author=cm,
        origin_department=national,
        channels=[national_channel],
        scheduled_at=None,
    )
    other = PostFactory(
        title="Recrutement réserve",
        author=cm,
        origin_department=national,
        channels=[national_channel],
        scheduled_at=None,
    )
    return submission, draft, other


def _board_url(monday: dt.date) -> str:
    year, week, _day = monday.isocalendar()
    return f"/plans/{year}/{week}/"


def _slot(day: dt.date, hour: int):
    return f'td[data-slot="{day.isoformat()}T{hour:02d}:00"]'


def test_the_cm_accepts_a_submission_drags_an_item_onto_the_week_and_submits_the_plan(
    page, cm, items, next_week
):
    submission, draft, other = items
    login_as(page, cm)

    page.goto("/submissions/")
    expect(page.get_by_role("heading", name="Fête de la musique")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Accept into the plan").click()
    expect(page.locator(".messages")).to_contain_text("is accepted into the plan")

    page.goto(_board_url(next_week))
    tuesday, wednesday = next_week + dt.timedelta(days=1), next_week + dt.timedelta(days=2)
    expect(page.locator(_slot(tuesday, 10))).to_contain_text("Fête de la musique")
    assert_accessible(page)
    submission.refresh_from_db()
    assert submission.state == PostState.PLANNED

    # Drag and drop: the draft goes to Wednesday, 14:00.
    item = page.locator(f'[data-testid="to-place"] [data-post="{draft.pk}"]')
    item.drag_to(page.locator(_slot(wednesday, 14)))
    expect(page.locator(_slot(wednesday, 14))).to_contain_text("Conseils vacances")
    expect(page.locator(".messages")).to_contain_text("Planned: “Conseils vacances”")
    draft.refresh_from_db()
    assert draft.state == PostState.PLANNED
    assert timezone.localtime(draft.scheduled_at, PARIS) == dt.datetime.combine(
        wednesday, dt.time(14), PARIS
    )

    # The keyboard way: "Place at…" with a typed time, to the minute.
    page.get_by_text("Place at…").click()
    friday = next_week + dt.timedelta(days=4)
    page.get_by_label("Place at").fill(f"{friday.isoformat()}T09:30")
    page.get_by_role("button", name="Place Recrutement réserve").click()
    expect(page.locator(_slot(friday, 9))).to_contain_text("Recrutement réserve")
    expect(page.locator('[data-testid="to-place"]')).to_have_count(0)
    other.refresh_from_db()
    assert timezone.localtime(other.scheduled_at, PARIS) == dt.datetime.combine(
        friday, dt.time(9, 30), PARIS
    )

    page.get_by_role("button", name="Submit the plan for approval").click()
    expect(page.get_by_test_id("plan-state")).to_have_text("Submitted")
    assert_accessible(page)
    plan = WeeklyPlan.objects.get()
    assert plan.state == PlanState.SUBMITTED
    assert set(Post.objects.values_list("state", flat=True)) == {PostState.PENDING_APPROVAL}


def test_a_drop_in_the_past_is_refused_with_the_reason_and_the_item_stays_to_place(page, cm, items):
    _submission, draft, _other = items
    login_as(page, cm)
    monday = timezone.localtime(timezone.now(), PARIS).date()
    monday -= dt.timedelta(days=monday.weekday() + 7)  # last week: every hour has passed
    page.goto(_board_url(monday))
    page.locator(f'[data-testid="to-place"] [data-post="{draft.pk}"]').drag_to(
        page.locator(_slot(monday, 10))
    )
    expect(page.locator(".messages")).to_contain_text("The scheduled time has passed")
    expect(page.locator(f'[data-testid="to-place"] [data-post="{draft.pk}"]')).to_be_visible()
    draft.refresh_from_db()
    assert (draft.state, draft.scheduled_at) == (PostState.DRAFT, None)
