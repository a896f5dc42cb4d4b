"""What awaits a user: the posts only they (or people in their role) can move on.

One query, used by the header's counter and by the approval inbox, so the number in
the header is always the number of rows the inbox shows.
"""

from __future__ import annotations

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When

from accounts.roles import Role
from accounts.scope import roles_of
from editorial.access import visible_posts
from editorial.models import Post, PostState, Publication, PublicationState
from editorial.permissions import approval_withdrawn_by

S = PostState
_NOTHING = Q(pk__in=[])
_UNKNOWN_OUTCOME = Exists(
    Publication.objects.filter(post=OuterRef("pk"), state=PublicationState.UNKNOWN)
)


def _awaiting_filter(user) -> Q:
    roles = roles_of(user)
    mine = Q(author=user) | Q(last_editor=user)
    wanted = _NOTHING
    if Role.DIRECTOR in roles:
        wanted |= Q(state=S.PENDING_SIGNOFF) & ~mine
    if Role.HEAD_OF_COMMUNICATION in roles:
        wanted |= Q(state=S.PENDING_APPROVAL) & ~mine & ~approval_withdrawn_by(user)
    if roles & {Role.DIRECTOR, Role.HEAD_OF_COMMUNICATION}:
        wanted |= Q(held_at__isnull=False, state=S.APPROVED)
    if roles & {Role.DIRECTOR, Role.HEAD_OF_COMMUNICATION, Role.COMMUNITY_MANAGER}:
        # The publisher does not know whether it went out: someone must look.
        wanted |= Q(_UNKNOWN_OUTCOME, state=S.PUBLISHING)
    if Role.COMMUNITY_MANAGER in roles:
        wanted |= Q(state=S.SUBMITTED)
    if roles & {Role.COMMUNITY_MANAGER, Role.CONTRIBUTOR}:
        wanted |= Q(state=S.CHANGES_REQUESTED, author=user)
    return wanted


def awaiting(user) -> QuerySet[Post]:
    """Posts waiting for `user`: sign-offs first, then urgent ones, then by due time."""
    step = Case(
        When(state=S.PENDING_SIGNOFF, then=Value(0)),
        When(held_at__isnull=False, then=Value(1)),
        When(state=S.PUBLISHING, then=Value(1)),  # only with an unknown outcome, here
        When(urgent=True, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    return (
        visible_posts(user)
        .filter(_awaiting_filter(user))
        .annotate(inbox_step=step)
        .order_by("inbox_step", "scheduled_at", "pk")
    )


def awaiting_count(user) -> int:
    return visible_posts(user).filter(_awaiting_filter(user)).count()
