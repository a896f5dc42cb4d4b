"""Reviewing in a browser: the head of communication approves a week, the director signs
off from a phone, and crisis mode pauses and resumes publishing."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from editorial import workflow as wf
from editorial.models import PlanState, Post, PostState, PublishingPause
from tests.browser.conftest import assert_accessible, login_as, screenshot
from tests.factories import PostFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
S = PostState


def _pending(cm, writer, department, channel, title):
    post = PostFactory(title=title, author=writer, origin_department=department, channels=[channel])
    wf.fast_track(post, cm)
    post.refresh_from_db()
    return post


def test_the_head_approves_a_plan_returning_two_items_with_comments_in_one_action(page, week, head):
    plan, posts = week
    login_as(page, head)
    page.goto("/inbox/")
    expect(page.get_by_role("heading", name="Weekly plans to review")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Review the plan of").click()
    expect(page.get_by_role("heading", name="Item 3")).to_be_visible()
    expect(page.get_by_text("Sensitive: goes on to the director")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Return this item with a comment: Item 0").check()
    page.get_by_label("What needs to change: Item 0").fill("Date à revoir.")
    page.get_by_label("Return this item with a comment: Item 1").check()
    page.get_by_role("button", name="Approve the plan").click()
    # A returned item without a comment stops the approval; what was typed stays.
    expect(page.get_by_text("Say what needs to change on this item")).to_be_visible()
    expect(page.get_by_label("What needs to change: Item 0")).to_have_value("Date à revoir.")
    assert_accessible(page)

    page.get_by_label("What needs to change: Item 1").fill("Ajoutez une image.")
    page.get_by_role("button", name="Approve the plan").click()
    expect(page.get_by_text("Plan approved: 2 items approved, 2 returned")).to_be_visible()
    plan.refresh_from_db()
    assert plan.state == PlanState.APPROVED
    assert [Post.objects.get(pk=p.pk).state for p in posts] == [
        S.CHANGES_REQUESTED,
        S.CHANGES_REQUESTED,
        S.APPROVED,
        S.PENDING_SIGNOFF,
    ]


def test_the_head_sees_in_the_row_why_a_post_changed_meanwhile_cannot_be_approved(
    page, head, cm, writer_a, dept_a, channel_a
):
    post = _pending(cm, writer_a, dept_a, channel_a, "Fermeture du commissariat")
    login_as(page, head)
    page.goto("/inbox/")
    Post.objects.filter(pk=post.pk).update(body="Changé entre-temps.")
    row = page.locator(f"#row-{post.pk}")
    row.get_by_role("button", name="Approve").click()
    expect(row.get_by_role("alert")).to_contain_text("The content changed since you opened it")
    expect(page.locator("#inbox-live")).to_contain_text("The content changed")
    assert Post.objects.get(pk=post.pk).state == S.PENDING_APPROVAL


def test_the_director_on_a_phone_sees_sign_offs_first_and_signs_one_off(
    phone_page, director, head, cm, writer_a, dept_a, channel_a
):
    _pending(cm, writer_a, dept_a, channel_a, "Held for later")
    held = Post.objects.get(title="Held for later")
    wf.approve(held, head)
    Post.objects.filter(pk=held.pk).update(held_at=timezone.now(), held_reason="Paused.")
    signoffs = []
    for title in ("Interpellation à Strasbourg", "Procès d'assises"):
        post = _pending(cm, writer_a, dept_a, channel_a, title)
        wf.mark_sensitive(post, cm, "Affaire judiciaire.")
        wf.approve(post, head)
        signoffs.append(post)
    page = phone_page
    login_as(page, director)
    page.goto("/inbox/")
    rows = page.get_by_test_id("inbox-row")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("Needs your sign-off")
    expect(rows.nth(2)).to_contain_text("Held for later")
    expect(page.get_by_test_id("awaiting-count")).to_have_text("3")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    button = rows.first.get_by_role("button", name="Sign off")
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    assert_accessible(page)

    button.tap()
    expect(rows.first).to_contain_text("Signed off")
    assert Post.objects.get(pk=signoffs[0].pk).state == S.APPROVED


def test_the_head_pauses_publishing_resumes_it_and_reschedules_a_held_post(
    page, head, cm, writer_a, dept_a, channel_a
):
    held = _pending(cm, writer_a, dept_a, channel_a, "Held during the storm")
    wf.approve(held, head)
    Post.objects.filter(pk=held.pk).update(held_at=timezone.now(), held_reason="Paused.")
    login_as(page, head)
    page.goto("/crisis/")
    expect(page.get_by_text("nothing is paused")).to_be_visible()
    expect(page.get_by_test_id("held-post")).to_contain_text("Held during the storm")
    assert_accessible(page)
    page.get_by_label("Why").fill("Attentat : communication suspendue")
    page.get_by_role("button", name="Pause now").click()
    expect(page.get_by_test_id("pause")).to_contain_text("All publishing is paused")
    assert_accessible(page)
    screenshot(page, "crisis-mode")
    assert PublishingPause.objects.active().count() == 1

    page.get_by_role("button", name="Resume publishing").click()
    expect(page.get_by_text("nothing is paused")).to_be_visible()
    assert PublishingPause.objects.active().count() == 0

    page.get_by_label("New time — Held during the storm").fill("2030-06-03T10:30")
    page.get_by_role("button", name="Reschedule — Held during the storm").click()
    expect(page.get_by_text("Rescheduled: Held during the storm.")).to_be_visible()
    expect(page.get_by_text("No post is held.")).to_be_visible()
    held.refresh_from_db()
    assert held.held_at is None
    assert timezone.localtime(held.scheduled_at).strftime("%Y-%m-%d %H:%M") == "2030-06-03 10:30"
