"""Which blackout periods apply to a post at a time, and what they say.

A period concerns a post when its scope is every channel; or one of the post's channels
is among its channels; or the post's department, or the department of one of its
channels, is among its departments. Periods are read once per question (a handful of
queries whatever the number of posts asked about): `Blackouts` holds those overlapping
a range, with their channels and departments, and answers for each post in memory.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from editorial.messages import Message, message, render
from editorial.models import Blackout, BlackoutRule, BlackoutScope


@dataclass(frozen=True)
class Target:
    """What a period's scope is matched against: a post's channels and departments."""

    channel_ids: frozenset[int]
    department_ids: frozenset[int]

    @classmethod
    def of(cls, post, channels: Iterable | None = None) -> Target:
        channels = list(post.channels.all() if channels is None else channels)
        return cls(
            frozenset(channel.pk for channel in channels),
            frozenset({post.origin_department_id, *(c.department_id for c in channels)}),
        )


class Blackouts:
    """The periods in force overlapping [start, end] (three queries)."""

    def __init__(self, start: datetime, end: datetime | None = None, periods=None):
        if periods is None:
            periods = Blackout.objects.covering(start, end).prefetch_related(
                "channels", "departments"
            )
        self.periods = []
        for period in periods:
            channel_ids = frozenset(c.pk for c in period.channels.all())
            department_ids = frozenset(d.pk for d in period.departments.all())
            self.periods.append((period, channel_ids, department_ids))

    def find(self, when: datetime, target: Target, rule: str | None = None) -> Blackout | None:
        """The first period covering `when` that concerns `target` (a `forbid` one
        first), or None."""
        found = [
            period
            for period, channel_ids, department_ids in self.periods
            if period.starts_at <= when < period.ends_at
            and (rule is None or period.rule == rule)
            and _concerns(period, channel_ids, department_ids, target)
        ]
        found.sort(key=lambda p: (p.rule != BlackoutRule.FORBID, p.starts_at, p.pk))
        return found[0] if found else None


def _concerns(period: Blackout, channel_ids, department_ids, target: Target) -> bool:
    if period.scope == BlackoutScope.ALL:
        return True
    if period.scope == BlackoutScope.CHANNELS:
        return bool(channel_ids & target.channel_ids)
    return bool(department_ids & target.department_ids)


def concerns(period: Blackout, target: Target) -> bool:
    return _concerns(
        period,
        frozenset(c.pk for c in period.channels.all()),
        frozenset(d.pk for d in period.departments.all()),
        target,
    )


def blackout_at(post, when: datetime, channels=None, rule: str | None = None) -> Blackout | None:
    """The period that applies to `post` (on `channels`, default its own) at `when`."""
    if when is None:
        return None
    return Blackouts(when).find(when, Target.of(post, channels), rule)


def blackout_message(period: Blackout) -> Message:
    """Why a post is held or refused by `period`, stored for later readers."""
    code = "blackout_forbid" if period.forbids else "blackout_signoff"
    return message(code, name=period.name, start=period.starts_at, end=period.ends_at)


def refusal(period: Blackout) -> str:
    """The refusal of a time inside a `forbid` period, in the reader's language."""
    return _("%(period)s Choose another time.") % {"period": render(blackout_message(period))}
