"""The local run's supervisor: `python -m config.supervisor` (what `make run` starts).

It starts the whole product as child processes — a Redis broker of its own (unless
REDIS_URL names one), the Celery worker, the Celery scheduler and the web server — and
keeps them up:

- a child that dies is started again, after a back-off that grows while it keeps dying
  (1 s, 2 s, 4 s … 30 s) and resets once it has stayed up for a minute; the line that
  says so names the child and how it ended (exit status or signal);
- the others are left alone: one dead worker never takes the web server down;
- Ctrl-C (SIGINT) or SIGTERM stops every child (SIGTERM, then SIGKILL after a grace
  period, whole process group each) and the supervisor exits 0.

Every line a child prints is passed on prefixed with its name and the time, so one
terminal shows the whole product. Lines of the supervisor itself are prefixed
"supervisor".

Why not supervisord or honcho: honcho stops everything when one process exits (the
failure this replaces), and supervisord needs a daemon configuration file whose
programs cannot be chosen at start-up (our Redis runs only without REDIS_URL).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

BACKOFF_FIRST = 1.0  # seconds before the first restart
BACKOFF_MAX = 30.0
STABLE_AFTER = 60.0  # a child up this long is healthy again: its back-off starts over
STOP_GRACE = 10.0  # seconds between SIGTERM and SIGKILL when stopping


@dataclass
class Program:
    """One child: its name (the prefix of its lines), its command line, and a check
    that it is ready to serve (the next program starts only then)."""

    name: str
    args: list[str]
    ready: Callable[[], bool] | None = None
    env: dict[str, str] = field(default_factory=dict)


def describe_exit(returncode: int) -> str:
    """'exit status 1' or 'killed by SIGKILL': how a child ended, for a person."""
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit status {returncode}"


class Child:
    """A running program, in its own process group so that stopping it stops whatever
    it started (the worker's threads, runserver's reloader) and nothing else."""

    def __init__(self, program: Program, out: Output):
        self.program = program
        self.out = out
        self.proc: subprocess.Popen | None = None
        self.started_at = 0.0
        self.backoff = BACKOFF_FIRST
        self.restart_at: float | None = None
        self.restarts = 0

    def start(self) -> None:
        env = {**os.environ, **self.program.env, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            self.program.args,
            cwd=BASE_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.started_at = time.monotonic()
        self.restart_at = None
        threading.Thread(target=self._pass_on_output, args=(self.proc,), daemon=True).start()
        self.out.say(f"started {self.program.name} (pid {self.proc.pid})")

    def _pass_on_output(self, proc: subprocess.Popen) -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            self.out.line(self.program.name, raw.decode(errors="replace").rstrip("\n"))

    def poll(self) -> int | None:
        return None if self.proc is None else self.proc.poll()

    def schedule_restart(self, returncode: int) -> None:
        now = time.monotonic()
        if now - self.started_at >= STABLE_AFTER:
            self.backoff = BACKOFF_FIRST
        self.restarts += 1
        self.restart_at = now + self.backoff
        self.out.say(
            f"{self.program.name} stopped unexpectedly ({describe_exit(returncode)}); "
            f"restarting it in {self.backoff:g} s (restart {self.restarts})"
        )
        self.backoff = min(self.backoff * 2, BACKOFF_MAX)

    def signal(self, signum: int) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signum)


class Output:
    """Lines of every child, prefixed and written whole (one lock, one write each)."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout
        self.width = 10
        self._lock = threading.Lock()

    def line(self, name: str, text: str) -> None:
        stamp = time.strftime("%H:%M:%S")
        with self._lock:
            self.stream.write(f"{stamp} {name:<{self.width}} | {text}\n")
            self.stream.flush()

    def say(self, text: str) -> None:
        self.line("supervisor", text)


