"""A post sent back and submitted again, as its reviewer sees it: the comment it went
back with and the words changed since, readable and accessible."""

import pytest
from playwright.sync_api import expect

from editorial import workflow as wf
from tests.browser.conftest import assert_accessible, login_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_head_sees_the_comment_and_the_changes_since_the_last_review(
    page, pending, head, cm, writer_a
):
    wf.request_changes(pending, head, "Précisez la date.")
    wf.edit_post(pending, writer_a, body=pending.body + " Le 24 décembre.")
    wf.fast_track(pending, cm)
    login_as(page, head)
    page.goto(f"/posts/{pending.pk}/")
    section = page.get_by_test_id("since-review")
    expect(section.get_by_test_id("returned-comment")).to_contain_text("Précisez la date.")
    expect(section.locator("ins")).to_contain_text("24 décembre.")
    assert_accessible(page)
