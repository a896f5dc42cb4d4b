"""Why a due post may not go out now. When unsure, hold and tell a person."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q

from editorial import events
from editorial.blackouts import Blackouts, Target, blackout_message
from editorial.messages import Message, message, store
from editorial.models import BlackoutScope, Channel, Post, PublishingPause
from editorial.publishing import alerts

HELD_REASON_LENGTH = Post._meta.get_field("held_reason").max_length


def active_pauses(now: datetime, channel_ids: list[int] | None = None):
    pauses = PublishingPause.objects.active(now)
    if channel_ids is not None:
        pauses = pauses.filter(Q(channel__isnull=True) | Q(channel_id__in=channel_ids))
    return pauses


def director_required(now: datetime) -> bool:
    """Crisis mode raised the approval level: every post needs the director."""
    return active_pauses(now).filter(requires_director=True).exists()


def pause_reason(now: datetime, channel_ids: list[int]) -> Message | None:
    pause = (
        active_pauses(now, channel_ids)
        .filter(stops_publishing=True)
        .select_related("channel")
        .order_by(F("channel_id").asc(nulls_first=True))  # a global pause first
        .first()
    )
    return pause_message(pause) if pause else None


def pause_message(pause: PublishingPause) -> Message:
    """Why a post is held by `pause`, for the person who must release it (the reason as
    the person who paused typed it)."""
    if pause.channel is None:
        return message("paused", reason=pause.reason)
    return message("channel_paused", channel=pause.channel, reason=pause.reason)


class HoldRules:
    """Everything that decides holds, read once for a whole batch of due posts."""

    def __init__(self, now: datetime, until: datetime | None = None):
        """`until`: also read the blackout periods up to then (the pre-flight check)."""
        self.now = now
        pauses = list(active_pauses(now).filter(stops_publishing=True).select_related("channel"))
        self.global_pause = next((p for p in pauses if p.channel_id is None), None)
        self.channel_pauses = {p.channel_id: p for p in pauses if p.channel_id is not None}
        self.director_required = director_required(now)
        self.oldest_due = now - timedelta(minutes=settings.PUBLISHING_GRACE_MINUTES)
        self.blackouts = Blackouts(now, until)
        self.channel_departments: dict[int, int] = {}
        if any(p.scope == BlackoutScope.DEPARTMENTS for p, _c, _d in self.blackouts.periods):
            self.channel_departments = dict(Channel.objects.values_list("pk", "department_id"))

    def blackout(self, post: Post, channel_ids: list[int], when: datetime | None = None):
        """The blackout period in force now (or at `when`) that concerns `post`, or None."""
        departments = {post.origin_department_id}
        departments.update(
            self.channel_departments[pk] for pk in channel_ids if pk in self.channel_departments
        )
        target = Target(frozenset(channel_ids), frozenset(departments))
        return self.blackouts.find(when or self.now, target)

    def reason(
        self,
        post: Post,
        channel_ids: list[int],
        approved: str | None,
        current: str,
        director_signed: bool,
    ) -> Message | None:
        """The reason this due, approved post must be held, or None if it may go out."""
        if self.global_pause:
            return pause_message(self.global_pause)
        for channel_id in channel_ids:
            if pause := self.channel_pauses.get(channel_id):
                return pause_message(pause)
        period = self.blackout(post, channel_ids) if self.blackouts.periods else None
        if period is not None and (period.forbids or not director_signed):
            return blackout_message(period)
        if self.director_required and not director_signed:
            return message("crisis_needs_director")
        if post.scheduled_at < self.oldest_due:
            return message(
                "due_long_ago", due=post.scheduled_at, minutes=settings.PUBLISHING_GRACE_MINUTES
            )
        if approved is None or approved != current:
            return message("content_changed")
        return None


def hold_post(post: Post, reason: Message | str, now: datetime, channels=None) -> bool:
    """Hold `post` for a person (once: a post already held keeps its first reason).
    Runs inside the caller's transaction; once it commits, one WARNING line names the
    post, `channels` (default: the post's) and the reason."""
    stored = store(reason, HELD_REASON_LENGTH)
    held = Post.objects.filter(pk=post.pk, state=post.state, held_at__isnull=True).update(
        held_at=now, held_reason=stored
    )
    if held:
        transaction.on_commit(
            lambda: alerts.post_held(
                post, post.channels.all() if channels is None else channels, reason
            )
        )
        events.record(
            actor=None,
            action="hold",
            obj=post,
            from_state=post.state,
            to_state=post.state,
            comment=stored,
        )
    return bool(held)
