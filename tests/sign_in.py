"""Signing in as the tests do: a person of the two-factor roles with an authenticator,
the code it shows now, and a session signed in with the password alone."""

from __future__ import annotations

import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD_ONLY_BACKEND = "django.contrib.auth.backends.ModelBackend"


def enrol(user) -> TOTPDevice:
    """The person's confirmed authenticator (made the first time)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def code_for(device: TOTPDevice) -> str:
    """A code the device accepts now: the current one, or the next if the current one
    was used already (a code works once)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    step = max(totp.t(), device.last_t + 1)
    totp.time = device.t0 + step * device.step
    return f"{totp.token():0{device.digits}d}"


def password_only_login(client, user) -> None:
    """Signed in, the second factor not given: what a stolen password alone gets."""
    user.backend = PASSWORD_ONLY_BACKEND
    client._login(user, PASSWORD_ONLY_BACKEND)
