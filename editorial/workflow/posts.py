"""Workflow actions on posts. Views, the admin, the API and tasks all call these."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import department_ids_of, has_role
from editorial import events
from editorial.content import compute_content_hash
from editorial.models import Approval, ApprovalLevel, Comment, Post, PostState, PostVariant
from editorial.models.posts import FREELY_EDITABLE, UNDER_REVIEW
from editorial.permissions import DIRECTOR, POST_RULES, deny_write
from editorial.sensitivity import apply_rules
from editorial.workflow import schedule
from editorial.workflow.core import refusal_audited, run_transition, stale_guard
from editorial.workflow.errors import (
    ActionNotAllowed,
    InvalidInput,
    InvalidState,
    StaleObject,
)
from editorial.workflow.texts import COMMENT_MAX, REASON_MAX, clean_text

CONTENT_FIELDS = ("title", "body", "category", "scheduled_at", "campaign")
SENSITIVITY_FIELDS = ("sensitive", "sensitive_reason", "sensitivity_rule")
LIFT_FIELDS = ("sensitivity_lifted_hash", "sensitivity_lifted_by")


def require_comment(comment: str) -> str:
    return clean_text(
        comment,
        max_length=COMMENT_MAX,
        required=_("Say what needs to change: a comment is required."),
    )


def _deny(post: Post, user, action: str) -> None:
    reason = POST_RULES[action](post, user)
    if reason:
        raise ActionNotAllowed(reason)


def _check_channels(user, channels: Iterable) -> None:
    allowed = department_ids_of(user)
    outside = [str(channel) for channel in channels if channel.department_id not in allowed]
    if outside:
        raise ActionNotAllowed(
            _("You may not publish on: %(channels)s.") % {"channels": ", ".join(outside)}
        )


def _apply_changes(post: Post, changes: dict, channels, variants) -> None:
    unknown = set(changes) - set(CONTENT_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown fields: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    for field, value in changes.items():
        setattr(post, field, value)
    post.save()
    if channels is not None:
        post.channels.set(channels)
    if variants is not None:
        post.variants.all().delete()
        PostVariant.objects.bulk_create(
            PostVariant(post=post, channel=channel, body=body)
            for channel, body in variants.items()
            if body.strip()
        )


def _in_the_past(when) -> bool:
    return when is not None and when <= timezone.now()


def _void_approvals(post: Post) -> int:
    return post.approvals.filter(voided_at__isnull=True).update(voided_at=timezone.now())


def _refresh_derived(post: Post) -> None:
    """Recompute what follows from the content: its hash and the rule-based flag."""
    post.content_hash = compute_content_hash(post)
    apply_rules(post)
    if post.overdue_at and post.scheduled_at and post.scheduled_at > timezone.now():
        post.overdue_at = None  # rescheduled into the future: it may go through again


def create_post(
    user,
    *,
    department,
    channels: Iterable = (),
    variants: dict | None = None,
    apply: Callable[[Post], None] | None = None,
    audit_data: dict | None = None,
    **fields,
) -> Post:
    """Create a draft in `department`, written by `user` (`audit_data`: more to say in
    the entry, such as the post it was copied from)."""
    if reason := deny_write(user):
        raise ActionNotAllowed(reason)
    if department.pk not in department_ids_of(user):
        raise ActionNotAllowed(_("You may not write posts for this department."))
    channels = list(channels)
    _check_channels(user, channels)
    with transaction.atomic():
        post = Post(origin_department=department, author=user, last_editor=user)
        _apply_changes(post, fields, channels, variants)
        if apply:
            apply(post)
        schedule.check_blackout(post, post.scheduled_at)
        _refresh_derived(post)
        post.save()
        post.content_authors.add(user)
        events.record(
            actor=user,
            action="create",
            obj=post,
            to_state=post.state,
            data={"content_hash": post.content_hash, **(audit_data or {})},
        )
    return post


def edit_post(
    post: Post,
    user,
    *,
    channels: Iterable | None = None,
    variants: dict | None = None,
    apply: Callable[[Post], None] | None = None,
    **fields,
) -> Post:
    """Change a post. Changing the content of a post under review or approved sends it
    back to draft and voids its approvals: an approval holds for the exact content only.

    `apply` lets a form save its own fields, related rows and images in the same
    transaction; `fields`, `channels` and `variants` do the same for code.
    """
    _deny(post, user, "edit")
    if post.state not in (*FREELY_EDITABLE, *UNDER_REVIEW):
        raise InvalidState(
            _("A post that is %(state)s can no longer be changed.")
            % {"state": post.get_state_display().lower()}
        )
    if channels is not None:
        channels = list(channels)
        _check_channels(user, channels)
    with stale_guard(post), transaction.atomic():
        from_state, old_hash, old_time = post.state, post.content_hash, post.scheduled_at
        old_channels = set(post.channels.values_list("pk", flat=True))
        _apply_changes(post, fields, channels, variants)
        if apply:
            apply(post)
        if channels is None:
            _check_channels(user, post.channels.all())
        if post.scheduled_at != old_time or old_channels != {c.pk for c in post.channels.all()}:
            # A new time or new channels: not inside a period where nothing may go out.
            schedule.check_blackout(post, post.scheduled_at)
        _refresh_derived(post)
        if post.scheduled_at != old_time and _in_the_past(post.scheduled_at):
            # As the calendar says: a post moved into the past would go out at once.
            raise InvalidInput(_("The scheduled time has passed: choose a time in the future."))
        content_changed = post.content_hash != old_hash
        if content_changed:
            post.content_authors.add(user)
        voided = 0
        if content_changed and post.state in UNDER_REVIEW:
            post.revert_to_draft()
            voided = _void_approvals(post)
        elif post.scheduled_at != old_time and schedule.needs_new_signoff(post):
            voided = schedule.return_for_signoff(post)
        post.last_editor = user
        post.save()
        events.record(
            actor=user,
            action="edit",
            obj=post,
            from_state=from_state,
            to_state=post.state,
            data={
                "content_changed": content_changed,
                "content_hash": post.content_hash,
                "approvals_voided": voided,
            },
        )
    return post


def submit(post: Post, user) -> None:
    """A department contributor sends a draft to the national team."""
    run_transition(post, user, "submit")


def accept(post: Post, user, *, plan=None) -> None:
    """The community manager takes a submitted post into a weekly plan."""
    _into_plan(post, user, "accept", plan)


def plan_into_week(post: Post, user, *, plan=None) -> None:
    """The community manager puts a draft into a weekly plan."""
    _into_plan(post, user, "plan_into_week", plan)


def _into_plan(post: Post, user, action: str, plan) -> None:
    from editorial.workflow.plans import join_plan, plan_for_post

    with transaction.atomic():
        plan = plan or plan_for_post(post, user)
        run_transition(
            post,
            user,
            action,
            data={"plan": plan.pk},
            before_save=lambda: setattr(post, "plan", plan),
        )
        join_plan(post, user, plan)


def return_submission(post: Post, user, comment: str) -> None:
    comment = require_comment(comment)
    run_transition(
        post,
        user,
        "return_submission",
        comment=comment,
        data={"reviewed": review_snapshot(post)},
        after_save=lambda: Comment.objects.create(post=post, author=user, body=comment),
    )


def fast_track(post: Post, user) -> None:
    """Hot news: straight to pending approval, flagged urgent, outside any plan."""
    run_transition(post, user, "fast_track")


def approve(post: Post, user, *, expected_hash: str | None = None) -> None:
    """Approve the content as it is now. A sensitive post always goes on to the
    director's sign-off (two people clear it); in crisis mode any post does, unless the
    director approves it. `expected_hash` is the content the approver saw: if it changed
    since, nothing is approved."""
    from editorial.publishing.holds import director_required

    with refusal_audited(post, user, "approve"):
        content_hash = _current_hash(post, expected_hash)
        schedule.check_blackout(post, post.scheduled_at, error=InvalidState)
    director = has_role(user, DIRECTOR) and not post.sensitive
    level = ApprovalLevel.DIRECTOR if director else ApprovalLevel.HEAD
    needs_director = (
        post.sensitive or director_required(timezone.now()) or schedule.in_signoff_period(post)
    )
    run_transition(
        post,
        user,
        "approve",
        needs_director and not director,
        data={"content_hash": content_hash, "level": level, "reviewed": review_snapshot(post)},
        after_save=lambda: _record_approval(post, user, level, content_hash),
        audit_refusal=True,
    )


def sign_off(post: Post, user, *, expected_hash: str | None = None) -> None:
    """The director's sign-off of a sensitive post, bound to the content approved."""
    with refusal_audited(post, user, "sign_off"):
        content_hash = _approved_hash(post, expected_hash)
        schedule.check_blackout(post, post.scheduled_at, error=InvalidState)
    run_transition(
        post,
        user,
        "sign_off",
        data={"content_hash": content_hash, "reviewed": review_snapshot(post)},
        after_save=lambda: _record_approval(post, user, ApprovalLevel.DIRECTOR, content_hash),
        audit_refusal=True,
    )


