"""Creating and revoking subscriptions: one transaction and one audit entry each.

The secret goes back to the caller once, to be shown once; the audit entry names the
subscription and its filters, never the secret.
"""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from calendar_feeds.models import CalendarFeed, hash_secret
from editorial import audit
from editorial.workflow.errors import ActionNotAllowed, InvalidInput

NAME_MAX = 80
# A person rarely needs more than one per device; the bound keeps the list a page.
FEEDS_MAX = 20


def create_feed(user, name: str, filters: dict, summary: str = "") -> tuple[CalendarFeed, str]:
    """A new subscription of `user`, and its secret (shown once, never stored)."""
    if not (user.is_authenticated and user.is_active):
        raise ActionNotAllowed(_("Sign in to subscribe to the calendar."))
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("Give the subscription a name, such as the device it is for."))
    if len(name) > NAME_MAX:
        raise InvalidInput(
            _("The name is too long: %(max)s characters at most.") % {"max": NAME_MAX}
        )
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        active = CalendarFeed.objects.select_for_update().filter(user=user, revoked_at=None)
        if active.count() >= FEEDS_MAX:
            raise InvalidInput(
                _("You have %(max)s subscriptions: revoke one you no longer use first.")
                % {"max": FEEDS_MAX}
            )
        feed = CalendarFeed.objects.create(
            user=user,
            name=name,
            filters=filters,
            summary=summary,
            secret_hash=hash_secret(secret),
        )
        audit.record(
            actor=user,
            action="create_calendar_feed",
            obj=feed,
            data={"name": name, "filters": filters},
        )
    return feed, secret


def revoke_feed(feed: CalendarFeed, user) -> None:
    """Stop the subscription: its URL answers 404 from now on."""
    if feed.user_id != user.pk:
        raise ActionNotAllowed(_("This subscription is not yours."))
    with transaction.atomic():
        locked = CalendarFeed.objects.select_for_update().get(pk=feed.pk)
        if locked.revoked_at is not None:
            return
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit.record(
            actor=user, action="revoke_calendar_feed", obj=locked, data={"name": locked.name}
        )
    feed.revoked_at = locked.revoked_at


def feed_for_secret(secret: str) -> CalendarFeed | None:
    """The live subscription behind a URL's secret, with its owner; None otherwise."""
    if not secret or len(secret) > 100:
        return None
    return (
        CalendarFeed.objects.select_related("user")
        .filter(secret_hash=hash_secret(secret), revoked_at=None, user__is_active=True)
        .first()
    )
