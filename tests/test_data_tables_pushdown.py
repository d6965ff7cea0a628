"""``TableData.where_cells``: on a table read from its Parquet file without a copy the
conditions are tested on the file's own cells before the casts (``sqops.data.tables._View``);
the rows must be those of the same filter on ``frame`` (and of the copy of the same cells),
for naive and aware times, zones with daylight saving time, staff sets, null post ids,
rejected rows and repeated ids.
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
from sqops.data.membership import post_opens
from sqops.data.tables import TableData, _utc_runs, read_tables

MESSAGES = pl.DataFrame(
    {
        "ts": [dt.datetime(2026, 12, 1, 9), dt.datetime(2026, 12, 1, 10)],
        "group_id": ["g1", "g1"],
        "member_id": ["a", "b"],
    }
)


def _write(folder: Path, engagement: pl.DataFrame, csv: bool = False) -> Path:
    folder.mkdir()
    if csv:  # the same cells as text: read with the typed copy
        MESSAGES.write_csv(folder / "messages.csv", datetime_format="%Y-%m-%d %H:%M:%S")
        engagement.write_csv(folder / "engagement.csv", datetime_format="%Y-%m-%d %H:%M:%S%.f")
    else:
        MESSAGES.write_parquet(folder / "messages.parquet")
        engagement.write_parquet(folder / "engagement.parquet")
    return folder


def _general(
    td: TableData,
    event: str | None,
    upto: dt.date | None,
    staff: list[str],
    post_not_null: bool,
) -> pl.LazyFrame:
    """The same conditions as a filter on ``frame`` (what the callers did before)."""
    cond = ~pl.col("member_id").is_in(staff)
    if event is not None:
        cond = cond & (pl.col("event") == event)
    if upto is not None:
        cond = cond & (pl.col("day") <= upto)
    if post_not_null:
        cond = cond & pl.col("post_id").is_not_null()
    return td.frame.filter(cond)


def _pushed(
    td: TableData,
    event: str | None,
    upto: dt.date | None,
    staff: list[str],
    post_not_null: bool,
) -> pl.LazyFrame:
    return td.where_cells(
        equal={"event": event} if event is not None else None,
        upto=upto,
        not_in={"member_id": staff},
        not_null=["post_id"] if post_not_null else (),
    )


# 7 rows, Asia/Shanghai (UTC+8), naive local times:
#   1 open  a p1 12-01 09:30  valid
#   2 open  s p1 12-01 09:40  valid, staff
#   3 share a p1 12-01 09:50  rejected (unknown event)
#   4 open  b -- 12-01 23:59  valid, no post
#   5 open  b p1 12-02 00:00  valid, local day 12-02
#   6 open  -- p1 12-01 10:00 rejected (no member)
#   7 click b p2 12-02 08:00  valid
HAND = pl.DataFrame(
    {
        "ts": [
            dt.datetime(2026, 12, 1, 9, 30),
            dt.datetime(2026, 12, 1, 9, 40),
            dt.datetime(2026, 12, 1, 9, 50),
            dt.datetime(2026, 12, 1, 23, 59, 59, 999999),
            dt.datetime(2026, 12, 2),
            dt.datetime(2026, 12, 1, 10),
            dt.datetime(2026, 12, 2, 8),
        ],
        "member_id": ["a", "s", "a", "b", "b", None, "b"],
        "event": ["open", "open", "share", "open", "open", "open", "click"],
        "post_id": ["p1", "p1", "p1", None, "p1", "p1", "p2"],
        "group_id": ["g1"] * 7,
    }
)


def test_the_opens_counted_by_hand(tmp_path: Path) -> None:
    eng = read_tables(_write(tmp_path / "pq", HAND))["engagement"]
    assert type(eng._narrow).__name__ == "_View"
    assert eng.last_day == dt.date(2026, 12, 2)
    # opens up to 12-01, not staff s, with a post: row 1 only (2 staff, 3 rejected,
    # 4 no post, 5 on 12-02, 6 rejected)
    got = _pushed(eng, "open", dt.date(2026, 12, 1), ["s"], True).collect()
    assert got["_row"].to_list() == [1]
    # the same without the post: rows 1 and 4 (row 4 one microsecond before midnight)
    got = _pushed(eng, "open", dt.date(2026, 12, 1), ["s"], False).collect()
    assert got["_row"].to_list() == [1, 4]
    # up to 12-02 (the last day: not tested), any event: rows 1, 4, 5, 7
    got = _pushed(eng, None, dt.date(2026, 12, 2), ["s"], False).collect()
    assert got["_row"].to_list() == [1, 4, 5, 7]
    # up to 11-30: none
    assert _pushed(eng, None, dt.date(2026, 11, 30), [], False).collect().height == 0
    for args in [
        ("open", dt.date(2026, 12, 1), ["s"], True),
        ("open", dt.date(2026, 12, 1), [], False),
        (None, None, ["a", "b"], True),
        ("click", dt.date(2026, 12, 2), ["s"], True),
    ]:
        assert_frame_equal(_pushed(eng, *args).collect(), _general(eng, *args).collect())
    # the copy of the same cells (CSV) gives the same frame through the general path
    cp = read_tables(_write(tmp_path / "csv", HAND, csv=True))["engagement"]
    assert type(cp._narrow).__name__ != "_View"
    got = _pushed(cp, "open", dt.date(2026, 12, 1), ["s"], False).collect()
    assert got["_row"].to_list() == [1, 4]


def test_post_opens_read_directly_as_from_the_copy(tmp_path: Path) -> None:
    posts = pl.DataFrame(
        {
            "post_id": ["p1", "p2"],
            "ts": [dt.datetime(2026, 12, 1, 9), dt.datetime(2026, 12, 2, 7)],
            "group_id": ["g1", "g1"],
        }
    )
    pq_dir, csv_dir = _write(tmp_path / "pq", HAND), _write(tmp_path / "csv", HAND, csv=True)
    posts.write_parquet(pq_dir / "posts.parquet")
    posts.write_csv(csv_dir / "posts.csv", datetime_format="%Y-%m-%d %H:%M:%S")
    pq, cp = read_tables(pq_dir), read_tables(csv_dir)
    for day, staff in [(dt.date(2026, 12, 1), {"s"}), (dt.date(2026, 12, 2), set())]:
        a = post_opens(pq, staff, day)
        b = post_opens(cp, staff, day)
        assert a is not None and b is not None
        assert_frame_equal(a.sort("post_id"), b.sort("post_id"))
    # 12-01 without s: p1 opened by a (row 1; row 4 has no post) -> 1;
    # 12-02 with s: p1 by a, s, b (row 5) -> 3; p2 has only a click
    got = post_opens(pq, set(), dt.date(2026, 12, 2))
    assert got is not None
    assert got.select(pl.col("post_id").cast(pl.String), "opens").rows() == [("p1", 3)]
    got = post_opens(pq, {"s"}, dt.date(2026, 12, 1))
    assert got is not None
    assert got.select(pl.col("post_id").cast(pl.String), "opens").rows() == [("p1", 1)]


def test_repeated_ids_dropped_after_the_pushed_filter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # coupons c1 (rows 1 and 3) and c2 (row 2): row 3 repeats c1 and is dropped
    monkeypatch.setattr(tables_mod, "DIRECT", frozenset({"coupons"}))
    folder = tmp_path / "d"
    folder.mkdir()
    MESSAGES.write_parquet(folder / "messages.parquet")
    pl.DataFrame(
        {
            "coupon_id": ["c1", "c2", "c1"],
            "member_id": ["a", "b", "b"],
            "ts": [
                dt.datetime(2026, 12, 1, 9),
                dt.datetime(2026, 12, 2, 9),
                dt.datetime(2026, 12, 1, 11),
            ],
        }
    ).write_parquet(folder / "coupons.parquet")
    c = read_tables(folder)["coupons"]
    assert type(c._narrow).__name__ == "_View"
    # up to 12-01, not a: row 3 would pass but repeats c1 -> none
    got = c.where_cells(upto=dt.date(2026, 12, 1), not_in={"member_id": ["a"]}).collect()
    assert got.height == 0
    # any day, not a: row 2
    assert c.where_cells(not_in={"member_id": ["a"]}).collect()["_row"].to_list() == [2]
    assert_frame_equal(
        c.where_cells(upto=dt.date(2026, 12, 1)).collect(),
        c.frame.filter(pl.col("day") <= dt.date(2026, 12, 1)).collect(),
    )


@pytest.mark.parametrize(
    ("tz", "day"),
    [
        ("Asia/Shanghai", dt.date(2026, 11, 20)),
        ("Europe/Berlin", dt.date(2026, 3, 28)),  # the clocks go forward the next night
        ("Europe/Berlin", dt.date(2026, 10, 24)),  # back the next night
        ("America/Sao_Paulo", dt.date(2018, 2, 17)),  # back at midnight: 00:00 -> 23:00
        ("America/Sao_Paulo", dt.date(2018, 11, 3)),  # forward at midnight: no 11-04 00:xx
        ("Australia/Lord_Howe", dt.date(2026, 4, 4)),  # half an hour
        ("Pacific/Apia", dt.date(2011, 12, 29)),  # 12-30 skipped
        ("UTC", dt.date(2026, 1, 1)),
    ],
)
def test_the_runs_of_utc_times_by_local_day(tz: str, day: dt.date) -> None:
    runs = _utc_runs(tz, day)
    assert runs is not None and runs[0][0] is None
    end = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC) + dt.timedelta(days=1)
    probes = pl.datetime_range(
        end - dt.timedelta(days=2), end + dt.timedelta(days=2), "7m", time_zone="UTC", eager=True
    )
    frame = pl.DataFrame({"t": probes})
    truth = frame.select(pl.col("t").dt.convert_time_zone(tz).dt.date() <= day).to_series()
    cond = pl.any_horizontal(
        pl.col("t") < hi if lo is None else (pl.col("t") >= lo) & (pl.col("t") < hi)
        for lo, hi in runs
    )
    assert frame.select(cond).to_series().to_list() == truth.to_list()


ZONES = ["Asia/Shanghai", "Europe/Berlin", "America/Sao_Paulo", "America/New_York", "UTC"]
# instants near changes of those zones' offsets (UTC)
NEAR = [
    dt.datetime(2026, 3, 29, 1),  # Berlin forward
    dt.datetime(2026, 10, 25, 1),  # Berlin back
    dt.datetime(2018, 2, 18, 2),  # Sao Paulo back at midnight
    dt.datetime(2018, 11, 4, 3),  # Sao Paulo forward at midnight
    dt.datetime(2026, 3, 8, 7),  # New York forward
    dt.datetime(2026, 11, 20, 16),  # Shanghai midnight
]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    tz=st.sampled_from(ZONES),
    aware=st.sampled_from([None, "UTC", "America/New_York"]),
    near=st.sampled_from(NEAR),
    rows=st.lists(
        st.tuples(
            st.integers(-36 * 3600, 36 * 3600),  # seconds from ``near``
            st.sampled_from([0, 1, 999_999]),  # microseconds
            st.sampled_from(["a", "b", "s1", "s2", None]),
            st.sampled_from(["open", "open", "click", "participate", "share"]),
            st.sampled_from(["p1", "p2", None]),
        ),
        min_size=1,
        max_size=12,
    ),
    staff=st.sampled_from([[], ["s1"], ["s1", "s2", "zz"]]),
    shift=st.integers(-2, 1),
    event=st.sampled_from(["open", "participate", None]),
    post_not_null=st.booleans(),
)
def test_pushed_rows_equal_the_frame_filtered(
    tmp_path_factory: pytest.TempPathFactory,
    tz: str,
    aware: str | None,
    near: dt.datetime,
    rows: list[tuple[int, int, str | None, str, str | None]],
    staff: list[str],
    shift: int,
    event: str | None,
    post_not_null: bool,
) -> None:
    rows = [(0, 0, "a", "open", "p1"), *rows]  # (one valid row at least)
    ts = pl.Series(
        [near + dt.timedelta(seconds=s, microseconds=u) for s, u, *_ in rows],
        dtype=pl.Datetime("us"),
    )
    if aware is not None:  # exact times, in some zone
        ts = ts.dt.replace_time_zone("UTC").dt.convert_time_zone(aware)
    eng = pl.DataFrame(
        {
            "ts": ts,
            "member_id": [r[2] for r in rows],
            "event": [r[3] for r in rows],
            "post_id": [r[4] for r in rows],
            "group_id": ["g1"] * len(rows),
        }
    )
    base = tmp_path_factory.mktemp("push")
    folder = _write(base / "pq", eng)
    td = read_tables(folder, tz=tz)["engagement"]
    if type(td._narrow).__name__ != "_View":  # (a local time that does not exist: the copy)
        return
    days = td.frame.select(pl.col("day")).collect()["day"]
    upto = days.max() + dt.timedelta(days=shift)  # type: ignore[operator]
    for day in (upto, None):
        args = (event, day, staff, post_not_null)
        assert_frame_equal(_pushed(td, *args).collect(), _general(td, *args).collect())
