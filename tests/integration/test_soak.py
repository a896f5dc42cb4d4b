"""The local run holds: the whole `make run` stack (supervisor, its own Redis, worker,
scheduler, web server on SQLite) for three minutes with a post due every second and a
simulated user clicking through the pages — 0 crashes, 0 missed, 0 duplicates, 0 page
errors, and Ctrl-C stops it cleanly. `make soak` runs the same for 30 minutes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.conftest import unavailable

ROOT = Path(__file__).resolve().parents[2]
SECONDS = int(os.environ.get("CADENCE_SOAK_SECONDS", "180"))


def test_the_local_run_holds_under_a_post_a_second_and_a_user_clicking(tmp_path):
    if shutil.which("redis-server") is None:
        unavailable("redis-server is not installed (make test installs it)")
    result_path = tmp_path / "soak.json"
    run = subprocess.run(
        [sys.executable, "bench/soak.py", "--seconds", str(SECONDS), "--no-doc",
         "--json", str(result_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=SECONDS + 900,
    )  # fmt: skip
    if not result_path.exists():
        pytest.fail(f"the soak did not finish:\n{run.stdout[-4000:]}\n{run.stderr[-4000:]}")
    result = json.loads(result_path.read_text())

    assert result["posts_due"] == SECONDS
    assert result["crashes"] == 0, result["crashed"]
    assert result["missed"] == 0
    assert result["not_published"] == 0
    assert result["duplicates"] == 0
    assert result["early"] == 0
    assert result["page_errors"] == []
    assert result["page_views"] > 0
    assert result["drafts_created"] > 0
    assert result["stopped_cleanly"], "Ctrl-C must stop every child and exit 0"
    assert run.returncode == 0
