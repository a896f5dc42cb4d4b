"""Benchmark: the pages at 2,000 and at 200,000 posts (issue 18, part 2).

For each page (calendar week and month events, inbox, plan board, plan review, post
page, post list, reports, the API's post list) and each role (cm, head, director, a
contributor), the server time of Django's test client (median and p95 over repeated
requests, after one warm-up) and the SQL query count, on a PostgreSQL database filled by
`manage.py seed_scale`. Each size is measured in a child process of its own (settings
read DATABASE_URL once). A database already holding the size asked for is reused: the
200,000-post fill takes minutes.

    .venv/bin/python bench/pages.py                 # what `make bench` runs: both sizes
    .venv/bin/python bench/pages.py --small --quick # 2,000 posts, few repeats
    .venv/bin/python bench/pages.py --large --db-large postgres://…/cadence_scale

Prints a table and writes var/bench_pages.json. Pages refused to a role (the plan board
to a contributor) are listed with their status and no time.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PG = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
SIZES = {"small": 2000, "large": 200000}
ROLES = ("community_manager", "head_of_communication", "director", "department_contributor")
SHORT = dict(zip(ROLES, ("cm", "head", "director", "contrib"), strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="2,000 posts only")
    parser.add_argument("--large", action="store_true", help="200,000 posts only")
    parser.add_argument("--quick", action="store_true", help="5 requests a page, not 20")
    parser.add_argument("--repeat", type=int, default=0)
    parser.add_argument("--db-small", default=f"{PG}/cadence_bench_pages_small")
    parser.add_argument("--db-large", default=f"{PG}/cadence_bench_pages_large")
    parser.add_argument("--out", default=str(ROOT / "var" / "bench_pages.json"))
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # child: database URL
    args = parser.parse_args()
    repeat = args.repeat or (5 if args.quick else 20)
    if args.measure:
        print(json.dumps(measure(repeat)))
        return
    sizes = [s for s in SIZES if getattr(args, s)] or list(SIZES)
    results = {}
    for size in sizes:
        url = getattr(args, f"db_{size}")
        prepare(url, SIZES[size])
        results[size] = child(url, repeat)
    table(results)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                               "load": os.getloadavg(), "repeat": repeat,
                               "results": results}, indent=1))  # fmt: skip
    print(f"written: {out}")


def _env(url: str) -> dict:
    return {**os.environ, "DATABASE_URL": url, "DEBUG": "1", "PYTHONPATH": str(ROOT)}


def _manage(url: str, *args: str, capture: bool = False) -> str:
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=_env(url),
        cwd=ROOT,
        check=True,
        capture_output=capture,
        text=True,
    )
    return done.stdout if capture else ""


def prepare(url: str, posts: int) -> None:
    """Create, migrate and seed the database unless it already holds `posts` posts. Only
    the script's own databases are dropped and made again; any other is left alone."""
    name = url.rsplit("/", 1)[1]
    server = url.rsplit("/", 1)[0] + "/postgres"
    exists = subprocess.run(
        ["psql", server, "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if exists:
        count = subprocess.run(
            ["psql", url, "-tAc", "SELECT count(*) FROM editorial_post"],
            capture_output=True,
            text=True,
        ).stdout.strip()
        if count == str(posts):
            print(f"{name}: {posts} posts already there, reused", flush=True)
            return
        if not name.startswith("cadence_bench_pages_"):
            sys.exit(f"{name} holds {count or 'no'} posts, not {posts}: fill it, or name another.")
        subprocess.run(["psql", server, "-qc", f'DROP DATABASE "{name}"'], check=True)
    subprocess.run(["psql", server, "-qc", f'CREATE DATABASE "{name}"'], check=True)
    _manage(url, "migrate", "-v", "0")
    started = time.monotonic()
    _manage(url, "seed_scale", "--posts", str(posts))
    print(f"{name}: seeded {posts} posts in {time.monotonic() - started:.1f} s", flush=True)
    subprocess.run(["psql", url, "-qc", "VACUUM ANALYZE"], check=True)


def child(url: str, repeat: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--measure", url, "--repeat", str(repeat)],
        env=_env(url),
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def measure(repeat: int) -> dict:
    import logging

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    logging.disable(logging.WARNING)
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host allowed, as in the tests
    from bench.lib.pages import pages_for, signed_in_client

    figures = {}
    for role in ROLES:
        client, person = signed_in_client(role)
        for page, url in pages_for(person):
            figures[f"{page}|{SHORT[role]}"] = time_page(client, url, repeat)
    return figures


def time_page(client, url: str, repeat: int) -> dict:
    from django.db import connection

    # Counted with a wrapper, not connection.queries: under DEBUG that log is capped.
    queries = []
    with connection.execute_wrapper(lambda run, sql, *rest: queries.append(sql) or run(sql, *rest)):
        status = client.get(url).status_code  # warm-up, and the query count
    if status != 200:
        return {"status": status}
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return {
        "status": status,
        "queries": len(queries),
        "median_ms": round(times[len(times) // 2], 1),
        "p95_ms": round(p95, 1),
        "bytes": len(response.content),
    }


def table(results: dict) -> None:
    sizes = list(results)
    keys = list(next(iter(results.values())))
    head = f"{'page':24} {'role':9}" + "".join(
        f" | {size + ' median':>13} {'p95':>8} {'queries':>7}" for size in sizes
    )
    if len(sizes) == 2:
        head += " | ratio"
    print(head)
    print("-" * len(head))
    for key in keys:
        page, role = key.split("|")
        line = f"{page:24} {role:9}"
        medians = []
        for size in sizes:
            row = results[size].get(key, {})
            if "median_ms" not in row:
                line += f" | {'status ' + str(row.get('status', '-')):>13} {'':>8} {'':>7}"
                continue
            medians.append(row["median_ms"])
            line += f" | {row['median_ms']:>10.1f} ms {row['p95_ms']:>8.1f} {row['queries']:>7}"
        if len(medians) == 2 and medians[0]:
            line += f" | {medians[1] / medians[0]:5.1f}"
        print(line)


if __name__ == "__main__":
    main()
