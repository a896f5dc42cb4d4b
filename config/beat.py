"""The scheduler (Celery beat) with a heartbeat of its own and one log line per broker
outage.

Beat's own `apply_entry` logs an ERROR with a stack for every task it cannot send: with
the sweep due every second, a broker outage filled the log with one error a second.
Here each failure goes to `editorial.liveness.broker` (an ERROR when the outage starts,
a WARNING when it ends). The heartbeat, written from beat's loop, tells `/healthz`
that the scheduler itself is alive, whatever the workers do.
"""

from __future__ import annotations

import logging
import time

from celery import beat

log = logging.getLogger(__name__)


class Scheduler(beat.Scheduler):
    heartbeat_every = 5.0  # seconds; /healthz allows HEARTBEAT_MAX_AGE_SECONDS

    def __init__(self, *args, **kwargs):
        self._last_heartbeat = 0.0
        self._heartbeat_failing = False
        super().__init__(*args, **kwargs)

    def apply_entry(self, entry, producer=None):
        from editorial.liveness import broker

        beat.logger.info("Scheduler: Sending due task %s (%s)", entry.name, entry.task)
        try:
            self.apply_async(entry, producer=producer, advance=False)
        except Exception as exc:  # kombu's and socket errors alike
            broker.failed(exc, f"sending {entry.name}")
        else:
            broker.succeeded()

    def tick(self, *args, **kwargs):
        interval = super().tick(*args, **kwargs)
        now = time.monotonic()
        if now - self._last_heartbeat >= self.heartbeat_every:
            self._last_heartbeat = now
            self._heartbeat()
        return min(interval, self.heartbeat_every) if interval else interval

    def _heartbeat(self) -> None:
        from django.db import connection

        from editorial.liveness import BEAT_HEARTBEAT
        from editorial.liveness import beat as write

        try:
            write(BEAT_HEARTBEAT)
            self._heartbeat_failing = False
        except Exception as exc:  # the database is down: /healthz says so; keep scheduling
            if not self._heartbeat_failing:
                log.error("Scheduler heartbeat failed: %s: %s", type(exc).__name__, exc)
            self._heartbeat_failing = True
            connection.close()
