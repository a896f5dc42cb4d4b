"""Blackout periods: created, changed and ended here, by the page, the admin and any
other caller. A period created (or changed) over posts already approved inside it holds
them, as a pause does: each must then be confirmed or given another time by a person,
and each hold is an event their owners are told of."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from editorial import events
from editorial.blackouts import blackout_message
from editorial.models import (
    ApprovalLevel,
    Blackout,
    BlackoutRule,
    BlackoutScope,
    Post,
    PostState,
)
from editorial.permissions import deny_manage_blackouts
from editorial.publishing.holds import hold_post
from editorial.workflow.errors import ActionNotAllowed, InvalidInput, InvalidState
from editorial.workflow.texts import REASON_MAX, clean_text

NAME_MAX = Blackout._meta.get_field("name").max_length


def _require(user) -> None:
    if reason := deny_manage_blackouts(user):
        raise ActionNotAllowed(reason)


def _clean(
    name, reason, starts_at, ends_at, rule, scope, channels, departments
) -> tuple[dict, list, list]:
    name = clean_text(name, max_length=NAME_MAX, required=_("Give the period a name."))
    reason = clean_text(reason or "", max_length=REASON_MAX)
    if starts_at is None or ends_at is None:
        raise InvalidInput(_("Say when the period starts and ends."))
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise InvalidInput(_("Say when the period starts and ends."))
    if ends_at <= starts_at:
        raise InvalidInput(_("The period must end after it starts."))
    if rule not in BlackoutRule.values:
        raise InvalidInput(_("Choose what the period forbids."))
    if scope not in BlackoutScope.values:
        raise InvalidInput(_("Choose what the period applies to."))
    channels, departments = list(channels or ()), list(departments or ())
    if scope == BlackoutScope.CHANNELS and not channels:
        raise InvalidInput(_("Choose the channels the period applies to."))
    if scope == BlackoutScope.DEPARTMENTS and not departments:
        raise InvalidInput(_("Choose the departments the period applies to."))
    if scope != BlackoutScope.CHANNELS:
        channels = []
    if scope != BlackoutScope.DEPARTMENTS:
        departments = []
    fields = dict(
        name=name, reason=reason, starts_at=starts_at, ends_at=ends_at, rule=rule, scope=scope
    )
    return fields, channels, departments


def _data(period: Blackout, channels: list, departments: list, held: list[int]) -> dict:
    return {
        "rule": period.rule,
        "scope": period.scope,
        "starts_at": period.starts_at.isoformat(),
        "ends_at": period.ends_at.isoformat(),
        "channels": [c.pk for c in channels],
        "departments": [d.pk for d in departments],
        "held": held,
    }


def create_blackout(
    user,
    *,
    name: str,
    starts_at: datetime,
    ends_at: datetime,
    rule: str,
    scope: str = BlackoutScope.ALL,
    reason: str = "",
    channels: Iterable = (),
    departments: Iterable = (),
) -> Blackout:
    """A new period; approved posts already inside it are held."""
    _require(user)
    fields, channels, departments = _clean(
        name, reason, starts_at, ends_at, rule, scope, channels, departments
    )
    if ends_at <= timezone.now():
        raise InvalidInput(_("The period must end in the future."))
    with transaction.atomic():
        period = Blackout.objects.create(created_by=user, **fields)
        period.channels.set(channels)
        period.departments.set(departments)
        held = hold_posts_inside(period)
        events.record(
            actor=user,
            action="blackout_create",
            obj=period,
            to_state="active",
            comment=period.reason,
            data=_data(period, channels, departments, held),
        )
    period.held_ids = held  # for the page to say how many posts it held
    return period


def change_blackout(
    period: Blackout,
    user,
    *,
    name: str,
    starts_at: datetime,
    ends_at: datetime,
    rule: str,
    scope: str = BlackoutScope.ALL,
    reason: str = "",
    channels: Iterable = (),
    departments: Iterable = (),
) -> Blackout:
    """Change a period in force; approved posts it now covers are held (posts it no
    longer covers stay held until a person releases them, as after a pause)."""
    _require(user)
    fields, channels, departments = _clean(
        name, reason, starts_at, ends_at, rule, scope, channels, departments
    )
    with transaction.atomic():
        locked = Blackout.objects.select_for_update().get(pk=period.pk)
        if locked.ended_at is not None:
            raise InvalidState(_("This blackout period has already ended."))
        for field, value in fields.items():
            setattr(period, field, value)
        period.save()
        period.channels.set(channels)
        period.departments.set(departments)
        held = hold_posts_inside(period)
        events.record(
            actor=user,
            action="blackout_change",
            obj=period,
            from_state="active",
            to_state="active",
            comment=period.reason,
            data=_data(period, channels, departments, held),
        )
    period.held_ids = held  # for the page to say how many posts it held
    return period


def end_blackout(period: Blackout, user) -> None:
    """End a period now (or call off one not started yet): it no longer applies. Posts
    it held stay held until a person confirms or reschedules each."""
    _require(user)
    with transaction.atomic():
        now = timezone.now()
        ended = Blackout.objects.filter(pk=period.pk, ended_at__isnull=True).update(
            ended_at=now, ended_by=user
        )
        if not ended:
            raise InvalidState(_("This blackout period has already ended."))
        events.record(
            actor=user, action="blackout_end", obj=period, from_state="active", to_state="ended"
        )
    period.refresh_from_db()


def posts_inside(period: Blackout):
    """The approved posts, not held, whose time the period covers and that it concerns
    (for a `signoff` period, those the director has not signed off)."""
    posts = Post.objects.filter(
        state=PostState.APPROVED,
        held_at__isnull=True,
        scheduled_at__gte=period.starts_at,
        scheduled_at__lt=period.ends_at,
    )
    if period.scope == BlackoutScope.CHANNELS:
        posts = posts.filter(channels__in=period.channels.all())
    elif period.scope == BlackoutScope.DEPARTMENTS:
        departments = period.departments.all()
        posts = posts.filter(
            Q(origin_department__in=departments) | Q(channels__department__in=departments)
        )
    if period.rule == BlackoutRule.SIGNOFF:
        signed = Post.objects.filter(
            approvals__level=ApprovalLevel.DIRECTOR, approvals__voided_at__isnull=True
        )
        posts = posts.exclude(pk__in=signed.values("pk"))
    return Post.objects.filter(pk__in=posts.values("pk")).order_by("scheduled_at", "pk")


def hold_posts_inside(period: Blackout) -> list[int]:
    """Hold the posts `posts_inside` the period (in the caller's transaction); their
    ids."""
    now, reason = timezone.now(), blackout_message(period)
    held = []
    for post in posts_inside(period).select_for_update(of=("self",)):
        if hold_post(post, reason, now):
            held.append(post.pk)
    return held
