"""What every benchmark sets up and tears down: its own Redis, its own PostgreSQL
database (created, migrated, dropped), the loopback channel in its own process, Celery
workers and beat as child processes, a time limit, and CPU accounting.

Everything started here is registered on one `ExitStack` as it starts, so a failure, a
time-out (SIGALRM), Ctrl-C or SIGTERM stops the children (by their process-group id)
and drops the database before the script exits.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from tests import processes
from tests.processes import Child

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")


class BenchTimeout(Exception):
    pass


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}Z] {message}", flush=True)


class Loopback:
    """Client of bench/lib/loopback_proc.py."""

    def __init__(self, child: Child):
        self.child = child
        self.url = self._read()["url"]

    def _read(self):
        line = self.child.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"loopback channel died:\n{self.child.log_tail()}")
        return json.loads(line)

    def _ask(self, command: str):
        self.child.proc.stdin.write(command + "\n")
        self.child.proc.stdin.flush()
        return self._read()

    def count(self) -> int:
        return self._ask("count")["count"]

    def dump(self) -> list[tuple[str, float]]:
        return [(key, at) for key, at in self._ask("dump")]

    def reset(self) -> None:
        self._ask("reset")

    def stop(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.child.proc.stdin.write("quit\n")
            self.child.proc.stdin.close()
        self.child.stop(timeout=5)


# --- the bench: one per script run -------------------------------------------------------


@dataclass
class Worker:
    child: Child
    name: str


class Bench:
    """`with Bench("burst", budget_seconds=900) as bench:` sets up on demand, tears
    everything down on the way out."""

    def __init__(self, name: str, *, budget_seconds: int):
        self.name = name
        self.budget = budget_seconds
        self.stack = contextlib.ExitStack()
        self.tmp = Path(tempfile.mkdtemp(prefix=f"cadence-bench-{name}-"))
        self.env: dict[str, str] = {}
        self.children: list[Child] = []
        self.failed = False

    # context management, signals, time limit
    def __enter__(self) -> Bench:
        def on_alarm(signum, frame):
            raise BenchTimeout(f"{self.name}: over its budget of {self.budget} s")

        def on_term(signum, frame):
            raise KeyboardInterrupt(f"signal {signum}")

        self._old = {
            sig: signal.signal(sig, handler)
            for sig, handler in (
                (signal.SIGALRM, on_alarm),
                (signal.SIGTERM, on_term),
                (signal.SIGHUP, on_term),
            )
        }
        signal.alarm(self.budget)
        self.stack.__enter__()
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        signal.alarm(0)
        self.failed = exc_type is not None
        if self.failed:
            for child in self.children:
                tail = child.log_tail(15)
                if tail.strip():
                    log(f"--- last lines of {child.name} ({child.log_path}) ---\n{tail}")
        try:
            self.stack.__exit__(exc_type, exc, tb)
        finally:
            for sig, handler in self._old.items():
                signal.signal(sig, handler)
            if self.failed or os.environ.get("BENCH_KEEP_LOGS"):
                log(f"logs kept in {self.tmp}")
            else:
                shutil.rmtree(self.tmp, ignore_errors=True)
        return False

    def start(self, name: str, args: list[str], env: dict | None = None, **popen) -> Child:
        child = Child(name, args, env or self.env, self.tmp / f"{name}.log", **popen)
        self.children.append(child)
        self.stack.callback(child.stop)
        return child

    # Redis: our own server on a free port, nothing persisted
    def redis(self) -> str:
        port = processes.free_port()
        child = self.start(
            "redis", processes.redis_server_args(port, self.tmp), env=dict(os.environ)
        )
        import redis

        client = redis.Redis(host="127.0.0.1", port=port)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if not child.alive() or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start:\n{child.log_tail()}") from None
                time.sleep(0.05)
        self.redis_version = client.info("server")["redis_version"]
        client.close()
        return f"redis://127.0.0.1:{port}/0"

    # PostgreSQL: a database of our own, migrated with manage.py, dropped at the end
    def database(self) -> str:
        import psycopg

        drop_leftover_databases()
        name = f"cadence_bench_{self.name}_{os.getpid()}"
        with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        self.stack.callback(drop_database, name)
        url = f"{PG_URL}/{name}"
        env = child_env(url, "")
        started = time.monotonic()
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=300,
        )
        log(f"database {name} created and migrated in {time.monotonic() - started:.1f} s")
        return url

    def configure(self, db_url: str, redis_url: str, **extra: str) -> None:
        """Environment of the children, and Django in this process, on the same settings."""
        self.env = child_env(db_url, redis_url, **extra)
        os.environ.update(self.env)
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        self.stack.callback(close_django_connections)

    def loopback(self, delay: float) -> Loopback:
        child = self.start(
            "loopback",
            [sys.executable, str(ROOT / "bench" / "lib" / "loopback_proc.py"), str(delay)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        channel = Loopback(child)
        # Registered after the child's own stop, so it runs first (LIFO): a clean quit.
        self.stack.callback(channel.stop)
        return channel

    def workers(
        self,
        count: int,
        pool: str,
        concurrency: int,
        include: Iterable[str] = ("bench.lib.baseline",),
    ) -> list[Worker]:
        workers = []
        for i in range(count):
            name = f"bench{i}@{socket.gethostname()}"
            args = [
                str(BIN / "celery"),
                "-A",
                "config",
                "worker",
                "--pool",
                pool,
                "--concurrency",
                str(concurrency),
                "--loglevel",
                os.environ.get("BENCH_WORKER_LOGLEVEL", "WARNING"),
                "--without-mingle",
                "--without-gossip",
                "--without-heartbeat",
                "-n",
                name,
            ]
            if include:
                args += ["--include", ",".join(include)]
            workers.append(Worker(self.start(f"worker{i}", args), name))
        wait_for_workers(workers)
        return workers

    def beat(self) -> Child:
        return self.start(
            "beat",
            [
                str(BIN / "celery"),
                "-A",
                "config",
                "beat",
                "--loglevel",
                "WARNING",
                "-s",
                str(self.tmp / "beat-schedule"),
            ],
        )


def child_env(db_url: str, redis_url: str, **extra: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db_url,
        REDIS_URL=redis_url,
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY="bench-only-not-a-secret",
        DEBUG="0",  # DEBUG would keep every query in memory
        # Production settings need their keys: the bench's own, never a real one.
        CADENCE_AUDIT_KEYS=env.get("CADENCE_AUDIT_KEYS") or "bench-only-audit-seal-key-0123456789",
        CADENCE_CREDENTIALS_KEYS=env.get("CADENCE_CREDENTIALS_KEYS")
        or "YmVuY2gtb25seS1jcmVkZW50aWFscy1rZXktMzJieXQ=",
        LOG_LEVEL="WARNING",
        PUBLISHING_SWEEP_SECONDS="1",
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p),
        CADENCE_VAR_DIR=env.get("CADENCE_VAR_DIR", str(ROOT / "var")),
    )
    env.update(extra)
    return env


def wait_for_workers(workers: list[Worker], timeout: float = 60) -> None:
    from config.celery import app

    deadline = time.monotonic() + timeout
    names = {w.name for w in workers}
    while True:
        for w in workers:
            if not w.child.alive():
                raise RuntimeError(f"{w.name} died at start:\n{w.child.log_tail()}")
        replies = app.control.ping(timeout=0.5)
        if names <= {name for reply in replies for name in reply}:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"workers not ready after {timeout} s")


def close_django_connections() -> None:
    from django.db import connections

    connections.close_all()


def drop_database(name: str) -> None:
    import psycopg

    close_django_connections()
    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    log(f"database {name} dropped")


def drop_leftover_databases() -> None:
    """Databases of earlier bench runs that died before cleaning up (their pid is gone)."""
    import psycopg

    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE 'cadence\\_bench\\_%'"
            )
        ]
        for name in names:
            pid = name.rsplit("_", 1)[-1]
            if pid.isdigit() and not Path(f"/proc/{pid}").exists():
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                log(f"dropped leftover database {name}")


def wait_until(predicate: Callable[[], bool], timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)
    return True


def sleep_until(wall: float) -> None:
    left = wall - time.time()
    if left > 0:
        time.sleep(left)


# --- CPU accounting ----------------------------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK")


def _proc_cpu(database: str) -> dict[int, tuple[str, int, float]]:
    """pid -> (comm, process group, CPU seconds). PostgreSQL processes are named
    "postgres" when they serve `database` or the whole server (postmaster, writers),
    "postgres-other" when they serve another database (another user of the machine).
    The postmaster's seconds include its reaped children, so that our backends that
    exit (no pool) are still counted — along with other users' exited backends."""
    out = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            raw = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        # fields[0] is state (stat field 3): utime is field 14 -> fields[11]
        utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
        ticks = utime + stime
        if comm.startswith(("postgres", "postmaster")):
            try:
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().decode(errors="replace")
            except OSError:
                cmdline = ""
            if "bin/postgres" in cmdline:
                ticks += cutime + cstime  # the postmaster
            client = "127.0.0.1(" in cmdline or "[local]" in cmdline
            if client and f" {database} " not in cmdline:
                comm = "postgres-other"
        out[int(entry)] = (comm, int(fields[2]), ticks / _TICK)
    return out


