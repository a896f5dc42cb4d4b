"""Benchmark: a 1,000-post burst with a worker SIGKILLed every 3 seconds (issue 13).

The burst of `bench/burst.py` (the real path: beat, sweep, wake-ups, claims,
`publish_batch`, the webhook adapter against the loopback channel in its own process)
on 2 workers `--pool threads`, with production's timings (lease 30 s, hold 5 s, sending
time-out 120 s, reaper every 30 s). Every `--kill-every` seconds from the due instant,
for as long as the same burst lasts without kills (measured just before), one worker
in turn is SIGKILLed and started again at once, as a supervisor would. In the same
run: the burst without kills, and the bare baseline task of `bench/burst.py` (no kills).

Reports, per path: drain (due instant -> last request received), settled (due instant
-> no publication queued, retrying or sending), lag p50/p99 (due instant -> first
receipt of each post received), kills, unknown outcomes left for a person (and how
many of them had in fact reached the channel), duplicates, misses (a post neither
received nor unknown), machine busy share.

    .venv/bin/python bench/kills.py                 # what `make bench` runs
    .venv/bin/python bench/kills.py --runs 2 --kill-every 3 --delay 0.2
"""

from __future__ import annotations

import argparse
import socket
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.lib import harness as h
from bench.lib import report
from bench.lib.harness import Bench, CpuMeter, log, quantile

UNDER_WAY = ["queued", "retrying", "sending"]
PREVIOUS = "97 unknown of 1,000 (87 of them had reached the network), lag p99 152 s"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument(
        "--delay",
        type=float,
        default=0.2,
        help="channel answer time, s (0.2: the burst lasts long enough for several kills)",
    )
    parser.add_argument("--kill-every", type=float, default=3.0)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--lead", type=float, default=6.0)
    parser.add_argument("--timeout", type=float, default=300, help="settle time limit, s")
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=h.QUIET_MAX_WAIT,
        help="the longest a run waits for the machine to be under 25 %% busy, s",
    )
    parser.add_argument("--no-doc", action="store_true")
    return parser.parse_args(argv)


class Pool:
    """The workers, one slot each; a killed one is started again at once."""

    def __init__(self, bench: Bench, args):
        self.bench, self.args, self.started = bench, args, 0
        self.slots = [self._start() for _ in range(args.workers)]
        h.wait_for_workers(self.slots)

    def _start(self) -> h.Worker:
        self.started += 1
        name = f"kills{self.started}@{socket.gethostname()}"
        args = [
            str(h.BIN / "celery"), "-A", "config", "worker", "--pool", "threads",
            "--concurrency", str(self.args.concurrency), "--loglevel", "WARNING",
            "--without-mingle", "--without-gossip", "--without-heartbeat", "-n", name,
            "--include", "bench.lib.baseline",
        ]  # fmt: skip
        return h.Worker(self.bench.start(f"worker{self.started}", args), name)

    def kill_one(self, turn: int) -> None:
        slot = turn % len(self.slots)
        self.slots[slot].child.kill()
        self.slots[slot] = self._start()


def run_real(
    bench, pool, loop, fx, args, count: int, kill_every: float | None, kill_window: float = 0
) -> dict:
    from bench.lib import data
    from editorial.models import Post, Publication

    ids = data.approved_posts(fx, count)
    quiet = h.wait_for_quiet()
    loop.reset()
    due_wall = time.time() + args.lead
    data.set_due(ids, datetime.fromtimestamp(due_wall, UTC))
    meter = CpuMeter(bench)
    h.sleep_until(due_wall)
    meter.start()
    publications = Publication.objects.filter(post_id__in=ids)

    def under_way() -> bool:
        return (
            Post.objects.filter(pk__in=ids, state="approved").exists()
            or publications.filter(state__in=UNDER_WAY).exists()
        )

    kills, next_kill = 0, due_wall + (kill_every or 0)
    deadline = time.monotonic() + args.timeout
    while under_way():
        if time.monotonic() > deadline:
            raise h.BenchTimeout(f"not settled after {args.timeout} s")
        # Kills during the burst: as long as the same burst lasts without them.
        if kill_every and time.time() >= next_kill and time.time() < due_wall + kill_window:
            pool.kill_one(kills)
            kills += 1
            next_kill += kill_every
        time.sleep(0.05)
    settled = time.time() - due_wall
    cpu = meter.stop()
    time.sleep(2)  # a late duplicate would arrive now
    received = loop.dump()
    keys = {
        str(key): (post_id, state)
        for post_id, key, state in publications.values_list("post_id", "idempotency_key", "state")
    }
    counts = Counter(key for key, _ in received)
    first: dict[str, float] = {}
    for key, at in received:
        first[key] = min(at, first.get(key, at))
    lags = [first[key] - due_wall for key in first if key in keys]
    unknown = [key for key, (_, state) in keys.items() if state == "unknown"]
    return {
        "path": "cadence, kills" if kill_every else "cadence",
        "posts": count,
        "kills": kills,
        "drain": max((at for _, at in received), default=float("nan")) - due_wall,
        "settled": settled,
        "lag_p50": quantile(lags, 0.5),
        "lag_p99": quantile(lags, 0.99),
        "lag_max": max(lags, default=float("nan")),
        "unknown": len(unknown),
        "unknown_received": sum(1 for key in unknown if key in first),
        "duplicates": sum(n - 1 for n in counts.values() if n > 1),
        "misses": sum(
            1 for key, (_, state) in keys.items() if key not in first and state != "unknown"
        )
        + count
        - len(keys),
        "published": Post.objects.filter(pk__in=ids, state="published").count(),
        "busy": cpu["busy_fraction"],
        "busy_before": quiet,
    }


