"""Sign-ins, failed sign-ins, lock-outs and two-factor changes in the audit trail.

Each entry is about the account (`obj` is the user); a failed sign-in for a username
that matches no account is filed under django-axes' record of the attempts on that
username, so that it is kept too. The entries never hold a password or a code.
"""

from __future__ import annotations

from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import transaction
from django.dispatch import receiver

from accounts.models import User


def record(*, actor, action: str, obj, request=None, data: dict | None = None) -> None:
    from editorial import audit  # the trail lives with the workflow, above accounts

    details = {**(data or {})}
    if request is not None:
        details["ip"] = request.META.get("REMOTE_ADDR", "")
    with transaction.atomic():
        audit.record(actor=actor, action=action, obj=obj, data=details)


def _subject(username: str):
    """The account a username names, or the lock-out's record of it."""
    user = User.objects.filter(username=username).first()
    return user or AccessAttempt.objects.filter(username=username).order_by("-pk").first()


@receiver(user_logged_in, dispatch_uid="accounts.security_audit.logged_in")
def logged_in(sender, request, user, **kwargs) -> None:
    record(actor=user, action="login", obj=user, request=request)


@receiver(user_login_failed, dispatch_uid="accounts.security_audit.login_failed")
def login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username") or "")[:150]
    subject = _subject(username) if username else None
    if subject is None:
        return  # nothing to file it under (no username, or axes did not record it)
    locked = bool(getattr(request, "axes_locked_out", False))
    data = {"username": username, "locked_out": locked}
    record(actor=None, action="login_failed", obj=subject, request=request, data=data)


@receiver(user_locked_out, dispatch_uid="accounts.security_audit.locked_out")
def locked_out(sender, request, username, ip_address, **kwargs) -> None:
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is not None and failures != settings.AXES_FAILURE_LIMIT:
        return  # an attempt during the lock-out: its failure is recorded, not a new lock-out
    subject = _subject(username or "")
    if subject is not None:
        data = {"username": username, "failures": failures}
        record(actor=None, action="locked_out", obj=subject, request=request, data=data)


def two_factor_changed(request, user, action: str, **data) -> None:
    """A change to a person's second factor, by them or by an administrator."""
    record(actor=request.user, action=action, obj=user, request=request, data=data)
