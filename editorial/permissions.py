"""Who may take which action on which post or plan: the only place these rules live.

Each rule answers with the reason a user may *not* act, or None when they may. The
state machine's transitions use them as their permission (see `allowed`), the workflow
functions quote the reason in the error they raise, and `available_actions` asks the
same transitions, so buttons shown and checks applied can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext as _

from accounts.roles import Role
from accounts.scope import has_role, works_in

if TYPE_CHECKING:
    from editorial.models import Post, WeeklyPlan

CM = Role.COMMUNITY_MANAGER
HEAD = Role.HEAD_OF_COMMUNICATION
DIRECTOR = Role.DIRECTOR
CONTRIBUTOR = Role.CONTRIBUTOR
EDITORS = (CM, HEAD, DIRECTOR, CONTRIBUTOR)

Rule = Callable[["Post", object], "str | None"]


def _scope(post: Post, user) -> str | None:
    if not works_in(user, post.origin_department_id):
        return _("This post belongs to a department you do not work in.")
    return None


def _role(user, *roles: str) -> str | None:
    if not has_role(user, *roles):
        names = ", ".join(str(Role(role).label).lower() for role in roles)
        return _("Only a %(roles)s may do this.") % {"roles": names}
    return None


def _four_eyes(post: Post, user) -> str | None:
    if user.pk in (post.author_id, post.last_editor_id):
        return _("Four-eyes rule: you wrote or last edited this post, someone else must review it.")
    return None


def _first(*reasons: str | None) -> str | None:
    return next((reason for reason in reasons if reason), None)


def deny_edit(post: Post, user) -> str | None:
    return _first(_role(user, *EDITORS), _scope(post, user))


def deny_submit(post: Post, user) -> str | None:
    return _first(_role(user, CONTRIBUTOR), _scope(post, user))


def deny_accept(post: Post, user) -> str | None:
    return _first(_role(user, CM), _scope(post, user))


def deny_fast_track(post: Post, user) -> str | None:
    return _first(_role(user, CM, HEAD), _scope(post, user))


def deny_approve(post: Post, user) -> str | None:
    reason = _first(_role(user, HEAD, DIRECTOR), _scope(post, user), _four_eyes(post, user))
    if reason is None and _withdrew_approval(post, user):
        reason = _(
            "Four-eyes rule: you approved this post, then lifted its sensitivity; "
            "someone else must approve it."
        )
    return reason


def _withdrew_approval(post: Post, user) -> bool:
    """Whether `user` approved this very content and then lifted its flag while it
    waited for the director, which sent it back for another approver
    (`workflow.lift_sensitivity`). Asks the database only when the flag was lifted on
    the current content, so a list of posts costs no query per row."""
    from editorial.models import PostState

    if post.state != PostState.PENDING_APPROVAL or not post.content_hash:
        return False
    if post.sensitivity_lifted_hash != post.content_hash:
        return False
    return _withdrawn_lifts(user).filter(object_id=post.pk).exists()


def approval_withdrawn_by(user) -> Q:
    """The posts `_withdrew_approval` is true of, as a filter: kept out of the user's
    inbox, since they may not approve them."""
    from editorial.models import PostState

    return Q(
        Exists(_withdrawn_lifts(user).filter(object_id=OuterRef("pk"))),
        state=PostState.PENDING_APPROVAL,
        sensitivity_lifted_hash=F("content_hash"),
    )


def _withdrawn_lifts(user):
    from editorial.models import AuditEntry, Post, PostState

    return AuditEntry.objects.filter(
        object_type=Post._meta.label_lower,
        action="lift_sensitivity",
        actor=user,
        from_state=PostState.PENDING_SIGNOFF,
        to_state=PostState.PENDING_APPROVAL,
    )


def deny_sign_off(post: Post, user) -> str | None:
    reason = _first(_role(user, DIRECTOR), _scope(post, user), _four_eyes(post, user))
    if reason is None and _approved_by(post, user):
        reason = _("Four-eyes rule: you approved this post, someone else must sign it off.")
    return reason


def _approved_by(post: Post, user) -> bool:
    # A list page prefetches the approvals so that asking costs no query per row.
    prefetched = getattr(post, "_prefetched_objects_cache", {}).get("approvals")
    if prefetched is not None:
        return any(a.voided_at is None and a.approver_id == user.pk for a in prefetched)
    return post.approvals.filter(voided_at__isnull=True, approver=user).exists()


def deny_request_changes(post: Post, user) -> str | None:
    from editorial.models import PostState

    reviewers = (DIRECTOR,) if post.state == PostState.PENDING_SIGNOFF else (HEAD, DIRECTOR)
    return _first(_role(user, *reviewers), _scope(post, user))


def deny_self_approve(post: Post, user) -> str | None:
    from editorial.models import Category

    if not settings.CONVERSATION_SKIPS_APPROVAL:
        return _("Conversation posts need approval like any other post here.")
    if post.category != Category.CONVERSATION:
        return _("Only conversation posts may go out without approval.")
    if post.sensitive:
        return _("A sensitive post always needs approval.")
    if user.pk != post.author_id:
        return _("Only the community manager who wrote a conversation post may clear it.")
    return _first(_role(user, CM), _scope(post, user))


def deny_mark_sensitive(post: Post, user) -> str | None:
    return _first(_role(user, *EDITORS), _scope(post, user))


def deny_review(post: Post, user) -> str | None:
    return _first(_role(user, HEAD, DIRECTOR), _scope(post, user))


deny_lift_sensitivity = deny_review


def deny_cancel(post: Post, user) -> str | None:
    return _first(_role(user, *EDITORS), _scope(post, user))


def deny_comment(post: Post, user) -> str | None:
    return _scope(post, user)


POST_RULES: dict[str, Rule] = {
    "edit": deny_edit,
    "submit": deny_submit,
    "accept": deny_accept,
    "return_submission": deny_accept,
    "plan": deny_accept,
    "send_for_approval": deny_accept,
    "fast_track": deny_fast_track,
    "approve": deny_approve,
    "sign_off": deny_sign_off,
    "request_changes": deny_request_changes,
    "self_approve": deny_self_approve,
    "mark_sensitive": deny_mark_sensitive,
    "lift_sensitivity": deny_lift_sensitivity,
    "back_to_plan": deny_review,
    "cancel": deny_cancel,
    "comment": deny_comment,
}


def deny_pause(user) -> str | None:
    """Crisis mode: the head of communication or the director."""
    return _role(user, HEAD, DIRECTOR)


def deny_release_hold(post: Post, user) -> str | None:
    return _first(_role(user, HEAD, DIRECTOR), _scope(post, user))


def deny_resolve_publication(post: Post, user) -> str | None:
    """Settling an unknown outcome: the people who run the accounts and can look at the
    network (community manager, head of communication, director), in the post's scope."""
    return _first(_role(user, CM, HEAD, DIRECTOR), _scope(post, user))


def _plan_scope(plan: WeeklyPlan, user) -> str | None:
    if not works_in(user, plan.team_id):
        return _("This plan belongs to a team you do not work in.")
    return None


def deny_submit_plan(plan: WeeklyPlan, user) -> str | None:
    return _first(_role(user, CM), _plan_scope(plan, user))


def deny_review_plan(plan: WeeklyPlan, user) -> str | None:
    return _first(_role(user, HEAD, DIRECTOR), _plan_scope(plan, user))


PLAN_RULES = {
    "submit_plan": deny_submit_plan,
    "approve_plan": deny_review_plan,
    "return_plan": deny_review_plan,
}


def allowed(action: str) -> Callable[[Post, object], bool]:
    """A django-fsm permission callable for a post action."""
    return lambda post, user: POST_RULES[action](post, user) is None


def allowed_on_plan(action: str) -> Callable[[WeeklyPlan, object], bool]:
    return lambda plan, user: PLAN_RULES[action](plan, user) is None
