"""The DuckDB reference on a sample of groups, for data too large for the whole reference.

At 200 M messages the reference (``reference_duckdb.py``) would need several times this
machine's memory. Every KPI of a group depends only on that group's rows and on the rows
without ``group_id`` of its members (spec §2: attributed to a group the member was present
in), so the reference run on every K-th group of the SOP, with those groups' rows and the
ungrouped rows of their members, gives those groups' KPIs exactly — except where an ungrouped
row's member is also in a group outside the sample (the row may belong there): such groups
are left out of the comparison and counted.

Run::

    python benchmarks/sample_reference.py DATA --sop DATA/sop.yaml --as-of 2027-01-28 \\
        --every 100 --report sqops.json [--workdir /tmp/sqops-bench/sample]

``--report`` is the JSON of ``sqops report DATA --sop DATA/sop.yaml --as-of … --format json``
on the whole data (single pass or partitioned). Prints the sample's size, the reference's
time and peak memory, and every KPI that differs; exit 1 when one does.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import polars as pl
import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from reference_duckdb import compare  # noqa: E402

TABLES = ("messages", "members", "posts", "engagement", "orders", "coupons")


def _scan(data: Path, table: str) -> pl.LazyFrame | None:
    flat = data / f"{table}.parquet"
    if flat.is_file():
        return pl.scan_parquet(flat)
    folder = data / table
    if folder.is_dir():  # hive-style TABLE/group_id=…/*.parquet
        return pl.scan_parquet(folder / "**" / "*.parquet", hive_partitioning=True)
    return None


def make_sample(data: Path, sop: Path, every: int, out: Path) -> dict[str, Any]:
    """Write the sample (tables and SOP) to ``out``; returns its groups and what was left out."""
    raw = yaml.safe_load(sop.read_text(encoding="utf-8"))
    groups = [g["id"] for g in raw.get("groups") or []]
    if not groups:  # an SOP without groups (a fleet too large to list in one): the data's
        lf = _scan(data, "messages")
        assert lf is not None
        found = lf.select(pl.col("group_id").cast(pl.String).unique().sort()).collect()
        groups = found["group_id"].drop_nulls().to_list()
    chosen = set(groups[::every])
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    ids = pl.Series("group_id", sorted(chosen), dtype=pl.String)
    # the members of the chosen groups, and every group each of them is in
    seen: list[pl.LazyFrame] = []
    for table in ("messages", "members"):
        lf = _scan(data, table)
        if lf is not None:
            seen.append(lf.select(pl.col("group_id").cast(pl.String), "member_id"))
    pairs = pl.concat(seen).unique().collect()
    members = pairs.filter(pl.col("group_id").is_in(ids.implode()))["member_id"].unique()
    outside = (
        pairs.filter(
            pl.col("member_id").is_in(members.implode()) & ~pl.col("group_id").is_in(ids.implode())
        )["member_id"]
        .unique()
        .to_list()
    )
    rows: dict[str, int] = {}
    ungrouped_outside: set[str] = set()
    for table in TABLES:
        lf = _scan(data, table)
        if lf is None:
            continue
        lf = lf.with_columns(pl.col("group_id").cast(pl.String))
        keep = pl.col("group_id").is_in(ids.implode())
        if "member_id" in lf.collect_schema():
            loose = pl.col("group_id").is_null() & pl.col("member_id").is_in(members.implode())
            ungrouped_outside |= set(
                lf.filter(loose & pl.col("member_id").is_in(outside))
                .select("member_id")
                .collect()["member_id"]
                .to_list()
            )
            keep = keep | loose
        part = lf.filter(keep)
        part.sink_parquet(out / f"{table}.parquet")
        rows[table] = pl.scan_parquet(out / f"{table}.parquet").select(pl.len()).collect().item()
    staff = data / "staff.parquet"
    if staff.is_file():
        shutil.copy(staff, out / "staff.parquet")
    # groups whose member has an ungrouped row and is also in a group outside the sample
    doubtful = set(
        pairs.filter(
            pl.col("member_id").is_in(sorted(ungrouped_outside))
            & pl.col("group_id").is_in(ids.implode())
        )["group_id"].to_list()
    )
    if raw.get("groups"):
        raw["groups"] = [g for g in raw["groups"] if g["id"] in chosen]
    (out / "sop.yaml").write_text(
        yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    if (sop.parent / "scripts").is_dir():
        shutil.copytree(sop.parent / "scripts", out / "scripts", dirs_exist_ok=True)
    return {"groups": sorted(chosen), "doubtful": sorted(doubtful), "rows": rows}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data", type=Path)
    ap.add_argument("--sop", type=Path, required=True)
    ap.add_argument("--as-of", required=True)
    ap.add_argument("--every", type=int, default=100)
    ap.add_argument("--report", type=Path, required=True)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/sqops-bench/sample"))
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    sample = make_sample(args.data, args.sop, args.every, args.workdir)
    print(
        f"sample: {len(sample['groups'])} groups (every {args.every}th), rows {sample['rows']}, "
        f"made in {time.perf_counter() - t0:.1f} s; groups left out (an ungrouped row of a "
        f"member also outside the sample): {len(sample['doubtful'])}"
    )
    ref_path = args.workdir / "reference.json"
    cmd = [sys.executable, str(HERE / "reference_duckdb.py"), str(args.workdir),
           "--sop", str(args.workdir / "sop.yaml"), "--as-of", args.as_of, "-o", str(ref_path)]  # fmt: skip
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    if status != 0:
        print("the reference failed", file=sys.stderr)
        return 2
    print(f"reference on the sample: {seconds:.1f} s, peak RSS {usage.ru_maxrss / 1024:.0f} MB")
    reference = json.loads(ref_path.read_text(encoding="utf-8"))
    report = json.loads(args.report.read_text(encoding="utf-8"))
    keep = set(sample["groups"]) - set(sample["doubtful"])
    reference["groups"] = [g for g in reference["groups"] if g["group_id"] in keep]
    report["groups"] = [g for g in report.get("groups", []) if g["group_id"] in keep]
    diffs = compare(report, reference)
    kpis = sum(
        len(s["kpis"])
        for g in reference["groups"]
        for s in g["stages"]
        if s["status"] != "not_started"
    )
    print(f"compared {len(keep)} groups, {kpis} KPIs: {len(diffs)} differ")
    for line in diffs[:50]:
        print("  " + line)
    return 1 if diffs else 0


if __name__ == "__main__":
    raise SystemExit(main())
