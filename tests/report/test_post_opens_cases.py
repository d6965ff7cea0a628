"""Openers per post (``membership.post_opens``) on hand-made opens, each case moving the
count (session 20, opens9): the 48 h window's ends, a second outside it, an open before the
post, a member's repeated opens, staff, a click, an open without a post, a post nobody (or
only staff) opened, a member opening two posts; on a Parquet engagement read without a copy
(early thread and table's own turn) and with rejected rows. Kept from the trial of counting
the opens kept by the engagement's checking pass (not merged: benchmarks/README.md,
"openers per post, session 20"): any faster way must give these counts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

import sqops.data.tables as tables_mod
from sqops.data.membership import post_opens
from sqops.data.tables import read_tables

T0 = dt.datetime(2026, 12, 1, 9)
H = dt.timedelta(hours=1)
S = dt.timedelta(seconds=1)
STAFF = {"staff_01"}
AS_OF = dt.date(2026, 12, 28)

POSTS = pl.DataFrame(
    {
        "post_id": ["p1", "p2", "p3", "p4"],
        "ts": [T0, T0 + 24 * H, T0 + 72 * H, T0 + 96 * H],
        "group_id": ["g1"] * 4,
    }
)

# (member, time, post, event): p3 nobody opened, p4 only staff
ROWS = [
    ("a", T0 - S, "p1", "open"),  # before the post: out
    ("b", T0, "p1", "open"),  # at the post's time: in
    ("c", T0 + 48 * H, "p1", "open"),  # at the window's end: in
    ("d", T0 + 48 * H + S, "p1", "open"),  # a second after it: out
    ("e", T0 + H, "p1", "open"),  # in, and again: once
    ("e", T0 + 2 * H, "p1", "open"),
    ("staff_01", T0 + H, "p1", "open"),  # staff: out
    ("h", T0 + H, "p1", "click"),  # not an open: out
    ("f", T0 + 24 * H + 48 * H + S, "p2", "open"),  # out
    ("g", T0 + 24 * H + S, "p2", "open"),  # in
    ("b", T0 + 24 * H + 30 * H, "p2", "open"),  # b opens a second post: in there too
    ("a", T0 + 24 * H + 30 * H, "p2", "open"),  # in (a's open before p1 counts nothing)
    ("i", T0 + 25 * H, None, "open"),  # no post: out
    ("staff_01", T0 + 97 * H, "p4", "open"),
]
WANT = {"p1": 3, "p2": 3}


def _write(path: Path, rows: list[tuple], posts: bool = True) -> Path:
    path.mkdir(parents=True)
    pl.DataFrame({"ts": [T0], "group_id": ["g1"], "member_id": ["a"]}).write_parquet(
        path / "messages.parquet"
    )
    if posts:
        POSTS.write_parquet(path / "posts.parquet")
    pl.DataFrame(
        {
            "ts": [r[1] for r in rows],
            "member_id": [r[0] for r in rows],
            "event": [r[3] for r in rows],
            "post_id": [r[2] for r in rows],
            "group_id": ["g1"] * len(rows),
        },
        schema_overrides={"post_id": pl.String, "member_id": pl.String},
    ).write_parquet(path / "engagement.parquet")
    return path


def _counts(got: pl.DataFrame | None) -> dict[str, int]:
    assert got is not None
    return dict(got.select(pl.col("post_id").cast(pl.String), "opens").iter_rows())


def _count(path: Path, as_of: dt.date = AS_OF) -> dict[str, int]:
    tables = read_tables(path)
    assert tables["engagement"].last_day is not None  # (the file read as it is)
    return _counts(post_opens(tables, STAFF, as_of))


def test_hand_made_cases(tmp_path: Path) -> None:
    assert _count(_write(tmp_path / "t", ROWS)) == WANT


# (the rows' index changed: dropped, or replaced by the row given)
@pytest.mark.parametrize(
    ("at", "row", "want"),
    [
        (1, None, {"p1": 2, "p2": 3}),  # b at p1's time gone
        (2, None, {"p1": 2, "p2": 3}),  # c at the window's end gone
        (4, None, {"p1": 3, "p2": 3}),  # one of e's two opens gone: e still once
        (10, None, {"p1": 3, "p2": 2}),  # b's open of the second post gone
        (6, ("k", T0 + H, "p1", "open"), {"p1": 4, "p2": 3}),  # staff_01's a member's
        (0, ("a", T0, "p1", "open"), {"p1": 4, "p2": 3}),  # a's open before p1 at its time
    ],
)
def test_each_case_moves_the_count(tmp_path: Path, at: int, row, want: dict[str, int]) -> None:
    rows = list(ROWS)
    if row is None:
        del rows[at]
    else:
        rows[at] = row
    assert _count(_write(tmp_path / "t", rows)) == want


def test_rejected_rows_open_nothing(tmp_path: Path) -> None:
    # a row without member (rejected) and one of an unknown event (rejected): the table is
    # still read without a copy, its rejected rows apart, and neither is an opener
    rows = [*ROWS, (None, T0 + 3 * H, "p1", "open"), ("z", T0 + 3 * H, "p1", "opened")]
    path = _write(tmp_path / "t", rows)
    assert read_tables(path)["engagement"].rejected.height == 2
    assert _count(path) == WANT


def test_without_the_early_pass(tmp_path: Path, monkeypatch) -> None:
    # (the engagement checked at its own turn, not in the early thread)
    monkeypatch.setattr(tables_mod, "_start_early", lambda *a, **k: {})
    assert _count(_write(tmp_path / "t", ROWS)) == WANT


def test_an_as_of_before_the_last_day(tmp_path: Path) -> None:
    got = _count(_write(tmp_path / "t", ROWS), dt.date(2026, 12, 2))
    assert got == {"p1": 2, "p2": 1}  # p1: b, e (c's open on 12-03); p2: g (b's, a's 12-03)
