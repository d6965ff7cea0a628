"""Tables partitioned by group: a folder per table, ``TABLE/group_id=VALUE/*.parquet``.

The hive layout of Spark, DuckDB, Arrow and polars: the group is in the path (``%``-encoded;
rows without a group under ``group_id=__HIVE_DEFAULT_PARTITION__``), and each file holds the
rows of one group. :func:`write_partitioned` turns a written ``TABLE.parquet`` into that
folder (``sqops import``/``sqops demo --partition-by group_id``); :func:`scan_partitioned`
reads one back as a table (``read_tables`` finds such folders in a data folder), its files in
the order of their paths, so its row numbers are those of the files one after another.
"""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import uuid
from pathlib import Path

import polars as pl

from sqops.data.runtime import total_memory
from sqops.errors import Location, UsageError
from sqops.i18n import T

#: the only key sqops partitions by (what a partitioned report splits the work by)
KEYS = ("group_id",)
#: rows per Parquet row group written: a reader decodes a whole row group at once, so a file
#: written as one 1 M-row group costs ~1 GB to read at 10 M messages (benchmarks/README.md)
ROW_GROUP = 100_000


def partition_files(folder: Path) -> list[Path]:
    """The Parquet files of a partitioned table folder, in path order ([]: not one)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("group_id=*/*.parquet") if p.is_file())


def scan_partitioned(folder: Path) -> pl.LazyFrame:
    """A partitioned table folder as one lazy table (``group_id`` from the paths, as text)."""
    files = partition_files(folder)
    return pl.scan_parquet(
        [str(p) for p in files],
        hive_partitioning=True,
        hive_schema={"group_id": pl.String},
    )


def check_key(key: str | None) -> str | None:
    """``--partition-by``: ``group_id`` (or None); anything else is a usage error."""
    if key is not None and key not in KEYS:
        raise UsageError(
            T(
                "--partition-by 只支持 group_id：{k}",
                "--partition-by takes group_id only: {k}",
            ).format(k=key)
        )
    return key


def write_partitioned(
    file: Path, key: str = "group_id", *, memory_limit: int | None = None
) -> Path:
    """Replace ``DIR/TABLE.parquet`` by ``DIR/TABLE/group_id=…/*.parquet`` (streaming
    passes; the folder appears whole: written beside it under a temporary name, then renamed).
    A table without the key column stays one file. Returns what is there at the end.

    polars' partitioned sink holds every partition's rows until its end, so a table with
    thousands of small groups is held whole (50 M messages: 5.9 GB). It is therefore written
    in :func:`slices` passes, each taking the groups of one hash slice, so that a pass holds
    about a half of ``memory_limit`` (bytes; None: half the machine's RAM). Each group is in
    one slice and keeps its row order, so the files are the same bytes however many passes."""
    check_key(key)
    scan = pl.scan_parquet(file)
    if key not in scan.collect_schema().names():
        return file
    target = file.with_suffix("")
    tmp = file.parent / f".{target.name}.{uuid.uuid4().hex[:8]}.tmp"
    old = file.parent / f".{target.name}.{uuid.uuid4().hex[:8]}.old"
    try:
        k = slices(scan, memory_limit)
        for i in range(k):
            part = scan if k == 1 else scan.filter(pl.col(key).hash(0) % k == i)
            part.sink_parquet(
                pl.PartitionBy(tmp, key=key),
                mkdir=True,
                compression="zstd",
                statistics=False,
                row_group_size=ROW_GROUP,
            )
        if target.exists():
            os.replace(target, old)
        os.replace(tmp, target)
        file.unlink()
    except OSError as exc:
        raise UsageError(
            T("无法写入 {p}：{e}", "cannot write {p}: {e}").format(p=target, e=exc.strerror),
            Location(file=str(target)),
        ) from exc
    finally:
        for p in (tmp, old):
            with contextlib.suppress(OSError):
                shutil.rmtree(p)
    return target


#: rows read to estimate a table's size in memory (:func:`slices`)
SAMPLE_ROWS = 100_000


def slices(scan: pl.LazyFrame, memory_limit: int | None = None) -> int:
    """How many hash slices of the groups :func:`write_partitioned` writes one after another:
    a pass holds about twice its rows' size in memory (measured: 10 M messages, 0.8 GB in
    memory, one pass peaked at 1.65 GB), and should keep to half of ``memory_limit``."""
    rows = int(scan.select(pl.len()).collect().item())
    if not rows:
        return 1
    head = scan.head(SAMPLE_ROWS).collect()
    size = head.estimated_size() / max(1, head.height) * rows
    limit = memory_limit if memory_limit is not None else total_memory() // 2
    return max(1, math.ceil(2 * size / max(1, limit // 2)))


__all__ = [
    "KEYS",
    "check_key",
    "partition_files",
    "scan_partitioned",
    "slices",
    "write_partitioned",
]
