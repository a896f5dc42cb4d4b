"""Each background process says it is alive on its own, and a broker outage is logged
once when it starts and once when it ends.

- The scheduler (Celery beat) writes the `beat` heartbeat from its own loop
  (`config.beat.Scheduler`), so `/healthz` can tell a dead scheduler from dead workers:
  the sweep's heartbeat (`scheduler`), written by the sweep task on a worker, stops in
  both cases.
- Each worker writes `worker:<its name>` from a thread of its own every
  `WORKER_HEARTBEAT_SECONDS`.
- `BrokerWatch`: whoever sends messages (beat, the sweep, a web request) reports each
  failure and success; the first failure logs an ERROR, the first success after it a
  WARNING with the outage's length, and nothing in between (a Redis blip used to log
  one error a second).
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone

from editorial.models import Heartbeat

log = logging.getLogger("editorial.liveness")

BEAT_HEARTBEAT = "beat"
WORKER_HEARTBEAT_PREFIX = "worker:"
NAME_LENGTH = Heartbeat._meta.get_field("name").max_length


def beat(name: str, now: datetime | None = None) -> None:
    Heartbeat.objects.update_or_create(
        name=name[:NAME_LENGTH], defaults={"beat_at": now or timezone.now()}
    )


def worker_heartbeat_name(hostname: str) -> str:
    return (WORKER_HEARTBEAT_PREFIX + hostname)[:NAME_LENGTH]


def start_worker_heartbeat(hostname: str) -> threading.Thread:
    """A daemon thread writing this worker's heartbeat until the process ends."""
    name = worker_heartbeat_name(hostname)
    interval = settings.WORKER_HEARTBEAT_SECONDS

    def run() -> None:
        failing = False
        while True:
            try:
                beat(name)
                if failing:
                    log.warning("Worker heartbeat written again (%s)", name)
                failing = False
            except Exception as exc:  # the database is down: say so once, keep trying
                if not failing:
                    log.error("Worker heartbeat failed (%s): %s: %s", name, type(exc).__name__, exc)
                failing = True
            finally:
                connection.close()  # this thread's own connection, back to the pool
            time.sleep(interval)

    thread = threading.Thread(target=run, name="cadence-worker-heartbeat", daemon=True)
    thread.start()
    return thread


class BrokerWatch:
    """The broker's state as this process last saw it (one per process)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.lost_at: float | None = None
        self.failures = 0

    def failed(self, exc: BaseException, doing: str) -> None:
        with self._lock:
            self.failures += 1
            if self.lost_at is not None:
                return
            self.lost_at = time.monotonic()
        log.error(
            "Broker unreachable while %s (%s: %s); publications wait in the database and "
            "go out once it is back",
            doing,
            type(exc).__name__,
            exc,
        )

    def succeeded(self) -> None:
        if self.lost_at is None:  # the common case, without the lock
            return
        with self._lock:
            if self.lost_at is None:
                return
            lost_for, failures = time.monotonic() - self.lost_at, self.failures
            self.lost_at, self.failures = None, 0
        log.warning(
            "Broker reachable again after %.0f s (%d message(s) could not be sent meanwhile)",
            lost_for,
            failures,
        )


broker = BrokerWatch()
