"""The integration harness: real Celery workers and beat (child processes), a real Redis
broker, PostgreSQL, and the recording loopback channel (tests/loopback.py).

- Tests are `@pytest.mark.django_db(transaction=True, serialized_rollback=True)`: what
  they create is committed, so the workers see it, and the role groups survive.
- `redis_url`: the shared Redis on a dedicated database number (flushed before and
  after); a test that kills its broker uses `own_redis` instead, a `redis-server` of its
  own on a free port. Without PostgreSQL or Redis the tests skip, saying why; with
  CI=true they fail instead.
- `cluster` starts workers and beat on the TEST database with small timings (sweep 1 s,
  lease 3 s, sending time-out 5 s, retry base 1 s), waits for them by condition (the
  "ready" line, a scheduler heartbeat), and stops them (SIGTERM, then SIGKILL) before
  the database is flushed. The logs of a failed test are attached to its report.
- Every wait has a deadline and polls; nothing sleeps for a fixed time.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.utils import timezone

from editorial import workflow
from editorial.models import (
    Channel,
    Heartbeat,
    Post,
)
from editorial.publishing.scheduler import SCHEDULER_HEARTBEAT
from tests import processes
from tests.factories import PostFactory, WebhookChannelFactory, approved_in_bulk
from tests.loopback import LoopbackChannel, Received, Reply

SHARED_REDIS_URL = os.environ.get("CADENCE_IT_REDIS_URL", "redis://127.0.0.1:6379/14")

SWEEP_SECONDS = 1
LEASE_SECONDS = 3
SENDING_TIMEOUT_SECONDS = 5
TIMINGS = {
    "PUBLISHING_SWEEP_SECONDS": str(SWEEP_SECONDS),
    "PUBLISHING_LEASE_SECONDS": str(LEASE_SECONDS),
    "PUBLISHING_SENDING_TIMEOUT_SECONDS": str(SENDING_TIMEOUT_SECONDS),
    "PUBLISHING_RETRY_BASE_SECONDS": "1",
}
START_TIMEOUT = 60  # seconds for a worker or beat to come up on a busy 2-core machine
STOP_TIMEOUT = 10  # seconds between SIGTERM and SIGKILL


# --- availability: skip with a reason, fail on CI ------------------------------------------


def _ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def unavailable(message: str) -> None:
    if _ci():
        pytest.fail(f"CI=true but {message}")
    pytest.skip(message)


@pytest.fixture
def redis_url():
    """The shared Redis, on a database number of its own, flushed before and after."""
    import redis

    client = redis.Redis.from_url(SHARED_REDIS_URL, socket_connect_timeout=1, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as exc:
        unavailable(
            f"needs Redis: none answers at {SHARED_REDIS_URL} ({exc}); start "
            "redis-server or set CADENCE_IT_REDIS_URL"
        )
    client.flushdb()
    yield SHARED_REDIS_URL
    with contextlib.suppress(redis.RedisError):
        client.flushdb()
    client.close()


# --- waiting --------------------------------------------------------------------------------


def eventually(predicate: Callable[[], object], timeout: float, what: str, interval: float = 0.05):
    """Poll until `predicate()` is truthy and return it; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def last_sweep() -> datetime | None:
    return (
        Heartbeat.objects.filter(name=SCHEDULER_HEARTBEAT).values_list("beat_at", flat=True).first()
    )


def wait_for_sweeps(after: datetime | None = None, count: int = 2, timeout: float = 30) -> None:
    """Wait until sweeps have kept running after `after` (default: now): the last sweep
    started at least (count - 1) sweep intervals after the first one that could have
    seen `after`. Used before asserting that something did NOT happen."""
    after = after or timezone.now()
    target = after + timedelta(seconds=(count - 1) * SWEEP_SECONDS + 0.1)
    eventually(
        lambda: (last_sweep() or after) >= target,
        timeout,
        f"{count} publishing sweeps after {after:%H:%M:%S.%f}",
    )


# --- child processes ------------------------------------------------------------------------


class Child(processes.Child):
    stop_timeout = STOP_TIMEOUT

    def wait_for_log(self, pattern: str, timeout: float = START_TIMEOUT) -> re.Match:
        regex = re.compile(pattern, re.MULTILINE)

        def found():
            match = regex.search(self.log_text())
            if match is None and not self.alive():
                pytest.fail(
                    f"{self.name} exited ({self.proc.returncode}) before logging "
                    f"{pattern!r}:\n{self.log_tail()}"
                )
            return match

        return eventually(found, timeout, f"{self.name} to log {pattern!r}", interval=0.05)


