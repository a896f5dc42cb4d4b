"""A small history whose figures are computed by hand in the tests (Europe/Paris).

Publications sent (UTC → Paris):
- p1 DDSP 67, "Mastodon A", prevention: 10 Mar 09:00 → March, week of 9 Mar
- p2 DDSP 67, "Mastodon A", hot news:   31 Mar 21:30 → 31 Mar 23:30, March
- p3 DDSP 13, "Bluesky B", prevention, campaign "Recrutement":
                                         31 Mar 22:30 → 1 Apr 00:30 (CEST), April
- p4 DDSP 13, "Bluesky B", hot news:    15 Apr 08:00 → April, week of 13 Apr

Approvals (from the audit trail, hours):
- p1 fast-tracked 9 Mar 08:00, approved 10:00: head 2, overall 2
- p2 planned 19 Mar 10:00, sent for approval 20 Mar 10:00, approved 14:00: head 4, overall 28
- p3 fast-tracked 25 Mar 08:00, approved 09:00 (to sign-off), signed off 15:00:
  head 1, director 6, overall 7
- p4 fast-tracked 10 Apr 08:00, returned 09:00, fast-tracked again 12:00, approved 20:00:
  head 8, overall 8

Head: [1, 2, 4, 8] → p50 3.0, p90 6.8; director [6]; overall [2, 7, 8, 28] → p50 7.5,
p90 22.0. DDSP 67 alone: head [2, 4] → p50 3.0, p90 3.8.

Troubles in March–April: returned 1 (p4), held 1 (p2), failed 1 (p5, DDSP 67),
overdue 1 (p6, DDSP 13).
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.db import transaction

from editorial import audit
from editorial.models import Category, Publication, PublicationState
from tests.factories import CampaignFactory, ChannelFactory, PostFactory

UTC = datetime.UTC
PARIS = ZoneInfo("Europe/Paris")


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=UTC)


def entry(actor, post, action: str, from_state: str, to_state: str, when) -> None:
    with time_machine.travel(when, tick=False), transaction.atomic():
        audit.record(actor=actor, action=action, obj=post, from_state=from_state, to_state=to_state)


def build(dept_a, dept_b, actor) -> dict:
    mastodon = ChannelFactory(name="Mastodon A", department=dept_a)
    bluesky = ChannelFactory(name="Bluesky B", department=dept_b)
    campaign = CampaignFactory(name="Recrutement", department=dept_b)
    p1 = PostFactory(origin_department=dept_a, channels=[mastodon], category=Category.PREVENTION)
    p2 = PostFactory(origin_department=dept_a, channels=[mastodon], category=Category.HOT_NEWS)
    p3 = PostFactory(
        origin_department=dept_b,
        channels=[bluesky],
        category=Category.PREVENTION,
        campaign=campaign,
    )
    p4 = PostFactory(origin_department=dept_b, channels=[bluesky], category=Category.HOT_NEWS)
    p5 = PostFactory(origin_department=dept_a, channels=[mastodon])
    p6 = PostFactory(origin_department=dept_b, channels=[bluesky])
    for post, channel, sent_at in [
        (p1, mastodon, at(3, 10, 9)),
        (p2, mastodon, at(3, 31, 21, 30)),
        (p3, bluesky, at(3, 31, 22, 30)),
        (p4, bluesky, at(4, 15, 8)),
    ]:
        Publication.objects.create(
            post=post, channel=channel, state=PublicationState.SENT, sent_at=sent_at
        )
    # Sent outside the period, and a publication that failed: neither counts as sent.
    Publication.objects.create(
        post=p5, channel=mastodon, state=PublicationState.FAILED, sent_at=None
    )
    history = [
        (p1, "fast_track", "draft", "pending_approval", at(3, 9, 8)),
        (p1, "approve", "pending_approval", "approved", at(3, 9, 10)),
        (p2, "plan_into_week", "draft", "planned", at(3, 19, 10)),
        (p2, "send_for_approval", "planned", "pending_approval", at(3, 20, 10)),
        (p2, "approve", "pending_approval", "approved", at(3, 20, 14)),
        (p2, "hold", "approved", "approved", at(3, 21, 9)),
        (p3, "fast_track", "draft", "pending_approval", at(3, 25, 8)),
        (p3, "approve", "pending_approval", "pending_signoff", at(3, 25, 9)),
        (p3, "sign_off", "pending_signoff", "approved", at(3, 25, 15)),
        (p4, "fast_track", "draft", "pending_approval", at(4, 10, 8)),
        (p4, "request_changes", "pending_approval", "changes_requested", at(4, 10, 9)),
        (p4, "fast_track", "changes_requested", "pending_approval", at(4, 10, 12)),
        (p4, "approve", "pending_approval", "approved", at(4, 10, 20)),
        (p5, "mark_failed", "publishing", "failed", at(3, 12, 9)),
        (p6, "mark_overdue", "planned", "planned", at(4, 2, 9)),
    ]
    for post, action, source, target, when in history:
        entry(actor, post, action, source, target, when)
    return {
        "mastodon": mastodon,
        "bluesky": bluesky,
        "campaign": campaign,
        "posts": [p1, p2, p3, p4, p5, p6],
    }
