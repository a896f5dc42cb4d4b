"""A person sends a failed post's failed publications again.

A post fails when one of its publications failed for good (a network refused it, or
kept failing until the attempts ran out). When the cause is gone (a token renewed, a
network back), the community manager or the head of communication sends it again:
only the publications that failed are queued (what went out is never sent twice),
the post goes back to publishing, and the publisher sends them through every check of
a send (approved content, hold, pause, channel).

Retrying is offered only where it can work: not for a channel without an adapter yet
or one the post may no longer use (it would fail the same way), not for content that
differs from what was approved, not while a pause stops its channels, not in crisis
mode for a post the director has not signed off. What cannot be retried can be copied
to a new draft (`workflow.copies`).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from editorial import audit
from editorial.channels import ADAPTERS
from editorial.content import approved_hash, channel_access_problem, compute_content_hash
from editorial.events import emit
from editorial.models import ApprovalLevel, Post, PostState, Publication, PublicationState
from editorial.workflow.core import check
from editorial.workflow.errors import InvalidState, StaleObject

PS = PublicationState


def _failed_publications(post: Post) -> list[Publication]:
    # A list page prefetches them (`open_publications`): then asking costs no query.
    prefetched = getattr(post, "open_publications", None)
    if prefetched is not None:
        return [p for p in prefetched if p.state == PS.FAILED]
    return list(post.publications.filter(state=PS.FAILED).select_related("channel__department"))


def _channel_problem(post: Post, publication: Publication) -> str | None:
    """In the reader's language: shown on the page, never stored."""
    channel = publication.channel
    if channel.network not in ADAPTERS:
        return _("%(channel)s: Cadence cannot publish on %(network)s yet.") % {
            "channel": channel,
            "network": channel.get_network_display(),
        }
    problem = channel_access_problem(post, channel)
    return str(problem) if problem else None


def retryable(post: Post) -> list[Publication]:
    """The failed publications of `post` that sending again could get out."""
    return [p for p in _failed_publications(post) if _channel_problem(post, p) is None]


def retry_refusal(post: Post) -> str | None:
    """Why sending `post`'s failed publications again would not work now, or None."""
    from editorial.publishing.holds import director_required, pause_reason

    if post.state != PostState.FAILED:
        return _("Only a failed post can be sent again.")
    failed = _failed_publications(post)
    publications = [p for p in failed if _channel_problem(post, p) is None]
    if not publications:
        problems = [_channel_problem(post, p) for p in failed]
        return " ".join(
            [_("Sending it again would fail the same way:"), *map(str, filter(None, problems))]
        )
    expected = approved_hash(post)
    if expected is None or expected != compute_content_hash(post):
        return _("The content differs from what was approved: copy it to a new draft.")
    now = timezone.now()
    paused = pause_reason(now, [p.channel_id for p in publications])
    if paused:
        return str(paused)
    signed = post.approvals.filter(voided_at__isnull=True, level=ApprovalLevel.DIRECTOR)
    if director_required(now) and not signed.exists():
        return _("Crisis mode: every post needs the director's sign-off, and this one has none.")
    return None


def retry_failed(post: Post, user) -> list[Publication]:
    """Queue the failed publications of the failed `post` again and send them now.
    Returns the publications queued."""
    from editorial.publishing.outcomes import RETRIED
    from editorial.publishing.scheduler import enqueue_publications

    check(post, user, "retry_failed")
    with transaction.atomic():
        # The post's lock, as when the publisher settles it: one settling at a time.
        locked = Post.objects.select_for_update().get(pk=post.pk)
        if locked.state != post.state:
            post.refresh_from_db()
            raise StaleObject()
        problem = retry_refusal(locked)
        if problem:
            raise InvalidState(problem)
        publications = retryable(locked)
        now = timezone.now()
        lease = now + timedelta(seconds=settings.PUBLISHING_LEASE_SECONDS)
        requeued = Publication.objects.filter(
            pk__in=[p.pk for p in publications], state=PS.FAILED
        ).update(
            state=PS.QUEUED, attempts=0, next_attempt_at=lease, sending_since=None, last_error=""
        )
        if requeued != len(publications):  # impossible under the post's lock
            raise StaleObject()
        from_state = locked.state
        locked.retry_failed()
        # This person decided to send it now: a hold left from before is lifted with it.
        locked.held_at, locked.held_reason = None, ""
        locked.save(update_fields=Post.WORKFLOW_FIELDS)
        channels = [str(p.channel) for p in publications]
        audit.record_many(
            [
                dict(
                    actor=user,
                    action="retry_failed",
                    obj=locked,
                    from_state=from_state,
                    to_state=locked.state,
                    data={"channels": channels},
                ),
                # Each publication's own entry starts its new outcome's record (see
                # outcomes._without_entry): its next failure is audited again.
                *(
                    dict(
                        actor=user,
                        action=RETRIED,
                        obj=p,
                        from_state=PS.FAILED,
                        to_state=PS.QUEUED,
                        comment=p.last_error,
                    )
                    for p in publications
                ),
            ]
        )
        emit(locked, user, "retry_failed", from_state, locked.state)
        ids = [p.pk for p in publications]
        transaction.on_commit(lambda: enqueue_publications(ids))
    post.refresh_from_db()
    return publications
