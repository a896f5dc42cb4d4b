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

if TYPE_CHECKING:
    from editorial.models import Post


def compute_content_hash(post: Post) -> str:
    """The fingerprint of the post's content as stored now (never of an in-memory copy,
    which may be stale or changed without being saved)."""
    body = type(post).objects.filter(pk=post.pk).values_list("body", flat=True).get()
    payload = {
        "body": body,
        "channels": sorted(post.channels.values_list("pk", flat=True)),
        "variants": sorted(post.variants.values_list("channel_id", "body")),
        "images": list(post.images.order_by("position", "pk").values_list("sha256", "alt_text")),
    }
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def text_for(post: Post, channel) -> str:
    """The text that goes out on `channel`: its variant if there is one, else the body."""
    variant = post.variants.filter(channel=channel).first()
    return variant.body if variant else post.body


def content_problems(post: Post) -> list[str]:
    """What in the content stops the post from going to review, one sentence each."""
    problems = []
    if not post.body.strip():
        problems.append(_("Write the text of the post."))
    channels = list(post.channels.select_related("department"))
    variants = dict(post.variants.values_list("channel_id", "body"))
    if not channels:
        problems.append(_("Choose at least one channel."))
    image_count = post.images.count()
    for image in post.images.all():
        if not image.alt_text.strip():
            problems.append(_("Every image needs an alternative text."))
            break
    for channel in channels:
        length = len(variants.get(channel.pk, post.body))
        if length > channel.text_limit:
            problems.append(
                _("%(channel)s accepts %(limit)s characters, the text has %(length)s.")
                % {"channel": channel, "limit": channel.text_limit, "length": length}
            )
        if image_count > channel.media_limit:
            problems.append(
                _("%(channel)s accepts %(limit)s images, the post has %(count)s.")
                % {"channel": channel, "limit": channel.media_limit, "count": image_count}
            )
        if not channel.is_active:
            problems.append(_("%(channel)s is not active.") % {"channel": channel})
        foreign = channel.department_id != post.origin_department_id
        if foreign and not channel.department.is_national:
            problems.append(
                _("%(channel)s belongs to another department.") % {"channel": channel}
            )
    return problems


def approved_hash(post: Post) -> str | None:
    """The content hash of the approval that let this post out, if it is approved."""
    latest = post.approvals.filter(voided_at__isnull=True).order_by("-created_at", "-pk").first()
    return latest.content_hash if latest else None


def content_matches_approval(post: Post) -> bool:
    """True only if the content in the database now is exactly what was approved."""
    expected = approved_hash(post)
    return expected is not None and expected == compute_content_hash(post)
