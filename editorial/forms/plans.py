"""Forms of the weekly plan board and the submissions page."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from editorial.forms.fields import LocalDateTimeField


class PlaceForm(forms.Form):
    """Put a post at a day and time of the week shown on the board.

    Dropping an item on a slot posts the slot's wall-clock time (`at_0`) through this
    same form, so a drop and the keyboard form are checked alike, DST gap included.
    """

    post = forms.IntegerField(widget=forms.HiddenInput)
    at = LocalDateTimeField(label=_("Place at"))

    def __init__(self, *args, week_start: dt.datetime, week_end: dt.datetime, **kwargs):
        super().__init__(*args, **kwargs)
        self.week_start, self.week_end = week_start, week_end

    def clean_at(self):
        at = self.cleaned_data["at"]
        if at is not None and not self.week_start <= at < self.week_end:
            last_day = (self.week_end - dt.timedelta(days=1)).date()
            raise forms.ValidationError(
                _("Choose a time in the week shown, from %(first)s to %(last)s."),
                code="outside_week",
                params={
                    "first": formats.date_format(self.week_start.date(), "SHORT_DATE_FORMAT"),
                    "last": formats.date_format(last_day, "SHORT_DATE_FORMAT"),
                },
            )
        if at is None:
            raise forms.ValidationError(_("Choose a day and a time."), code="required")
        return at


class CommentForm(forms.Form):
    """What needs to change, when a submission or a plan goes back to its authors.

    Whether a comment is required is the workflow's rule: its error is shown next to
    the field, with what was typed kept.
    """

    comment = forms.CharField(
        label=_("What needs to change"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
