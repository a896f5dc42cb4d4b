"""The posts of `seed_scale`: three years of them, in the states a real team leaves
behind, with their channels, plans, approvals, publications, comments and the audit
entries and notices each step would have written (demo/scale_audit.py chains them)."""

from __future__ import annotations

import datetime
import uuid
from typing import TYPE_CHECKING

from editorial.content import _fingerprint
from editorial.models import (
    Approval,
    ApprovalLevel,
    Category,
    Comment,
    Post,
    PostState,
    Publication,
    PublicationState,
    WeeklyPlan,
)
from editorial.models.plans import PlanState

if TYPE_CHECKING:
    from demo.scale import World
    from demo.scale_audit import AuditPlan

S = PostState
DAY = datetime.timedelta(days=1)
PAST_DAYS = 3 * 365
FUTURE_DAYS = 28
# Share of the posts scheduled in the future, and the states past and future posts are in.
FUTURE_SHARE = 0.03
PAST_STATES = (
    (S.PUBLISHED, 0.925),
    (S.FAILED, 0.02),
    (S.CANCELLED, 0.03),
    ("held", 0.01),
    ("unknown", 0.01),
    (S.DRAFT, 0.005),
)
FUTURE_STATES = (
    (S.DRAFT, 0.2),
    (S.SUBMITTED, 0.1),
    (S.PLANNED, 0.15),
    (S.PENDING_APPROVAL, 0.15),
    (S.PENDING_SIGNOFF, 0.05),
    (S.CHANGES_REQUESTED, 0.05),
    (S.APPROVED, 0.3),
)
# The audit steps (action, from, to) that lead to each state.
_REVIEW = [
    ("plan_into_week", S.DRAFT, S.PLANNED),
    ("send_for_approval", S.PLANNED, S.PENDING_APPROVAL),
]
_APPROVED = [*_REVIEW, ("approve", S.PENDING_APPROVAL, S.APPROVED)]
_OUT = [*_APPROVED, ("start_publishing", S.APPROVED, S.PUBLISHING)]
STEPS = {
    S.DRAFT: [],
    S.SUBMITTED: [("submit", S.DRAFT, S.SUBMITTED)],
    S.PLANNED: _REVIEW[:1],
    S.PENDING_APPROVAL: _REVIEW,
    S.PENDING_SIGNOFF: [*_REVIEW, ("approve", S.PENDING_APPROVAL, S.PENDING_SIGNOFF)],
    S.CHANGES_REQUESTED: [*_REVIEW, ("request_changes", S.PENDING_APPROVAL, S.CHANGES_REQUESTED)],
    S.APPROVED: _APPROVED,
    S.PUBLISHED: [*_OUT, ("mark_published", S.PUBLISHING, S.PUBLISHED)],
    S.FAILED: [*_OUT, ("mark_failed", S.PUBLISHING, S.FAILED)],
    S.CANCELLED: [("cancel", S.DRAFT, S.CANCELLED)],
    "held": [*_APPROVED, ("hold", S.APPROVED, S.APPROVED)],
    "unknown": _OUT,
}
BATCH = 2000
TOPICS = (
    "Appel à témoins",
    "Prévention des cambriolages",
    "Recrutement de gardiens de la paix",
    "Sécurité routière",
    "Opération tranquillité vacances",
    "Rencontre avec les habitants",
    "Bilan de la semaine",
    "Escroqueries en ligne",
)


def _pick(rng, table):
    roll, total = rng.random(), 0.0
    for value, share in table:
        total += share
        if roll < total:
            return value
    return table[-1][0]


