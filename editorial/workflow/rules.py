"""The note-cadre's sensitivity rules: created, changed, switched on or off and deleted,
each by someone `permissions.deny_manage_rules` allows, each in the audit trail. The
workspace's rules page and the admin both call these."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from editorial import audit, events
from editorial.models import SensitivityRule
from editorial.permissions import deny_manage_rules
from editorial.workflow.errors import ActionNotAllowed, InvalidInput

# What the audit keeps of a rule that is deleted: enough to say what stopped flagging.
_DESCRIBED = ("topic", "kind", "pattern", "active")


def _require(user) -> None:
    reason = deny_manage_rules(user)
    if reason:
        raise ActionNotAllowed(reason)


def _on_off(active: bool) -> str:
    return "on" if active else "off"


def save_rule(user, rule: SensitivityRule, changed: Iterable[str] = ()) -> SensitivityRule:
    """Create `rule` (unsaved) or store the changes made to it; `changed` names the
    fields that changed, whose new values the audit keeps. It applies to posts saved
    from now on. A pattern the matcher cannot run is refused here too, whoever calls."""
    _require(user)
    try:
        rule.clean()
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages)) from None
    creating = rule.pk is None
    with transaction.atomic():
        if creating:
            rule.created_by = user
        rule.save()
        fields = _DESCRIBED if creating else [name for name in changed if hasattr(rule, name)]
        switched = not creating and "active" in fields
        events.record(
            actor=user,
            action="create_rule" if creating else "edit_rule",
            obj=rule,
            from_state=_on_off(not rule.active) if switched else "",
            to_state=_on_off(rule.active) if switched or creating else "",
            data={name: audit.plain(getattr(rule, name)) for name in fields},
        )
    return rule


def set_rule_active(user, rule: SensitivityRule, active: bool) -> SensitivityRule:
    """Switch a rule off (it flags nothing any more, and stays for the posts it flagged
    before) or on again. Switching it to what it is already changes nothing."""
    _require(user)
    with transaction.atomic():
        rule = SensitivityRule.objects.select_for_update().get(pk=rule.pk)
        if rule.active != active:
            rule.active = active
            rule.save(update_fields=["active"])
            events.record(
                actor=user,
                action="switch_on_rule" if active else "switch_off_rule",
                obj=rule,
                from_state=_on_off(not active),
                to_state=_on_off(active),
            )
    return rule


def delete_rule(user, rule: SensitivityRule) -> None:
    """Delete a rule. The posts it flagged stay flagged, with its topic and pattern as
    their reason; the audit keeps what the rule was."""
    _require(user)
    with transaction.atomic():
        rule = SensitivityRule.objects.select_for_update().get(pk=rule.pk)
        events.record(
            actor=user,
            action="delete_rule",
            obj=rule,
            from_state=_on_off(rule.active),
            data={name: audit.plain(getattr(rule, name)) for name in _DESCRIBED},
        )
        rule.delete()
