"""The calendar in a real browser: week and month views, filters, and rescheduling by
dragging a post, confirmed before it is saved."""

import datetime
import re
import zoneinfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from editorial import workflow as wf
from editorial.audit import entries_for
from editorial.models import Post, PostState
from tests.browser.conftest import assert_accessible, login_as, set_language
from tests.factories import PostFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=PARIS)


@pytest.fixture
def monday() -> datetime.date:
    """The Monday of a week well in the future (and outside any DST change)."""
    day = timezone.localdate() + datetime.timedelta(days=14)
    day -= datetime.timedelta(days=day.weekday())
    if day.month in (3, 10):
        day += datetime.timedelta(days=35)
    return day


def approved_post(cm, head, author, department, channel, when, title) -> Post:
    post = PostFactory(
        title=title,
        author=author,
        origin_department=department,
        channels=[channel],
        scheduled_at=when,
    )
    wf.fast_track(post, cm)
    wf.approve(post, head)
    return post


def open_week(page, day: datetime.date, **filters) -> None:
    query = "&".join(f"{k}={v}" for k, v in {"view": "week", "date": day, **filters}.items())
    page.goto(f"/calendar/?{query}")
    expect(page.locator(".fc-timeGridWeek-view")).to_be_visible()


def event(page, title: str):
    return page.locator(".fc-event", has_text=title)


def in_slot(page, day: datetime.date, title: str):
    return page.locator(f'td.fc-timegrid-col[data-date="{day}"] .fc-event', has_text=title)


def drag(page, title: str, day: datetime.date, time: str) -> None:
    """Drag the event by its first half-hour onto the slot `time` ("14:30") of `day`."""
    source = event(page, title)
    source.scroll_into_view_if_needed()
    lane = page.locator(f'td.fc-timegrid-slot-lane[data-time="{time}:00"]')
    column = page.locator(f'td.fc-timegrid-col[data-date="{day}"]')
    start, lane_box, column_box = source.bounding_box(), lane.bounding_box(), column.bounding_box()
    x, y = start["x"] + start["width"] / 2, start["y"] + 4
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, y + 8, steps=4)  # past FullCalendar's minimum drag distance
    page.mouse.move(column_box["x"] + column_box["width"] / 2, lane_box["y"] + 4, steps=12)
    page.mouse.up()


@pytest.fixture
def scene(cm, head, writer_a, dept_a, channel_a, contrib_b, dept_b, monday):
    """A week with posts of two departments, one of them approved."""
    approved = approved_post(
        cm, head, writer_a, dept_a, channel_a, at(monday, 10), "Vigilance cambriolages"
    )
    draft = PostFactory(
        title="Journée portes ouvertes",
        author=writer_a,
        origin_department=dept_a,
        channels=[channel_a],
        scheduled_at=at(monday + datetime.timedelta(days=2), 15),
    )
    other = PostFactory(
        title="Marseille sécurité routière",
        author=contrib_b,
        origin_department=dept_b,
        scheduled_at=at(monday + datetime.timedelta(days=3), 9, 30),
    )
    return {"approved": approved, "draft": draft, "other": other}


def test_the_week_view_shows_each_post_in_its_slot_and_switches_to_the_month(
    page, cm, scene, monday
):
    login_as(page, cm)
    open_week(page, monday)
    approved = in_slot(page, monday, "Vigilance cambriolages")
    expect(approved).to_contain_text("10:00")
    expect(approved).to_contain_text("Approved")
    expect(in_slot(page, monday + datetime.timedelta(days=3), "Marseille")).to_contain_text("9:30")
    assert_accessible(page)
    page.get_by_role("button", name="month").click()
    expect(page.locator(".fc-dayGridMonth-view")).to_be_visible()
    expect(page.locator(f'td.fc-daygrid-day[data-date="{monday}"] .fc-event')).to_contain_text(
        "Vigilance cambriolages"
    )
    assert_accessible(page)


