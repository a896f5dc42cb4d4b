"""Pre-flight checks before each slot, and the alert for a post late past its slot.

A few minutes before a slot (`PREFLIGHT_MINUTES`), every approved post due in that
window is checked as the publisher will check it then: its channels' credentials still
work (the adapter's `check_credentials`, cached a few minutes per channel and
credentials, for adapters that can tell), its approval still matches its content, and
no pause or blackout period will stop it. A problem is one audit entry per post and
slot (`preflight_problem`), which tells the community managers and the head of
communication while there is still time to act. A post still not published
`LATE_POST_MINUTES` after its slot, whatever the reason, is one `post_late` entry.

Each run reads its posts over an index and everything else in a constant number of
queries, whatever their number; a `PostAlert` row per post, kind and slot makes a run
that repeats (or runs twice at once) alert once.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from editorial import audit
from editorial.blackouts import blackout_message
from editorial.channels import adapter_for
from editorial.channels.base import PublishError
from editorial.events import emit
from editorial.messages import Message, load, message
from editorial.models import Channel, Post, PostAlert, PostState
from editorial.publishing.alerts import english
from editorial.publishing.holds import HoldRules, pause_message

PREFLIGHT, LATE = PostAlert.Kind.PREFLIGHT, PostAlert.Kind.LATE
# How far back the late-post check looks: a slot missed longer ago was alerted then.
LATE_LOOKBACK = timedelta(days=1)
BATCH = 500


def _not_alerted(kind: str):
    return ~Exists(
        PostAlert.objects.filter(post=OuterRef("pk"), kind=kind, slot=OuterRef("scheduled_at"))
    )


def due_soon(now: datetime):
    """Approved posts due within the pre-flight window, not alerted yet for this slot
    (the publishing sweep's partial index: approved, not held, by time)."""
    until = now + timedelta(minutes=settings.PREFLIGHT_MINUTES)
    return (
        Post.objects.filter(
            state=PostState.APPROVED,
            held_at__isnull=True,
            scheduled_at__gt=now,
            scheduled_at__lte=until,
        )
        .filter(_not_alerted(PREFLIGHT))
        .order_by("scheduled_at", "pk")
    )


def late(now: datetime):
    """Posts whose slot passed `LATE_POST_MINUTES` ago and that are still not out
    (approved, held or not, or stuck publishing), not alerted yet for this slot."""
    before = now - timedelta(minutes=settings.LATE_POST_MINUTES)
    return (
        Post.objects.filter(
            state__in=[PostState.APPROVED, PostState.PUBLISHING],
            scheduled_at__lte=before,
            scheduled_at__gt=before - LATE_LOOKBACK,
        )
        .filter(_not_alerted(LATE))
        .order_by("scheduled_at", "pk")
    )


def run_preflight(now: datetime | None = None) -> list[int]:
    """Check the posts due soon; the ids of those alerted now."""
    from editorial.publishing.scheduler import ClaimFacts

    now = now or timezone.now()
    posts = list(due_soon(now)[:BATCH])
    if not posts:
        return []
    facts = ClaimFacts([post.pk for post in posts])
    channel_ids = {pk for ids in facts.channels.values() for pk in ids}
    channels = {c.pk: c for c in Channel.objects.filter(pk__in=channel_ids)}
    rules = HoldRules(now, until=now + timedelta(minutes=settings.PREFLIGHT_MINUTES))
    found = []
    for post in posts:
        problems = _problems(post, facts, channels, rules)
        if problems:
            found.append((post, problems))
    return _alert(found, PREFLIGHT, now)


def run_late_check(now: datetime | None = None) -> list[int]:
    """Alert once for each post late past its slot; the ids alerted now."""
    now = now or timezone.now()
    found = []
    for post in late(now)[:BATCH]:
        # Held: why, in the entry; otherwise the publications' page says what happened.
        found.append((post, [load(post.held_reason)] if post.held_at else []))
    return _alert(found, LATE, now)


def _problems(post: Post, facts, channels: dict, rules: HoldRules) -> list[Message]:
    problems: list[Message] = []
    ids = facts.channels[post.pk]
    for pk in ids:
        if pause := rules.channel_pauses.get(pk):
            problems.append(pause_message(pause))
    if rules.global_pause:
        problems.append(pause_message(rules.global_pause))
    # The blackout period that will apply at the slot, not now.
    period = rules.blackout(post, ids, post.scheduled_at)
    director_signed = post.pk in facts.director_signed
    if period is not None and (period.forbids or not director_signed):
        problems.append(blackout_message(period))
    if rules.director_required and not director_signed:
        problems.append(message("crisis_needs_director"))
    approved = facts.approved.get(post.pk)
    if approved is None or approved != facts.current[post.pk]:
        problems.append(message("content_changed"))
    for pk in ids:
        if problem := credentials_problem(channels[pk]):
            problems.append(problem)
    return problems


def credentials_problem(channel: Channel) -> Message | str | None:
    """Why `channel` cannot publish now (switched off, to reconnect, credentials the
    network refuses), or None. The network is asked at most once per channel and
    credentials every `PREFLIGHT_CREDENTIALS_CACHE_SECONDS`."""
    if not channel.is_active:
        return message("channel_inactive", channel=channel)
    adapter = adapter_for(channel)
    if not adapter.checks_connection:
        return None
    # Keyed by the ciphertext's digest: new credentials are checked afresh.
    digest = hashlib.sha256(channel.encrypted_credentials.encode()).hexdigest()[:16]
    key = f"preflight:credentials:{channel.pk}:{digest}"
    cached = cache.get(key)
    if cached is not None:
        return cached or None
    try:
        adapter.check_credentials()
        problem = ""
    except PublishError as exc:
        problem = exc.message
    cache.set(key, problem, settings.PREFLIGHT_CREDENTIALS_CACHE_SECONDS)
    return problem or None


def _alert(found: list[tuple[Post, list]], kind: str, now: datetime) -> list[int]:
    """One `PostAlert` and one audit entry per post (a post another run alerted first
    is skipped), and their signals once committed: a constant number of statements."""
    if not found:
        return []
    action = "preflight_problem" if kind == PREFLIGHT else "post_late"
    with transaction.atomic():
        PostAlert.objects.bulk_create(
            [
                PostAlert(post=post, kind=kind, slot=post.scheduled_at, created_at=now)
                for post, _p in found
            ],
            ignore_conflicts=True,
        )
        mine = set(
            PostAlert.objects.filter(
                kind=kind, created_at=now, post_id__in=[post.pk for post, _p in found]
            ).values_list("post_id", flat=True)
        )
        items = [
            dict(
                actor=None,
                action=action,
                obj=post,
                from_state=post.state,
                to_state=post.state,
                comment=" ".join(english(p) for p in problems),
                data={"slot": post.scheduled_at.isoformat(), "problems": len(problems)},
            )
            for post, problems in found
            if post.pk in mine
        ]
        entries = audit.record_many(items)
        for item, entry in zip(items, entries, strict=True):
            emit(
                item["obj"],
                None,
                action,
                item["from_state"],
                item["to_state"],
                item["comment"],
                entry=entry,
            )
    return [item["obj"].pk for item in items]
