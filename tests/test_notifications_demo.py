"""`make run`: the demo, made through the workflow, leaves notifications waiting, told by
the same receivers as any action (no demo code writes a notice)."""

from io import StringIO

import pytest
from django.core.management import call_command

from notifications.models import Notification


@pytest.mark.django_db
def test_the_demo_users_find_notifications_waiting(settings, django_capture_on_commit_callbacks):
    settings.DEBUG = True
    # The seeding commits once at its end, as `make run` does: the signals go then.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=StringIO())
    unread = {
        (n.recipient.username, n.kind)
        for n in Notification.objects.filter(read_at__isnull=True).select_related("recipient")
    }
    people = {username for username, _kind in unread}
    assert {"cm", "head", "director", "contrib67", "contrib13"} <= people
    assert {
        ("head", "urgent"),
        ("head", "plan_submitted"),
        ("director", "awaits_signoff"),
    } <= unread
    assert {("cm", "failed"), ("cm", "unknown"), ("contrib13", "submission_returned")} <= unread
    assert "admin" not in people
    # Told by the scheduler's rules of the time: a post due in minutes, unapproved, and
    # the overdue submission's missed slot.
    assert {
        ("head", "reminder"),
        ("director", "escalation"),
        ("cm", "missed_slot"),
        ("contrib13", "missed_slot"),
    } <= unread