def test_dragging_an_approved_post_asks_to_confirm_then_saves_and_audits(page, cm, scene, monday):
    post = scene["approved"]
    tuesday = monday + datetime.timedelta(days=1)
    login_as(page, cm)
    open_week(page, monday)
    drag(page, "Vigilance cambriolages", tuesday, "11:30")
    dialog = page.get_by_role("dialog", name="Move this post?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(re.compile(r"11:30\s*AM"))
    expect(dialog).to_contain_text(tuesday.strftime("%B %-d"))
    assert_accessible(page)
    dialog.get_by_role("button", name="Save the new time").click()
    expect(page.get_by_role("status").filter(has_text="now goes out on")).to_be_visible()
    expect(in_slot(page, tuesday, "Vigilance cambriolages")).to_be_visible()
    post.refresh_from_db()
    assert post.scheduled_at == at(tuesday, 11, 30)
    assert post.state == PostState.APPROVED
    entry = entries_for(post).get(action="reschedule")
    assert entry.actor == cm
    assert entry.data["to"] == at(tuesday, 11, 30).astimezone(datetime.UTC).isoformat()


def test_a_sensitive_approved_post_dragged_goes_back_for_sign_off(
    page, cm, head, director, writer_a, dept_a, channel_a, monday
):
    post = PostFactory(
        title="Procès en cours",
        author=writer_a,
        origin_department=dept_a,
        channels=[channel_a],
        scheduled_at=at(monday, 10),
    )
    wf.mark_sensitive(post, cm, "Affaire judiciaire.")
    wf.fast_track(post, cm)
    wf.approve(post, head)
    wf.sign_off(post, director)
    login_as(page, cm)
    open_week(page, monday)
    drag(page, "Procès en cours", monday, "12:00")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("goes back to the director")
    dialog.get_by_role("button", name="Save the new time").click()
    expect(page.get_by_role("status")).to_contain_text("director must sign off")
    expect(in_slot(page, monday, "Procès en cours")).to_contain_text("Pending sign-off")
    post.refresh_from_db()
    assert (post.state, post.scheduled_at) == (PostState.PENDING_SIGNOFF, at(monday, 12))


def test_cancelling_the_confirmation_puts_the_post_back(page, cm, scene, monday):
    post = scene["approved"]
    login_as(page, cm)
    open_week(page, monday)
    drag(page, "Vigilance cambriolages", monday + datetime.timedelta(days=1), "11:00")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("status")).to_contain_text("Move cancelled")
    expect(in_slot(page, monday, "Vigilance cambriolages")).to_contain_text("10:00")
    post.refresh_from_db()
    assert post.scheduled_at == at(monday, 10)
    assert not entries_for(post).filter(action="reschedule").exists()


def test_a_drop_into_the_spring_dst_gap_is_refused_and_the_post_keeps_its_time(
    page, cm, writer_a, dept_a, channel_a
):
    sunday = datetime.date(2027, 3, 28)  # Europe/Paris skips 02:00–03:00 that night
    post = PostFactory(
        title="Passage à l'heure d'été",
        author=writer_a,
        origin_department=dept_a,
        channels=[channel_a],
        scheduled_at=at(sunday, 4),
    )
    login_as(page, cm)
    open_week(page, sunday)
    drag(page, "Passage à l'heure d'été", sunday, "02:30")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(re.compile(r"2:30\s*AM"))
    dialog.get_by_role("button", name="Save the new time").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("does not exist in Europe/Paris")
    expect(status).to_contain_text("keeps its time")
    expect(in_slot(page, sunday, "Passage à l'heure d'été")).to_contain_text("4:00")
    post.refresh_from_db()
    assert post.scheduled_at == at(sunday, 4)


def test_a_contributor_cannot_drag_a_post_that_went_out(page, contrib_a, scene, monday):
    Post.objects.filter(pk=scene["draft"].pk).update(state=PostState.PUBLISHED)
    login_as(page, contrib_a)
    open_week(page, monday)
    expect(event(page, "Vigilance cambriolages")).to_have_class(re.compile("fc-event-draggable"))
    expect(event(page, "Journée portes ouvertes")).not_to_have_class(
        re.compile("fc-event-draggable")
    )
    expect(event(page, "Marseille")).to_have_count(0)  # another department's post


def test_filters_narrow_the_events_without_reloading(page, cm, scene, monday, dept_b):
    login_as(page, cm)
    open_week(page, monday)
    expect(page.locator(".fc-event")).to_have_count(3)
    page.get_by_label("Department").select_option(str(dept_b.pk))
    expect(page.locator(".fc-event")).to_have_count(1)
    expect(event(page, "Marseille")).to_be_visible()
    page.get_by_label("Department").select_option("")
    page.get_by_label("State").select_option("approved")
    expect(page.locator(".fc-event")).to_have_count(1)
    expect(event(page, "Vigilance cambriolages")).to_be_visible()
    assert "state=approved" in page.url  # a reload or a shared link keeps the filters
    assert_accessible(page)