class Supervisor:
    def __init__(self, programs: list[Program], out: Output | None = None):
        self.out = out or Output()
        self.children = [Child(program, self.out) for program in programs]
        self.stopping = threading.Event()

    def request_stop(self, signum: int, _frame=None) -> None:
        if not self.stopping.is_set():
            self.out.say(f"{signal.Signals(signum).name} received: stopping everything")
        self.stopping.set()

    def run(self, start_timeout: float = 60.0) -> int:
        signal.signal(signal.SIGINT, self.request_stop)
        signal.signal(signal.SIGTERM, self.request_stop)
        try:
            for child in self.children:
                if self.stopping.is_set():
                    break
                child.start()
                self._wait_ready(child, start_timeout)
            while not self.stopping.wait(0.2):
                self._watch()
        finally:
            self.stop_all()
        return 0

    def _wait_ready(self, child: Child, timeout: float) -> None:
        ready = child.program.ready
        if ready is None:
            return
        deadline = time.monotonic() + timeout
        while not self.stopping.is_set() and time.monotonic() < deadline:
            if child.poll() is not None or ready():
                return
            time.sleep(0.05)
        if not self.stopping.is_set() and child.poll() is None:
            self.out.say(f"{child.program.name} not ready after {timeout:.0f} s; going on")

    def _watch(self) -> None:
        now = time.monotonic()
        for child in self.children:
            if child.restart_at is not None:
                if now >= child.restart_at:
                    child.start()
                continue
            returncode = child.poll()
            if returncode is not None:
                child.schedule_restart(returncode)

    def stop_all(self) -> None:
        # The web server and the scheduler first, the broker last: a worker finishing its
        # current send can still acknowledge it.
        for child in reversed(self.children):
            child.signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        for child in reversed(self.children):
            if child.proc is None:
                continue
            try:
                child.proc.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.out.say(f"{child.program.name} did not stop in time: killing it")
                child.signal(signal.SIGKILL)
                child.proc.wait()
        self.out.say("all stopped")


# --- the product's programs ------------------------------------------------------------


def redis_socket_path(var_dir: Path) -> Path:
    """Where the local Redis listens: a unix socket (no port to collide with another
    Redis), under var/, or under the temporary folder when that path is too long for a
    socket address (108 bytes on Linux)."""
    path = var_dir / "redis" / "redis.sock"
    if len(str(path)) < 100:
        return path
    digest = hashlib.sha256(str(var_dir).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"cadence-{digest}.sock"


def redis_program(var_dir: Path) -> tuple[Program, str]:
    """A Redis of the local run's own, and the broker URL that reaches it.

    Messages survive a crash of Redis itself (append-only file, flushed every second;
    a file cut short by a power loss is loaded up to its last whole command), and the
    publishing sweep re-sends anything a lost message would have carried.
    """
    data_dir = var_dir / "redis"
    data_dir.mkdir(parents=True, exist_ok=True)
    socket_path = redis_socket_path(var_dir)
    args = [
        "redis-server",
        "--port", "0",
        "--unixsocket", str(socket_path),
        "--unixsocketperm", "700",
        "--dir", str(data_dir),
        "--appendonly", "yes",
        "--appendfsync", "everysec",
        "--aof-load-truncated", "yes",
        "--save", "",
    ]  # fmt: skip

    def ready() -> bool:
        return _redis_answers(socket_path)

    return Program("redis", args, ready=ready), f"redis+socket://{socket_path}"


def _redis_answers(socket_path: Path) -> bool:
    import socket

    if not socket_path.exists():
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(1)
            client.connect(str(socket_path))
            client.sendall(b"PING\r\n")
            return client.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def product_programs(host: str, port: int, var_dir: Path) -> list[Program]:
    python = sys.executable
    celery = [python, "-m", "celery", "-A", "config"]
    programs: list[Program] = []
    if not os.environ.get("REDIS_URL"):
        redis, url = redis_program(var_dir)
        programs.append(redis)
        os.environ["REDIS_URL"] = url  # inherited by every child started after this
    threads = os.environ.get("CADENCE_WORKER_THREADS", "8")
    # INFO would print three lines a second (the scheduler's sweep, received, done) and
    # bury what matters; warnings and errors, and each restart above, still show.
    level = f"--loglevel={os.environ.get('CADENCE_LOG_LEVEL', 'WARNING')}"
    worker_options = ["--pool", "threads", "--concurrency", threads]
    worker_options += ["--without-mingle", "--without-gossip"]
    programs += [
        Program("worker", [*celery, "worker", level, *worker_options]),
        Program("scheduler", [*celery, "beat", level]),
        # --noreload: the supervisor restarts a dead server; runserver's reloader would
        # add a second process that outlives a kill of the first.
        Program("web", [python, "manage.py", "runserver", "--noreload", f"{host}:{port}"]),
    ]
    return programs


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    options = parser.parse_args(argv)
    var_dir = Path(os.environ.get("CADENCE_VAR_DIR", BASE_DIR / "var"))
    programs = product_programs(options.host, options.port, var_dir)
    return Supervisor(programs).run()


if __name__ == "__main__":
    sys.exit(main())
