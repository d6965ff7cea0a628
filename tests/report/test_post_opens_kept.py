"""Openers per post from the opens engagement's checking pass keeps (session 20, opens9):
``tables._OpensPass`` keeps, while it checks a Parquet engagement read without a copy, its
valid opens of a post as categoricals of their own and the times; ``membership.post_opens``
counts those (``_counted_opens``) instead of reading the file again, once, when every row
read is up to the as-of. Each hand-made case is counted on the kept opens and by the query
on the file (the held budget 0: nothing kept), and both give the count by hand: the 48 h
window's ends, repeated opens, staff, posts nobody opened, opens before the post, a member
opening two posts, rejected rows, many batches, an as-of before the last day, a bucket's
frame."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import polars as pl
import pytest

import sqops.data.tables as tables_mod
from sqops.data.membership import post_opens
from sqops.data.tables import _View, read_tables

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


def _kept(tables) -> object:
    view = tables["engagement"]._narrow
    assert isinstance(view, _View)
    return view.opens


def _both(path: Path, as_of: dt.date = AS_OF) -> tuple[dict[str, int], dict[str, int]]:
    """The counts from the kept opens (checked to be used, and given up once used) and
    from the file (nothing kept)."""
    kept = read_tables(path)
    assert _kept(kept) is not None
    a = _counts(post_opens(kept, STAFF, as_of))
    assert _kept(kept) is None
    plain = read_tables(path, hold=0)
    assert _kept(plain) is None
    return a, _counts(post_opens(plain, STAFF, as_of))


def test_hand_made_cases_on_the_kept_opens(tmp_path: Path) -> None:
    kept, plain = _both(_write(tmp_path / "t", ROWS))
    assert kept == plain == WANT


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
    kept, plain = _both(_write(tmp_path / "t", rows))
    assert kept == plain == want


def test_many_batches_keep_one_code_per_id(tmp_path: Path, monkeypatch) -> None:
    # (batches of 2 rows: the kept ids' categories must outlive each batch, or the codes
    # of one batch would name other ids in the next)
    monkeypatch.setattr(tables_mod, "HELD_BATCH", 2)
    kept, plain = _both(_write(tmp_path / "t", ROWS))
    assert kept == plain == WANT


def test_rejected_rows_are_not_kept(tmp_path: Path) -> None:
    # a row without member (rejected) and one of an unknown event (rejected): the table is
    # still read without a copy, its rejected rows apart, and neither is an opener
    rows = [*ROWS, (None, T0 + 3 * H, "p1", "open"), ("z", T0 + 3 * H, "p1", "opened")]
    path = _write(tmp_path / "t", rows)
    tables = read_tables(path)
    assert tables["engagement"].rejected.height == 2
    kept, plain = _both(path)
    assert kept == plain == WANT


def test_the_check_row_is_the_one_query(tmp_path: Path, monkeypatch) -> None:
    # the pass made a batch at a time gives the row the one query gives (rows, rejected,
    # the times' ends, the last day, the events): the tables read either way are the same
    rows = [*ROWS, (None, T0 + 3 * H, "p1", "open")]
    path = _write(tmp_path / "t", rows)
    monkeypatch.setattr(tables_mod, "HELD_BATCH", 3)
    a, b = read_tables(path)["engagement"], read_tables(path, hold=0)["engagement"]
    assert (a.rows_read, a.last_day, a.event_types) == (b.rows_read, b.last_day, b.event_types)
    assert a.rejected.equals(b.rejected)
    assert a.frame.collect().equals(b.frame.collect())


def test_the_early_pass_and_the_tables_turn_agree(tmp_path: Path, monkeypatch) -> None:
    # without the early thread the table's own turn keeps the opens
    monkeypatch.setattr(tables_mod, "_start_early", lambda *a, **k: {})
    kept, plain = _both(_write(tmp_path / "t", ROWS))
    assert kept == plain == WANT


def test_an_as_of_before_the_last_day_reads_the_file(tmp_path: Path) -> None:
    # (the kept opens carry no day: with rows after the as-of they stay unused)
    tables = read_tables(_write(tmp_path / "t", ROWS))
    got = _counts(post_opens(tables, STAFF, dt.date(2026, 12, 2)))
    assert got == {"p1": 2, "p2": 1}  # p1: b, e (c's open on 12-03); p2: g (b's, a's 12-03)
    assert _kept(tables) is not None


def test_a_bucket_frame_reads_its_own_rows(tmp_path: Path) -> None:
    tables = read_tables(_write(tmp_path / "t", ROWS))
    eng = tables["engagement"]
    # a frame other than the one kept of (a bucket's: here p2's opens only)
    tables.tables["engagement"] = dataclasses.replace(
        eng, frame=eng.frame.filter(pl.col("post_id").cast(pl.String) == "p2")
    )
    assert _counts(post_opens(tables, STAFF, AS_OF)) == {"p2": 3}
    assert _kept(tables) is not None


def test_nothing_kept_without_posts_or_budget(tmp_path: Path) -> None:
    path = _write(tmp_path / "t", ROWS, posts=False)
    assert _kept(read_tables(path)) is None
    assert _kept(read_tables(_write(tmp_path / "u", ROWS), hold=0)) is None
    # (a budget under 16 bytes an engagement row)
    assert _kept(read_tables(tmp_path / "u", hold=len(ROWS) * 16 - 1)) is None


def test_counted_a_slice_at_a_time(tmp_path: Path, monkeypatch) -> None:
    # (slices of one batch of two rows each: a post's opens met in several slices, each
    # slice's openers found apart, the distinct count over all of them; the kept batches
    # taken out as they are counted)
    import sqops.data.membership as membership

    monkeypatch.setattr(tables_mod, "HELD_BATCH", 2)
    monkeypatch.setattr(membership, "OPEN_SLICE_ROWS", 1)
    tables = read_tables(_write(tmp_path / "t", ROWS))
    kept = _kept(tables)
    assert kept is not None and len(kept.parts) > 3  # type: ignore[attr-defined]
    assert _counts(post_opens(tables, STAFF, AS_OF)) == WANT
    assert kept.parts == []  # type: ignore[attr-defined]


def test_a_time_range_across_an_offset_change_takes_the_copy(tmp_path: Path, monkeypatch) -> None:
    # (Berlin: winter +1 h, summer +2 h; the first rows' offset (+1 h) is not that of the
    # pass's latest time, in its last batch: the copy, as with the one query)
    monkeypatch.setattr(tables_mod, "HELD_BATCH", 500)
    winter = [("w", T0 + H, "p3", "click")] * 2000
    rows = [*winter, *ROWS, ("x", dt.datetime(2027, 7, 1, 12), "p1", "click")]
    path = _write(tmp_path / "t", rows)
    a = read_tables(path, tz="Europe/Berlin")
    b = read_tables(path, tz="Europe/Berlin", hold=0)
    assert not isinstance(a["engagement"]._narrow, _View)
    assert not isinstance(b["engagement"]._narrow, _View)
    assert _counts(post_opens(a, STAFF, dt.date(2027, 7, 1))) == WANT
