"""The number of buckets from a measured estimate of a bucket's peak (sqops.report.budget)."""

from __future__ import annotations

import math

from sqops.data.tables import prepare_tables
from sqops.report.budget import MOST, UNEVEN, WORK_PER_ROW_BYTE, Budget, budget, row_bytes

from .conftest import frame


def _messages() -> dict:
    return {
        "messages": frame(
            "ts,group_id,member_id",
            [
                ("2026-12-02 10:00", "g1", "m1"),
                ("2026-12-02 11:00", "g1", "m2"),
                ("2026-12-03 11:00", "g2", "m1"),
            ],
        )
    }


def test_row_bytes_by_hand() -> None:
    tables = prepare_tables(_messages())
    # a validated message row: _row (Int64) 8 + ts (Datetime) 8 + group_id and member_id
    # (categorical codes) 4 + 4 + day (Date) 4 = 28 bytes, whatever the sample's size
    assert row_bytes(tables) == {"messages": 28.0}
    assert row_bytes(tables, sample=2) == {"messages": 28.0}
    # 3 rows × 28 bytes; held as given
    assert budget(tables, 500) == Budget(500, 84)


def test_budget_partitions_by_hand() -> None:
    per = WORK_PER_ROW_BYTE * UNEVEN  # (a bucket's work per byte of its rows)
    b = Budget(held=1_000, data=10_000)
    work = math.ceil(per * 10_000)
    assert b.peak(1) == 1_000 + work
    assert b.peak(4) == 1_000 + math.ceil(per * 2_500)
    # one bucket (the one pass) when its estimate is under the limit; one byte less: two
    assert b.partitions(1_000 + work) == 1
    assert b.partitions(1_000 + work - 1) == 2
    # 100 bytes of room: the work in pieces of at most 100 bytes
    assert b.partitions(1_100) == math.ceil(per * 100)
    assert all(b.peak(n) > 1_100 for n in range(1, math.ceil(per * 100)))
    # the process already holds the limit: no number of buckets keeps it
    assert b.partitions(1_000) is None and b.partitions(10) is None
    # more than MOST buckets needed: none chosen
    assert Budget(held=0, data=10**9).partitions(math.ceil(per * 10**9 / (MOST + 1))) is None
