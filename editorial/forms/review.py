"""The forms of a review: a weekly plan approved in one go, with items returned, and
what every approval page shows of a post and sends back with the approval."""

from __future__ import annotations

import re
from collections.abc import Mapping

from django import forms
from django.utils.translation import gettext_lazy as _

from editorial.content import shown_hash

# What a page approving posts fetches with them: everything that is approved.
SHOWN_RELATED = ("channels", "variants", "images")
# The hidden field carrying the content hash of an item shown (`shown_<post id>`).
SHOWN_PREFIX = "shown_"


def shown_content(post) -> dict:
    """What a reviewer sees of `post` (fetched with SHOWN_RELATED), all of which is
    approved: the text of each channel (channels carrying the same text share one, so a
    post without variants reads once), the images with their alternative text, and the
    hash of exactly that, for the page to send back."""
    variants = {variant.channel_id: variant.body for variant in post.variants.all()}
    texts: dict[str, list] = {}
    for channel in post.channels.all():
        texts.setdefault(variants.get(channel.pk, post.body), []).append(channel)
    return {
        "previews": [{"channels": channels, "text": text} for text, channels in texts.items()]
        or [{"channels": [], "text": post.body}],
        "images": list(post.images.all()),
        "hash": shown_hash(post),
    }


def shown_hashes(data: Mapping, prefix: str = SHOWN_PREFIX) -> dict[int, str]:
    """The items a page said it showed (`<prefix><post id>` fields), with their hash."""
    pattern = re.compile(rf"{re.escape(prefix)}(\d+)")
    return {
        int(match[1]): value
        for key, value in data.items()
        if (match := pattern.fullmatch(key)) and value
    }


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
