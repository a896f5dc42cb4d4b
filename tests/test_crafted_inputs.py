"""Crafted inputs get a clear answer, never a server error (issue 16, finding 5): times
at the edges of the calendar, ids and fold values no form sends, control characters and
texts far longer than any column or comment should hold."""

import pytest
from django.urls import reverse

from editorial import workflow as wf
from editorial.models import AuditEntry, Comment, PostState, WeeklyPlan

NUL = "\x00"
JSON = {"Accept": "application/json"}  # as the calendar's script asks
EDGE_TIMES = ["0001-01-01T00:00", "9999-12-31T23:59", "2026-13-40T99:99", f"2027-03-01T10:00{NUL}"]


@pytest.mark.parametrize("start", EDGE_TIMES)
def test_the_calendar_refuses_a_drop_at_a_time_out_of_its_range(client, cm, post_a, start):
    client.force_login(cm)
    response = client.post(
        reverse("post-reschedule", args=[post_a.pk]), {"start": start}, headers=JSON
    )
    assert response.status_code == 400
    assert response.json()["error"]  # why, in words
    post_a.refresh_from_db()
    assert post_a.scheduled_at.year < 2100


@pytest.mark.parametrize("fold", ["2", "-1", "x", NUL])
def test_the_calendar_refuses_a_fold_no_page_sends(client, cm, post_a, fold):
    client.force_login(cm)
    url = reverse("post-reschedule", args=[post_a.pk])
    response = client.post(url, {"start": "2030-06-01T10:00", "fold": fold}, headers=JSON)
    assert response.status_code == 400
    assert response.json()["error"]


@pytest.mark.parametrize("bound", ["0001-01-01T00:00:00Z", "9999-12-31T00:00:00Z", "x"])
def test_the_calendars_events_ignore_a_range_out_of_bounds(client, cm, post_a, bound):
    client.force_login(cm)
    response = client.get(reverse("calendar-events"), {"start": bound, "end": bound})
    assert response.status_code in (200, 400)


@pytest.mark.parametrize("date", ["0001-01-01", "9999-12-31"])
def test_the_calendar_page_opens_on_today_for_a_date_out_of_range(client, cm, date):
    client.force_login(cm)
    assert client.get(reverse("calendar"), {"date": date}).status_code == 200


@pytest.mark.parametrize("year", [1, 9999])
def test_the_plan_board_has_no_week_in_year_1_or_9999_and_leaves_no_plan_behind(client, cm, year):
    client.force_login(cm)
    assert client.get(reverse("plan-board-week", args=[year, 1])).status_code == 404
    response = client.post(reverse("plan-action", args=[year, 1, "submit_plan"]))
    assert response.status_code == 404
    assert not WeeklyPlan.objects.exists()


def test_a_post_id_in_another_script_of_digits_is_not_found(client, cm):
    client.force_login(cm)
    response = client.post(reverse("plan-place", args=[2030, 12]), {"post": "²"})
    assert response.status_code == 404


def test_the_editor_refuses_a_time_in_the_year_9999(client, contrib_a, post_a):
    from tests.html_forms import form_data

    client.force_login(contrib_a)
    page = client.get(reverse("post-edit", args=[post_a.pk])).content.decode()
    data = {**form_data(page), "scheduled_at_0": "9999-12-31T23:59"}
    response = client.post(reverse("post-edit", args=[post_a.pk]), data)
    assert response.status_code == 200  # the form again, with what was typed
    assert "between 2000 and 2100" in response.content.decode()
    post_a.refresh_from_db()
    assert post_a.scheduled_at.year < 2100


def test_a_comment_with_a_nul_is_refused_with_the_reason(client, head, pending):
    client.force_login(head)
    response = client.post(
        reverse("post-action", args=[pending.pk, "comment"]), {"text": f"Vu{NUL}."}
    )
    assert response.status_code in (303, 400)
    assert not Comment.objects.exists()
    with pytest.raises(wf.InvalidInput, match="control characters"):
        wf.comment(pending, head, f"Vu{NUL}.")


def test_a_request_for_changes_from_the_inbox_with_a_nul_is_refused(client, head, pending):
    client.force_login(head)
    response = client.post(
        reverse("inbox-action", args=[pending.pk, "request_changes"]),
        {"comment": f"Non{NUL}"},
    )
    assert response.status_code in (303, 400)
    pending.refresh_from_db()
    assert pending.state == PostState.PENDING_APPROVAL


def test_a_sensitivity_reason_longer_than_its_column_is_refused(cm, post_a):
    with pytest.raises(wf.InvalidInput, match="under 300 characters"):
        wf.mark_sensitive(post_a, cm, "Trop long. " * 40)
    post_a.refresh_from_db()
    assert not post_a.sensitive


def test_a_comment_of_megabytes_is_refused_before_it_reaches_the_audit_trail(head, pending):
    before = AuditEntry.objects.count()
    with pytest.raises(wf.InvalidInput, match="under 5000 characters"):
        wf.request_changes(pending, head, "x" * 2_400_000)
    with pytest.raises(wf.InvalidInput):
        wf.pause_publishing(head, "y" * 1000)
    assert AuditEntry.objects.count() == before
