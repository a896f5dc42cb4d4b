"""An unknown outcome in a browser: the community manager is told in the inbox, checks
the network, and settles it from the post's page."""

import pytest
from playwright.sync_api import expect

from editorial.models import PostState, PublicationState
from tests.browser.conftest import assert_accessible, login_as
from tests.test_publishing_sender import claimed_post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_community_manager_records_a_publication_found_on_the_network(
    page, cm, head, dept_a, channel_a
):
    post = claimed_post(cm, head, dept_a, [channel_a])
    publication = post.publications.get()
    post.publications.update(state=PublicationState.UNKNOWN, last_error="No answer after sending.")

    login_as(page, cm)
    page.goto("/inbox/")
    expect(page.get_by_test_id("unknown-outcome")).to_contain_text(str(channel_a))
    assert_accessible(page)
    page.get_by_role("link", name="Settle it").click()
    expect(page.get_by_test_id(f"outcome-{publication.pk}")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Its address on the network (optional)").fill("pas une adresse")
    page.get_by_role("button", name="It went out").click()
    # Refused, with what was typed kept.
    expect(page.get_by_label("Its address on the network (optional)")).to_have_value(
        "pas une adresse"
    )
    page.get_by_label("Its address on the network (optional)").fill(
        "https://social.example/@police/9"
    )
    page.get_by_role("button", name="It went out").click()
    expect(page.get_by_text(f"Recorded as sent on {channel_a}.")).to_be_visible()
    expect(page.get_by_role("link", name="See it on the network")).to_have_attribute(
        "href", "https://social.example/@police/9"
    )
    expect(page.get_by_text(f"Found on {channel_a}: recorded as sent")).to_be_visible()
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHED
