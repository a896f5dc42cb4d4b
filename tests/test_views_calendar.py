"""The calendar's events feed, its filters, and rescheduling through the web."""

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from editorial import workflow as wf
from editorial.audit import entries_for
from editorial.models import Category, Post, PostState
from tests.factories import CampaignFactory, ChannelFactory, PostFactory
from tests.refusals import refused_page

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
S = PostState


def events(client, **params) -> list[dict]:
    response = client.get(reverse("calendar-events"), params)
    assert response.status_code == 200, response.content
    return response.json()


def titles(client, **params) -> set[str]:
    return {event["title"] for event in events(client, **params)}


def reschedule(client, post, start: str, **extra):
    return client.post(
        reverse("post-reschedule", args=[post.pk]),
        {"start": start, **extra},
        HTTP_ACCEPT="application/json",
    )


@pytest.fixture
def week():
    """A future week, and its start/end as FullCalendar asks for them."""
    monday = timezone.localdate() + datetime.timedelta(days=14)
    monday -= datetime.timedelta(days=monday.weekday())
    sunday = monday + datetime.timedelta(days=7)
    return monday, {"start": f"{monday}T00:00:00Z", "end": f"{sunday}T00:00:00Z"}


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=PARIS)


@pytest.fixture
def two_departments(week, writer_a, dept_a, dept_b, channel_a, contrib_b):
    monday, _ = week
    a = PostFactory(
        title="Post A",
        author=writer_a,
        origin_department=dept_a,
        channels=[channel_a],
        scheduled_at=at(monday, 10),
    )
    b = PostFactory(
        title="Post B", author=contrib_b, origin_department=dept_b, scheduled_at=at(monday, 11)
    )
    return a, b


# --- the page ---------------------------------------------------------------------------


def test_the_calendar_page_shows_the_calendar_and_labelled_filters(client, cm):
    client.force_login(cm)
    response = client.get(reverse("calendar"))
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("channel", "department", "category", "state", "campaign"):
        assert f'<label for="id_{name}">' in html
    assert reverse("calendar-events") in html
    assert 'role="status"' in html


def test_the_calendar_page_needs_a_login(client):
    response = client.get(reverse("calendar"))
    assert response.status_code == 302


def test_the_department_filter_offers_only_the_users_departments(client, contrib_a, dept_b):
    client.force_login(contrib_a)
    html = client.get(reverse("calendar")).content.decode()
    assert dept_b.name not in html


# --- events and their scope -------------------------------------------------------------


def test_a_contributor_sees_only_their_departments_posts(client, contrib_a, two_departments, week):
    client.force_login(contrib_a)
    assert titles(client, **week[1]) == {"Post A"}


def test_the_national_team_sees_every_department(client, cm, two_departments, week):
    client.force_login(cm)
    assert titles(client, **week[1]) == {"Post A", "Post B"}


def test_events_carry_the_local_wall_clock_time_state_and_link(client, cm, two_departments, week):
    client.force_login(cm)
    post_a = two_departments[0]
    event = next(e for e in events(client, **week[1]) if e["title"] == "Post A")
    assert event["start"] == f"{week[0]}T10:00"  # Paris time, no offset: shown as is
    assert event["url"] == reverse("post-detail", args=[post_a.pk])
    assert "state-draft" in event["classNames"]
    assert event["extendedProps"]["stateLabel"] == "Draft"


def test_events_outside_the_range_are_left_out(client, cm, two_departments, week):
    client.force_login(cm)
    monday = week[0] + datetime.timedelta(days=35)
    later = {
        "start": f"{monday}T00:00:00Z",
        "end": f"{monday + datetime.timedelta(days=7)}T00:00:00Z",
    }
    assert titles(client, **later) == set()


def test_filters_narrow_the_events(client, cm, week, dept_a, dept_b, writer_a, channel_a):
    monday, span = week
    campaign = CampaignFactory(department=dept_a)
    other_channel = ChannelFactory(department=dept_a)
    PostFactory(
        title="Prevention A",
        category=Category.PREVENTION,
        author=writer_a,
        origin_department=dept_a,
        channels=[channel_a],
        campaign=campaign,
        scheduled_at=at(monday, 9),
    )
    hot = PostFactory(
        title="Hot A",
        author=writer_a,
        origin_department=dept_a,
        channels=[other_channel],
        category=Category.HOT_NEWS,
        scheduled_at=at(monday, 10),
    )
    PostFactory(
        title="Post B",
        category=Category.PREVENTION,
        origin_department=dept_b,
        scheduled_at=at(monday, 11),
    )
    wf.fast_track(hot, cm)
    client.force_login(cm)
    assert titles(client, **span, department=dept_a.pk) == {"Prevention A", "Hot A"}
    assert titles(client, **span, channel=other_channel.pk) == {"Hot A"}
    assert titles(client, **span, category="hot_news") == {"Hot A"}
    assert titles(client, **span, state="pending_approval") == {"Hot A"}
    assert titles(client, **span, campaign=campaign.pk) == {"Prevention A"}


