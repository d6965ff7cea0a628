"""Openers per post without a day test when reading found no day after the as-of
(``membership.post_opens``: a Parquet engagement read directly knows its ``last_day``, a CSV's
copy does not), and the latest names of a held messages copy whose times are in order within
each group (``TableData.times_in_order``, ``membership.latest_names``), session 15: each
against the general path on the same cells."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from sqops.data.membership import _opens_by_day, latest_names, post_opens
from sqops.data.tables import _in_order_by_group, read_tables

D = dt.date
T0 = dt.datetime(2026, 12, 1, 9)

MESSAGES = pl.DataFrame(
    {"ts": [T0, T0 + dt.timedelta(hours=1)], "group_id": ["g1", "g1"], "member_id": ["a", "b"]}
)
POSTS = pl.DataFrame(
    {
        "post_id": ["p1", "p2", "p3"],
        "ts": [T0, T0 + dt.timedelta(days=1), T0 + dt.timedelta(days=3)],
        "group_id": ["g1", "g1", "g1"],
    }
)


def _folder(path: Path, engagement: pl.DataFrame, csv: bool = False) -> Path:
    path.mkdir(parents=True)
    MESSAGES.write_parquet(path / "messages.parquet")
    POSTS.write_parquet(path / "posts.parquet")
    if csv:  # (the same cells as text: a typed copy, its last_day not known)
        engagement.write_csv(path / "engagement.csv", datetime_format="%Y-%m-%d %H:%M:%S")
    else:
        engagement.write_parquet(path / "engagement.parquet")
    return path


def _engagement(ids: list[str], hours: list[int], events: list[str], posts: list[str]):
    return pl.DataFrame(
        {
            "ts": [T0 + dt.timedelta(hours=h) for h in hours],
            "member_id": ids,
            "event": events,
            "post_id": posts,
            "group_id": ["g1"] * len(ids),
        }
    )


# "u0000001" twice; a staff id; u0000004 opens p1 the next day (2026-12-02 05:00), within its
# 48 h
EIGHT = _engagement(
    ["u0000001", "u0000001", "张三ab", "u0000002", "staff_01", "u0000003", "u0000004"],
    [1, 2, 3, 30, 4, 100, 20],
    ["open", "open", "open", "open", "open", "click", "open"],
    ["p1", "p1", "p1", "p2", "p1", "p1", "p1"],
)


def _both(tmp_path: Path, engagement: pl.DataFrame, staff: set[str], as_of: dt.date):
    pq = read_tables(_folder(tmp_path / "pq", engagement))
    cp = read_tables(_folder(tmp_path / "csv", engagement, csv=True))
    assert cp["engagement"].last_day is None and pq["engagement"].last_day is not None
    a, b = post_opens(pq, staff, as_of), post_opens(cp, staff, as_of)
    assert a is not None and b is not None
    assert_frame_equal(a.sort("post_id"), b.sort("post_id"))
    by_day = (_opens_by_day(t, staff, as_of).sort("post_id", "fday") for t in (pq, cp))
    assert_frame_equal(*by_day)
    return pq, a


def test_openers_per_post_with_and_without_the_day_test(tmp_path: Path) -> None:
    pq, got = _both(tmp_path, EIGHT, {"staff_01", "s"}, D(2026, 12, 28))
    # p1: u0000001 (twice: once), 张三ab, u0000004; staff_01 left out; p2: u0000002, 30 h
    # after it
    assert sorted(got.iter_rows()) == [("p1", 3), ("p2", 1)]
    # before the last day (a day filter on the opens): on 2026-12-01 p1's opens but
    # u0000004's of the next day (p2 is not posted yet)
    pq, got = _both(tmp_path / "early", EIGHT, set(), D(2026, 12, 1))
    assert pq["engagement"].last_day == D(2026, 12, 5)
    assert sorted(got.iter_rows()) == [("p1", 3)]


_ID = st.sampled_from(["u0000001", "u0000002", "u0000003", "张三ab", "staff_01", "abcdefgh"])


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.tuples(
            _ID,
            st.integers(-5, 120),
            st.sampled_from(["open", "click"]),
            st.sampled_from(["p1", "p2", "p3"]),
        ),
        min_size=1,
        max_size=30,
    ),
    staff=st.sets(st.sampled_from(["u0000001", "staff_01", "staff", "张三ab"]), max_size=3),
    day=st.integers(0, 6),
)
def test_openers_per_post_property(tmp_path_factory, rows, staff, day) -> None:
    ids, hours, events, posts = (list(c) for c in zip(*rows, strict=True))
    events[0] = "open"  # (an open at least)
    _both(
        tmp_path_factory.mktemp("k"),
        _engagement(ids, hours, events, posts),
        staff,
        D(2026, 12, 1 + day),
    )


# messages of two groups, each group's times in order (not across groups: g2 starts earlier)
def _messages(times: list[tuple[str, str, str, int]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "ts": [T0 + dt.timedelta(minutes=m) for *_, m in times],
            "group_id": [g for g, *_ in times],
            "member_id": [m for _, m, *_ in times],
            "member_name": [n for _, _, n, _ in times],
        }
    )


IN_ORDER = [
    ("g1", "a", "A1", 10),
    ("g2", "a", "X1", 0),
    ("g1", "a", "A2", 20),
    ("g1", "a", "A3", 20),  # (the same time: the later row's name)
    ("g2", "b", "B1", 5),
    ("g1", "b", "B2", 30),
    ("g2", "a", "X2", 40),
]


def _names(path: Path, messages: pl.DataFrame, hold: int):
    path.mkdir()
    messages.write_parquet(path / "messages.parquet")
    td = read_tables(path, hold=hold)["messages"]
    rows = td.frame.filter(pl.col("member_name").is_not_null())
    return td, rows


def _sorted(df: pl.DataFrame) -> pl.DataFrame:
    return df.with_columns(
        pl.col(c).cast(pl.String) for c in ("group_id", "member_id", "member_name")
    ).sort("group_id", "member_id")


def test_times_in_order_within_groups_names_the_last_row(tmp_path: Path) -> None:
    td, rows = _names(tmp_path / "a", _messages(IN_ORDER), 1 << 30)
    assert td._held is not None and td.times_in_order()
    fast, slow = latest_names(rows, True).collect(), latest_names(rows).collect()
    assert_frame_equal(_sorted(fast), _sorted(slow))
    got = {(g, m): n for g, m, n, *_ in _sorted(fast).iter_rows()}
    assert got == {("g1", "a"): "A3", ("g1", "b"): "B2", ("g2", "a"): "X2", ("g2", "b"): "B1"}


def test_a_time_back_within_a_group_is_not_in_order(tmp_path: Path) -> None:
    back = [*IN_ORDER, ("g1", "b", "B0", 29)]  # (g1's times go back: 30 then 29)
    td, rows = _names(tmp_path / "a", _messages(back), 1 << 30)
    assert not td.times_in_order()
    got = _sorted(latest_names(rows, td.times_in_order()).collect())
    assert (
        got.filter(pl.col("member_id") == "b", pl.col("group_id") == "g1")["member_name"].item()
        == "B2"
    )
    across = [("g1", "a", "A", 10), ("g2", "a", "X", 0)]  # (back across groups only)
    td, _ = _names(tmp_path / "b", _messages(across), 1 << 30)
    assert td.times_in_order()
    # g1's second run (5) starts before its first ended (10): in order within each run only
    runs = [("g1", "a", "A", 10), ("g2", "a", "X", 0), ("g2", "a", "Y", 1), ("g1", "a", "B", 5)]
    td, _ = _names(tmp_path / "c", _messages(runs), 1 << 30)
    assert not td.times_in_order()


@settings(max_examples=100, deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.sampled_from(["g1", "g2", "g3"]), st.integers(0, 4)), min_size=1, max_size=20
    )
)
def test_in_order_by_group_as_each_group_checked(rows) -> None:
    df = pl.DataFrame(
        {"group_id": [g for g, _ in rows], "ts": [T0 + dt.timedelta(minutes=m) for _, m in rows]}
    ).with_columns(pl.col("group_id").cast(pl.Categorical))
    each = all(sorted(t := [m for g2, m in rows if g2 == g]) == t for g in {g for g, _ in rows})
    assert _in_order_by_group(df) == each


def test_a_copy_on_disk_is_known_in_order(tmp_path: Path) -> None:
    # (session 18: its valid rows' group codes and times read again from the file)
    td, rows = _names(tmp_path / "a", _messages(IN_ORDER), 0)
    assert td._held is None and td._narrow is not None and td.times_in_order()
    assert_frame_equal(
        _sorted(latest_names(rows, True).collect()), _sorted(latest_names(rows).collect())
    )
    back = [*IN_ORDER, ("g1", "b", "B0", 29)]  # (g1's times go back: 30 then 29)
    td, _ = _names(tmp_path / "b", _messages(back), 0)
    assert td._narrow is not None and not td.times_in_order()
    # a rejected row's time (none) and a repeated id's row do not count: the valid rows only
    bad = _messages([*IN_ORDER, ("g1", "c", "C", 0)]).with_columns(
        pl.when(pl.int_range(pl.len()) == 7)
        .then(None)
        .otherwise(pl.col("member_id"))
        .alias("member_id")
    )
    td, _ = _names(tmp_path / "c", bad, 0)
    assert td.rejected["_row"].to_list() == [8] and td.times_in_order()
    # (not known for another frame)
    assert not replace(td, frame=td.frame.reverse()).times_in_order()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["g1", "g2"]),
            st.sampled_from(["a", "b", "c"]),
            st.sampled_from(["N1", "N2", "N3", None]),
            st.integers(0, 6),
        ),
        min_size=1,
        max_size=25,
    )
)
def test_latest_names_in_order_property(tmp_path_factory, rows) -> None:
    # each group's times made non-decreasing (ties kept: the later row wins), groups mixed
    rows = [(*r[:3], sum(x[3] for x in rows[: i + 1] if x[0] == r[0])) for i, r in enumerate(rows)]
    td, names = _names(tmp_path_factory.mktemp("n") / "d", _messages(rows), 1 << 30)
    assert td.times_in_order()
    assert_frame_equal(
        _sorted(latest_names(names, True).collect()), _sorted(latest_names(names).collect())
    )
