"""Notices by e-mail, against a real SMTP server on loopback: one message per recipient
who wants it, even when the delivery task runs twice; subject, headers, text and HTML
parts in the recipient's own language, with a link to the application."""

from __future__ import annotations

import pytest

from editorial import workflow as wf
from notifications import tasks
from notifications.models import Choice, Delivery, Kind, Notification, Preferences
from tests.notices import told
from tests.smtp import SMTPServer


@pytest.fixture
def smtp(settings):
    with SMTPServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.EMAIL_USE_TLS = False
        settings.SITE_URL = "https://cadence.example.gouv.fr"
        settings.DEFAULT_FROM_EMAIL = "Cadence <cadence@example.gouv.fr>"
        yield server


@pytest.fixture
def urgent(post_a, cm, head, director, django_capture_on_commit_callbacks):
    """post_a fast-tracked by the community manager: the head reads e-mails in English,
    the director in French."""
    Preferences.objects.create(user=head, language="en")
    Preferences.objects.create(user=director, language="fr")
    told(django_capture_on_commit_callbacks, lambda: wf.fast_track(post_a, cm))
    return post_a


def pending_emails() -> list[int]:
    return list(
        Delivery.objects.filter(channel="email", state="pending").values_list("pk", flat=True)
    )


def test_a_delivery_task_run_twice_sends_each_e_mail_once(smtp, urgent, head, director):
    ids = pending_emails()
    assert len(ids) == 2
    assert tasks.deliver(ids) == {"sent": 2}
    assert tasks.deliver(ids) == {"already": 2}  # the same message delivered again
    assert len(smtp.messages) == 2
    assert [len(smtp.to(head.email)), len(smtp.to(director.email))] == [1, 1]
    assert set(Delivery.objects.filter(pk__in=ids).values_list("state", "attempts")) == {
        ("sent", 1)
    }


def test_the_same_event_received_twice_writes_its_notices_and_deliveries_once(
    urgent, django_capture_on_commit_callbacks
):
    from editorial.events import workflow_action
    from editorial.models import AuditEntry

    entry = AuditEntry.objects.get(action="fast_track", object_id=urgent.pk)
    counts = (Notification.objects.count(), Delivery.objects.count())
    with django_capture_on_commit_callbacks(execute=True):
        workflow_action.send(
            sender=type(urgent),
            instance=urgent,
            actor=entry.actor,
            action="fast_track",
            from_state="draft",
            to_state="pending_approval",
            comment="",
            entry=entry,
        )
    assert (Notification.objects.count(), Delivery.objects.count()) == counts


def test_the_e_mail_says_what_happened_in_english_with_a_link_to_open_it(smtp, urgent, head):
    tasks.deliver(pending_emails())
    [message] = smtp.to(head.email)
    notice = Notification.objects.get(recipient=head)
    assert message["Subject"].strip() == "[Cadence] Urgent hot news awaits your approval"
    assert message["From"] == "Cadence <cadence@example.gouv.fr>"
    assert message["To"] == head.email
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    link = f"https://cadence.example.gouv.fr/notifications/{notice.pk}/open/"
    for part in (text, html):
        assert f"Urgent hot news from cm awaits your approval: “{urgent.title}”." in part
        assert "Approve it, or return it with a comment, as soon as you can." in part
        assert link in part
    assert f'<a href="{link}">Open it in Cadence</a>' in html
    assert '<html lang="en">' in html


def test_the_e_mail_is_in_french_for_a_reader_of_french(smtp, urgent, director):
    tasks.deliver(pending_emails())
    [message] = smtp.to(director.email)
    subject = "[Cadence] Une actualité chaude urgente attend votre validation"
    assert message["Subject"].strip() == subject
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for part in (text, html):
        assert f"Actualité chaude urgente de cm à valider : « {urgent.title} »." in part
        assert "Ouvrir dans Cadence" in part
    assert '<html lang="fr">' in html


def test_a_returned_post_s_e_mail_quotes_the_comment(
    smtp, pending, head, writer_a, django_capture_on_commit_callbacks
):
    told(
        django_capture_on_commit_callbacks,
        lambda: wf.request_changes(pending, head, "Le chiffre <b>est</b> faux."),
    )
    tasks.deliver(pending_emails())
    [message] = smtp.to(writer_a.email)
    assert "Le chiffre <b>est</b> faux." in message.get_body(("plain",)).get_content()
    assert "Le chiffre &lt;b&gt;est&lt;/b&gt; faux." in message.get_body(("html",)).get_content()


@pytest.mark.parametrize("choice", [Choice.IN_APP, Choice.DIGEST])
def test_no_e_mail_for_whoever_chose_the_bell_or_the_digest(
    choice, post_a, cm, head, director, django_capture_on_commit_callbacks
):
    Preferences.objects.create(user=head, choices={Kind.URGENT: choice})
    told(django_capture_on_commit_callbacks, lambda: wf.fast_track(post_a, cm))
    emails = Delivery.objects.filter(channel="email")
    assert [d.notification.recipient for d in emails] == [director]
    # The bell has it all the same.
    assert Notification.objects.filter(recipient=head, kind=Kind.URGENT).exists()


def test_an_unreachable_mail_server_fails_the_delivery_without_losing_the_notice(
    settings, urgent, head
):
    from tests.smtp import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    ids = pending_emails()
    assert tasks.deliver(ids) == {"failed": 2}
    assert tasks.deliver(ids) == {"already": 2}
    failed = Delivery.objects.filter(pk__in=ids).first()
    assert "ConnectionRefusedError" in failed.last_error
    assert Notification.objects.filter(recipient=head, read_at__isnull=True).exists()
