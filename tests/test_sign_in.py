"""Signing in: a username is locked after the configured number of wrong passwords, on
the product's login and on the admin's address alike, and every sign-in, failure and
lock-out is in the audit trail."""

import pytest
from django.conf import settings
from django.urls import reverse

from editorial.audit import entries_for
from editorial.models import AuditEntry

pytestmark = pytest.mark.django_db

LIMIT = settings.AXES_FAILURE_LIMIT


def sign_in(client, username, password, path="/login/"):
    return client.post(path, {"username": username, "password": password})


def test_the_right_password_signs_in_and_is_audited(client, cm):
    response = sign_in(client, "cm", "demo")
    assert response.status_code == 302
    assert client.get(reverse("post-list")).status_code == 200
    entry = entries_for(cm).get(action="login")
    assert entry.actor == cm and "ip" in entry.data


def test_after_the_limit_of_wrong_passwords_even_the_right_one_is_refused(client, director):
    for _ in range(LIMIT - 1):
        assert sign_in(client, "director", "guess").status_code == 200  # the form again
    locked = sign_in(client, "director", "guess")
    assert locked.status_code == 429
    assert b"Sign-in locked" in locked.content

    refused = sign_in(client, "director", "demo")

    assert refused.status_code == 429
    assert client.get(reverse("post-list")).status_code == 302  # not signed in


def test_failures_and_the_lock_out_are_in_the_audit_trail_without_the_password(client, director):
    for _ in range(LIMIT):
        sign_in(client, "director", "secret-guess")
    actions = list(entries_for(director).order_by("seq").values_list("action", flat=True))
    assert actions.count("login_failed") == LIMIT
    assert actions.count("locked_out") == 1
    failed = entries_for(director).filter(action="login_failed").last()
    assert failed.actor is None and failed.data["locked_out"] is True
    assert not AuditEntry.objects.filter(data__icontains="secret-guess").exists()


def test_a_username_that_matches_no_account_is_audited_too(client):
    sign_in(client, "nobody", "guess")
    entry = AuditEntry.objects.get(action="login_failed")
    assert entry.data["username"] == "nobody"


def test_another_persons_lock_out_does_not_lock_me(client, director, head):
    for _ in range(LIMIT):
        sign_in(client, "director", "guess")
    assert sign_in(client, "head", "demo").status_code == 302


def test_the_admin_has_no_login_form_of_its_own(client, admin_user):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))

    posted = sign_in(client, "admin", "demo", path="/admin/login/")

    assert posted.status_code == 302 and posted["Location"].startswith(reverse("login"))
    assert not entries_for(admin_user).filter(action="login").exists()
    assert client.get("/admin/").status_code == 302  # still not signed in


def test_the_admins_address_cannot_be_used_to_guess_passwords(client, admin_user):
    for _ in range(LIMIT * 2):
        sign_in(client, "admin", "guess", path="/admin/login/")
    # Nothing was tried there: the product's login still takes the right password.
    assert sign_in(client, "admin", "demo").status_code == 302


def test_a_signed_in_person_the_admin_refuses_is_not_sent_round_in_circles(client, contrib_a):
    client.force_login(contrib_a)
    assert client.get("/admin/login/?next=/admin/").status_code == 403
