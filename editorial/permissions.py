"""Who may take which action on which post or plan: the only place these rules live.

Each rule answers with the reason a user may *not* act, or None when they may. The
state machine's transitions use them as their permission (see `allowed`), the workflow
functions quote the reason in the error they raise, and `available_actions` asks the
same transitions, so buttons shown and checks applied can never disagree.

A rule that decides what awaits someone has its query form beside it (`*_q(user)`: the
posts, in any state, on which the rule lets `user` act), as Wagtail's tasks keep
`get_actions` beside `get_task_states_user_can_moderate`: the inbox and the header's
counter are built from these, so the inbox lists exactly the posts whose page offers
the button (tests/test_inbox_rules.py holds the two forms together).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role
from accounts.scope import department_ids_of, has_role, works_in
from editorial.sensitivity import matching_active_rule

if TYPE_CHECKING:
    from editorial.models import Post, WeeklyPlan

CM = Role.COMMUNITY_MANAGER
HEAD = Role.HEAD_OF_COMMUNICATION
DIRECTOR = Role.DIRECTOR
CONTRIBUTOR = Role.CONTRIBUTOR
EDITORS = (CM, HEAD, DIRECTOR, CONTRIBUTOR)
# The note-cadre belongs to the people who review sensitive posts, and the administrator.
RULE_MANAGERS = (HEAD, DIRECTOR, Role.ADMINISTRATOR)

Rule = Callable[["Post", object], "str | None"]
NOTHING = Q(pk__in=[])


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
    """Nobody reviews content they wrote or changed since it was last approved, whoever
    touched the post last (`Post.content_authors`)."""
    if user.pk == post.author_id or _wrote_content(post, user):
        return _("Four-eyes rule: you wrote or changed this content, someone else must review it.")
    return None


def _wrote_content(post: Post, user) -> bool:
    # A list page prefetches the authors so that asking costs no query per row.
    prefetched = getattr(post, "_prefetched_objects_cache", {}).get("content_authors")
    if prefetched is not None:
        return any(author.pk == user.pk for author in prefetched)
    return post.content_authors.filter(pk=user.pk).exists()


deny_four_eyes = _four_eyes


def _first(*reasons: str | None) -> str | None:
    return next((reason for reason in reasons if reason), None)


# The same three checks as filters on posts.
def _scope_q(user) -> Q:
    return Q(origin_department_id__in=department_ids_of(user))


def _role_q(user, *roles: str) -> Q:
    return Q() if has_role(user, *roles) else NOTHING


def _four_eyes_q(user) -> Q:
    from editorial.models import Post

    wrote = Post.content_authors.through.objects.filter(post=OuterRef("pk"), user=user.pk)
    return ~Q(author_id=user.pk) & ~Exists(wrote)


def deny_edit(post: Post, user) -> str | None:
    return _first(_role(user, *EDITORS), _scope(post, user))


def edit_q(user) -> Q:
    return _role_q(user, *EDITORS) & _scope_q(user)


def deny_submit(post: Post, user) -> str | None:
    return _first(_role(user, CONTRIBUTOR), _scope(post, user))


def deny_accept(post: Post, user) -> str | None:
    return _first(_role(user, CM), _scope(post, user))


def accept_q(user) -> Q:
    return _role_q(user, CM) & _scope_q(user)


def deny_fast_track(post: Post, user) -> str | None:
    """Hot news skips the plan, and only hot news: the rest waits for its week."""
    from editorial.models import Category

    if post.category != Category.HOT_NEWS:
        return _("Only hot news is fast-tracked: plan this post into its week.")
    return _first(_role(user, CM, HEAD), _scope(post, user))


def deny_approve(post: Post, user) -> str | None:
    return _first(
        _role(user, HEAD, DIRECTOR),
        _scope(post, user),
        _four_eyes(post, user),
        _lifted_by(post, user),
        _sensitive_needs_head(post, user),
    )


def _lifted_by(post: Post, user) -> str | None:
    """Whoever cleared this content of sensitivity may not also approve it: two people
    clear sensitive content."""
    if post.sensitivity_lifted_by_id == user.pk and post.sensitivity_lifted_hash == (
        post.content_hash
    ):
        return _(
            "Four-eyes rule: you lifted this post's sensitivity, someone else must approve it."
        )
    return None


def _sensitive_needs_head(post: Post, user) -> str | None:
    """A sensitive post takes two people: the head of communication's approval, then
    the director's sign-off. The director does not approve it in the head's place."""
    if post.sensitive and not has_role(user, HEAD):
        return _(
            "A sensitive post needs the head of communication's approval first, then "
            "the director's sign-off."
        )
    return None


def approve_q(user) -> Q:
    """`deny_approve` as a filter."""
    lifted = Q(sensitivity_lifted_by=user.pk, sensitivity_lifted_hash=F("content_hash"))
    sensitive = Q() if has_role(user, HEAD) else ~Q(sensitive=True)
    return _role_q(user, HEAD, DIRECTOR) & _scope_q(user) & _four_eyes_q(user) & ~lifted & sensitive


def deny_sign_off(post: Post, user) -> str | None:
    reason = _first(_role(user, DIRECTOR), _scope(post, user), _four_eyes(post, user))
    if reason is None and _approved_by(post, user):
        reason = _("Four-eyes rule: you approved this post, someone else must sign it off.")
    return reason


def sign_off_q(user) -> Q:
    """`deny_sign_off` as a filter."""
    from editorial.models import Approval

    approved = Approval.objects.filter(post=OuterRef("pk"), voided_at__isnull=True, approver=user)
    return _role_q(user, DIRECTOR) & _scope_q(user) & _four_eyes_q(user) & ~Exists(approved)


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
    return _first(_role(user, CM), _scope(post, user)) or _matches_a_rule(post)


def _matches_a_rule(post: Post) -> str | None:
    """A conversation post whose text a sensitivity rule matches loses its skip, even
    when someone lifted its flag: a second person approves it. Asked last, as it reads
    the post's variants, images and the rules."""
    rule = matching_active_rule(post)
    if rule is None:
        return None
    return _(
        "This post matches the sensitivity rule “%(rule)s”: it needs approval like any other post."
    ) % {"rule": rule}


