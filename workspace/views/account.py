"""My account, for everyone signed in: one's own time zone and password; and the page
an invited person lands on to choose their password, which activates their account."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import path, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from workspace.forms import TimeZoneForm
from workspace.views.common import context, invalid, page

ACCOUNT = "workspace/account/account.html"
CURRENT = "account"


@login_required
@require_http_methods(["GET", "POST"])
def account(request):
    data = request.POST if request.method == "POST" else None
    form = TimeZoneForm(data, instance=request.user)
    if request.method == "GET":
        return page(request, ACCOUNT, CURRENT, form=form)
    if not form.is_valid():
        return invalid(request, ACCOUNT, CURRENT, form=form)
    form.save()
    messages.success(
        request, _("Times are now shown in %(zone)s.") % {"zone": request.user.time_zone}
    )
    return redirect("workspace-account")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's own view (old password checked, validators applied, session kept)."""

    template_name = "workspace/account/password.html"
    success_url = reverse_lazy("workspace-account")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **context(self.request, CURRENT)}

    def form_valid(self, form):
        messages.success(self.request, _("Your password is changed."))
        return super().form_valid(form)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class AcceptInvitationView(auth_views.PasswordResetConfirmView):
    """The invitation link: choose a password, and the account is active and signed in.
    Only for an account still waiting: the link of an active account is no link."""

    template_name = "workspace/account/invitation.html"
    success_url = reverse_lazy("home")
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        return None if user is None or user.is_active else user

    def form_valid(self, form):
        form.user.is_active = True
        response = super().form_valid(form)
        messages.success(self.request, _("Welcome to Cadence: your password is set."))
        return response

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


urlpatterns = [
    path("account/", account, name="workspace-account"),
    path("account/password/", PasswordChangeView.as_view(), name="workspace-password"),
    path(
        "invitation/<uidb64>/<token>/",
        AcceptInvitationView.as_view(),
        name="workspace-invitation",
    ),
]
