"""The local run's supervisor (config/supervisor.py) keeps the product up: a child that
dies is restarted, saying which and how it ended, the others are left alone, and Ctrl-C
stops them all. Tested on toy children (each prints its pid and sleeps), in a real
supervisor process, waiting on conditions."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from config.supervisor import Output, describe_exit, redis_socket_path

SCRIPT = textwrap.dedent(
    """
    import sys
    from config import supervisor

    supervisor.BACKOFF_FIRST = 0.2
    code = "import os, time; print('up', os.getpid(), flush=True); time.sleep(600)"
    sleeper = [sys.executable, "-c", code]
    programs = [supervisor.Program("alpha", sleeper), supervisor.Program("beta", sleeper)]
    sys.exit(supervisor.Supervisor(programs).run())
    """
)


def wait_for(predicate, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


class Running:
    def __init__(self, tmp_path: Path):
        self.log = tmp_path / "supervisor.log"
        self.proc = subprocess.Popen(
            [sys.executable, "-c", SCRIPT],
            cwd=Path(__file__).resolve().parents[1],
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def text(self) -> str:
        return self.log.read_text()

    def pids(self, name: str) -> list[int]:
        return [int(pid) for pid in re.findall(rf"{name}\s+\| up (\d+)", self.text())]

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        return self.proc.wait(30)


@pytest.fixture
def running(tmp_path):
    supervisor = Running(tmp_path)
    yield supervisor
    if supervisor.proc.poll() is None:
        os.killpg(supervisor.proc.pid, signal.SIGKILL)
        supervisor.proc.wait()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead too: it only waits for its parent to read its status.
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "zombie" not in status.read_text()


def test_a_child_that_dies_is_restarted_and_the_others_are_left_alone(running):
    alpha = wait_for(lambda: running.pids("alpha"))[0]
    beta = wait_for(lambda: running.pids("beta"))[0]

    os.kill(alpha, signal.SIGKILL)

    new_alpha = wait_for(lambda: running.pids("alpha")[1:])[0]
    assert new_alpha != alpha
    assert alive(new_alpha)
    assert alive(beta), "the other child must not be taken down"
    assert running.pids("beta") == [beta], "and must not be restarted either"
    assert "alpha stopped unexpectedly (killed by SIGKILL); restarting it in" in running.text()


def test_a_child_that_keeps_dying_is_restarted_later_each_time(running):
    delays: list[float] = []
    for kills in range(3):
        pid = wait_for(lambda k=kills: running.pids("alpha")[k:])[0]
        os.kill(pid, signal.SIGTERM)
        line = wait_for(
            lambda k=kills: re.findall(r"restarting it in ([\d.]+) s", running.text())[k:]
        )
        delays.append(float(line[0]))
    assert "alpha stopped unexpectedly (killed by SIGTERM)" in running.text()
    assert delays == sorted(delays) and delays[-1] > delays[0]


def test_ctrl_c_stops_every_child_and_exits_cleanly(running):
    alpha = wait_for(lambda: running.pids("alpha"))[0]
    beta = wait_for(lambda: running.pids("beta"))[0]

    assert running.stop() == 0

    assert not alive(alpha) and not alive(beta)
    assert "SIGINT received: stopping everything" in running.text()
    assert "all stopped" in running.text()
    assert "stopped unexpectedly" not in running.text()


def test_an_exit_is_described_for_a_person():
    assert describe_exit(1) == "exit status 1"
    assert describe_exit(-signal.SIGSEGV) == "killed by SIGSEGV"


def test_output_lines_are_prefixed_with_the_child_and_written_whole(tmp_path):
    path = tmp_path / "out"
    with path.open("w") as stream:
        out = Output(stream)
        out.line("worker", "ready")
        out.say("started web")
    lines = path.read_text().splitlines()
    assert re.fullmatch(r"\d\d:\d\d:\d\d worker\s+\| ready", lines[0])
    assert re.fullmatch(r"\d\d:\d\d:\d\d supervisor \| started web", lines[1])


def test_the_redis_socket_stays_short_enough_for_a_socket_address(tmp_path):
    assert redis_socket_path(tmp_path) == tmp_path / "redis" / "redis.sock"
    deep = tmp_path / ("d" * 120)
    assert len(str(redis_socket_path(deep))) < 100
    assert redis_socket_path(deep) == redis_socket_path(deep)  # the same for every process
