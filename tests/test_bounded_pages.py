"""Every page bounded by what a person can read (issue 18): the inbox's groups are paged,
the calendar's days capped with a "+N more" leading to the day's list, the plan board's
undated items summarised; each page's query count and rows do not grow with the data."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from editorial import workflow as wf
from tests.factories import PostFactory

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def measured(client, url, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return response, len(queries)


# --- the inbox ----------------------------------------------------------------------------


def row_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'id="row-(\d+)" data-testid="inbox-row"', html)]


def test_an_inbox_group_is_paged_and_its_page_costs_the_same_for_5_or_13_posts(
    client, head, cm, writer_a, dept_a, channel_a, monkeypatch
):
    from editorial.views import inbox as inbox_view

    monkeypatch.setattr(inbox_view, "INBOX_ROWS", 5)

    def add(n):
        for _ in range(n):
            post = PostFactory(author=writer_a, origin_department=dept_a, channels=[channel_a])
            wf.fast_track(post, cm)

    client.force_login(head)
    add(5)
    few, few_queries = measured(client, reverse("inbox"))
    assert len(row_ids(few.content.decode())) == 5
    assert 'data-testid="group-next"' not in few.content.decode()
    add(8)
    many, many_queries = measured(client, reverse("inbox"))
    html = many.content.decode()
    assert many_queries == few_queries
    first = row_ids(html)
    assert len(first) == 5
    assert 'data-testid="inbox-group-approve"' in html
    assert re.search(r'data-testid="group-count">13<', html)
    assert "13 posts await you" in html
    assert "?group=approve&amp;page=2" in html

    # The next pages: the following rows, in order, none twice, the last one shorter.
    second, second_queries = measured(client, reverse("inbox"), group="approve", page=2)
    assert second_queries == few_queries
    third = client.get(reverse("inbox"), {"group": "approve", "page": 3}).content.decode()
    rest = row_ids(second.content.decode()) + row_ids(third)
    assert len(rest) == 8 and not set(rest) & set(first)
    assert 'data-testid="group-next"' not in third
    assert "?group=approve&amp;page=2" in third  # back
    # A page beyond the last, or not a number, is the nearest page, never a 500.
    assert row_ids(client.get(reverse("inbox"), {"group": "approve", "page": 99}).content.decode())
    assert client.get(reverse("inbox"), {"group": "approve", "page": "x"}).status_code == 200


def test_the_inbox_groups_count_each_kind_and_offer_the_groups_own_button(
    client, head, cm, director, writer_a, dept_a, channel_a
):
    approve = PostFactory(author=writer_a, origin_department=dept_a, channels=[channel_a])
    wf.fast_track(approve, cm)
    sensitive = PostFactory(author=writer_a, origin_department=dept_a, channels=[channel_a])
    wf.mark_sensitive(sensitive, cm, reason="Victims named")
    wf.fast_track(sensitive, cm)
    wf.approve(sensitive, head)  # on to the director's sign-off
    client.force_login(director)
    html = client.get(reverse("inbox")).content.decode()
    assert 'data-testid="inbox-group-sign_off"' in html
    assert reverse("inbox-action", args=[sensitive.pk, "sign_off"]) in html
    assert reverse("inbox-action", args=[sensitive.pk, "approve"]) not in html


# --- the calendar -------------------------------------------------------------------------


@pytest.fixture
def day():
    return timezone.localdate() + dt.timedelta(days=10)


def on(day, n, writer, dept, channel, hour=8):
    for minute in range(n):
        PostFactory(
            author=writer,
            origin_department=dept,
            channels=[channel],
            scheduled_at=dt.datetime.combine(day, dt.time(hour, minute), tzinfo=PARIS),
        )


def test_a_calendar_day_shows_at_most_its_cap_and_a_more_entry_leading_to_the_day(
    client, cm, writer_a, dept_a, channel_a, day, settings
):
    settings.CALENDAR_EVENTS_PER_DAY = 3
    client.force_login(cm)
    bounds = {"start": f"{day}T00:00:00Z", "end": f"{day + dt.timedelta(days=1)}T00:00:00Z"}
    on(day, 2, writer_a, dept_a, channel_a)
    few, few_queries = measured(client, reverse("calendar-events"), **bounds)
    assert len(few.json()) == 2
    on(day, 7, writer_a, dept_a, channel_a, hour=9)
    on(day + dt.timedelta(days=1), 1, writer_a, dept_a, channel_a)  # the next day's own
    many, many_queries = measured(client, reverse("calendar-events"), **bounds)
    assert many_queries == few_queries
    events = many.json()
    # (The feed pads the range by a day on each side: the next day's post comes too.)
    posts = [e for e in events if e["start"].startswith(str(day))]
    posts = [event for event in posts if not event["extendedProps"].get("more")]
    more = [event for event in events if event["extendedProps"].get("more")]
    assert [event["start"][11:] for event in posts] == ["08:00", "08:01", "09:00"]
    assert len(more) == 1 and more[0]["title"] == "+6 more" and not more[0]["editable"]
    assert more[0]["start"] == f"{day}T09:01"  # just after the last one shown

    # The day's list: that day's nine posts, in the user's zone, not the next day's.
    listed = client.get(more[0]["url"])
    assert listed.status_code == 200
    assert len(listed.context["page"].object_list) == 9
    assert {timezone.localdate(p.scheduled_at) for p in listed.context["page"].object_list} == {day}


# --- the plan board -----------------------------------------------------------------------


def test_the_board_lists_the_newest_undated_items_and_counts_the_older(
    client, cm, national, settings
):
    settings.PLAN_BOARD_UNDATED = 2
    board = reverse("plan-board-week", args=[2030, 12])
    client.force_login(cm)

    def submit(n):
        # The national team's own drafts without a time: they pile up week after week.
        return [
            PostFactory(author=cm, origin_department=national, scheduled_at=None) for _ in range(n)
        ]

    submit(1)
    few, few_queries = measured(client, board)
    assert len(few.context["side"]) == 1
    assert 'data-testid="older-undated"' not in few.content.decode()
    newest = submit(5)
    many, many_queries = measured(client, board)
    assert many_queries == few_queries
    assert [post.pk for post in many.context["side"]] == [newest[-1].pk, newest[-2].pk]
    html = many.content.decode()
    assert "4 older items without a time are not listed here." in html
    assert "6 items to place" in html
    assert client.get(reverse("submissions")).status_code == 200
