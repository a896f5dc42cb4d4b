"""The post editor in a real browser: its counters agree with the server, a time in the
repeated autumn hour is kept as saved, images survive a form error, and a refused
action leaves nothing a reload would post again."""

import datetime as dt
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from editorial import workflow as wf
from editorial.channels.webhook import WebhookAdapter
from editorial.content import content_problems
from editorial.models import Network, Post
from tests.browser.conftest import assert_accessible, login_as
from tests.factories import ChannelFactory, WebhookChannelFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _count(verdict) -> int:
    return int(re.search(r"(\d+) of \d+ characters", verdict.text_content()).group(1))


def test_the_counter_counts_line_breaks_emoji_and_addresses_as_the_server_does(
    page, contrib_a, dept_a, monkeypatch
):
    # X's limit, on a network that publishes today (X has no connector yet).
    monkeypatch.setattr(WebhookAdapter, "text_limit", 280)
    x = WebhookChannelFactory(department=dept_a, name="X 67")
    login_as(page, contrib_a)
    page.goto("/posts/new/")
    page.get_by_role("textbox", name=re.compile("^Title")).fill("Compter juste")
    page.get_by_role("checkbox", name=re.compile("X 67")).check()
    body = page.get_by_role("textbox", name=re.compile("^Text")).first
    body.fill("Prévention. " * 22)
    body.press("End")
    body.press_sequentially("\nLigne 2\n\n👮🏽‍♀️ https://www.police.fr/conseils?a=1&b=2 🚓\n  \n")
    counter = page.locator(f"[data-verdict='{x.pk}']")
    expect(counter).to_have_class(re.compile(r"\bover\b"))
    shown = _count(counter)
    assert_accessible(page)
    page.get_by_role("button", name="Save as a draft").click()
    expect(page.get_by_text("Saved as a draft.")).to_be_visible()

    post = Post.objects.get()
    assert len(post.body) == shown
    assert [f"{x} accepts 280 characters, the text has {shown}."] == content_problems(post)


def test_changing_only_the_text_of_a_post_at_a_repeated_time_keeps_its_time(
    page, contrib_a, post_a
):
    winter = dt.datetime(2027, 10, 31, 1, 30, tzinfo=dt.UTC)  # 02:30 winter time in Paris
    wf.edit_post(post_a, contrib_a, scheduled_at=winter)
    login_as(page, contrib_a)
    page.goto(f"/posts/{post_a.pk}/edit/")
    expect(page.get_by_role("radio", name=re.compile("winter time"))).to_be_checked()
    expect(page.get_by_role("radio", name=re.compile("summer time"))).not_to_be_checked()
    assert_accessible(page)
    page.get_by_role("textbox", name=re.compile("^Text")).first.fill("Seul le texte change.")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Changes saved.")).to_be_visible()
    post_a.refresh_from_db()
    assert (post_a.body, post_a.scheduled_at) == ("Seul le texte change.", winter)


def _png(path) -> str:
    Image.new("RGB", (8, 8), "navy").save(path, format="PNG")
    return str(path)


def test_images_are_added_as_needed_and_kept_when_the_form_comes_back_with_an_error(
    page, contrib_a, channel_a, dept_a, tmp_path, monkeypatch
):
    # X's four images, on a network that publishes today (X has no connector yet).
    monkeypatch.setattr(WebhookAdapter, "media_limit", 4)
    WebhookChannelFactory(department=dept_a, name="X 67")
    login_as(page, contrib_a)
    page.goto("/posts/new/")
    page.get_by_role("textbox", name=re.compile("^Text")).first.fill("Deux affiches.")
    page.get_by_role("checkbox", name=re.compile("X 67")).check()
    files = page.get_by_label(re.compile("^Image"))
    alts = page.get_by_role("textbox", name=re.compile("^Alternative text"))
    expect(files).to_have_count(1)
    add = page.get_by_role("button", name="Add an image")
    add.click()
    expect(files).to_have_count(2)
    expect(files.nth(1)).to_be_focused()
    files.nth(0).set_input_files(_png(tmp_path / "affiche-1.png"))
    alts.nth(0).fill("Première affiche")
    files.nth(1).set_input_files(_png(tmp_path / "affiche-2.png"))
    alts.nth(1).fill("Seconde affiche")
    add.click()
    add.click()
    expect(files).to_have_count(4)
    expect(add).to_be_disabled()  # X takes four
    expect(page.get_by_text(re.compile("At most 4 images on the chosen channels"))).to_be_visible()
    page.get_by_role("button", name="Remove this slot").last.click()
    expect(files).to_have_count(3)
    expect(add).to_be_enabled()
    assert_accessible(page)

    page.get_by_role("button", name="Save as a draft").click()  # no title: an error
    expect(page.locator("#id_title_errors")).to_be_visible()
    expect(page.get_by_text(re.compile("Kept from your last try: affiche-1.png"))).to_be_visible()
    expect(page.get_by_text(re.compile("Kept from your last try: affiche-2.png"))).to_be_visible()
    expect(alts.nth(1)).to_have_value("Seconde affiche")
    _expect_shown(page.locator("img.thumb"), 2)  # kept aside, shown to their writer
    page.get_by_role("textbox", name=re.compile("^Title")).fill("Deux affiches")
    page.get_by_role("button", name="Save as a draft").click()
    expect(page.get_by_text("Saved as a draft.")).to_be_visible()
    post = Post.objects.get()
    assert [i.alt_text for i in post.images.all()] == ["Première affiche", "Seconde affiche"]
    _expect_shown(page.locator("img.thumb"), 2)  # the post's page shows them to its writer


