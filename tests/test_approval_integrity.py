"""An approval means what it says (issue 12): each hole an attacker's read of the
workflow found, reproduced through the workflow functions and through the pages as a
forged request with a browser's session would send it."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from editorial import workflow as wf
from editorial.models import AuditEntry, Category, Post, PostState
from editorial.publishing import scheduler
from tests.factories import PostFactory, in_days, shown_items
from tests.html_forms import form_data

S = PostState


def _approve_from_its_page(client, user, post):
    """What the post page's Approve button posts, with the hash it showed."""
    client.force_login(user)
    return client.post(
        reverse("post-action", args=[post.pk, "approve"]),
        {"expected_hash": post.content_hash},
    )


@pytest.fixture
def heads_text(head, cm, dept_a, channel_a):
    """A hot news post of the community manager's, whose text the head rewrote."""
    post = wf.create_post(
        cm,
        department=dept_a,
        channels=[channel_a],
        title="Alerte",
        body="Premier jet.",
        category=Category.HOT_NEWS,
        scheduled_at=in_days(2),
    )
    return wf.edit_post(post, head, body="Texte écrit par le chef de la communication.")


# --- 1. four-eyes over everyone who wrote the text ---------------------------------------


def test_a_later_title_change_does_not_let_the_writer_approve_his_own_text(
    client, heads_text, head, cm
):
    wf.edit_post(heads_text, cm, title="Alerte — titre revu")  # cm is now the last editor
    wf.fast_track(heads_text, cm)

    with pytest.raises(wf.ActionNotAllowed, match="Four-eyes"):
        wf.approve(heads_text, head)
    assert "approve" not in wf.available_actions(heads_text, head)
    response = _approve_from_its_page(client, head, heads_text)
    heads_text.refresh_from_db()
    assert response.status_code in (303, 403)
    assert heads_text.state == S.PENDING_APPROVAL
    assert not heads_text.approvals.exists()


def test_the_director_does_not_sign_off_a_text_he_rewrote_once_the_board_placed_it(
    director, cm, head, dept_a, channel_a, writer_a, national
):
    post = PostFactory(author=writer_a, origin_department=dept_a, channels=[channel_a])
    wf.mark_sensitive(post, cm, "Affaire judiciaire en cours.")
    wf.edit_post(post, director, body="Texte réécrit par le directeur.")
    wf.submit(post, writer_a)
    plan = wf.plan_for_week(national, 2030, 12, cm)
    wf.accept(post, cm, plan=plan)
    wf.place_on_board(post, cm, timezone.now() + datetime.timedelta(days=3))  # cm edits last
    wf.submit_plan(plan, cm)
    post.refresh_from_db()
    wf.approve(post, head)
    assert post.state == S.PENDING_SIGNOFF

    with pytest.raises(wf.ActionNotAllowed, match="Four-eyes"):
        wf.sign_off(post, director)
    assert "sign_off" not in wf.available_actions(post, director)


def test_an_edit_that_changes_nothing_of_the_content_is_not_authorship(pending, head, cm):
    wf.edit_post(pending, head, title="Titre revu par le chef")
    wf.approve(pending, head)
    assert pending.state == S.APPROVED


def test_who_changed_the_text_before_it_was_approved_may_review_the_next_version(
    pending, head, director, cm
):
    wf.edit_post(pending, head, body="Version du chef.")
    wf.fast_track(pending, cm)
    wf.approve(pending, director)  # someone else approves the head's version
    wf.edit_post(pending, cm, body="Version suivante, du community manager.")
    wf.fast_track(pending, cm)
    wf.approve(pending, head)
    assert pending.state == S.APPROVED


# --- 3. sensitive content always takes two people ------------------------------------------


def test_the_head_who_lifted_the_flag_may_not_approve_alone(client, pending, cm, head, director):
    wf.mark_sensitive(pending, cm, "Victimes citées.")
    wf.lift_sensitivity(pending, head, "Conseil générique.")

    response = _approve_from_its_page(client, head, pending)
    pending.refresh_from_db()
    assert response.status_code in (303, 403)
    assert pending.state == S.PENDING_APPROVAL
    assert "approve" not in wf.available_actions(pending, head)
    wf.approve(pending, director)
    assert pending.state == S.APPROVED


