"""How many buckets a partitioned report needs to keep ``--memory-limit`` (issue #23 item 3;
docs/report.md, "Partitioned runs").

A bucket's run holds what the process already holds once the tables are read (the id
dictionaries, what the reading left: *measured*, the resident set at that moment) plus its
own work, which grows with the rows of its groups. The work is estimated from the tables
themselves: the bytes a row of each table takes in memory (a sample of its first rows, as
the validated copy types them), times the table's rows, divided among the buckets, times
:data:`WORK_PER_ROW_BYTE` (what a bucket's ``prepare`` and report hold at their peak for a
byte of its rows) and :data:`UNEVEN` (the largest bucket against the average: CRC-32 does
not give every bucket as many rows). The fewest buckets whose estimate is under the limit.

(Data folders partitioned by group are sized from each group's files instead:
:func:`sqops.report.partition.partitions_by_size`.)
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from sqops.data.tables import Tables

#: rows of each table read to measure the bytes of a row in memory
ROW_SAMPLE = 100_000
#: a bucket's peak over what the process held before it, per byte of its rows in memory
#: (measured on flat bench files, with :data:`UNEVEN` the average bucket's share: 50 M
#: messages 0.58–0.85 in 7 and 12 buckets, 200 M 0.66–0.92 in 10; benchmarks/README.md
#: "200 M under the limit, session 12"): 0.85 × 1.15 covers the largest seen
WORK_PER_ROW_BYTE = 0.85
#: the largest bucket's rows against the average bucket's
UNEVEN = 1.15
#: the most buckets tried (more only add passes: each bucket scans its files)
MOST = 256


@dataclass(frozen=True)
class Budget:
    """What the number of buckets is chosen from: the bytes held before any bucket runs
    and every table's rows × bytes per row in memory (their sum: ``data``)."""

    held: int
    data: int

    def peak(self, parts: int) -> int:
        """The estimated peak of a bucket when the data is split in ``parts``."""
        return self.held + math.ceil(WORK_PER_ROW_BYTE * UNEVEN * self.data / max(parts, 1))

    def partitions(self, limit: int) -> int | None:
        """The fewest buckets (1: one pass) whose estimated peak is under ``limit``; None
        when the process already holds the limit or more (no number of buckets keeps it)
        or :data:`MOST` buckets do not."""
        if self.held >= limit:
            return None
        work = WORK_PER_ROW_BYTE * UNEVEN * self.data
        parts = max(1, math.ceil(work / (limit - self.held)))
        while self.peak(parts) > limit:  # (the rounding of ``peak``)
            parts += 1
        return parts if parts <= MOST else None


def row_bytes(tables: Tables, sample: int = ROW_SAMPLE) -> dict[str, float]:
    """Per table, the bytes a row takes in memory as validated (its first ``sample`` rows:
    ``estimated_size`` over their number; a categorical id counts its 4-byte code)."""
    key = ("row_bytes", sample)
    if key in tables.memo:  # (asked by the number of buckets and again by phase 0)
        return dict(tables.memo[key])
    out: dict[str, float] = {}
    for name, td in tables.tables.items():
        rows = td.frame.head(sample).collect()
        out[name] = rows.estimated_size() / rows.height if rows.height else 0.0
    tables.memo[key] = dict(out)
    return out


def data_bytes(rows: Mapping[str, int], per_row: Mapping[str, float]) -> int:
    """Every table's rows × its bytes per row, summed."""
    return math.ceil(sum(n * per_row.get(name, 0.0) for name, n in rows.items()))


def budget(tables: Tables, held: int) -> Budget:
    """The :class:`Budget` of ``tables`` in a process that holds ``held`` bytes."""
    rows = {name: td.rows_read for name, td in tables.tables.items()}
    return Budget(held, data_bytes(rows, row_bytes(tables)))


def room(limit: int | None, held: int | None) -> int | None:
    """The bytes a step of phase 0 may add to what the process holds (``held``, measured)
    under ``limit``: None without a limit (one pass, as without ``--memory-limit``); without
    a measure, half the limit; never negative (a held set over the limit leaves the
    smallest passes, :data:`sqops.report.split.MIN_ROOM`)."""
    if limit is None:
        return None
    if held is None:
        return limit // 2
    return max(limit - held, 0)


#: polars' streaming Parquet reader decodes several row groups ahead (its default: a few per
#: thread); a flat file's row groups are as large as its writer made them (the bench's:
#: 1,000,000 rows), and reading and validating them held up to ~1.7 GB at 50 M messages,
#: against ~0.7 GB one row group at a time (benchmarks/README.md, "bounded memory at 50 M,
#: session 14"). Under ``--memory-limit``: one (CPU the same, wall longer).
PREFETCH_ENV = "POLARS_ROW_GROUP_PREFETCH_SIZE"


@contextmanager
def one_row_group_ahead(limit: int | None) -> Iterator[None]:
    """Within the block, polars reads one Parquet row group ahead when ``limit`` is given
    (the variable :data:`PREFETCH_ENV`, read by every scan; left as it is when the caller
    set it), as before after the block."""
    if limit is None or PREFETCH_ENV in os.environ:
        yield
        return
    os.environ[PREFETCH_ENV] = "1"
    try:
        yield
    finally:
        os.environ.pop(PREFETCH_ENV, None)


__all__ = [
    "Budget",
    "budget",
    "data_bytes",
    "one_row_group_ahead",
    "room",
    "row_bytes",
]
