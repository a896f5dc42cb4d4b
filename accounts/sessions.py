"""How long a sign-in lasts: an idle time-out and an absolute limit, shorter for the
two-factor roles (an approver's unattended browser is an approver's account).

The session remembers when it was signed in and when it was last used; a request past
either limit signs the person out and sends them to sign in again. The session cookie
expires at the absolute limit too, so the browser forgets it as well.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from accounts.two_factor import needs_two_factor

SIGNED_IN_AT = "cadence_signed_in_at"
LAST_SEEN_AT = "cadence_last_seen_at"
# The last-seen time is written at most this often, not on every request.
SEEN_RESOLUTION_SECONDS = 60


def limits(user) -> tuple[int, int]:
    """(absolute, idle) limits in seconds for `user`'s session."""
    if needs_two_factor(user):
        return settings.PRIVILEGED_SESSION_SECONDS, settings.PRIVILEGED_SESSION_IDLE_SECONDS
    return settings.SESSION_COOKIE_AGE, settings.SESSION_IDLE_SECONDS


@receiver(user_logged_in, dispatch_uid="accounts.sessions.start")
def start(sender, request, user, **kwargs) -> None:
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN_AT] = now
    request.session.set_expiry(limits(user)[0])


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            session, now = request.session, int(time.time())
            absolute, idle = limits(user)
            signed_in = session.get(SIGNED_IN_AT, 0)
            seen = session.get(LAST_SEEN_AT, 0)
            if now - signed_in > absolute or now - seen > idle:
                logout(request)
                messages.info(request, _("Your session has ended: please sign in again."))
                return redirect_to_login(request.get_full_path())
            if now - seen >= SEEN_RESOLUTION_SECONDS:
                session[LAST_SEEN_AT] = now
        return self.get_response(request)
