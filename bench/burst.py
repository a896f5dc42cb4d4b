"""Benchmark 1, burst: 2,000 approved posts due at the same instant.

The real path end to end: posts approved (with their Approval and content hash), beat
sweeping every second and sending ETA wake-ups (one per due instant and 50 posts), the
claim, one publication per channel, the `publish_batch` tasks (one per
PUBLISHING_TASK_BATCH publications) and their checks, the webhook adapter, the audit
entries. Two Celery
workers (`--pool threads`), our own Redis, a PostgreSQL database made for the run, and
the loopback channel (tests/loopback.py, 50 ms answers) in a process of its own.

In the same run, with the same workers, broker, database and HTTP client, the bare
baseline: a plain task that claims a row with a conditional UPDATE, POSTs, and records
the result (bench/lib/baseline.py), its 2,000 messages sent ahead with ETA = the instant.

Reports, per path: drain (due instant -> last request received), ratio to the floor
N x 50 ms / (workers x concurrency), lag from due time p50/p99, duplicates (a key
received twice), misses (a post never received), and CPU seconds by process.
Targets: ratio <= 1.3, no duplicate, no miss.

    .venv/bin/python bench/burst.py                 # what `make bench` runs
    .venv/bin/python bench/burst.py --concurrency 4,8,16 --runs 2
    .venv/bin/python bench/burst.py --db-pool       # with Django's connection pool
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.lib import harness as h
from bench.lib import report
from bench.lib.harness import Bench, CpuMeter, log, quantile

TARGET_RATIO = 1.3


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pool", default="threads")
    parser.add_argument(
        "--concurrency",
        default="4",
        help="threads per worker; a comma-separated list runs each in turn. Default 4: on "
        "2 cores the bare baseline needs 9-11 ms of CPU per post, so 2,000 posts need >= 10 s "
        "of both cores; 2 × 4 threads (floor 12.5 s) is the most whose floor the CPU can "
        "meet, more threads only lower the floor below it (see docs/performance.md)",
    )
    parser.add_argument("--delay", type=float, default=0.05, help="channel answer time, s")
    parser.add_argument("--runs", type=int, default=2, help="measured runs per concurrency")
    parser.add_argument("--warmup", type=int, default=200, help="posts of the warm-up run")
    parser.add_argument(
        "--lead",
        type=float,
        default=6.0,
        help="seconds between making the posts due and the due instant",
    )
    parser.add_argument("--timeout", type=float, default=600, help="drain time limit, s")
    parser.add_argument(
        "--db-pool",
        default="auto",
        metavar="N",
        help="DATABASE_POOL_MAX_SIZE for every process: 0 (no pool), N, or auto (= C)",
    )
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--no-doc", action="store_true", help="do not touch the docs")
    parser.add_argument(
        "--profile",
        metavar="DIR",
        help="py-spy the workers during each Cadence drain (raw stacks in DIR)",
    )
    return parser.parse_args(argv)


# --- one measured drain ------------------------------------------------------------------


def drain(
    bench: Bench, loop: h.Loopback, count: int, due_wall: float, timeout: float, grace: float = 3.0
) -> tuple[list[tuple[str, float]], dict, bool]:
    """Wait for the due instant, then for `count` requests; then a grace period for late
    duplicates. Returns what the channel received, the CPU used, and whether all came."""
    meter = CpuMeter(bench)
    sampler = h.PgSampler(bench.env["DATABASE_URL"])
    h.sleep_until(due_wall)
    meter.start()

    def done() -> bool:
        sampler.sample()
        return loop.count() >= count

    try:
        complete = h.wait_until(done, timeout, interval=0.25)
    finally:
        sampler.close()
    cpu = meter.stop()
    cpu["pg"] = sampler.summary()
    time.sleep(grace)
    return loop.dump(), cpu, complete


def figures(
    path: str,
    count: int,
    expected: dict[str, int],
    received,
    due_wall: float,
    cpu: dict,
    floor: float,
) -> dict:
    """expected: idempotency key -> post id, for every publication the run made."""
    counts = Counter(key for key, _ in received)
    first: dict[str, float] = {}
    for key, at in received:
        first[key] = min(at, first.get(key, at))
    posts_received = {expected[key] for key in first if key in expected}
    lags = [first[key] - due_wall for key in first if key in expected]
    last = max((at for _, at in received), default=float("nan"))
    drain_s = last - due_wall
    return {
        "path": path,
        "posts": count,
        "drain": drain_s,
        "floor": floor,
        "ratio": drain_s / floor,
        "lag_p50": quantile(lags, 0.5),
        "lag_p99": quantile(lags, 0.99),
        "duplicates": sum(n - 1 for n in counts.values() if n > 1),
        "misses": count - len(posts_received),
        "strays": sum(1 for key in counts if key not in expected),
        "cpu": cpu,
        "cpu_ms_per_post": 1000 * cpu["busy_seconds"] / count,
    }


def run_baseline(bench, loop, fx, args, count: int, floor: float) -> dict:
    from bench.lib import data
    from config.celery import app

    pairs = data.baseline_publications(fx, count)
    quiet = h.wait_for_quiet()
    loop.reset()
    due_wall = time.time() + args.lead
    eta = datetime.fromtimestamp(due_wall, UTC)
    started = time.time()
    with app.producer_or_acquire() as producer:
        for pk, key in pairs:
            app.send_task("bench.baseline_publish", (pk, key, loop.url), eta=eta, producer=producer)
    sent = time.time() - started
    if time.time() > due_wall:
        log(f"baseline: sending took {sent:.1f} s, past the due instant")
    received, cpu, complete = drain(bench, loop, count, due_wall, args.timeout)
    expected = {key: pk for pk, key in pairs}
    result = figures("baseline", count, expected, received, due_wall, cpu, floor)
    result["complete"] = complete
    result["busy_before"] = quiet
    result["send_seconds"] = sent
    from editorial.models import Publication

    result["published"] = Publication.objects.filter(
        pk__in=[pk for pk, _ in pairs], state="sent"
    ).count()
    return result


def start_profilers(bench: Bench, args, due_wall: float) -> list[h.Child]:
    """py-spy on every worker and on beat, from 2 s before the due instant, for as long
    as a drain may take: raw (collapsed) stacks, one file per process."""
    out = Path(args.profile)
    out.mkdir(parents=True, exist_ok=True)
    h.sleep_until(due_wall - 2)
    spies = []
    for child in bench.children:
        if child.alive() and (child.name.startswith("worker") or child.name == "beat"):
            target = out / f"{child.name}-{int(due_wall)}.txt"
            spies.append(
                bench.start(
                    f"py-spy-{child.name}",
                    [
                        str(h.BIN / "py-spy"),
                        "record",
                        "--format",
                        "raw",
                        "--nonblocking",
                        "--gil",
                        "--rate",
                        "50",
                        "--pid",
                        str(child.pid),
                        "--output",
                        str(target),
                    ],
                )
            )
    return spies


def run_real(bench, loop, fx, args, count: int, floor: float, profile: bool = False) -> dict:
    from bench.lib import data
    from editorial.models import AuditEntry, Post, Publication

    ids = data.approved_posts(fx, count)
    quiet = h.wait_for_quiet()
    loop.reset()
    due_wall = time.time() + args.lead
    data.set_due(ids, datetime.fromtimestamp(due_wall, UTC))
    spies = start_profilers(bench, args, due_wall) if args.profile and profile else []
    received, cpu, complete = drain(bench, loop, count, due_wall, args.timeout)
    for spy in spies:
        spy.interrupt()  # py-spy writes its output on SIGINT
    h.wait_until(
        lambda: Post.objects.filter(pk__in=ids, state="published").count() == count, 10, 0.5
    )
    pubs = list(
        Publication.objects.filter(post_id__in=ids).values_list(
            "post_id", "idempotency_key", "sending_since", "sent_at"
        )
    )
    expected = {str(key): post_id for post_id, key, _, _ in pubs}
    result = figures("cadence", count, expected, received, due_wall, cpu, floor)
    result["complete"] = complete
    result["busy_before"] = quiet
    result["published"] = Post.objects.filter(pk__in=ids, state="published").count()
    states = Counter(Post.objects.filter(pk__in=ids).values_list("state", flat=True))
    result["post_states"] = dict(states)
    # Where the time goes: claim (audit entry of start_publishing) and the record of
    # the result (sent_at).
    claims = list(
        AuditEntry.objects.filter(
            action="start_publishing", object_type="editorial.post", object_id__in=ids
        ).values_list("created_at", flat=True)
    )
    due = datetime.fromtimestamp(due_wall, UTC)
    result["claim_p50"] = quantile([(c - due).total_seconds() for c in claims], 0.5)
    result["claim_last"] = max(((c - due).total_seconds() for c in claims), default=0)
    result["recorded_last"] = max(
        ((s - due).total_seconds() for _, _, _, s in pubs if s), default=float("nan")
    )
    return result


def describe(r: dict) -> str:
    cpu = r["cpu"]
    return (
        f"{r['path']:8s} drain {r['drain']:6.2f} s  floor {r['floor']:.2f} s  ratio "
        f"{r['ratio']:5.2f}  lag p50 {r['lag_p50']:.2f} p99 {r['lag_p99']:.2f} s  dup "
        f"{r['duplicates']}  miss {r['misses']}  published {r['published']}/{r['posts']}  "
        f"CPU busy {100 * cpu['busy_fraction']:.0f}% ({r['cpu_ms_per_post']:.1f} ms/post: "
        + ", ".join(f"{k} {v:.1f}" for k, v in cpu["groups"].items())
        + ")"
        + (
            f"\n    stages after due: last claim {r['claim_last']:.2f} s, claim p50 "
            f"{r['claim_p50']:.2f} s, last "
            f"result recorded {r['recorded_last']:.2f} s; post states {r['post_states']}"
            if "claim_last" in r
            else ""
        )
        + (
            f"\n    busiest processes outside the bench: {cpu['other_top']}"
            if cpu.get("other_top")
            else ""
        )
        + (
            f"\n    PostgreSQL sessions (mean of samples): {cpu['pg']['sessions']:.1f} open, "
            f"{cpu['pg']['active']:.1f} active, waiting on a lock: {cpu['pg']['lock_waits']}"
        )
    )


# --- the doc -----------------------------------------------------------------------------

HEADER = (
    "| when | commit | settings | workers × C | run | path | drain s | floor s | ratio "
    "| lag p50 s | lag p99 s | dup | miss | published | CPU busy | CPU ms/post "
    "| CPU s: workers / postgres / beat / loopback / redis / unattributed |"
)


def row(stamp, commit, settings, conc, run, r) -> str:
    g = r["cpu"]["groups"]
    split = " / ".join(
        f"{g.get(k, 0):.1f}"
        for k in ("workers", "postgres", "beat", "loopback", "redis", "unattributed")
    )
    return (
        f"| {stamp} | {commit} | {settings} | {conc} | {run} | {r['path']} | "
        f"{r['drain']:.2f} | {r['floor']:.2f} | **{r['ratio']:.2f}** | {r['lag_p50']:.2f} | "
        f"{r['lag_p99']:.2f} | {r['duplicates']} | {r['misses']} | "
        f"{r['published']}/{r['posts']} | {100 * r['cpu']['busy_fraction']:.0f} % | "
        f"{r['cpu_ms_per_post']:.1f} | {split} |"
    )


def pool_size(args, concurrency: int) -> int:
    return concurrency if args.db_pool == "auto" else int(args.db_pool)


def settings_label(args, concurrency: int) -> str:
    size = pool_size(args, concurrency)
    celery = report.package_version("celery")
    return f"Celery {celery}, " + (f"pool {size}" if size else "no pool")


def write_doc(args, facts, results, command: str, query_counts: dict) -> None:
    stamp, commit = report.now_stamp(), report.git_state()
    settings = ", ".join(sorted({settings_label(args, c) for c, _, _ in results}))
    rows = [
        row(stamp, commit, settings_label(args, c), f"{args.workers} × {c}", run, r)
        for c, run, r in results
    ]
    real = [r for _, _, r in results if r["path"] == "cadence"]
    verdicts = []
    for c, run, r in results:
        if r["path"] != "cadence":
            continue
        ok = r["ratio"] <= TARGET_RATIO and r["duplicates"] == 0 and r["misses"] == 0
        base = next(
            (b for c2, run2, b in results if c2 == c and run2 == run and b["path"] == "baseline"),
            None,
        )
        vs = f", {r['drain'] / base['drain']:.1f}× the baseline's drain" if base else ""
        verdicts.append(
            f"- C={c}, run {run}: ratio {r['ratio']:.2f} (target ≤ {TARGET_RATIO}), "
            f"{r['duplicates']} duplicate(s), {r['misses']} miss(es){vs}: "
            f"**{'met' if ok else 'missed'}**."
        )
    body = f"""## 1. Burst: {args.posts:,} posts due at the same instant

