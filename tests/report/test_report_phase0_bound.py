"""Phase 0 of a partitioned run under ``--memory-limit`` (issue #23 item 3): the attribution's
slices and the passes writing the bucket files sized from what is left of the limit
(sqops.report.split, sqops.report.budget), the same bytes as the single pass."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from sqops.data.tables import read_tables
from sqops.report import budget as budget_mod
from sqops.report import split
from sqops.report.budget import PREFETCH_ENV, one_row_group_ahead, room
from sqops.report.build import Settings, build_report
from sqops.report.partition import merge_partials, phase0_room, plan_partitions, run_partition
from sqops.report.render import to_json, to_markdown
from sqops.report.split import (
    MIN_PASS_ROWS,
    MIN_ROOM,
    SINK_PER_ROW_BYTE,
    SLICE_WORK_PER_ROW_BYTE,
    attribution_slices,
    pass_rows,
    row_ranges,
)

MiB = 1 << 20


def test_pass_rows_by_hand() -> None:
    assert SINK_PER_ROW_BYTE == 4.5 and MIN_ROOM == 67_108_864 and MIN_PASS_ROWS == 100_000
    # 400 MiB left, an engagement row of 36 bytes: a pass holds 4.5 × 36 = 162 bytes a row,
    # 419,430,400 / 162 = 2,589,076.5 → 2,589,076 rows a pass
    assert pass_rows(36.0, 400 * MiB) == 2_589_076
    # nothing left (the process holds the limit): the smallest room, 64 MiB:
    # 67,108,864 / 162 = 414,252.2 → 414,252 rows
    assert pass_rows(36.0, 0) == 414_252
    # rows of a megabyte: 67,108,864 / 4,500,000 = 14 rows, raised to the fewest, 100,000
    assert pass_rows(1_000_000.0, 0) == 100_000
    # no limit, or no measured size: one pass
    assert pass_rows(36.0, None) is None
    assert pass_rows(0.0, 400 * MiB) is None


def test_row_ranges_by_hand() -> None:
    # 10 rows 4 at a time: rows 1-4, 5-8, 9-10 (row numbers start at 1, ends included)
    assert row_ranges(10, 4) == [(1, 4), (5, 8), (9, 10)]
    assert row_ranges(8, 4) == [(1, 4), (5, 8)]
    # as many rows as a pass takes, or fewer, or no limit: one pass over every row
    assert row_ranges(4, 4) == [None]
    assert row_ranges(3, 4) == [None]
    assert row_ranges(10, None) == [None]


def test_attribution_slices_by_hand() -> None:
    # a slice holds 3.0 bytes a byte of its rows (measured on the 1 M bench with loose rows:
    # 2.8; the buckets' 0.85 had let one slice take 2.7 times the room it was given)
    assert SLICE_WORK_PER_ROW_BYTE == 3.0
    # rows without a group 100 MiB; every member's messages and events 1,000 MiB, a tenth
    # of the members have such rows: 3.0 × (100 + 0.1 × 1,000) = 600 MiB of work;
    # 64 MiB a slice → 600 / 64 = 9.4 → 10 slices; 200 MiB a slice → 3; 600 MiB → 1
    assert attribution_slices(100 * MiB, 1000 * MiB, 0.1, 64 * MiB) == 10
    assert attribution_slices(100 * MiB, 1000 * MiB, 0.1, 200 * MiB) == 3
    assert attribution_slices(100 * MiB, 1000 * MiB, 0.1, 600 * MiB) == 1
    # every member (share 1): 3.0 × 1,100 = 3,300 MiB → 3,300 / 100 = 33 slices
    assert attribution_slices(100 * MiB, 1000 * MiB, 1.0, 100 * MiB) == 33
    # less room than the smallest: the smallest (64 MiB): 3,300 / 64 = 51.6 → 52
    assert attribution_slices(100 * MiB, 1000 * MiB, 1.0, 1) == 52
    # the 1 M bench with every third loose row: 24.6 MB loose, 64.7 MB of members' rows,
    # 0.875 of them with loose rows: 3.0 × (24.6 + 56.6) = 243.7 MB; under the smallest room
    # (67.1 MB) 4 slices (0.85 had made it 69 MB: 2 slices of +110 MiB each, measured)
    assert attribution_slices(24.6e6, 64.7e6, 0.875, 0) == 4


def test_room_by_hand() -> None:
    assert room(None, 500) is None  # no --memory-limit: one pass, as before
    assert room(1_000, 400) == 600
    assert room(1_000, 1_500) == 0  # (held over the limit: the passes' smallest room)
    assert room(1_000, None) == 500  # (no /proc: half the limit)


def test_one_row_group_ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PREFETCH_ENV, raising=False)
    with one_row_group_ahead(None):
        assert PREFETCH_ENV not in os.environ
    with one_row_group_ahead(1 << 30):
        assert os.environ[PREFETCH_ENV] == "1"
    assert PREFETCH_ENV not in os.environ
    monkeypatch.setenv(PREFETCH_ENV, "3")  # (the caller's own setting is kept)
    with one_row_group_ahead(1 << 30):
        assert os.environ[PREFETCH_ENV] == "3"
    assert os.environ[PREFETCH_ENV] == "3"


def test_tiny_limit_many_passes_same_bytes(
    tmp_path: Path, fleet: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A limit of one byte (the process holds more): every table in passes of the smallest
    room, the attribution in slices from it; made small here (1 KiB, 7 rows a pass at
    least) so that this fleet takes many of each. The same bytes as the single pass."""
    settings = Settings()
    tables = read_tables(fleet, tz=settings.tz)
    single = build_report(tables, settings=settings, lang="en")
    monkeypatch.setattr(split, "MIN_ROOM", 1024)
    monkeypatch.setattr(split, "MIN_PASS_ROWS", 7)
    left, per_row = phase0_room(tables, 1)
    assert left == 0 and per_row["messages"] > 0
    messages = tables["messages"]
    per = pass_rows(per_row["messages"], left)
    assert per is not None and per < messages.rows_read  # (several passes)
    passes = len(row_ranges(messages.rows_read, per))
    seen: list[int] = []
    real = split.attribute_in_slices

    def spy(*a, **k):  # type: ignore[no-untyped-def]
        sink = k["sink"]

        def count(name, j, rows, got):  # type: ignore[no-untyped-def]
            seen.append(j)
            sink(name, j, rows, got)

        return real(*a, **{**k, "sink": count})

    monkeypatch.setattr("sqops.report.partition.attribute_in_slices", spy)
    folder = tmp_path / "bound"
    plan = plan_partitions(tables, folder, partitions=3, settings=settings, memory_limit=1)
    # the messages in passes: pass 0 in split/messages/_b=K, pass J in split/messages/pass-J
    written = sorted(p.name for p in (folder / "split" / "messages").glob("pass-*"))
    assert len(written) == passes - 1 and passes > 2
    assert (folder / "split" / "opens" / "pass-1").is_dir()
    assert max(seen) > 0  # (the attribution in several slices of members)
    parts = [pickle.loads(pickle.dumps(run_partition(plan, k))) for k in plan.nonempty]
    merged = merge_partials(plan, parts)
    assert to_json(merged) == to_json(single)
    assert to_markdown(merged) == to_markdown(single)


def test_without_limit_one_pass(tmp_path: Path, fleet: Path) -> None:
    settings = Settings()
    tables = read_tables(fleet, tz=settings.tz)
    assert phase0_room(tables, None) == (None, {})
    plan_partitions(tables, tmp_path, partitions=2, settings=settings)
    assert not list((tmp_path / "split").glob("*/pass-*"))


def test_row_bytes_asked_once(fleet: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The number of buckets and phase 0 both ask the bytes a row: measured once."""
    tables = read_tables(fleet)
    first = budget_mod.row_bytes(tables)
    monkeypatch.setattr(type(tables["messages"]), "frame", property(lambda _: 1 / 0), raising=False)
    assert budget_mod.row_bytes(tables) == first
