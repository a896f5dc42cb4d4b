"""A Bluesky channel needs the account's handle, its PDS (bsky.social unless the account
lives elsewhere) and an app password, created in the Bluesky app under Settings →
Privacy and security → App passwords: never the account's own password.

The handle is the channel's own `handle`; the PDS address goes to `channel.settings`
(`service_url`) and the app password, encrypted, to `channel.credentials`
(`app_password`): the names the adapter reads. Form fields carry a `bluesky_` prefix so
that no other network's field of the same name shares them.
"""

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from editorial.channels.base import ChannelConfig

DEFAULT_SERVICE = "https://bsky.social"


class BlueskyConfig(ChannelConfig):
    secret_fields = frozenset({"bluesky_app_password"})

    bluesky_service_url = forms.URLField(
        label=_("Bluesky server (PDS)"),
        required=False,
        max_length=200,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("Leave empty for bsky.social; fill it in for an account hosted elsewhere."),
    )
    bluesky_app_password = forms.CharField(
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

    def __init__(self, data=None, *, channel, prefix=None):
        # The base reads each field from the channel's attribute of the same name; ours
        # live in the channel's settings and credentials instead.
        self.channel = channel
        settings = getattr(channel, "settings", None) or {}
        credentials = getattr(channel, "credentials", None) or {}
        forms.Form.__init__(
            self,
            data,
            initial={"bluesky_service_url": settings.get("service_url", "")},
            prefix=prefix,
        )
        if credentials.get("app_password"):
            self.fields["bluesky_app_password"].required = False

    def apply(self, channel) -> None:
        settings = dict(getattr(channel, "settings", None) or {})
        settings["handle"] = (channel.handle or "").strip().lstrip("@")
        settings["service_url"] = (
            self.cleaned_data["bluesky_service_url"].rstrip("/") or DEFAULT_SERVICE
        )
        channel.settings = settings
        if self.cleaned_data["bluesky_app_password"]:
            channel.credentials = {
                **(getattr(channel, "credentials", None) or {}),
                "app_password": self.cleaned_data["bluesky_app_password"],
            }
