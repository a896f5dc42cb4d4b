"""The header's bell: how many notices the person has not read."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from notifications.models import Notification


def unread_count(user) -> int:
    """One query over the unread notices' own index, whatever their number."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def bell(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy: a page that does not render the header (a fragment) costs no query.
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
