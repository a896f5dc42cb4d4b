"""The local run under load: the whole `make run` stack, a post due every second and a
simulated user clicking through the pages, then a count of what went wrong.

`make soak` runs it for 30 minutes and writes the figures to docs/performance.md; the
test suite runs a 3-minute version (tests/integration/test_soak.py, `--no-doc`).

What runs is what `make run` starts — `python -m config.supervisor` on a SQLite file,
with its own Redis on a unix socket, the worker, the scheduler and the web server — in a
temporary folder of its own (its own database, broker and port), so nothing of a
developer's local data is touched. The posts go to a webhook channel pointing at the
recording loopback server (bench/lib/loopback_proc.py).

It counts:
- crashes: children the supervisor had to restart (its "stopped unexpectedly" lines);
- missed: soak posts the channel never received, or not published at the end;
- duplicates: soak posts the channel received more than once;
- page errors: answers of 500 or more, or no answer, to the simulated user;
and reports the publishing lag (arrival minus due time) and page times.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.lib import report  # noqa: E402
from bench.lib.harness import Bench, log, quantile, wait_until  # noqa: E402
from tests import processes  # noqa: E402

LEAD_SECONDS = 20  # between the stack answering and the first post due
GRACE_SECONDS = 60  # after the last due time, for the last posts to arrive
DEMO_USERS = ["cm", "head", "director", "contrib67", "contrib13"]
PAGES = ["/", "/calendar/", "/inbox/", "/posts/", "/plans/", "/submissions/", "/crisis/"]
HEADER = (
    "| run | minutes | posts due | published | missed | duplicates | crashes | "
    "page views | page errors | lag p50 / p99 / max | page p50 / p99 | machine busy |"
)


@dataclass
class Visits:
    views: int = 0
    errors: list[str] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    drafts_created: int = 0
    drafts_refused: int = 0


# --- the simulated user ----------------------------------------------------------------


class _FormReader(HTMLParser):
    """The fields of the first <form method=post> with a given action: what a browser
    would send if the user typed nothing."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.done = action, False, False
        self.fields: dict[str, list[str]] = {}
        self.options: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self.done:
            self.inside = (a.get("method") or "").lower() == "post" and (
                a.get("action") in (None, "", self.action)
            )
        if tag == "option" and self.inside and self._select:
            # What a browser sends: the selected option, else the first non-empty one.
            if "selected" in a or not self.fields.get(self._select, [""])[0]:
                self.fields[self._select] = [a.get("value") or ""]
            return
        if not self.inside or "name" not in a:
            return
        name = a["name"]
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                self.options.setdefault(name, []).append(a.get("value", "on"))
                if "checked" in a:
                    self.fields.setdefault(name, []).append(a.get("value", "on"))
            elif kind not in ("submit", "button", "file"):
                self.fields[name] = [a.get("value") or ""]
        elif tag == "select":
            self._select = name
        elif tag == "textarea":
            self._textarea = name
            self.fields[name] = [""]

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside, self.done = False, True
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.inside:
            self.fields[self._textarea] = [self.fields[self._textarea][0] + data]