def _machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores."""
    values = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    total = sum(values[:8])
    return (total - idle) / _TICK, total / _TICK


def machine_busy_fraction(seconds: float = 2.0) -> float:
    """Share of all CPUs busy over the next `seconds`."""
    b0, t0 = _machine_busy()
    time.sleep(seconds)
    b1, t1 = _machine_busy()
    return (b1 - b0) / (t1 - t0) if t1 > t0 else 0.0


# The longest a run waits for a quiet machine: each bench's time budget counts it per run.
QUIET_MAX_WAIT = 180


def wait_for_quiet(threshold: float = 0.25, max_wait: float = QUIET_MAX_WAIT) -> float:
    """Wait (at most `max_wait` s) until the machine is quiet — our own idle workers and
    beat included — so that a run does not share the CPUs with someone else's job.
    Returns the busy share last seen; the caller reports it."""
    deadline = time.monotonic() + max_wait
    busy = machine_busy_fraction()
    while busy > threshold and time.monotonic() < deadline:
        log(f"machine {100 * busy:.0f} % busy before the run: waiting for it to calm down")
        time.sleep(8)
        busy = machine_busy_fraction()
    return busy


class CpuMeter:
    """CPU seconds spent between `start()` and `stop()`, by group of processes: the
    workers (and their pool children), beat, PostgreSQL, Redis, the loopback channel,
    this process, everything else. PostgreSQL backends that exit in between are counted
    through the postmaster's reaped-children time."""

    def __init__(self, bench: Bench):
        self.bench = bench

    def _groups(self) -> dict[str, float]:
        by_group = {child.pid: child.name for child in self.bench.children}
        me = os.getpid()
        totals: dict[str, float] = {}
        database = self.bench.env.get("DATABASE_URL", "").rsplit("/", 1)[-1]
        for pid, (comm, pgid, seconds) in _proc_cpu(database).items():
            if pgid in by_group and by_group[pgid].startswith("py-spy"):
                continue  # the profiler, when on, is not part of what is measured
            if pid == me:
                group = "bench process"
            elif pgid in by_group:
                group = by_group[pgid]
                group = "workers" if group.startswith("worker") else group
            elif comm in ("postgres", "postmaster"):
                group = "postgres"
            else:
                group = f"other:{comm}"
            totals[group] = totals.get(group, 0.0) + seconds
        return totals

    def start(self) -> None:
        self._t0 = time.monotonic()
        self._g0 = self._groups()
        self._m0 = _machine_busy()

    def stop(self) -> dict:
        wall = time.monotonic() - self._t0
        g1 = self._groups()
        m1 = _machine_busy()
        busy = m1[0] - self._m0[0]
        total = m1[1] - self._m0[1]
        deltas = {
            name: g1.get(name, 0.0) - self._g0.get(name, 0.0)
            for name in sorted(set(g1) | set(self._g0))
        }
        groups: dict[str, float] = {}
        others = {}
        for name, seconds in deltas.items():
            if name.startswith("other:"):
                others[name[6:]] = seconds
                name = "other"
            groups[name] = groups.get(name, 0.0) + seconds
        # What the machine did beyond the known groups: other users' processes, the
        # kernel, processes that came and went (their time is lost to per-process sums).
        known = sum(v for k, v in groups.items() if k != "other")
        groups.pop("other", None)
        groups["unattributed"] = max(0.0, busy - known)
        top = sorted(others.items(), key=lambda kv: -kv[1])[:4]
        return {
            "wall": wall,
            "busy_fraction": busy / total if total else 0.0,
            "busy_seconds": busy,
            "groups": {k: round(v, 2) for k, v in groups.items() if abs(v) >= 0.01},
            "other_top": ", ".join(f"{comm} {s:.1f}" for comm, s in top if s >= 0.1),
        }


