"""Creating, finding and revoking personal API tokens; each creation and revocation is in
the audit trail (never the secret).

A token reads `cad_<prefix>_<secret>`: the prefix (8 characters) finds the row, the
secret's SHA-256 is compared in constant time. A person of the two-factor roles (head,
director, administrator) can only make one from a session verified with a one-time code
— the two-factor middleware sees to that on every page, and `create_token` checks it
again — and a token never approves for them: see `SESSION_ONLY_ACTIONS`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.two_factor import needs_two_factor
from api.models import ApiToken
from editorial import audit
from editorial.workflow.core import refusal_audited
from editorial.workflow.errors import ActionNotAllowed, InvalidInput

SCHEME = "cad_"
PREFIX_LENGTH = 8
NAME_MAX = 100
# At most this many live tokens a person: each is a door to their account.
TOKENS_MAX = 10
# What a token may not do for a person of the two-factor roles, whatever their role
# lets them do on the pages: approving, signing off, releasing a held post and lifting
# a sensitivity flag speak for the institution, and need a person who has just given a
# one-time code (a verified session), not a secret sitting in a script.
SESSION_ONLY_ACTIONS = frozenset(
    {"approve", "sign_off", "confirm_held", "lift_sensitivity", "approve_plan"}
)
# last_used_at is written at most this often, not on every request.
USE_RESOLUTION_SECONDS = 60


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user, name: str, *, verified: bool) -> tuple[ApiToken, str]:
    """A new token for `user` and its raw value, to show once. `verified`: the session
    that asks was verified with a one-time code."""
    name = " ".join(name.split())
    if not name:
        raise InvalidInput(_("Give the token a name, such as the tool that will use it."))
    if len(name) > NAME_MAX:
        raise InvalidInput(_("A token's name is at most %(n)d characters.") % {"n": NAME_MAX})
    if needs_two_factor(user) and not verified:
        raise ActionNotAllowed(
            _("Verify your sign-in with a one-time code before creating a token.")
        )
    if ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() >= TOKENS_MAX:
        raise InvalidInput(
            _("You have %(n)d tokens already: revoke one you no longer use first.")
            % {"n": TOKENS_MAX}
        )
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=prefix,
            hashed_secret=hash_secret(secret),
            two_factor_verified=verified,
        )
        audit.record(
            actor=user,
            action="api_token_created",
            obj=token,
            data={"name": name, "prefix": prefix},
        )
    return token, f"{SCHEME}{prefix}_{secret}"


def revoke_token(token: ApiToken, user) -> None:
    """Revoke one of `user`'s own tokens (another's is not there: the caller looks it up
    among the user's)."""
    if token.user_id != user.pk:
        raise ActionNotAllowed(_("This token is not yours."))
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if updated:
            audit.record(
                actor=user,
                action="api_token_revoked",
                obj=token,
                data={"name": token.name, "prefix": token.prefix},
            )


def find_token(raw: str) -> ApiToken | None:
    """The live token `raw` is, or None (unknown, malformed, revoked, user inactive)."""
    if not raw.startswith(SCHEME):
        return None
    prefix, sep, secret = raw[len(SCHEME) :].partition("_")
    if not sep or len(prefix) != PREFIX_LENGTH or not secret:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(prefix=prefix, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None or not hmac.compare_digest(token.hashed_secret, hash_secret(secret)):
        return None
    if needs_two_factor(token.user) and not token.two_factor_verified:
        # Made before the person's role asked for a second factor: not good enough now.
        return None
    return token


def note_use(token: ApiToken) -> None:
    now = timezone.now()
    last = token.last_used_at
    if last is None or (now - last).total_seconds() >= USE_RESOLUTION_SECONDS:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def refuse_by_token(request, action: str, obj) -> None:
    """Refuse `action` (403) when it came with a token of a person of the two-factor
    roles; the refusal goes in the audit trail as the workflow records a refused
    approval (`refusal_audited`)."""
    if action not in SESSION_ONLY_ACTIONS or not isinstance(request.auth, ApiToken):
        return
    if not needs_two_factor(request.user):
        return
    reason = _(
        "Approvals are not taken through a token: open the page, signed in with your "
        "one-time code, to approve."
    )
    with refusal_audited(obj, request.user, action):
        raise ActionNotAllowed(reason)
