"""A Parquet table valid as it is is read without the typed copy (``sqops.data.tables``,
``_validate_direct``): the same rows, columns, types, rejected rows and duplicates as the copy
a CSV of the same cells gives; a cell the copy would change (spaces, upper case) takes the copy.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

import sqops.data.tables as tables_mod
from sqops.data.tables import read_tables

MESSAGES = pl.DataFrame(
    {
        "ts": [dt.datetime(2026, 12, 1, 9), dt.datetime(2026, 12, 1, 10)],
        "group_id": ["g1", "g1"],
        "member_id": ["a", "b"],
    }
)

# engagement, 6 rows: row 3's event is unknown ("share"), row 5 has no member, row 6 no time;
# rows 1, 2 and 4 are valid (two opens of p1, a click of p2)
ENGAGEMENT = {
    "ts": [
        dt.datetime(2026, 12, 1, 9, 30),
        dt.datetime(2026, 12, 1, 9, 40),
        dt.datetime(2026, 12, 1, 9, 50),
        dt.datetime(2026, 12, 2, 23, 30),  # 15:30 UTC, local day 2026-12-02
        dt.datetime(2026, 12, 1, 10),
        None,
    ],
    "member_id": ["a", "b", "a", "b", None, "a"],
    "event": ["open", "open", "share", "click", "open", "open"],
    "post_id": ["p1", "p1", "p1", "p2", "p1", "p1"],
    "group_id": ["g1", "g1", "g1", "g1", "g1", "g1"],
}


def _write(folder: Path, engagement: dict[str, list[object]], csv: bool = False) -> Path:
    folder.mkdir()
    eng = pl.DataFrame(engagement)
    if csv:  # the same cells as text: read with the typed copy
        MESSAGES.write_csv(folder / "messages.csv", datetime_format="%Y-%m-%d %H:%M:%S")
        eng.write_csv(folder / "engagement.csv", datetime_format="%Y-%m-%d %H:%M:%S")
    else:
        MESSAGES.write_parquet(folder / "messages.parquet")
        eng.write_parquet(folder / "engagement.parquet")
    return folder


def _same_as_the_copy(tmp_path: Path, engagement: dict[str, list[object]]):
    pq = read_tables(_write(tmp_path / "pq", engagement))["engagement"]
    cp = read_tables(_write(tmp_path / "csv", engagement, csv=True))["engagement"]
    assert_frame_equal(pq.frame.collect(), cp.frame.collect())
    assert pq.columns == cp.columns
    assert (pq.rows_read, pq.valid_rows, pq.reject_counts, pq.first_rejected_rows()) == (
        cp.rows_read,
        cp.valid_rows,
        cp.reject_counts,
        cp.first_rejected_rows(),
    )
    assert pq.event_types == cp.event_types
    return pq


def test_a_valid_parquet_table_is_read_directly_with_its_rejected_rows(tmp_path: Path) -> None:
    eng = _same_as_the_copy(tmp_path, ENGAGEMENT)
    assert type(eng._narrow).__name__ == "_View"  # (no copy)
    # 6 read; rejected: row 3 bad_event, row 5 empty_id, row 6 bad_time; 3 valid
    assert (eng.rows_read, eng.valid_rows) == (6, 3)
    assert eng.reject_counts == {"bad_event": 1, "bad_time": 1, "empty_id": 1}
    got = eng.frame.collect()
    assert got["_row"].to_list() == [1, 2, 4]
    assert got.schema["member_id"] == pl.Categorical and got.schema["post_id"] == pl.Categorical
    # Asia/Shanghai is UTC+8: 2026-12-02 23:30 local is 15:30 UTC, on the local day 12-02
    assert got["ts"][2] == dt.datetime(2026, 12, 2, 15, 30, tzinfo=dt.UTC)
    assert got["day"][2] == dt.date(2026, 12, 2)
    assert eng.event_types == frozenset({"open", "click"})  # ("share" was rejected)
    # the rejected rows as the copy lists them (rows 3, 5, 6 with their cells)
    assert eng.rejected.sort("_row")["_row"].to_list() == [3, 5, 6]
    # where_in reads the file's own cells: the valid rows of p2 (row 4 only)
    assert eng.where_in("post_id", ["p2"]).collect()["_row"].to_list() == [4]


@pytest.mark.parametrize(
    ("column", "cell"),
    [("member_id", " b"), ("event", "OPEN"), ("member_id", ""), ("event", " open")],
)
def test_a_cell_the_copy_changes_takes_the_copy(tmp_path: Path, column: str, cell: str) -> None:
    changed = {k: list(v) for k, v in ENGAGEMENT.items()}
    changed[column][1] = cell  # row 2: " b" is b, "OPEN" and " open" are open, "" no member
    eng = _same_as_the_copy(tmp_path, changed)
    assert type(eng._narrow).__name__ == "_Narrow"  # (the copy)
    expected_valid = 2 if cell == "" else 3  # (an empty member id is rejected)
    assert eng.valid_rows == expected_valid


def test_duplicate_ids_read_directly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # coupons c1 (rows 1 and 3) and c2: row 3 repeats c1, so 2 of the 3 rows count
    monkeypatch.setattr(tables_mod, "DIRECT", frozenset({"coupons"}))
    folder = tmp_path / "d"
    folder.mkdir()
    MESSAGES.write_parquet(folder / "messages.parquet")
    pl.DataFrame(
        {
            "coupon_id": ["c1", "c2", "c1"],
            "member_id": ["a", "b", "b"],
            "ts": [dt.datetime(2026, 12, 1, h) for h in (9, 10, 11)],
        }
    ).write_parquet(folder / "coupons.parquet")
    c = read_tables(folder)["coupons"]
    assert type(c._narrow).__name__ == "_View"
    assert (c.rows_read, c.duplicates, c.duplicate_rows, c.valid_rows) == (3, 1, [3], 2)
    assert c.frame.collect()["_row"].to_list() == [1, 2]


def test_the_latest_day_is_known_without_a_scan(tmp_path: Path) -> None:
    # valid rows' local days: 12-01, 12-01, 12-02 (row 4); the rejected row 3 (12-01) and
    # row 5 (12-01) do not move it, row 6 has no time
    eng = read_tables(_write(tmp_path / "pq", ENGAGEMENT))["engagement"]
    assert eng.last_day == dt.date(2026, 12, 2)
    cp = read_tables(_write(tmp_path / "csv", ENGAGEMENT, csv=True))["engagement"]
    assert cp.last_day is None  # (the copy: prepare counts the rows after as-of itself)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    events=st.lists(
        st.sampled_from(
            ["open", "click", "participate", " open", "OPEN", "Click ", "", "  ", "share"]
        ),
        min_size=1,
        max_size=8,
    )
)
def test_any_event_cells_read_directly_as_the_copy_reads_them(
    tmp_path_factory: pytest.TempPathFactory, events: list[str]
) -> None:
    # the checking pass does not strip the events: a cell that is not a known event as it is
    # counts with the rows to reject, which are then checked against the copy's own reasons
    events = ["open", *events]  # (one valid row at least)
    n = len(events)
    eng = {
        "ts": [dt.datetime(2026, 12, 1, 9, i) for i in range(n)],
        "member_id": ["a"] * n,
        "event": events,
        "post_id": ["p1"] * n,
        "group_id": ["g1"] * n,
    }
    base = tmp_path_factory.mktemp("ev")
    pq = read_tables(_write(base / "pq", eng))["engagement"]
    cp = read_tables(_write(base / "csv", eng, csv=True))["engagement"]
    assert_frame_equal(pq.frame.collect(), cp.frame.collect())
    assert (pq.rows_read, pq.reject_counts, pq.first_rejected_rows(), pq.event_types) == (
        cp.rows_read,
        cp.reject_counts,
        cp.first_rejected_rows(),
        cp.event_types,
    )
    assert pq.rejected["event"].to_list() == cp.rejected["event"].to_list()
    # read directly exactly when every event is a known one as it is, or one the copy rejects
    odd = {" open", "OPEN", "Click "}  # (the copy keeps them: open, open, click)
    assert (type(pq._narrow).__name__ == "_View") == (not odd & set(events))
