"""An Instagram channel needs the professional account's Instagram user id (a setting)
and the access token of the Facebook Page it is linked to (a credential: encrypted,
write-only). **Connect with Facebook** fills both in."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from editorial.channels.base import ChannelConfig


class InstagramConfig(ChannelConfig):
    settings_fields = frozenset({"ig_user_id"})
    credential_fields = frozenset({"access_token"})

    ig_user_id = forms.CharField(
        label=_("Instagram account id"),
        max_length=40,
        strip=True,
        help_text=_(
            "The professional account's id in the Graph API (its Page's "
            "instagram_business_account). Set by Connect with Facebook."
        ),
        error_messages={"required": _("An Instagram channel needs its account's id.")},
    )
    access_token = forms.CharField(
        label=_("Page access token"),
        max_length=1000,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_(
            "The token of the Facebook Page the account is linked to, set by Connect with "
            "Facebook (permissions instagram_basic, instagram_content_publish). "
            "Write-only: it is never shown. Leave empty to keep the current one."
        ),
        error_messages={"required": _("An Instagram channel needs an access token.")},
    )

    def clean_ig_user_id(self) -> str:
        value = self.cleaned_data["ig_user_id"]
        if not value.isdigit():
            raise ValidationError(_("An Instagram account id is a number, e.g. 17841400000000000."))
        return value