@pytest.fixture
def children(request):
    """Every child process a test starts: stopped at teardown (all signalled first, then
    waited for), and their logs attached to the report if the test failed."""
    started: list[Child] = []
    request.node._cadence_children = started
    yield started
    for child in started:
        child.terminate()
    for child in reversed(started):
        child.stop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        for child in getattr(item, "_cadence_children", []):
            report.sections.append(
                (f"{report.when}: last lines of {child.name} ({child.log_path})", child.log_tail())
            )


# --- Redis of our own (for tests that kill the broker) ---------------------------------------


class RedisServer:
    def __init__(self, children: list[Child], tmp_path: Path):
        self.children, self.tmp_path = children, tmp_path
        self.port = processes.free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.starts = 0
        self.child: Child | None = None

    def start(self) -> None:
        self.starts += 1
        self.child = Child(
            f"redis-{self.starts}",
            processes.redis_server_args(self.port, self.tmp_path),
            dict(os.environ),
            self.tmp_path / f"redis-{self.starts}.log",
        )
        self.children.append(self.child)
        eventually(self._answers, 15, f"redis-server on port {self.port}")

    def _answers(self) -> bool:
        import redis

        if not self.child.alive():
            pytest.fail(f"redis-server exited:\n{self.child.log_tail()}")
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.5)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def client(self):
        import redis

        return redis.Redis(
            host="127.0.0.1", port=self.port, socket_connect_timeout=1, socket_timeout=5
        )

    def kill(self) -> None:
        self.child.kill()


@pytest.fixture
def own_redis(children, tmp_path):
    """A redis-server of this test's own, on a free port, nothing persisted: the one a
    fault test may kill and restart. Never the shared one."""
    if shutil.which("redis-server") is None:
        unavailable("needs the redis-server binary on PATH to run a broker of its own")
    server = RedisServer(children, tmp_path)
    server.start()
    return server


# --- the cluster: workers and beat on the test database --------------------------------------


def _database_url() -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"], safe="")
    host = s["HOST"] or "localhost"
    port = s["PORT"] or 5432
    return f"postgres://{auth}@{host}:{port}/{quote(s['NAME'], safe='')}"


def _reset_celery_pools(app) -> None:
    """Forget the producer connections of this process, so the next message goes to the
    broker configured now (kombu keeps its pools in a registry keyed by broker address:
    closing one would leave a closed pool there for the next test)."""
    from kombu import pools

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


class Cluster:
    def __init__(self, broker_url: str, children: list[Child], tmp_path: Path):
        self.broker_url, self.children, self.tmp_path = broker_url, children, tmp_path
        self.env = dict(os.environ)
        self.env.update(TIMINGS)
        self.env.update(
            DJANGO_SETTINGS_MODULE="config.test_settings",
            DATABASE_URL=_database_url(),
            REDIS_URL=broker_url,
            # Celery reads this before its configuration: the workers use this broker
            # whatever a settings module says (config/test_settings.py may pin memory://).
            CELERY_BROKER_URL=broker_url,
            PYTHONUNBUFFERED="1",
            LOG_LEVEL="INFO",
            CADENCE_LOG_FORMAT="plain",  # the tests read Celery's own lines
        )
        self.env.pop("CELERY_BROKER_READ_URL", None)
        self.env.pop("CELERY_BROKER_WRITE_URL", None)

    def _start(self, name: str, args: list[str]) -> Child:
        child = Child(
            name,
            [sys.executable, "-m", "celery", "-A", "config", *args],
            self.env,
            self.tmp_path / f"{name}.log",
        )
        self.children.append(child)
        return child

    def worker(self, name: str = "w1", *, concurrency: int = 8, wait: bool = True) -> Child:
        child = self._start(
            name,
            [
                "worker",
                "--pool",
                "threads",
                "--concurrency",
                str(concurrency),
                "--without-mingle",
                "--without-gossip",
                "-n",
                f"{name}@%h",
                "--loglevel",
                "INFO",
            ],
        )
        if wait:
            self.wait_ready(child)
        return child

    def beat(self, name: str = "beat", *, wait: bool = True) -> Child:
        child = self._start(
            name, ["beat", "--loglevel", "INFO", "-s", str(self.tmp_path / f"{name}-schedule")]
        )
        if wait:
            self.wait_ready(child)
        return child

    def up(self) -> tuple[Child, Child]:
        """One worker and one beat, started side by side; wait with `ready`."""
        return self.worker(wait=False), self.beat(wait=False)

    def ready(self, *children: Child) -> None:
        """The children are up and a sweep went round."""
        self.wait_ready(*children)
        self.wait_for_sweep()

    def wait_ready(self, *children: Child) -> None:
        for child in children:
            if "worker" in child.args:
                child.wait_for_log(r"^\[[^]]*\] \S+@\S+ ready\.$")
                transport = child.wait_for_log(r"Connected to (\S+)")
                assert transport.group(1).startswith("redis://"), (
                    f"{child.name} is on {transport.group(1)}, not on {self.broker_url}"
                )
            else:
                child.wait_for_log(r"beat: Starting\.\.\.")

    def wait_for_sweep(self, timeout: float = START_TIMEOUT) -> None:
        """A sweep ran after now: beat sends, a worker runs it, the database records it."""
        now = timezone.now()
        eventually(lambda: (last_sweep() or now) > now, timeout, "a first publishing sweep")

    def task_outcome(self, worker: Child, task_id: str, timeout: float = 15) -> str:
        """What a task returned, from the worker's log line for it."""
        match = worker.wait_for_log(
            rf"Task \S+\[{re.escape(task_id)}\] (?:succeeded in \S+: (.*)|raised .*)$", timeout
        )
        return match.group(1) or match.group(0)


