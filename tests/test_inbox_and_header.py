"""What awaits whom, the header's counter, where each role lands, and signing in."""

import pytest
from django.urls import reverse

from editorial import workflow as wf
from editorial.inbox import awaiting, awaiting_count
from editorial.models import PostState
from tests.factories import PostFactory


@pytest.fixture
def submitted(post_a, writer_a):
    wf.submit(post_a, writer_a)
    return post_a


def test_a_submission_awaits_the_community_manager_only(submitted, cm, head, director, contrib_a):
    assert list(awaiting(cm)) == [submitted]
    assert not awaiting(head).exists()
    assert not awaiting(director).exists()
    assert not awaiting(contrib_a).exists()


def test_a_post_pending_approval_awaits_the_head_but_not_once_they_changed_its_text(
    pending, head, cm
):
    assert list(awaiting(head)) == [pending]
    wf.edit_post(pending, head, title="Retitled by the head")  # not content: still theirs
    assert list(awaiting(head)) == [pending]
    wf.edit_post(pending, head, body="Rewritten by the head.")
    wf.fast_track(pending, cm)
    assert not awaiting(head).exists()


def test_sign_offs_come_first_for_the_director(pending, head, director, cm, dept_a, channel_a):
    other = PostFactory(origin_department=dept_a, channels=[channel_a], author=cm)
    wf.fast_track(other, cm)
    wf.mark_sensitive(pending, head, "Affaire judiciaire en cours")
    wf.approve(pending, head)
    assert pending.state == PostState.PENDING_SIGNOFF
    assert awaiting(director).first() == pending


def test_changes_requested_await_their_author(pending, head, writer_a, contrib_a):
    wf.request_changes(pending, head, "Précisez la date.")
    assert list(awaiting(writer_a)) == [pending]
    assert not awaiting(contrib_a).exists()


def test_a_contributor_is_never_shown_another_departments_posts(contrib_b, dept_a, channel_a):
    post = PostFactory(origin_department=dept_a, channels=[channel_a], author=contrib_b)
    # Written by someone who has since moved to another department.
    type(post).objects.filter(pk=post.pk).update(state=PostState.CHANGES_REQUESTED)
    assert awaiting_count(contrib_b) == 0


def test_the_header_counts_what_awaits_the_user(client, submitted, cm):
    client.force_login(cm)
    page = client.get(reverse("post-list"))
    assert b'data-testid="awaiting-count">1<' in page.content


def test_the_national_team_lands_on_the_calendar_and_contributors_on_their_posts(
    client, cm, contrib_a
):
    client.force_login(cm)
    assert client.get("/").url == reverse("calendar")
    client.force_login(contrib_a)
    assert client.get("/").url == reverse("post-list")


def test_every_page_asks_a_visitor_to_sign_in(client, db):
    for name in ("home", "calendar", "inbox", "post-list", "post-create", "plan-board"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_the_interface_is_french_by_default_and_switches_to_english(client, cm, settings):
    settings.LANGUAGE_CODE = "fr"  # the production default (the suite reads English)
    client.force_login(cm)
    assert 'lang="fr"' in client.get(reverse("post-list")).text
    client.post(reverse("set_language"), {"language": "en", "next": "/posts/"})
    assert 'lang="en"' in client.get(reverse("post-list")).text


def test_french_is_the_production_default_language():
    from config import settings as production

    assert production.LANGUAGE_CODE == "fr"
    assert [code for code, _name in production.LANGUAGES] == ["fr", "en"]
