"""The posts of `seed_scale`: three years of them, in the states a real team leaves
behind, with their channels, plans, approvals, publications, comments and the audit
entries and notices each step would have written (demo/scale_audit.py chains them)."""

from __future__ import annotations

import datetime
import uuid
from typing import TYPE_CHECKING

from demo.scale_insert import insert, next_id
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
EVERY = [(False, state) for state, _ in PAST_STATES] + [(True, s) for s, _ in FUTURE_STATES]
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
POST, PLAN = "editorial.post", "editorial.weeklyplan"
CATEGORIES = Category.values
SENT, FAILED, UNKNOWN = (
    PublicationState.SENT.value,
    PublicationState.FAILED.value,
    PublicationState.UNKNOWN.value,
)
POST_COLUMNS = (
    "id",
    "title",
    "body",
    "category",
    "scheduled_at",
    "origin_department_id",
    "plan_id",
    "author_id",
    "last_editor_id",
    "state",
    "urgent",
    "sensitive",
    "sensitive_reason",
    "sensitivity_lifted_hash",
    "content_hash",
    "held_at",
    "held_reason",
    "created_at",
    "updated_at",
)
PUBLICATION_COLUMNS = (
    "post_id",
    "channel_id",
    "state",
    "idempotency_key",
    "content_hash",
    "attempts",
    "last_error",
    "external_id",
    "external_url",
    "created_at",
    "sent_at",
)
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
    post_id = next_id(Post)
    posts, links, approvals, publications, comments = [], [], [], [], []
    for i in range(count):
        # The first few posts take every state in turn, so even a small set has them all.
        first = i < len(EVERY)
        future = EVERY[i][0] if first else rng.random() < FUTURE_SHARE
        if future:
            when = now + datetime.timedelta(minutes=rng.randrange(60, FUTURE_DAYS * 1440))
            state = EVERY[i][1] if first else _pick(rng, FUTURE_STATES)
        else:
            when = now - datetime.timedelta(minutes=rng.randrange(60, PAST_DAYS * 1440))
            state = EVERY[i][1] if first else _pick(rng, PAST_STATES)
        dept = national if rng.random() < 0.3 else rng.choice(world.departments)
        people = world.contributors_by_dept.get(dept.pk) or cms
        author = rng.choice(cms if dept is national else people)
        channels = world.channels_by_dept[dept.pk]
        chosen = sorted(rng.sample(channels, min(len(channels), rng.choice((1, 1, 2, 3)))))
        topic = TOPICS[i % len(TOPICS)]
        title = f"{topic} ({i + 1})"
        body = f"{topic} — {dept.name}. Message n° {i + 1}, préparé pour nos abonnés."
        undated = state in (S.DRAFT, S.SUBMITTED) and future and rng.random() < 0.3
        created = min(when - datetime.timedelta(hours=rng.randrange(24, 24 * 14)), now)
        planned = state not in (S.DRAFT, S.SUBMITTED, S.CANCELLED)
        plan = plans.get((dept.pk, *when.isocalendar()[:2])) if planned else None
        content_hash = _fingerprint(
            {"body": body, "channels": list(chosen), "variants": [], "images": []}
        )
        pk = post_id + i
        held = state == "held"
        posts.append(
            (
                pk,
                title,
                body,
                CATEGORIES[i % len(CATEGORIES)],
                None if undated else when,
                dept.pk,
                plan.pk if plan else None,
                author.pk,
                author.pk,
                str({"held": S.APPROVED, "unknown": S.PUBLISHING}.get(state, state)),
                False,
                False,
                "",
                "",
                content_hash,
                when if held else None,
                "Publication suspendue (pause nationale)" if held else "",
                created,
                min(when, now),
            )
        )
        links.extend((pk, c) for c in chosen)
        audit.add(created, author, "create", POST, pk, title, "", S.DRAFT)
        steps = STEPS[state]
        for n, (action, source, target) in enumerate(steps):
            at = created + (when - created) * (n + 1) / (len(steps) + 1)
            actor = rng.choice(heads) if action in ("approve", "request_changes") else None
            if action in ("plan_into_week", "send_for_approval", "submit", "cancel"):
                actor = author
            notify = [(author, "returned")] if action == "request_changes" else None
            audit.add(at, actor, action, POST, pk, title, source, target, notify=notify)
            if action == "approve":
                approvals.append((pk, actor.pk, ApprovalLevel.HEAD.value, content_hash, at))
        if state in (S.PUBLISHED, S.FAILED, "unknown"):
            sent = state == S.PUBLISHED
            outcome = {S.PUBLISHED: SENT, S.FAILED: FAILED}.get(state, UNKNOWN)
            for channel_id in chosen:
                publications.append(
                    (
                        pk,
                        channel_id,
                        outcome,
                        uuid.UUID(int=rng.getrandbits(128), version=4),
                        content_hash,
                        1 if sent else 3,
                        "" if sent else "HTTP 503",
                        f"{pk}-{channel_id}" if sent else "",
                        "",
                        when,
                        when if sent else None,
                    )
                )
            if state == S.FAILED:
                audit.notices_for_last(cms[:3], "failed")
        if rng.random() < 0.1:
            commenter = rng.choice(heads)
            comments.append((pk, commenter.pk, "Vu, merci.", when - DAY))
            audit.add(
                when - DAY, commenter, "comment", POST, pk, title, "", "", comment="Vu, merci."
            )
    insert(Post, POST_COLUMNS, posts)
    log(f"posts: {len(posts)}")
    insert(Post.channels.through, ("post_id", "channel_id"), links)
    insert(Approval, ("post_id", "approver_id", "level", "content_hash", "created_at"), approvals)
    insert(Publication, PUBLICATION_COLUMNS, publications)
    insert(Comment, ("post_id", "author_id", "body", "created_at"), comments)
    log(f"channels linked, {len(approvals)} approvals, {len(publications)} publications")
    for plan in plans.values():
        name = str(plan)
        audit.add(
            plan._created, plan.created_by, "submit_plan", PLAN, plan.pk, name, "draft", "submitted"
        )
        if plan.state == PlanState.APPROVED:
            audit.add(
                plan._created + DAY,
                plan.reviewed_by,
                "approve_plan",
                PLAN,
                plan.pk,
                name,
                "submitted",
                "approved",
            )
        else:
            audit.notices_for_last(heads, "plan_submitted")
    return {
        "posts": len(posts),
        "plans": len(plans),
        "publications": len(publications),
        "approvals": len(approvals),
        "comments": len(comments),
    }


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
