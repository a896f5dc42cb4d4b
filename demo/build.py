"""Demo data for trying Cadence on one machine: a national team, three departments, one
user per role and a week of posts in every state of the workflow, around today, in
Paris time.

Everything is done by the real functions, by whoever would act in real life: the posts
are written, reviewed and planned through the workflow (demo/plans.py, demo/today.py),
and sent by the publisher against the demo's channels (demo/publishing.py). The demo
writes no audit entry of its own: the trail, approvals and four-eyes checks are the
real thing, and `manage.py verify_audit` verifies them. What happened earlier than now
happened at its time (the clock, demo/stage.py).

`manage.py seed_demo` calls `build_demo` inside one transaction.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from demo import history, notices, plans, publishing, today
from demo.stage import Stage


def build_demo() -> None:
    """Create the whole demo around the current time. Call it inside a transaction: it
    is all or nothing."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("build_demo must run inside a transaction.")
    stage = Stage(timezone.now())
    stage.set_up()
    # The past first, in the order it happened, so that the audit chain reads in time
    # order: yesterday's publications, a submission left overdue two hours ago, and an
    # alert whose outcome is unknown, sent five minutes ago; before them, the weeks of
    # posts the Reports show.
    history.past_weeks(stage)
    publishing.yesterdays_publications(stage)
    today.overdue_submission(stage)
    publishing.a_moment_ago(stage)
    # Then the team's work as it stands now.
    plans.next_week_plan(stage)
    plans.plan_after_next(stage)
    today.hot_news(stage)
    today.conversation(stage)
    today.department_submissions(stage)
    today.going_out_in_two_minutes(stage)
    # What the scheduler tells of the time: reminders, escalation, missed slot.
    notices.time_based_notices(stage)