def test_a_filter_outside_the_users_scope_is_refused(client, contrib_a, dept_b, week):
    client.force_login(contrib_a)
    response = client.get(reverse("calendar-events"), {**week[1], "department": dept_b.pk})
    assert response.status_code == 400


def _count_queries(client, span) -> int:
    with CaptureQueriesContext(connection) as queries:
        events(client, **span)
    return len(queries)


def test_the_events_feed_uses_the_same_number_of_queries_for_2_or_12_posts(
    client, cm, week, dept_a, dept_b, writer_a, channel_a
):
    monday, span = week

    def make(count):
        for n in range(count):
            department = dept_a if n % 2 else dept_b
            PostFactory(
                origin_department=department,
                author=writer_a,
                scheduled_at=at(monday + datetime.timedelta(days=n % 7), 8 + n % 10),
                sensitive=n % 3 == 0,
            )

    client.force_login(cm)
    make(2)
    few = _count_queries(client, span)
    make(10)
    assert len(events(client, **span)) == 12
    assert _count_queries(client, span) == few


# --- who may drag what ------------------------------------------------------------------


def test_editable_follows_the_users_right_to_move_each_post(
    client, contrib_a, cm, head, week, dept_a, writer_a, channel_a
):
    monday, span = week
    PostFactory(
        title="Draft",
        author=writer_a,
        origin_department=dept_a,
        channels=[channel_a],
        scheduled_at=at(monday, 9),
    )
    gone = PostFactory(
        title="Gone",
        author=writer_a,
        origin_department=dept_a,
        channels=[channel_a],
        scheduled_at=at(monday, 10),
    )
    Post.objects.filter(pk=gone.pk).update(state=S.PUBLISHED)
    held = PostFactory(
        title="Held",
        author=writer_a,
        origin_department=dept_a,
        channels=[channel_a],
        scheduled_at=at(monday, 11),
    )
    wf.fast_track(held, cm)
    wf.approve(held, head)
    Post.objects.filter(pk=held.pk).update(held_at=timezone.now())
    client.force_login(contrib_a)
    editable = {e["title"]: e["editable"] for e in events(client, **span)}
    assert editable == {"Draft": True, "Gone": False, "Held": False}
    client.force_login(head)
    editable = {e["title"]: e["editable"] for e in events(client, **span)}
    assert editable == {"Draft": True, "Gone": False, "Held": False}


def test_a_user_without_an_editing_role_sees_nothing_to_drag(
    client, outsider, two_departments, week
):
    client.force_login(outsider)
    assert events(client, **week[1]) == []  # no department: nothing visible either


# --- rescheduling through the web -------------------------------------------------------


def test_rescheduling_moves_the_post_and_writes_an_audit_entry(client, cm, post_a):
    client.force_login(cm)
    day = timezone.localdate() + datetime.timedelta(days=10)
    response = reschedule(client, post_a, f"{day}T14:30")
    assert response.status_code == 200, response.content
    post_a.refresh_from_db()
    assert post_a.scheduled_at == at(day, 14, 30)
    entry = entries_for(post_a).get(action="reschedule")
    assert entry.actor == cm
    assert entry.data["to"] == at(day, 14, 30).astimezone(datetime.UTC).isoformat()
    assert response.json()["event"]["start"] == f"{day}T14:30"


def test_a_contributor_of_another_department_gets_404_for_a_post_they_cannot_see(
    client, contrib_b, post_a
):
    client.force_login(contrib_b)
    day = timezone.localdate() + datetime.timedelta(days=10)
    assert reschedule(client, post_a, f"{day}T14:30").status_code == 404


