"""The workspace's forms. They gather and check what was typed; saving goes through
`workspace.services`, which checks the permission and writes the audit entry."""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from accounts.models import Department, User
from accounts.roles import Role
from editorial.access import visible_departments
from editorial.forms.channels import NetworkConfigMixin
from editorial.models import Campaign, Channel, SensitivityRule

SAMPLE_MAX_LENGTH = 5000


class RuleForm(forms.ModelForm):
    """A rule of the note-cadre. The model's own `clean` compiles the pattern with the
    matcher the workflow uses, so a rule saved here is one the workflow can apply."""

    class Meta:
        model = SensitivityRule
        fields = ["topic", "kind", "pattern"]
        labels = {"topic": _("Topic"), "kind": _("Kind"), "pattern": _("Word, phrase or pattern")}
        help_texts = {
            "topic": _("Shown as the reason when a post is flagged (Terrorism, Judicial case…)."),
            "pattern": _(
                "A keyword or phrase matches whole words, whatever the case, accents or "
                "plural, and however disguised (invisible characters, look-alike letters, "
                "letters spelled apart). A regular expression is matched on lower-case text "
                "without accents or invisible characters; back-references and look-arounds "
                "are not accepted."
            ),
        }


class RuleTestForm(forms.Form):
    text = forms.CharField(
        label=_("Sample text"),
        max_length=SAMPLE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Type or paste a text: the active rules it would match show below."),
    )


class ChannelForm(NetworkConfigMixin, forms.ModelForm):
    """A channel's name, network, handle, department and activity, and what its network
    needs (the webhook's address, which carries its secret: written, never shown)."""

    class Meta:
        model = Channel
        fields = ["name", "network", "handle", "department", "is_active"]
        labels = {
            "name": _("Name"),
            "network": _("Network"),
            "handle": _("Account"),
            "department": _("Department"),
            "is_active": _("Active: posts may target it"),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = visible_departments(user)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["name", "description", "department", "starts_on", "ends_on"]
        labels = {
            "name": _("Name"),
            "description": _("Description"),
            "department": _("Department"),
            "starts_on": _("Starts on"),
            "ends_on": _("Ends on"),
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "starts_on": DateInput,
            "ends_on": DateInput,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = visible_departments(user)

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("A campaign cannot end before it starts."))
        return data


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["name", "code"]
        labels = {"name": _("Name"), "code": _("Code")}
        help_texts = {"code": _("Short, in the addresses: letters, digits and dashes.")}


class MembershipFields(forms.Form):
    """One role and the departments a person works in, among what the manager may give."""

    role = forms.ChoiceField(label=_("Role"), widget=forms.RadioSelect)
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments"),
        queryset=Department.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "A department contributor works only in these departments; the national "
            "roles work in every department."
        ),
        error_messages={"required": _("Choose at least one department.")},
    )

    def __init__(self, *args, roles: list[str], user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(role, Role(role).label) for role in roles]
        self.fields["departments"].queryset = visible_departments(user)

    def role_group(self) -> Group:
        return Group.objects.get(name=self.cleaned_data["role"])


class InviteForm(MembershipFields):
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("The invitation goes there; it is also the person's username."),
    )
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)

    field_order = ["email", "first_name", "last_name", "role", "departments"]

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if (
            User.objects.filter(username__iexact=email).exists()
            or User.objects.filter(email__iexact=email).exists()
        ):
            raise forms.ValidationError(_("Someone already has this e-mail address."))
        return email


class PersonForm(MembershipFields):
    """A person's role and departments, read from their groups."""

    def __init__(self, *args, person: User, **kwargs):
        super().__init__(*args, **kwargs)
        groups = list(person.groups.all())
        held = [group.name for group in groups if group.name in Role.values]
        self.held_roles = held
        self.initial.setdefault("role", held[0] if held else None)
        self.initial.setdefault(
            "departments", [d.pk for d in Department.objects.filter(group__in=groups)]
        )


class TimeZoneForm(forms.ModelForm):
    """The zone every time is shown and read in. The model's choices are zoneinfo's
    own zones, so anything else is refused."""

    class Meta:
        model = User
        fields = ["time_zone"]
        labels = {"time_zone": _("Time zone")}
        help_texts = {"time_zone": _("Every time in Cadence is shown and read in this zone.")}
