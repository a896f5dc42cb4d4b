"""Benchmark 3, sweep cost: the due query on 10,000 and on 1,000,000 posts.

The sweep runs every second, so its query must cost the same whatever the history:
`editorial.publishing.scheduler.due_posts(now)`, ids only, with the LIMIT the sweep
uses, must be served by the partial index post_due_sweep_idx (approved, not held) and
read only the handful of due rows, not the table. Rows are made in SQL (INSERT …
SELECT generate_series): almost all published in the past three years, 0.5 % approved
for the coming month, 0.5 % drafts, and 10 approved posts due in the last minutes.
After each fill, VACUUM ANALYZE (what autovacuum would leave). Reports EXPLAIN
(ANALYZE, BUFFERS) and the median of 50 timed runs of the query through the ORM, for
both sizes, and their ratio (target <= 1.5). The same for the sweep's locking form of
the query (FOR UPDATE SKIP LOCKED, inside a transaction rolled back).

    .venv/bin/python bench/sweep_cost.py            # what `make bench` runs
    .venv/bin/python bench/sweep_cost.py --runs 3 --repeat 100
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.lib import report
from bench.lib.harness import Bench, log, quantile, wait_for_quiet

TARGET_RATIO = 1.5
DUE = 10
INDEX = "post_due_sweep_idx"

# Values for the NOT NULL columns of editorial_post that have no default, as SQL over the
# series number g. A required column not listed here stops the benchmark with its name.
COLUMNS = {
    "title": "'Archived post ' || g",
    "body": "'Archived post number ' || g || ', published long ago.'",
    "category": "'cold_news'",
    "origin_department_id": "%(department)s",
    "author_id": "%(user)s",
    "last_editor_id": "%(user)s",
    "state": (
        "CASE WHEN g %% 200 = 0 THEN 'approved' WHEN g %% 200 = 1 THEN 'draft' ELSE 'published' END"
    ),
    "scheduled_at": (
        "CASE WHEN g %% 200 IN (0, 1) THEN now() + (60 + g %% 43200) * interval '1 minute' "
        "ELSE now() - g * interval '90 seconds' END"
    ),
    "urgent": "false",
    "sensitive": "false",
    "sensitive_reason": "''",
    "sensitivity_lifted_hash": "''",
    "content_hash": "''",
    "held_reason": "''",
    "created_at": "now() - g * interval '90 seconds'",
    "updated_at": "now() - g * interval '90 seconds'",
}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,1000000", help="table sizes, small first")
    parser.add_argument("--runs", type=int, default=2, help="fills from scratch")
    parser.add_argument("--repeat", type=int, default=200, help="timed queries per size")
    parser.add_argument("--no-doc", action="store_true")
    return parser.parse_args(argv)


def required_columns(cursor) -> list[str]:
    cursor.execute(
        """SELECT column_name FROM information_schema.columns
           WHERE table_name = 'editorial_post' AND is_nullable = 'NO'
             AND column_default IS NULL AND column_name <> 'id'"""
    )
    return [row[0] for row in cursor.fetchall()]


def fill(cursor, start: int, stop: int, department: int, user: int) -> None:
    """Rows numbered start..stop-1 (the series drives every value)."""
    missing = [c for c in required_columns(cursor) if c not in COLUMNS]
    if missing:
        raise RuntimeError(f"editorial_post has new required columns: {missing}")
    names = ", ".join(COLUMNS)
    values = ", ".join(COLUMNS.values()) % {"department": department, "user": user}
    cursor.execute(
        f"INSERT INTO editorial_post ({names}) SELECT {values} "
        f"FROM generate_series({start}, {stop - 1}) AS g"
    )


def add_due(cursor, department: int, user: int) -> None:
    """The handful of approved posts due now (1 to 10 minutes ago: within the grace)."""
    columns = dict(COLUMNS, state="'approved'", scheduled_at="now() - g * interval '1 minute'")
    values = ", ".join(columns.values()) % {"department": department, "user": user}
    cursor.execute(
        f"INSERT INTO editorial_post ({', '.join(COLUMNS)}) SELECT {values} "
        f"FROM generate_series(1, {DUE}) AS g"
    )


def measure(repeat: int, limit: int) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from editorial.publishing.scheduler import due_posts

    def ids():
        return list(due_posts(timezone.now()).values_list("pk", flat=True)[:limit])

    def locking():
        with transaction.atomic():
            qs = due_posts(timezone.now())
            qs = qs.select_for_update(skip_locked=True, of=("self",))[:limit]
            rows = list(qs)
            transaction.set_rollback(True)
        return rows

    out = {}
    for name, fn in (("ids", ids), ("locking", locking)):
        found = fn()
        for _ in range(5):
            fn()
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            fn()
            times.append((time.perf_counter() - started) * 1000)
        out[name] = {
            "found": len(found),
            "median_ms": statistics.median(times),
            "p90_ms": quantile(times, 0.9),
        }
    qs = due_posts(timezone.now()).values_list("pk", flat=True)[:limit]
    plan = qs.explain(analyze=True, buffers=True)
    out["plan"] = plan
    executions = []
    for _ in range(20):
        text = due_posts(timezone.now()).values_list("pk", flat=True)[:limit].explain(analyze=True)
        line = next(x for x in text.splitlines() if x.startswith("Execution Time"))
        executions.append(float(line.split(":")[1].split()[0]))
    out["server_ms"] = statistics.median(executions)
    out["uses_index"] = INDEX in plan and "Seq Scan" not in plan
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM editorial_post")
        out["rows"] = cursor.fetchone()[0]
        cursor.execute("SELECT pg_relation_size(%s), pg_relation_size('editorial_post')", [INDEX])
        out["index_bytes"], out["table_bytes"] = cursor.fetchone()
    return out


def one_run(sizes: list[int], repeat: int, run: int, department, user) -> list[dict]:
    from django.conf import settings
    from django.db import connection

    from editorial.publishing import scheduler

    limit = getattr(scheduler, "CLAIM_BATCH", settings.PUBLISHING_SWEEP_BATCH)
    results = []
    made = 0
    with connection.cursor() as cursor:
        add_due(cursor, department.pk, user.pk)
        made = DUE
        for size in sizes:
            started = time.monotonic()
            fill(cursor, made + 1, size + 1, department.pk, user.pk)
            made = size
            cursor.execute("CHECKPOINT")  # the fill's writes, not the query, pay for it
            busy = wait_for_quiet()
            cursor.execute("VACUUM ANALYZE editorial_post")
            log(f"run {run}: {size:,} rows made in {time.monotonic() - started:.1f} s")
            result = measure(repeat, limit)
            result["busy_before"] = busy
            result["size"] = size
            result["limit"] = limit
            log(
                f"run {run}: {result['rows']:,} rows: due ids median "
                f"{result['ids']['median_ms']:.3f} ms (p90 {result['ids']['p90_ms']:.3f}; server "
                f"{result['server_ms']:.3f}), "
                f"locking form {result['locking']['median_ms']:.3f} ms; found "
                f"{result['ids']['found']}; index {result['index_bytes'] / 1024:.0f} KiB; "
                f"partial index used: {result['uses_index']}\n{result['plan']}"
            )
            results.append(result)
    # The next run starts from an empty table.
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE editorial_post CASCADE")
    return results


HEADER = (
    "| when | commit | run | rows | due found | index size | due ids: median ms | p90 ms "
    "| server execution ms | locking form: median ms | partial index used |"
)


def write_doc(args, facts, runs: list[list[dict]], command: str) -> None:
    stamp, commit = report.now_stamp(), report.git_state()
    rows, verdicts = [], []
    for number, results in enumerate(runs, 1):
        for r in results:
            rows.append(
                f"| {stamp} | {commit} | {number} | {r['rows']:,} | {r['ids']['found']} | "
                f"{r['index_bytes'] / 1024:.0f} KiB | {r['ids']['median_ms']:.3f} | "
                f"{r['ids']['p90_ms']:.3f} | {r['server_ms']:.3f} | "
                f"{r['locking']['median_ms']:.3f} | "
                f"{'yes' if r['uses_index'] else '**no**'} |"
            )
        small, large = results[0], results[-1]
        ratio = large["ids"]["median_ms"] / small["ids"]["median_ms"]
        lock_ratio = large["locking"]["median_ms"] / small["locking"]["median_ms"]
        server_ratio = large["server_ms"] / small["server_ms"]
        ok = ratio <= TARGET_RATIO and all(r["uses_index"] for r in results)
        verdicts.append(
            f"- run {number}: {large['rows']:,} / {small['rows']:,} rows: due-ids median "
            f"ratio **{ratio:.2f}** (target ≤ {TARGET_RATIO}), locking form {lock_ratio:.2f}, "
            f"server execution {server_ratio:.2f}; "
            f"partial index used at both sizes: {all(r['uses_index'] for r in results)}: "
            f"**{'met' if ok else 'missed'}**."
        )
    plans = "\n\n".join(
        f"{r['rows']:,} rows (run {len(runs)}):\n\n```\n{r['plan']}\n```" for r in runs[-1]
    )
    limit = runs[-1][0]["limit"]
    body = f"""## 3. Sweep cost: the due query on 10,000 and 1,000,000 posts

