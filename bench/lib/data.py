"""Rows for the benchmarks, made fast (bulk inserts), but as the workflow leaves them: an
approved post has its channels and an Approval whose content hash is the one
`editorial.content.compute_content_hash` gives for it, so the publisher's checks pass
exactly as they would for a post approved by a person."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Department, User
from accounts.scope import create_department
from editorial.models import (
    Category,
    Channel,
    Network,
    Post,
    PostState,
    Publication,
    PublicationState,
)
from tests.factories import approved_in_bulk

FAR_FUTURE = timedelta(days=30)


@dataclass
class Fixtures:
    department: Department
    author: User
    approver: User
    channel: Channel


def make_fixtures(url: str) -> Fixtures:
    department = create_department("Bench national team", "bench", is_national=True)
    author = User.objects.create(username="bench-cm")
    approver = User.objects.create(username="bench-head")
    channel = webhook_channel("Bench loopback", "bench-loopback", department, url)
    return Fixtures(department, author, approver, channel)


def webhook_channel(name: str, handle: str, department, url: str) -> Channel:
    """A generic webhook channel to `url`, its address kept (encrypted) with a signing
    secret, as a channel saved from the workspace is."""
    channel = Channel(
        name=name,
        network=Network.WEBHOOK,
        handle=handle,
        department=department,
        settings={"webhook_format": "generic"},
    )
    channel.set_credentials({"endpoint_url": url, "signing_secret": "bench-only-signing-secret"})
    channel.save()
    return channel


@transaction.atomic
def approved_posts(
    fx: Fixtures, count: int, scheduled_at: datetime | None = None, label: str = "burst"
) -> list[int]:
    """`count` approved posts on the loopback channel, due at `scheduled_at` (default: far
    in the future, to be moved with `set_due`), built as the integration tests build
    theirs (tests.factories.approved_in_bulk). Returns their ids."""
    stamp = uuid.uuid4().hex[:8]
    posts = approved_in_bulk(
        count,
        channels=[fx.channel],
        author=fx.author,
        approver=fx.approver,
        scheduled_at=scheduled_at or timezone.now() + FAR_FUTURE,
        text=lambda i: f"Bench {label} {stamp}: message #{i} of {count}.",
    )
    return [post.pk for post in posts]


def set_due(ids: list[int], when: datetime) -> None:
    Post.objects.filter(pk__in=ids).update(scheduled_at=when)


@transaction.atomic
def baseline_publications(fx: Fixtures, count: int) -> list[tuple[int, str]]:
    """`count` queued publications for the bare baseline, on posts the scheduler never
    touches (already published). Returns (publication id, idempotency key) pairs."""
    stamp = uuid.uuid4().hex[:8]
    posts = Post.objects.bulk_create(
        Post(
            title=f"baseline {stamp} #{i}",
            body=f"Baseline {stamp} #{i}",
            category=Category.COLD_NEWS,
            scheduled_at=timezone.now() - timedelta(days=1),
            origin_department=fx.department,
            author=fx.author,
            last_editor=fx.author,
            state=PostState.PUBLISHED,
        )
        for i in range(count)
    )
    publications = Publication.objects.bulk_create(
        Publication(
            post=post, channel=fx.channel, content_hash="0" * 64, state=PublicationState.QUEUED
        )  # next_attempt_at NULL: never requeued
        for post in posts
    )
    return [(p.pk, str(p.idempotency_key)) for p in publications]