def test_the_director_does_not_approve_a_sensitive_post_in_the_heads_place(
    client, pending, cm, director
):
    wf.mark_sensitive(pending, cm, "Enquête en cours.")

    response = _approve_from_its_page(client, director, pending)
    pending.refresh_from_db()
    assert response.status_code in (303, 403)
    assert pending.state == S.PENDING_APPROVAL
    assert not pending.approvals.exists()


# --- 4. every move in time of a signed-off sensitive post goes back to the director ----------


def test_a_held_sensitive_post_rescheduled_from_the_crisis_page_needs_the_director_again(
    client, pending, cm, head, director
):
    wf.mark_sensitive(pending, cm, "Affaire judiciaire.")
    wf.approve(pending, head)
    wf.sign_off(pending, director)
    Post.objects.filter(pk=pending.pk).update(scheduled_at=timezone.now())
    pause = wf.pause_publishing(head, "Crise en cours")
    scheduler.sweep()
    wf.resume_publishing(pause, head)
    pending.refresh_from_db()
    assert pending.held_at is not None

    client.force_login(head)
    later = timezone.localtime() + datetime.timedelta(days=2)
    response = client.post(
        reverse("crisis-reschedule", args=[pending.pk]),
        {f"held-{pending.pk}-when_0": later.strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 302, response.content.decode()
    pending.refresh_from_db()
    assert pending.state == S.PENDING_SIGNOFF
    assert not pending.approvals.filter(voided_at__isnull=True, level="director").exists()
    assert pending.approvals.filter(voided_at__isnull=True, level="head").exists()


# --- 7. the server refuses what the pages do not offer -------------------------------------


def test_the_editor_refuses_to_move_an_approved_post_into_the_past(client, approved, cm):
    client.force_login(cm)
    page = client.get(reverse("post-edit", args=[approved.pk])).content.decode()
    past = timezone.localtime() - datetime.timedelta(hours=1)
    data = {**form_data(page), "scheduled_at_0": past.strftime("%Y-%m-%dT%H:%M")}

    response = client.post(reverse("post-edit", args=[approved.pk]), data)

    approved.refresh_from_db()
    assert approved.state == S.APPROVED
    assert approved.scheduled_at > timezone.now()
    assert response.status_code == 400
    assert "choose a time in the future" in response.content.decode()


def test_fast_track_is_refused_to_anything_but_hot_news_whatever_the_page_offers(
    client, post_a, cm
):
    Post.objects.filter(pk=post_a.pk).update(category=Category.PREVENTION)
    post_a.refresh_from_db()

    client.force_login(cm)
    response = client.post(reverse("post-action", args=[post_a.pk, "fast_track"]))
    post_a.refresh_from_db()
    assert response.status_code in (303, 403)
    assert post_a.state == S.DRAFT
    with pytest.raises(wf.ActionNotAllowed, match="Only hot news"):
        wf.fast_track(post_a, cm)


# --- refused approvals are in the trail -----------------------------------------------------


def test_a_forged_approval_by_a_contributor_is_refused_and_recorded(client, pending, contrib_a):
    response = _approve_from_its_page(client, contrib_a, pending)

    pending.refresh_from_db()
    assert pending.state == S.PENDING_APPROVAL
    assert response.status_code in (303, 403)
    entry = AuditEntry.objects.order_by("seq").last()
    assert (entry.actor, entry.action, entry.data["attempted"]) == (
        contrib_a,
        "approval_refused",
        "approve",
    )


def test_a_plan_approval_refused_for_content_not_shown_is_recorded_on_the_plan(week, head, cm):
    plan, posts = week
    shown = shown_items(plan)
    wf.edit_post(posts[0], cm, body="Changé pendant la relecture.")
    wf.plan_into_week(posts[0], cm, plan=plan)  # back in the plan under review

    with pytest.raises(wf.StaleObject):
        wf.approve_plan(plan, head, shown=shown)

    entry = AuditEntry.objects.order_by("seq").last()
    assert (entry.object_id, entry.actor, entry.action, entry.data["attempted"]) == (
        plan.pk,
        head,
        "approval_refused",
        "approve_plan",
    )
    assert not Post.objects.filter(pk__in=[p.pk for p in posts], state=S.APPROVED).exists()
