"""Blackout periods through the pages: the management page (who may, bad input kept),
the editor, the calendar's drag and its bands, and the plan board all refuse a time
inside a `forbid` period with a message naming it."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from editorial import workflow as wf
from editorial.models import AuditEntry, Blackout, BlackoutRule, BlackoutScope, PostState
from tests.factories import ChannelFactory, PostFactory
from tests.refusals import refused_page
from tests.test_views_posts import _editor_data

PARIS = ZoneInfo("Europe/Paris")
PAGE = reverse("blackouts")


def login(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def local(moment: dt.datetime) -> str:
    return timezone.localtime(moment, PARIS).strftime("%Y-%m-%dT%H:%M")


def days(n: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=n)


@pytest.fixture
def reserve(head):
    """A forbidden period from day 10 to day 12, on every channel."""
    return wf.create_blackout(
        head, name="Réserve électorale", starts_at=days(10), ends_at=days(12), rule="forbid"
    )


def form(**more) -> dict:
    data = {
        "name": "Deuil national",
        "reason": "Hommage",
        "starts_at_0": local(days(1)),
        "ends_at_0": local(days(2)),
        "rule": "forbid",
        "scope": "all",
    }
    data.update(more)
    return data


# --- the page ------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["cm", "contrib_a"])
def test_a_cm_or_a_contributor_may_not_open_or_post_the_page(client, persona, request):
    login(client, request.getfixturevalue(persona))
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, form()).status_code == 403
    assert not Blackout.objects.exists()


def test_the_head_creates_a_period_from_the_page(client, head):
    login(client, head)
    assert client.get(PAGE).status_code == 200
    response = client.post(PAGE, form())
    assert response.status_code == 302
    created = Blackout.objects.get()
    assert (created.name, created.rule, created.created_by) == ("Deuil national", "forbid", head)
    page = client.get(PAGE).content.decode()
    assert 'data-testid="blackout"' in page and "Deuil national" in page
    assert AuditEntry.objects.filter(action="blackout_create").count() == 1


def test_bad_input_says_what_is_wrong_and_keeps_what_was_typed(client, head, dept_a):
    login(client, head)
    response = client.post(
        PAGE, form(name="Réserve", starts_at_0=local(days(3)), ends_at_0=local(days(2)))
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The period must end after it starts." in page
    assert 'value="Réserve"' in page
    response = client.post(PAGE, form(scope="departments"))
    assert response.status_code == 400
    assert "Choose the departments" in response.content.decode()
    response = client.post(PAGE, form(starts_at_0="not a date"))
    assert response.status_code == 400
    assert not Blackout.objects.exists()


def test_the_director_changes_then_ends_a_period_from_the_page(client, director, reserve, dept_a):
    login(client, director)
    edit = reverse("blackout-edit", args=[reserve.pk])
    assert client.get(edit).status_code == 200
    data = form(name="Réserve (DDSP 67)", scope="departments", departments=[dept_a.pk])
    assert client.post(edit, data).status_code == 302
    reserve.refresh_from_db()
    assert reserve.scope == BlackoutScope.DEPARTMENTS
    assert list(reserve.departments.all()) == [dept_a]
    assert client.post(reverse("blackout-end", args=[reserve.pk])).status_code == 302
    reserve.refresh_from_db()
    assert reserve.ended_at is not None
    assert client.get(edit).status_code == 404


# --- the editor, the calendar, the board -------------------------------------------------


def test_the_editor_refuses_a_time_inside_and_names_the_period(
    client, contrib_a, post_a, channel_a, reserve
):
    login(client, contrib_a)
    data = _editor_data(channel_a, loaded_hash=post_a.content_hash, scheduled_at_0=local(days(11)))
    response = client.post(reverse("post-edit", args=[post_a.pk]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Réserve électorale" in page and "Choose another time" in page
    assert local(days(11)) in page  # the time as typed, to correct
    before = post_a.scheduled_at
    post_a.refresh_from_db()
    assert post_a.scheduled_at == before


def test_the_calendar_drag_into_a_forbidden_period_is_refused_in_json(client, cm, post_a, reserve):
    login(client, cm)
    response = client.post(
        reverse("post-reschedule", args=[post_a.pk]),
        {"start": local(days(11))},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    assert "Réserve électorale" in response.json()["error"]
    assert response.json()["event"]["start"] == local(post_a.scheduled_at)


def test_the_calendar_shows_a_period_as_a_background_band(client, cm, reserve, dept_b):
    other = Blackout.objects.create(
        name="Hors de mon périmètre",
        starts_at=days(10),
        ends_at=days(11),
        rule="forbid",
        scope=BlackoutScope.DEPARTMENTS,
        created_by=cm,
    )
    other.departments.set([dept_b])
    login(client, cm)  # the national team: sees every department
    events = client.get(
        reverse("calendar-events"),
        {"start": local(days(9))[:10], "end": local(days(14))[:10]},
    ).json()
    bands = {e["title"]: e for e in events if e.get("display") == "background"}
    assert set(bands) == {"Réserve électorale", "Hors de mon périmètre"}
    band = bands["Réserve électorale"]
    assert band["start"] == local(reserve.starts_at) and band["end"] == local(reserve.ends_at)
    assert band["classNames"] == ["blackout", "blackout-forbid"]
    assert band["editable"] is False and "style" not in band and "color" not in band


def test_a_department_band_is_not_shown_to_another_department(client, contrib_a, dept_b, head):
    other = wf.create_blackout(
        head,
        name="Réserve 13",
        starts_at=days(10),
        ends_at=days(11),
        rule="forbid",
        scope=BlackoutScope.DEPARTMENTS,
        departments=[dept_b],
    )
    login(client, contrib_a)
    events = client.get(
        reverse("calendar-events"),
        {"start": local(days(9))[:10], "end": local(days(14))[:10]},
    ).json()
    assert other.name not in {e["title"] for e in events}


def test_placing_on_the_board_inside_a_forbidden_period_is_refused(client, cm, head, national):
    draft = PostFactory(
        title="Conseils vacances",
        author=cm,
        origin_department=national,
        channels=[ChannelFactory(department=national)],
        scheduled_at=None,
    )
    wf.create_blackout(
        head,
        name="Deuil national",
        starts_at=dt.datetime(2030, 3, 20, 0, tzinfo=PARIS),
        ends_at=dt.datetime(2030, 3, 21, 0, tzinfo=PARIS),
        rule=BlackoutRule.FORBID,
    )
    login(client, cm)
    board = reverse("plan-board-week", args=[2030, 12])
    response = client.post(
        reverse("plan-place", args=[2030, 12]), {"post": draft.pk, "at_0": "2030-03-20T14:00"}
    )
    page = refused_page(client, response, board)
    assert "Deuil national" in page
    draft.refresh_from_db()
    assert (draft.state, draft.scheduled_at) == (PostState.DRAFT, None)
    response = client.post(
        reverse("plan-place", args=[2030, 12]), {"post": draft.pk, "at_0": "2030-03-21T09:00"}
    )
    draft.refresh_from_db()
    assert draft.state == PostState.PLANNED


def test_the_crisis_page_lists_a_post_held_by_a_period_with_its_name(client, head, approved):
    from editorial.models import Post

    Post.objects.filter(pk=approved.pk).update(scheduled_at=days(11))
    wf.create_blackout(
        head, name="Réserve électorale", starts_at=days(10), ends_at=days(12), rule="forbid"
    )
    login(client, head)
    page = client.get(reverse("crisis")).content.decode()
    assert 'data-testid="held-post"' in page
    assert "Blackout period “Réserve électorale”" in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = client.get(reverse("crisis")).content.decode()
    assert "Période d’interdiction « Réserve électorale »" in page


def test_the_admin_lists_periods_read_only_and_ends_one_through_the_workflow(
    client, director, reserve
):
    from editorial.models import Blackout as Model
    from tests.test_admin import admin_login, run_action, url

    admin_login(client, director)
    assert client.get(url(Model)).status_code == 200
    assert client.get(url(Model, "change", reserve.pk)).status_code == 200
    assert client.get(url(Model, "add")).status_code == 403
    run_action(client, Model, "end", reserve)
    reserve.refresh_from_db()
    assert reserve.ended_by == director
    assert AuditEntry.objects.filter(action="blackout_end", actor=director).count() == 1


def test_the_form_reads_local_times_across_the_spring_change(client, head):
    login(client, head)
    # Europe/Paris skips 02:00-03:00 on 2027-03-28: 01:00 is UTC+1, 04:00 is UTC+2.
    data = form(starts_at_0="2027-03-28T01:00", ends_at_0="2027-03-28T04:00")
    assert client.post(PAGE, data).status_code == 302
    created = Blackout.objects.get()
    assert created.starts_at == dt.datetime(2027, 3, 28, 0, 0, tzinfo=dt.UTC)
    assert created.ends_at == dt.datetime(2027, 3, 28, 2, 0, tzinfo=dt.UTC)
    response = client.post(PAGE, form(starts_at_0="2027-03-28T02:30"))
    assert response.status_code == 400
    assert "does not exist in Europe/Paris" in response.content.decode()


def test_a_drag_into_a_signoff_period_says_the_director_signs_off(client, cm, head, approved):
    wf.create_blackout(
        head, name="Réserve", starts_at=days(10), ends_at=days(12), rule=BlackoutRule.SIGNOFF
    )
    login(client, cm)
    response = client.post(
        reverse("post-reschedule", args=[approved.pk]),
        {"start": local(days(11))},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200
    assert "inside a blackout period: the director must sign off" in response.json()["message"]
    approved.refresh_from_db()
    assert approved.state == PostState.PENDING_SIGNOFF
