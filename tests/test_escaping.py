"""Nothing a person types comes back as markup: a payload in every free-text field
(tests/payloads.py), then every page, partial, feed, JSON answer and e-mail that shows
it, read as the server sends it. tests/browser/test_xss_sweep.py opens the pages in
Chromium too, listening for a dialog."""

from __future__ import annotations

import datetime as dt
import json

import feedparser
import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from editorial.models import PostState
from notifications.email import build as build_email
from notifications.models import Notification
from tests.payloads import FIELDS, RAW, build, escaped, pages, payload, readers

pytestmark = pytest.mark.django_db


@pytest.fixture
def stage(national, cm, head, director, admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return build(national, cm, head, admin_user)


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def raw_markup(text: str) -> list[str]:
    return [marker for marker in RAW if marker in text]


def test_no_page_shows_a_payload_as_markup_and_every_field_is_shown_somewhere(
    stage, cm, head, admin_user
):
    shown: set[str] = set()
    problems = []
    people = readers(stage, cm, head, admin_user)
    for who, urls in pages(stage).items():
        client = as_user(people[who])
        for url in urls:
            response = client.get(url)
            if response.status_code != 200:
                problems.append(f"{who} {url}: {response.status_code}")
                continue
            html = response.content.decode()
            if found := raw_markup(html):
                problems.append(f"{who} {url}: raw {found}")
            shown |= {field for field in FIELDS if escaped(field) in html}
    assert not problems, "\n".join(problems)
    assert shown == set(FIELDS), f"never shown (the sweep misses a page): {set(FIELDS) - shown}"


def test_htmx_partials_escape_what_they_send_back(stage, cm, head):
    client = as_user(head)
    hx = {"HX-Request": "true"}
    # A review row, refused (a comment is required to ask for changes): the row comes back.
    row = client.post(
        reverse("inbox-action", args=[stage.changed.pk, "comment"]),
        {"comment": payload("comment")},
        headers=hx,
    )
    assert row.status_code in (200, 400, 409)
    assert not raw_markup(row.content.decode())
    # The editor's verdict as one types: the typed text comes back in the answer.
    check = as_user(stage.writer).post(
        reverse("post-check"),
        {"title": payload("title"), "body": payload("body"), "channels": [stage.channel.pk]},
        headers=hx,
    )
    assert check.status_code == 200
    assert not raw_markup(check.content.decode())
    # A move on the calendar: its message names the post, as data for the page's script
    # (JSON), or as a message on the calendar page it redirects to.
    later = timezone.localtime(stage.post.scheduled_at) + dt.timedelta(days=1)
    start = later.strftime("%Y-%m-%dT%H:%M")
    url = reverse("post-reschedule", args=[stage.post.pk])
    moved = as_user(cm).post(url, {"start": start}, headers={"Accept": "application/json"})
    assert moved["Content-Type"] == "application/json"
    said = json.loads(moved.content)
    assert payload("title") in said["message"]  # data, which the page puts in as text
    flashed = as_user(cm).post(url, {"start": "not-a-time"}, follow=True)
    assert flashed.status_code == 200
    assert not raw_markup(flashed.content.decode())


def test_the_calendar_json_carries_the_text_as_data_never_as_html(stage, head):
    day = timezone.localdate(stage.post.scheduled_at)
    response = as_user(head).get(
        reverse("calendar-events"),
        {
            "start": (day - dt.timedelta(days=7)).isoformat(),
            "end": (day + dt.timedelta(days=7)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["X-Content-Type-Options"] == "nosniff"
    events = json.loads(response.content)
    assert payload("title") in [event["title"] for event in events]
    for event in events:
        assert "html" not in json.dumps(list(event)).lower()  # no member the page injects
        assert not str(event.get("url", "/")).lower().startswith("javascript:")


def test_the_atom_feed_says_its_text_is_text(stage, cm, head, director):
    from editorial import workflow as wf
    from editorial.models import Post, Publication, PublicationState

    post = stage.changed
    Publication.objects.create(
        post=post,
        channel=stage.feed,
        state=PublicationState.SENT,
        content_hash=post.content_hash,
        sent_at=timezone.now(),
    )
    Post.objects.filter(pk=post.pk).update(state=PostState.PUBLISHED)
    assert wf  # the feed lists what went out; no workflow step needed here

    response = Client().get(reverse("channel-atom-feed", args=[stage.feed.pk]))

    assert response.status_code == 200
    assert not raw_markup(response.content.decode())
    feed = feedparser.parse(response.content)
    assert feed.feed.title_detail.type == "text/plain"
    [entry] = feed.entries
    assert entry.content[0].type == "text/plain"
    assert entry.content[0].value == payload("body")


def test_notification_emails_escape_the_html_part_and_keep_the_subject_on_one_line(stage):
    notices = Notification.objects.filter(params__isnull=False)
    carrying = [n for n in notices if "xss-" in json.dumps(n.params)]
    assert carrying, "no notice carries a payload: the e-mail check would prove nothing"
    for notice in carrying:
        message = build_email(notice)
        assert "\n" not in message.subject and "\r" not in message.subject
        [(html, kind)] = message.alternatives
        assert kind == "text/html"
        assert not raw_markup(html), f"{notice.message}: {raw_markup(html)}"
        assert "&lt;script&gt;" in html
        message.send()
    assert mail.outbox


# --- A publication's address on the network: a link on the post page ------------------


@pytest.fixture
def unknown_publication(cm, head, dept_a, channel_a, post_a):
    from editorial import workflow as wf
    from editorial.models import Post, Publication, PublicationState

    wf.fast_track(post_a, cm)
    wf.approve(post_a, head)
    Post.objects.filter(pk=post_a.pk).update(state=PostState.PUBLISHING)
    return Publication.objects.create(
        post=post_a,
        channel=channel_a,
        state=PublicationState.UNKNOWN,
        content_hash=post_a.content_hash,
    )


@pytest.mark.parametrize(
    "url", ["javascript:alert(document.cookie)", " JavaScript:alert(1)", "data:text/html,<b>"]
)
def test_an_address_typed_for_a_publication_must_be_a_web_address(unknown_publication, cm, url):
    from editorial import workflow as wf
    from editorial.models import PublicationState

    with pytest.raises(wf.InvalidInput, match="http"):
        wf.resolve_unknown(unknown_publication, cm, went_out=True, url=url)
    unknown_publication.refresh_from_db()
    assert unknown_publication.state == PublicationState.UNKNOWN
    assert unknown_publication.external_url == ""


def test_an_address_a_network_answers_is_kept_only_when_it_is_a_web_address(
    unknown_publication, head
):
    """A hostile or broken instance answering `"url": "javascript:…"` for a status: the
    post page would link to it."""
    from editorial.channels.base import Result
    from editorial.publishing.outcomes import outcome_fields

    now = timezone.now()
    bad = outcome_fields("sent", now, result=Result(external_id="1", url="javascript:alert(1)"))
    good = outcome_fields("sent", now, result=Result(external_id="1", url="https://s.example/1"))
    assert bad["external_url"] == ""
    assert good["external_url"] == "https://s.example/1"


def test_the_post_page_links_only_to_web_addresses(unknown_publication, head):
    from editorial.models import Publication, PublicationState

    # As stored before addresses were checked.
    Publication.objects.filter(pk=unknown_publication.pk).update(
        state=PublicationState.SENT, external_url="javascript:alert(1)"
    )
    html = as_user(head).get(reverse("post-detail", args=[unknown_publication.post_id]))
    assert 'href="javascript:' not in html.content.decode().lower()