@pytest.fixture
def test_process_broker(monkeypatch):
    """Point this process's own messages (sent after commit by workflow actions, such as
    `confirm_held` of a post held mid-publishing) at the workers' broker."""
    from config.celery import app

    def point(url: str) -> None:
        _reset_celery_pools(app)
        monkeypatch.setenv("CELERY_BROKER_URL", url)
        monkeypatch.setitem(app.conf, "broker_transport_options", {})

    yield point
    _reset_celery_pools(app)  # the environment is restored by monkeypatch after this


@pytest.fixture
def make_cluster(postgres, children, tmp_path, test_process_broker):
    def make(broker_url: str) -> Cluster:
        test_process_broker(broker_url)
        return Cluster(broker_url, children, tmp_path)

    return make


@pytest.fixture
def cluster(make_cluster, redis_url) -> Cluster:
    return make_cluster(redis_url)


# --- the channel and the newsroom ------------------------------------------------------------


def answer(request: Received, delay: float = 0.0) -> Reply:
    """What a webhook receiver answers: 200 with an id."""
    return Reply(body={"id": request.body.get("idempotency_key", "")}, delay=delay)


@pytest.fixture
def loopback():
    with LoopbackChannel() as server:
        yield server


def duplicates(keys: list[str]) -> dict[str, int]:
    return {key: n for key, n in Counter(keys).items() if n > 1}


class Newsroom:
    """Channels pointing at the loopback server, and approved posts made through the
    real workflow (fast track by the CM, approval by the head of communication)."""

    def __init__(self, national, cm, head, loopback: LoopbackChannel):
        self.national, self.cm, self.head, self.loopback = national, cm, head, loopback
        self._made = 0

    def channel(self, name: str | None = None) -> Channel:
        self._made += 1
        return WebhookChannelFactory(
            name=name or f"Webhook {self._made}",
            handle=f"hook-{self._made}",
            department=self.national,
            endpoint_url=self.loopback.url,
        )

    def approved_post(self, channels: list[Channel], body: str) -> Post:
        post = PostFactory(
            author=self.cm,
            origin_department=self.national,
            channels=channels,
            body=body,
            scheduled_at=timezone.now() + timedelta(hours=1),
        )
        workflow.fast_track(post, self.cm)
        workflow.approve(post, self.head)
        return post

    def approved_posts(self, count: int, channels: list[Channel]) -> list[Post]:
        """`count` approved posts, each on one channel, taken in turn from `channels`."""
        return [
            self.approved_post([channels[i % len(channels)]], f"Avis de prévention n°{i}.")
            for i in range(count)
        ]

    def approved_in_bulk(self, count: int, channels: list[Channel]) -> list[Post]:
        """`count` approved posts written straight to the database, due in an hour, each
        on one channel taken in turn from `channels` (tests.factories.approved_in_bulk)."""
        return approved_in_bulk(
            count,
            channels=channels,
            author=self.cm,
            approver=self.head,
            scheduled_at=timezone.now() + timedelta(hours=1),
        )

    @staticmethod
    def due_at(posts: list[Post], when: datetime) -> None:
        """Move the posts' time (the approval binds the content, not the time)."""
        Post.objects.filter(pk__in=[p.pk for p in posts]).update(scheduled_at=when)


@pytest.fixture
def newsroom(national, cm, head, loopback) -> Newsroom:
    return Newsroom(national, cm, head, loopback)
