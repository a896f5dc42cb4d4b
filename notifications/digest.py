"""The daily digest: one e-mail per person and local day, at NOTIFICATION_DIGEST_HOUR
of their own time zone (`User.time_zone`), for who asked for it (`wants_digest`) or
keeps some kind of notice for it.

A beat task runs every few minutes and writes the digest of each such person whose
local hour has passed today and who has none for today's local date: the digest is a
notice keyed by person and local date, so a beat that was down catches up once (today's
digest, late) and never twice. Its content is read when the e-mail is built: what
awaits the person (the inbox's own query), what goes out today on their channels,
what failed yesterday, and the notices kept for the digest since the last one.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from editorial.access import visible_posts
from editorial.inbox import awaiting
from editorial.models import PostState
from notifications import messages
from notifications.models import Channel, Choice, Delivery, Kind, Notification, Preferences

S = PostState
# Rows per part of a digest: it says how many more there are beyond.
ROWS = 20


def zone_of(user) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(user.time_zone or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def digest_key(user_id: int, day: date) -> str:
    return f"digest:user:{user_id}:{day.isoformat()}"


def due_day(user, now: datetime) -> date | None:
    """The local date whose digest `user` is owed at `now`, or None before the hour."""
    local = now.astimezone(zone_of(user))
    if local.time() < time(settings.NOTIFICATION_DIGEST_HOUR):
        return None
    return local.date()


def write_due(now: datetime | None = None) -> int:
    """Write the digests owed now (a notice and its e-mail each); returns how many. A
    fixed number of queries, whatever the number of people and posts."""
    from notifications.notify import enqueue

    now = now or timezone.now()
    owed = {}
    for prefs in Preferences.objects.select_related("user").filter(user__is_active=True):
        user = prefs.user
        day = due_day(user, now) if prefs.gets_digest and user.email else None
        if day is not None:
            owed[digest_key(user.pk, day)] = (user, day)
    if not owed:
        return 0
    with transaction.atomic():
        known = set(Notification.objects.filter(key__in=owed).values_list("key", flat=True))
        rows = [
            Notification(
                recipient=user,
                kind=Kind.DIGEST,
                message=Kind.DIGEST,
                params={"date": day.isoformat()},
                key=key,
                created_at=now,
                read_at=now,  # an e-mail, not something left to read under the bell
            )
            for key, (user, day) in owed.items()
            if key not in known
        ]
        if not rows:
            return 0
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        written = Notification.objects.filter(key__in=[row.key for row in rows])
        emails = [
            Delivery(notification=n, channel=Channel.EMAIL, key=f"{n.key}:email") for n in written
        ]
        Delivery.objects.bulk_create(emails, ignore_conflicts=True)
        pending = list(
            Delivery.objects.filter(
                key__in=[f"{row.key}:email" for row in rows], state=Delivery.State.PENDING
            ).values_list("pk", flat=True)
        )
        transaction.on_commit(lambda: enqueue(pending))
    return len(rows)


def _day_bounds(day: date, zone) -> tuple[datetime, datetime]:
    """The instants a local day starts and ends (23 or 25 hours on a DST change)."""
    start = datetime.combine(day, time(), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=zone)
    return start, end


def _bounded(queryset) -> tuple[list, int]:
    """At most ROWS rows, and how many more there are (counted always: the same
    queries whatever the number of rows)."""
    return list(queryset[:ROWS]), max(0, queryset.count() - ROWS)


def content(notification: Notification) -> dict:
    """What the digest of `notification` says (read when its e-mail is built)."""
    user = notification.recipient
    zone = zone_of(user)
    day = date.fromisoformat(notification.params["date"])
    start, end = _day_bounds(day, zone)
    yesterday_start, _ = _day_bounds(day - timedelta(days=1), zone)
    mine = visible_posts(user)
    kept = kept_notices(notification)
    for notice in kept:
        notice.headline = messages.headline(notice.message, notice.params)
    waiting, more_waiting = _bounded(awaiting(user))
    today, more_today = _bounded(
        mine.filter(
            state__in=[S.APPROVED, S.PUBLISHING, S.PUBLISHED],
            scheduled_at__gte=start,
            scheduled_at__lt=end,
        ).order_by("scheduled_at", "pk")
    )
    failed, more_failed = _bounded(
        mine.filter(
            state=S.FAILED, scheduled_at__gte=yesterday_start, scheduled_at__lt=start
        ).order_by("scheduled_at", "pk")
    )
    return {
        "day": day,
        "waiting": waiting,
        "more_waiting": more_waiting,
        "today": today,
        "more_today": more_today,
        "failed": failed,
        "more_failed": more_failed,
        "kept": kept,
    }


def kept_notices(notification: Notification) -> list[Notification]:
    """The person's notices of the kinds they keep for the digest, since their last one
    (or the last day)."""
    user = notification.recipient
    try:
        prefs = user.notification_preferences
    except Preferences.DoesNotExist:
        return []
    kinds = [kind for kind, choice in prefs.choices.items() if choice == Choice.DIGEST]
    if not kinds:
        return []
    previous = (
        Notification.objects.filter(
            recipient=user, kind=Kind.DIGEST, created_at__lt=notification.created_at
        )
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    since = previous or notification.created_at - timedelta(days=1)
    return list(
        Notification.objects.filter(
            recipient=user,
            kind__in=kinds,
            created_at__gte=since,
            created_at__lte=notification.created_at,
        ).order_by("created_at", "pk")[: ROWS * 2]
    )
