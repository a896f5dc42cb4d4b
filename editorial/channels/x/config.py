"""What an X channel keeps. Connected by OAuth 2.0 (the channel page's Connect button):
the access and refresh tokens in the encrypted credentials, the token's expiry in
`Channel.token_expires_at`, and, in `Channel.settings`, who the token posts as: the
account's `user_id` (to read its posts back) and `username` (the address of each
post). Nobody types those: the connect flow writes them, and Test connection learns
them again.

An access token may also be pasted (one made in the X developer portal for the app's
own account, for a trial): both token fields are optional in the form, so a channel
can be saved before it is connected, and `missing` still says it is not connected
until it has an access token."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from editorial.channels.base import ChannelConfig

# Learned from X (the connect flow, Test connection): they belong to the token's account.
ACCOUNT_SETTINGS = ("user_id", "username")


def _secret(label, help_text) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=2000,
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=help_text,
    )


class XConfig(ChannelConfig):
    credential_fields = frozenset({"access_token", "refresh_token"})

    access_token = _secret(
        _("Access token"),
        _(
            "Filled in by Connect (X's authorisation page): leave empty. Paste one only "
            "to try an account without the connect flow. Write-only: it is never shown."
        ),
    )
    refresh_token = _secret(
        _("Refresh token"),
        _("Filled in by Connect: leave empty. Write-only: it is never shown."),
    )

    @classmethod
    def missing(cls, channel) -> list[str]:
        return [] if cls.has_secret(channel, "access_token") else ["access_token"]

    def apply(self, channel) -> None:
        pasted = bool(self.cleaned_data.get("access_token"))
        super().apply(channel)
        if pasted:
            # Another token, perhaps another account, with an expiry nobody knows: what
            # was learned from the previous one goes (Test connection learns it again).
            channel.token_expires_at = None
            channel.settings = {
                k: v for k, v in (channel.settings or {}).items() if k not in ACCOUNT_SETTINGS
            }
