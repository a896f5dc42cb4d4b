"""Private iCalendar subscriptions: scope, time zones across DST, revocation, hashing."""

import datetime as dt
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from calendar_feeds import services
from calendar_feeds.ical import build_calendar
from calendar_feeds.models import CalendarFeed
from editorial.models import AuditEntry
from tests.factories import CampaignFactory, ChannelFactory, PostFactory, in_days

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
pytestmark = pytest.mark.django_db


def _feed_url(secret: str) -> str:
    return reverse("calendar-feed", args=[secret])


def _events(body: bytes) -> dict[str, object]:
    calendar = Calendar.from_ical(body)
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


@pytest.fixture
def channel_b(dept_b):
    return ChannelFactory(name="Police 13", department=dept_b)


def test_the_feed_lists_what_the_owner_may_see_and_nothing_else(
    client, contrib_a, writer_a, dept_a, dept_b, channel_a, channel_b
):
    mine = PostFactory(
        title="Ours", author=writer_a, origin_department=dept_a, channels=[channel_a]
    )
    PostFactory(title="Theirs", origin_department=dept_b, channels=[channel_b])
    _feed, secret = services.create_feed(contrib_a, "Outlook", {})

    response = client.get(_feed_url(secret))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    events = _events(response.content)
    assert set(events) == {"Ours"}
    event = events["Ours"]
    assert str(event["UID"]) == f"post-{mine.pk}@cadence"
    assert str(event["URL"]).endswith(reverse("post-detail", args=[mine.pk]))
    assert "Police 67" in str(event["DESCRIPTION"])
    assert "Draft" in str(event["DESCRIPTION"]) or "Brouillon" in str(event["DESCRIPTION"])
    # The same UID at every fetch: clients update the event rather than add one.
    assert str(_events(client.get(_feed_url(secret)).content)["Ours"]["UID"]) == str(event["UID"])


def test_filters_as_on_the_calendar_page(client, cm, dept_a, dept_b, channel_a, channel_b):
    PostFactory(title="A", origin_department=dept_a, channels=[channel_a])
    PostFactory(title="B", origin_department=dept_b, channels=[channel_b])
    _feed, by_channel = services.create_feed(cm, "A only", {"channel": str(channel_a.pk)})
    _feed, by_state = services.create_feed(cm, "Approved", {"state": "approved"})

    assert set(_events(client.get(_feed_url(by_channel)).content)) == {"A"}
    assert set(_events(client.get(_feed_url(by_state)).content)) == set()


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [
        # 02:30 in Paris the day before and after the autumn change (CEST then CET)…
        (dt.date(2026, 10, 24), 0),
        (dt.date(2026, 10, 26), 1),
        # …and the spring change (CET then CEST).
        (dt.date(2027, 3, 27), 1),
        (dt.date(2027, 3, 29), 0),
    ],
)
def test_local_times_are_right_across_both_dst_changes(cm, dept_a, channel_a, day, utc_hour):
    at = dt.datetime.combine(day, dt.time(2, 30), PARIS)
    PostFactory(title="Night", origin_department=dept_a, channels=[channel_a], scheduled_at=at)
    feed, _secret = services.create_feed(cm, "Phone", {})
    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)

    body = build_calendar(feed, "https://cadence.example", now=now)

    start = _events(body)["Night"]["DTSTART"].dt
    assert start.astimezone(dt.UTC) == dt.datetime.combine(day, dt.time(utc_hour, 30), dt.UTC)
    assert (start.astimezone(PARIS).hour, start.astimezone(PARIS).minute) == (2, 30)
    assert f"DTSTART;TZID=Europe/Paris:{day:%Y%m%d}T023000".encode() in body
    zones = Calendar.from_ical(body).walk("VTIMEZONE")
    assert [str(zone["TZID"]) for zone in zones] == ["Europe/Paris"]


def test_the_owners_own_zone_is_used(cm, dept_a, channel_a):
    cm.time_zone = "America/Cayenne"
    cm.save()
    at = dt.datetime(2026, 12, 10, 15, 0, tzinfo=dt.UTC)
    PostFactory(title="Guyane", origin_department=dept_a, channels=[channel_a], scheduled_at=at)
    feed, _secret = services.create_feed(cm, "Cayenne", {})

    body = build_calendar(feed, "", now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))

    assert b"DTSTART;TZID=America/Cayenne:20261210T120000" in body
    assert b"TZID:America/Cayenne" in body


def test_the_second_pass_of_the_repeated_hour_is_written_in_utc(cm, dept_a, channel_a):
    second = dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC)  # 02:30 CET, the second time
    PostFactory(title="Twice", origin_department=dept_a, channels=[channel_a], scheduled_at=second)
    feed, _secret = services.create_feed(cm, "Phone", {})

    body = build_calendar(feed, "", now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))

    assert _events(body)["Twice"]["DTSTART"].dt == second


