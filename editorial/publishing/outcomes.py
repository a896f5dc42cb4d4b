"""What happened to publications, made part of the record: outcomes audited, posts
settled (published, failed), and the outcomes a dead worker left unaudited found
(`unrecorded_outcomes`, for the reaper in `reconcile`).

Split from `sender` so that sending reads top to bottom; both sides keep to the rules
written in `sender`'s docstring.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime

from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Concat
from django.utils import timezone
from django_fsm import ConcurrentTransition

from editorial import audit, events
from editorial.channels.base import Result
from editorial.events import emit
from editorial.messages import Message, store
from editorial.models import AuditEntry, Post, PostState, Publication, PublicationState
from editorial.models.publishing import web_address
from editorial.publishing import alerts

log = logging.getLogger(__name__)
PS = PublicationState
OUTCOMES = [PS.SENT, PS.FAILED, PS.UNKNOWN]
NEEDS_A_PERSON = {PS.FAILED, PS.UNKNOWN}  # each is one WARNING line (`alerts`)
RESENT = "publication_resent"  # a person sent an unknown publication again
RETRIED = "publication_retried"  # a person sent a failed publication again
# What went wrong, stored for a person (`editorial.messages`); a longer one is shortened.
LAST_ERROR_LENGTH = 2000


def record_outcomes(ids: list[int]) -> list[int]:
    """Audit the outcomes (sent, failed, unknown) of publications `ids` that have no
    entry for it yet, and settle their posts, in one transaction: the posts locked (in
    id order), the entries appended under one lock of the chain head. Safe to run twice
    or concurrently for the same publications (the batch that sent them and the
    reaper's repair): the post locks serialize them and the second finds the entries
    written. Returns the ids of the posts settled."""
    ids = list(ids)
    if not ids:
        return []
    with transaction.atomic():
        post_ids = sorted(
            set(Publication.objects.filter(pk__in=ids).values_list("post_id", flat=True))
        )
        posts = {
            post.pk: post
            for post in Post.objects.select_for_update().filter(pk__in=post_ids).order_by("pk")
        }
        siblings = list(Publication.objects.filter(post_id__in=post_ids).select_related("channel"))
        wanted = set(ids)
        outcomes = [p for p in siblings if p.pk in wanted and p.state in OUTCOMES]
        unaudited = set(
            _without_entry(Publication.objects.filter(pk__in=[p.pk for p in outcomes])).values_list(
                "pk", flat=True
            )
        )
        outcomes = [p for p in outcomes if p.pk in unaudited]
        states: dict[int, set[str]] = defaultdict(set)
        for p in siblings:
            states[p.post_id].add(p.state)
        settled: dict[str, list[Post]] = defaultdict(list)
        for post in posts.values():
            target = _settled_state(post, states[post.pk])
            if target:
                settled[target].append(post)
        for target, group in settled.items():
            moved = Post.objects.filter(
                pk__in=[post.pk for post in group], state=PostState.PUBLISHING
            ).update(state=target, updated_at=timezone.now())
            if moved != len(group):  # impossible under the locks; never settle half
                raise ConcurrentTransition("A post moved while its lock was held.")
        entries, signals = [], []
        for p in sorted(outcomes, key=lambda p: p.pk):
            p.post = posts[p.post_id]
            entries.append(
                dict(
                    actor=None,
                    action=f"publication_{p.state}",
                    obj=p,
                    from_state=PS.SENDING,
                    to_state=p.state,
                    comment=p.last_error,
                    data={"external_id": p.external_id} if p.state == PS.SENT else None,
                )
            )
            signals.append((p, f"publication_{p.state}", PS.SENDING, p.state, p.last_error))
        for target, group in settled.items():
            for post in group:
                entries.append(
                    dict(
                        actor=None,
                        action=f"mark_{target}",
                        obj=post,
                        from_state=PostState.PUBLISHING,
                        to_state=target,
                    )
                )
                signals.append((post, f"mark_{target}", PostState.PUBLISHING, target, ""))
        # Audited last: the chain head's lock is then held only until the commit.
        recorded = audit.record_many(entries)
        for (obj, action, from_state, to_state, comment), entry in zip(
            signals, recorded, strict=True
        ):
            emit(obj, None, action, from_state, to_state, comment, entry=entry)
    for p in outcomes:
        if p.state in NEEDS_A_PERSON:
            alerts.publication_needs_a_person(p, p.state, p.last_error)
    return [post.pk for group in settled.values() for post in group]


def _settled_state(post: Post, states: set[str]) -> str | None:
    """settle()'s rule, on states already read: the post's new state, or None. Moves the
    in-memory post through its transition."""
    if post.state != PostState.PUBLISHING:
        return None
    if states == {PS.SENT}:
        post.mark_published()
        return PostState.PUBLISHED
    if PS.FAILED in states and not states & {PS.QUEUED, PS.RETRYING, PS.SENDING, PS.UNKNOWN}:
        post.mark_failed()
        return PostState.FAILED
    return None


def outcome_fields(
    state: str, now: datetime, *, error: Message | str = "", result: Result | None = None
) -> dict:
    """The columns an outcome writes, each cut to its column's size: a value too long
    would fail the write after the send, and lose what happened."""
    fields = {"state": state, "last_error": store(error, LAST_ERROR_LENGTH)}
    if result is not None:
        fields.update(
            external_id=result.external_id[:200],
            external_url=web_address(result.url)[:500],
            sent_at=now,
        )
    return fields


def finish(
    publication: Publication,
    state: str,
    now: datetime,
    *,
    error: Message | str = "",
    result: Result | None = None,
) -> str:
    """Record a final (or unknown) outcome and settle the post, in one transaction."""
    error = store(error, LAST_ERROR_LENGTH)
    with transaction.atomic():
        # Locking the post serializes the last publications of one post finishing at
        # once, so exactly one of them sees them all done and settles the post.
        post = Post.objects.select_for_update().get(pk=publication.post_id)
        fields = {**outcome_fields(state, now, error=error, result=result), "sending_since": None}
        if not Publication.objects.filter(pk=publication.pk, state=PS.SENDING).update(**fields):
            return "already settled"  # the reaper (or a person) got there first
        publication.state = state
        settled = settle(post)
        # Audited last: the chain head's lock, which every writer waits for, is then
        # held only until the commit.
        events.record(
            actor=None,
            action=f"publication_{state}",
            obj=publication,
            from_state=PS.SENDING,
            to_state=state,
            comment=error,
            data={"external_id": result.external_id} if result else None,
        )
        record_settled(post, settled, actor=None)
    if state in NEEDS_A_PERSON:
        alerts.publication_needs_a_person(publication, state, error)
    return state


def record_settled(post: Post, settled: str | None, *, actor) -> None:
    """The audit entry and signal of a post that `settle` just moved (if it did): written
    after the publication's own entry, so the history reads in order."""
    if settled:
        events.record(
            actor=actor,
            action=f"mark_{settled}",
            obj=post,
            from_state=PostState.PUBLISHING,
            to_state=settled,
        )


def settle(post: Post) -> str | None:
    """Published when every publication is sent; failed when one failed for good and
    none is still under way. An unknown outcome keeps the post publishing: a person
    decides. Returns the state the post moved to, if it moved."""
    states = set(post.publications.values_list("state", flat=True))
    if states == {PS.SENT}:
        transition, target = post.mark_published, PostState.PUBLISHED
    elif PS.FAILED in states and not states & {PS.QUEUED, PS.RETRYING, PS.SENDING, PS.UNKNOWN}:
        transition, target = post.mark_failed, PostState.FAILED
    else:
        return None
    if post.state != PostState.PUBLISHING:
        return None
    try:
        transition()
        post.save(update_fields=Post.WORKFLOW_FIELDS)
    except ConcurrentTransition:
        return None
    return target


def unrecorded_outcomes(limit: int = 500) -> list[int]:
    """Publications of posts still publishing whose outcome (sent, failed, unknown) has
    no audit entry: their batch has not finished, or its worker died before it could."""
    return list(
        _without_entry(
            Publication.objects.filter(state__in=OUTCOMES, post__state=PostState.PUBLISHING)
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def _without_entry(publications: QuerySet[Publication]) -> QuerySet[Publication]:
    """Those of `publications` whose current outcome has no audit entry yet, counting
    only entries written since a person last sent the publication again
    (`publication_resent`, `publication_retried`): its next outcome is a new one to
    record."""
    label = Publication._meta.label_lower
    last_resent = (
        AuditEntry.objects.filter(object_type=label, object_id=OuterRef(OuterRef("pk")))
        .filter(action__in=[RESENT, RETRIED])
        .order_by("-seq")
        .values("seq")[:1]
    )
    entry = AuditEntry.objects.filter(
        object_type=label,
        object_id=OuterRef("pk"),
        action=Concat(Value("publication_"), OuterRef("state"), output_field=CharField()),
        seq__gt=Coalesce(Subquery(last_resent), Value(0)),
    )
    return publications.exclude(Exists(entry))
