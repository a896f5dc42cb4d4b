"""A worker's hold on the publications of the batches it runs, kept alive while it
lives: how a killed worker's work is seen within seconds, not after a lease of
minutes or a broker's visibility time-out of an hour.

`Publication.next_attempt_at` is a publication's lease: once it has passed, the sweep
acts. A queued one waiting for its message has the long lease (`PUBLISHING_LEASE_SECONDS`,
a busy queue may keep a message that long). Once a batch takes it up, and while it is
in flight (`sending`), its lease is `PUBLISHING_HOLD_SECONDS` (5) ahead, renewed every
fifth of that by this process's keeper thread. A worker SIGKILLed stops renewing:
within the hold, the sweep sends the rest of its batch again (queued) and has the one
it had in flight looked up on the network, or marked unknown (`reconcile`).

Redis would deliver the killed worker's message again too, but only after kombu's
visibility time-out (an hour): the claim refuses that late copy.

Only a process whose keeper runs (a worker: `config.celery` starts it) shortens the
leases; elsewhere (a test calling the sender directly, a management command) nothing
would renew them, so the long lease and the reaper's sending time-out apply.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from editorial.models import Publication, PublicationState

log = logging.getLogger(__name__)
PS = PublicationState
HELD_STATES = [PS.QUEUED, PS.RETRYING, PS.SENDING]


class Keeper:
    """The publications this process's batches hold (ids, counted: two batches of one
    process may name the same one), and the thread that renews their leases."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: Counter[int] = Counter()
        self.thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    def hold_until(self, now: datetime) -> datetime:
        """The lease of a publication this process works on: short if the keeper renews
        it, else the sending time-out (the reaper's)."""
        seconds = (
            settings.PUBLISHING_HOLD_SECONDS
            if self.running
            else settings.PUBLISHING_SENDING_TIMEOUT_SECONDS
        )
        return now + timedelta(seconds=seconds)

    def hold(self, ids: Iterable[int]) -> None:
        """Take `ids` up (a batch starting): their leases become the short hold now."""
        ids = list(ids)
        if not self.running or not ids:
            return
        with self._lock:
            self._held.update(ids)
        try:
            self._renew(ids)
        except Exception as exc:  # a lock wait gone wrong: the keeper renews them in a second
            log.info("Could not hold publications %s yet: %s: %s", ids, type(exc).__name__, exc)

    def release(self, ids: Iterable[int]) -> None:
        """Done with `ids` (sent, retrying, refused…): their leases are no longer ours."""
        with self._lock:
            for pk in ids:
                self._held[pk] -= 1
                if self._held[pk] <= 0:
                    del self._held[pk]

    def held(self) -> list[int]:
        with self._lock:
            return list(self._held)

    def renew(self) -> int:
        return self._renew(self.held())

    def _renew(self, ids: list[int]) -> int:
        if not ids:
            return 0
        # Never a retrying publication's back-off: the batch releases one as soon as its
        # outcome is decided, and the claim checks `not_before` whatever the lease says.
        return Publication.objects.filter(pk__in=ids, state__in=HELD_STATES).update(
            next_attempt_at=timezone.now() + timedelta(seconds=settings.PUBLISHING_HOLD_SECONDS)
        )

    def start(self) -> threading.Thread:
        """The keeper thread of this process (a worker), renewing every fifth of the
        hold. Idempotent."""
        if self.running:
            return self.thread
        interval = settings.PUBLISHING_HOLD_SECONDS / 5

        def run() -> None:
            failing = False
            while True:
                started = time.monotonic()
                try:
                    self.renew()
                    failing = False
                except Exception as exc:  # the database is down: /healthz says so
                    if not failing:
                        log.error(
                            "Could not renew publication leases: %s: %s", type(exc).__name__, exc
                        )
                    failing = True
                finally:
                    connection.close()  # this thread's own connection, back to the pool
                time.sleep(max(0.0, interval - (time.monotonic() - started)))

        self.thread = threading.Thread(target=run, name="cadence-publication-keeper", daemon=True)
        self.thread.start()
        return self.thread


keeper = Keeper()
