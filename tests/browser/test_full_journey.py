"""The whole week in a real browser, one person after another, each in their own
session: a department contributor submits a post, the community manager accepts it,
plans the week and submits it, the head of communication approves the plan while
returning one item, the director signs off the sensitive item, and the calendar shows
every post in its new state — in English, then in French."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from editorial import workflow as wf
from editorial.models import PlanState, Post, PostState, WeeklyPlan
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, login_as, set_language
from tests.factories import ChannelFactory, PostFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
S = PostState


@pytest.fixture
def next_monday() -> dt.date:
    today = timezone.localtime(timezone.now(), PARIS).date()
    return today + dt.timedelta(days=7 - today.weekday())


@pytest.fixture
def session(browser, live_server):
    """A fresh browser session per person, as if each sat at their own desk."""
    contexts, errors = [], []

    def open_as(user, *, viewport=DESKTOP):
        context = browser.new_context(
            base_url=live_server.url,
            viewport=viewport,
            locale="fr-FR",
            timezone_id="Europe/Paris",
            is_mobile=viewport is PHONE,
            has_touch=viewport is PHONE,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(f"{user.username}: {exc}"))
        login_as(page, user)
        return page

    yield open_as
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors on the pages: {errors}"


def _slot(day: dt.date, hour: int):
    return f'td[data-slot="{day.isoformat()}T{hour:02d}:00"]'


def test_a_week_goes_from_a_departments_draft_to_the_calendar_through_every_role(
    session, contrib_a, cm, head, director, channel_a, national, next_monday
):
    national_channel = ChannelFactory(name="Police nationale", department=national)
    tuesday, wednesday = next_monday + dt.timedelta(days=1), next_monday + dt.timedelta(days=2)
    # The national team's own items: one still to place, one sensitive already planned.
    PostFactory(
        title="Conseils vacances",
        author=cm,
        origin_department=national,
        channels=[national_channel],
        scheduled_at=None,
    )
    trial = PostFactory(
        title="Procès d'assises",
        author=cm,
        origin_department=national,
        channels=[national_channel],
        scheduled_at=dt.datetime.combine(wednesday, dt.time(18), PARIS),
    )
    wf.mark_sensitive(trial, cm, "Affaire judiciaire en cours.")
    wf.plan_into_week(trial, cm)

    # 1. The contributor of department 67 writes and submits a post.
    page = session(contrib_a)
    page.goto("/posts/new/")
    page.get_by_role("textbox", name=re.compile("^Title")).fill("Vigilance cambriolages")
    page.get_by_role("textbox", name=re.compile("^Text")).first.fill("Fermez vos portes.")
    page.get_by_role("checkbox", name=re.compile("Police 67")).check()
    page.locator("#id_scheduled_at_0").fill(f"{tuesday.isoformat()}T10:00")
    assert_accessible(page)
    page.get_by_role("button", name="Save as a draft").click()
    page.get_by_role("button", name="Submit to the national team").click()
    expect(page.get_by_test_id("post-state")).to_contain_text("Submitted")
    assert_accessible(page)

    # 2. The community manager accepts it, places the last item and submits the week.
    page = session(cm)
    expect(page.get_by_test_id("awaiting-count")).to_have_text("1")
    page.goto("/submissions/")
    page.get_by_role("button", name="Accept into the plan").click()
    expect(page.locator(".messages")).to_contain_text("is accepted into the plan")
    year, week, _day = next_monday.isocalendar()
    page.goto(f"/plans/{year}/{week}/")
    expect(page.locator(_slot(tuesday, 10))).to_contain_text("Vigilance cambriolages")
    page.locator('[data-testid="to-place"] [data-post]', has_text="Conseils vacances").drag_to(
        page.locator(_slot(wednesday, 14))
    )
    expect(page.locator(_slot(wednesday, 14))).to_contain_text("Conseils vacances")
    page.get_by_role("button", name="Submit the plan for approval").click()
    expect(page.get_by_test_id("plan-state")).to_have_text("Submitted")
    assert_accessible(page)

    # 3. The head approves the plan in one action, returning one item with a comment.
    page = session(head)
    page.goto("/inbox/")
    page.get_by_role("link", name="Review the plan of").click()
    page.get_by_label("Return this item with a comment: Conseils vacances").check()
    page.get_by_label("What needs to change: Conseils vacances").fill("Ajoutez le numéro 17.")
    assert_accessible(page)
    page.get_by_role("button", name="Approve the plan").click()
    expect(page.get_by_text("Plan approved: 2 items approved, 1 returned")).to_be_visible()
    assert WeeklyPlan.objects.get().state == PlanState.APPROVED

    # 4. The director, on a phone, signs off the sensitive item first.
    page = session(director, viewport=PHONE)
    page.goto("/inbox/")
    row = page.get_by_test_id("inbox-row").first
    expect(row).to_contain_text("Procès d'assises")
    row.get_by_role("button", name="Sign off").tap()
    expect(row).to_contain_text("Signed off")
    assert_accessible(page)

    states = dict(Post.objects.values_list("title", "state"))
    assert states == {
        "Vigilance cambriolages": S.APPROVED,
        "Procès d'assises": S.APPROVED,
        "Conseils vacances": S.CHANGES_REQUESTED,
    }

    # 5. The calendar shows each post in its state, in English and in French.
    page = session(cm)
    page.goto(f"/calendar/?view=week&date={next_monday.isoformat()}")
    events = page.locator(".fc-event")
    expect(events.filter(has_text="Vigilance cambriolages")).to_contain_text("Approved")
    expect(events.filter(has_text="Procès d'assises")).to_contain_text("Approved")
    expect(events.filter(has_text="Conseils vacances")).to_contain_text("Changes requested")
    assert_accessible(page)
    set_language(page, "fr")
    expect(page.get_by_role("link", name="Calendrier")).to_be_visible()
    expect(events.filter(has_text="Vigilance cambriolages")).to_contain_text("Validée")
    assert_accessible(page)
    # What awaits the community manager now: the item the head returned to them.
    expect(page.get_by_test_id("awaiting-count")).to_have_text("1")
