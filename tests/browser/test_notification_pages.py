"""In a browser: asking for the daily digest, naming a team's chat, and reading the mail
sent in a local run. Checked with axe."""

import pytest
from playwright.sync_api import expect

from editorial import workflow as wf
from notifications import tasks
from notifications.models import Delivery, Preferences, TeamChat
from tests.browser.conftest import assert_accessible, login_as
from tests.factories import PostFactory, WebhookChannelFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_digest_is_asked_for_on_the_preferences_page(page, head):
    login_as(page, head)
    page.goto("/notifications/preferences/")
    page.get_by_label("Send me the daily digest").check()
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Your notification preferences are saved.")
    assert Preferences.objects.get(user=head).wants_digest


def test_a_team_chat_is_named_from_the_list(page, head, dept_a):
    chat = WebhookChannelFactory(
        name="Mattermost 67", department=dept_a, settings={"webhook_format": "mattermost"}
    )
    login_as(page, head)
    page.goto("/notifications/")
    page.get_by_role("link", name="Team chats").click()
    page.get_by_label(dept_a.name).select_option(label="Mattermost 67")
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("The team chats are saved.")
    assert TeamChat.objects.get(department=dept_a).channel == chat


def test_the_mail_sent_is_read_in_debug(page, head, cm, director, writer_a, dept_a, settings):
    settings.DEBUG = True
    settings.NOTIFICATION_KEEP_SENT_MAIL = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    post = PostFactory(title="Alerte inondation", author=writer_a, origin_department=dept_a)
    wf.fast_track(post, cm)
    tasks.deliver(list(Delivery.objects.filter(channel="email").values_list("pk", flat=True)))
    login_as(page, head)
    page.goto("/notifications/")
    page.get_by_role("link", name="Sent mail").click()
    expect(page.get_by_test_id("sent-mail")).to_contain_text("Alerte inondation")
    expect(page.get_by_test_id("sent-mail")).to_contain_text("director@example.org")
    assert_accessible(page)
