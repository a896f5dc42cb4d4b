"""Creating and changing a post through the API with the post editor's own form.

The editor's form holds what a value may be for this user: channels they may publish
on, of the post's department, that can publish; a campaign they see; the department
when they work in several; the content they loaded (a change made meanwhile is
refused). The API binds that same form to the JSON it was sent, only taking a time as
ISO 8601 with its offset instead of a wall-clock time typed in a zone, and the
workflow functions save it, as on the page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from editorial import workflow
from editorial.forms.fields import EARLIEST_YEAR, LATEST_YEAR
from editorial.forms.posts import VARIANT_PREFIX, PostForm
from editorial.models import Post

STALE = "stale"


class ApiPostForm(PostForm):
    scheduled_at = forms.DateTimeField(label=_("Scheduled for"), required=False)

    def clean_scheduled_at(self):
        value = self.cleaned_data.get("scheduled_at")
        if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            raise forms.ValidationError(
                _("Choose a time between %(first)d and %(last)d.")
                % {"first": EARLIEST_YEAR, "last": LATEST_YEAR}
            )
        return value


class Refused(Exception):
    """The form found what was sent wrong: `errors` by field (400), or `stale` (409)."""

    def __init__(self, errors: dict[str, list[str]], stale: bool = False):
        super().__init__(errors)
        self.errors = errors
        self.stale = stale


def _data(sent: dict, post: Post | None) -> dict:
    """The form's data: the post as it is (on a change), with what was sent over it."""
    data = dict(ApiPostForm._initial_from(post)) if post is not None else {}
    for name in ("title", "body", "category", "scheduled_at", "campaign", "channels"):
        if name in sent:
            data[name] = sent[name]
    if "department" in sent:
        data["department"] = sent["department"]
    if post is not None:
        data["loaded_hash"] = sent.get("content_hash") or post.content_hash
    for key in [k for k in data if k.startswith(VARIANT_PREFIX)]:
        if "variants" in sent:
            del data[key]
    for channel, text in (sent.get("variants") or {}).items():
        data[f"{VARIANT_PREFIX}{channel}"] = text
    for name, value in list(data.items()):
        if value is None:
            data[name] = ""
    return data


def _validated(user, sent: dict, post: Post | None) -> ApiPostForm:
    form = ApiPostForm(_data(sent, post), user=user, post=post)
    valid = form.is_valid()
    # A text for a channel the editor does not offer would be dropped unsaid.
    unknown = set(map(str, sent.get("variants") or {})) - {str(c.pk) for c in form.channel_list}
    if valid and not unknown:
        return form
    stale = any(e.code == STALE for e in form.errors.as_data().get("__all__", []))
    errors: dict[str, list[str]] = {}
    for name, messages in form.errors.items():
        key = "variants" if name.startswith(VARIANT_PREFIX) else name
        key = "non_field_errors" if key == "__all__" else key
        errors.setdefault(key, []).extend(str(m) for m in messages)
    if unknown:
        errors.setdefault("variants", []).append(
            str(_("These channels are not offered here: %(ids)s."))
            % {"ids": ", ".join(sorted(unknown))}
        )
    raise Refused(errors, stale=stale)


def create(user, sent: dict) -> Post:
    form = _validated(user, sent, None)
    return workflow.create_post(
        user,
        department=form.origin_department(),
        channels=form.cleaned_data["channels"],
        variants=form.variants(),
        **form.fields_for_workflow(),
    )


def change(post: Post, user, sent: dict) -> Post:
    form = _validated(user, sent, post)
    return workflow.edit_post(
        post,
        user,
        channels=form.cleaned_data["channels"],
        variants=form.variants(),
        **form.fields_for_workflow(),
    )
