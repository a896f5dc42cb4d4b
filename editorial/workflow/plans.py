"""Weekly plans: built by the community manager, approved as a whole by the head of
communication, who may return single items with a comment."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Department
from accounts.scope import department_ids_of
from editorial.content import compute_content_hashes
from editorial.models import PlanState, Post, PostState, WeeklyPlan
from editorial.permissions import deny_approve
from editorial.workflow import posts as post_actions
from editorial.workflow.core import check, refusal_audited, run_transition
from editorial.workflow.errors import (
    ActionNotAllowed,
    InvalidInput,
    InvalidState,
    NotReady,
    StaleObject,
)
from editorial.workflow.schedule import forbidden_times


def team_of(user) -> Department:
    """The team whose plan a user builds: the national team for national roles."""
    ids = department_ids_of(user)
    team = Department.objects.filter(pk__in=ids).order_by("-is_national", "name").first()
    if team is None:
        raise ActionNotAllowed(_("You are not part of any team."))
    return team


def plan_for_week(team: Department, iso_year: int, iso_week: int, user) -> WeeklyPlan:
    plan, _created = WeeklyPlan.objects.get_or_create(
        team=team, iso_year=iso_year, iso_week=iso_week, defaults={"created_by": user}
    )
    return plan


def plan_for_post(post: Post, user) -> WeeklyPlan:
    """The plan of the user's team for the week the post is scheduled in."""
    if post.scheduled_at is None:
        raise NotReady(_("Choose when the post goes out before planning it."))
    local = timezone.localtime(post.scheduled_at)
    iso_year, iso_week, _day = local.isocalendar()
    return plan_for_week(team_of(user), iso_year, iso_week, user)


def join_plan(post: Post, user, plan: WeeklyPlan) -> None:
    """A post planned into a plan already under review joins the review at once."""
    if plan.state in (PlanState.SUBMITTED, PlanState.APPROVED):
        run_transition(post, user, "send_for_approval", data={"plan": plan.pk})


def submit_plan(plan: WeeklyPlan, user) -> None:
    """Send the week for approval: every planned item goes to pending approval."""
    items = list(plan.posts.filter(state=PostState.PLANNED).order_by("pk"))
    with transaction.atomic():
        run_transition(
            plan,
            user,
            "submit_plan",
            data={"items": [p.pk for p in items]},
            before_save=lambda: setattr(plan, "submitted_by", user),
        )
        for post in items:
            run_transition(post, user, "send_for_approval", data={"plan": plan.pk})


def approve_plan(
    plan: WeeklyPlan,
    user,
    *,
    shown: dict[int, str],
    returns: dict[int, str] | None = None,
) -> None:
    """Approve every item awaiting approval in one action, except the items in
    `returns` (post id -> comment), which go back to their author with the comment.
    Sensitive items go on to the director. All or nothing.

    `shown` is what the reviewer saw: each item's id -> the content hash the page showed
    with it. Unless the items awaiting approval are exactly those, each with that very
    content, nothing is approved: an approval holds for what was seen, never for an item
    edited or planned in meanwhile."""
    with refusal_audited(plan, user, "approve_plan"):
        check(plan, user, "approve_plan")
        returns = {int(pk): (comment or "").strip() for pk, comment in (returns or {}).items()}
        items = list(
            plan.posts.filter(state=PostState.PENDING_APPROVAL)
            .select_related("author", "last_editor")
            .order_by("pk")
        )
        shown = _as_shown(shown)
        _refuse_unless_shown(plan, items, shown)
        unknown = set(returns) - {post.pk for post in items}
        if unknown:
            raise InvalidInput(
                _("These items are not awaiting approval in this plan: %(ids)s.")
                % {"ids": ", ".join(map(str, sorted(unknown)))}
            )
        if any(not comment for comment in returns.values()):
            raise InvalidInput(_("Say what needs to change on every item you return."))
        blocked = [
            f"{post}: {reason}"
            for post in items
            if post.pk not in returns and (reason := deny_approve(post, user))
        ]
        if blocked:
            raise ActionNotAllowed(_("You cannot approve every item of this plan:"), blocked)
        # Named item by item (a channel without a connector…), rather than the first item's
        # refusal without its title.
        unready = [
            f"{post}: {problem}"
            for post in items
            if post.pk not in returns
            for problem in post.readiness_problems()
        ]
        if unready:
            raise NotReady(_("Some items of this plan cannot be approved:"), unready)
        approving = [post for post in items if post.pk not in returns]
        if forbidden := forbidden_times(approving):
            raise InvalidState(
                _("Some items of this plan fall inside a blackout period:"), forbidden
            )
    with transaction.atomic():
        run_transition(
            plan,
            user,
            "approve_plan",
            data={
                "approved": [p.pk for p in items if p.pk not in returns],
                "returned": sorted(returns),
                "shown": {str(pk): content_hash for pk, content_hash in sorted(shown.items())},
            },
            before_save=lambda: setattr(plan, "reviewed_by", user),
        )
        for post in items:
            if post.pk in returns:
                post_actions.request_changes(post, user, returns[post.pk])
            else:
                # Checked again inside, in this transaction: an edit landing between the
                # check above and here refuses the whole plan too.
                post_actions.approve(post, user, expected_hash=shown[post.pk])


