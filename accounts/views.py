"""Signing in: the login page (the admin's too), two-factor verification and setup,
recovery codes, password reset by e-mail.

The login page is Django's, behind django-axes (its authentication backend refuses a
locked-out username before the password is checked, its middleware answers the
lock-out page). The admin has no login form of its own: it sends people here, so
neither lock-out nor two-factor can be gone around through /admin/login/.
"""

from __future__ import annotations

from base64 import b32encode

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.security_audit import record, two_factor_changed


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split()).lower()


def admin_login(request: HttpRequest, extra_context=None) -> HttpResponse:
    """The admin's login: the product's, which locks out and asks for the second factor.
    Someone signed in whom the admin refuses is not asked to sign in again (the login
    page would send them straight back): the admin is not theirs."""
    if request.user.is_authenticated:
        raise PermissionDenied(_("The admin is for administrators."))
    return redirect_to_login(request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index"))


def _next(request: HttpRequest, default: str = "home") -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if safe else default


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Enter a code from the authenticator app, or a recovery code."""
    user = request.user
    if not two_factor.is_enrolled(user):
        return redirect("two-factor-setup")
    if user.is_verified():
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = _matching_device(user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                left = two_factor.recovery_codes_left(user)
                two_factor_changed(request, user, "recovery_code_used", codes_left=left)
                messages.warning(
                    request,
                    _("You used a recovery code: %(left)s left. Make new ones if needed.")
                    % {"left": left},
                )
            return redirect(_next(request))
        two_factor_changed(request, user, "two_factor_failed")
        form.add_error("code", _("This code is not valid (or was already used). Try again."))
    status = 400 if form.errors else 200
    context = {"form": form, "next": _next(request, "")}
    return render(request, "registration/two_factor_verify.html", context, status=status)


def _matching_device(user, code: str):
    """The device that accepts `code`: a six-digit code is the authenticator's, anything
    else a recovery code. Each device counts its failures and slows guessing down."""
    model = TOTPDevice if code.isdigit() else StaticDevice
    device = model.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return None
    return verify_token(user, device.persistent_id, code)


@login_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the code, enter the first code it shows. A
    person already enrolled must verify first (replacing the authenticator is a change
    of their second factor, not a way around it)."""
    user = request.user
    if two_factor.is_enrolled(user) and not user.is_verified():
        return redirect("two-factor-verify")
    device = two_factor.pending_authenticator(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        if code.isdigit() and device.verify_token(code):
            replaced = two_factor.is_enrolled(user)
            codes = two_factor.confirm_authenticator(device)
            otp_login(request, device)
            two_factor_changed(request, user, "two_factor_enabled", replaced=replaced)
            return _show_codes(request, codes, first=True)
        form.add_error("code", _("This code is not the one the app shows. Try again."))
    qr = segno.make(device.config_url, error="m")
    context = {
        "form": form,
        "next": _next(request, ""),
        # segno writes the SVG itself and escapes the title: nothing a user typed is in it.
        "qr_svg": mark_safe(qr.svg_inline(scale=5, title=_("QR code to scan"))),
        "secret": _grouped(device),
        "replacing": two_factor.is_enrolled(user),
    }
    status = 400 if form.errors else 200
    return render(request, "registration/two_factor_setup.html", context, status=status)


def _grouped(device: TOTPDevice) -> str:
    """The key as typed into an app by hand: base32, in groups of four."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """How many recovery codes are left; POST makes new ones (the old ones stop working)."""
    user = request.user
    if not two_factor.is_enrolled(user):
        return redirect("two-factor-setup")
    if request.method == "POST":
        codes = two_factor.new_recovery_codes(user)
        two_factor_changed(request, user, "recovery_codes_renewed")
        return _show_codes(request, codes, first=False)
    context = {"left": two_factor.recovery_codes_left(user)}
    return render(request, "registration/two_factor_status.html", context)


def _show_codes(request: HttpRequest, codes: list[str], *, first: bool) -> HttpResponse:
    context = {"codes": codes, "first": first, "next": _next(request, "")}
    return render(request, "registration/recovery_codes.html", context)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's: the same answer whether or not the address has an account."""

    template_name = "registration/password_reset.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The link's page: a new password (validators applied); the lock-out of that
    username is lifted, since whoever holds the mailbox is the account's owner. The
    second factor is still asked at the next sign-in."""

    template_name = "registration/password_reset_confirm.html"

    def form_valid(self, form):
        from axes.utils import reset

        response = super().form_valid(form)
        reset(username=form.user.get_username())
        record(actor=form.user, action="password_reset", obj=form.user, request=self.request)
        return response
