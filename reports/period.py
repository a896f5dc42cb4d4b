"""The period and scope a report covers, as chosen in the form: local dates in the
user's time zone turned into the UTC bounds the queries filter on."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Department
from editorial.models import Campaign, Category, Channel

# A report's rows grow with its weeks: a year at most keeps every page bounded.
LONGEST = datetime.timedelta(days=366)


class Preset:
    THIS_WEEK = "this_week"
    THIS_MONTH = "this_month"
    LAST_MONTH = "last_month"
    CUSTOM = "custom"


PRESETS = [
    (Preset.THIS_WEEK, _("This week")),
    (Preset.THIS_MONTH, _("This month")),
    (Preset.LAST_MONTH, _("Last month")),
    (Preset.CUSTOM, _("From… to…")),
]
BUCKETS = [("week", _("Per week")), ("month", _("Per month"))]


@dataclass(frozen=True)
class Period:
    first_day: datetime.date
    last_day: datetime.date  # included
    zone: datetime.tzinfo

    @property
    def start(self) -> datetime.datetime:
        return datetime.datetime.combine(self.first_day, datetime.time(), self.zone)

    @property
    def end(self) -> datetime.datetime:
        """Midnight after the last day, local: the right length across a DST change."""
        following = self.last_day + datetime.timedelta(days=1)
        return datetime.datetime.combine(following, datetime.time(), self.zone)


def preset_days(preset: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    if preset == Preset.THIS_WEEK:
        monday = today - datetime.timedelta(days=today.weekday())
        return monday, monday + datetime.timedelta(days=6)
    first_of_month = today.replace(day=1)
    if preset == Preset.LAST_MONTH:
        last = first_of_month - datetime.timedelta(days=1)
        return last.replace(day=1), last
    following = (first_of_month + datetime.timedelta(days=32)).replace(day=1)
    return first_of_month, following - datetime.timedelta(days=1)


class ReportForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=PRESETS, initial=Preset.THIS_MONTH)
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    by = forms.ChoiceField(label=_("Figures"), choices=BUCKETS, initial="week")
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.none(), required=False
    )
    channel = forms.ModelChoiceField(
        label=_("Channel"), queryset=Channel.objects.none(), required=False
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", "---------"), *Category.choices], required=False
    )
    campaign = forms.ModelChoiceField(
        label=_("Campaign"), queryset=Campaign.objects.none(), required=False
    )

    def __init__(self, data=None, *, department_ids, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(
            pk__in=department_ids
        ).order_by("name")
        self.fields["channel"].queryset = Channel.objects.filter(
            department_id__in=department_ids
        ).order_by("name")
        self.fields["campaign"].queryset = Campaign.objects.filter(
            department_id__in=department_ids
        ).order_by("name")

    def clean(self):
        data = super().clean()
        if data.get("period") != Preset.CUSTOM:
            return data
        start, end = data.get("start"), data.get("end")
        if start is None:
            self.add_error("start", _("Give the first day of the period."))
        if end is None:
            self.add_error("end", _("Give the last day of the period."))
        if start and end and end < start:
            self.add_error("end", _("The last day comes before the first."))
        elif start and end and end - start > LONGEST:
            self.add_error("end", _("A report covers a year at most."))
        return data

    def period_covered(self) -> Period:
        zone = timezone.get_current_timezone()
        data = self.cleaned_data
        if data["period"] == Preset.CUSTOM:
            return Period(data["start"], data["end"], zone)
        first, last = preset_days(data["period"], timezone.localdate())
        return Period(first, last, zone)


def bound_form(params, department_ids) -> ReportForm:
    """The form from the query string, the defaults filling what it does not say."""
    data = {"period": Preset.THIS_MONTH, "by": "week", **params.dict()}
    return ReportForm(data, department_ids=department_ids)
