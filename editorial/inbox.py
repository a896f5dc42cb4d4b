"""What awaits a user: the posts only they (or people in their role) can move on.

One query, used by the header's counter and by the approval inbox, so the number in
the header is always the number of rows the inbox shows. Each kind of row is built
from the rule in `editorial.permissions` that lets the user act on it, in its query
form (`offered_q` for the buttons a page offers): the inbox lists a post for approval
exactly when its page offers the user Approve or Sign off.
"""

from __future__ import annotations

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber

from editorial.access import visible_posts
from editorial.models import BY_SCHEDULE, AuditEntry, Post, PostState, Publication, PublicationState
from editorial.models.posts import FREELY_EDITABLE, UNAPPROVED, UNDER_REVIEW
from editorial.permissions import (
    POST_RULES,
    edit_q,
    overdue_followup_q,
    release_hold_q,
    resolve_publication_q,
    retry_failed_q,
)
from editorial.workflow.actions import offered_q
from editorial.workflow.core import may
from editorial.workflow.failed import retry_refusal

S = PostState


def _unknown_outcome() -> Exists:
    return Exists(Publication.objects.filter(post=OuterRef("pk"), state=PublicationState.UNKNOWN))


def _copied_since_it_stopped() -> Exists:
    """Someone copied the post to a new draft after it failed or became overdue: that
    was the follow-up, it no longer waits for anyone."""
    label = Post._meta.label_lower
    stopped = (
        AuditEntry.objects.filter(object_type=label, object_id=OuterRef(OuterRef("pk")))
        .filter(action__in=["mark_failed", "mark_overdue"])
        .order_by("-seq")
        .values("seq")[:1]
    )
    return Exists(
        AuditEntry.objects.filter(
            object_type=label,
            object_id=OuterRef("pk"),
            action="copy_to_draft",
            seq__gt=Coalesce(Subquery(stopped), Value(0)),
        )
    )


def _kinds(user) -> dict[str, Q]:
    """Why a post awaits `user`, by kind, in the order a row is named by (a post that is
    both overdue and submitted is an overdue row)."""
    return {
        "sign_off": offered_q(user, "sign_off"),
        "approve": offered_q(user, "approve"),
        "held": Q(held_at__isnull=False, state=S.APPROVED) & release_hold_q(user),
        # The publisher does not know whether it went out: someone must look.
        "unknown": Q(_unknown_outcome(), state=S.PUBLISHING) & resolve_publication_q(user),
        # It did not go out: its author is told, and those who may send it again.
        "failed": Q(state=S.FAILED)
        & (Q(author_id=user.pk) | retry_failed_q(user))
        & ~Q(_copied_since_it_stopped()),
        # Its time came before it was approved: reschedule it, or copy it.
        "overdue": Q(state__in=UNAPPROVED, overdue_at__isnull=False)
        & overdue_followup_q(user)
        & ~Q(_copied_since_it_stopped()),
        "submitted": offered_q(user, "accept"),
        "changes_requested": Q(state=S.CHANGES_REQUESTED, author_id=user.pk) & edit_q(user),
    }


def _awaiting_filter(kinds: dict[str, Q]) -> Q:
    wanted = Q(pk__in=[])
    for q in kinds.values():
        wanted |= q
    return wanted


def awaiting(user) -> QuerySet[Post]:
    """Posts waiting for `user`, each with why (`awaits`): sign-offs first, then what
    went wrong (held, unknown, failed, overdue), then urgent ones, then by due time."""
    kinds = _kinds(user)
    awaits = Case(
        *(When(q, then=Value(kind)) for kind, q in kinds.items()),
        default=Value(""),
        output_field=CharField(),
    )
    step = Case(
        When(awaits="sign_off", then=Value(0)),
        When(awaits__in=["held", "unknown", "failed", "overdue"], then=Value(1)),
        When(urgent=True, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    return (
        visible_posts(user)
        .filter(_awaiting_filter(kinds))
        .annotate(awaits=awaits)
        .annotate(inbox_step=step)
        .order_by("inbox_step", *BY_SCHEDULE)
    )


def awaiting_count(user) -> int:
    return visible_posts(user).filter(_awaiting_filter(_kinds(user))).count()


# The inbox's groups, in the order the page shows them (the order of `awaiting`):
# one per kind of row.
GROUPS = (
    "sign_off",
    "held",
    "unknown",
    "failed",
    "overdue",
    "approve",
    "submitted",
    "changes_requested",
)


def awaiting_counts(user) -> dict[str, int]:
    """How many posts await `user` in each group, in one aggregate query."""
    rows = awaiting(user).order_by().values("awaits").annotate(n=Count("pk", distinct=True))
    counts = dict.fromkeys(GROUPS, 0)
    counts.update({row["awaits"]: row["n"] for row in rows})
    return counts


def awaiting_pages(user, size: int, group: str = "", page: int = 1) -> QuerySet[Post]:
    """Each group's first `size` posts, or for `group` its `page`th `size` posts, in
    one query: the rows a page shows, however many await."""
    rank = Window(
        RowNumber(), partition_by=[F("awaits")], order_by=[F("inbox_step").asc(), *BY_SCHEDULE]
    )
    first = size * (page - 1)
    return (
        awaiting(user)
        .annotate(inbox_rank=rank)
        .filter(
            (Q(inbox_rank__lte=size) & ~Q(awaits=group))
            | Q(awaits=group, inbox_rank__gt=first, inbox_rank__lte=first + size)
        )
    )


def row_actions(post: Post, user) -> set[str]:
    """The review actions an inbox row offers: Approve and Sign off are what the row's
    group (`offered_q`, the buttons' own rule in its query form) already says; the
    others are their rule, asked of this post alone."""
    kind = getattr(post, "awaits", "")
    actions = {kind} & {"sign_off", "approve"}
    if kind == "failed" and may(post, user, "retry_failed") and not retry_refusal(post):
        actions.add("retry_failed")
    if may(post, user, "request_changes"):
        actions.add("request_changes")
    reviewable = post.state in (*FREELY_EDITABLE, *UNDER_REVIEW)
    if reviewable and not post.sensitive and POST_RULES["mark_sensitive"](post, user) is None:
        actions.add("mark_sensitive")
    return actions
