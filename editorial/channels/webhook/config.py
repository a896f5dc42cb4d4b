"""A webhook channel needs the address it posts to, the format its receiver reads and,
for the generic format, the secret its requests are signed with.

The address carries the receiver's secret (Slack, Mattermost and Teams put the token in
the path), so it is kept in the encrypted credentials, like the signing secret: both
written, never shown. A generic channel saved without a signing secret gets one made
here (`generated_secret`), which the channel page shows once, just after saving: the
receiver's team copies it then, or the administrator types the one they agreed on."""

from __future__ import annotations

import secrets

from django import forms
from django.core.validators import URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from editorial.channels.base import ChannelConfig

SECRET_BYTES = 32


class WebhookFormat(models.TextChoices):
    GENERIC = "generic", _("Generic JSON, signed (HMAC-SHA256)")
    SLACK = "slack", "Slack"
    MATTERMOST = "mattermost", "Mattermost"
    TEAMS = "teams", "Microsoft Teams"


def new_signing_secret() -> str:
    return secrets.token_urlsafe(SECRET_BYTES)


class WebhookConfig(ChannelConfig):
    settings_fields = frozenset({"webhook_format"})
    credential_fields = frozenset({"endpoint_url", "signing_secret"})

    webhook_format = forms.ChoiceField(
        label=_("Webhook format"),
        choices=WebhookFormat.choices,
        required=False,  # empty: generic, as every webhook was before the formats
        initial=WebhookFormat.GENERIC,
        help_text=_(
            "What the receiver reads: a Slack, Mattermost or Teams incoming webhook, "
            "or Cadence's own JSON, signed."
        ),
    )
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
    signing_secret = forms.CharField(
        label=_("Signing secret"),
        required=False,
        min_length=16,
        max_length=200,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_(
            "Generic format only: the receiver checks each request's signature with it. "
            "Leave empty to keep the current one; a new channel gets one made for it, "
            "shown once after saving."
        ),
    )
    new_signing_secret = forms.BooleanField(
        label=_("Make a new signing secret"),
        required=False,
        help_text=_(
            "Replaces the current one (shown once after saving): the receiver must "
            "be given the new one."
        ),
    )

    generated_secret: str = ""

    @classmethod
    def stored(cls, channel, name: str):
        if name == "new_signing_secret":
            return False  # an order, not a value
        value = super().stored(channel, name)
        if name == "webhook_format":
            return value or WebhookFormat.GENERIC  # channels from before the formats
        return value

    def clean_webhook_format(self) -> str:
        return self.cleaned_data.get("webhook_format") or WebhookFormat.GENERIC

    def apply(self, channel) -> None:
        data = self.cleaned_data
        renew = data.pop("new_signing_secret", False)
        generic = data.get("webhook_format") == WebhookFormat.GENERIC
        lacks = renew or not self.has_secret(channel, "signing_secret")
        if generic and not data.get("signing_secret") and lacks:
            self.generated_secret = data["signing_secret"] = new_signing_secret()
        super().apply(channel)
