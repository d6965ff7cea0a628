"""Benchmark the partitioned report (issue #23 item 3) against the single pass, same run.

Run::

    python benchmarks/bench_partition.py /tmp/sqops-bench/10M-parquet --partitions 4 8 \
        --repeat 2 [--as-of 2027-01-28]

For each round it runs, alternately, ``sqops report DATA -f json`` (one pass) and the same
with ``--partitions N`` for each N, each in its own process; it reads the child's peak RSS
(``os.wait4``: ``ru_maxrss``), CPU seconds (user + sys) and wall time, and checks that every
partitioned JSON is byte-identical to the single pass's (any difference fails, exit 1). It
prints one line per run and the load average at the start and the end.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run(cmd: list[str], out: Path) -> dict[str, float | int | str]:
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    err = proc.stderr.read().decode() if proc.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"failed ({code}): {' '.join(cmd)}\n{err[-2000:]}")
    return {
        "wall_s": round(wall, 1),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),  # Linux: kilobytes
        "sha256": hashlib.sha256(out.read_bytes()).hexdigest()[:16],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data")
    ap.add_argument("--partitions", type=int, nargs="*", default=[4])
    ap.add_argument("--memory-limit", nargs="*", default=[], help="runs with --memory-limit")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--as-of", default=None)
    ap.add_argument("--extra", default="", help="more arguments for sqops report")
    args = ap.parse_args()
    print(f"load average at start: {os.getloadavg()}")
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.repeat):
            ref = None
            runs: list[int | str] = [0, *args.partitions, *args.memory_limit]
            for n in runs:
                out = Path(tmp) / f"r{r}-p{n}.json"
                cmd = [sys.executable, "-m", "sqops", "report", args.data, "-f", "json"]
                cmd += ["-o", str(out), *args.extra.split()]
                if args.as_of:
                    cmd += ["--as-of", args.as_of]
                if isinstance(n, str):
                    cmd += ["--memory-limit", n]
                elif n:
                    cmd += ["--partitions", str(n)]
                res = run(cmd, out)
                if n == 0:
                    ref = res["sha256"]
                same = res["sha256"] == ref
                ok = ok and same
                label = "single pass" if n == 0 else f"--partitions {n}"
                if isinstance(n, str):
                    label = f"--memory-limit {n}"
                print(f"round {r + 1} {label:16} {res} {'same bytes' if same else 'DIFFERENT'}")
    print(f"load average at end: {os.getloadavg()}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
