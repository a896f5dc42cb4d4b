"""Password reset by e-mail: the same answer for any address, a link that works once,
the password validators, the lock-out lifted, and the second factor still asked."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from editorial.audit import entries_for

pytestmark = pytest.mark.django_db

NEW = "Un nouveau mot de passe 2030"


def link_in(message) -> str:
    return re.search(r"https?://testserver(/password-reset/\S+/\S+/)", message.body).group(1)


def ask(client, email):
    return client.post(reverse("password_reset"), {"email": email})


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, head):
    response = ask(client, "nobody@example.org")
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_the_link_sets_a_new_password_once(client, cm):
    assert ask(client, cm.email)["Location"] == reverse("password_reset_done")
    link = link_in(mail.outbox[0])
    form = client.get(link, follow=True)
    assert form.status_code == 200 and b"new_password1" in form.content
    target = form.redirect_chain[-1][0]

    done = client.post(target, {"new_password1": NEW, "new_password2": NEW})

    assert done["Location"] == reverse("password_reset_complete")
    cm.refresh_from_db()
    assert cm.check_password(NEW)
    assert entries_for(cm).filter(action="password_reset").exists()
    again = client.get(link, follow=True)
    assert b"no longer valid" in again.content


def test_a_weak_password_is_refused(client, cm):
    ask(client, cm.email)
    target = client.get(link_in(mail.outbox[0]), follow=True).redirect_chain[-1][0]
    response = client.post(target, {"new_password1": "short", "new_password2": "short"})
    assert response.status_code == 200
    cm.refresh_from_db()
    assert cm.check_password("demo")


def test_a_reset_lifts_the_lock_out_but_not_the_second_factor(client, head):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "head", "password": "guess"})
    ask(client, head.email)
    target = client.get(link_in(mail.outbox[0]), follow=True).redirect_chain[-1][0]
    client.post(target, {"new_password1": NEW, "new_password2": NEW})

    signed_in = client.post(reverse("login"), {"username": "head", "password": NEW})

    assert signed_in.status_code == 302
    page = client.get(reverse("post-list"))
    assert page["Location"].startswith(reverse("two-factor-setup"))


def test_the_e_mail_is_in_french_by_default(client, cm, settings):
    settings.LANGUAGE_CODE = "fr"
    ask(client, cm.email)
    assert "mot de passe" in mail.outbox[0].subject