def make_posts(world: World, count: int, audit: AuditPlan, *, log=print) -> dict[str, int]:
    rng, now = world.rng, world.now
    national = world.national
    cms = world.people_by_role["community_manager"]
    heads = world.people_by_role["head_of_communication"]
    plans = _plans(world, count)
    specs, posts = [], []
    for i in range(count):
        future = rng.random() < FUTURE_SHARE
        if future:
            when = now + datetime.timedelta(minutes=rng.randrange(60, FUTURE_DAYS * 1440))
            state = _pick(rng, FUTURE_STATES)
        else:
            when = now - datetime.timedelta(minutes=rng.randrange(60, PAST_DAYS * 1440))
            state = _pick(rng, PAST_STATES)
        dept = national if rng.random() < 0.3 else rng.choice(world.departments)
        people = world.contributors_by_dept.get(dept.pk) or cms
        author = rng.choice(cms if dept is national else people)
        channels = world.channels_by_dept[dept.pk]
        chosen = sorted(rng.sample(channels, min(len(channels), rng.choice((1, 1, 2, 3)))))
        topic = TOPICS[i % len(TOPICS)]
        body = f"{topic} — {dept.name}. Message n° {i + 1}, préparé pour nos abonnés."
        undated = state in (S.DRAFT, S.SUBMITTED) and future and rng.random() < 0.3
        real_state = {"held": S.APPROVED, "unknown": S.PUBLISHING}.get(state, state)
        created = when - datetime.timedelta(hours=rng.randrange(24, 24 * 14))
        plan = plans.get((dept.pk, *when.isocalendar()[:2])) if state not in (
            S.DRAFT,
            S.SUBMITTED,
            S.CANCELLED,
        ) else None
        post = Post(
            title=f"{topic} ({i + 1})",
            body=body,
            category=Category.values[i % len(Category.values)],
            scheduled_at=None if undated else when,
            origin_department=dept,
            plan=plan,
            author=author,
            last_editor=author,
            state=real_state,
            content_hash=_fingerprint(
                {"body": body, "channels": list(chosen), "variants": [], "images": []}
            ),
            held_at=when if state == "held" else None,
            held_reason="Publication suspendue (pause nationale)" if state == "held" else "",
            created_at=min(created, now),
            updated_at=min(when, now),
        )
        posts.append(post)
        specs.append((state, chosen, author, when if not undated else now, created))
    from demo.scale import explicit_timestamps

    with explicit_timestamps(Post, "created_at", "updated_at"):
        posts = Post.objects.bulk_create(posts, batch_size=BATCH)
    log(f"posts: {len(posts)}")
    links, approvals, publications, comments = [], [], [], []
    through = Post.channels.through
    for post, (state, chosen, author, when, created) in zip(posts, specs, strict=True):
        links.extend(through(post_id=post.pk, channel_id=c) for c in chosen)
        audit.add(created, author, "create", post, "", S.DRAFT)
        steps = STEPS[state]
        for n, (action, source, target) in enumerate(steps):
            at = created + (when - created) * (n + 1) / (len(steps) + 1)
            actor = rng.choice(heads) if action in ("approve", "request_changes") else None
            if action in ("plan_into_week", "send_for_approval", "submit", "cancel"):
                actor = author
            audit.add(at, actor, action, post, source, target, notify=_notice(action, author))
            if action == "approve":
                approvals.append(
                    Approval(
                        post=post,
                        approver=actor,
                        level=ApprovalLevel.HEAD,
                        content_hash=post.content_hash,
                        created_at=at,
                    )
                )
        if state in (S.PUBLISHED, S.FAILED, "unknown"):
            outcome = {
                S.PUBLISHED: PublicationState.SENT,
                S.FAILED: PublicationState.FAILED,
            }.get(state, PublicationState.UNKNOWN)
            for channel_id in chosen:
                publications.append(
                    Publication(
                        post=post,
                        channel_id=channel_id,
                        state=outcome,
                        idempotency_key=uuid.UUID(int=rng.getrandbits(128), version=4),
                        content_hash=post.content_hash,
                        attempts=1 if outcome == PublicationState.SENT else 3,
                        last_error="" if outcome == PublicationState.SENT else "HTTP 503",
                        external_id=f"{post.pk}-{channel_id}" if outcome == "sent" else "",
                        created_at=when,
                        sent_at=when if outcome == PublicationState.SENT else None,
                    )
                )
            if state == S.FAILED:
                audit.notices_for_last(cms[:3], "failed", post)
        if rng.random() < 0.1:
            commenter = rng.choice(heads)
            comments.append(
                Comment(post=post, author=commenter, body="Vu, merci.", created_at=when - DAY)
            )
            audit.add(when - DAY, commenter, "comment", post, "", "", comment="Vu, merci.")
    through.objects.bulk_create(links, batch_size=BATCH)
    Approval.objects.bulk_create(approvals, batch_size=BATCH)
    Publication.objects.bulk_create(publications, batch_size=BATCH)
    Comment.objects.bulk_create(comments, batch_size=BATCH)
    log(f"channels linked, {len(approvals)} approvals, {len(publications)} publications")
    for plan in plans.values():
        audit.add(plan._created, plan.created_by, "submit_plan", plan, "draft", "submitted")
        if plan.state == PlanState.APPROVED:
            audit.add(
                plan._created + DAY, plan.reviewed_by, "approve_plan", plan, "submitted", "approved"
            )
        else:
            audit.notices_for_last(heads, "plan_submitted", plan=plan)
    return {
        "posts": len(posts),
        "plans": len(plans),
        "publications": len(publications),
        "approvals": len(approvals),
        "comments": len(comments),
    }


def _notice(action: str, author) -> list:
    if action == "request_changes":
        return [(author, "returned")]
    return []


def _plans(world: World, count: int) -> dict:
    """The national team's plan for every week of the three years, and those of the
    first ten departments: approved in the past, submitted for the coming weeks."""
    now = world.now
    cms = world.people_by_role["community_manager"]
    heads = world.people_by_role["head_of_communication"]
    teams = [world.national, *world.departments[:10]]
    weeks = max(4, min(PAST_DAYS // 7, count // 50))
    plans = []
    for team in teams:
        for w in range(-weeks, FUTURE_DAYS // 7 + 1):
            day = now + datetime.timedelta(weeks=w)
            year, week = day.isocalendar()[:2]
            past = w < 0
            plan = WeeklyPlan(
                team=team,
                iso_year=year,
                iso_week=week,
                state=PlanState.APPROVED if past else PlanState.SUBMITTED,
                created_by=cms[w % len(cms)],
                submitted_by=cms[w % len(cms)],
                reviewed_by=heads[w % len(heads)] if past else None,
            )
            plan._created = day - datetime.timedelta(days=7)
            plans.append(plan)
    created = WeeklyPlan.objects.bulk_create(plans, batch_size=BATCH)
    for plan, source in zip(created, plans, strict=True):
        plan._created = source._created
    return {(p.team_id, p.iso_year, p.iso_week): p for p in created}
