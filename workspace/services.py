"""Every change made in the workspace: one function per action, each checking the
permission (`workspace.permissions`), changing the object in one transaction and
writing one audit entry (`editorial.audit.record`), as the workflow's actions do.
Views only call these."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models, transaction
from django.utils.translation import gettext as _

from accounts.admin import set_membership
from accounts.models import Department, User
from accounts.scope import create_department, rename_group_after
from editorial import audit, workflow
from editorial.access import visible_channels
from editorial.channels import adapter_for, secret_fields
from editorial.channels.base import AccountInfo, CredentialsRejected, PublishError
from editorial.channels.oauth import OAuthAccount
from editorial.messages import render
from editorial.models import Campaign, Channel, SensitivityRule
from editorial.publishing.connections import clear_needs_reconnecting, flag_needs_reconnecting
from editorial.workflow.errors import ActionNotAllowed, InvalidInput
from workspace.permissions import (
    deny_change_person,
    deny_manage_campaigns,
    deny_manage_channels,
    deny_manage_people,
    grantable_roles,
)

# The audit keeps that a secret changed, never the secret itself.
WRITE_ONLY = secret_fields()


def _require(reason: str | None) -> None:
    if reason:
        raise ActionNotAllowed(reason)


def _changes(form, instance: models.Model) -> dict:
    """{field: new value} of what the form changed, secrets masked. A channel's network
    settings (`Channel.settings`) are read from there."""
    kept = getattr(instance, "settings", None)
    kept = kept if isinstance(kept, dict) else {}
    changes = {}
    for name in form.changed_data:
        if name in WRITE_ONLY:
            changes[name] = "(changed)"
        elif hasattr(instance, name):
            changes[name] = audit.plain(getattr(instance, name, None))
        elif name in kept:
            changes[name] = audit.plain(kept[name])
    return changes


def _save(user, form, *, noun: str) -> models.Model:
    obj = form.save(commit=False)
    creating = obj.pk is None
    if creating and hasattr(obj, "created_by"):
        obj.created_by = user
    obj.save()
    form.save_m2m()
    action = f"create_{noun}" if creating else f"edit_{noun}"
    audit.record(actor=user, action=action, obj=obj, data=_changes(form, obj))
    return obj


# --- the note-cadre -------------------------------------------------------------------


def save_rule(user, form) -> SensitivityRule:
    """Create or change a rule (the workflow's function: checked and audited there)."""
    return workflow.save_rule(user, form.save(commit=False), form.changed_data)


def set_rule_active(user, rule: SensitivityRule, active: bool) -> SensitivityRule:
    return workflow.set_rule_active(user, rule, active)


# --- channels and campaigns -----------------------------------------------------------


@transaction.atomic
def save_channel(user, form) -> Channel:
    _require(deny_manage_channels(user))
    return _save(user, form, noun="channel")


@dataclass(frozen=True)
class ConnectionTest:
    """What **Test connection** found: as whom the channel publishes, or what is wrong
    (in words, never a secret)."""

    account: AccountInfo | None = None
    problem: str = ""

    @property
    def works(self) -> bool:
        return self.account is not None


def test_connection(user, channel: Channel) -> ConnectionTest:
    """Ask the network who the channel's credentials are. Credentials it refuses flag
    the channel needs reconnecting; credentials that work clear the flag and keep what
    the check learned (an instance's limits). One audit entry either way."""
    _require(deny_manage_channels(user))
    try:
        account = adapter_for(channel).check_credentials()
    except CredentialsRejected as exc:
        flag_needs_reconnecting(channel, exc.message, actor=user)
        return _tested(user, channel, ConnectionTest(problem=render(exc.message)))
    except PublishError as exc:
        return _tested(user, channel, ConnectionTest(problem=render(exc.message)))
    if account.settings:
        channel.settings = {**(channel.settings or {}), **account.settings}
        channel.save(update_fields=["settings"])
    clear_needs_reconnecting(channel, user)
    return _tested(user, channel, ConnectionTest(account=account))


@transaction.atomic
def _tested(user, channel: Channel, result: ConnectionTest) -> ConnectionTest:
    data = {"works": result.works}
    if result.account is not None:
        data["account"] = result.account.name
    audit.record(
        actor=user, action="test_channel_connection", obj=channel, data=data, comment=result.problem
    )
    return result


@transaction.atomic
def connect_channel(user, channel: Channel, account: OAuthAccount) -> Channel:
    """The OAuth connect flow's end: `channel` publishes as `account` from now on. Its
    tokens are stored encrypted, what is not secret in the settings, the token's expiry
    in clear (for the refresh task); the channel no longer needs reconnecting. The
    audit keeps the account's name, never a token."""
    _require(deny_manage_channels(user))
    if not visible_channels(user).filter(pk=channel.pk).exists():
        raise ActionNotAllowed(_("This channel belongs to a department outside yours."))
    locked = Channel.objects.select_for_update().get(pk=channel.pk)
    locked.set_credentials(account.credentials)
    locked.settings = {**(locked.settings or {}), **account.settings}
    locked.token_expires_at = account.expires_at
    locked.needs_reconnecting = False
    fields = ["encrypted_credentials", "settings", "token_expires_at", "needs_reconnecting"]
    locked.save(update_fields=fields)
    audit.record(actor=user, action="connect_channel", obj=locked, data={"account": account.name})
    return locked


@transaction.atomic
def save_campaign(user, form) -> Campaign:
    _require(deny_manage_campaigns(user))
    return _save(user, form, noun="campaign")


# --- departments ----------------------------------------------------------------------


@transaction.atomic
def add_department(user, form) -> Department:
    """A department only ever exists with its people group and scope permission."""
    _require(deny_manage_people(user))
    data = form.cleaned_data
    department = create_department(data["name"], data["code"])
    audit.record(actor=user, action="create_department", obj=department, data=dict(data))
    return department


@transaction.atomic
def change_department(user, form) -> Department:
    _require(deny_manage_people(user))
    department = form.save()
    if "name" in form.changed_data:
        rename_group_after(department)
    audit.record(
        actor=user, action="edit_department", obj=department, data=_changes(form, department)
    )
    return department


# --- people ---------------------------------------------------------------------------


def _membership(user, role_group, departments) -> None:
    if role_group.name not in grantable_roles(user):
        raise ActionNotAllowed(_("Only an administrator may make someone an administrator."))
    if not departments:
        raise InvalidInput(_("Choose at least one department."))


def _names(person: User) -> dict:
    groups = list(person.groups.select_related("department"))
    return {
        "roles": sorted(g.name for g in groups if not hasattr(g, "department")),
        "departments": sorted(str(g.department) for g in groups if hasattr(g, "department")),
    }


@transaction.atomic
def invite(user, *, email: str, first_name: str, last_name: str, role_group, departments) -> User:
    """An inactive account, with no password: the person sets one through the link
    `workspace.invitations.send_invitation` e-mails them, which also activates it."""
    _require(deny_manage_people(user))
    _membership(user, role_group, departments)
    person = User(username=email, email=email, first_name=first_name, last_name=last_name)
    person.is_active = False
    person.set_unusable_password()
    person.save()
    set_membership(person, [role_group], departments)
    audit.record(actor=user, action="invite_person", obj=person, data=_names(person))
    return person


@transaction.atomic
def change_membership(user, person: User, *, role_group, departments) -> User:
    """Make the person's role and departments exactly these."""
    _require(deny_change_person(user, person))
    _membership(user, role_group, departments)
    before = _names(person)
    set_membership(person, [role_group], departments)
    after = _names(person)
    if before != after:
        audit.record(
            actor=user, action="change_person", obj=person, data={"from": before, "to": after}
        )
    return person


@transaction.atomic
def deactivate(user, person: User) -> User:
    """The person can no longer sign in. Their password goes too, which ends their
    sessions and voids any invitation link still in their mailbox; inviting them again
    is how they come back."""
    _require(deny_change_person(user, person))
    person = User.objects.select_for_update().get(pk=person.pk)
    if person.is_active or person.has_usable_password():
        person.is_active = False
        person.set_unusable_password()
        person.save(update_fields=["is_active", "password"])
        audit.record(
            actor=user,
            action="deactivate_person",
            obj=person,
            from_state="active",
            to_state="inactive",
        )
    return person


@transaction.atomic
def reinvite(user, person: User) -> User:
    """A new link for an inactive person (an invitation lost, or someone coming back).
    A fresh unusable password voids the links sent before."""
    _require(deny_change_person(user, person))
    if person.is_active:
        raise InvalidInput(
            _("This person's account is active: they sign in with their own password.")
        )
    person.set_unusable_password()
    person.save(update_fields=["password"])
    audit.record(actor=user, action="reinvite_person", obj=person)
    return person
