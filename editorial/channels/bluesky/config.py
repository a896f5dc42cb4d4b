"""A Bluesky channel needs the account's handle (the channel's own `handle`), its PDS
(bsky.social unless the account lives elsewhere: `settings["service_url"]`) and an app
password (`credentials["app_password"]`, encrypted), created in the Bluesky app under
Settings → Privacy and security → App passwords: never the account's own password."""

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from editorial.channels.base import ChannelConfig

DEFAULT_SERVICE = "https://bsky.social"


class BlueskyConfig(ChannelConfig):
    settings_fields = frozenset({"service_url"})
    credential_fields = frozenset({"app_password"})

    service_url = forms.URLField(
        label=_("Bluesky server (PDS)"),
        required=False,
        max_length=200,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("Leave empty for bsky.social; fill it in for an account hosted elsewhere."),
    )
    app_password = forms.CharField(
        label=_("Bluesky app password"),
        max_length=100,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_(
            "Created in Bluesky under Settings → Privacy and security → App passwords. "
            "Write-only: it is never shown. Leave empty to keep the current one."
        ),
        error_messages={"required": _("A Bluesky channel needs an app password.")},
    )

    def apply(self, channel) -> None:
        super().apply(channel)
        # The adapter reads the handle and the server from the settings, as it sends.
        settings = dict(channel.settings or {})
        settings["handle"] = (channel.handle or "").strip().lstrip("@")
        settings["service_url"] = (settings.get("service_url") or DEFAULT_SERVICE).rstrip("/")
        channel.settings = settings
