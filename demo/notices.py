"""Notices that time brings, waiting when the demo opens: a hot news post still awaiting
approval ten minutes before its time (its approvers reminded, the director warned),
and the overdue submission's missed slot told to its author and the community manager.
Told by the scheduler's own task (notifications.timed), as the beat would a minute
later; the head of communication also asked for the daily digest."""

from __future__ import annotations

import datetime as dt

from demo.stage import Stage
from editorial import workflow as wf
from editorial.models import Category, Network
from notifications import timed
from notifications.models import Preferences


def time_based_notices(stage: Stage) -> None:
    cm = stage.user("cm")
    late = stage.write(
        "cm",
        "ddsp-67",
        stage.on("ddsp-67", Network.MASTODON),
        category=Category.HOT_NEWS,
        # To the minute, not rounded up as `soon` does: within the escalation's window.
        scheduled_at=(stage.now + dt.timedelta(minutes=11)).replace(second=0, microsecond=0),
        title="Circulation — accident sur l'A35",
        body="Accident sur l'A35 à hauteur de Strasbourg-Cronenbourg : circulation très "
        "ralentie vers le sud. Évitez le secteur et laissez passer les secours.",
    )
    wf.fast_track(late, cm)
    timed.run(stage.now)
    Preferences.objects.update_or_create(user=stage.user("head"), defaults={"wants_digest": True})
