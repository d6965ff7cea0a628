"""Benchmark ``sqops plan``: 1,000 groups × 30 days on the skincare example.

Run::

    /work/venv/bin/python benchmarks/bench_plan.py [--groups 1000] [--days 30] [--repeat 3]

It times, separately: expansion without scripts (what adherence uses), rendering every
script, and writing each output format; it prints the time per rendered script. The groups
are synthetic stores (ids s0001.., launch days spread over 60 days, a ``city`` variable).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from pathlib import Path

from sqops.plan import GroupInfo, expand, render_scripts
from sqops.plan import formats as F
from sqops.sop import load_sop

ROOT = Path(__file__).resolve().parents[1]
SOP = ROOT / "examples" / "skincare" / "sop.yaml"
CITIES = ("上海", "杭州", "南京", "苏州", "成都", "武汉", "广州", "深圳")


def make_groups(n: int, first: dt.date) -> list[GroupInfo]:
    return [
        GroupInfo(
            f"s{i:04d}",
            f"门店{i:04d}",
            first - dt.timedelta(days=i % 60),
            {"city": CITIES[i % len(CITIES)]},
        )
        for i in range(1, n + 1)
    ]


def timed(fn, repeat: int) -> tuple[float, object]:
    """Median CPU time of the process (the wall clock is noisy on a shared machine)."""
    runs = []
    result = None
    for _ in range(repeat):
        t0 = time.process_time()
        result = fn()
        runs.append(time.process_time() - t0)
    return statistics.median(runs), result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--groups", type=int, default=1000)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--lang", default="zh")
    ap.add_argument(
        "--formats", default="md,csv,json,ics,html", help="comma-separated; '' for none"
    )
    args = ap.parse_args()

    loaded = load_sop(SOP)
    start = dt.date(2026, 12, 1)
    groups = make_groups(args.groups, start)

    t_expand, plan = timed(
        lambda: expand(loaded, start=start, days=args.days, lang=args.lang, groups=groups),
        args.repeat,
    )
    n_occ = plan.occurrence_count

    def full():
        p = expand(loaded, start=start, days=args.days, lang=args.lang, groups=groups)
        return render_scripts(loaded, p)

    t_full, plan = timed(full, args.repeat)
    n_scripts = sum(1 for g in plan.groups for o in g.occurrences if o.script is not None)
    t_render = t_full - t_expand

    print(
        f"sqops plan benchmark: {args.groups} groups × {args.days} days ({SOP.relative_to(ROOT)}), CPU seconds"
    )
    print(f"  occurrences         {n_occ:>10,}")
    print(f"  rendered scripts    {n_scripts:>10,}")
    print(
        f"  expand (no render)  {t_expand:>10.3f} s   ({t_expand / max(n_occ, 1) * 1e6:.1f} µs per occurrence)"
    )
    print(f"  expand + render     {t_full:>10.3f} s")
    print(
        f"  render only         {t_render:>10.3f} s   ({t_render / max(n_scripts, 1) * 1e6:.1f} µs per rendered script)"
    )
    for fmt in [f for f in args.formats.split(",") if f]:
        t_fmt, data = timed(lambda fmt=fmt: F.render(plan, fmt, args.lang), 1)
        print(f"  write {fmt:<5}          {t_fmt:>10.3f} s   ({len(data) / 2**20:.1f} MiB)")


if __name__ == "__main__":
    main()
