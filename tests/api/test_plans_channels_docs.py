"""Weekly plans and their actions, channels without their secrets, throttling, the
schema and the docs page under the site's CSP."""

from __future__ import annotations

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from editorial.models import PlanState, PostState
from tests.api.conftest import api_as
from tests.factories import CampaignFactory, ChannelFactory, shown_items

pytestmark = pytest.mark.django_db


def session_client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "who,sees", [("cm", True), ("head", True), ("contrib_a", False), ("outsider", False)]
)
@pytest.mark.parametrize("rest", ["", "actions/"])
def test_a_plan_is_there_for_its_team_only(request, week, who, sees, rest):
    plan, _ = week
    client = api_as(request.getfixturevalue(who))
    assert client.get(f"/api/v1/plans/{plan.pk}/{rest}").status_code == (200 if sees else 404)
    listed = [p["id"] for p in client.get("/api/v1/plans/").json()["results"]]
    assert (plan.pk in listed) == sees


def test_plan_actions_as_the_board_offers_them(week, cm, head):
    plan, _posts = week
    assert [a["name"] for a in api_as(cm).get(f"/api/v1/plans/{plan.pk}/actions/").json()] == []
    names = [a["name"] for a in api_as(head).get(f"/api/v1/plans/{plan.pk}/actions/").json()]
    assert names == ["approve_plan", "return_plan"]


def test_a_plan_is_returned_by_token_and_refused_to_the_cm(week, cm, head):
    plan, _ = week
    response = api_as(cm).post(
        f"/api/v1/plans/{plan.pk}/actions/return_plan/", {"text": "Non."}, format="json"
    )
    assert response.status_code == 403
    response = api_as(head).post(
        f"/api/v1/plans/{plan.pk}/actions/return_plan/", {"text": "Trop chargé."}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["plan"]["state"] == PlanState.RETURNED


def test_a_plan_is_approved_with_what_was_shown_in_a_verified_session(week, head):
    plan, posts = week
    shown = [{"post": pk, "content_hash": h} for pk, h in shown_items(plan).items()]
    by_token = api_as(head).post(
        f"/api/v1/plans/{plan.pk}/actions/approve_plan/", {"shown": shown}, format="json"
    )
    assert by_token.status_code == 403
    response = session_client(head).post(
        f"/api/v1/plans/{plan.pk}/actions/approve_plan/", {"shown": shown}, format="json"
    )
    assert response.status_code == 200, response.content
    posts[0].refresh_from_db()
    assert posts[0].state == PostState.APPROVED


def test_approving_a_plan_whose_item_changed_answers_409(week, head):
    plan, posts = week
    shown = [{"post": pk, "content_hash": "0" * 64} for pk in shown_items(plan)]
    response = session_client(head).post(
        f"/api/v1/plans/{plan.pk}/actions/approve_plan/", {"shown": shown}, format="json"
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "stale_object" and len(body["problems"]) == len(shown)
    posts[0].refresh_from_db()
    assert posts[0].state == PostState.PENDING_APPROVAL


def test_channels_never_show_their_credentials(channel_a, dept_b, contrib_a, cm):
    secret = "very-secret-access-token"
    channel = ChannelFactory(department=channel_a.department, credentials={"access_token": secret})
    other = ChannelFactory(department=dept_b)
    response = api_as(contrib_a).get("/api/v1/channels/")
    assert response.status_code == 200
    ids = [c["id"] for c in response.json()["results"]]
    assert channel.pk in ids and other.pk not in ids
    assert secret not in response.content.decode()
    detail = api_as(contrib_a).get(f"/api/v1/channels/{channel.pk}/").json()
    assert set(detail) == {"id", "name", "network", "handle", "department", "is_active"}
    assert api_as(contrib_a).get(f"/api/v1/channels/{other.pk}/").status_code == 404
    assert api_as(cm).get(f"/api/v1/channels/{other.pk}/").status_code == 200


def test_campaigns_are_listed_for_their_department_and_the_national_team(
    dept_a, dept_b, national, contrib_a, cm
):
    own = CampaignFactory(department=dept_a, name="Recrutement 67")
    everyone = CampaignFactory(department=national, name="Sécurité routière")
    other = CampaignFactory(department=dept_b, name="Recrutement 13")

    listed = api_as(contrib_a).get("/api/v1/campaigns/").json()["results"]
    assert {c["name"] for c in listed} == {"Recrutement 67", "Sécurité routière"}
    detail = api_as(contrib_a).get(f"/api/v1/campaigns/{own.pk}/").json()
    assert detail["department"] == dept_a.pk and detail["name"] == "Recrutement 67"
    assert api_as(contrib_a).get(f"/api/v1/campaigns/{everyone.pk}/").status_code == 200
    assert api_as(contrib_a).get(f"/api/v1/campaigns/{other.pk}/").status_code == 404
    assert api_as(cm).get(f"/api/v1/campaigns/{other.pk}/").status_code == 200
    assert APIClient().get("/api/v1/campaigns/").status_code == 401


def _rates(read: str, write: str):
    from django.conf import settings

    return override_settings(
        REST_FRAMEWORK={
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"api-read": read, "api-write": write},
        }
    )


def test_calls_are_throttled_per_token(cm, post_a):
    one, two = api_as(cm), api_as(cm)
    with _rates("3/min", "1/min"):
        assert [one.get("/api/v1/posts/").status_code for _ in range(4)] == [200, 200, 200, 429]
        # Another token of the same person has its own budget.
        assert two.get("/api/v1/posts/").status_code == 200
        comments = f"/api/v1/posts/{post_a.pk}/comments/"
        assert one.post(comments, {"body": "a"}, format="json").status_code == 201
        response = one.post(comments, {"body": "b"}, format="json")
        assert response.status_code == 429
        assert "Retry-After" in response


def test_the_schema_lists_every_action_and_no_credentials():
    from editorial.workflow.catalog import PLAN_ACTIONS, POST_ACTIONS

    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for name in POST_ACTIONS:
        assert f"/api/v1/posts/{{id}}/actions/{name}/" in paths
    for name in PLAN_ACTIONS:
        assert f"/api/v1/plans/{{id}}/actions/{name}/" in paths
    assert "credentials" not in str(schema["components"]["schemas"]["Channel"])
    assert schema["components"]["securitySchemes"]["token"]["scheme"] == "bearer"


def test_the_docs_page_loads_its_own_files_under_the_csp(client, cm):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    html = response.content.decode()
    assert "<script>" not in html  # every script is a file of ours
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'<style nonce="{nonce}">' in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()


def test_the_schema_is_valid_openapi_drawn_without_a_warning(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", tmp_path / "api.yaml")
    assert "/api/v1/posts/{id}/actions/{action}/" not in (tmp_path / "api.yaml").read_text()
