"""Rows for the benchmarks, made fast (bulk inserts), but as the workflow leaves them: an
approved post has its channels and an Approval whose content hash is the one
`editorial.content.compute_content_hash` gives for it, so the publisher's checks pass
exactly as they would for a post approved by a person."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Department, User
from accounts.scope import create_department
from editorial.content import compute_content_hash
from editorial.models import (
    Approval,
    ApprovalLevel,
    Category,
    Channel,
    Network,
    Post,
    PostState,
    Publication,
    PublicationState,
)

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
    channel = Channel.objects.create(
        name="Bench loopback",
        network=Network.WEBHOOK,
        handle="bench-loopback",
        department=department,
        endpoint_url=url,
    )
    return Fixtures(department, author, approver, channel)


def _hash_like_compute_content_hash(body: str, channel_ids: list[int]) -> str:
    """What compute_content_hash gives for a post with this body and these channels and
    no variant or image; checked against the real function below, never trusted."""
    payload = {"body": body, "channels": sorted(channel_ids), "variants": [], "images": []}
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@transaction.atomic
def approved_posts(
    fx: Fixtures, count: int, scheduled_at: datetime | None = None, label: str = "burst"
) -> list[int]:
    """`count` approved posts on the loopback channel, due at `scheduled_at` (default: far
    in the future, to be moved with `set_due`). Returns their ids."""
    when = scheduled_at or timezone.now() + FAR_FUTURE
    stamp = uuid.uuid4().hex[:8]
    posts = Post.objects.bulk_create(
        Post(
            title=f"{label} {stamp} #{i}",
            body=f"Bench {label} {stamp}: message #{i} of {count}.",
            category=Category.COLD_NEWS,
            scheduled_at=when,
            origin_department=fx.department,
            author=fx.author,
            last_editor=fx.author,
            state=PostState.APPROVED,
        )
        for i in range(count)
    )
    through = Post.channels.through
    through.objects.bulk_create(
        through(post_id=post.pk, channel_id=fx.channel.pk) for post in posts
    )
    hashes = {
        post.pk: _hash_like_compute_content_hash(post.body, [fx.channel.pk]) for post in posts
    }
    if any(compute_content_hash(post) != hashes[post.pk] for post in (posts[0], posts[-1])):
        # The hash's recipe changed: fall back to the real function for every post.
        hashes = {post.pk: compute_content_hash(post) for post in posts}
    for post in posts:
        post.content_hash = hashes[post.pk]
    Post.objects.bulk_update(posts, ["content_hash"], batch_size=1000)
    Approval.objects.bulk_create(
        Approval(
            post=post, approver=fx.approver, level=ApprovalLevel.HEAD, content_hash=hashes[post.pk]
        )
        for post in posts
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
