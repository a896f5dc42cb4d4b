"""A department contributor's journey: write a post with its per-channel versions,
watch the counters and previews, save, submit, follow the state and the comments,
and never see another department's posts."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from editorial import workflow as wf
from editorial.models import Post, PostState
from tests.browser.conftest import assert_accessible, login_as, screenshot
from tests.factories import PostFactory, WebhookChannelFactory, in_days

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_contributor_writes_submits_and_follows_a_post_of_their_department(
    page, contrib_a, channel_a, dept_a, dept_b, cm
):
    x = WebhookChannelFactory(department=dept_a, name="Webhook 67")
    marseille = PostFactory(origin_department=dept_b, title="Opération Marseille")
    login_as(page, contrib_a)

    page.goto("/posts/")
    expect(page.get_by_role("heading", name="Posts", exact=True)).to_be_visible()
    expect(page.get_by_text("Opération Marseille")).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("link", name="Write a post").click()
    page.get_by_role("textbox", name=re.compile("^Title")).fill("Vigilance cambriolages")
    body = page.get_by_role("textbox", name=re.compile("^Text"), exact=False).first
    body.fill("Fermez vos portes.")
    page.get_by_role("checkbox", name=re.compile("Police 67")).check()
    # Each channel's verdict comes from the server, as the submission will judge it.
    main = page.locator(f"[data-preview='{channel_a.pk}']")
    main_verdict = page.locator(f"[data-verdict='{channel_a.pk}']")
    expect(main_verdict.locator("[data-verdict-count]")).to_have_text("18 of 10000 characters")
    expect(main.locator("[data-preview-text]")).to_have_text("Fermez vos portes.")

    body.press_sequentially(" Et vos fenêtres.")
    expect(main_verdict.locator("[data-verdict-count]")).to_have_text("35 of 10000 characters")

    # Too long for the webhook: its verdict turns red and says why, until it gets its own
    # text.
    page.get_by_role("checkbox", name=re.compile("Webhook 67")).check()
    body.fill("Prévention. " * 340)
    x_card = page.locator(f"[data-preview='{x.pk}']")
    x_verdict = page.locator(f"[data-verdict='{x.pk}']")
    # 4080 typed, 4079 counted: the trailing space is not saved, as on the server.
    expect(x_verdict.locator("[data-verdict-count]")).to_have_text("4079 of 4000 characters")
    expect(x_verdict).to_have_class(re.compile(r"\bover\b"))
    expect(page.get_by_test_id("verdicts")).to_have_attribute("aria-live", "polite")

    x_card_variant = page.locator(f"#id_variant_{x.pk}")
    x_card_variant.locator("xpath=ancestor::details/summary").click()
    x_card_variant.fill("Fermez vos portes et vos fenêtres.")
    expect(x_verdict.locator("[data-verdict-count]")).to_have_text("34 of 4000 characters")
    expect(x_verdict).not_to_have_class(re.compile(r"\bover\b"))
    expect(x_card.locator("[data-preview-text]")).to_have_text("Fermez vos portes et vos fenêtres.")

    when = timezone.localtime(in_days(5)).strftime("%Y-%m-%dT%H:%M")
    page.locator("#id_scheduled_at_0").fill(when)
    assert_accessible(page)
    screenshot(page, "editor")

    page.get_by_role("button", name="Save as a draft").click()
    expect(page.get_by_text("Saved as a draft.")).to_be_visible()
    expect(page.get_by_test_id("post-state")).to_contain_text("Draft")
    post = Post.objects.get(title="Vigilance cambriolages")
    assert post.variants.get().channel == x

    page.get_by_role("button", name="Submit to the national team").click()
    expect(page.get_by_test_id("post-state")).to_contain_text("Submitted")
    post.refresh_from_db()
    assert post.state == PostState.SUBMITTED

    wf.comment(post, cm, "Bien reçu, prévu mardi.")
    page.reload()
    expect(page.get_by_text("Bien reçu, prévu mardi.").first).to_be_visible()
    expect(page.get_by_role("table").last).to_contain_text("Submitted to the national team")
    assert_accessible(page)

    response = page.goto(f"/posts/{marseille.pk}/")
    assert response.status == 404


def test_the_editor_asks_which_time_is_meant_in_the_autumn_repeated_hour(
    page, contrib_a, channel_a
):
    login_as(page, contrib_a)
    page.goto("/posts/new/")
    page.get_by_role("textbox", name=re.compile("^Title")).fill("Changement d'heure")
    page.get_by_role("textbox", name=re.compile("^Text")).first.fill("On recule d'une heure.")
    page.locator("#id_scheduled_at_0").fill("2027-10-31T02:30")
    page.get_by_role("button", name="Save as a draft").click()
    expect(page.get_by_text(re.compile("happens twice"))).to_be_visible()
    expect(page.get_by_role("textbox", name=re.compile("^Title"))).to_have_value(
        "Changement d'heure"
    )
    page.get_by_role("radio", name=re.compile("winter time")).check()
    assert_accessible(page)
    page.get_by_role("button", name="Save as a draft").click()
    expect(page.get_by_text("Saved as a draft.")).to_be_visible()
    assert Post.objects.get().scheduled_at.isoformat() == "2027-10-31T01:30:00+00:00"
