"""People and departments in the admin.

A person's roles and departments are auth groups (see accounts.roles and
accounts.scope); the user form shows them as two plain choices instead of one raw
list of groups. Departments are created only through `accounts.scope.create_department`,
which also makes their people group and its scope permission.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Department, User
from accounts.roles import Role
from accounts.scope import (
    create_department,
    department_ids_of,
    forget_cached_scope,
    membership_of,
    rename_group_after,
)
from accounts.security_audit import record, two_factor_changed
from accounts.two_factor import remove_devices

# Second factors are not kept in the admin: their secrets would let whoever reads them
# make a person's codes. An administrator only resets them (the user list's action).
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)

# What the user form changes that is audited beside roles and departments.
AUDITED_FLAGS = ("is_active", "is_superuser", "user_permissions")


def role_groups() -> QuerySet[Group]:
    return Group.objects.filter(name__in=Role.values).order_by("name")


class RoleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, group: Group) -> str:
        return str(Role(group.name).label)


class MembershipForm(forms.Form):
    """Roles and departments, read from and written to the user's groups."""

    roles = RoleField(
        queryset=role_groups(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("roles"),
    )
    departments = forms.ModelMultipleChoiceField(
        queryset=Department.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("departments"),
        help_text=_(
            "A department contributor works only in these departments; the national "
            "roles work in every department."
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            groups = self.instance.groups.all()
            self.initial.setdefault("roles", [g for g in groups if g.name in Role.values])
            self.initial.setdefault("departments", Department.objects.filter(group__in=groups))

    def _save_m2m(self) -> None:
        super()._save_m2m()
        if "roles" in self.cleaned_data:
            set_membership(
                self.instance, self.cleaned_data["roles"], self.cleaned_data["departments"]
            )


def set_membership(user: User, roles, departments) -> None:
    """Make the user's role and department groups exactly these, keeping other groups.
    Staff status (the admin) follows: administrators only."""
    other = user.groups.exclude(name__in=Role.values).filter(department__isnull=True)
    user.groups.set([*other, *roles, *(department.group for department in departments)])
    forget_cached_scope(user)
    staff = user.is_superuser or any(group.name == Role.ADMINISTRATOR for group in roles)
    if user.is_staff != staff:
        user.is_staff = staff
        user.save(update_fields=["is_staff"])


class UserEditForm(MembershipForm, UserChangeForm):
    pass


class UserAddForm(MembershipForm, AdminUserCreationForm):
    pass


class RoleFilter(admin.SimpleListFilter):
    title = _("role")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return Role.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(groups__name=self.value())
        return queryset


class DepartmentFilter(admin.SimpleListFilter):
    title = _("department")
    parameter_name = "department"

    def lookups(self, request, model_admin):
        return [(str(department.pk), str(department)) for department in Department.objects.all()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(groups__department__pk=self.value())
        return queryset


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserEditForm
    add_form = UserAddForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email", "time_zone")}),
        (_("Roles and departments"), {"fields": ("roles", "departments")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_superuser", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Personal info"), {"fields": ("first_name", "last_name", "email", "time_zone")}),
        (_("Roles and departments"), {"fields": ("roles", "departments")}),
    )
    list_display = (
        "username",
        "full_name",
        "email",
        "role_names",
        "department_names",
        "is_active",
    )
    list_filter = (RoleFilter, DepartmentFilter, "is_active", "is_staff", "is_superuser")
    filter_horizontal = ("user_permissions",)
    actions = ("reset_two_factor",)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        """Roles and departments are saved here (the form's groups); their change goes in
        the audit trail as the workspace's does, with the flags changed beside them."""
        person = form.instance
        before = membership_of(person) if change else {}
        super().save_related(request, form, formsets, change)
        after = membership_of(person)
        flags = {
            name: str(form.cleaned_data.get(name))
            for name in AUDITED_FLAGS
            if name in form.changed_data
        }
        if not change:
            record(actor=request.user, action="create_person", obj=person, data=after)
        elif before != after or flags:
            data = {"from": before, "to": after, **flags}
            record(actor=request.user, action="change_person", obj=person, data=data)

    @admin.action(description=_("Reset two-factor authentication"))
    def reset_two_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        """A lost phone: the person's authenticator and recovery codes are forgotten and
        they set up a new one at their next sign-in."""
        done = 0
        for person in queryset:
            if not self.has_change_permission(request, person):
                continue
            with transaction.atomic():
                if remove_devices(person):
                    two_factor_changed(request, person, "two_factor_reset")
                    done += 1
        self.message_user(
            request,
            ngettext(
                "Two-factor authentication reset for %(count)d person.",
                "Two-factor authentication reset for %(count)d people.",
                done,
            )
            % {"count": done},
            messages.SUCCESS,
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).prefetch_related("groups__department")

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        if request.user.is_superuser:
            return readonly
        # Only a superuser hands out superuser status or permissions outside the roles.
        return (*readonly, "is_superuser", "user_permissions")

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        # Nor may anyone else take over a superuser account (its password, its roles).
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    @admin.display(description=_("name"))
    def full_name(self, user: User) -> str:
        return user.get_full_name()

    @admin.display(description=_("roles"))
    def role_names(self, user: User) -> str:
        return ", ".join(
            str(Role(group.name).label) for group in user.groups.all() if group.name in Role.values
        )

    @admin.display(description=_("departments"))
    def department_names(self, user: User) -> str:
        return ", ".join(
            # A department's people group has the department as its reverse one-to-one.
            str(group.department)
            for group in user.groups.all()
            if hasattr(group, "department")
        )


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "is_national", "member_count")
    list_filter = ("is_national",)
    search_fields = ("name", "code")
    readonly_fields = ("members",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Department]:
        # A contributor sees their own departments only; national roles see them all.
        queryset = super().get_queryset(request).filter(pk__in=department_ids_of(request.user))
        return queryset.annotate(member_count=Count("group__user"))

    def get_fields(self, request: HttpRequest, obj: Department | None = None):
        fields = ("name", "code", "is_national")
        return fields if obj is None else (*fields, "members")

    @transaction.atomic
    def save_model(self, request: HttpRequest, obj: Department, form, change: bool) -> None:
        data = {name: str(form.cleaned_data.get(name)) for name in form.changed_data}
        if change:
            super().save_model(request, obj, form, change)
            if "name" in form.changed_data:
                rename_group_after(obj)
            record(actor=request.user, action="edit_department", obj=obj, data=data)
            return
        # A department only ever exists with its people group and scope permission.
        created = create_department(obj.name, obj.code, is_national=obj.is_national)
        obj.pk, obj.group = created.pk, created.group
        obj._state.adding, obj._state.db = False, created._state.db
        record(actor=request.user, action="create_department", obj=obj, data=data)

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, department: Department) -> int:
        return department.member_count

    @admin.display(description=_("members"))
    def members(self, department: Department) -> str:
        people = department.group.user_set.order_by("username")
        return format_html_join(", ", "{}", ((person,) for person in people)) or "—"
