"""The post editor's form and the small forms of the actions on a post's page.

The form only gathers and checks what was typed; saving goes through
`workflow.create_post` / `workflow.edit_post`, which hold the rules.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from editorial.access import (
    usable_channels,
    visible_campaigns,
    visible_channels,
    visible_departments,
)
from editorial.content import channel_publish_problem
from editorial.forms.fields import LocalDateTimeField, PostTextField
from editorial.models import Category, Post

VARIANT_PREFIX = "variant_"


class PostForm(forms.Form):
    """Title, text, category, channels with their optional variant texts, time,
    campaign, and the department when the writer works in several."""

    title = forms.CharField(
        label=_("Title"), max_length=200, help_text=_("Internal, not published.")
    )
    body = PostTextField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("The text that goes out, unless a channel has its own version."),
    )
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    department = forms.ModelChoiceField(label=_("Department"), queryset=None, required=False)
    channels = forms.ModelMultipleChoiceField(
        label=_("Channels"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    scheduled_at = LocalDateTimeField(
        label=_("Scheduled for"),
        required=False,
        help_text=_("In your time zone. Required before the post leaves draft."),
    )
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=None, required=False)
    # The state and content the writer loaded: saving over someone else's change is refused.
    loaded_hash = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, post: Post | None = None, **kwargs):
        self.user, self.post = user, post
        if post is not None and "initial" not in kwargs:
            kwargs["initial"] = self._initial_from(post)
        super().__init__(*args, **kwargs)
        # Only channels that can publish are offered; the post's own stay listed (and
        # refused by `clean` with the reason) rather than vanish from it unsaid.
        offered = usable_channels(user)
        if post is not None:
            own = visible_channels(user).filter(pk__in=[c.pk for c in post.channels.all()])
            offered = (offered | own).select_related("department")
        # Evaluated once: the template walks the channels several times.
        self.channel_list = list(offered.order_by("department__name", "name"))
        if post is not None:
            self.channel_list = [
                c
                for c in self.channel_list
                if c.department_id == post.origin_department_id or c.department.is_national
            ]
        self.fields["channels"].queryset = offered
        self.fields["campaign"].queryset = visible_campaigns(user).order_by("name")
        self._set_up_department(user, post)
        for channel in self.channel_list:
            self.fields[f"{VARIANT_PREFIX}{channel.pk}"] = PostTextField(
                label=_("Text for %(channel)s") % {"channel": channel.name},
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=_("Leave empty to use the main text."),
            )

    def _set_up_department(self, user, post: Post | None) -> None:
        departments = list(visible_departments(user))
        self.departments = departments
        field = self.fields["department"]
        field.queryset = visible_departments(user)
        if post is not None or len(departments) <= 1:
            # Nothing to choose: the post's own department, or the writer's only one.
            del self.fields["department"]
            return
        field.required = True
        own = [d for d in departments if d.group_id in self._group_ids(user)]
        if own and "department" not in self.initial:
            self.initial["department"] = own[0].pk

    @staticmethod
    def _group_ids(user) -> set[int]:
        return set(user.groups.values_list("pk", flat=True))

    @staticmethod
    def _initial_from(post: Post) -> dict:
        initial = {
            "title": post.title,
            "body": post.body,
            "category": post.category,
            "channels": [c.pk for c in post.channels.all()],
            "scheduled_at": post.scheduled_at,
            "campaign": post.campaign_id,
            "loaded_hash": post.content_hash,
        }
        for variant in post.variants.all():
            initial[f"{VARIANT_PREFIX}{variant.channel_id}"] = variant.body
        return initial

    # --- what the template needs ------------------------------------------------------

    def channel_groups(self) -> list[dict]:
        """Channels by department, each with its checkbox state and variant field."""
        selected = {str(v) for v in (self["channels"].value() or [])}
        groups: dict[int, dict] = {}
        for channel in self.channel_list:
            group = groups.setdefault(
                channel.department_id, {"department": channel.department, "channels": []}
            )
            group["channels"].append(
                {
                    "channel": channel,
                    "checked": str(channel.pk) in selected,
                    "variant": self[f"{VARIANT_PREFIX}{channel.pk}"],
                }
            )
        return list(groups.values())

    # --- cleaning ---------------------------------------------------------------------

    def clean(self):
        cleaned = super().clean()
        if self.post is not None and cleaned.get("loaded_hash") != self.post.content_hash:
            raise forms.ValidationError(
                _(
                    "Someone else changed this post since you opened it. Your text is kept "
                    "below: reload the post in another tab to compare before saving again."
                ),
                code="stale",
            )
        department = cleaned.get("department") or self.origin_department()
        channels = cleaned.get("channels") or []
        foreign = [
            c
            for c in channels
            if department is not None
            and c.department_id != department.pk
            and not c.department.is_national
        ]
        if foreign:
            self.add_error(
                "channels",
                _("%(channels)s belongs to another department.")
                % {"channels": ", ".join(c.name for c in foreign)},
            )
        unable = [str(problem) for c in channels if (problem := channel_publish_problem(c))]
        if unable:
            self.add_error("channels", [*unable, _("Untick it to save the post.")])
        return cleaned

    def origin_department(self):
        if self.post is not None:
            return self.post.origin_department
        if "department" in self.fields:
            return self.cleaned_data.get("department")
        return self.departments[0] if self.departments else None

    def fields_for_workflow(self) -> dict:
        data = self.cleaned_data
        return {
            name: data.get(name)
            for name in ("title", "body", "category", "scheduled_at", "campaign")
        }

    def variants(self) -> dict:
        chosen = {c.pk for c in self.cleaned_data.get("channels") or []}
        return {
            channel: self.cleaned_data.get(f"{VARIANT_PREFIX}{channel.pk}") or ""
            for channel in self.channel_list
            if channel.pk in chosen
        }


class CommentForm(forms.Form):
    """The text some actions need: a comment, what to change, why (in)sensitive."""

    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


class RescheduleForm(forms.Form):
    when = LocalDateTimeField(label=_("New time"))


class OutcomeForm(forms.Form):
    """What a person found on the network for a publication whose outcome is unknown."""

    outcome = forms.ChoiceField(choices=[("sent", _("It went out")), ("resend", _("Send again"))])
    url = forms.URLField(
        label=_("Its address on the network (optional)"),
        required=False,
        max_length=500,
        assume_scheme="https",
    )


class PostFilterForm(forms.Form):
    """The post list's filters. The department filter is only for people who work in
    several departments (the national team)."""

    ORDERS = (("newest", _("Newest first")), ("soonest", _("Soonest first")))

    # Three characters at least: the trigram index (PostgreSQL) serves nothing shorter.
    q = forms.CharField(
        label=_("Search"),
        required=False,
        min_length=3,
        max_length=200,
        strip=True,
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text=_("In the title, the text and the channels' own texts."),
    )
    state = forms.ChoiceField(label=_("State"), required=False)
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=None, required=False, empty_label=_("All departments")
    )
    order = forms.ChoiceField(label=_("Order"), choices=ORDERS, required=False)
    # The calendar's "+N more" leads here: the posts that go out that day (user's zone).
    day = forms.DateField(
        label=_("Goes out on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from editorial.models import PostState

        self.fields["state"].choices = [("", _("All states")), *PostState.choices]
        departments = visible_departments(user)
        self.fields["department"].queryset = departments
        if not self._several(user):
            del self.fields["department"]

    @staticmethod
    def _several(user) -> bool:
        from accounts.scope import department_ids_of

        return len(department_ids_of(user)) > 1
