"""A plan approval approves what the reviewer was shown, and nothing else: an item edited
and planned again, planned in, or taken out since the review was opened refuses the
whole approval (409), naming it, through the workflow and through the review page."""

import pytest
from django.test import Client
from django.urls import reverse

from editorial import workflow as wf
from editorial.models import Approval, AuditEntry, PlanState, Post, PostState
from tests.factories import PostFactory, shown_items
from tests.html_forms import form_data
from tests.refusals import HTMX, refused_page

S = PostState


def nothing_approved(plan) -> bool:
    plan.refresh_from_db()
    return plan.state == PlanState.SUBMITTED and not Approval.objects.exists()


# --- the workflow function ------------------------------------------------------------


def test_an_item_edited_and_planned_again_since_it_was_shown_refuses_the_whole_plan(week, head, cm):
    plan, posts = week
    shown = shown_items(plan)
    wf.edit_post(posts[0], cm, body="Un autre texte, que le chef n'a pas lu.")
    wf.plan_into_week(posts[0], cm, plan=plan)  # back under review, with the plan
    assert Post.objects.get(pk=posts[0].pk).state == S.PENDING_APPROVAL

    with pytest.raises(wf.StaleObject) as refusal:
        wf.approve_plan(plan, head, shown=shown)

    assert refusal.value.status == 409
    assert refusal.value.problems == ["“Item 0” changed since you opened it."]
    assert nothing_approved(plan)
    assert {p.state for p in plan.posts.all()} == {S.PENDING_APPROVAL}


def test_an_item_planned_in_since_the_review_was_opened_refuses_the_whole_plan(
    week, head, cm, writer_a, dept_a, channel_a
):
    plan, _posts = week
    shown = shown_items(plan)
    late = PostFactory(
        title="Arrivé après", author=writer_a, origin_department=dept_a, channels=[channel_a]
    )
    wf.plan_into_week(late, cm, plan=plan)  # joins the plan under review at once

    with pytest.raises(wf.StaleObject) as refusal:
        wf.approve_plan(plan, head, shown=shown)

    assert refusal.value.problems == [
        "“Arrivé après” awaits approval but was not among the items shown to you."
    ]
    assert nothing_approved(plan)


def test_an_item_shown_that_no_longer_awaits_approval_refuses_the_whole_plan(week, head, cm):
    plan, posts = week
    shown = shown_items(plan)
    wf.cancel(posts[1], cm, "Annulé entre-temps.")

    with pytest.raises(wf.StaleObject) as refusal:
        wf.approve_plan(plan, head, shown=shown)

    assert refusal.value.problems == ["“Item 1” no longer awaits approval: it is cancelled now."]
    assert nothing_approved(plan)


def test_an_item_outside_the_plan_is_not_named(week, head, post_a):
    plan, _posts = week
    with pytest.raises(wf.StaleObject) as refusal:
        wf.approve_plan(plan, head, shown={**shown_items(plan), post_a.pk: "0" * 64})
    assert refusal.value.problems == [f"Item {post_a.pk} is not part of this plan."]
    assert post_a.title not in str(refusal.value)


def test_a_plan_cannot_be_approved_without_saying_what_was_shown(week, head):
    plan, _posts = week
    with pytest.raises(TypeError):
        wf.approve_plan(plan, head)  # every caller must say what it showed
    with pytest.raises(wf.StaleObject) as refusal:
        wf.approve_plan(plan, head, shown={})
    assert len(refusal.value.problems) == 4
    assert nothing_approved(plan)


def test_each_item_is_approved_with_the_hash_that_was_shown(week, head):
    plan, posts = week
    shown = shown_items(plan)
    wf.approve_plan(plan, head, shown=shown)
    for post in posts:
        assert Approval.objects.get(post=post).content_hash == shown[post.pk]
    entry = AuditEntry.objects.get(action="approve_plan")
    assert entry.data["shown"] == {str(pk): value for pk, value in shown.items()}


# --- the review page, two people at once ----------------------------------------------


@pytest.fixture
def head_client(head):
    client = Client()
    client.force_login(head)
    return client


@pytest.fixture
def cm_client(cm):
    client = Client()
    client.force_login(cm)
    return client


def edit_and_plan_again(cm_client, post, plan):
    """The CM changes the text on the post's page (it drops to draft) and drops it on
    the board again, in the plan's week (it rejoins the plan under review)."""
    page = cm_client.get(reverse("post-edit", args=[post.pk])).content.decode()
    data = {**form_data(page), "body": "Texte changé pendant la relecture."}
    assert cm_client.post(reverse("post-edit", args=[post.pk]), data).status_code == 302
    assert Post.objects.get(pk=post.pk).state == S.DRAFT
    place = reverse("plan-place", args=[plan.iso_year, plan.iso_week])
    cm_client.post(place, {"post": post.pk, "at_0": "2030-03-20T14:00"})
    assert Post.objects.get(pk=post.pk).state == S.PENDING_APPROVAL


def review_form(client, plan) -> dict:
    page = client.get(reverse("plan-review", args=[plan.pk])).content.decode()
    return {**form_data(page, "data-plan-review"), "action": "approve_plan"}


def test_the_head_approving_what_he_saw_after_the_cm_changed_an_item_approves_nothing(
    week, head_client, cm_client
):
    plan, posts = week
    url = reverse("plan-review", args=[plan.pk])
    seen = review_form(head_client, plan)
    seen |= {f"return_{posts[1].pk}": "on", f"comment_{posts[1].pk}": "Ajoutez une image."}

    edit_and_plan_again(cm_client, posts[0], plan)
    response = head_client.post(url, seen)

    html = refused_page(head_client, response, url)
    assert "The plan changed since you opened it: nothing was approved." in html
    assert "“Item 0” changed since you opened it." in html
    assert nothing_approved(plan)
    assert Post.objects.get(pk=posts[1].pk).state == S.PENDING_APPROVAL
    # The page comes back with what he typed, pointing at the item that changed, which
    # he now sees as it is.
    assert "Ajoutez une image." in html
    assert 'data-testid="moved">Changed since you opened it.' in html
    assert "Texte changé pendant la relecture." in html


def test_a_forged_approval_of_a_changed_plan_answers_409_with_what_changed(
    week, head_client, cm_client
):
    plan, posts = week
    seen = review_form(head_client, plan)
    edit_and_plan_again(cm_client, posts[2], plan)

    response = head_client.post(reverse("plan-review", args=[plan.pk]), seen, **HTMX)

    assert response.status_code == 409
    assert "“Item 2” changed since you opened it." in response.content.decode()
    assert nothing_approved(plan)


def test_once_he_has_seen_the_new_text_the_head_approves_the_plan(week, head_client, cm_client):
    plan, posts = week
    review_form(head_client, plan)
    edit_and_plan_again(cm_client, posts[0], plan)

    again = review_form(head_client, plan)
    response = head_client.post(reverse("plan-review", args=[plan.pk]), again)

    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.state == PlanState.APPROVED
    changed = Post.objects.get(pk=posts[0].pk)
    assert changed.state == S.APPROVED
    assert changed.approvals.get().content_hash == again[f"shown_{changed.pk}"]


def test_approving_the_review_without_the_hashes_of_what_it_showed_approves_nothing(
    week, head_client
):
    plan, _posts = week
    response = head_client.post(
        reverse("plan-review", args=[plan.pk]), {"action": "approve_plan"}, **HTMX
    )
    assert response.status_code == 409
    assert "was not among the items shown to you" in response.content.decode()
    assert nothing_approved(plan)
