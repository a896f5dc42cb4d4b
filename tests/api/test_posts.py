"""Posts through the API: scope (404), permission (403 with the reason), the workflow's
answers (400, 409), the same audit entries as the pages, bounded and constant lists."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from editorial import workflow
from editorial.audit import entries_for
from editorial.models import Category, Post, PostState
from tests.api.conftest import api_as
from tests.factories import ChannelFactory, PostFactory, in_days

pytestmark = pytest.mark.django_db

SEE_A = ["cm", "head", "director", "admin_user", "contrib_a", "writer_a"]
NOT_A = ["contrib_b", "outsider"]


def url(post, rest: str = "") -> str:
    return f"/api/v1/posts/{post.pk}/{rest}"


def session_client(user, *, csrf: bool = False) -> APIClient:
    client = APIClient(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


# --- scope: every read endpoint, every role, own and other department ----------------


@pytest.mark.parametrize("who", SEE_A + NOT_A)
@pytest.mark.parametrize("rest", ["", "actions/", "comments/", "publications/"])
def test_a_post_is_there_only_for_who_may_see_it(request, post_a, who, rest):
    user = request.getfixturevalue(who)
    response = api_as(user).get(url(post_a, rest))
    assert response.status_code == (200 if who in SEE_A else 404), response.content
    listed = [p["id"] for p in api_as(user).get("/api/v1/posts/").json()["results"]]
    assert (post_a.pk in listed) == (who in SEE_A)


@pytest.mark.parametrize("who", NOT_A)
@pytest.mark.parametrize("action", ["submit", "fast_track", "comment", "cancel"])
def test_an_action_outside_scope_answers_404_and_changes_nothing(request, post_a, who, action):
    user = request.getfixturevalue(who)
    response = api_as(user).post(url(post_a, f"actions/{action}/"), {"text": "x"}, format="json")
    assert response.status_code == 404
    post_a.refresh_from_db()
    assert post_a.state == PostState.DRAFT


def test_available_actions_are_the_post_pages(post_a, writer_a, cm):
    for user in (writer_a, cm):
        names = [a["name"] for a in api_as(user).get(url(post_a, "actions/")).json()]
        assert names == workflow.available_actions(post_a, user)
    submit = next(
        a for a in api_as(writer_a).get(url(post_a, "actions/")).json() if a["name"] == "submit"
    )
    assert submit["url"] == url(post_a, "actions/submit/") and submit["method"] == "POST"


# --- actions: 403 with the reason, 409 when it moved on, 400 for what is missing -------


def test_a_forbidden_action_answers_403_with_the_reason(pending, contrib_a):
    response = api_as(contrib_a).post(
        url(pending, "actions/approve/"), {"content_hash": pending.content_hash}, format="json"
    )
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "action_not_allowed" and body["detail"]
    pending.refresh_from_db()
    assert pending.state == PostState.PENDING_APPROVAL


def test_an_action_on_a_post_that_moved_on_answers_409(pending, cm):
    response = api_as(cm).post(url(pending, "actions/fast_track/"), format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_state"


def test_approving_content_that_changed_since_it_was_read_answers_409(pending, head):
    client = session_client(head)
    read = client.get(url(pending)).json()
    workflow.edit_post(Post.objects.get(pk=pending.pk), head, body="Autre texte, changé.")
    response = client.post(
        url(pending, "actions/approve/"), {"content_hash": read["content_hash"]}, format="json"
    )
    assert response.status_code == 409
    assert not pending.approvals.exists()


def test_a_text_action_without_its_text_answers_400(pending, head):
    response = api_as(head).post(url(pending, "actions/request_changes/"), {}, format="json")
    assert response.status_code == 400
    assert "text" in response.json()
    response = api_as(head).post(
        url(pending, "actions/request_changes/"), {"text": "   "}, format="json"
    )
    assert response.status_code == 400


def test_a_token_never_approves_for_a_two_factor_role(pending, head):
    response = api_as(head).post(
        url(pending, "actions/approve/"), {"content_hash": pending.content_hash}, format="json"
    )
    assert response.status_code == 403
    assert "one-time code" in response.json()["detail"]
    refusal = entries_for(pending).order_by("-seq").first()
    assert (refusal.action, refusal.actor, refusal.data["attempted"]) == (
        "approval_refused",
        head,
        "approve",
    )
    pending.refresh_from_db()
    assert pending.state == PostState.PENDING_APPROVAL
    # The same person, signed in with their code, approves through the API.
    response = session_client(head).post(
        url(pending, "actions/approve/"), {"content_hash": pending.content_hash}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["post"]["state"] == PostState.APPROVED


def test_the_session_needs_its_csrf_token_to_write(post_a, writer_a):
    client = session_client(writer_a, csrf=True)
    assert client.get(url(post_a)).status_code == 200
    response = client.post(url(post_a, "actions/submit/"), format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_an_action_through_the_api_writes_the_pages_audit_entry(
    client, writer_a, dept_a, channel_a, cm
):
    by_api, by_page = (
        PostFactory(author=writer_a, origin_department=dept_a, channels=[channel_a])
        for _ in range(2)
    )
    response = api_as(cm).post(url(by_api, "actions/fast_track/"), format="json")
    assert response.status_code == 200
    assert response.json()["detail"] == "Sent for approval as urgent."
    client.force_login(cm)
    client.post(f"/posts/{by_page.pk}/actions/fast_track/")

    def last(post):
        entry = entries_for(post).order_by("-seq").first()
        return (
            entry.actor,
            entry.action,
            entry.from_state,
            entry.to_state,
            entry.comment,
            entry.data,
        )

    assert last(by_api) == last(by_page)
    assert last(by_api)[1:4] == ("fast_track", PostState.DRAFT, PostState.PENDING_APPROVAL)


def test_a_copy_takes_an_iso_time(pending, cm):
    workflow.cancel(pending, cm, "")
    when = in_days(5).replace(microsecond=0)
    response = api_as(cm).post(
        url(pending, "actions/copy_to_draft/"), {"when": when.isoformat()}, format="json"
    )
    assert response.status_code == 201
    copy = Post.objects.get(pk=response.json()["post"]["id"])
    assert copy.scheduled_at == when and copy.state == PostState.DRAFT
    response = api_as(cm).post(
        url(pending, "actions/copy_to_draft/"), {"when": "9999-01-01T00:00:00Z"}, format="json"
    )
    assert response.status_code == 400


# --- comments and publications ------------------------------------------------------


def test_comments_are_written_through_the_workflow(post_a, contrib_a, contrib_b):
    response = api_as(contrib_a).post(url(post_a, "comments/"), {"body": "Vu."}, format="json")
    assert response.status_code == 201
    assert entries_for(post_a).filter(action="comment", comment="Vu.").exists()
    assert [
        c["body"] for c in api_as(contrib_a).get(url(post_a, "comments/")).json()["results"]
    ] == ["Vu."]
    assert (
        api_as(contrib_a).post(url(post_a, "comments/"), {"body": ""}, format="json").status_code
        == 400
    )
    assert (
        api_as(contrib_b).post(url(post_a, "comments/"), {"body": "x"}, format="json").status_code
        == 404
    )


def test_publications_of_an_approved_post(approved, cm):
    from editorial.models import Publication, PublicationState

    channel = approved.channels.get()
    Publication.objects.create(
        post=approved,
        channel=channel,
        state=PublicationState.QUEUED,
        content_hash=approved.content_hash,
    )
    body = api_as(cm).get(url(approved, "publications/")).json()
    assert [(p["channel"], p["state"]) for p in body] == [(channel.pk, PublicationState.QUEUED)]


# --- create and change ----------------------------------------------------------------


def test_create_a_draft(contrib_a, channel_a, dept_a):
    sent = {
        "title": "Fête de la musique",
        "body": "Conseils pour la soirée.",
        "category": Category.HOT_NEWS,
        "channels": [channel_a.pk],
        "scheduled_at": in_days(4).isoformat(),
        "variants": {str(channel_a.pk): "Texte pour ce compte."},
    }
    response = api_as(contrib_a).post("/api/v1/posts/", sent, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    post = Post.objects.get(pk=body["id"])
    assert post.origin_department == dept_a and post.state == PostState.DRAFT
    assert body["variants"] == [{"channel": channel_a.pk, "body": "Texte pour ce compte."}]
    assert entries_for(post).get().action == "create"


def test_create_answers_400_with_the_fields_errors(contrib_a, dept_b):
    foreign = ChannelFactory(department=dept_b)
    response = api_as(contrib_a).post(
        "/api/v1/posts/", {"body": "x", "category": "nope", "channels": [foreign.pk]}, format="json"
    )
    assert response.status_code == 400
    assert {"title", "category"} <= set(response.json())
    response = api_as(contrib_a).post(
        "/api/v1/posts/",
        {"title": "T", "body": "x", "category": Category.HOT_NEWS, "channels": [foreign.pk]},
        format="json",
    )
    assert response.status_code == 400
    assert "channels" in response.json()


def test_one_without_writing_rights_gets_403(outsider):
    response = api_as(outsider).post(
        "/api/v1/posts/", {"title": "T", "body": "x", "category": Category.HOT_NEWS}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "action_not_allowed"
    assert not Post.objects.exists()


def test_change_keeps_what_was_not_sent_and_refuses_a_stale_hash(post_a, writer_a):
    client = api_as(writer_a)
    read = client.get(url(post_a)).json()
    response = client.patch(
        url(post_a), {"title": "Nouveau titre", "content_hash": read["content_hash"]}, format="json"
    )
    assert response.status_code == 200, response.content
    post_a.refresh_from_db()
    assert post_a.title == "Nouveau titre" and post_a.body == read["body"]
    client.patch(url(post_a), {"body": "Changé ailleurs."}, format="json")
    response = client.patch(
        url(post_a), {"body": "Mon texte", "content_hash": read["content_hash"]}, format="json"
    )
    assert response.status_code == 409
    post_a.refresh_from_db()
    assert post_a.body == "Changé ailleurs."


def test_change_outside_scope_or_rights(post_a, contrib_b, approved, writer_a):
    assert api_as(contrib_b).patch(url(post_a), {"title": "x"}, format="json").status_code == 404


def test_a_published_post_cannot_be_changed(approved, writer_a):
    Post.objects.filter(pk=approved.pk).update(state=PostState.PUBLISHED)
    response = api_as(writer_a).patch(url(approved), {"title": "x"}, format="json")
    assert response.status_code == 409


# --- the list: filters, bounded pages, constant queries ------------------------------


def test_filters(post_a, pending, cm, writer_a, dept_a, channel_a):
    other = PostFactory(
        title="Sécurité routière",
        author=writer_a,
        origin_department=dept_a,
        channels=[channel_a],
        scheduled_at=in_days(20),
    )
    client = api_as(cm)

    def ids(**query):
        response = client.get("/api/v1/posts/", query)
        assert response.status_code == 200, response.content
        return {p["id"] for p in response.json()["results"]}

    assert ids(state=PostState.PENDING_APPROVAL) == {pending.pk}
    assert ids(q="routière") == {other.pk}
    assert ids(channel=channel_a.pk) == {pending.pk, other.pk}
    assert ids(department=dept_a.pk) == {pending.pk, other.pk}
    assert ids(scheduled_from=in_days(10).isoformat()) == {other.pk}
    assert ids(scheduled_to=in_days(10).isoformat()) == {pending.pk}
    assert client.get("/api/v1/posts/", {"state": "nope"}).status_code == 400
    assert client.get("/api/v1/posts/", {"q": "ab"}).status_code == 400


def test_pages_are_bounded(cm, writer_a, dept_a, channel_a, monkeypatch):
    from api.pagination import MAX_PAGE_SIZE, Cursor

    assert MAX_PAGE_SIZE == 100
    monkeypatch.setattr(Cursor, "max_page_size", 2)
    for _ in range(3):
        PostFactory(author=writer_a, origin_department=dept_a, channels=[channel_a])
    assert api_as(cm).get("/api/v1/posts/", {"page_size": 1000}).status_code == 400
    first = api_as(cm).get("/api/v1/posts/", {"page_size": 100}).json()
    assert len(first["results"]) == 2 and first["next"]
    second = api_as(cm).get(first["next"]).json()
    assert len(second["results"]) == 1 and not second["next"]


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/posts/", {"page_size": 100}).status_code == 200
    return len(queries)


def test_the_list_takes_the_same_number_of_queries_for_2_and_50_posts(
    cm, writer_a, dept_a, channel_a
):
    client = api_as(cm)
    client.get("/api/v1/posts/")  # the token's first use is written once
    for _ in range(2):
        PostFactory(author=writer_a, origin_department=dept_a, channels=[channel_a])
    few = _list_queries(client)
    for _ in range(48):
        PostFactory(author=writer_a, origin_department=dept_a, channels=[channel_a])
    assert _list_queries(client) == few


def test_times_are_moments_whatever_the_dst_change(contrib_a, channel_a):
    """ISO 8601 with its offset names one moment, even in Paris's repeated autumn hour:
    each of the two 02:30 of 27 October 2030 is kept as itself, and read back with the
    offset of Paris at that moment."""
    import datetime as dt

    client = api_as(contrib_a)
    stored = []
    for offset in ("+02:00", "+01:00"):
        sent = {
            "title": f"Heure {offset}",
            "body": "Texte.",
            "category": Category.HOT_NEWS,
            "channels": [channel_a.pk],
            "scheduled_at": f"2030-10-27T02:30:00{offset}",
        }
        response = client.post("/api/v1/posts/", sent, format="json")
        assert response.status_code == 201, response.content
        assert response.json()["scheduled_at"] == f"2030-10-27T02:30:00{offset}"
        stored.append(Post.objects.get(pk=response.json()["id"]).scheduled_at)
    assert stored[1] - stored[0] == dt.timedelta(hours=1)
    assert stored[0] == dt.datetime(2030, 10, 27, 0, 30, tzinfo=dt.UTC)