{args.posts:,} approved posts on one webhook channel (the loopback of
`tests/loopback.py` in its own process, answering in {args.delay * 1000:.0f} ms, HTTP/1.1
keep-alive with TCP_NODELAY: `bench/lib/loopback_proc.py`), made due at one instant
{args.lead:.0f} s ahead; the real scheduler path (`celery beat` with
`PUBLISHING_SWEEP_SECONDS=1`: sweep, ETA wake-ups per due instant, claim,
`publish_batch` tasks of `PUBLISHING_TASK_BATCH` = 10 publications) on
{args.workers} workers `celery -A config worker --pool {args.pool} --concurrency C
--without-mingle --without-gossip --without-heartbeat`, Redis of its own, PostgreSQL
database `cadence_bench_burst_<pid>` made for the run. *baseline*: on the
same workers, broker, database and HTTP client, a plain task that claims its row with a
conditional UPDATE, POSTs, and records the result (`bench/lib/baseline.py`), its
messages sent ahead with ETA = the due instant. Drain = due instant → last request
received; floor = posts × {args.delay * 1000:.0f} ms / (workers × C); lag = due instant
→ first receipt of each post. CPU = all processes of the machine during the drain
(busy share of {facts["nproc"]} CPUs; ms of CPU per post; seconds by process group;
*unattributed* is the rest of the machine's busy time: kernel network work, processes
that came and went, other users of the machine).
A warm-up of {args.warmup} posts on each path precedes the measured runs; each run first
waits (at most 3 min) for the machine to be under 25 % busy.

