"""A webhook channel needs the address it posts to. The address carries the receiver's
secret (Slack, Mattermost and Teams put the token in the path): written, never shown."""

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from editorial.channels.base import ChannelConfig


class WebhookConfig(ChannelConfig):
    secret_fields = frozenset({"endpoint_url"})

    endpoint_url = forms.URLField(
        label=_("Webhook address"),
        max_length=500,
        assume_scheme="https",
        # The adapter posts with HTTP: an ftp:// address could never receive anything.
        validators=[URLValidator(schemes=["http", "https"])],
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Write-only: it is never shown. Leave empty to keep the current one."),
        error_messages={"required": _("A webhook channel needs the address it posts to.")},
    )
