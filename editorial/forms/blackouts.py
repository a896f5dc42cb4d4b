"""The blackout periods page's form: a period's name, times, rule and scope."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from editorial.forms.fields import LocalDateTimeField
from editorial.models import BlackoutRule, BlackoutScope


class BlackoutForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        help_text=_("For example: pre-election reserve period, national mourning."),
        error_messages={"required": _("Give the period a name.")},
    )
    reason = forms.CharField(
        label=_("Why (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    starts_at = LocalDateTimeField(label=_("Starts at"))
    ends_at = LocalDateTimeField(label=_("Ends at"))
    rule = forms.ChoiceField(
        label=_("Rule"), choices=BlackoutRule.choices, widget=forms.RadioSelect
    )
    scope = forms.ChoiceField(
        label=_("Applies to"), choices=BlackoutScope.choices, widget=forms.RadioSelect
    )
    channels = forms.ModelMultipleChoiceField(
        label=_("Channels"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("When it applies to some channels."),
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("When it applies to some departments: their posts and their channels."),
    )

    def __init__(self, *args, channels, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channels"].queryset = channels
        self.fields["departments"].queryset = departments
        self.fields["scope"].initial = BlackoutScope.ALL
        self.fields["rule"].initial = BlackoutRule.FORBID

    @classmethod
    def initial_from(cls, period) -> dict:
        return {
            "name": period.name,
            "reason": period.reason,
            "starts_at": period.starts_at,
            "ends_at": period.ends_at,
            "rule": period.rule,
            "scope": period.scope,
            "channels": list(period.channels.all()),
            "departments": list(period.departments.all()),
        }