class Visitor:
    """One demo user in a browser: signs in, then opens pages and writes a draft now
    and then, as a person clicking around would."""

    def __init__(self, base_url: str, username: str, visits: Visits):
        import httpx

        self.base, self.username, self.visits = base_url, username, visits
        self.client = httpx.Client(base_url=base_url, timeout=30, follow_redirects=True)
        self.post_ids: list[str] = []

    def _csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    def get(self, path: str) -> str:
        return self._request("GET", path)

    def _request(self, method: str, path: str, **kwargs) -> str:
        import httpx

        started = time.monotonic()
        try:
            response = self.client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            self.visits.errors.append(f"{self.username} {method} {path}: {exc!r}")
            return ""
        self.visits.views += 1
        self.visits.times.append(time.monotonic() - started)
        if response.status_code >= 500:
            self.visits.errors.append(f"{self.username} {method} {path}: {response.status_code}")
        return response.text if response.status_code < 400 else ""

    def sign_in(self) -> bool:
        self.client.cookies.clear()
        self.get("/login/")
        page = self._request(
            "POST",
            "/login/",
            data={
                "username": self.username,
                "password": "demo",
                "csrfmiddlewaretoken": self._csrf(),
            },
            headers={"Referer": f"{self.base}/login/"},
        )
        return "logout" in page.lower()

    def click_around(self) -> None:
        for path in PAGES:
            page = self.get(path)
            self.post_ids = re.findall(r'href="/posts/(\d+)/"', page) or self.post_ids
        for post_id in self.post_ids[:3]:
            self.get(f"/posts/{post_id}/")
        self.get("/calendar/events/?start=2026-01-01T00:00:00&end=2028-01-01T00:00:00")

    def write_draft(self, number: int) -> None:
        page = self.get("/posts/new/")
        if not page:
            return
        reader = _FormReader("/posts/new/")
        reader.feed(page)
        data = dict(reader.fields)
        data["title"] = [f"Soak draft {number} by {self.username}"]
        data["body"] = [f"Texte de test d'endurance numéro {number}."]
        data["csrfmiddlewaretoken"] = [self._csrf()]
        answer = self._request(
            "POST",
            "/posts/new/",
            data=data,
            headers={"Referer": f"{self.base}/posts/new/"},
        )
        if "Soak draft" in answer and "/edit/" in answer:
            self.visits.drafts_created += 1
        else:
            self.visits.drafts_refused += 1


def simulate_user(base_url: str, stop: threading.Event, visits: Visits) -> None:
    """Round after round, each demo user in turn signs in, clicks through the pages and,
    every third round, writes a draft."""
    rounds = 0
    while not stop.is_set():
        for username in DEMO_USERS:
            if stop.is_set():
                return
            visitor = Visitor(base_url, username, visits)
            try:
                if visitor.sign_in():
                    visitor.click_around()
                    if rounds % 3 == 0 and username in ("cm", "contrib67"):
                        visitor.write_draft(rounds)
                else:
                    visits.errors.append(f"{username} could not sign in")
            finally:
                visitor.client.close()
            stop.wait(1.0)  # a person reads the page before the next click
        rounds += 1


# --- the run ---------------------------------------------------------------------------


