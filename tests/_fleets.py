"""Generated fleets the report tests share (``tests`` is on pytest's ``pythonpath``)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from sqops.demo import DemoOptions, generate_demo
from sqops.sop.loader import load_sop

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "skincare"

#: the tables whose rows may lack group_id (attributed through presence, spec §2)
UNGROUPED = ("orders", "coupons", "engagement")


def fleet_with_ungrouped_rows(raw: Path, out: Path, **options: int) -> Path:
    """The example SOP's demo fleet (``DemoOptions`` ``options``: groups, days, members,
    seed) generated into ``raw`` and written to ``out`` with every third row of orders,
    coupons and engagement without its group_id."""
    generate_demo(load_sop(EXAMPLE / "sop.yaml").sop, raw, DemoOptions(fmt="parquet", **options))
    for f in sorted(raw.glob("*.parquet")):
        df = pl.read_parquet(f)
        if f.stem in UNGROUPED:
            third = pl.int_range(pl.len()) % 3 == 0
            df = df.with_columns(
                pl.when(third).then(None).otherwise(pl.col("group_id")).alias("group_id")
            )
        df.write_parquet(out / f.name)
    return out
