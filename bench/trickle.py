"""Benchmark 2, trickle: one post due every second for two minutes (120 posts).

The real path, as in production: `celery beat` (sweep every second, ETA wake-ups for the
posts due in the interval after the next), workers, Redis of its own, a PostgreSQL
database made for the run, the loopback channel (50 ms answers) in its own process.
Lag = time the channel received the post - its due time. Target: p99 <= 1 s, no
duplicate, no miss.

    .venv/bin/python bench/trickle.py               # what `make bench` runs
    .venv/bin/python bench/trickle.py --posts 60 --runs 1
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.lib import harness as h
from bench.lib import report
from bench.lib.harness import Bench, log, quantile

TARGET_P99 = 1.0


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=120, help="one due per --every s")
    parser.add_argument("--every", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pool", default="threads")
    parser.add_argument("--concurrency", type=int, default=4, help="threads per worker")
    parser.add_argument("--db-pool", default="auto", help="DATABASE_POOL_MAX_SIZE, or auto (=C)")
    parser.add_argument("--delay", type=float, default=0.05, help="channel answer time, s")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--lead", type=float, default=5.0, help="s before the first is due")
    parser.add_argument("--no-doc", action="store_true")
    return parser.parse_args(argv)


def one_run(bench: Bench, loop: h.Loopback, fx, args) -> dict:
    from bench.lib import data
    from editorial.models import Post, Publication

    ids = data.approved_posts(fx, args.posts, label="trickle")
    quiet = h.wait_for_quiet()
    loop.reset()
    first = time.time() + args.lead
    due = {pk: first + i * args.every for i, pk in enumerate(ids)}
    posts = list(Post.objects.filter(pk__in=ids))
    for post in posts:
        post.scheduled_at = datetime.fromtimestamp(due[post.pk], UTC)
    Post.objects.bulk_update(posts, ["scheduled_at"])
    last_due = max(due.values())
    meter = h.CpuMeter(bench)
    h.sleep_until(first)
    meter.start()
    h.wait_until(lambda: loop.count() >= args.posts, last_due - time.time() + 30, 0.5)
    cpu = meter.stop()
    time.sleep(3)  # late duplicates
    received = loop.dump()
    keys = dict(
        (str(key), post_id)
        for post_id, key in Publication.objects.filter(post_id__in=ids).values_list(
            "post_id", "idempotency_key"
        )
    )
    counts = Counter(key for key, _ in received)
    arrival: dict[int, float] = {}
    for key, at in received:
        if key in keys:
            pk = keys[key]
            arrival[pk] = min(at, arrival.get(pk, at))
    lags = [arrival[pk] - due[pk] for pk in arrival]
    early = sum(1 for lag in lags if lag < 0)
    return {
        "posts": args.posts,
        "received": len(arrival),
        "lag_p50": quantile(lags, 0.5),
        "lag_p99": quantile(lags, 0.99),
        "lag_max": max(lags, default=float("nan")),
        "lag_min": min(lags, default=float("nan")),
        "early": early,
        "over_1s": sum(1 for lag in lags if lag > 1.0),
        "duplicates": sum(n - 1 for n in counts.values() if n > 1),
        "misses": args.posts - len(arrival),
        "published": Post.objects.filter(pk__in=ids, state="published").count(),
        "cpu": cpu,
        "busy_before": quiet,
    }


def describe(r: dict) -> str:
    return (
        f"lag p50 {r['lag_p50'] * 1000:.0f} ms, p99 {r['lag_p99'] * 1000:.0f} ms, max "
        f"{r['lag_max'] * 1000:.0f} ms, min {r['lag_min'] * 1000:.0f} ms; over 1 s: "
        f"{r['over_1s']}; before due: {r['early']}; dup {r['duplicates']}, miss "
        f"{r['misses']}, published {r['published']}/{r['posts']}; CPU busy "
        f"{100 * r['cpu']['busy_fraction']:.0f} %"
    )


HEADER = (
    "| when | commit | workers × C | run | posts | lag p50 ms | lag p99 ms | lag max ms "
    "| over 1 s | dup | miss | published | CPU busy during | busy just before |"
)


def write_doc(args, facts, results, command: str, pool: str) -> None:
    stamp, commit = report.now_stamp(), report.git_state()
    conc = f"{args.workers} × {args.concurrency}"
    rows = [
        f"| {stamp} | {commit} | {conc} | {run} | {r['posts']} | {r['lag_p50'] * 1000:.0f} | "
        f"**{r['lag_p99'] * 1000:.0f}** | {r['lag_max'] * 1000:.0f} | {r['over_1s']} | "
        f"{r['duplicates']} | {r['misses']} | {r['published']}/{r['posts']} | "
        f"{100 * r['cpu']['busy_fraction']:.0f} % | {100 * r['busy_before']:.0f} % |"
        for run, r in enumerate(results, 1)
    ]
    verdicts = []
    for run, r in enumerate(results, 1):
        ok = r["lag_p99"] <= TARGET_P99 and r["duplicates"] == 0 and r["misses"] == 0
        verdicts.append(
            f"- run {run}: p99 {r['lag_p99'] * 1000:.0f} ms (target ≤ {TARGET_P99 * 1000:.0f} "
            f"ms), {r['duplicates']} duplicate(s), {r['misses']} miss(es), "
            f"{r['early']} before its time: **{'met' if ok else 'missed'}**."
        )
    body = f"""## 2. Trickle: one post due every second for two minutes

