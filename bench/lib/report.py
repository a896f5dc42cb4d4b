"""docs/performance.md: an introduction, the machine of the latest run, and one section
per benchmark, each rewritten by its own script with the runs it has just made (earlier
runs kept below them, up to a limit, so that runs can be compared across sessions)."""

from __future__ import annotations

import functools
import os
import platform
import re
import subprocess
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from bench.lib.harness import ROOT

DOC = ROOT / "docs" / "performance.md"
ORDER = ["burst", "kills", "trickle", "sweep", "soak"]
KEEP_ROWS = 40

INTRO = """# Performance

Measured figures of the publishing path (issue 4), each written by the benchmark that
measured it, from the runs it made. Reproduce them all with `make bench` (PostgreSQL on
127.0.0.1:5432 as user `postgres`, `redis-server` on the PATH; each script creates and
drops its own database and starts its own Redis on a free port), or one of them with
`.venv/bin/python bench/<name>.py --help`.

On a 2-core machine figures move by up to ~40 % from one session to the next: compare a
figure only with the baseline measured in the same run (same table row group). Times in
the tables are the project's zone (Europe/Paris). The generated sections sit between
`<!-- bench:… -->` markers and are rewritten by their script; each keeps the rows of
earlier invocations below the new ones.
"""


def package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "-"


@functools.cache
def git_state() -> str:
    """The commit of the code measured (with +dirty if the core has uncommitted changes),
    read once: each script calls it as it starts, before the code can change under it."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10
        ).stdout.strip()

    try:
        commit = git("rev-parse", "--short", "HEAD")
        dirty = git(
            "status", "--porcelain", "--untracked-files=no", "--", "editorial", "config", "accounts"
        )
    except (OSError, subprocess.SubprocessError):
        return "-"
    return f"{commit}{'+dirty' if dirty else ''}"


def redis_server_version() -> str:
    try:
        out = subprocess.run(
            ["redis-server", "--version"], capture_output=True, text=True, timeout=10
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return "-"
    match = re.search(r"v=([0-9.]+)", out)
    return match.group(1) if match else "-"


def machine_facts(redis_version: str = "") -> dict[str, str]:
    redis_version = redis_version or redis_server_version()
    cpu = "-"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{mem_kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        memory = "-"
    pg = "-"
    try:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            pg = cursor.fetchone()[0].split()[0]
    except Exception:  # the facts are informative; never fail a run on them
        pass
    return {
        "nproc": str(len(os.sched_getaffinity(0))),
        "cpu": cpu,
        "memory": memory,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "django": package_version("django"),
        "celery": package_version("celery"),
        "kombu": package_version("kombu"),
        "redis-py": package_version("redis"),
        "psycopg": package_version("psycopg"),
        "psycopg-pool": package_version("psycopg-pool"),
        "httpx": package_version("httpx"),
        "redis-server": redis_version,
        "postgresql": pg,
    }


def facts_line(facts: dict[str, str]) -> str:
    return (
        f"{facts['nproc']} CPUs ({facts['cpu']}), {facts['memory']} RAM, Linux "
        f"{facts['kernel']}; Python {facts['python']}, Django {facts['django']}, Celery "
        f"{facts['celery']}, kombu {facts['kombu']}, redis-py {facts['redis-py']}, psycopg "
        f"{facts['psycopg']} (pool {facts['psycopg-pool']}), httpx {facts['httpx']}; "
        f"Redis {facts['redis-server']}, PostgreSQL {facts['postgresql']}"
    )


def now_stamp() -> str:
    return time.strftime("%Y-%m-%d %H:%M")


def _markers(key: str) -> tuple[str, str]:
    return f"<!-- bench:{key} -->", f"<!-- /bench:{key} -->"


def _read() -> str:
    if DOC.exists():
        return DOC.read_text()
    parts = [INTRO]
    for key in ["machine", *ORDER]:
        begin, end = _markers(key)
        parts.append(f"{begin}\n_Not run yet._\n{end}\n")
    return "\n".join(parts)


def _replace(text: str, key: str, body: str) -> str:
    begin, end = _markers(key)
    block = f"{begin}\n{body.rstrip()}\n{end}"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    if pattern.search(text):
        return pattern.sub(lambda _: block, text, count=1)
    return text.rstrip() + "\n\n" + block + "\n"


def old_rows(key: str, header: str) -> list[str]:
    """The run rows already in the section, if its table has the same columns."""
    begin, end = _markers(key)
    text = _read()
    match = re.search(re.escape(begin) + r"(.*?)" + re.escape(end), text, re.S)
    if not match:
        return []
    table = re.search(r"<!-- rows -->\n(.*?)<!-- /rows -->", match.group(1), re.S)
    if not table:
        return []
    lines = [line for line in table.group(1).splitlines() if line.startswith("|")]
    if not lines or lines[0].strip() != header.strip():
        return []
    return lines[2:]


def table(key: str, header: str, new_rows: list[str]) -> str:
    """The section's table of runs: this invocation's rows first, then earlier ones."""
    columns = header.count("|") - 1
    separator = "|" + "---|" * columns
    rows = new_rows + [r for r in old_rows(key, header) if r not in new_rows]
    rows = rows[:KEEP_ROWS]
    return "\n".join(["<!-- rows -->", header, separator, *rows, "<!-- /rows -->"])


def update(key: str, body: str, facts: dict[str, str]) -> None:
    text = _read()
    if not text.startswith("# Performance"):
        text = INTRO + "\n" + text
    machine = f"Machine of the latest run ({now_stamp()}, `{git_state()}`): {facts_line(facts)}."
    text = _replace(text, "machine", machine)
    text = _replace(text, key, body)
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text)
