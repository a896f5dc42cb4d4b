"""A notice as an e-mail: a subject / text / HTML template trio, in the recipient's
language and time zone, with a link back to the application.

Each kind may have its own trio (`notifications/email/<kind>_subject.txt`, `…_body.txt`,
`…_body.html`); otherwise the shared `notice_*` one says it.
"""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import select_template
from django.urls import reverse
from django.utils import timezone, translation

from notifications import digest, messages
from notifications.models import Kind, Notification, Preferences


def language_of(user) -> str:
    """The language the person reads their e-mails in (their preferences; French, as
    the institutions expect, until they choose)."""
    try:
        return user.notification_preferences.language
    except Preferences.DoesNotExist:
        return settings.LANGUAGE_CODE


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _render(kind: str, part: str, context: dict) -> str:
    template = select_template(
        [f"notifications/email/{kind}_{part}", f"notifications/email/notice_{part}"]
    )
    return template.render(context)


def build(notification: Notification) -> EmailMultiAlternatives:
    recipient = notification.recipient
    with (
        translation.override(language_of(recipient)),
        timezone.override(zoneinfo.ZoneInfo(recipient.time_zone or settings.TIME_ZONE)),
    ):
        context = {
            "notification": notification,
            "recipient": recipient,
            "headline": messages.headline(notification.message, notification.params),
            "what_to_do": messages.what_to_do(notification.message),
            "comment": notification.params.get("comment", ""),
            "url": absolute_url(reverse("notification-open", args=[notification.pk])),
            "preferences_url": absolute_url(reverse("notification-preferences")),
            "when": timezone.localtime(notification.created_at),
            "site": settings.SITE_URL.rstrip("/"),
        }
        if notification.kind == Kind.DIGEST:
            context.update(digest.content(notification))
        subject = " ".join(_render(notification.kind, "subject.txt", context).split())
        text = _render(notification.kind, "body.txt", context)
        html = _render(notification.kind, "body.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers={"Auto-Submitted": "auto-generated", "X-Cadence-Notification": notification.key},
    )
    message.attach_alternative(html, "text/html")
    return message
