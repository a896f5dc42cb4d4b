"""The forms that read what a catalogued action needs from the person on a page.

The actions themselves (labels, messages, what they need, the workflow function they
call) are in `editorial.workflow.catalog`; a page only adds how a time is typed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from editorial.forms.fields import LocalDateTimeField
from editorial.forms.posts import RescheduleForm
from editorial.workflow.catalog import Action, Needs


class OptionalTimeForm(forms.Form):
    """A time the person may give or leave empty (a copy's: it can be chosen later)."""

    when = LocalDateTimeField(label=_("Goes out at (optional)"), required=False)


TIME_FORMS: dict[Needs, type[forms.Form]] = {
    Needs.TIME: RescheduleForm,
    Needs.OPTIONAL_TIME: OptionalTimeForm,
}


def time_form_class(action: Action) -> type[forms.Form] | None:
    """The form that reads the time `action` needs, if it needs one."""
    return TIME_FORMS.get(action.needs)
