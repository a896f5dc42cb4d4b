"""Who is told of what: from one workflow event to its notices and their recipients.

Nobody is listed here by name or by role alone. Each rule names the roles worth asking
(`holders_of`) and then asks the permission rule of the page where the person would act
(`editorial.permissions`): the director is told of a post awaiting sign-off because
`deny_sign_off` lets them sign it off, so the notice and the button never disagree —
scope and four-eyes included. Whatever the rule, nobody hears of a department outside
their scope, and nobody is told of their own action.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from accounts.roles import Role
from accounts.scope import holders_of, works_in
from editorial import permissions as rules
from editorial.models import Channel, Post, PostState, Publication, PublishingPause, WeeklyPlan
from notifications.models import Kind
from workspace.permissions import CHANNEL_MANAGERS, deny_manage_channels

CM, HEAD, DIRECTOR = Role.COMMUNITY_MANAGER, Role.HEAD_OF_COMMUNICATION, Role.DIRECTOR
COMMENT_LENGTH = 500


@dataclass
class Notice:
    kind: str
    recipients: list
    post: Post | None = None
    plan: WeeklyPlan | None = None
    params: dict = field(default_factory=dict)


def allowed_by(rule: Callable, obj, *roles: str) -> list:
    """The holders of `roles` whom `rule` lets act on `obj`."""
    return [user for user in holders_of(*roles) if rule(obj, user) is None]


def _writers(post: Post, *, content_authors: bool = True) -> list:
    """Its author (and whoever wrote its content since the last approval), if they may
    still work on it."""
    people = {post.author_id: post.author}
    if content_authors:
        people.update({user.pk: user for user in post.content_authors.all()})
    return [user for user in people.values() if rules.deny_edit(post, user) is None]


def _post_params(post: Post, actor, comment: str = "", **more) -> dict:
    return {
        "post": post.title,
        "actor": str(actor) if actor else None,
        "comment": (comment or "")[:COMMENT_LENGTH],
        **more,
    }


def _plan_params(plan: WeeklyPlan, actor, comment: str = "") -> dict:
    return {
        "plan": str(plan),
        "actor": str(actor) if actor else None,
        "comment": (comment or "")[:COMMENT_LENGTH],
    }


# --- one function per event: (instance, actor, comment) -> notices ----------------------


def plan_submitted(plan: WeeklyPlan, actor, comment: str) -> list[Notice]:
    people = allowed_by(rules.deny_review_plan, plan, HEAD, DIRECTOR)
    return [Notice(Kind.PLAN_SUBMITTED, people, plan=plan, params=_plan_params(plan, actor))]


def plan_returned(plan: WeeklyPlan, actor, comment: str) -> list[Notice]:
    builders = {plan.submitted_by_id: plan.submitted_by, plan.created_by_id: plan.created_by}
    people = [
        user for pk, user in builders.items() if pk and rules.deny_submit_plan(plan, user) is None
    ]
    return [
        Notice(Kind.PLAN_RETURNED, people, plan=plan, params=_plan_params(plan, actor, comment))
    ]


def fast_tracked(post: Post, actor, comment: str) -> list[Notice]:
    """Hot news skips the week: every approver who may approve it is told at once."""
    people = allowed_by(rules.deny_approve, post, HEAD, DIRECTOR)
    return [Notice(Kind.URGENT, people, post=post, params=_post_params(post, actor))]


def awaits_signoff(post: Post, actor, comment: str) -> list[Notice]:
    people = allowed_by(rules.deny_sign_off, post, DIRECTOR)
    return [Notice(Kind.AWAITS_SIGNOFF, people, post=post, params=_post_params(post, actor))]


def changes_requested(post: Post, actor, comment: str) -> list[Notice]:
    params = _post_params(post, actor, comment)
    return [Notice(Kind.RETURNED, _writers(post), post=post, params=params)]


def submission_returned(post: Post, actor, comment: str) -> list[Notice]:
    params = _post_params(post, actor, comment)
    return [Notice(Kind.SUBMISSION_RETURNED, _writers(post), post=post, params=params)]


def submission_accepted(post: Post, actor, comment: str) -> list[Notice]:
    people = _writers(post, content_authors=False)
    return [Notice(Kind.SUBMISSION_ACCEPTED, people, post=post, params=_post_params(post, actor))]


def failed(post: Post, actor, comment: str) -> list[Notice]:
    """Its author, and who may send it again (community managers, heads)."""
    people = _writers(post, content_authors=False) + allowed_by(
        rules.deny_retry_failed, post, CM, HEAD
    )
    return [Notice(Kind.FAILED, people, post=post, params=_post_params(post, None))]


def outcome_unknown(publication: Publication, actor, comment: str) -> list[Notice]:
    """Its author, and who may look at the network and settle it."""
    post = publication.post
    people = _writers(post, content_authors=False) + allowed_by(
        rules.deny_resolve_publication, post, CM, HEAD, DIRECTOR
    )
    params = _post_params(post, None, channel=publication.channel.name)
    return [Notice(Kind.UNKNOWN, people, post=post, params=params)]


def held(post: Post, actor, comment: str) -> list[Notice]:
    """Its author, the community managers who plan it, and who may release it."""
    people = (
        _writers(post, content_authors=False)
        + allowed_by(rules.deny_accept, post, CM)
        + allowed_by(rules.deny_release_hold, post, HEAD, DIRECTOR)
    )
    return [Notice(Kind.HELD, people, post=post, params=_post_params(post, None))]


def _pause(kind: str) -> Callable[[PublishingPause, object, str], list[Notice]]:
    def notices(pause: PublishingPause, actor, comment: str) -> list[Notice]:
        """Crisis mode concerns the whole national team; a channel's pause, those who
        work in its department."""
        people = [
            user
            for user in holders_of(CM, HEAD, DIRECTOR)
            if pause.channel_id is None or works_in(user, pause.channel.department_id)
        ]
        params = {
            "actor": str(actor) if actor else None,
            "scope": pause.channel.name if pause.channel_id else None,
            "comment": (pause.reason or "")[:COMMENT_LENGTH],
        }
        return [Notice(kind, people, params=params)]

    return notices


def channel_needs_reconnecting(channel: Channel, actor, comment: str) -> list[Notice]:
    """Who may enter its credentials again (who manages channels), and the community
    managers who publish on it: those of them who work in its department."""
    managers = [u for u in holders_of(*CHANNEL_MANAGERS) if deny_manage_channels(u) is None]
    people = [
        user for user in managers + list(holders_of(CM)) if works_in(user, channel.department_id)
    ]
    params = {
        "channel": channel.name,
        "channel_id": channel.pk,
        "comment": (comment or "")[:COMMENT_LENGTH],
        "actor": None,
    }
    return [Notice(Kind.CHANNEL_RECONNECT, people, params=params)]


# (model, action) -> the notices of that event.
BY_ACTION: dict[tuple[type, str], Callable] = {
    (WeeklyPlan, "submit_plan"): plan_submitted,
    (WeeklyPlan, "return_plan"): plan_returned,
    (Post, "fast_track"): fast_tracked,
    (Post, "request_changes"): changes_requested,
    (Post, "return_submission"): submission_returned,
    (Post, "accept"): submission_accepted,
    (Post, "mark_failed"): failed,
    (Post, "hold"): held,
    (Publication, "publication_unknown"): outcome_unknown,
    (PublishingPause, "pause"): _pause(Kind.PAUSED),
    (PublishingPause, "resume"): _pause(Kind.RESUMED),
    (Channel, "channel_needs_reconnecting"): channel_needs_reconnecting,
}


def notices_for(instance, actor, action: str, from_state: str, to_state: str, comment: str):
    """The notices of one event, each recipient once, never the actor, never outside
    the recipient's scope."""
    found: list[Notice] = []
    build = BY_ACTION.get((type(instance), action))
    if build is not None:
        found += build(instance, actor, comment)
    if (
        isinstance(instance, Post)
        and to_state == PostState.PENDING_SIGNOFF
        and from_state != PostState.PENDING_SIGNOFF
    ):
        # However it got there: an approval, a flag raised, a new time.
        found += awaits_signoff(instance, actor, comment)
    told: set[int] = set() if actor is None else {actor.pk}
    for notice in found:
        notice.recipients = list(_once_in_scope(notice, told))
    return [notice for notice in found if notice.recipients]


def _once_in_scope(notice: Notice, told: set[int]) -> Iterable:
    department = (
        notice.post.origin_department_id
        if notice.post is not None
        else notice.plan.team_id
        if notice.plan is not None
        else None
    )
    for user in notice.recipients:
        if user.pk in told:
            continue
        if department is not None and not works_in(user, department):
            continue
        told.add(user.pk)
        yield user


# --- blackout periods and pre-flight checks ----------------------------------------------


def _post_alert(kind: str) -> Callable[[Post, object, str], list[Notice]]:
    def notices(post: Post, actor, comment: str) -> list[Notice]:
        """Before (or just after) the slot: the community managers who plan the post and
        the heads of communication who may release or move it."""
        people = allowed_by(rules.deny_accept, post, CM) + allowed_by(
            rules.deny_release_hold, post, HEAD
        )
        return [Notice(kind, people, post=post, params=_post_params(post, None, comment))]

    return notices


BY_ACTION.update(
    {
        (Post, "preflight_problem"): _post_alert(Kind.PREFLIGHT_PROBLEM),
        (Post, "post_late"): _post_alert(Kind.POST_LATE),
    }
)
