"""What a post says, as one fingerprint, and whether each channel can carry it.

An approval is bound to the SHA-256 of the exact content it approved: main text,
per-channel variants, target channels and images (their bytes and alt text). The
publisher recomputes it from the database just before sending and refuses any post
whose content no longer matches what was approved.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from editorial.messages import Message, message

if TYPE_CHECKING:
    from editorial.models import Post


def compute_content_hash(post: Post) -> str:
    """The fingerprint of the post's content as stored now (never of an in-memory copy,
    which may be stale or changed without being saved)."""
    return compute_content_hashes([post.pk])[post.pk]


def compute_content_hashes(post_ids: list[int]) -> dict[int, str]:
    """The content fingerprints of many posts at once, in four queries."""
    from editorial.models import Post, PostImage, PostVariant

    payloads = {
        pk: {"body": body, "channels": [], "variants": [], "images": []}
        for pk, body in Post.objects.filter(pk__in=post_ids).values_list("pk", "body")
    }
    for pk, channel_id in Post.channels.through.objects.filter(post_id__in=post_ids).values_list(
        "post_id", "channel_id"
    ):
        payloads[pk]["channels"].append(channel_id)
    for pk, channel_id, body in PostVariant.objects.filter(post_id__in=post_ids).values_list(
        "post_id", "channel_id", "body"
    ):
        payloads[pk]["variants"].append((channel_id, body))
    for pk, sha256, alt_text in (
        PostImage.objects.filter(post_id__in=post_ids)
        .order_by("position", "pk")
        .values_list("post_id", "sha256", "alt_text")
    ):
        payloads[pk]["images"].append((sha256, alt_text))
    return {pk: _fingerprint(payload) for pk, payload in payloads.items()}


def shown_hash(post: Post) -> str:
    """The fingerprint of the content as loaded with `post`: its body and the channels,
    variants and images fetched with it (prefetch them). A page that shows those same
    objects sends this back with an approval: the hash of exactly what it showed, not
    of what the database holds a moment later."""
    return _fingerprint(
        {
            "body": post.body,
            "channels": [channel.pk for channel in post.channels.all()],
            "variants": [(variant.channel_id, variant.body) for variant in post.variants.all()],
            # PostImage's own ordering (position, pk), as compute_content_hashes reads them.
            "images": [(image.sha256, image.alt_text) for image in post.images.all()],
        }
    )


def _fingerprint(payload: dict) -> str:
    payload["channels"].sort()
    payload["variants"].sort()
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def text_for(post: Post, channel) -> str:
    """The text that goes out on `channel`: its variant if there is one, else the body."""
    variant = post.variants.filter(channel=channel).first()
    return variant.body if variant else post.body


def content_problems(post: Post) -> list[str]:
    """What in the content stops the post from going to review, one sentence each."""
    from editorial.channels import adapter_for

    problems = []
    if not post.body.strip():
        problems.append(_("Write the text of the post."))
    channels = list(post.channels.select_related("department"))
    variants = dict(post.variants.values_list("channel_id", "body"))
    if not channels:
        problems.append(_("Choose at least one channel."))
    from editorial.channels.base import Image

    images = [Image(path=i.image.name, alt_text=i.alt_text) for i in post.images.all()]
    if any(not image.alt_text.strip() for image in images):
        problems.append(_("Every image needs an alternative text."))
    for channel in channels:
        text = variants.get(channel.pk, post.body)
        problems.extend(network_problems(adapter_for(channel), text, images))
        access = channel_access_problem(post, channel)
        if access:
            problems.append(str(access))
    return problems


def network_problems(adapter, text: str, images) -> list[str]:
    """What the channel's network refuses in this text and these images: its limits and
    rules, one sentence each. The submission's check and the editor's live verdicts
    (`editorial.verdicts`) both ask this, so they cannot disagree."""
    return [*adapter.validate(text, len(images)), *adapter.validate_images(images)]


def publishing_networks() -> frozenset[str]:
    """The networks a connector (adapter) can publish to today."""
    from editorial.channels import ADAPTERS

    return frozenset(ADAPTERS)


def channel_publish_problem(channel) -> Message | None:
    """Why nothing can go out on `channel`, whoever writes: it is switched off, its
    network has no connector yet, the network refused its credentials (needs
    reconnecting), or it is not connected (settings or credentials missing or
    unreadable). The editor does not offer such a channel, the review refuses a post
    aimed at it, and the publisher would refuse it at the slot."""
    if not channel.is_active:
        return message("channel_inactive", channel=channel)
    if channel.network not in publishing_networks():
        return message("channel_no_connector", channel=channel, network=channel.network)
    if channel.needs_reconnecting:
        return message("channel_needs_reconnecting", channel=channel)
    from editorial.channels import adapter_for

    return adapter_for(channel).connection_problem()


def channel_access_problem(post: Post, channel) -> Message | None:
    """Why `post` may not go out on `channel` at all: the channel cannot publish (see
    `channel_publish_problem`), or it is another department's (a department posts on its
    own channels and the national team's). Asked before review, and again by the
    publisher just before each send: an account switched off or handed to another team
    after the approval gets nothing. A message, since the publisher stores it for a
    person to read later."""
    problem = channel_publish_problem(channel)
    if problem:
        return problem
    foreign = channel.department_id != post.origin_department_id
    if foreign and not channel.department.is_national:
        return message("channel_foreign", channel=channel)
    return None


def approved_hash(post: Post) -> str | None:
    """The content hash of the approval that let this post out, if it is approved."""
    latest = post.approvals.filter(voided_at__isnull=True).order_by("-created_at", "-pk").first()
    return latest.content_hash if latest else None


def content_matches_approval(post: Post) -> bool:
    """True only if the content in the database now is exactly what was approved."""
    expected = approved_hash(post)
    return expected is not None and expected == compute_content_hash(post)
