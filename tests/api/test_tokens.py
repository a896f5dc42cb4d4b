"""Personal tokens: stored hashed, shown once, revocable, audited; two-factor roles."""

from __future__ import annotations

import hashlib

import pytest
from rest_framework.test import APIClient

from api.models import ApiToken
from api.tokens import create_token, find_token, revoke_token
from editorial.models import AuditEntry
from editorial.workflow.errors import ActionNotAllowed
from tests.sign_in import password_only_login

pytestmark = pytest.mark.django_db
POSTS = "/api/v1/posts/"


def _client(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_the_secret_is_kept_only_as_its_hash(cm):
    token, raw = create_token(cm, "Agenda", verified=False)
    secret = raw.split("_", 2)[2]
    stored = ApiToken.objects.get(pk=token.pk)
    assert raw.startswith(f"cad_{stored.prefix}_")
    assert stored.hashed_secret == hashlib.sha256(secret.encode()).hexdigest()
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert not any(secret in str(value) for value in row.values())
    assert find_token(raw) == token
    assert find_token(raw[:-1] + ("A" if raw[-1] != "A" else "B")) is None


def test_a_token_authenticates_and_records_its_use(cm):
    token, raw = create_token(cm, "Agenda", verified=False)
    assert _client(raw).get(POSTS).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_revoked_unknown_or_missing_token_answers_401(cm):
    token, raw = create_token(cm, "Agenda", verified=False)
    revoke_token(token, cm)
    response = _client(raw).get(POSTS)
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]
    assert _client("cad_00000000_nothing").get(POSTS).status_code == 401
    assert APIClient().get(POSTS).status_code == 401
    assert APIClient().get(POSTS)["WWW-Authenticate"] == "Bearer"


def test_an_inactive_users_token_answers_401(cm):
    _, raw = create_token(cm, "Agenda", verified=False)
    cm.is_active = False
    cm.save()
    assert _client(raw).get(POSTS).status_code == 401


def test_creation_and_revocation_are_audited_without_the_secret(cm):
    token, raw = create_token(cm, "Agenda", verified=False)
    revoke_token(token, cm)
    entries = AuditEntry.objects.filter(object_type="api.apitoken", object_id=token.pk)
    assert [e.action for e in entries.order_by("seq")] == ["api_token_created", "api_token_revoked"]
    secret = raw.split("_", 2)[2]
    assert all(secret not in str(e.data) and secret not in e.comment for e in entries)


def test_one_cannot_revoke_anothers_token(cm, head):
    token, _ = create_token(cm, "Agenda", verified=False)
    with pytest.raises(ActionNotAllowed):
        revoke_token(token, head)


def test_a_two_factor_role_needs_a_verified_session_to_make_a_token(head):
    with pytest.raises(ActionNotAllowed):
        create_token(head, "Agenda", verified=False)
    _token, raw = create_token(head, "Agenda", verified=True)
    assert _client(raw).get(POSTS).status_code == 200


def test_a_token_made_before_the_role_needed_two_factor_stops_working(cm):
    from accounts.roles import Role
    from accounts.scope import give_role

    _, raw = create_token(cm, "Agenda", verified=False)
    give_role(cm, Role.HEAD_OF_COMMUNICATION)
    assert _client(raw).get(POSTS).status_code == 401


# --- the account page ---------------------------------------------------------------


def test_the_account_page_creates_shows_once_and_revokes(client, cm):
    client.force_login(cm)
    assert "/workspace/account/tokens/" in client.get("/workspace/account/").content.decode()
    response = client.post("/workspace/account/tokens/", {"name": "Intranet agenda"})
    assert response.status_code == 201
    raw = response.context["created"]["raw"]
    assert raw in response.content.decode()
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    assert raw not in client.get("/workspace/account/tokens/").content.decode()
    assert _client(raw).get(POSTS).status_code == 200
    token = ApiToken.objects.get(user=cm)
    response = client.post(f"/workspace/account/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    assert _client(raw).get(POSTS).status_code == 401


def test_the_account_page_refuses_an_empty_name_and_anothers_token(client, cm, head):
    client.force_login(cm)
    assert client.post("/workspace/account/tokens/", {"name": " "}).status_code == 400
    token, _ = create_token(head, "Theirs", verified=True)
    assert client.post(f"/workspace/account/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.is_active


def test_an_unverified_heads_session_never_reaches_the_token_page(client, head):
    password_only_login(client, head)
    response = client.post("/workspace/account/tokens/", {"name": "Agenda"})
    assert response.status_code == 302
    assert not ApiToken.objects.filter(user=head).exists()