def run_bare(bench, loop, fx, args, count: int) -> dict:
    from bench import burst

    floor = count * args.delay / (args.workers * args.concurrency)
    r = burst.run_baseline(bench, loop, fx, args, count, floor)
    return {
        "path": "bare baseline",
        "posts": count,
        "kills": 0,
        "drain": r["drain"],
        "settled": r["drain"],
        "lag_p50": r["lag_p50"],
        "lag_p99": r["lag_p99"],
        "lag_max": r["lag_p99"],
        "unknown": 0,
        "unknown_received": 0,
        "duplicates": r["duplicates"],
        "misses": r["misses"],
        "published": r["published"],
        "busy": r["cpu"]["busy_fraction"],
        "busy_before": r["busy_before"],
    }


def describe(r: dict) -> str:
    return (
        f"{r['path']:15s} kills {r['kills']:2d}  drain {r['drain']:6.2f} s  settled "
        f"{r['settled']:6.2f} s  lag p50 {r['lag_p50']:.2f} p99 {r['lag_p99']:.2f} max "
        f"{r['lag_max']:.2f} s  unknown {r['unknown']} ({r['unknown_received']} received)  "
        f"dup {r['duplicates']}  miss {r['misses']}  published {r['published']}/{r['posts']}  "
        f"busy {100 * r['busy']:.0f} % (before {100 * r['busy_before']:.0f} %)"
    )


HEADER = (
    "| when | commit | workers × C | run | path | kills | drain s | settled s | lag p50 s "
    "| lag p99 s | lag max s | unknown (of them received) | dup | miss | published "
    "| busy during | busy before |"
)


def row(stamp, commit, args, run, r) -> str:
    return (
        f"| {stamp} | {commit} | {args.workers} × {args.concurrency} | {run} | {r['path']} | "
        f"{r['kills']} | {r['drain']:.2f} | {r['settled']:.2f} | {r['lag_p50']:.2f} | "
        f"**{r['lag_p99']:.2f}** | {r['lag_max']:.2f} | **{r['unknown']}** "
        f"({r['unknown_received']}) | {r['duplicates']} | {r['misses']} | "
        f"{r['published']}/{r['posts']} | {100 * r['busy']:.0f} % | "
        f"{100 * r['busy_before']:.0f} % |"
    )


def write_doc(args, facts, results, command: str) -> None:
    stamp, commit = report.now_stamp(), report.git_state()
    rows = [row(stamp, commit, args, run, r) for run, r in results]
    body = f"""## 1b. Burst with a worker killed every {args.kill_every:g} s

{args.posts:,} approved posts on one webhook channel (the loopback process of the
burst, answering in {args.delay * 1000:.0f} ms so that the burst lasts long enough
for several kills), due at one instant, on {args.workers} workers
`--pool threads --concurrency {args.concurrency}` with production's timings (lease
30 s, hold `PUBLISHING_HOLD_SECONDS` 5 s, sending time-out 120 s, reaper every 30 s).
*cadence, kills*: from the due instant, every {args.kill_every:g} s for as long as the
same burst took without kills (the *cadence* row above it), one worker in turn is
SIGKILLed and started again at once (a supervisor); then the run waits until nothing
is under way.
*cadence*: the same burst, no kill. *bare baseline*: the bare task of `bench/burst.py`,
no kill. Drain = due instant → last request received; settled = due instant → nothing
queued, retrying or sending; lag = due instant → first receipt of each post received;
unknown = publications left for a person, in brackets those that had in fact reached
the channel (a generic webhook cannot be asked, `find_published`); miss = a post
neither received nor unknown. Busy = share of the machine's CPUs during the run and
in the 2 s before it (each run waits up to {args.quiet_wait:.0f} s for the machine to be
under 25 %).

Before the fix (issue 13's harness, 39 kills): {PREVIOUS}.

Command of the latest invocation: `{command}`

{report.table("kills", HEADER, rows)}
"""
    report.update("kills", body, facts)


def main(argv=None) -> int:
    args = parse_args(argv)
    report.git_state()
    wait_for_quiet = h.wait_for_quiet
    h.wait_for_quiet = lambda: wait_for_quiet(max_wait=args.quiet_wait)  # burst's too
    budget = 180 + (args.runs * 3 + 1) * (args.timeout + args.lead + args.quiet_wait + 15)
    command = "python bench/kills.py " + " ".join(sys.argv[1:] if argv is None else argv)
    results: list[tuple[int, dict]] = []
    with Bench("kills", budget_seconds=int(budget)) as bench:
        redis_url = bench.redis()
        db_url = bench.database()
        bench.configure(db_url, redis_url, DATABASE_POOL_MAX_SIZE=str(args.concurrency))
        __import__("bench.lib.baseline")
        from bench.lib import data

        loop = bench.loopback(args.delay)
        fx = data.make_fixtures(loop.url)
        facts = report.machine_facts(bench.redis_version)
        log(f"machine: {report.facts_line(facts)}")
        bench.beat()
        pool = Pool(bench, args)
        if args.warmup:
            log("warm-up " + describe(run_real(bench, pool, loop, fx, args, args.warmup, None)))
        for run in range(1, args.runs + 1):
            bare = run_bare(bench, loop, fx, args, args.posts)
            log(f"run {run} " + describe(bare))
            plain = run_real(bench, pool, loop, fx, args, args.posts, None)
            log(f"run {run} " + describe(plain))
            killed = run_real(
                bench, pool, loop, fx, args, args.posts, args.kill_every, plain["drain"]
            )
            log(f"run {run} " + describe(killed))
            results += [(run, bare), (run, plain), (run, killed)]
    if not args.no_doc:
        write_doc(args, facts, results, command.strip())
        log(f"updated {report.DOC.relative_to(h.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
