"""What changed since the last review, for whoever reviews a post again: a word diff of
each channel's text against the text the last reviewer saw (kept in the review's audit
entry, see `workflow.review_snapshot`), and the comment they returned it with."""

from __future__ import annotations

import difflib
import re

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from editorial.models import AuditEntry, PostState

# The audit actions that record the text a reviewer saw (see workflow.review_snapshot).
REVIEWS = ("approve", "sign_off", "request_changes", "back_to_plan", "return_submission")
# The reviews that sent the post back with a comment for its writer.
RETURNS = ("request_changes", "back_to_plan", "return_submission")
# A post back in one of these states is read again by a reviewer.
AWAITING_REVIEW = (PostState.SUBMITTED, PostState.PENDING_APPROVAL, PostState.PENDING_SIGNOFF)
_TOKENS = re.compile(r"\s+|\S+")


def inline_diff(old: str, new: str) -> SafeString:
    """`new` with the words removed since `old` in <del> and the words added in <ins>,
    each announced to screen readers (strike-through alone says nothing to them)."""
    before, after = _TOKENS.findall(old), _TOKENS.findall(new)
    parts = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape("".join(after[j1:j2])))
            continue
        if op in ("delete", "replace"):
            parts.append(
                format_html(
                    '<del><span class="visually-hidden">{} </span>{}</del>',
                    _("removed:"),
                    "".join(before[i1:i2]),
                )
            )
        if op in ("insert", "replace"):
            parts.append(
                format_html(
                    '<ins><span class="visually-hidden">{} </span>{}</ins>',
                    _("added:"),
                    "".join(after[j1:j2]),
                )
            )
    return mark_safe("".join(parts))  # every piece above went through escape()


def last_reviews(posts) -> dict[int, AuditEntry]:
    """Each post's latest review entry that kept the text seen, in one query."""
    entries = AuditEntry.objects.filter(
        object_type="editorial.post",
        object_id__in=[p.pk for p in posts],
        action__in=REVIEWS,
        data__has_key="reviewed",
    ).order_by("seq")
    return {entry.object_id: entry for entry in entries}  # the latest wins


def changes_since(post, review: AuditEntry | None) -> list[dict]:
    """Per group of channels whose text changed since `review`: the channels and the
    diff. Channels, variants of `post` should be prefetched."""
    if review is None:
        return []
    seen = review.data["reviewed"]
    variants = {v.channel_id: v.body for v in post.variants.all()}
    changes: dict[tuple[str, str], list] = {}
    for channel in post.channels.all():
        text = variants.get(channel.pk, post.body)
        old = seen.get("variants", {}).get(str(channel.pk), seen.get("body", ""))
        if old != text:
            changes.setdefault((old, text), []).append(channel)
    return [
        {"channels": channels, "diff": inline_diff(old, text)}
        for (old, text), channels in changes.items()
    ]


def since_review(post, review: AuditEntry | None) -> dict | None:
    """For a post back under review: what changed since `review` (its last review) and
    the comment it was returned with, so the reviewer need not remember either."""
    if review is None or post.state not in AWAITING_REVIEW:
        return None
    return {
        "review": review,
        "changes": changes_since(post, review),
        "comment": returned_comment(review),
    }


def returned_comment(review: AuditEntry | None) -> str:
    """The comment the last review sent the post back with, if it did."""
    return review.comment if review is not None and review.action in RETURNS else ""
