"""Helpers for the notification tests: run an action as a request would (its signal
sent once it commits) and read who was told of it."""

from __future__ import annotations

from notifications.models import Notification


def told(capture, action) -> set[tuple[str, str]]:
    """Run `action` with its after-commit work done (the signal, the notices, their
    task), and return the new notices as (recipient's username, kind)."""
    before = set(Notification.objects.values_list("pk", flat=True))
    with capture(execute=True):
        action()
    return {
        (n.recipient.username, n.kind)
        for n in Notification.objects.exclude(pk__in=before).select_related("recipient")
    }