`due_posts(now).values_list("pk", flat=True)[:{limit}]` (the sweep's LIMIT: its claim
batch), through the ORM, median of {args.repeat} runs after 5 warm-up runs, once the
machine is under 25 % busy (the timed query is ~1 ms, mostly the ORM and the round trip,
so another process on the 2 CPUs moves it more than the table size does); and the form
the sweep runs (`select_for_update(skip_locked=True, of=("self",))`, full rows, in a
transaction rolled back). *server execution*: median "Execution Time" of 20 EXPLAIN
ANALYZE of the due-ids query (PostgreSQL's own time, without the ORM and the round
trip, which dominate the timed runs at both sizes). Rows made with `INSERT … SELECT
generate_series`: almost all published over the past three years, 0.5 % approved for the
coming month, 0.5 % drafts, and {DUE} approved posts due in the last minutes; then
`VACUUM ANALYZE`. Each run fills a new table to the first size, measures, fills on to
the second, measures.

Command of the latest invocation: `{command}`

Target: the time at 1,000,000 rows ≤ {TARGET_RATIO} × the time at 10,000, with the
partial index `{INDEX}`.

{report.table("sweep", HEADER, rows)}

Latest invocation ({stamp}):
{chr(10).join(verdicts)}

Plans (EXPLAIN (ANALYZE, BUFFERS)) of the last run:

{plans}
"""
    report.update("sweep", body, facts)


def main(argv=None) -> int:
    args = parse_args(argv)
    report.git_state()  # the commit measured: read before anything runs
    sizes = [int(s) for s in args.sizes.split(",")]
    command = "python bench/sweep_cost.py " + " ".join(sys.argv[1:] if argv is None else argv)
    runs = []
    with Bench("sweep", budget_seconds=300 + 300 * args.runs) as bench:
        db_url = bench.database()
        bench.configure(db_url, "")
        facts = report.machine_facts()
        from accounts.models import User
        from accounts.scope import create_department

        department = create_department("Sweep bench", "sweep-bench", is_national=True)
        user = User.objects.create(username="sweep-bench")
        for run in range(1, args.runs + 1):
            runs.append(one_run(sizes, args.repeat, run, department, user))
    if not args.no_doc:
        write_doc(args, facts, runs, command.strip())
        log(f"updated {report.DOC.relative_to(report.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
