"""The audit trail's seal: an HMAC of each entry's hash with a key held outside the
database.

The SHA-256 chain shows any entry changed, inserted or removed on its own; but someone
who can write the table could recompute every hash from the start and the chain would
look whole again. Each entry therefore also carries `seal` = HMAC-SHA256(key, its hash),
and the key lives in the environment (`CADENCE_AUDIT_KEYS`), never in the database: a
rewritten chain cannot be sealed again without it, and `verify_audit` says so.

Comma-separated keys: the first seals new entries, every one is accepted when verifying
(so a key can be replaced: put the new one first, keep the old one while its entries
stand). Without the variable a development run (DEBUG) derives a key from SECRET_KEY;
production has none and `manage.py check --deploy` says so.

A leaf module: settings and the standard library only.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.core import checks

ENVIRONMENT_VARIABLE = "CADENCE_AUDIT_KEYS"
MINIMUM_KEY_LENGTH = 32


class KeysMissing(Exception):
    """No key to seal with (production without the variable)."""


def configured_keys() -> tuple[bytes, ...]:
    keys = tuple(key.encode() for key in getattr(settings, "CADENCE_AUDIT_KEYS", ()) if key)
    if keys:
        return keys
    if settings.DEBUG and settings.SECRET_KEY:
        digest = hashlib.sha256(b"cadence audit seal\0" + settings.SECRET_KEY.encode())
        return (digest.hexdigest().encode(),)
    return ()


def _mac(key: bytes, entry_hash: str) -> str:
    return hmac.new(key, entry_hash.encode(), hashlib.sha256).hexdigest()


def seal(entry_hash: str) -> str:
    keys = configured_keys()
    if not keys:
        raise KeysMissing(f"{ENVIRONMENT_VARIABLE} is not set: audit entries cannot be sealed.")
    return _mac(keys[0], entry_hash)


def is_sealed(entry_hash: str, entry_seal: str) -> bool:
    """Whether one of the configured keys made `entry_seal` for `entry_hash`."""
    return any(hmac.compare_digest(_mac(key, entry_hash), entry_seal) for key in configured_keys())


@checks.register(checks.Tags.security, deploy=True)
def check_keys(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    keys = getattr(settings, "CADENCE_AUDIT_KEYS", ())
    if not keys:
        if settings.DEBUG:
            return []
        return [
            checks.Error(
                f"{ENVIRONMENT_VARIABLE} is not set: the audit trail cannot be sealed.",
                hint='Set it to a long random secret (python -c "import secrets; '
                'print(secrets.token_urlsafe(48))"), kept outside the database.',
                id="cadence.E003",
            )
        ]
    if any(len(key) < MINIMUM_KEY_LENGTH for key in keys):
        return [
            checks.Error(
                f"{ENVIRONMENT_VARIABLE}: every key must be at least "
                f"{MINIMUM_KEY_LENGTH} characters long.",
                id="cadence.E004",
            )
        ]
    return []
