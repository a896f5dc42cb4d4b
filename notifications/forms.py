from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from notifications.models import Choice, Kind, Preferences


class PreferencesForm(forms.Form):
    """The language of e-mails, then one choice per kind of notice."""

    language = forms.ChoiceField(label=_("Language of e-mails"), choices=settings.LANGUAGES)

    def __init__(self, *args, preferences: Preferences, **kwargs):
        super().__init__(*args, **kwargs)
        self.preferences = preferences
        self.fields["language"].initial = preferences.language
        for kind in Kind:
            self.fields[f"kind_{kind.value}"] = forms.ChoiceField(
                label=kind.label,
                choices=Choice.choices,
                initial=preferences.choice_for(kind.value),
                widget=forms.RadioSelect,
            )

    def save(self) -> Preferences:
        prefs = self.preferences
        prefs.language = self.cleaned_data["language"]
        prefs.choices = {kind.value: self.cleaned_data[f"kind_{kind.value}"] for kind in Kind}
        prefs.save()
        return prefs