def _as_shown(shown: dict) -> dict[int, str]:
    try:
        return {int(pk): str(content_hash) for pk, content_hash in shown.items()}
    except (TypeError, ValueError):
        raise InvalidInput(_("The items shown are not named by their ids.")) from None


def _refuse_unless_shown(plan: WeeklyPlan, items: list[Post], shown: dict[int, str]) -> None:
    """Raise, naming each difference, unless `items` are exactly the items `shown`, each
    with the content shown."""
    current = compute_content_hashes([post.pk for post in items])
    problems = []
    for post in items:
        if post.pk not in shown:
            # Joined the plan meanwhile, or the page never showed it.
            problems.append(
                _("“%(post)s” awaits approval but was not among the items shown to you.")
                % {"post": post}
            )
        elif shown[post.pk] != current[post.pk]:
            problems.append(_("“%(post)s” changed since you opened it.") % {"post": post})
    gone = sorted(set(shown) - set(current))
    if gone:
        # Named only within this plan: the ids come from the request.
        left = {post.pk: post for post in plan.posts.filter(pk__in=gone)}
        for pk in gone:
            post = left.get(pk)
            problems.append(
                _("“%(post)s” no longer awaits approval: it is %(state)s now.")
                % {"post": post, "state": post.get_state_display().lower()}
                if post
                else _("Item %(id)s is not part of this plan.") % {"id": pk}
            )
    if problems:
        raise StaleObject(
            _("The plan changed since you opened it: nothing was approved. Look at it again."),
            problems,
        )


def return_plan(plan: WeeklyPlan, user, comment: str) -> None:
    """Send the whole week back to the team; its items return to planned."""
    comment = post_actions.require_comment(comment)
    items = list(plan.posts.filter(state=PostState.PENDING_APPROVAL).order_by("pk"))
    with transaction.atomic():
        run_transition(
            plan,
            user,
            "return_plan",
            comment=comment,
            before_save=lambda: setattr(plan, "reviewed_by", user),
        )
        for post in items:
            run_transition(
                post,
                user,
                "back_to_plan",
                comment=comment,
                data={"reviewed": post_actions.review_snapshot(post)},
            )


# A post the team may place on the week's board: its own drafts and posts returned to it.
TO_PLACE = (PostState.DRAFT, PostState.CHANGES_REQUESTED)


def place_on_board(post: Post, user, at) -> None:
    """The community manager drops `post` on the weekly board at `at`: its time is set
    and it is planned (a submission is accepted, a draft planned), all or nothing — a
    post whose planning is refused keeps its former time. Each step keeps its own
    permission check, audit entry and signal."""
    with transaction.atomic():
        if post.scheduled_at != at:
            post_actions.edit_post(post, user, scheduled_at=at)
        if post.state == PostState.SUBMITTED:
            post_actions.accept(post, user)
        elif post.state in TO_PLACE:
            post_actions.plan_into_week(post, user)
