"""The approval inbox and the plan review page."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from editorial import workflow as wf
from editorial.models import Comment, PlanState, Post, PostState
from tests.factories import PostFactory
from tests.html_forms import form_data
from tests.refusals import refused_page

S = PostState
HTMX = {"HTTP_HX_REQUEST": "true"}


def pending(writer, department, channel, cm, n=1, **fields):
    """`n` posts of `writer` sent for approval as hot news by the community manager."""
    posts = []
    for _ in range(n):
        post = PostFactory(
            author=writer, origin_department=department, channels=[channel], **fields
        )
        wf.fast_track(post, cm)
        post.refresh_from_db()
        posts.append(post)
    return posts


def awaiting_sign_off(writer, department, channel, cm, head, n=1):
    posts = pending(writer, department, channel, cm, n)
    for post in posts:
        wf.mark_sensitive(post, cm, "Affaire judiciaire en cours.")
        wf.approve(post, head)
        post.refresh_from_db()
    return posts


def header_count(html: str) -> int:
    match = re.search(r'data-testid="awaiting-count">(\d+)<', html)
    return int(match.group(1))


def rows(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<li class="inbox-row[^"]*" id="row-(\d+)"', html)]


def reviewed(client, plan, **fields) -> dict:
    """The plan review's form as the page sends it (with each item's content hash), and
    `fields` typed in it."""
    page = client.get(reverse("plan-review", args=[plan.pk])).content.decode()
    return {**form_data(page, "data-plan-review"), "action": "approve_plan", **fields}


@pytest.fixture
def team(writer_a, dept_a, channel_a, cm, head):
    return {"writer": writer_a, "department": dept_a, "channel": channel_a, "cm": cm, "head": head}


def test_the_head_sees_the_posts_awaiting_approval_as_many_rows_as_the_header_says(
    client, team, head
):
    posts = pending(**{k: team[k] for k in ("writer", "department", "channel", "cm")}, n=3)
    client.force_login(head)
    response = client.get(reverse("inbox"))
    html = response.content.decode()
    assert response.status_code == 200
    assert sorted(rows(html)) == sorted(p.pk for p in posts)
    assert header_count(html) == 3
    assert posts[0].title in html
    assert f'value="{posts[0].content_hash}"' in html


def test_the_director_sees_sign_offs_first_and_the_header_count_matches(
    client, team, head, director
):
    base = {k: team[k] for k in ("writer", "department", "channel", "cm")}
    # The director may approve these too (his page offers it), so they are listed: last.
    approvals = pending(**base, n=2)
    signoffs = awaiting_sign_off(**base, head=head, n=2)
    held = PostFactory(
        author=team["writer"],
        origin_department=team["department"],
        channels=[team["channel"]],
        title="Held post",
    )
    wf.fast_track(held, team["cm"])
    wf.approve(held, head)
    Post.objects.filter(pk=held.pk).update(held_at=held.created_at, held_reason="Paused.")
    client.force_login(director)
    html = client.get(reverse("inbox")).content.decode()
    shown = rows(html)
    assert shown[:2] == [p.pk for p in signoffs]
    assert shown[2:] == [held.pk, *(p.pk for p in approvals)]
    assert header_count(html) == len(shown) == 5
    assert "Sign off" in html and "Affaire judiciaire en cours." in html


def test_a_contributor_sees_only_their_returned_posts(client, team, head, writer_a):
    post = pending(**{k: team[k] for k in ("writer", "department", "channel", "cm")})[0]
    wf.request_changes(post, head, "Précisez le lieu.")
    client.force_login(writer_a)
    html = client.get(reverse("inbox")).content.decode()
    assert rows(html) == [post.pk]
    assert header_count(html) == 1
    assert "Approve" not in html


@pytest.mark.parametrize("who", ["head", "director"])
def test_the_inbox_costs_the_same_queries_for_two_posts_as_for_twelve(
    client, team, head, director, who
):
    base = {k: team[k] for k in ("writer", "department", "channel", "cm")}
    user = head if who == "head" else director

    def make(n):
        if who == "head":
            pending(**base, n=n)
        else:
            awaiting_sign_off(**base, head=head, n=n)

    def count():
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("inbox"))
        assert response.status_code == 200
        return len(queries), len(rows(response.content.decode()))

    make(2)
    few, shown_few = count()
    make(10)
    many, shown_many = count()
    assert (shown_few, shown_many) == (2, 12)
    assert few == many


def test_approving_from_the_inbox_approves_the_content_shown(client, team, head):
    post = pending(**{k: team[k] for k in ("writer", "department", "channel", "cm")})[0]
    client.force_login(head)
    response = client.post(
        reverse("inbox-action", args=[post.pk, "approve"]), {"expected_hash": post.content_hash}
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.state == S.APPROVED
    assert post.approvals.get().content_hash == post.content_hash


def test_a_post_changed_since_the_page_was_shown_is_refused_with_the_reason(client, team, head):
    post = pending(**{k: team[k] for k in ("writer", "department", "channel", "cm")})[0]
    seen = post.content_hash
    client.force_login(head)
    client.get(reverse("inbox"))
    Post.objects.filter(pk=post.pk).update(body="Un autre texte, changé entre-temps.")
    response = client.post(
        reverse("inbox-action", args=[post.pk, "approve"]), {"expected_hash": seen}
    )
    page = refused_page(client, response, reverse("inbox"))
    assert "The content changed since you opened it" in page
    post.refresh_from_db()
    assert post.state == S.PENDING_APPROVAL
    assert not post.approvals.exists()


def test_with_htmx_a_refused_action_answers_the_row_with_the_reason(client, team, head):
    post = pending(**{k: team[k] for k in ("writer", "department", "channel", "cm")})[0]
    client.force_login(head)
    response = client.post(
        reverse("inbox-action", args=[post.pk, "approve"]), {"expected_hash": "0" * 64}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert html.strip().startswith(f'<li class="inbox-row has-error" id="row-{post.pk}"')
    assert 'data-testid="row-error"' in html and "<html" not in html


def test_with_htmx_a_successful_action_answers_the_row_marked_done(client, team, head):
    post = pending(**{k: team[k] for k in ("writer", "department", "channel", "cm")})[0]
    client.force_login(head)
    response = client.post(
        reverse("inbox-action", args=[post.pk, "approve"]),
        {"expected_hash": post.content_hash},
        **HTMX,
    )
    assert response.status_code == 200
    assert "is-done" in response.content.decode()


def test_a_contributor_may_not_approve_from_the_inbox(client, team, contrib_a):
    post = pending(**{k: team[k] for k in ("writer", "department", "channel", "cm")})[0]
    client.force_login(contrib_a)
    response = client.post(
        reverse("inbox-action", args=[post.pk, "approve"]), {"expected_hash": post.content_hash}
    )
    assert "Only a" in refused_page(client, response, reverse("inbox"))
    post.refresh_from_db()
    assert post.state == S.PENDING_APPROVAL


def test_returning_without_a_comment_is_refused_next_to_the_row(client, team, head):
    post = pending(**{k: team[k] for k in ("writer", "department", "channel", "cm")})[0]
    client.force_login(head)
    response = client.post(
        reverse("inbox-action", args=[post.pk, "request_changes"]), {"comment": "  "}
    )
    page = refused_page(client, response, reverse("inbox"))
    assert "a comment is required" in page
    assert f'<li class="inbox-row has-error" id="row-{post.pk}"' in page
    post.refresh_from_db()
    assert post.state == S.PENDING_APPROVAL


def test_returning_with_a_comment_sends_the_post_back_to_its_author(client, team, head):
    post = pending(**{k: team[k] for k in ("writer", "department", "channel", "cm")})[0]
    client.force_login(head)
    response = client.post(
        reverse("inbox-action", args=[post.pk, "request_changes"]),
        {"comment": "Ajoutez la source."},
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.state == S.CHANGES_REQUESTED
    assert Comment.objects.get(post=post).body == "Ajoutez la source."


def test_the_director_signs_off_from_the_inbox(client, team, head, director):
    base = {k: team[k] for k in ("writer", "department", "channel", "cm")}
    post = awaiting_sign_off(**base, head=head)[0]
    client.force_login(director)
    response = client.post(
        reverse("inbox-action", args=[post.pk, "sign_off"]), {"expected_hash": post.content_hash}
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.state == S.APPROVED


# --- the plan review -----------------------------------------------------------------


def test_the_head_finds_the_submitted_plan_at_the_top_of_the_inbox(client, week, head):
    plan, _posts = week
    client.force_login(head)
    html = client.get(reverse("inbox")).content.decode()
    assert reverse("plan-review", args=[plan.pk]) in html
    assert html.index(reverse("plan-review", args=[plan.pk])) < html.index("inbox-row")


def test_the_plan_review_approves_all_but_two_items_returned_with_comments(client, week, head):
    plan, posts = week
    client.force_login(head)
    page = client.get(reverse("plan-review", args=[plan.pk]))
    assert page.status_code == 200
    assert "Sensitive: goes on to the director" in page.content.decode()
    response = client.post(
        reverse("plan-review", args=[plan.pk]),
        reviewed(
            client,
            plan,
            **{
                f"return_{posts[0].pk}": "on",
                f"comment_{posts[0].pk}": "Date à revoir.",
                f"return_{posts[1].pk}": "on",
                f"comment_{posts[1].pk}": "Ajoutez une image.",
            },
        ),
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.state == PlanState.APPROVED
    states = [Post.objects.get(pk=p.pk).state for p in posts]
    assert states == [S.CHANGES_REQUESTED, S.CHANGES_REQUESTED, S.APPROVED, S.PENDING_SIGNOFF]
    assert Comment.objects.get(post=posts[1]).body == "Ajoutez une image."


def test_a_returned_item_without_a_comment_keeps_what_was_typed_and_says_what_is_wrong(
    client, week, head
):
    plan, posts = week
    client.force_login(head)
    response = client.post(
        reverse("plan-review", args=[plan.pk]),
        reviewed(
            client,
            plan,
            **{
                f"return_{posts[0].pk}": "on",
                f"comment_{posts[0].pk}": "Date à revoir.",
                f"return_{posts[1].pk}": "on",
                f"comment_{posts[1].pk}": "",
            },
        ),
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Date à revoir." in html
    assert "Say what needs to change on this item before returning it." in html
    assert f'class="panel review-item has-error" id="item-{posts[1].pk}"' in html
    plan.refresh_from_db()
    assert plan.state == PlanState.SUBMITTED


def test_a_four_eyes_conflict_is_listed_and_the_typed_comments_kept(
    client, week, head, dept_a, channel_a, cm
):
    plan, posts = week
    own = PostFactory(
        title="Head's own", author=head, origin_department=dept_a, channels=[channel_a]
    )
    wf.plan_into_week(own, cm, plan=plan)  # joins the plan under review at once
    client.force_login(head)
    response = client.post(
        reverse("plan-review", args=[plan.pk]),
        reviewed(
            client,
            plan,
            **{f"return_{posts[0].pk}": "on", f"comment_{posts[0].pk}": "Date à revoir."},
        ),
    )
    html = refused_page(client, response, reverse("plan-review", args=[plan.pk]))
    assert "You cannot approve every item of this plan" in html
    assert "Head&#x27;s own: Four-eyes rule" in html
    assert "Date à revoir." in html  # kept for the page, once
    again = client.get(reverse("plan-review", args=[plan.pk])).content.decode()
    assert "Date à revoir." not in again


def test_the_diff_shows_what_changed_since_the_last_review(
    client, head, cm, writer_a, dept_a, channel_a, national
):
    post = PostFactory(
        author=writer_a,
        origin_department=dept_a,
        channels=[channel_a],
        body="Fermeture du commissariat lundi matin.",
    )
    wf.fast_track(post, cm)
    wf.request_changes(post, head, "Précisez l'heure.")
    post.refresh_from_db()
    wf.edit_post(post, writer_a, body="Fermeture du commissariat lundi à 8 h.")
    plan = wf.plan_for_week(national, 2030, 14, cm)
    wf.plan_into_week(post, cm, plan=plan)
    wf.submit_plan(plan, cm)
    client.force_login(head)
    html = client.get(reverse("plan-review", args=[plan.pk])).content.decode()
    assert re.search(r'<del><span class="visually-hidden">removed: </span>matin\.</del>', html)
    assert re.search(r'<ins><span class="visually-hidden">added: </span>à 8 h\.</ins>', html)
    assert "Changed since the review of" in html


def test_returning_the_whole_plan_needs_a_comment(client, week, head):
    plan, posts = week
    client.force_login(head)
    refused = client.post(
        reverse("plan-review", args=[plan.pk]), {"action": "return_plan", "plan_comment": ""}
    )
    assert refused.status_code == 400
    assert "a comment is required" in refused.content.decode()
    done = client.post(
        reverse("plan-review", args=[plan.pk]),
        {"action": "return_plan", "plan_comment": "Trop chargé."},
    )
    assert done.status_code == 302
    plan.refresh_from_db()
    assert plan.state == PlanState.RETURNED
    assert {Post.objects.get(pk=p.pk).state for p in posts} == {S.PLANNED}


def test_a_contributor_cannot_see_the_national_plan_review(client, week, contrib_a):
    plan, _posts = week
    client.force_login(contrib_a)
    assert client.get(reverse("plan-review", args=[plan.pk])).status_code == 404


def test_marking_a_post_sensitive_from_the_inbox_needs_a_reason_and_sends_it_higher(
    client, team, head
):
    post = pending(**{k: team[k] for k in ("writer", "department", "channel", "cm")})[0]
    client.force_login(head)
    url = reverse("inbox-action", args=[post.pk, "mark_sensitive"])
    refused = client.post(url, {"comment": ""})
    assert "a reason" in refused_page(client, refused, reverse("inbox")).lower()
    assert client.post(url, {"comment": "Enquête en cours."}).status_code == 302
    post.refresh_from_db()
    assert (post.sensitive, post.sensitive_reason) == (True, "Enquête en cours.")
    wf.approve(post, head)
    post.refresh_from_db()
    assert post.state == S.PENDING_SIGNOFF


def test_the_plan_review_costs_the_same_queries_for_two_items_as_for_twelve(
    client, head, cm, writer_a, dept_a, channel_a, national
):
    plan = wf.plan_for_week(national, 2030, 20, cm)

    def add(n):
        for _ in range(n):
            post = PostFactory(author=writer_a, origin_department=dept_a, channels=[channel_a])
            wf.plan_into_week(post, cm, plan=plan)  # joins the plan under review at once

    add(2)
    wf.submit_plan(plan, cm)
    client.force_login(head)
    url = reverse("plan-review", args=[plan.pk])
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).content.decode().count('data-testid="review-item"') == 2
    add(10)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).content.decode().count('data-testid="review-item"') == 12
    assert len(few) == len(many)


def test_the_inbox_lists_a_bounded_number_of_rows_and_says_how_many_wait(
    client, head, cm, writer_a, dept_a, channel_a, monkeypatch
):
    from editorial.views import inbox as inbox_view

    monkeypatch.setattr(inbox_view, "INBOX_ROWS", 2)
    for _ in range(3):
        post = PostFactory(author=writer_a, origin_department=dept_a, channels=[channel_a])
        wf.fast_track(post, cm)
    client.force_login(head)
    page = client.get(reverse("inbox")).content.decode()
    assert page.count('data-testid="inbox-row"') == 2
    assert "3 posts await you" in page
    assert "The first 2 are shown" in page
