"""Notices that time, not an action, brings: a post due soon and still unapproved
reminds who may approve it, then escalates to the director; a post whose time passed
unapproved tells its author and the community managers that it did not go out, and why.

A beat task runs the three rules every minute or so. Each rule reads its posts in one
query over the posts' (state, scheduled_at) index (post_state_due_idx), then asks
each person who might be told the rule's query form (editorial.permissions, the
inbox's) over those posts: one query per person, never per post, so a run costs the
same at 2 posts as at 500. Each notice is keyed by rule, post, the time it was due
and recipient: told once, and once more only if the post is moved to a new time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.scope import holders_of
from editorial.models import Post, PostState
from editorial.models.posts import UNAPPROVED
from editorial.permissions import overdue_followup_q, sign_off_q
from editorial.workflow.actions import offered_q
from notifications import notify
from notifications.models import Kind, Notification

S = PostState
CM, HEAD, DIRECTOR = Role.COMMUNITY_MANAGER, Role.HEAD_OF_COMMUNICATION, Role.DIRECTOR
# Posts read per rule and run: the rest wait for the next run (a minute later).
BATCH = 500


def _due_within(now: datetime, minutes: dict) -> Q:
    """Posts whose time is still to come, within the rule's minutes for their category
    ({"default": m, "<category>": m…})."""
    named = {category: m for category, m in minutes.items() if category != "default"}
    within = ~Q(category__in=list(named)) & Q(
        scheduled_at__lte=now + timedelta(minutes=minutes.get("default", 0))
    )
    for category, m in named.items():
        within |= Q(category=category, scheduled_at__lte=now + timedelta(minutes=m))
    return Q(scheduled_at__gt=now) & within


@dataclass(frozen=True)
class Rule:
    kind: str
    states: tuple[str, ...]
    roles: tuple[str, ...]

    def window(self, now: datetime) -> Q:
        raise NotImplementedError

    def offered(self, user) -> Q:
        """The posts of the window `user` is told of: the rule's query form."""
        raise NotImplementedError

    def reach(self) -> timedelta:
        """How long before a post's time this rule may tell of it: a notice of this
        kind written since then is about the post's present time."""
        return timedelta(0)

    def posts(self, now: datetime) -> list[Post]:
        """The posts the rule concerns now and has not yet told of at their present
        time (so that a batch never fills with posts already told)."""
        told = Notification.objects.filter(
            post=OuterRef("pk"),
            kind=self.kind,
            created_at__gte=OuterRef("scheduled_at") - self.reach(),
        )
        return list(
            Post.objects.filter(Q(state__in=self.states) & self.window(now))
            .exclude(Exists(told))
            .order_by("scheduled_at", "pk")[:BATCH]
        )

    def candidates(self, posts: list[Post]) -> list:
        return list(holders_of(*self.roles))


class Reminder(Rule):
    """Who may approve it (or sign it off) now."""

    def reach(self):
        return timedelta(minutes=max(settings.NOTIFICATION_REMINDER_MINUTES.values()))

    def window(self, now):
        return _due_within(now, settings.NOTIFICATION_REMINDER_MINUTES)

    def offered(self, user):
        return offered_q(user, "approve") | offered_q(user, "sign_off")


class Escalation(Rule):
    """The next level: the director, who may approve it in the head's place, or, a
    sensitive post, will have to sign it off."""

    def reach(self):
        return timedelta(minutes=max(settings.NOTIFICATION_ESCALATION_MINUTES.values()))

    def window(self, now):
        return _due_within(now, settings.NOTIFICATION_ESCALATION_MINUTES)

    def offered(self, user):
        return offered_q(user, "approve") | (Q(sensitive=True) & sign_off_q(user))


class MissedSlot(Rule):
    """Its author (if they still work on it) and the community managers who plan it:
    the overdue follow-up's own rule."""

    def window(self, now):
        since = now - timedelta(hours=settings.NOTIFICATION_MISSED_LOOKBACK_HOURS)
        return Q(scheduled_at__lte=now, scheduled_at__gt=since)

    def offered(self, user):
        return overdue_followup_q(user)

    def candidates(self, posts):
        # The authors of these posts are few people, whatever the number of posts.
        authors = {post.author_id for post in posts}
        people = {user.pk: user for user in holders_of(*self.roles)}
        people.update({user.pk: user for user in User.objects.filter(pk__in=authors)})
        return [user for user in people.values() if user.is_active]


RULES = (
    Reminder(Kind.REMINDER, (S.PENDING_APPROVAL, S.PENDING_SIGNOFF), (HEAD, DIRECTOR)),
    Escalation(Kind.ESCALATION, (S.PENDING_APPROVAL,), (DIRECTOR,)),
    MissedSlot(Kind.MISSED_SLOT, tuple(UNAPPROVED), (CM,)),
)


def notice_key(kind: str, post: Post, user_id: int) -> str:
    return f"{kind}:post:{post.pk}:at:{int(post.scheduled_at.timestamp())}:user:{user_id}"


def _params(post: Post) -> dict:
    return {
        "post": post.title,
        "due": post.scheduled_at.isoformat(),
        "state": post.state,
        "actor": None,
    }


def notices_of(rule: Rule, now: datetime) -> list[Notification]:
    """The notices `rule` gives now, already-written ones included (keyed: written once)."""
    posts = rule.posts(now)
    if not posts:
        return []
    by_pk = {post.pk: post for post in posts}
    rows = []
    for user in rule.candidates(posts):
        mine = Post.objects.filter(pk__in=list(by_pk), state__in=rule.states)
        mine = mine.filter(rule.offered(user))
        for pk in mine.values_list("pk", flat=True):
            post = by_pk[pk]
            rows.append(
                Notification(
                    recipient=user,
                    kind=rule.kind,
                    post=post,
                    message=rule.kind,
                    params=_params(post),
                    key=notice_key(rule.kind, post, user.pk),
                    created_at=now,
                )
            )
    return rows


def run(now: datetime | None = None) -> dict[str, int]:
    """Run every rule once; returns the number of new notices per kind."""
    now = now or timezone.now()
    told: dict[str, int] = {}
    for rule in RULES:
        rows = notices_of(rule, now)
        if not rows:
            continue
        known = set(
            Notification.objects.filter(key__in=[row.key for row in rows]).values_list(
                "key", flat=True
            )
        )
        new = [row for row in rows if row.key not in known]
        notify.write(new)
        told[rule.kind] = len(new)
    return told