def deny_mark_sensitive(post: Post, user) -> str | None:
    return _first(_role(user, *EDITORS), _scope(post, user))


def deny_review(post: Post, user) -> str | None:
    return _first(_role(user, HEAD, DIRECTOR), _scope(post, user))


deny_lift_sensitivity = deny_review


def deny_cancel(post: Post, user) -> str | None:
    return _first(_role(user, *EDITORS), _scope(post, user))


def deny_comment(post: Post, user) -> str | None:
    return _scope(post, user)


def deny_retry_failed(post: Post, user) -> str | None:
    """Sending a failed post's failed publications again: the community manager and the
    head of communication, who run the accounts and know when a network is back."""
    return _first(_role(user, CM, HEAD), _scope(post, user))


def retry_failed_q(user) -> Q:
    return _role_q(user, CM, HEAD) & _scope_q(user)


def deny_copy(post: Post, user) -> str | None:
    """Copying a post into a new draft of its department: whoever may write there."""
    return _first(_role(user, *EDITORS), _scope(post, user))


def past_due(post: Post) -> bool:
    """Its time has come (or gone) while it was not approved: the actions that need a
    future time (approve, sign off, submit…) are not offered until it is rescheduled."""
    if post.overdue_at is not None:
        return True
    return post.scheduled_at is not None and post.scheduled_at <= timezone.now()


def past_due_q() -> Q:
    """`past_due` as a filter."""
    return Q(overdue_at__isnull=False) | Q(scheduled_at__lte=timezone.now())


