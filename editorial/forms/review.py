"""The forms of a review: a weekly plan approved in one go, with items returned."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class PlanReviewForm(forms.Form):
    """One "return" tick and one comment per item awaiting approval."""

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for post in self.items:
            self.fields[f"return_{post.pk}"] = forms.BooleanField(
                required=False, label=_("Return this item with a comment")
            )
            self.fields[f"comment_{post.pk}"] = forms.CharField(
                required=False,
                label=_("What needs to change"),
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def clean(self):
        cleaned = super().clean()
        for post in self.items:
            returned = cleaned.get(f"return_{post.pk}")
            comment = (cleaned.get(f"comment_{post.pk}") or "").strip()
            if returned and not comment:
                self.add_error(
                    f"comment_{post.pk}",
                    _("Say what needs to change on this item before returning it."),
                )
            elif comment and not returned:
                # A comment left on an item that would be approved is almost surely a
                # forgotten tick: approving it silently would be the wrong outcome.
                self.add_error(
                    f"comment_{post.pk}",
                    _("Tick “Return this item” to send it back, or clear the comment."),
                )
        return cleaned

    def returns(self) -> dict[int, str]:
        return {
            post.pk: self.cleaned_data[f"comment_{post.pk}"].strip()
            for post in self.items
            if self.cleaned_data.get(f"return_{post.pk}")
        }

    def fields_for(self, post) -> tuple[forms.BoundField, forms.BoundField]:
        return self[f"return_{post.pk}"], self[f"comment_{post.pk}"]


class ReturnPlanForm(forms.Form):
    plan_comment = forms.CharField(
        label=_("Why the whole plan goes back"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say what the team must change: a comment is required.")},
    )
