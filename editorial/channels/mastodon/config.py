"""A Mastodon channel needs its instance's address (a setting) and an access token (a
credential: encrypted, write-only). The token is made on the instance by the account's
owner (Preferences → Development → New application, scopes `write:statuses
write:media read:accounts`); docs/channels.md says how."""

from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from editorial.channels.base import ChannelConfig

# Kept on the channel by Test connection, read from the instance: they belong to it.
INSTANCE_CACHE = ("max_characters", "max_media_attachments", "characters_reserved_per_url")
# Plain HTTP only on this machine (a test instance); a token never crosses a network
# in clear.
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


class MastodonConfig(ChannelConfig):
    settings_fields = frozenset({"instance_url"})
    credential_fields = frozenset({"access_token"})

    instance_url = forms.URLField(
        label=_("Mastodon instance"),
        max_length=200,
        assume_scheme="https",
        help_text=_("The address of the account's instance, e.g. https://social.example."),
        error_messages={"required": _("A Mastodon channel needs its instance's address.")},
    )
    access_token = forms.CharField(
        label=_("Access token"),
        max_length=500,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_(
            "Or, instead of Connect with Mastodon: from the instance, Preferences, "
            "Development, your application's access token (scopes write:statuses "
            "write:media read:accounts). Write-only: it is never shown. Leave empty to "
            "keep the current one."
        ),
        error_messages={"required": _("A Mastodon channel needs an access token.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The token may come from Connect with Mastodon once the channel is saved: the
        # form does not demand it (`missing` still does, so a channel without one is not
        # connected and no post can aim at it).
        self.fields["access_token"].required = False

    def clean_instance_url(self) -> str:
        url = self.cleaned_data["instance_url"]
        parts = urlsplit(url)
        if parts.scheme != "https" and parts.hostname not in LOCAL_HOSTS:
            raise ValidationError(_("The instance's address must start with https://."))
        if parts.path.strip("/") or parts.query:
            raise ValidationError(
                _("Give the instance's address only, e.g. https://social.example.")
            )
        return f"{parts.scheme}://{parts.netloc}"

    def apply(self, channel) -> None:
        before = (channel.settings or {}).get("instance_url")
        super().apply(channel)
        if channel.settings.get("instance_url") != before:
            # Another instance, other limits: read again at the next Test connection.
            channel.settings = {
                k: v for k, v in channel.settings.items() if k not in INSTANCE_CACHE
            }
