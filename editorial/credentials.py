"""Channel credentials at rest: a Fernet token of a JSON dict, in `Channel`'s
`encrypted_credentials` column.

The keys come from `CADENCE_CREDENTIALS_KEYS` (comma-separated Fernet keys): the first
encrypts, every one decrypts (`MultiFernet`), so a new key is put first, then
`manage.py rotate_channel_keys` re-encrypts every channel with it, then the old key can
go. Without the variable, a development run (DEBUG) uses a key derived from SECRET_KEY;
production has none, and says so (`manage.py check --deploy`, and the channel that
needs its secret).

A leaf module (settings and `cryptography` only): the models read through it, and so
may anything else. Nothing here ever puts a secret or a key in an error message.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core import checks
from django.utils.translation import gettext as _

ENVIRONMENT_VARIABLE = "CADENCE_CREDENTIALS_KEYS"


class KeysMissing(Exception):
    """No key to encrypt or decrypt with (production without the variable)."""


class CredentialsUnreadable(Exception):
    """A channel's stored credentials cannot be decrypted: written with a key that is no
    longer configured, no key at all, or damaged. Says which channel, never the secret."""

    def __init__(self, channel, *, no_key: bool = False):
        self.channel = channel
        self.no_key = no_key
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.no_key:
            return _(
                "The credentials of %(channel)s cannot be read: no encryption key is "
                "configured (%(variable)s)."
            ) % {"channel": self.channel, "variable": ENVIRONMENT_VARIABLE}
        return _(
            "The credentials of %(channel)s cannot be read with the configured keys "
            "(%(variable)s): enter them again, or restore the key they were written with."
        ) % {"channel": self.channel, "variable": ENVIRONMENT_VARIABLE}


def development_key(secret_key: str) -> bytes:
    """A Fernet key derived from SECRET_KEY: for a development run only."""
    digest = hashlib.sha256(b"cadence channel credentials\0" + secret_key.encode()).digest()
    return base64.urlsafe_b64encode(digest)


def configured_keys() -> tuple[bytes, ...]:
    keys = tuple(key.encode() for key in getattr(settings, "CADENCE_CREDENTIALS_KEYS", ()))
    if keys:
        return keys
    if settings.DEBUG and settings.SECRET_KEY:
        return (development_key(settings.SECRET_KEY),)
    return ()


@functools.lru_cache(maxsize=4)
def _fernet(keys: tuple[bytes, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def fernet() -> MultiFernet:
    """Read the settings each time (tests and rotation change them), build once per
    set of keys. A malformed key raises ValueError naming its position, not its value."""
    keys = configured_keys()
    if not keys:
        raise KeysMissing
    for position, key in enumerate(keys, 1):
        try:
            Fernet(key)
        except ValueError:
            raise ValueError(
                f"{ENVIRONMENT_VARIABLE}: key {position} is not a Fernet key "
                "(32 url-safe base64-encoded bytes)."
            ) from None
    return _fernet(keys)


def encrypt(data: dict) -> str:
    return fernet().encrypt(json.dumps(data, sort_keys=True).encode()).decode()


def decrypt(token: str) -> dict:
    """Raises `InvalidToken` (no key fits) or `KeysMissing`."""
    data = json.loads(fernet().decrypt(token.encode()))
    if not isinstance(data, dict):
        raise InvalidToken
    return data


def rotate(token: str) -> str:
    """The same secret, encrypted with the first key. Raises as `decrypt`."""
    return fernet().rotate(token.encode()).decode()


@checks.register(checks.Tags.security, deploy=True)
def check_keys(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """`manage.py check --deploy`: production has its own keys, and they are keys."""
    if not getattr(settings, "CADENCE_CREDENTIALS_KEYS", ()):
        if settings.DEBUG:
            return []
        return [
            checks.Error(
                f"{ENVIRONMENT_VARIABLE} is not set: channel credentials cannot be "
                "encrypted or read.",
                hint="Set it to one or more comma-separated Fernet keys "
                '(python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())").',
                id="cadence.E001",
            )
        ]
    try:
        fernet()
    except ValueError as exc:
        return [checks.Error(str(exc), id="cadence.E002")]
    return []
