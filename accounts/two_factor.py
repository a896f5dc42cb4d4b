"""Two-factor authentication for the roles whose account is worth stealing.

A head of communication approves, a director signs off, both pause publishing, an
administrator runs the admin: a post published from one of their accounts speaks for
the institution. So for them a password is not enough. Every request they make once
signed in — a page, a forged POST, an htmx call, the admin, the API to come — passes
through `TwoFactorRequiredMiddleware`, which lets it reach a view only once the session
was verified with a one-time code (django-otp's `request.user.is_verified()`); until
then it is sent to enter a code or, the first time, to set up an authenticator app.
Enforcing it on the request rather than in each action means no action, present or
future, can be reached around it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.roles import Role
from accounts.scope import has_role

# Roles that act for the institution: approve, sign off, pause, administer.
TWO_FACTOR_ROLES = (Role.HEAD_OF_COMMUNICATION, Role.DIRECTOR, Role.ADMINISTRATOR)
RECOVERY_CODE_COUNT = 10
AUTHENTICATOR = "authenticator"
RECOVERY_CODES = "recovery codes"


def needs_two_factor(user) -> bool:
    """Whether `user` must verify a one-time code before doing anything signed in."""
    if not user.is_authenticated:
        return False
    if settings.DEBUG and user.get_username() in settings.TWO_FACTOR_EXEMPT_USERNAMES:
        return False
    return user.is_superuser or has_role(user, *TWO_FACTOR_ROLES)


def is_enrolled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_authenticator(user) -> TOTPDevice:
    """The authenticator being set up: unconfirmed until the person enters its first
    code. The same one on every visit, so a reload does not change the QR code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)


@transaction.atomic
def confirm_authenticator(device: TOTPDevice) -> list[str]:
    """Make `device` the person's one authenticator and give them new recovery codes."""
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return new_recovery_codes(device.user)


@transaction.atomic
def new_recovery_codes(user) -> list[str]:
    """Replace the person's recovery codes: each works once, in place of a code."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_CODES)
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user).count()


@transaction.atomic
def remove_devices(user) -> bool:
    """Forget the person's authenticator and recovery codes (a lost phone): they set up
    a new one at their next request. Whether there was anything to remove."""
    had = user_has_device(user, confirmed=None)
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    return had


# Where an unverified person may still go: the two-factor pages themselves, signing
# out, the language switch and password reset.
OPEN_URL_NAMES = (
    "two-factor-verify",
    "two-factor-setup",
    "logout",
    "set_language",
)


def is_open(path: str) -> bool:
    # reverse("password_reset") is the prefix of every page of the reset.
    return path in {reverse(name) for name in OPEN_URL_NAMES} or path.startswith(
        reverse("password_reset")
    )


class TwoFactorRequiredMiddleware:
    """Sends a person of the two-factor roles whose session is not verified to verify
    (or to set up their authenticator, the first time), whatever they asked for."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if needs_two_factor(user) and not user.is_verified() and not is_open(request.path):
            return _to_verification(request)
        return self.get_response(request)


def _to_verification(request: HttpRequest) -> HttpResponse:
    name = "two-factor-verify" if is_enrolled(request.user) else "two-factor-setup"
    back = request.get_full_path() if request.method == "GET" else ""
    url = reverse(name) + (f"?{urlencode({'next': back})}" if back else "")
    if request.headers.get("HX-Request") == "true":  # (django-htmx's middleware runs later)
        # An htmx call would swap the code form into a fragment: load the page instead.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)
