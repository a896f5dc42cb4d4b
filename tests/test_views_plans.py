"""The weekly plan board and the submissions page, through HTTP as the CM uses them."""

import datetime as dt
import zoneinfo

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from editorial import workflow as wf
from editorial.models import Category, Comment, PlanState, Post, PostState, WeeklyPlan
from tests.factories import ChannelFactory, PostFactory, shown_items
from tests.refusals import HTMX, refused_page

S = PostState
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
# ISO week 12 of 2030: Monday 18 to Sunday 24 March; week 13 ends on the night the
# clocks go forward (Sunday 31 March 2030, 02:00 → 03:00).
YEAR, WEEK = 2030, 12
BOARD = reverse("plan-board-week", args=[YEAR, WEEK])
PLACE = reverse("plan-place", args=[YEAR, WEEK])


def paris(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


def login(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def cm_client(client, cm):
    return login(client, cm)


@pytest.fixture
def national_channel(national):
    return ChannelFactory(name="Police nationale", department=national)


@pytest.fixture
def submission(writer_a, dept_a, channel_a):
    """A department's post asking for Tuesday 19 March 2030, 10:00."""
    post = PostFactory(
        title="Fête de la musique",
        author=writer_a,
        origin_department=dept_a,
        channels=[channel_a],
        scheduled_at=paris(2030, 3, 19, 10),
    )
    wf.submit(post, writer_a)
    return post


@pytest.fixture
def draft(cm, national, national_channel):
    """The national team's own draft, with no time yet."""
    return PostFactory(
        title="Conseils vacances",
        author=cm,
        origin_department=national,
        channels=[national_channel],
        scheduled_at=None,
    )


def test_a_contributor_is_refused_the_board_and_the_submissions_page(client, contrib_a, post_a):
    login(client, contrib_a)
    assert client.get(reverse("plan-board")).status_code == 403
    assert client.get(BOARD).status_code == 403
    assert client.get(reverse("submissions")).status_code == 403
    response = client.post(PLACE, {"post": post_a.pk, "at_0": "2030-03-19T10:00"})
    assert response.status_code == 403
    post_a.refresh_from_db()
    assert post_a.state == S.DRAFT


def test_a_contributor_cannot_act_on_another_departments_submission(client, contrib_b, submission):
    login(client, contrib_b)
    for action in ("accept", "return_submission", "fast_track"):
        url = reverse("submission-action", args=[submission.pk, action])
        assert client.post(url, {"comment": "Non."}).status_code == 403
    submission.refresh_from_db()
    assert submission.state == S.SUBMITTED


def test_a_post_that_is_not_there_is_not_found(cm_client):
    assert cm_client.post(PLACE, {"post": 999999, "at_0": "2030-03-19T10:00"}).status_code == 404
    url = reverse("submission-action", args=[999999, "accept"])
    assert cm_client.post(url).status_code == 404


def test_a_week_that_does_not_exist_is_not_found(cm_client):
    assert cm_client.get(reverse("plan-board-week", args=[2030, 60])).status_code == 404


def test_looking_at_a_week_creates_no_plan(cm_client):
    response = cm_client.get(BOARD)
    assert response.status_code == 200
    assert not WeeklyPlan.objects.exists()
    assert b'data-testid="plan-state">Draft<' in response.content


def test_the_current_week_is_the_default_board(cm_client):
    response = cm_client.get(reverse("plan-board"))
    assert response.status_code == 200
    assert response.context["days"][0].weekday() == 0
    assert len(response.context["days"]) == 7


def test_the_board_lists_submissions_and_the_teams_drafts_to_place(
    cm_client, submission, draft, post_a
):
    response = cm_client.get(BOARD)
    side = [post.pk for post in response.context["side"]]
    assert side == [submission.pk, draft.pk]
    # A department's draft stays theirs until they submit it.
    assert post_a.pk not in side
    assert f'draggable="true" data-post="{draft.pk}"' in response.content.decode()


def test_placing_a_draft_at_a_time_plans_it_there(cm_client, cm, draft, national):
    response = cm_client.post(PLACE, {"post": draft.pk, "at_0": "2030-03-20T14:00"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == S.PLANNED
    assert draft.scheduled_at == paris(2030, 3, 20, 14)
    assert draft.plan == WeeklyPlan.objects.get(team=national, iso_year=YEAR, iso_week=WEEK)
    board = cm_client.get(BOARD)
    cell = next(
        cell
        for row in board.context["rows"]
        if row["hour"] == 14
        for cell in row["cells"]
        if cell["slot"] == "2030-03-20T14:00"
    )
    assert [post.pk for post in cell["posts"]] == [draft.pk]
    assert draft.pk not in [post.pk for post in board.context["side"]]


def test_placing_a_submission_on_the_board_accepts_it_at_that_time(cm_client, submission):
    cm_client.post(PLACE, {"post": submission.pk, "at_0": "2030-03-22T09:00"})
    submission.refresh_from_db()
    assert submission.state == S.PLANNED
    assert submission.scheduled_at == paris(2030, 3, 22, 9)


def test_a_time_in_the_spring_dst_gap_is_refused_with_a_message(cm_client, draft):
    url = reverse("plan-place", args=[2030, 13])
    response = cm_client.post(url, {"post": draft.pk, "at_0": "2030-03-31T02:30"})
    assert response.status_code == 400
    assert "does not exist in Europe/Paris" in response.content.decode()
    form = next(p.place_form for p in response.context["side"] if p.pk == draft.pk)
    assert form.errors["at"]
    assert 'value="2030-03-31T02:30"' in response.content.decode()
    draft.refresh_from_db()
    assert (draft.state, draft.scheduled_at) == (S.DRAFT, None)


def test_a_time_outside_the_week_shown_is_refused(cm_client, draft):
    response = cm_client.post(PLACE, {"post": draft.pk, "at_0": "2030-03-26T10:00"})
    assert response.status_code == 400
    assert "Choose a time in the week shown" in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == S.DRAFT


def test_a_post_that_cannot_be_planned_keeps_its_former_time(cm_client, draft):
    draft.channels.clear()
    response = cm_client.post(PLACE, {"post": draft.pk, "at_0": "2030-03-20T14:00"})
    page = refused_page(cm_client, response, BOARD)
    assert "Choose at least one channel" in page
    assert 'name="at_0" value="2030-03-20T14:00"' in page  # its place form, as typed
    draft.refresh_from_db()
    assert (draft.state, draft.scheduled_at) == (S.DRAFT, None)


def test_a_refused_drop_answers_htmx_with_its_status_and_the_board(cm_client, draft):
    draft.channels.clear()
    data = {"post": draft.pk, "at_0": "2030-03-20T14:00"}
    response = cm_client.post(PLACE, data, **HTMX)
    assert response.status_code == 400
    assert "Choose at least one channel" in response.content.decode()


def test_accepting_a_submission_puts_it_into_the_plan_of_its_week(cm_client, submission):
    response = cm_client.post(reverse("submission-action", args=[submission.pk, "accept"]))
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.state == S.PLANNED
    assert (submission.plan.iso_year, submission.plan.iso_week) == (YEAR, WEEK)
    page = cm_client.get(reverse("submissions"))
    assert "is accepted into the plan of week 12" in page.content.decode()
    assert page.context["posts"] == []


def test_returning_a_submission_with_a_comment_sends_it_back(cm_client, cm, submission):
    url = reverse("submission-action", args=[submission.pk, "return_submission"])
    cm_client.post(url, {"comment": "Ajoutez le lieu."})
    submission.refresh_from_db()
    assert submission.state == S.CHANGES_REQUESTED
    assert Comment.objects.get(post=submission).body == "Ajoutez le lieu."


def test_returning_a_submission_needs_a_comment(cm_client, submission):
    url = reverse("submission-action", args=[submission.pk, "return_submission"])
    response = cm_client.post(url, {"comment": "   "})
    html = refused_page(cm_client, response, reverse("submissions"))
    assert "a comment is required" in html
    assert 'aria-invalid="true"' in html
    submission.refresh_from_db()
    assert submission.state == S.SUBMITTED


def test_a_refused_return_keeps_the_typed_comment(cm_client, cm, submission):
    wf.accept(submission, cm)  # someone else accepted it meanwhile
    url = reverse("submission-action", args=[submission.pk, "return_submission"])
    response = cm_client.post(url, {"comment": "Le lieu manque."})
    page = refused_page(cm_client, response, reverse("submissions"))
    assert "Le lieu manque.</textarea>" in page
    assert "Le lieu manque." not in cm_client.get(reverse("submissions")).content.decode()


def test_fast_tracking_hot_news_sends_it_for_approval_as_urgent(
    cm_client, writer_a, dept_a, channel_a
):
    post = PostFactory(
        title="Alerte",
        category=Category.HOT_NEWS,
        author=writer_a,
        origin_department=dept_a,
        channels=[channel_a],
    )
    wf.submit(post, writer_a)
    page = cm_client.get(reverse("submissions"))
    assert "Fast-track as hot news" in page.content.decode()
    cm_client.post(reverse("submission-action", args=[post.pk, "fast_track"]))
    post.refresh_from_db()
    assert (post.state, post.urgent, post.plan) == (S.PENDING_APPROVAL, True, None)


def test_submitting_the_plan_sends_its_items_for_approval(cm_client, cm, draft, submission):
    cm_client.post(PLACE, {"post": draft.pk, "at_0": "2030-03-20T14:00"})
    cm_client.post(PLACE, {"post": submission.pk, "at_0": "2030-03-21T11:00"})
    response = cm_client.post(reverse("plan-action", args=[YEAR, WEEK, "submit_plan"]))
    assert response.status_code == 302
    plan = WeeklyPlan.objects.get()
    assert plan.state == PlanState.SUBMITTED
    assert set(plan.posts.values_list("state", flat=True)) == {S.PENDING_APPROVAL}
    board = cm_client.get(BOARD)
    assert b'data-testid="plan-state">Submitted<' in board.content


def test_submitting_an_empty_plan_is_refused_with_the_reason(cm_client):
    response = cm_client.post(reverse("plan-action", args=[YEAR, WEEK, "submit_plan"]))
    assert "it has no items" in refused_page(cm_client, response, BOARD)


def test_the_head_of_communication_may_not_submit_the_plan(client, head, cm, draft):
    cm_client = login(client, cm)
    cm_client.post(PLACE, {"post": draft.pk, "at_0": "2030-03-20T14:00"})
    login(client, head)
    assert "submit_plan" not in client.get(BOARD).context["plan_actions"]
    response = client.post(reverse("plan-action", args=[YEAR, WEEK, "submit_plan"]))
    assert "may do this" in refused_page(client, response, BOARD)
    assert WeeklyPlan.objects.get().state == PlanState.DRAFT


def test_fast_tracking_hot_news_from_the_board_takes_it_out_of_the_items_to_place(
    cm_client, cm, national, national_channel
):
    hot = PostFactory(
        title="Fermeture A35",
        category=Category.HOT_NEWS,
        author=cm,
        origin_department=national,
        channels=[national_channel],
        scheduled_at=paris(2030, 3, 19, 7, 30),
    )
    cold = PostFactory(
        author=cm,
        origin_department=national,
        channels=[national_channel],
        scheduled_at=None,
        category=Category.COLD_NEWS,
    )
    board = cm_client.get(BOARD).content.decode()
    fast_track = reverse("plan-fast-track", args=[YEAR, WEEK, hot.pk])
    assert fast_track in board
    assert reverse("plan-fast-track", args=[YEAR, WEEK, cold.pk]) not in board
    response = cm_client.post(fast_track)
    assert response.status_code == 302
    hot.refresh_from_db()
    assert (hot.state, hot.urgent) == (S.PENDING_APPROVAL, True)
    board = cm_client.get(BOARD)
    assert hot.pk not in [post.pk for post in board.context["side"]]
    cell = next(
        cell
        for row in board.context["rows"]
        if row["hour"] == 7
        for cell in row["cells"]
        if cell["slot"] == "2030-03-19T07:00"
    )
    assert [post.pk for post in cell["posts"]] == [hot.pk]
    assert "Hot news, outside the plan" in board.content.decode()


@pytest.fixture
def submitted_plan(cm, draft, client):
    login(client, cm).post(PLACE, {"post": draft.pk, "at_0": "2030-03-20T14:00"})
    wf.submit_plan(WeeklyPlan.objects.get(), cm)
    return WeeklyPlan.objects.get()


def test_the_head_returns_a_submitted_plan_only_with_a_comment(client, head, submitted_plan, draft):
    login(client, head)
    assert client.get(BOARD).context["plan_actions"] == ["approve_plan", "return_plan"]
    url = reverse("plan-action", args=[YEAR, WEEK, "return_plan"])
    response = client.post(url, {"comment": ""})
    assert "a comment is required" in refused_page(client, response, BOARD)
    client.post(url, {"comment": "Trop chargé le mercredi."})
    submitted_plan.refresh_from_db()
    draft.refresh_from_db()
    assert (submitted_plan.state, draft.state) == (PlanState.RETURNED, S.PLANNED)


def test_the_board_sends_the_head_to_the_review_to_approve_the_plan(client, head, submitted_plan):
    login(client, head)
    board = client.get(BOARD).content.decode()
    assert reverse("plan-review", args=[submitted_plan.pk]) in board
    assert reverse("plan-action", args=[YEAR, WEEK, "approve_plan"]) not in board


def test_approving_from_the_board_without_the_items_shown_approves_nothing(
    client, head, submitted_plan, draft
):
    login(client, head)
    url = reverse("plan-action", args=[YEAR, WEEK, "approve_plan"])
    response = client.post(url, **HTMX)  # a forged request: no hash of anything shown
    assert response.status_code == 409
    assert f"“{draft.title}” awaits approval but was not among the items shown to you" in (
        response.content.decode()
    )
    submitted_plan.refresh_from_db()
    draft.refresh_from_db()
    assert (submitted_plan.state, draft.state) == (PlanState.SUBMITTED, S.PENDING_APPROVAL)
    assert not draft.approvals.exists()


def test_the_plan_action_approves_with_the_hash_of_each_item_shown(
    client, head, submitted_plan, draft
):
    login(client, head)
    url = reverse("plan-action", args=[YEAR, WEEK, "approve_plan"])
    client.post(url, {f"shown_{pk}": value for pk, value in shown_items(submitted_plan).items()})
    submitted_plan.refresh_from_db()
    draft.refresh_from_db()
    assert (submitted_plan.state, draft.state) == (PlanState.APPROVED, S.APPROVED)


def _fill(count, cm, writer_a, dept_a, channel_a, national, national_channel):
    """`count` items of each kind the board shows: planned, submitted, drafts to place."""
    plan = wf.plan_for_week(national, YEAR, WEEK, cm)
    for n in range(count):
        at = paris(2030, 3, 18 + n % 7, 8 + n % 10)
        planned = PostFactory(
            author=cm, origin_department=national, channels=[national_channel], scheduled_at=at
        )
        wf.plan_into_week(planned, cm, plan=plan)
        submitted = PostFactory(
            author=writer_a, origin_department=dept_a, channels=[channel_a], scheduled_at=at
        )
        wf.submit(submitted, writer_a)
        PostFactory(
            author=cm,
            origin_department=national,
            channels=[national_channel],
            scheduled_at=None,
            category=Category.HOT_NEWS,
        )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_board_and_submissions_pages_use_the_same_queries_for_2_or_12_posts(
    cm_client, cm, writer_a, dept_a, channel_a, national, national_channel
):
    people = (cm, writer_a, dept_a, channel_a, national, national_channel)
    _fill(2, *people)
    cm_client.get(BOARD)
    few = (_queries(cm_client, BOARD), _queries(cm_client, reverse("submissions")))
    _fill(10, *people)
    assert Post.objects.count() == 36
    many = (_queries(cm_client, BOARD), _queries(cm_client, reverse("submissions")))
    assert many == few
    assert len(cm_client.get(BOARD).context["side"]) == 24
