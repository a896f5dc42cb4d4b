"""The bell, its list, opening a notice, marking all read, the preferences page and the
post page's "who was notified": through the views, with constant query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from editorial import workflow as wf
from notifications.models import Choice, Kind, Notification, Preferences
from tests.factories import PostFactory, UserFactory
from tests.notices import told


@pytest.fixture
def urgent(post_a, cm, head, director, django_capture_on_commit_callbacks):
    told(django_capture_on_commit_callbacks, lambda: wf.fast_track(post_a, cm))
    return post_a


def more_urgent_posts(count, writer_a, dept_a, channel_a, cm, capture):
    for _n in range(count):
        post = PostFactory(author=writer_a, origin_department=dept_a, channels=[channel_a])
        told(capture, lambda post=post: wf.fast_track(post, cm))


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context)


def test_the_header_shows_how_many_notices_are_unread(client, urgent, head):
    client.force_login(head)
    response = client.get(reverse("calendar"))
    assert b'data-testid="unread-count">1<' in response.content


def test_the_list_shows_each_notice_in_words_linking_to_open_it(client, urgent, head):
    client.force_login(head)
    response = client.get(reverse("notification-list"))
    notice = Notification.objects.get(recipient=head)
    text = response.content.decode()
    assert f"Urgent hot news from cm awaits your approval: “{urgent.title}”." in text
    assert reverse("notification-open", args=[notice.pk]) in text


def test_the_list_and_the_header_cost_the_same_queries_for_one_notice_or_many(
    client, urgent, head, writer_a, dept_a, channel_a, cm, django_capture_on_commit_callbacks
):
    client.force_login(head)
    one = queries(client, reverse("notification-list"))
    more_urgent_posts(15, writer_a, dept_a, channel_a, cm, django_capture_on_commit_callbacks)
    assert Notification.objects.filter(recipient=head).count() == 16
    assert queries(client, reverse("notification-list")) == one


def test_opening_a_notice_marks_it_read_and_leads_to_its_post(client, urgent, head):
    client.force_login(head)
    notice = Notification.objects.get(recipient=head)
    response = client.get(reverse("notification-open", args=[notice.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("post-detail", args=[urgent.pk])
    notice.refresh_from_db()
    assert notice.is_read
    first_read = notice.read_at
    client.get(reverse("notification-open", args=[notice.pk]))
    notice.refresh_from_db()
    assert notice.read_at == first_read  # opened again: read when first opened


def test_nobody_opens_someone_else_s_notice(client, urgent, head, director):
    client.force_login(director)
    notice = Notification.objects.get(recipient=head)
    assert client.get(reverse("notification-open", args=[notice.pk])).status_code == 404
    notice.refresh_from_db()
    assert not notice.is_read


def test_a_plan_notice_leads_its_reviewer_to_the_review(
    client, cm, head, writer_a, dept_a, channel_a, national, django_capture_on_commit_callbacks
):
    plan = wf.plan_for_week(national, 2030, 12, cm)
    post = PostFactory(author=writer_a, origin_department=dept_a, channels=[channel_a])
    wf.submit(post, writer_a)
    wf.accept(post, cm, plan=plan)
    told(django_capture_on_commit_callbacks, lambda: wf.submit_plan(plan, cm))
    notice = Notification.objects.get(recipient=head, kind=Kind.PLAN_SUBMITTED)
    client.force_login(head)
    response = client.get(reverse("notification-open", args=[notice.pk]))
    assert response["Location"] == reverse("plan-review", args=[plan.pk])


def test_mark_all_read_reads_only_mine(client, urgent, head, director):
    client.force_login(head)
    response = client.post(reverse("notification-mark-all-read"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=head, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=director, read_at__isnull=True).count() == 1
    assert b'data-testid="unread-count">0<' in client.get(response["Location"]).content


def test_mark_all_read_takes_only_a_post(client, head):
    client.force_login(head)
    assert client.get(reverse("notification-mark-all-read")).status_code == 405


def test_the_preferences_page_offers_a_choice_per_kind_and_the_language(client, head):
    client.force_login(head)
    response = client.get(reverse("notification-preferences"))
    assert response.status_code == 200
    form = response.context["form"]
    # The digest gathers the other kinds: asked for apart, not chosen per kind.
    kinds = {f"kind_{kind}" for kind in Kind.values if kind != Kind.DIGEST}
    assert kinds | {"language", "wants_digest"} == set(form.fields)
    assert form["kind_urgent"].initial == Choice.EMAIL


def test_preferences_are_saved_and_followed(
    client, head, director, post_a, cm, django_capture_on_commit_callbacks
):
    client.force_login(head)
    data = {f"kind_{kind}": Choice.EMAIL for kind in Kind.values}
    data |= {"kind_urgent": Choice.DIGEST, "language": "fr"}
    response = client.post(reverse("notification-preferences"), data)
    assert response.status_code == 302
    prefs = Preferences.objects.get(user=head)
    assert (prefs.language, prefs.choice_for(Kind.URGENT)) == ("fr", Choice.DIGEST)
    told(django_capture_on_commit_callbacks, lambda: wf.fast_track(post_a, cm))
    notice = Notification.objects.get(recipient=head)
    assert [d.channel for d in notice.deliveries.all()] == ["in_app"]


def test_a_choice_that_does_not_exist_is_refused(client, head):
    client.force_login(head)
    data = {f"kind_{kind}": "carrier_pigeon" for kind in Kind.values} | {"language": "fr"}
    response = client.post(reverse("notification-preferences"), data)
    assert response.status_code == 400
    assert not Preferences.objects.filter(user=head).exists()


def test_the_post_page_says_who_was_notified_of_what_in_constant_queries(client, urgent, cm):
    client.force_login(cm)
    url = reverse("post-detail", args=[urgent.pk])
    response = client.get(url)
    section = response.content.decode().split('data-testid="post-notices"')[1]
    assert "head</strong> · Urgent hot news awaits your approval" in section
    assert "director</strong> · Urgent hot news awaits your approval" in section
    assert "E-mail (waiting to be sent)" in section
    before = queries(client, url)
    for n in range(10):  # more notices of the same post, each with its deliveries
        notice = Notification.objects.create(
            recipient=UserFactory(), kind=Kind.URGENT, post=urgent, message="urgent", key=f"k{n}"
        )
        for channel in ("in_app", "email"):
            notice.deliveries.create(channel=channel, key=f"k{n}:{channel}")
    assert queries(client, url) == before


def test_a_contributor_of_another_department_does_not_see_the_post_nor_its_notices(
    client, urgent, contrib_b
):
    client.force_login(contrib_b)
    assert client.get(reverse("post-detail", args=[urgent.pk])).status_code == 404
