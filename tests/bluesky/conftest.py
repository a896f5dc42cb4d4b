"""The Bluesky reference servers (a PLC directory and a PDS, from package.json's npm
packages), started once per test session by `tests/bluesky/pds.mjs` on loopback, with an
account and its app password made through the PDS's own API, as a person would.

Without Node or the npm packages the tests skip; with CI=true they fail instead
(`make setup` installs both).
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from editorial.models import Channel, Network
from tests.conftest import _ci

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "tests" / "bluesky" / "pds.mjs"
READY_TIMEOUT = 90.0  # seconds: start to ready is 4-8 s here, more on a busy machine
PASSWORD = "account-password-not-used-by-cadence"


@dataclass(frozen=True)
class Account:
    handle: str
    did: str
    app_password: str


@dataclass(frozen=True)
class Pds:
    url: str
    cadence: Account  # the account the channel publishes as
    alice: Account  # someone to mention

    def get_record(self, uri: str) -> dict:
        repo, collection, rkey = uri.removeprefix("at://").split("/")
        response = httpx.get(
            f"{self.url}/xrpc/com.atproto.repo.getRecord",
            params={"repo": repo, "collection": collection, "rkey": rkey},
        )
        response.raise_for_status()
        return response.json()

    def posts(self, did: str) -> list[dict]:
        response = httpx.get(
            f"{self.url}/xrpc/com.atproto.repo.listRecords",
            params={"repo": did, "collection": "app.bsky.feed.post", "limit": 100},
        )
        response.raise_for_status()
        return response.json()["records"]


def _unavailable(reason: str):
    if _ci():
        pytest.fail(f"CI=true but the Bluesky reference server cannot run: {reason}")
    pytest.skip(reason)


def _wait_for_line(proc: subprocess.Popen, timeout: float) -> str:
    """The script's first line of output: it prints it once the PDS answers."""
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        while (left := deadline - time.monotonic()) > 0:
            if selector.select(left):
                return proc.stdout.readline().decode()
    return ""


def _account(url: str, handle: str) -> Account:
    created = httpx.post(
        f"{url}/xrpc/com.atproto.server.createAccount",
        json={"handle": handle, "email": f"{handle}@example.org", "password": PASSWORD},
        timeout=30,
    )
    created.raise_for_status()
    session = created.json()
    app_password = httpx.post(
        f"{url}/xrpc/com.atproto.server.createAppPassword",
        json={"name": "Cadence"},
        headers={"Authorization": f"Bearer {session['accessJwt']}"},
        timeout=30,
    )
    app_password.raise_for_status()
    return Account(handle, session["did"], app_password.json()["password"])


@pytest.fixture(scope="session")
def bluesky_pds():
    node = shutil.which("node")
    if node is None:
        _unavailable("Node.js is not installed")
    if not (REPO / "node_modules" / "@atproto" / "pds").is_dir():
        _unavailable("@atproto/pds is not installed: run `make setup` (npm ci)")
    data = Path(tempfile.mkdtemp(prefix="cadence-pds-"))
    log = (data.parent / f"{data.name}.log").open("wb")
    # stdin stays open while we run: the script stops when it closes, so a test
    # runner that dies cannot leave a PDS behind.
    proc = subprocess.Popen(
        [node, str(SCRIPT), str(data)],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=log,
        env={**os.environ, "TMPDIR": str(data)},
        start_new_session=True,
    )
    try:
        line = _wait_for_line(proc, READY_TIMEOUT)
        if not line:
            log.flush()
            tail = Path(log.name).read_text(errors="replace")[-3000:]
            pytest.fail(f"The PDS did not start within {READY_TIMEOUT:.0f} s:\n{tail}")
        url = json.loads(line)["pds"]
        yield Pds(url, _account(url, "cadence.test"), _account(url, "alice.test"))
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        log.close()
        Path(log.name).unlink(missing_ok=True)
        shutil.rmtree(data, ignore_errors=True)


def bluesky_channel(pds: Pds, account: Account | None = None, **credentials) -> Channel:
    """A Bluesky channel of `account` on the test PDS. The settings and credentials are
    set as the plain attributes the adapter reads (`channel.settings`,
    `channel.credentials`), so no database row is needed."""
    account = account or pds.cadence
    channel = Channel(name="Police 67 Bluesky", network=Network.BLUESKY, handle=account.handle)
    channel.settings = {"handle": account.handle, "service_url": pds.url}
    channel.set_credentials({"app_password": account.app_password, **credentials})
    return channel