# --- what PostgreSQL sessions wait on ----------------------------------------------------


class PgSampler:
    """Samples pg_stat_activity of one database: how many sessions are active, and how
    many wait on a lock, by the table their waiting statement names. Cheap enough to run
    every half second during a drain (one query, on a connection of its own)."""

    QUERY = """
        SELECT state, wait_event_type, substring(query from 'FROM "([a-z_]+)"')
        FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid()
    """

    def __init__(self, db_url: str):
        import psycopg

        self.conn = psycopg.connect(db_url, autocommit=True)
        self.samples = 0
        self.sessions = 0
        self.active = 0
        self.lock_waits: dict[str, int] = {}

    def sample(self) -> None:
        rows = self.conn.execute(self.QUERY).fetchall()
        self.samples += 1
        self.sessions += len(rows)
        for state, wait_type, table in rows:
            if state == "active":
                self.active += 1
                if wait_type == "Lock":
                    key = table or "?"
                    self.lock_waits[key] = self.lock_waits.get(key, 0) + 1

    def summary(self) -> dict:
        n = max(self.samples, 1)
        return {
            "sessions": self.sessions / n,
            "active": self.active / n,
            "lock_waits": {
                k: round(v / n, 1)
                for k, v in sorted(self.lock_waits.items(), key=lambda kv: -kv[1])
            },
        }

    def close(self) -> None:
        self.conn.close()


# --- statistics --------------------------------------------------------------------------


def quantile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