def _post_at(writer_a, dept_a, channel_a, when, title) -> Post:
    return PostFactory(
        title=title,
        author=writer_a,
        origin_department=dept_a,
        channels=[channel_a],
        scheduled_at=when,
    )


def test_times_read_with_their_meridiem_in_english_and_on_24_hours_in_french(
    page, cm, writer_a, dept_a, channel_a, monday
):
    _post_at(writer_a, dept_a, channel_a, at(monday, 17), "Bilan de la journée")
    _post_at(writer_a, dept_a, channel_a, at(monday, 0, 30), "Nuit de la Saint-Sylvestre")
    login_as(page, cm)
    open_week(page, monday)
    expect(in_slot(page, monday, "Bilan")).to_contain_text(re.compile(r"5:00\s*PM"))
    expect(in_slot(page, monday, "Nuit")).to_contain_text(re.compile(r"12:30\s*AM"))
    evening = page.locator('.fc-timegrid-slot-label[data-time="17:00:00"]')
    expect(evening).to_have_text(re.compile(r"^\s*5:00\s*PM\s*$"))
    set_language(page, "fr")
    expect(page.locator(".fc-timeGridWeek-view")).to_be_visible()
    expect(in_slot(page, monday, "Bilan")).to_contain_text("17:00")
    expect(in_slot(page, monday, "Nuit")).to_contain_text("00:30")
    expect(evening).to_have_text(re.compile(r"^\s*17:00\s*$"))
    assert_accessible(page)


def _boxes_overlap(a: dict, b: dict) -> bool:
    """Whether two boxes share more than a sub-pixel sliver (layout rounds to 1/64 px)."""
    return (
        a["x"] + 1 < b["x"] + b["width"]
        and b["x"] + 1 < a["x"] + a["width"]
        and a["y"] + 1 < b["y"] + b["height"]
        and b["y"] + 1 < a["y"] + a["height"]
    )


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_posts_of_a_busy_morning_stand_side_by_side_each_title_readable(
    request, size, cm, writer_a, dept_a, channel_a, monday
):
    page = request.getfixturevalue("page" if size == "desktop" else "phone_page")
    times = {
        "Alerte météo": (9, 0),
        "Fermeture du commissariat": (9, 0),
        "Opération tranquillité": (10, 0),
        "Recrutement des cadets": (10, 30),
    }
    for title, (hour, minute) in times.items():
        _post_at(writer_a, dept_a, channel_a, at(monday, hour, minute), title)
    login_as(page, cm)
    open_week(page, monday)
    boxes = []
    for title in times:
        event_box = in_slot(page, monday, title)
        event_box.scroll_into_view_if_needed()
        name = event_box.locator(".cal-event-title")
        expect(name).to_be_visible()
        expect(name).to_have_text(title)
        box, name_box = event_box.bounding_box(), name.bounding_box()
        time_box = event_box.locator(".cal-event-time").bounding_box()
        # The time and the title's first line show inside the post's own box.
        assert box["y"] <= time_box["y"] and time_box["y"] + time_box["height"] <= name_box["y"] + 1
        assert name_box["y"] + 14 <= box["y"] + box["height"]
        assert box["width"] >= 60, f"{title}: {box['width']} px wide"
        boxes.append(box)
    for i, first in enumerate(boxes):
        for second in boxes[i + 1 :]:
            assert not _boxes_overlap(first, second), (first, second)
    assert_accessible(page)


def test_beyond_two_side_by_side_a_link_lists_the_others(
    page, cm, writer_a, dept_a, channel_a, monday
):
    for n in range(5):
        _post_at(writer_a, dept_a, channel_a, at(monday, 9), f"Point presse {n}")
    login_as(page, cm)
    open_week(page, monday)
    expect(in_slot(page, monday, "Point presse")).to_have_count(2)
    more = page.locator(f'td.fc-timegrid-col[data-date="{monday}"] .fc-timegrid-more-link')
    expect(more).to_have_text(re.compile(r"\+3"))
    more.click()
    hidden = page.locator(".fc-popover .fc-event")
    expect(hidden).to_have_count(3)
    shown = in_slot(page, monday, "Point presse").locator(".cal-event-title").all_inner_texts()
    listed = hidden.locator(".cal-event-title").all_inner_texts()
    assert sorted(shown + listed) == [f"Point presse {n}" for n in range(5)]
    assert_accessible(page)
