"""The Django admin is the administrators' tool; the team works in the pages.

`is_staff` alone does not open it: a flag set by hand, or left from the time every role
worked in the admin, would hand its workflow actions to someone whose role does not
include administration.
"""

from __future__ import annotations

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest

from accounts.roles import Role


def is_administrator(user) -> bool:
    """Whether `user` administers Cadence: the administrator role, or a superuser."""
    from accounts.scope import has_role  # this module loads with the app registry

    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or has_role(user, Role.ADMINISTRATOR))
    )


class CadenceAdminSite(AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        # The two-factor middleware already stops an unverified administrator; the admin
        # checks again, so that it stays closed if the middleware is ever left out.
        from accounts.two_factor import needs_two_factor

        user = request.user
        verified = not needs_two_factor(user) or user.is_verified()
        return super().has_permission(request) and is_administrator(user) and verified

    def login(self, request: HttpRequest, extra_context=None):
        """No login form of the admin's own: the product's, with its lock-out and its
        second factor, is the only way in."""
        from accounts.views import admin_login

        return admin_login(request, extra_context)


class CadenceAdminConfig(AdminConfig):
    """Django's admin app, serving the site above (named in INSTALLED_APPS)."""

    default_site = "accounts.admin_site.CadenceAdminSite"