def self_approve(post: Post, user) -> None:
    """A community manager clears their own conversation post (a reply, a reaction)."""
    content_hash = _current_hash(post, None)
    schedule.check_blackout(post, post.scheduled_at, error=InvalidState)
    if schedule.in_signoff_period(post):
        raise InvalidState(
            _(
                "Inside a blackout period every post needs the director's sign-off: "
                "send it for approval."
            )
        )
    run_transition(
        post,
        user,
        "self_approve",
        data={"content_hash": content_hash},
        after_save=lambda: _record_approval(post, user, ApprovalLevel.SELF, content_hash),
    )


def request_changes(post: Post, user, comment: str) -> None:
    """Head of communication or director sends the post back with what to change."""
    comment = require_comment(comment)
    run_transition(
        post,
        user,
        "request_changes",
        comment=comment,
        data={"reviewed": review_snapshot(post)},
        after_save=lambda: (
            _void_approvals(post),
            Comment.objects.create(post=post, author=user, body=comment),
        ),
    )


def cancel(post: Post, user, comment: str = "") -> None:
    run_transition(
        post,
        user,
        "cancel",
        comment=clean_text(comment, max_length=COMMENT_MAX),
        after_save=lambda: _void_approvals(post),
    )


def mark_sensitive(post: Post, user, reason: str) -> None:
    """Flag by hand. An approved post not yet signed off goes up to the director."""
    reason = _require_reason(reason)
    _deny(post, user, "mark_sensitive")
    if post.sensitive:
        raise InvalidState(_("This post is already marked sensitive."))
    signed_off = post.approvals.filter(
        voided_at__isnull=True, level=ApprovalLevel.DIRECTOR
    ).exists()
    with stale_guard(post), transaction.atomic():
        from_state = post.state
        post.sensitive, post.sensitive_reason, post.sensitivity_rule = True, reason, None
        if post.state == PostState.APPROVED and not signed_off:
            post.back_to_signoff()
        post.save(update_fields=[*SENSITIVITY_FIELDS, *Post.WORKFLOW_FIELDS])
        events.record(
            actor=user,
            action="mark_sensitive",
            obj=post,
            from_state=from_state,
            to_state=post.state,
            comment=reason,
        )