def test_a_user_who_sees_the_post_but_may_not_edit_it_gets_403_with_the_reason(
    client, admin_user, post_a
):
    client.force_login(admin_user)  # sees every department, holds no editing role
    before = post_a.scheduled_at
    response = reschedule(client, post_a, f"{timezone.localdate() + datetime.timedelta(9)}T10:00")
    assert response.status_code == 403
    assert "Only" in response.json()["error"]
    post_a.refresh_from_db()
    assert post_a.scheduled_at == before


def test_moving_a_published_post_answers_409(client, cm, post_a):
    Post.objects.filter(pk=post_a.pk).update(state=S.PUBLISHED)
    client.force_login(cm)
    response = reschedule(client, post_a, f"{timezone.localdate() + datetime.timedelta(9)}T10:00")
    assert response.status_code == 409
    assert "moved" in response.json()["error"]


def test_a_time_in_the_past_answers_400(client, cm, post_a):
    client.force_login(cm)
    response = reschedule(client, post_a, f"{timezone.localdate() - datetime.timedelta(2)}T10:00")
    assert response.status_code == 400
    assert "future" in response.json()["error"]


def test_a_garbled_time_answers_400(client, cm, post_a):
    client.force_login(cm)
    assert reschedule(client, post_a, "next tuesday").status_code == 400


def test_a_time_the_clocks_skip_is_refused_with_a_clear_message(client, cm, post_a):
    client.force_login(cm)
    before = post_a.scheduled_at
    response = reschedule(client, post_a, "2027-03-28T02:30")  # the spring change of 2027
    assert response.status_code == 400
    assert "does not exist" in response.json()["error"]
    assert "Europe/Paris" in response.json()["error"]
    post_a.refresh_from_db()
    assert post_a.scheduled_at == before
    assert not entries_for(post_a).filter(action="reschedule").exists()


def test_the_gap_of_29_march_2026_is_named_as_such_rather_than_as_a_past_time(client, cm, post_a):
    client.force_login(cm)
    response = reschedule(client, post_a, "2026-03-29T02:30")
    assert response.status_code == 400
    assert "does not exist" in response.json()["error"]


def test_a_time_the_clocks_repeat_asks_which_one_then_accepts_the_choice(client, cm, post_a):
    year = timezone.localdate().year + 1
    sunday = max(
        datetime.date(year, 10, d)
        for d in range(25, 32)
        if datetime.date(year, 10, d).weekday() == 6
    )
    client.force_login(cm)
    response = reschedule(client, post_a, f"{sunday}T02:30")
    assert response.status_code == 400
    assert [c["value"] for c in response.json()["fold_choices"]] == ["0", "1"]
    response = reschedule(client, post_a, f"{sunday}T02:30", fold="1")
    assert response.status_code == 200
    post_a.refresh_from_db()
    # 02:30 in winter time (UTC+1), the second of the two.
    assert post_a.scheduled_at == datetime.datetime.combine(
        sunday, datetime.time(1, 30), tzinfo=datetime.UTC
    )


def test_a_sensitive_approved_post_moved_on_the_calendar_goes_back_to_the_director(
    client, cm, head, director, post_a
):
    wf.mark_sensitive(post_a, cm, "Affaire judiciaire.")
    wf.fast_track(post_a, cm)
    wf.approve(post_a, head)
    wf.sign_off(post_a, director)
    client.force_login(cm)
    response = reschedule(client, post_a, f"{timezone.localdate() + datetime.timedelta(9)}T10:00")
    assert response.status_code == 200
    assert "director" in response.json()["message"]
    assert response.json()["event"]["extendedProps"]["state"] == S.PENDING_SIGNOFF
    post_a.refresh_from_db()
    assert post_a.state == S.PENDING_SIGNOFF


def test_a_plain_form_post_redirects_back_to_the_calendar_with_the_outcome(client, cm, post_a):
    client.force_login(cm)
    day = timezone.localdate() + datetime.timedelta(days=10)
    url = reverse("post-reschedule", args=[post_a.pk])
    response = client.post(url, {"start": f"{day}T09:00"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("calendar"))
    client.get(response["Location"])  # its message, shown
    response = client.post(url, {"start": "2020-01-01T09:00"})  # refused: the same way back
    page = refused_page(client, response, f"{reverse('calendar')}?date={day}")
    assert "future" in page
    post_a.refresh_from_db()
    assert timezone.localtime(post_a.scheduled_at).date() == day


def test_rescheduling_needs_a_post_request(client, cm, post_a):
    client.force_login(cm)
    response = client.get(reverse("post-reschedule", args=[post_a.pk]))
    assert response.status_code == 405
