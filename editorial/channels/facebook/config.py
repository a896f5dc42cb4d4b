"""A Facebook Page channel needs the Page's id (a setting) and a Page access token (a
credential: encrypted, write-only). **Connect with Facebook** fills both in (the Page
chosen among those the person manages); they can also be pasted, a Page token made in
Meta's Graph API Explorer with the app's permissions (docs/channels.md says how)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from editorial.channels.base import ChannelConfig


class FacebookConfig(ChannelConfig):
    settings_fields = frozenset({"page_id"})
    credential_fields = frozenset({"access_token"})

    page_id = forms.CharField(
        label=_("Facebook Page id"),
        max_length=40,
        strip=True,
        help_text=_("The Page's numeric id (Page settings, About). Set by Connect with Facebook."),
        error_messages={"required": _("A Facebook Page channel needs its Page's id.")},
    )
    access_token = forms.CharField(
        label=_("Page access token"),
        max_length=1000,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_(
            "Set by Connect with Facebook (permissions pages_show_list, pages_manage_posts, "
            "pages_read_engagement). Write-only: it is never shown. Leave empty to keep "
            "the current one."
        ),
        error_messages={"required": _("A Facebook Page channel needs a Page access token.")},
    )

    def clean_page_id(self) -> str:
        value = self.cleaned_data["page_id"]
        if not value.isdigit():
            raise ValidationError(_("A Page id is a number, e.g. 104123456789012."))
        return value