def _expect_shown(images, count: int) -> None:
    """`count` images, each loaded (a refused or broken one has no natural width)."""
    expect(images).to_have_count(count)
    for number in range(count):
        expect(images.nth(number)).to_have_js_property("complete", True)
        assert images.nth(number).evaluate("img => img.naturalWidth") == 8


def test_after_a_refused_action_a_reload_shows_the_post_and_posts_nothing_again(
    page, head, pending
):
    login_as(page, head)
    page.goto(f"/posts/{pending.pk}/")
    Post.objects.filter(pk=pending.pk).update(body="Changé entre-temps, jamais relu.")
    posts: list[str] = []
    page.on("request", lambda request: request.method == "POST" and posts.append(request.url))

    page.get_by_role("button", name="Approve", exact=True).click()
    # The message says it (the history keeps the refused approval too).
    refusal = page.get_by_role("status").get_by_text(re.compile("content changed since"))
    expect(refusal).to_be_visible()
    assert page.url.endswith(f"/posts/{pending.pk}/")  # the post's page, not the action's
    assert len(posts) == 1
    assert_accessible(page)

    page.reload()
    expect(page.get_by_role("heading", level=1)).to_contain_text(pending.title)
    expect(refusal).to_have_count(0)
    assert len(posts) == 1  # the reload fetched the page: nothing was posted again
    pending.refresh_from_db()
    assert pending.state == "pending_approval"


FAMILY = "👨\u200d👩\u200d👧\u200d👦"  # one grapheme on Bluesky, seven code points


def test_the_bluesky_verdict_turns_red_at_301_graphemes_and_back_at_300(page, contrib_a, dept_a):
    bluesky = ChannelFactory(
        name="Bluesky 67",
        network=Network.BLUESKY,
        department=dept_a,
        settings={"handle": "police67.bsky.social", "service_url": "https://bsky.social"},
        credentials={"app_password": "abcd-efgh-ijkl-mnop"},
    )
    login_as(page, contrib_a)
    page.goto("/posts/new/")
    page.get_by_role("checkbox", name=re.compile("Bluesky 67")).check()
    body = page.get_by_role("textbox", name=re.compile("^Text")).first
    body.fill("a" * 298 + FAMILY)
    verdict = page.locator(f"[data-verdict='{bluesky.pk}']")
    expect(verdict).to_contain_text("299 of 300 characters")
    body.press("End")
    body.press_sequentially("b")
    expect(verdict).to_contain_text("300 of 300 characters")
    expect(verdict).not_to_have_class(re.compile(r"\bover\b"))
    calm = verdict.evaluate("node => getComputedStyle(node).color")

    body.press_sequentially("c")
    expect(verdict).to_contain_text("301 of 300 characters")
    expect(verdict).to_have_class(re.compile(r"\bover\b"))
    expect(verdict).to_contain_text("accepts 300 characters, the text has 301.")
    assert verdict.evaluate("node => getComputedStyle(node).color") != calm
    assert_accessible(page)

    body.press("Backspace")
    expect(verdict).to_contain_text("300 of 300 characters")
    expect(verdict).not_to_have_class(re.compile(r"\bover\b"))
