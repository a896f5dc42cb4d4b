from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from notifications.models import Choice, Kind, Preferences

# The digest is how the others are gathered, not a choice of its own.
CHOOSABLE = [kind for kind in Kind if kind != Kind.DIGEST]


class PreferencesForm(forms.Form):
    """The language of e-mails, whether to get the daily digest, then one choice per
    kind of notice."""

    language = forms.ChoiceField(label=_("Language of e-mails"), choices=settings.LANGUAGES)
    wants_digest = forms.BooleanField(
        label=_("Send me the daily digest"),
        help_text=_(
            "Each morning at 8:00 in your time zone: what awaits you, what goes out "
            "today, what failed yesterday. Sent anyway when a kind below goes to the digest."
        ),
        required=False,
    )

    def __init__(self, *args, preferences: Preferences, **kwargs):
        super().__init__(*args, **kwargs)
        self.preferences = preferences
        self.fields["language"].initial = preferences.language
        self.fields["wants_digest"].initial = preferences.wants_digest
        for kind in CHOOSABLE:
            self.fields[f"kind_{kind.value}"] = forms.ChoiceField(
                label=kind.label,
                choices=Choice.choices,
                initial=preferences.choice_for(kind.value),
                widget=forms.RadioSelect,
            )

    def save(self) -> Preferences:
        prefs = self.preferences
        prefs.language = self.cleaned_data["language"]
        prefs.wants_digest = self.cleaned_data["wants_digest"]
        prefs.choices = {kind.value: self.cleaned_data[f"kind_{kind.value}"] for kind in CHOOSABLE}
        prefs.save()
        return prefs
