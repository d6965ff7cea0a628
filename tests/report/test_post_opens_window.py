"""Openers per post (``membership.post_opens``) on hand-made opens at the edges of its
definition (spec: distinct non-staff members with an ``open`` of the post within 48 h of
it): the window's both ends included, a second after it and a second before the post
excluded, a member's repeated opens counted once, staff left out, a post nobody (or only
staff) opened absent — on a Parquet engagement read without a copy and on the same cells
from a CSV copy, and by ``_opens_by_day`` summed up to the day (session 19, opens8: the
cases any faster way of counting them must keep)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from sqops.data.membership import _opens_by_day, post_opens
from sqops.data.tables import read_tables

T0 = dt.datetime(2026, 12, 1, 9)
H = dt.timedelta(hours=1)
S = dt.timedelta(seconds=1)

POSTS = pl.DataFrame(
    {
        "post_id": ["p1", "p2", "p3", "p4"],
        "ts": [T0, T0 + 24 * H, T0 + 72 * H, T0 + 96 * H],
        "group_id": ["g1"] * 4,
    }
)

# (member, time, post): p3 nobody opened, p4 only staff
OPENS = [
    ("a", T0 - S, "p1"),  # before the post: out
    ("b", T0, "p1"),  # at the post's time: in
    ("c", T0 + 48 * H, "p1"),  # at the window's end: in
    ("d", T0 + 48 * H + S, "p1"),  # a second after it: out
    ("e", T0 + H, "p1"),  # in, and again: once
    ("e", T0 + 2 * H, "p1"),
    ("b", T0 + 47 * H, "p1"),  # b again: once
    ("staff_01", T0 + H, "p1"),  # staff: out
    ("f", T0 + 24 * H + 48 * H + S, "p2"),  # out
    ("g", T0 + 24 * H + S, "p2"),  # in
    ("a", T0 + 24 * H + 30 * H, "p2"),  # in (a's open before p1 counts for nothing there)
    ("staff_01", T0 + 97 * H, "p4"),
]


def _tables(path: Path, csv: bool):
    path.mkdir(parents=True)
    pl.DataFrame({"ts": [T0], "group_id": ["g1"], "member_id": ["a"]}).write_parquet(
        path / "messages.parquet"
    )
    POSTS.write_parquet(path / "posts.parquet")
    eng = pl.DataFrame(
        {
            "ts": [t for _, t, _ in OPENS],
            "member_id": [m for m, _, _ in OPENS],
            "event": ["open"] * len(OPENS),
            "post_id": [p for *_, p in OPENS],
            "group_id": ["g1"] * len(OPENS),
        }
    )
    if csv:
        eng.write_csv(path / "engagement.csv", datetime_format="%Y-%m-%d %H:%M:%S")
    else:
        eng.write_parquet(path / "engagement.parquet")
    return read_tables(path)


@pytest.mark.parametrize("csv", [False, True])
@pytest.mark.parametrize(
    ("as_of", "want"),
    [
        # every open read: p1 b, c, e; p2 g, a
        (dt.date(2026, 12, 28), {"p1": 3, "p2": 2}),
        # up to 2026-12-02: p1 b, e (c's open is on 12-03); p2 (posted 12-02 09:00) g
        (dt.date(2026, 12, 2), {"p1": 2, "p2": 1}),
        # up to 2026-12-01: p1 b, e; p2 not posted yet
        (dt.date(2026, 12, 1), {"p1": 2}),
    ],
)
def test_openers_per_post_at_the_edges(tmp_path: Path, csv: bool, as_of, want) -> None:
    tables = _tables(tmp_path / "t", csv)
    assert (tables["engagement"].last_day is None) == csv  # (the copy / the file read as is)
    got = post_opens(tables, {"staff_01"}, as_of)
    assert got is not None
    assert dict(got.select(pl.col("post_id").cast(pl.String), "opens").iter_rows()) == want
    by_day = _opens_by_day(tables, {"staff_01"}, dt.date(2026, 12, 28))
    summed = (
        by_day.filter(pl.col("fday") <= (as_of - dt.date(1970, 1, 1)).days)
        .group_by(pl.col("post_id").cast(pl.String))
        .agg(pl.col("n").sum())
    )
    posted = {p for p, t in zip(POSTS["post_id"], POSTS["ts"], strict=True) if t.date() <= as_of}
    assert {p: n for p, n in summed.iter_rows() if p in posted} == want
