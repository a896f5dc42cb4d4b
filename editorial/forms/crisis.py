"""Crisis mode's forms: pausing publishing, and giving a held post a new time."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from editorial.forms.fields import LocalDateTimeField

ALL = ""


class PauseForm(forms.Form):
    scope = forms.ChoiceField(label=_("What to pause"), required=False)
    reason = forms.CharField(
        label=_("Why"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why publishing is paused.")},
    )
    ends_at = LocalDateTimeField(
        label=_("Until (optional)"),
        required=False,
        help_text=_("Leave empty to pause until someone resumes publishing."),
    )
    stops_publishing = forms.BooleanField(
        label=_("Stop publishing: due posts are held until someone confirms them"),
        required=False,
        initial=True,
    )
    requires_director = forms.BooleanField(
        label=_("Every post also needs the director's sign-off until resumed"),
        required=False,
    )

    def __init__(self, *args, channels, **kwargs):
        super().__init__(*args, **kwargs)
        self.channels = {str(channel.pk): channel for channel in channels}
        self.fields["scope"].choices = [(ALL, _("All publishing, on every channel"))] + [
            (pk, str(channel)) for pk, channel in self.channels.items()
        ]

    def channel(self):
        return self.channels.get(self.cleaned_data["scope"])


class RescheduleHeldForm(forms.Form):
    when = LocalDateTimeField(label=_("New time"))
