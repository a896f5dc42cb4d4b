"""Messages say what happened, and a reviewer sees what changed since their last look.

- approving in the inbox a post that goes on to the director says so;
- accepting a submission into a week already approved says it goes straight to approval;
- a post returned with a comment, edited and sent again reaches its reviewer with the
  comment it was returned with and a word diff of the text since that review."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from editorial import workflow as wf
from editorial.models import PostState
from tests.factories import PostFactory, shown_items

S = PostState


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- the inbox's approval --------------------------------------------------------------


def test_approving_a_sensitive_post_in_the_inbox_says_it_went_to_the_director(
    client, head, pending, cm
):
    wf.mark_sensitive(pending, cm, "Affaire en cours.")
    client.force_login(head)
    response = client.post(
        reverse("inbox-action", args=[pending.pk, "approve"]),
        {"expected_hash": pending.content_hash},
        follow=True,
    )
    pending.refresh_from_db()
    assert pending.state == S.PENDING_SIGNOFF
    assert f"Approved, sent to the director for sign-off: {pending}." in _messages(response)


def test_the_inbox_row_says_so_too_with_htmx(client, head, pending, cm):
    wf.mark_sensitive(pending, cm, "Affaire en cours.")
    client.force_login(head)
    response = client.post(
        reverse("inbox-action", args=[pending.pk, "approve"]),
        {"expected_hash": pending.content_hash},
        HTTP_HX_REQUEST="true",
    )
    assert "Approved, sent to the director for sign-off" in response.content.decode()


def test_approving_a_post_that_needs_no_sign_off_says_approved(client, head, pending):
    client.force_login(head)
    response = client.post(
        reverse("inbox-action", args=[pending.pk, "approve"]),
        {"expected_hash": pending.content_hash},
        follow=True,
    )
    assert _messages(response) == [f"Approved: {pending}."]


# --- accepting into a week already under review ----------------------------------------


def _in_week_12_of_2030(writer_a, dept_a, channel_a):
    post = PostFactory(
        title="Fête de la musique",
        author=writer_a,
        origin_department=dept_a,
        channels=[channel_a],
        scheduled_at=dt.datetime(2030, 3, 19, 10, tzinfo=ZoneInfo("Europe/Paris")),
    )
    wf.submit(post, writer_a)
    return post


def test_accepting_into_an_approved_plan_says_it_goes_straight_to_approval(
    client, week, head, cm, writer_a, dept_a, channel_a
):
    plan, _posts = week
    wf.approve_plan(plan, head, shown=shown_items(plan))
    post = _in_week_12_of_2030(writer_a, dept_a, channel_a)
    client.force_login(cm)
    response = client.post(reverse("submission-action", args=[post.pk, "accept"]), follow=True)
    post.refresh_from_db()
    assert post.state == S.PENDING_APPROVAL
    [message] = _messages(response)
    assert "accepted into the plan of week 12" in message
    assert "already approved: this item goes straight to approval" in message


def test_accepting_into_a_plan_under_review_says_it_joins_the_review(
    client, week, cm, writer_a, dept_a, channel_a
):
    post = _in_week_12_of_2030(writer_a, dept_a, channel_a)
    client.force_login(cm)
    response = client.post(reverse("submission-action", args=[post.pk, "accept"]), follow=True)
    [message] = _messages(response)
    assert "under review: this item joins the review" in message


def test_accepting_into_a_draft_plan_says_nothing_more(client, cm, writer_a, dept_a, channel_a):
    post = _in_week_12_of_2030(writer_a, dept_a, channel_a)
    client.force_login(cm)
    response = client.post(reverse("submission-action", args=[post.pk, "accept"]), follow=True)
    [message] = _messages(response)
    assert message == "“Fête de la musique” is accepted into the plan of week 12."


# --- a resubmitted post reaches its reviewer with the comment and the diff --------------


@pytest.fixture
def resent(pending, head, cm, writer_a):
    """Returned by the head with a comment, edited by its writer, fast-tracked again."""
    body = pending.body
    wf.request_changes(pending, head, "Précisez la date des fêtes.")
    wf.edit_post(pending, writer_a, body=body.replace("fêtes", "fêtes du 24 décembre"))
    wf.fast_track(pending, cm)
    return pending


def test_the_reviewer_sees_their_earlier_comment_and_what_changed(client, head, resent):
    client.force_login(head)
    page = client.get(reverse("post-detail", args=[resent.pk])).content.decode()
    assert 'data-testid="since-review"' in page
    assert "Précisez la date des fêtes." in page.split('data-testid="returned-comment"')[1]
    diff = page.split('data-testid="diff">')[1].split("</p>")[0]
    assert "<ins>" in diff and "24 décembre" in diff


def test_the_reviewers_inbox_row_shows_the_earlier_comment_and_what_changed(client, head, resent):
    client.force_login(head)
    page = client.get(reverse("inbox")).content.decode()
    row = page.split(f'id="row-{resent.pk}"')[1].split("</li>")[0]
    assert "Précisez la date des fêtes." in row.split('data-testid="returned-comment"')[1]
    diff = row.split('data-testid="diff">')[1].split("</p>")[0]
    assert "<ins>" in diff and "24 décembre" in diff


def test_the_inbox_reads_the_last_reviews_in_one_query_whatever_the_rows(
    client, head, resent, cm, writer_a, dept_a, channel_a, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(head)
    with CaptureQueriesContext(connection) as one_row:
        client.get(reverse("inbox"))
    for i in range(3):
        post = PostFactory(
            author=writer_a, origin_department=dept_a, channels=[channel_a], body=f"Texte {i}."
        )
        wf.fast_track(post, cm)
        wf.request_changes(post, head, "Encore.")
        wf.edit_post(post, writer_a, body=f"Texte {i} revu.")
        wf.fast_track(post, cm)
    with django_assert_max_num_queries(len(one_row)):
        page = client.get(reverse("inbox")).content.decode()
    assert page.count('data-testid="since-review"') == 4


def test_a_first_review_shows_no_earlier_review(client, head, pending):
    client.force_login(head)
    page = client.get(reverse("post-detail", args=[pending.pk])).content.decode()
    assert 'data-testid="since-review"' not in page


def test_the_cm_sees_their_return_comment_when_a_submission_comes_back(
    client, cm, writer_a, post_a
):
    wf.submit(post_a, writer_a)
    wf.return_submission(post_a, cm, "Ajoutez le numéro d'urgence.")
    wf.edit_post(post_a, writer_a, body=post_a.body + " Appelez le 17.")
    wf.submit(post_a, writer_a)
    client.force_login(cm)
    page = client.get(reverse("post-detail", args=[post_a.pk])).content.decode()
    assert "Ajoutez le numéro d&#x27;urgence." in page
    assert "<ins>" in page.split('data-testid="diff">')[1] and "17." in page


def test_the_plan_review_shows_the_comment_the_plan_went_back_with(
    client, week, head, cm, writer_a
):
    plan, posts = week
    wf.return_plan(plan, head, "Trop de publications le lundi.")
    posts[0].refresh_from_db()
    wf.edit_post(posts[0], writer_a, body="Un texte plus court.")
    wf.submit_plan(plan, cm)
    client.force_login(head)
    page = client.get(reverse("plan-review", args=[plan.pk])).content.decode()
    assert page.count("Trop de publications le lundi.") == 4  # on each item
    assert "Un texte plus court." in page


def test_the_submissions_page_shows_a_returned_submission_with_its_comment_and_diff(
    client, cm, writer_a, post_a
):
    wf.submit(post_a, writer_a)
    wf.return_submission(post_a, cm, "Ajoutez le numéro d'urgence.")
    wf.edit_post(post_a, writer_a, body=post_a.body + " Appelez le 17.")
    wf.submit(post_a, writer_a)
    client.force_login(cm)
    page = client.get(reverse("submissions")).content.decode()
    assert "Ajoutez le numéro d&#x27;urgence." in page
    assert "<ins>" in page.split('data-testid="diff">')[1]