def test_campaigns_with_dates_are_all_day_events(client, cm, dept_a):
    CampaignFactory(
        name="Vacances", department=dept_a, starts_on=in_days(2).date(), ends_on=in_days(4).date()
    )
    CampaignFactory(name="Undated", department=dept_a)
    _feed, secret = services.create_feed(cm, "Phone", {})

    events = _events(client.get(_feed_url(secret)).content)

    assert set(events) == {"Campaign: Vacances"} or set(events) == {"Campagne : Vacances"}
    event = next(iter(events.values()))
    assert event["DTSTART"].dt == in_days(2).date()
    assert event["DTEND"].dt == in_days(5).date()


def test_a_revoked_or_unknown_address_answers_404(client, contrib_a, dept_a, channel_a):
    feed, secret = services.create_feed(contrib_a, "Outlook", {})
    assert client.get(_feed_url(secret)).status_code == 200

    services.revoke_feed(feed, contrib_a)

    assert client.get(_feed_url(secret)).status_code == 404
    assert client.get(_feed_url("not-a-secret")).status_code == 404


def test_a_user_who_loses_scope_loses_the_posts(client, contrib_a, writer_a, dept_a, channel_a):
    PostFactory(title="Ours", author=writer_a, origin_department=dept_a, channels=[channel_a])
    _feed, secret = services.create_feed(contrib_a, "Outlook", {})
    assert set(_events(client.get(_feed_url(secret)).content)) == {"Ours"}

    dept_a.group.user_set.remove(contrib_a)

    assert set(_events(client.get(_feed_url(secret)).content)) == set()
    contrib_a.is_active = False
    contrib_a.save()
    assert client.get(_feed_url(secret)).status_code == 404


def test_the_secret_is_stored_hashed_and_never_audited(contrib_a):
    feed, secret = services.create_feed(contrib_a, "Outlook", {"state": "planned"})
    services.revoke_feed(feed, contrib_a)

    stored = CalendarFeed.objects.get(pk=feed.pk)
    assert secret not in stored.secret_hash and len(stored.secret_hash) == 64
    # The address holds the secret alone: nothing names the user.
    assert _feed_url(secret) == f"/calendar/ics/{secret}.ics" and len(secret) >= 40
    entries = AuditEntry.objects.filter(action__in=["create_calendar_feed", "revoke_calendar_feed"])
    assert entries.count() == 2
    assert all(secret not in str(entry.data) for entry in entries)


def test_constant_query_count_at_2_and_50_posts(client, cm, dept_a, channel_a):
    _feed, secret = services.create_feed(cm, "Phone", {"department": str(dept_a.pk)})

    def count(posts: int) -> int:
        for n in range(posts):
            PostFactory(origin_department=dept_a, channels=[channel_a], scheduled_at=in_days(n % 9))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(_feed_url(secret))
        assert len(_events(response.content)) >= posts
        return len(queries)

    assert count(2) == count(48)


def test_subscriptions_page_creates_shows_once_and_revokes(client, contrib_a, channel_a):
    client.force_login(contrib_a)
    page = client.get(reverse("calendar-feeds"), {"channel": channel_a.pk})
    assert page.status_code == 200

    created = client.post(
        reverse("calendar-feeds"), {"name": "Outlook", "channel": str(channel_a.pk)}
    )

    assert created.status_code == 200
    assert "no-store" in created["Cache-Control"]
    url = created.context["created"]["url"]
    secret = url.rsplit("/", 1)[-1].removesuffix(".ics")
    assert client.get(url).status_code == 200
    assert secret not in client.get(reverse("calendar-feeds")).content.decode()
    feed = CalendarFeed.objects.get()
    assert feed.filters == {"channel": str(channel_a.pk)}
    revoked = client.post(reverse("calendar-feed-revoke", args=[feed.pk]))
    assert revoked.status_code == 302
    assert client.get(url).status_code == 404


def test_a_name_is_required_and_what_was_typed_is_kept(client, contrib_a):
    client.force_login(contrib_a)
    response = client.post(reverse("calendar-feeds"), {"name": "", "state": "planned"})
    assert response.status_code == 400
    assert response.context["form"]["state"].value() == "planned"
    assert not CalendarFeed.objects.exists()


def test_someone_elses_subscription_cannot_be_revoked(client, contrib_a, contrib_b):
    feed, secret = services.create_feed(contrib_a, "Outlook", {})
    client.force_login(contrib_b)
    assert client.post(reverse("calendar-feed-revoke", args=[feed.pk])).status_code == 404
    assert client.get(_feed_url(secret)).status_code == 200


def test_the_calendar_and_account_pages_link_to_the_subscriptions(client, contrib_a):
    client.force_login(contrib_a)
    target = reverse("calendar-feeds")
    calendar = client.get(reverse("calendar"), {"state": "planned"}).content.decode()
    assert f'href="{target}?state=planned"' in calendar
    assert f'href="{target}"' in client.get(reverse("workspace-account")).content.decode()
