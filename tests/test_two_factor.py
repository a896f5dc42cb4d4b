"""Two-factor authentication: a head of communication, a director or an administrator
signed in with a password alone can do nothing — not approve, sign off or pause, not
through a page, a forged POST, htmx or the admin — until a code from their
authenticator is given; the first time, they set one up and get recovery codes."""

import re

import pytest
from django.contrib.admin import helpers
from django.test import override_settings
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from editorial.audit import entries_for
from editorial.models import Post, PostState, PublishingPause
from tests.sign_in import code_for, enrol, password_only_login

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def approve(client, post):
    return client.post(
        reverse("post-action", args=[post.pk, "approve"]), {"expected_hash": post.content_hash}
    )


@pytest.mark.parametrize("persona", ["head", "director", "admin_user"])
def test_a_password_alone_opens_no_page_of_the_two_factor_roles(client, request, persona):
    user = request.getfixturevalue(persona)
    password_only_login(client, user)
    response = client.get(reverse("calendar"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two-factor-setup"))


@pytest.mark.parametrize("persona", ["cm", "contrib_a"])
def test_the_other_roles_work_with_their_password(client, request, persona):
    password_only_login(client, request.getfixturevalue(persona))
    assert client.get(reverse("post-list")).status_code == 200


def test_a_forged_approval_without_the_second_factor_changes_nothing(client, head, pending):
    enrol(head)
    password_only_login(client, head)

    response = approve(client, pending)

    assert response.status_code == 302
    assert response["Location"] == reverse("two-factor-verify")
    pending.refresh_from_db()
    assert pending.state == PostState.PENDING_APPROVAL
    assert not entries_for(pending).filter(action="approve").exists()


def test_an_htmx_approval_without_the_second_factor_loads_the_code_page(client, head, pending):
    password_only_login(client, head)
    response = client.post(
        reverse("post-action", args=[pending.pk, "approve"]),
        {"expected_hash": pending.content_hash},
        **HTMX,
    )
    assert response["HX-Redirect"].startswith(reverse("two-factor-setup"))
    pending.refresh_from_db()
    assert pending.state == PostState.PENDING_APPROVAL


def test_a_pause_without_the_second_factor_is_not_made(client, director):
    password_only_login(client, director)
    client.post(reverse("crisis-pause"), {"scope": "", "reason": "Crise", "stops_publishing": "on"})
    assert not PublishingPause.objects.exists()


def test_the_admin_refuses_an_administrator_without_the_second_factor(client, admin_user, pending):
    enrol(admin_user)
    password_only_login(client, admin_user)
    changelist = reverse("admin:editorial_post_changelist")

    assert client.get(reverse("admin:index")).status_code == 302
    response = client.post(
        changelist, {"action": "cancel", helpers.ACTION_CHECKBOX_NAME: [pending.pk]}
    )

    assert response["Location"].startswith(reverse("two-factor-verify"))
    assert Post.objects.get(pk=pending.pk).state == PostState.PENDING_APPROVAL


def test_the_admin_site_itself_refuses_an_unverified_administrator(rf, admin_user):
    """Even were the middleware left out, the admin's own permission check asks for it."""
    from django.contrib import admin
    from django_otp.middleware import OTPMiddleware

    request = rf.get("/admin/")
    request.user = admin_user
    request.session = {}
    OTPMiddleware(lambda r: None)(request)
    assert not admin.site.has_permission(request)


def test_with_the_code_the_head_approves(client, head, pending):
    device = enrol(head)
    password_only_login(client, head)
    target = reverse("post-detail", args=[pending.pk])

    response = client.post(reverse("two-factor-verify"), {"code": code_for(device), "next": target})

    assert response.status_code == 302 and response["Location"] == target
    assert approve(client, pending).status_code == 302
    pending.refresh_from_db()
    assert pending.state == PostState.APPROVED


def test_a_wrong_code_is_refused_and_audited(client, head):
    enrol(head)
    password_only_login(client, head)
    response = client.post(reverse("two-factor-verify"), {"code": "000000"})
    assert response.status_code == 400
    assert client.get(reverse("calendar")).status_code == 302
    assert entries_for(head).filter(action="two_factor_failed").exists()


def test_a_code_works_only_once(client, head):
    device = enrol(head)
    code = code_for(device)
    password_only_login(client, head)
    assert client.post(reverse("two-factor-verify"), {"code": code}).status_code == 302
    other = client.__class__()
    password_only_login(other, head)
    assert other.post(reverse("two-factor-verify"), {"code": code}).status_code == 400


def test_the_first_sign_in_sets_up_an_authenticator_and_gives_recovery_codes(client, director):
    password_only_login(client, director)
    page = client.get(reverse("two-factor-setup"))
    assert page.status_code == 200
    content = page.content.decode()
    assert "<svg" in content  # the QR code to scan
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', content).group(1)
    device = TOTPDevice.objects.get(user=director, confirmed=False)
    assert secret.replace(" ", "") in device.config_url

    done = client.post(reverse("two-factor-setup"), {"code": code_for(device)})

    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", done.content.decode())
    assert len(codes) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("calendar")).status_code == 200  # this session is verified
    assert entries_for(director).filter(action="two_factor_enabled").exists()


def test_setting_up_refuses_a_wrong_first_code(client, director):
    password_only_login(client, director)
    client.get(reverse("two-factor-setup"))
    assert client.post(reverse("two-factor-setup"), {"code": "123456"}).status_code == 400
    assert not TOTPDevice.objects.filter(user=director, confirmed=True).exists()


def test_an_enrolled_person_cannot_set_up_another_app_with_a_password_alone(client, head):
    enrol(head)
    password_only_login(client, head)
    response = client.get(reverse("two-factor-setup"))
    assert response["Location"] == reverse("two-factor-verify")


def recovery_codes_of(client, head) -> list[str]:
    response = client.post(reverse("two-factor-codes"))
    return re.findall(r"<li><code>([a-z2-7]+)</code></li>", response.content.decode())


def test_a_recovery_code_signs_in_once(client, head):
    client.force_login(head)
    code = recovery_codes_of(client, head)[0]
    first, second = client.__class__(), client.__class__()
    password_only_login(first, head)
    password_only_login(second, head)

    assert first.post(reverse("two-factor-verify"), {"code": code.upper()}).status_code == 302
    assert first.get(reverse("calendar")).status_code == 200
    assert second.post(reverse("two-factor-verify"), {"code": code}).status_code == 400
    used = entries_for(head).get(action="recovery_code_used")
    assert used.data["codes_left"] == 9


def test_new_recovery_codes_replace_the_old_ones(client, head):
    client.force_login(head)
    old = recovery_codes_of(client, head)
    new = recovery_codes_of(client, head)
    assert set(old).isdisjoint(new)
    assert StaticToken.objects.filter(device__user=head).count() == 10
    assert entries_for(head).filter(action="recovery_codes_renewed").count() == 2


def test_recovery_codes_need_a_verified_session(client, head):
    enrol(head)
    password_only_login(client, head)
    assert client.post(reverse("two-factor-codes")).status_code == 302
    assert not StaticToken.objects.filter(device__user=head).exists()


def test_an_administrator_resets_a_lost_second_factor_in_the_admin(client, admin_user, head):
    enrol(head)
    client.force_login(admin_user)
    client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_two_factor", helpers.ACTION_CHECKBOX_NAME: [head.pk]},
    )
    assert not TOTPDevice.objects.filter(user=head).exists()
    entry = entries_for(head).get(action="two_factor_reset")
    assert entry.actor == admin_user
    other = client.__class__()
    password_only_login(other, head)
    assert other.get(reverse("calendar"))["Location"].startswith(reverse("two-factor-setup"))


def test_the_admin_does_not_show_second_factor_secrets(client, admin_user):
    admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404


@override_settings(DEBUG=True, TWO_FACTOR_EXEMPT_USERNAMES=["director"])
def test_the_demo_may_exempt_its_users_when_debugging(client, director, head):
    password_only_login(client, director)
    assert client.get(reverse("post-list")).status_code == 200
    password_only_login(client, head)
    assert client.get(reverse("post-list")).status_code == 302


@override_settings(DEBUG=False, TWO_FACTOR_EXEMPT_USERNAMES=["director"])
def test_the_exemption_means_nothing_in_production(client, director):
    password_only_login(client, director)
    assert client.get(reverse("post-list")).status_code == 302