def overdue_followup_q(user) -> Q:
    """Who is told of an overdue post, and must reschedule or copy it: its author and the
    community managers (who plan the week)."""
    return (Q(author_id=user.pk) & edit_q(user)) | accept_q(user)


def deny_release_hold(post: Post, user) -> str | None:
    """Publishing or moving a post a pause held: the head of communication or the
    director (in crisis mode, the director: see workflow.crisis)."""
    return _first(_role(user, HEAD, DIRECTOR), _scope(post, user))


POST_RULES: dict[str, Rule] = {
    "edit": deny_edit,
    "submit": deny_submit,
    "accept": deny_accept,
    "return_submission": deny_accept,
    "plan_into_week": deny_accept,
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
    "retry_failed": deny_retry_failed,
    "copy_to_draft": deny_copy,
    # Moving a post in time is editing it (the state rules are in workflow.schedule).
    "reschedule": deny_edit,
    "confirm_held": deny_release_hold,
    "reschedule_held": deny_release_hold,
}


# --- What a person may do at all, whatever the object: the pages and menus they get ---


def deny_manage_rules(user) -> str | None:
    """Creating, changing, switching and deleting sensitivity rules: the reviewers of
    sensitive posts and the administrators (a superuser is one, as in the admin)."""
    if user.is_authenticated and user.is_active and user.is_superuser:
        return None
    return _role(user, *RULE_MANAGERS)


def deny_write(user) -> str | None:
    """Writing posts: every editorial role."""
    return None if has_role(user, *EDITORS) else _("Your role does not let you write posts.")


def deny_plan_board(user) -> str | None:
    """The weekly plan board and the submissions: the national team."""
    if has_role(user, CM, HEAD, DIRECTOR):
        return None
    return _("Only the national team builds and reviews weekly plans.")


def is_national_team(user) -> bool:
    """Whether `user` holds a role of the national team (anything but contributor)."""
    return has_role(user, CM, HEAD, DIRECTOR, Role.ADMINISTRATOR)


def is_contributor_only(user) -> bool:
    """A department's contributor and nothing more: writes for the department, reviews
    nothing, plans nothing."""
    return has_role(user, CONTRIBUTOR) and not has_role(
        user, CM, HEAD, DIRECTOR, Role.ADMINISTRATOR
    )


def reviews_posts(user) -> bool:
    """Approves or signs off posts: the head of communication and the director."""
    return has_role(user, HEAD, DIRECTOR)


def deny_reports(user) -> str | None:
    """The reports (what went out, lead times): the national team, each within the
    departments they work in. A department contributor reviews and plans nothing, so
    the team's figures are not theirs to read (PRODUCT.md, point 13)."""
    if user.is_authenticated and user.is_active and user.is_superuser:
        return None
    return _role(user, CM, HEAD, DIRECTOR, Role.ADMINISTRATOR)


def deny_audit_export(user) -> str | None:
    """The audit trail of a period as a file (a public-records request): the director
    and the administrators, who answer for the institution's records."""
    if user.is_authenticated and user.is_active and user.is_superuser:
        return None
    return _role(user, DIRECTOR, Role.ADMINISTRATOR)


def deny_pause(user) -> str | None:
    """Crisis mode: the head of communication or the director."""
    return _role(user, HEAD, DIRECTOR)


def deny_manage_blackouts(user) -> str | None:
    """Blackout periods (creating, changing, ending them): the head of communication,
    the director and the administrators (a superuser is one, as in the admin)."""
    return deny_manage_rules(user)


def release_hold_q(user) -> Q:
    return _role_q(user, HEAD, DIRECTOR) & _scope_q(user)


def deny_resolve_publication(post: Post, user) -> str | None:
    """Settling an unknown outcome: the people who run the accounts and can look at the
    network (community manager, head of communication, director), in the post's scope."""
    return _first(_role(user, CM, HEAD, DIRECTOR), _scope(post, user))


def resolve_publication_q(user) -> Q:
    return _role_q(user, CM, HEAD, DIRECTOR) & _scope_q(user)


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
