"""Integer columns read as text (``reply_to`` of a Parquet file, a member id column of
integers) are not stripped cell by cell: an integer's text has no spaces and is never empty.
The table is the same as from a CSV of the same cells, which is stripped."""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from sqops.data.tables import read_tables

INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)


@settings(max_examples=25, deadline=None)
@given(
    replies=st.lists(st.one_of(st.none(), INT64), min_size=1, max_size=6),
    members=st.lists(st.integers(min_value=-5, max_value=10**12), min_size=1, max_size=6),
)
def test_integer_cells_as_from_csv(tmp_path_factory, replies, members) -> None:
    n = min(len(replies), len(members))
    frame = pl.DataFrame(
        {
            "ts": [dt.datetime(2026, 12, 1, 9, i) for i in range(n)],
            "group_id": ["g1"] * n,
            "member_id": pl.Series(members[:n], dtype=pl.Int64),
            "reply_to": pl.Series(replies[:n], dtype=pl.Int64),
        }
    )
    base = tmp_path_factory.mktemp("ints")
    (base / "pq").mkdir()
    (base / "csv").mkdir()
    frame.write_parquet(base / "pq" / "messages.parquet")
    frame.write_csv(base / "csv" / "messages.csv", datetime_format="%Y-%m-%d %H:%M:%S")
    pq = read_tables(base / "pq")["messages"]
    cp = read_tables(base / "csv")["messages"]
    assert_frame_equal(pq.frame.collect(), cp.frame.collect())
    assert pq.rejected.height == cp.rejected.height == 0


def test_integer_reply_to_as_text() -> None:
    # row 1 replies to message 7, row 2 to none, row 3 to -1: the text of each, null kept
    frame = pl.DataFrame(
        {
            "ts": [dt.datetime(2026, 12, 1, 9)] * 3,
            "group_id": ["g1"] * 3,
            "member_id": ["a", "b", "c"],
            "reply_to": pl.Series([7, None, -1], dtype=pl.Int64),
        }
    )
    from sqops.data.tables import prepare_tables

    tables = prepare_tables({"messages": frame})  # (kept: its copy lives as long as it)
    got = tables["messages"].frame.collect()["reply_to"].to_list()
    assert got == ["7", None, "-1"]
