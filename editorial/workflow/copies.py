"""Copy a post into a new draft: the way forward from a post that will not go out as it
is (failed, overdue, cancelled) or that went out and is worth saying again.

The copy is a new post, in draft, written by the person copying: same text, channel
variants, images, channels, category, department and campaign, and the sensitivity
flag (a copy of a sensitive post is just as sensitive). Nothing of the review comes
along: no approval, no plan, no urgency. It goes through the whole workflow again.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import department_ids_of
from editorial import events
from editorial.models import Post, PostImage, PostState
from editorial.models.posts import UNAPPROVED
from editorial.permissions import POST_RULES
from editorial.workflow.errors import ActionNotAllowed, InvalidInput, InvalidState

# Posts that will not (or no longer) go out as they are.
COPYABLE = (PostState.FAILED, PostState.CANCELLED, PostState.PUBLISHED)


def copyable(post: Post) -> bool:
    """Failed, cancelled, published, or overdue: never a post still on its way out,
    whose copy could go out beside it."""
    return post.state in COPYABLE or (post.state in UNAPPROVED and post.overdue_at is not None)


def copy_to_draft(post: Post, user, when: datetime | None = None) -> Post:
    """A new draft with `post`'s content, to go out at `when` (or at a time chosen
    later). Audited on both posts: the copy says where it comes from, the original
    where its copy is. Returns the copy."""
    from editorial.workflow.posts import create_post

    reason = POST_RULES["copy_to_draft"](post, user)
    if reason:
        raise ActionNotAllowed(reason)
    if when is not None and when <= timezone.now():
        raise InvalidInput(_("Choose a time in the future, or none."))
    with transaction.atomic():
        original = Post.objects.select_for_update().get(pk=post.pk)
        if not copyable(original):
            raise InvalidState(
                _("A post that is %(state)s is still on its way: it cannot be copied.")
                % {"state": original.get_state_display().lower()}
            )
        allowed = department_ids_of(user)
        channels = [c for c in original.channels.all() if c.department_id in allowed]
        variants = {
            v.channel: v.body
            for v in original.variants.select_related("channel")
            if v.channel in channels
        }
        images = list(original.images.all())

        def apply(copy: Post) -> None:
            for image in images:
                PostImage.objects.create(
                    post=copy,
                    image=image.image.name,  # the same file: its bytes and hash are the same
                    alt_text=image.alt_text,
                    position=image.position,
                    sha256=image.sha256,
                )
            copy.sensitive = original.sensitive
            copy.sensitive_reason = original.sensitive_reason
            copy.sensitivity_rule = original.sensitivity_rule
            # Whoever wrote the original's words wrote the copy's (four-eyes).
            copy.content_authors.add(original.author_id, *original.content_authors.all())

        copy = create_post(
            user,
            department=original.origin_department,
            channels=channels,
            variants=variants,
            apply=apply,
            audit_data={"copied_from": original.pk},
            title=original.title,
            body=original.body,
            category=original.category,
            campaign=original.campaign,
            scheduled_at=when,
        )
        events.record(
            actor=user,
            action="copy_to_draft",
            obj=original,
            from_state=original.state,
            to_state=original.state,
            data={"copy": copy.pk},
        )
    return copy