def soak(seconds: int, bench: Bench) -> dict:
    var_dir = bench.tmp / "var"
    var_dir.mkdir()
    port = processes.free_port()
    env = dict(os.environ)
    for name in ("REDIS_URL", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)  # the local run: SQLite and the supervisor's own Redis
    env.update(
        CADENCE_VAR_DIR=str(var_dir),
        DEBUG="1",
        # As `make run`: the demo's approvers sign in with their password alone.
        TWO_FACTOR_EXEMPT_USERNAMES="head,director,admin",
        PYTHONPATH=str(ROOT),
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    bench.env = env
    python = sys.executable

    log("migrating and seeding the demo data (as make run does)")
    for command in (["migrate", "--noinput", "-v", "0"], ["seed_demo", "--if-empty"]):
        subprocess.run(
            [python, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=600,
            stdout=subprocess.DEVNULL,
        )
    # This process reads the same SQLite file: none of the caller's database or broker.
    for name in ("REDIS_URL", "DATABASE_URL"):
        os.environ.pop(name, None)
    os.environ.update({k: env[k] for k in ("CADENCE_VAR_DIR", "DEBUG", "DJANGO_SETTINGS_MODULE")})
    import logging

    import django

    django.setup()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    from bench.lib import data
    from editorial.models import Post, PostState, Publication

    channel = bench.loopback(delay=0.05)
    fixtures = _fixtures(channel.url)
    post_ids = data.approved_posts(fixtures, seconds, label="soak")
    from django.db import connections

    connections.close_all()

    supervisor = bench.start(
        "supervisor",
        [python, "-m", "config.supervisor", "--port", str(port)],
    )
    base_url = f"http://127.0.0.1:{port}"
    if not wait_until(lambda: _healthy(base_url), timeout=120, interval=0.5):
        raise RuntimeError(f"the stack did not become healthy:\n{supervisor.log_tail()}")
    log(f"stack healthy on {base_url}")

    # One post due each second from LEAD_SECONDS on, in the order they were made.
    from django.utils import timezone

    first_due = timezone.now() + timedelta(seconds=LEAD_SECONDS)
    due_at = {}
    from django.db import transaction

    with transaction.atomic():
        for i, pk in enumerate(post_ids):
            due_at[pk] = first_due + timedelta(seconds=i)
            Post.objects.filter(pk=pk).update(scheduled_at=due_at[pk])
    connections.close_all()
    last_due = first_due + timedelta(seconds=len(post_ids) - 1)
    log(f"{len(post_ids)} posts due one a second, {first_due:%H:%M:%S} to {last_due:%H:%M:%S} UTC")

    visits = Visits()
    stop = threading.Event()
    user = threading.Thread(target=simulate_user, args=(base_url, stop, visits), daemon=True)
    user.start()
    busy_before = _busy()
    try:
        end = last_due + timedelta(seconds=GRACE_SECONDS)
        while timezone.now() < end:
            if channel.count() >= len(post_ids) and timezone.now() > last_due:
                break
            if not supervisor.alive():
                raise RuntimeError(f"the supervisor died:\n{supervisor.log_tail()}")
            time.sleep(2)
            log(f"received {channel.count()} / {len(post_ids)}; page views {visits.views}")
    finally:
        stop.set()
        user.join(60)
    busy_after = _busy()
    busy = (busy_after[0] - busy_before[0]) / max(1e-9, busy_after[1] - busy_before[1])

    received = channel.dump()
    stopped_cleanly = _stop(supervisor)
    log_text = supervisor.log_text()
    restarts = re.findall(r"supervisor \| (\S+) stopped unexpectedly \(([^)]*)\)", log_text)

    keys = {
        str(pub.idempotency_key): pub.post_id
        for pub in Publication.objects.filter(post_id__in=post_ids).only(
            "idempotency_key", "post_id"
        )
    }
    arrivals: dict[int, list[float]] = {}
    for key, at in received:
        if key in keys:
            arrivals.setdefault(keys[key], []).append(at)
    published = Post.objects.filter(pk__in=post_ids, state=PostState.PUBLISHED).count()
    lags = [min(times) - due_at[pk].timestamp() for pk, times in arrivals.items()]
    connections.close_all()
    return {
        "seconds": seconds,
        "posts_due": len(post_ids),
        "published": published,
        "missed": len(post_ids) - len(arrivals),
        "not_published": len(post_ids) - published,
        "duplicates": sum(len(times) - 1 for times in arrivals.values()),
        "early": sum(1 for lag in lags if lag < 0),
        "crashes": len(restarts),
        "crashed": [f"{name} ({how})" for name, how in restarts],
        "stopped_cleanly": stopped_cleanly,
        "page_views": visits.views,
        "page_errors": visits.errors,
        "drafts_created": visits.drafts_created,
        "drafts_refused": visits.drafts_refused,
        "lag_p50_ms": 1000 * quantile(lags, 0.5),
        "lag_p99_ms": 1000 * quantile(lags, 0.99),
        "lag_max_ms": 1000 * max(lags, default=float("nan")),
        "page_p50_ms": 1000 * quantile(visits.times, 0.5),
        "page_p99_ms": 1000 * quantile(visits.times, 0.99),
        "machine_busy": busy,
    }


def _fixtures(url: str):
    """The demo's national team, its community manager writing and its head of
    communication approving, on a webhook channel of their own to the loopback."""
    from accounts.models import Department, User
    from bench.lib.data import Fixtures, webhook_channel

    department = Department.objects.get(is_national=True)
    channel = webhook_channel("Soak loopback", "soak-loopback", department, url)
    return Fixtures(
        department,
        User.objects.get(username="cm"),
        User.objects.get(username="head"),
        channel,
    )


# What must be up for the soak to start: the running parts. Not the publication counts:
# the demo data has an unknown and a failed publication waiting for a person on purpose,
# which turns /healthz red until someone settles them.
RUNNING = ("database", "broker", "scheduler", "workers", "sweep")


def _healthy(base_url: str) -> bool:
    import httpx

    try:
        checks = httpx.get(f"{base_url}/healthz.json", timeout=5).json()["checks"]
    except (httpx.HTTPError, ValueError, KeyError):
        return False
    return all(checks[name]["ok"] for name in RUNNING)


def _busy() -> tuple[float, float]:
    """CPU seconds the whole machine has spent busy, per core, and the monotonic time."""
    from bench.lib.harness import _machine_busy

    busy, _total = _machine_busy()
    return busy / (os.cpu_count() or 1), time.monotonic()


def _stop(supervisor) -> bool:
    """Ctrl-C, as a person stops `make run`: every child must stop and it must exit 0."""
    supervisor.proc.send_signal(signal.SIGINT)
    try:
        code = supervisor.proc.wait(60)
    except subprocess.TimeoutExpired:
        return False
    return code == 0 and "all stopped" in supervisor.log_text()


def ok(result: dict) -> bool:
    return (
        result["missed"] == 0
        and result["not_published"] == 0
        and result["duplicates"] == 0
        and result["early"] == 0
        and result["crashes"] == 0
        and not result["page_errors"]
        and result["stopped_cleanly"]
    )


def write_doc(result: dict, facts: dict) -> None:
    r = result
    row = (
        f"| {report.now_stamp()} `{report.git_state()}` | {r['seconds'] / 60:.0f} "
        f"| {r['posts_due']} | {r['published']} | {r['missed']} | {r['duplicates']} "
        f"| {r['crashes']} | {r['page_views']} | {len(r['page_errors'])} "
        f"| {r['lag_p50_ms']:.0f} / {r['lag_p99_ms']:.0f} / {r['lag_max_ms']:.0f} ms "
        f"| {r['page_p50_ms']:.0f} / {r['page_p99_ms']:.0f} ms | {100 * r['machine_busy']:.0f} % |"
    )
    body = f"""## Soak: the local run for hours

`make soak` (`.venv/bin/python bench/soak.py --seconds 1800`): the whole `make run`
stack (config/supervisor.py: its own Redis on a unix socket, one worker of 8 threads, the
scheduler, the web server) on SQLite, a post due every second on a webhook channel (the
loopback server answering in 50 ms), and one simulated user signing in as each demo user
in turn, opening every page and writing a draft now and then. Missed = never received;
duplicates = received more than once; crashes = children the supervisor restarted; page
errors = answers of 500 or more. The test suite runs a 3-minute version
(tests/integration/test_soak.py). Machine busy = share of both cores over the run.

{report.table("soak", HEADER, [row])}
"""
    report.update("soak", body, facts)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=1800, help="posts due, one a second")
    parser.add_argument("--no-doc", action="store_true", help="leave docs/performance.md")
    parser.add_argument("--json", type=Path, help="write the result here")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    options = parse_args(argv)
    report.git_state()  # the commit measured: read before anything runs
    budget = options.seconds + LEAD_SECONDS + GRACE_SECONDS + 600
    with Bench("soak", budget_seconds=budget) as bench:
        result = soak(options.seconds, bench)
        facts = report.machine_facts()
    log(json.dumps(result, indent=1))
    if options.json:
        options.json.write_text(json.dumps(result))
    if not options.no_doc:
        write_doc(result, facts)
        log(f"updated {report.DOC.relative_to(report.ROOT)}")
    if ok(result):
        log("soak passed: 0 missed, 0 duplicates, 0 crashes, 0 page errors")
        return 0
    log("soak FAILED")
    return 1


if __name__ == "__main__":
    sys.exit(main())
