"""Where `sqops report` spends its time: a stage timer, and a sampler of the Python stack.

Runs what ``sqops report DATA --sop DATA/sop.yaml --as-of DAY --format json`` runs, in one
process and one after another (the CLI computes the adherence section beside the report):
imports, SOP, reading and validating the tables, the report, the adherence section, the JSON
(with the member actions it counts). Per stage: wall seconds, CPU seconds (user + system, all
threads) and the peak RSS so far. With ``--sample`` a thread looks at the main thread's stack
every 5 ms and prints the seconds spent under each sqops function and line (py-spy without
py-spy: polars releases the GIL, so the stack shows which query is running).

    PYTHONPATH=src python benchmarks/report_stages.py /tmp/sqops-bench/10M-parquet
    PYTHONPATH=src python benchmarks/report_stages.py DATA --as-of 2027-01-28 --sample 40
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import gc
import inspect
import resource
import sys
import threading
import time
from pathlib import Path
from typing import Any

T0 = time.perf_counter()


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


class Sampler:
    """Counts, every ``every`` seconds, the sqops frames on the main thread's stack."""

    def __init__(self, every: float = 0.005) -> None:
        self.every = every
        self.funcs: collections.Counter[str] = collections.Counter()
        self.lines: collections.Counter[str] = collections.Counter()
        self.n = 0
        self._stop = threading.Event()
        self._main = threading.main_thread().ident
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            frame: Any = sys._current_frames().get(self._main)
            seen: set[str] = set()
            leaf = None
            while frame is not None:
                name = frame.f_code.co_filename
                if "/sqops/" in name:
                    short = name.split("/sqops/")[-1]
                    if leaf is None:
                        leaf = f"{short}:{frame.f_lineno} {frame.f_code.co_name}"
                    fn = f"{short}:{frame.f_code.co_name}"
                    if fn not in seen:
                        self.funcs[fn] += 1
                        seen.add(fn)
                frame = frame.f_back
            self.lines[leaf or "<not sqops>"] += 1
            self.n += 1

    def __enter__(self) -> Sampler:
        self._thread.start()
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.seconds = time.perf_counter() - self.t0

    def print(self, top: int) -> None:
        per = self.seconds / max(self.n, 1)
        print(f"\nsampled {self.seconds:.2f} s ({self.n} samples); seconds under each function:")
        for k, v in self.funcs.most_common(top):
            print(f"{v * per:8.2f}  {k}")
        print("\nseconds at each line (the innermost sqops frame):")
        for k, v in self.lines.most_common(top):
            print(f"{v * per:8.2f}  {k}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", type=Path)
    ap.add_argument("--sop", type=Path, default=None, help="default: DATA/sop.yaml")
    ap.add_argument("--as-of", default="2027-01-28")
    ap.add_argument("--no-adherence", action="store_true")
    ap.add_argument("--sample", type=int, default=0, metavar="TOP", help="sample; show TOP rows")
    args = ap.parse_args()
    marks: list[tuple[str, float, float, int]] = []
    last = [T0, _cpu()]

    def mark(name: str) -> None:
        now, c = time.perf_counter(), _cpu()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        marks.append((name, now - last[0], c - last[1], rss))
        last[0], last[1] = now, c

    sampler = Sampler() if args.sample else None
    if sampler:
        sampler.__enter__()
    from sqops.data.tables import read_tables
    from sqops.report import render
    from sqops.report.build import Settings, build_report
    from sqops.sop.loader import load_sop

    mark("imports")
    gc.disable()  # (as the CLI: sqops.cli.common.gc_paused)
    loaded = load_sop(args.sop or args.data / "sop.yaml")
    settings = Settings.from_loaded(loaded, None)
    mark("sop")
    tables = read_tables(args.data, {}, tz=settings.tz, columns=settings.columns)
    mark("read")
    day = dt.date.fromisoformat(args.as_of)
    # (as the CLI's one pass; the keyword only where the code measured has it: main before it)
    beside = "actions_beside" in inspect.signature(build_report).parameters
    extra = {"actions_beside": True} if beside else {}
    rep = build_report(tables, settings=settings, as_of=day, lang="en", **extra)
    mark("report")
    adh = None
    if not args.no_adherence:
        from sqops.adherence import compute_adherence

        adh = compute_adherence(loaded, tables, as_of=rep.as_of, lang="en")
        mark("adherence")
    render.to_json(rep, adh.to_dict("en", detail=False) if adh else None)
    mark("json")
    if sampler:
        sampler.__exit__()
    for name, wall, cpu, rss in marks:
        print(f"{name:10s} {wall:7.2f} s {cpu:7.2f} CPU-s  peak RSS so far {rss:,} MB")
    print(f"{'total':10s} {sum(m[1] for m in marks):7.2f} s {sum(m[2] for m in marks):7.2f} CPU-s")
    if sampler:
        sampler.print(args.sample)


if __name__ == "__main__":
    main()
