"""Deliveries whose task was lost (the broker was down when they were written) are sent
again by the scheduler's sweep, once their lease has passed, and only once."""

import datetime

import pytest
from django.utils import timezone

from editorial import workflow as wf
from notifications import sweep, tasks
from notifications.models import Delivery
from tests.notices import told


@pytest.fixture
def lost(post_a, cm, head, director, django_capture_on_commit_callbacks, monkeypatch):
    """post_a fast-tracked while the broker was down: two e-mails written, no task."""

    def down(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(tasks.deliver, "delay", down)
    told(django_capture_on_commit_callbacks, lambda: wf.fast_track(post_a, cm))
    monkeypatch.undo()
    return list(Delivery.objects.filter(channel="email", state="pending"))


def test_a_lost_delivery_is_sent_again_once_its_lease_has_passed(
    lost, settings, mailoutbox, monkeypatch
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert len(lost) == 2
    assert sweep.resend_lost() == 0  # too soon: its task may still be on its way
    sent = []
    monkeypatch.setattr(tasks.deliver, "delay", lambda ids: sent.append(tasks.deliver(ids)))
    later = timezone.now() + datetime.timedelta(seconds=settings.NOTIFICATION_LEASE_SECONDS + 1)
    assert sweep.resend_lost(later) == 2
    assert sent == [{"sent": 2}]
    assert sweep.resend_lost(later) == 0
    assert len(mailoutbox) == 2
