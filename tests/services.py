"""Which database and broker `make test` uses: `eval "$(python -m tests.services)"`.

The default run is CI's run: when DATABASE_URL / REDIS_URL are not set and PostgreSQL
(user postgres, trust) and Redis answer on their default local addresses, the suite
uses them — the tests that need them run instead of skipping — and says so on stderr.
Without them it runs on SQLite, saying that too. `CADENCE_TEST_SERVICES=none` forces
SQLite (what `make test-sqlite` and CI's second pass do).

Prints shell `export` lines on stdout, nothing else.
"""

from __future__ import annotations

import os
import shlex
import socket
import sys

POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/cadence"
REDIS_URL = "redis://127.0.0.1:6379/0"


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def postgres_answers() -> bool:
    if not _answers("127.0.0.1", 5432):
        return False
    try:
        import psycopg

        with psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=2
        ) as conn:
            conn.execute("SELECT 1")
        return True
    except Exception:
        return False


def redis_answers() -> bool:
    if not _answers("127.0.0.1", 6379):
        return False
    try:
        import redis

        return bool(redis.Redis(socket_connect_timeout=1, socket_timeout=2).ping())
    except Exception:
        return False


def choose(environ: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The variables to export, and what to tell the person running the tests."""
    exports: dict[str, str] = {}
    said: list[str] = []
    if environ.get("CADENCE_TEST_SERVICES") == "none":
        return {"DATABASE_URL": ""}, ["make test: SQLite (CADENCE_TEST_SERVICES=none)."]
    if environ.get("DATABASE_URL"):
        said.append("make test: the database of DATABASE_URL.")
    elif postgres_answers():
        exports["DATABASE_URL"] = POSTGRES_URL
        said.append(
            "make test: PostgreSQL answers on 127.0.0.1:5432, the suite runs on it as CI "
            "does (CADENCE_TEST_SERVICES=none for SQLite)."
        )
    else:
        said.append("make test: no PostgreSQL on 127.0.0.1:5432, the suite runs on SQLite.")
    if not environ.get("REDIS_URL") and redis_answers():
        exports["REDIS_URL"] = REDIS_URL
        said.append("make test: Redis answers on 127.0.0.1:6379, the broker tests use it.")
    return exports, said


def main() -> int:
    exports, said = choose(dict(os.environ))
    for line in said:
        print(line, file=sys.stderr)
    for name, value in exports.items():
        if value:
            print(f"export {name}={shlex.quote(value)}")
        else:
            print(f"unset {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