{args.posts} approved posts, post *i* due at T + {args.every:g}·*i* s (T {args.lead:g} s
after they are made due), on the loopback channel ({args.delay * 1000:.0f} ms answers,
own process); `celery beat` with `PUBLISHING_SWEEP_SECONDS=1` and {args.workers} workers
`--pool {args.pool} --concurrency {args.concurrency}` (`DATABASE_POOL_MAX_SIZE={pool}`),
Redis of its own, PostgreSQL database made for the run. Lag = arrival at the channel −
the post's due time. *CPU busy*: share of the machine's CPUs busy during the run, and in
the 2 s before it (a run waits up to 3 min for the machine to be under 25 % busy).

Command of the latest invocation: `{command}`

Target: p99 ≤ {TARGET_P99 * 1000:.0f} ms, no duplicate, no miss, none before its time.

{report.table("trickle", HEADER, rows)}

Latest invocation ({stamp}):
{chr(10).join(verdicts)}
"""
    report.update("trickle", body, facts)


def main(argv=None) -> int:
    args = parse_args(argv)
    report.git_state()  # the commit measured: read before anything runs
    pool = str(args.concurrency) if args.db_pool == "auto" else args.db_pool
    command = "python bench/trickle.py " + " ".join(sys.argv[1:] if argv is None else argv)
    # Each run may first wait up to QUIET_MAX_WAIT for a quiet machine (a busy one ended
    # run 2 in BenchTimeout when that wait was left out).
    budget = 180 + args.runs * (h.QUIET_MAX_WAIT + args.posts * args.every + args.lead + 60)
    results = []
    with Bench("trickle", budget_seconds=int(budget)) as bench:
        redis_url = bench.redis()
        db_url = bench.database()
        bench.configure(db_url, redis_url, DATABASE_POOL_MAX_SIZE=pool)
        from bench.lib import data

        loop = bench.loopback(args.delay)
        fx = data.make_fixtures(loop.url)
        facts = report.machine_facts(bench.redis_version)
        log(f"machine: {report.facts_line(facts)}")
        bench.workers(args.workers, args.pool, args.concurrency, include=())
        bench.beat()
        # Warm-up: a few posts through the whole path before the measured runs.
        ids = data.approved_posts(fx, 5, label="warm-up")
        data.set_due(ids, datetime.now(UTC) + timedelta(seconds=3))
        h.wait_until(lambda: loop.count() >= 5, 30, 0.5)
        for run in range(1, args.runs + 1):
            log(f"run {run}: {args.posts} posts, one every {args.every:g} s")
            result = one_run(bench, loop, fx, args)
            log(f"run {run}: " + describe(result))
            results.append(result)
    if not args.no_doc:
        write_doc(args, facts, results, command.strip(), pool)
        log(f"updated {report.DOC.relative_to(report.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
