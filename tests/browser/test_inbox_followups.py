"""In a browser: the header's counter follows inbox actions, and a failed post is
followed up from the inbox (sent again, or copied to a new draft)."""

import pytest
from playwright.sync_api import expect

from editorial import workflow as wf
from editorial.models import Network, Post, PostState, PublicationState
from tests.browser.conftest import assert_accessible, login_as
from tests.factories import ChannelFactory, PostFactory, WebhookChannelFactory
from tests.test_views_followups import failed_post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
S = PostState


def test_approving_from_the_inbox_updates_the_header_count_without_a_reload(
    page, head, cm, writer_a, dept_a, channel_a
):
    posts = []
    for title in ("Fermeture du commissariat", "Opération tranquillité vacances"):
        post = PostFactory(
            title=title, author=writer_a, origin_department=dept_a, channels=[channel_a]
        )
        wf.fast_track(post, cm)
        posts.append(post)
    login_as(page, head)
    page.goto("/inbox/")
    counter = page.get_by_test_id("awaiting-count")
    expect(counter).to_have_text("2")
    row = page.locator(f"#row-{posts[0].pk}")
    row.get_by_role("button", name="Approve").click()
    expect(row).to_contain_text("Approved")
    expect(counter).to_have_text("1")
    expect(page.get_by_test_id("awaiting-count")).to_have_count(1)  # swapped, not added
    assert_accessible(page)
    assert Post.objects.get(pk=posts[0].pk).state == S.APPROVED


def test_a_failed_post_is_sent_again_or_copied_from_the_community_managers_inbox(
    page, cm, writer_a, dept_a, facebook_without_connector
):
    webhook = WebhookChannelFactory(
        department=dept_a, name="Mattermost 67", endpoint_url="http://x"
    )
    retryable = failed_post(writer_a, dept_a, webhook, error="Mattermost 67 answered 503")
    # A channel of a network without a connector (Facebook's, taken out for the test).
    unconnected = ChannelFactory(department=dept_a, name="Facebook 67", network=Network.FACEBOOK)
    stuck = failed_post(writer_a, dept_a, unconnected)
    login_as(page, cm)
    page.goto("/inbox/")
    counter = page.get_by_test_id("awaiting-count")
    expect(counter).to_have_text("2")
    expect(page.locator(f"#row-{stuck.pk}")).to_contain_text("No adapter for Facebook Page yet.")
    assert_accessible(page)

    row = page.locator(f"#row-{retryable.pk}")
    row.get_by_role("button", name="Send again").click()
    expect(row).to_contain_text("Sending again")
    expect(counter).to_have_text("1")
    assert retryable.publications.get().state == PublicationState.QUEUED

    page.locator(f"#row-{stuck.pk}").get_by_role("link", name="Copy it to a new draft").click()
    expect(page.get_by_test_id("failed-flag")).to_contain_text("cannot publish on Facebook Page")
    assert_accessible(page)
    page.get_by_text("Copy to a new draft", exact=True).first.click()
    page.get_by_role("button", name="Copy to a new draft").click()
    expect(page.get_by_text("Copied to a new draft")).to_be_visible()
    copy = Post.objects.exclude(pk__in=[retryable.pk, stuck.pk]).get()
    assert page.url.endswith(f"/posts/{copy.pk}/")
    assert copy.state == S.DRAFT
    expect(page.get_by_test_id("awaiting-count")).to_have_text("0")
