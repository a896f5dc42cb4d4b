"""In a browser: the bell counts what is unread, a notice opens on its post and is then
read, "mark all read" empties the count; the preferences are saved. Checked with axe."""

import re

import pytest
from playwright.sync_api import expect

from editorial import workflow as wf
from notifications.models import Choice, Notification, Preferences
from tests.browser.conftest import assert_accessible, login_as
from tests.factories import PostFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_bell_counts_opens_and_marks_read(page, head, cm, writer_a, dept_a, channel_a):
    posts = [
        PostFactory(title=title, author=writer_a, origin_department=dept_a, channels=[channel_a])
        for title in ("Alerte inondation", "Fermeture de l'autoroute A35")
    ]
    for post in posts:
        wf.fast_track(post, cm)  # committed for real: the head is told of each
    login_as(page, head)
    bell = page.get_by_test_id("unread-count")
    expect(bell).to_have_text("2")

    page.get_by_test_id("bell").click()
    expect(page).to_have_url(re.compile(r"/notifications/$"))
    notice = Notification.objects.get(recipient=head, post=posts[0])
    item = page.get_by_test_id(f"notice-{notice.pk}")
    expect(item).to_contain_text("Urgent hot news from cm awaits your approval")
    assert_accessible(page)

    item.get_by_role("link").click()
    expect(page.locator("h1")).to_have_text("Alerte inondation")
    expect(page.get_by_test_id("unread-count")).to_have_text("1")
    expect(page.get_by_test_id("post-notices")).to_contain_text("head")

    page.get_by_test_id("bell").click()
    page.get_by_test_id("mark-all-read").click()
    expect(page.get_by_test_id("unread-count")).to_have_text("0")
    assert not Notification.objects.filter(recipient=head, read_at__isnull=True).exists()


def test_the_preferences_page_saves_a_choice(page, head):
    login_as(page, head)
    page.goto("/notifications/preferences/")
    assert_accessible(page)
    page.locator("input[name=kind_urgent][value=digest]").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Your notification preferences are saved.")
    assert Preferences.objects.get(user=head).choice_for("urgent") == Choice.DIGEST
