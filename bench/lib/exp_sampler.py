"""EXPERIMENT, for the benchmarks only: a poor man's sampling profiler inside each worker
(no py-spy needed). Loaded with `bench/burst.py --experiment sampler`; every 2 ms it
records, for each thread, its innermost frame and the innermost frame of the project's
own code, and every 5 s writes the counts to $BENCH_SAMPLER_DIR/<pid>.txt (default
/tmp/cadence-sampler). Changes nothing in the core."""

from __future__ import annotations

import collections
import os
import sys
import threading
import time
from pathlib import Path

OUT = Path(os.environ.get("BENCH_SAMPLER_DIR", "/tmp/cadence-sampler"))


def _where(frame) -> tuple[str, str]:
    top = f"{Path(frame.f_code.co_filename).name}:{frame.f_code.co_name}"
    own = "-"
    f = frame
    while f is not None:
        name = f.f_code.co_filename
        if "/editorial/" in name or "/bench/" in name:
            own = f"{Path(name).name}:{f.f_code.co_name}:{f.f_lineno}"
            break
        f = f.f_back
    return top, own


def _run() -> None:
    me = threading.get_ident()
    counts: collections.Counter = collections.Counter()
    last = time.monotonic()
    OUT.mkdir(parents=True, exist_ok=True)
    while True:
        time.sleep(0.002)
        for ident, frame in sys._current_frames().items():
            if ident != me:
                counts[_where(frame)] += 1
        if time.monotonic() - last > 5:
            last = time.monotonic()
            lines = [f"{n}\t{top}\t{own}" for (top, own), n in counts.most_common(60)]
            (OUT / f"{os.getpid()}.txt").write_text("\n".join(lines) + "\n")


if "worker" in sys.argv:
    threading.Thread(target=_run, daemon=True, name="bench-sampler").start()
