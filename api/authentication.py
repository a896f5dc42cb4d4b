"""Who calls the API: a personal token (`Authorization: Bearer cad_…`) for scripts, or
the browser's own session (DRF's SessionAuthentication, settings.REST_FRAMEWORK), which
checks CSRF on every unsafe method as the pages do; the two-factor middleware has sent
an unverified approver's session elsewhere before a request gets that far."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from api.tokens import SCHEME, find_token, note_use


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None  # not ours: the session may still say who it is
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("The Authorization header is malformed."))
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("This token is not valid.")) from None
        if not raw.startswith(SCHEME):
            return None
        token = find_token(raw)
        if token is None:
            raise exceptions.AuthenticationFailed(_("This token is not valid or was revoked."))
        note_use(token)
        return token.user, token

    def authenticate_header(self, request) -> str:
        # A 401 (not a 403) for a request without credentials: it says how to give them.
        return self.keyword


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.TokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": str(
                _("A personal token (cad_…), created on the account page; shown once.")
            ),
        }
