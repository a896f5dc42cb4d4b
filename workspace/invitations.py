"""The invitation e-mail: a one-time link to set one's password, made with Django's
password-reset tokens. The token is bound to the account's password hash, so setting
a password (or being invited again, or deactivated) voids every link sent before."""

from __future__ import annotations

from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User


def invitation_link(request, person: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    token = default_token_generator.make_token(person)
    return request.build_absolute_uri(reverse("workspace-invitation", args=[uid, token]))


def send_invitation(request, person: User) -> None:
    """Send the link through the configured EMAIL_BACKEND. Raises what the backend
    raises (OSError, SMTPException): the caller tells the inviter it failed."""
    context = {
        "person": person,
        "inviter": request.user,
        "link": invitation_link(request, person),
    }
    subject = render_to_string("workspace/email/invitation_subject.txt", context)
    body = render_to_string("workspace/email/invitation.txt", context)
    send_mail(" ".join(subject.split()), body, None, [person.email])