def lift_sensitivity(post: Post, user, reason: str) -> None:
    """Only a head of communication or director clears the flag, and says why.

    A post waiting for the director's sign-off only for being sensitive stops waiting:
    it is approved when someone other than the person lifting the flag approved it
    (two people agreed), and goes back to pending approval when the one who approved it
    lifts the flag (their approval is voided: no post goes out on one person's say).
    In crisis mode every post needs the director, so it keeps waiting."""
    from editorial.publishing.holds import director_required

    reason = _require_reason(reason)
    _deny(post, user, "lift_sensitivity")
    if not post.sensitive:
        raise InvalidState(_("This post is not marked sensitive."))
    with stale_guard(post), transaction.atomic():
        from_state, previous, voided = post.state, post.sensitive_reason, 0
        post.sensitive, post.sensitive_reason, post.sensitivity_rule = False, "", None
        post.sensitivity_lifted_hash, post.sensitivity_lifted_by = post.content_hash, user
        if post.state == PostState.PENDING_SIGNOFF and not director_required(timezone.now()):
            approvals = post.approvals.filter(voided_at__isnull=True)
            approval_stands = approvals.exclude(approver=user).exists()
            if not approval_stands:
                voided = approvals.update(voided_at=timezone.now())
            post.lift_signoff(approval_stands)
        post.save(update_fields=[*SENSITIVITY_FIELDS, *LIFT_FIELDS, *Post.WORKFLOW_FIELDS])
        events.record(
            actor=user,
            action="lift_sensitivity",
            obj=post,
            from_state=from_state,
            to_state=post.state,
            comment=reason,
            data={"was": previous, "approvals_voided": voided},
        )


def comment(post: Post, user, body: str) -> Comment:
    body = clean_text(body, max_length=COMMENT_MAX, required=_("The comment is empty."))
    _deny(post, user, "comment")
    with transaction.atomic():
        comment = Comment.objects.create(post=post, author=user, body=body)
        events.record(
            actor=user,
            action="comment",
            obj=post,
            from_state=post.state,
            to_state=post.state,
            comment=body,
        )
    return comment


def review_snapshot(post: Post) -> dict:
    """The text a reviewer saw, kept in the audit entry so that the next review can
    show what changed since."""
    return {"body": post.body, "variants": {str(v.channel_id): v.body for v in post.variants.all()}}


def _require_reason(reason: str) -> str:
    return clean_text(reason, max_length=REASON_MAX, required=_("Give a reason."))


def _current_hash(post: Post, expected_hash: str | None) -> str:
    """The hash of the content as stored, provided it is the content the reviewer saw:
    `expected_hash` when the page sent it, else the hash loaded with the post."""
    current = compute_content_hash(post)
    if current != (expected_hash or post.content_hash):
        raise StaleObject(_("The content changed since you opened it. Review it again."))
    return current


def _approved_hash(post: Post, expected_hash: str | None) -> str:
    """The content to sign off: the one on screen, and the one the head approved."""
    content_hash = _current_hash(post, expected_hash)
    approved = post.approvals.filter(voided_at__isnull=True).values_list("content_hash", flat=True)
    if any(h != content_hash for h in approved):
        raise StaleObject(_("The content changed since it was approved. Reload it."))
    return content_hash


def _record_approval(post: Post, user, level: str, content_hash: str) -> Approval:
    if post.state == PostState.APPROVED:
        # Cleared: what comes next is counted from this approval (four-eyes).
        post.content_authors.set([post.author_id])
    return Approval.objects.create(post=post, approver=user, level=level, content_hash=content_hash)
