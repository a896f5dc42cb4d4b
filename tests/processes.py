"""Processes of our own, for the integration tests and the benchmarks: Celery workers and
beats, a loopback channel, a Redis server that a fault test may kill.

Each child runs in its own session, so its process group id is its pid: stopping it
also stops whatever it started (a worker's pool), and nothing else on the machine.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_server_args(port: int, directory: Path) -> list[str]:
    """A redis-server on 127.0.0.1:`port` that persists nothing: killed, it comes back
    empty, as the fault tests expect of a broker that lost its queue."""
    return [
        "redis-server",
        "--port", str(port),
        "--bind", "127.0.0.1",
        "--save", "",
        "--appendonly", "no",
        "--dir", str(directory),
    ]  # fmt: skip


class Child:
    """A process of ours, in its own session, its output (stdout unless redirected, and
    stderr) appended to `log_path`."""

    stop_timeout = 10.0  # seconds between SIGTERM and SIGKILL

    def __init__(self, name: str, args: list[str], env: dict, log_path: Path, **popen):
        self.name, self.args, self.log_path = name, args, log_path
        self._log = open(log_path, "ab")  # noqa: SIM115 - closed in stop()
        popen.setdefault("stdout", self._log)
        popen.setdefault("stdin", subprocess.DEVNULL)
        self.proc = subprocess.Popen(
            args, env=env, cwd=REPO, stderr=self._log, start_new_session=True, **popen
        )
        self.pid = self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 80) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def kill(self) -> None:
        """SIGKILL, at once: a machine losing power, the OOM killer."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        self.proc.wait(self.stop_timeout)

    def interrupt(self, timeout: float = 30) -> None:
        """SIGINT, then wait: for children that write their results on Ctrl-C."""
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout)

    def terminate(self) -> None:
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGTERM)

    def stop(self, timeout: float | None = None) -> None:
        timeout = timeout or self.stop_timeout
        self.terminate()
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGKILL)
            self.proc.wait(timeout)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)  # anything the leader left in its group
        self._log.close()
