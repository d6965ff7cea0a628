"""Benchmark ``sqops adherence``: generated data at scale (default 10M messages).

Run::

    /work/venv/bin/python benchmarks/bench_adherence.py [--messages 10000000] [--groups 1000]
        [--days 100] [--opens 4] [--keep DIR]

It writes Parquet tables (messages, posts, engagement) into a temporary folder, then times
reading them (``read_tables``) and the adherence computation separately, and prints CPU and
wall time and the peak resident memory. The SOP is the skincare example without its
``groups:`` (so every generated group follows it); posts follow its daily items with a
10-minute jitter, 10% of them dropped and 5% extra posts at random times.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from sqops.adherence import compute_adherence
from sqops.data.tables import read_tables
from sqops.sop.loader import parse_sop

ROOT = Path(__file__).resolve().parents[1]
SOP = ROOT / "examples" / "skincare" / "sop.yaml"
START = dt.datetime(2026, 10, 1)  # the example community's launch day
#: relative weight of member messages per hour of the day (evenings busiest)
HOUR_W = np.array([2, 1, .5, .3, .3, .5, 1, 3, 6, 5, 5, 5, 7, 6, 4, 4, 4, 5, 5, 6, 9, 11, 9, 4])  # fmt: skip


def sop_without_groups():
    text = SOP.read_text(encoding="utf-8")
    text = re.sub(r"\ngroups:\n(  - .*\n?)+", "\n", text)
    return parse_sop(text, "sop.yaml", base_dir=SOP.parent)


def generate(
    folder: Path, n_msgs: int, n_groups: int, days: int, opens: int, seed: int = 7
) -> dict:
    rng = np.random.default_rng(seed)
    gids = np.array([f"g{i:05d}" for i in range(n_groups)])
    base = int(START.timestamp())  # naive local times are written as text below
    # messages
    g = rng.integers(0, n_groups, n_msgs)
    d = rng.integers(0, days, n_msgs)
    h = rng.choice(24, n_msgs, p=HOUR_W / HOUR_W.sum())
    s = rng.integers(0, 3600, n_msgs)
    secs = d * 86400 + h * 3600 + s
    msgs = pl.DataFrame(
        {
            "msg_id": np.arange(n_msgs),
            "_t": secs,
            "group_id": gids[g],
            "member_id": rng.integers(0, n_groups * 200, n_msgs),
            "msg_type": np.where(rng.random(n_msgs) < 0.02, "system", "text"),
        }
    ).with_columns(
        (pl.lit(START) + pl.duration(seconds=pl.col("_t"))).dt.strftime("%Y-%m-%d %H:%M:%S").alias("ts"),
        ("u" + pl.col("member_id").cast(pl.String)).alias("member_id"),
    ).drop("_t")  # fmt: skip
    msgs.write_parquet(folder / "messages.parquet")
    # posts: the three daily items, jittered, some dropped, some extra
    slots = np.array([8 * 3600 + 1800, 15 * 3600, 20 * 3600])
    gg, dd, kk = np.meshgrid(np.arange(n_groups), np.arange(days), np.arange(3), indexing="ij")
    gg, dd, kk = gg.ravel(), dd.ravel(), kk.ravel()
    keep = rng.random(gg.size) >= 0.10
    gg, dd, kk = gg[keep], dd[keep], kk[keep]
    t = dd * 86400 + slots[kk] + rng.normal(0, 600, gg.size).astype(np.int64)
    n_extra = int(0.05 * gg.size)
    eg = rng.integers(0, n_groups, n_extra)
    et = rng.integers(0, days, n_extra) * 86400 + rng.integers(8 * 3600, 22 * 3600, n_extra)
    pg = np.concatenate([gg, eg])
    pt = np.concatenate([t, et])
    kinds = np.array(["activation", "activation", "conversion"])
    pk = np.concatenate([kinds[kk], rng.choice(["activation", "brand"], n_extra)])
    posts = pl.DataFrame(
        {"post_id": [f"p{i}" for i in range(pg.size)], "_t": pt, "group_id": gids[pg], "kind": pk}
    ).with_columns(
        (pl.lit(START) + pl.duration(seconds=pl.col("_t"))).dt.strftime("%Y-%m-%d %H:%M:%S").alias("ts")
    )  # fmt: skip
    # engagement: `opens` opens per post on average, within two days
    n_open = pg.size * opens
    pi = rng.integers(0, pg.size, n_open)
    ot = pt[pi] + rng.integers(0, 2 * 86400, n_open)
    eng = pl.DataFrame(
        {
            "_t": ot,
            "member_id": rng.integers(0, n_groups * 200, n_open),
            "event": "open",
            "post_id": posts["post_id"].to_numpy()[pi],
        }
    ).with_columns(
        (pl.lit(START) + pl.duration(seconds=pl.col("_t"))).dt.strftime("%Y-%m-%d %H:%M:%S").alias("ts"),
        ("u" + pl.col("member_id").cast(pl.String)).alias("member_id"),
    ).drop("_t")  # fmt: skip
    posts.drop("_t").write_parquet(folder / "posts.parquet")
    eng.write_parquet(folder / "engagement.parquet")
    del base
    return {"messages": n_msgs, "posts": pg.size, "engagement": n_open}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=10_000_000)
    ap.add_argument("--groups", type=int, default=1000)
    ap.add_argument("--days", type=int, default=100)
    ap.add_argument("--opens", type=int, default=4)
    ap.add_argument("--keep", type=Path, default=None, help="write the tables here (kept)")
    ap.add_argument("--reuse", action="store_true", help="use the tables already in --keep")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = a.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        if not (a.reuse and a.keep and (folder / "messages.parquet").exists()):
            t0 = time.perf_counter()
            sizes = generate(folder, a.messages, a.groups, a.days, a.opens)
            print(f"generated {sizes} in {time.perf_counter() - t0:.1f} s")
        loaded = sop_without_groups()
        w0, c0 = time.perf_counter(), time.process_time()
        tables = read_tables(folder, tz=loaded.sop.community.timezone)
        w1, c1 = time.perf_counter(), time.process_time()
        adh = compute_adherence(loaded, tables, lang="en")
        w2, c2 = time.perf_counter(), time.process_time()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        c = adh.fleet.counts
        print(f"read_tables:       wall {w1 - w0:6.1f} s  cpu {c1 - c0:6.1f} s")
        print(f"compute_adherence: wall {w2 - w1:6.1f} s  cpu {c2 - c1:6.1f} s")
        print(f"peak RSS {peak:.0f} MB; groups {len(adh.groups)}; planned {c.planned}, "
              f"on time {c.on_time}, late {c.late}, early {c.early}, missed {c.missed}, "
              f"unplanned {c.unplanned}, posts {c.posts}")  # fmt: skip


if __name__ == "__main__":
    main()