Command of the latest invocation: `{command}` (settings: {settings}; *pool N* is
`DATABASE_POOL_MAX_SIZE=N`, Django's psycopg pool, in the workers).

SQL statements per post, counted in-process at the commit of the latest invocation:
{", ".join(f"{k}: {v:g}" for k, v in query_counts.items())}.

Targets: ratio ≤ {TARGET_RATIO}, no duplicate, no miss.

{report.table("burst", HEADER, rows)}

Latest invocation ({stamp}):
{chr(10).join(verdicts) if verdicts else "- no Cadence run"}
"""
    if real:
        body += "\nStage timings of the Cadence runs (seconds after the due instant):\n\n"
        body += "| C | run | claim p50 | last claim | lag p50 | last result recorded |\n"
        body += "|---|---|---|---|---|---|\n"
        for c, run, r in results:
            if r["path"] == "cadence":
                body += (
                    f"| {c} | {run} | {r['claim_p50']:.2f} | {r['claim_last']:.2f} | "
                    f"{r['lag_p50']:.2f} | {r['recorded_last']:.2f} |\n"
                )
    report.update("burst", body, facts)


# --- main --------------------------------------------------------------------------------


def main(argv=None) -> int:
    args = parse_args(argv)
    report.git_state()  # the commit measured: read before anything runs
    levels = [int(c) for c in args.concurrency.split(",")]
    budget = 180 + len(levels) * (args.runs + 1) * 2 * (args.timeout + args.lead + 15)
    command = "python bench/burst.py " + " ".join(sys.argv[1:] if argv is None else argv)
    results: list[tuple[int, int, dict]] = []
    with Bench("burst", budget_seconds=int(budget)) as bench:
        redis_url = bench.redis()
        db_url = bench.database()
        bench.configure(db_url, redis_url, DATABASE_POOL_MAX_SIZE=str(pool_size(args, levels[0])))
        include = ["bench.lib.baseline"]
        for module in include:
            __import__(module)
        from bench.lib import data, queries

        loop = bench.loopback(args.delay)
        fx = data.make_fixtures(loop.url)
        query_counts = queries.count(fx)
        log(f"SQL statements per post: {query_counts}")
        facts = report.machine_facts(bench.redis_version)
        log(f"machine: {report.facts_line(facts)}")
        bench.beat()
        for c in levels:
            bench.env["DATABASE_POOL_MAX_SIZE"] = str(pool_size(args, c))
            workers = bench.workers(args.workers, args.pool, c, include=include)
            floor = args.posts * args.delay / (args.workers * c)
            log(
                f"{args.workers} workers × {c} {args.pool}, {settings_label(args, c)}; "
                f"floor {floor:.2f} s"
            )
            if args.warmup:
                wfloor = args.warmup * args.delay / (args.workers * c)
                if not args.skip_baseline:
                    log(
                        "warm-up "
                        + describe(run_baseline(bench, loop, fx, args, args.warmup, wfloor))
                    )
                log("warm-up " + describe(run_real(bench, loop, fx, args, args.warmup, wfloor)))
            for run in range(1, args.runs + 1):
                if not args.skip_baseline:
                    b = run_baseline(bench, loop, fx, args, args.posts, floor)
                    log(f"C={c} run {run} " + describe(b))
                    results.append((c, run, b))
                r = run_real(bench, loop, fx, args, args.posts, floor, profile=True)
                log(f"C={c} run {run} " + describe(r))
                results.append((c, run, r))
            for w in workers:
                if not w.child.alive():
                    raise RuntimeError(f"{w.name} died:\n{w.child.log_tail()}")
                errors = [
                    line
                    for line in w.child.log_path.read_text().splitlines()
                    if "ERROR" in line or "Traceback" in line
                ]
                if errors:
                    log(f"{w.name}: {len(errors)} error lines, e.g. {errors[0][:300]}")
                w.child.stop()
    if not args.no_doc:
        write_doc(args, facts, results, command.strip(), query_counts)
        log(f"updated {report.DOC.relative_to(h.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
