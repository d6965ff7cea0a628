"""A Parquet file written a row group at a time (the import's spill path) has the bytes
polars writes for the whole frame."""

from __future__ import annotations

import io

import polars as pl
import pytest

from sqops.importers._pqstitch import PARQUET_OPTIONS, regroup, row_group_sizes, stitched


def _whole(df: pl.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.write_parquet(buf, **PARQUET_OPTIONS)
    return buf.getvalue()


@pytest.mark.parametrize("n", [1, 5, 130_001, 400_003])
def test_stitched_equals_whole(n: int) -> None:
    i = pl.int_range(n, eager=True)
    df = pl.DataFrame(
        {
            "ts": i.cast(pl.String).str.pad_start(10, "0"),
            "group_id": (i % 3).cast(pl.String),  # a few values: dictionary pages
            "content": (i.cast(pl.String) + " 你好").scatter(range(0, n, 7), None),
            "empty": pl.repeat(None, n, dtype=pl.String, eager=True),
        }
    )
    # the rows come in slices that do not fall on the row groups' edges
    step = max(1, n // 7 + 3)
    parts = (df.slice(k, step) for k in range(0, n, step))
    got = b"".join(stitched(regroup(parts, row_group_sizes(n))))
    assert got == _whole(df)


def test_row_group_sizes_cover_the_rows() -> None:
    sizes = row_group_sizes(1_000_001)
    assert sum(sizes) == 1_000_001 and len(sizes) > 1
    assert max(sizes) - min(sizes) <= 1  # polars splits evenly
    assert row_group_sizes(0) == []
