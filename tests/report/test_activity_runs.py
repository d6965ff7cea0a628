"""Member activity (``prepare``'s messages per group, member and day) counted from one
packed integer per row, sorted (``_count_runs``), against the group-by it replaces and
against counts made by hand; ``_activity_key`` says when the integer holds every part. Also
``latest_day`` (reading's latest day when every row read was kept) and ``message_days``
(grouped by one integer per (group, day))."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sqops.data.tables as tables_mod
from sqops.data.membership import (
    _activity_key,
    _count_runs,
    latest_day,
    message_days,
    prepare,
)
from sqops.data.tables import ID, prepare_tables, read_tables

KEY = ["group_id", "member_id", "day"]


def _rows(rows: list[tuple[str, str, int]]) -> pl.LazyFrame:
    return pl.DataFrame(
        rows, schema={"group_id": ID, "member_id": ID, "day": pl.Int32}, orient="row"
    ).lazy()


def _plain(df: pl.DataFrame) -> list[tuple[str, str, int, int]]:
    return sorted((str(g), str(m), int(d), int(n)) for g, m, d, n in df.select(*KEY, "n").rows())


def _runs(rows: list[tuple[str, str, int]]) -> pl.DataFrame:
    lf = _rows(rows)
    df = lf.collect()
    key = _activity_key(df["group_id"], df["day"].min(), int(df["day"].max()))
    assert key is not None
    return _count_runs(lf, *key)


def test_counts_by_hand() -> None:
    rows = [
        # g1/a: day 20000 twice, day 20003 once -> (20000, 2), (20003, 1)
        ("g1", "a", 20000),
        ("g1", "a", 20003),
        ("g1", "a", 20000),
        # g1/b: one message on 20001; g2/a (another group, the same member id): 3 on 20003
        ("g1", "b", 20001),
        ("g2", "a", 20003),
        ("g2", "a", 20003),
        ("g2", "a", 20003),
    ]
    got = _runs(rows)
    assert dict(got.schema) == {"group_id": ID, "member_id": ID, "day": pl.Int32, "n": pl.UInt32}
    assert _plain(got) == [
        ("g1", "a", 20000, 2),
        ("g1", "a", 20003, 1),
        ("g1", "b", 20001, 1),
        ("g2", "a", 20003, 3),
    ]


def test_one_day_one_row() -> None:
    # a single row: a span of 0 days still takes one bit of day
    assert _plain(_runs([("g", "m", 19000)])) == [("g", "m", 19000, 1)]


def test_no_rows_and_null_parts() -> None:
    empty = _rows([])
    got = _count_runs(empty, 20000, 3)
    assert got.height == 0
    assert got.schema == empty.group_by(*KEY).agg(pl.len().alias("n")).collect().schema
    # a null member (validated tables have none): counted as the group-by counts it, the
    # null apart from the others of its group and day
    rows = [("g1", "a", 20000), ("g1", None, 20000), ("g1", None, 20000), ("g1", "a", 20001)]
    got = _count_runs(_rows(rows), 20000, 1)  # type: ignore[arg-type]
    assert sorted(got.rows(), key=str) == sorted(
        [("g1", "a", 20000, 1), ("g1", None, 20000, 2), ("g1", "a", 20001, 1)], key=str
    )


def test_key_too_wide_is_refused() -> None:
    groups = pl.Series(["g"], dtype=ID)
    assert _activity_key(groups, 0, 10) is not None
    # 2**40 days: group code bits + 32 + 41 > 64 -> the group-by instead
    assert _activity_key(groups, 0, 1 << 40) is None
    assert _activity_key(groups, None, 10) is None  # (no day: no rows)
    assert _activity_key(groups.clear(), 0, 10) is None


def test_key_width_counts_the_group_code() -> None:
    # group codes as their physical integers (what ``_activity_key`` reads of the groups):
    # a code of 21 bits leaves 64 - 21 - 32 = 11 bits for the days, a code of 20 bits 12
    wide, narrow = (
        pl.Series([1 << 20], dtype=pl.UInt32),
        pl.Series([(1 << 20) - 1], dtype=pl.UInt32),
    )
    assert _activity_key(wide, 0, 2047) == (0, 11)  # 21 + 32 + 11 = 64: fits
    assert _activity_key(wide, 0, 2048) is None  # 21 + 32 + 12 = 65: the group-by
    assert _activity_key(narrow, 0, 2048) == (0, 12)  # 20 + 32 + 12 = 64: fits
    assert _activity_key(narrow, -5, 2043) == (-5, 12)  # (the span counts, not the days)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["g1", "g2", "g 3", "群四"]),
            st.sampled_from(["a", "b", "c", "d", "成员"]),
            st.integers(-400, 400),
        ),
        min_size=1,
        max_size=60,
    )
)
def test_same_as_group_by(rows: list[tuple[str, str, int]]) -> None:
    got = _runs(rows)
    want = _rows(rows).group_by(*KEY).agg(pl.len().alias("n")).collect()
    assert got.schema == want.schema
    assert _plain(got) == _plain(want)
    assert _plain(got) == sorted((g, m, d, n) for (g, m, d), n in Counter(rows).items())


def test_prepare_act_the_same_without_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """``prepare`` on a small fleet: its activity from the packed key equals the group-by's
    (the path taken when the key may not hold the parts)."""
    ts = [dt.datetime(2026, 11, 1, 9) + dt.timedelta(hours=7 * i) for i in range(40)]
    msgs = pl.DataFrame(
        {
            "msg_id": [str(i) for i in range(40)],
            "group_id": [f"g{i % 3}" for i in range(40)],
            "member_id": [f"u{i % 7}" for i in range(40)],
            "ts": [t.isoformat() for t in ts],
            "msg_type": ["system" if i % 11 == 0 else "text" for i in range(40)],
        }
    )
    tables = prepare_tables({"messages": msgs}, tz="Asia/Shanghai")
    as_of = dt.date(2026, 11, 10)
    fast = prepare(tables, as_of=as_of).act
    import sqops.data.membership as membership

    monkeypatch.setattr(membership, "_activity_key", lambda *a: None)
    slow = prepare(tables, as_of=as_of).act
    assert fast.schema == slow.schema
    assert fast.height > 10
    assert _plain(fast) == _plain(slow)


# ------------------------------------------------------------------ latest_day
def _folder(tmp: Path, eng: dict[str, list[object]]) -> Path:
    tmp.mkdir()
    pl.DataFrame(
        {
            "ts": [dt.datetime(2026, 12, 1, 9), dt.datetime(2026, 12, 1, 10)],
            "group_id": ["g1", "g1"],
            "member_id": ["a", "b"],
        }
    ).write_parquet(tmp / "messages.parquet")
    pl.DataFrame(eng).write_parquet(tmp / "engagement.parquet")
    return tmp


def test_latest_day_from_reading_when_no_row_was_dropped(tmp_path: Path) -> None:
    # engagement read as it is (Parquet), every row valid: its latest local day 12-03 (the
    # third row) is reading's, taken without a scan; the messages end on 12-01
    eng = {
        "ts": [
            dt.datetime(2026, 12, 1, 9),
            dt.datetime(2026, 12, 2, 9),
            dt.datetime(2026, 12, 3, 23),
        ],
        "member_id": ["a", "b", "a"],
        "event": ["open", "open", "click"],
        "post_id": ["p1", "p1", "p2"],
        "group_id": ["g1", "g1", "g1"],
    }
    tables = read_tables(_folder(tmp_path / "ok", eng))
    td = tables["engagement"]
    assert td.last_day == dt.date(2026, 12, 3) and td.rejected.height == 0
    assert latest_day(tables) == dt.date(2026, 12, 3)
    # (taken from reading: a different day there is what latest_day gives)
    td.last_day = dt.date(2026, 12, 9)
    assert latest_day(tables) == dt.date(2026, 12, 9)


def test_latest_day_scans_when_a_row_was_rejected(tmp_path: Path) -> None:
    # the latest row (12-05) has no member: rejected. Reading's latest day counts it; the
    # latest day of the rows kept is 12-02 (row 2), found by the scan
    eng = {
        "ts": [
            dt.datetime(2026, 12, 1, 9),
            dt.datetime(2026, 12, 2, 9),
            dt.datetime(2026, 12, 5, 9),
        ],
        "member_id": ["a", "b", None],
        "event": ["open", "open", "open"],
        "post_id": ["p1", "p1", "p1"],
        "group_id": ["g1", "g1", "g1"],
    }
    tables = read_tables(_folder(tmp_path / "rej", eng))
    td = tables["engagement"]
    assert td.last_day == dt.date(2026, 12, 5) and td.rejected.height == 1
    assert latest_day(tables) == dt.date(2026, 12, 2)


def test_latest_day_scans_when_a_repeated_row_was_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # coupons read as they are, with coupon c1 twice: the second c1 (12-06) is dropped as a
    # repeated id; reading's latest day counts it, the rows kept end on 12-02
    monkeypatch.setattr(tables_mod, "DIRECT", frozenset({"coupons"}))
    folder = _folder(
        tmp_path / "dup",
        {
            "ts": [dt.datetime(2026, 12, 1, 9)],
            "member_id": ["a"],
            "event": ["open"],
            "post_id": ["p1"],
            "group_id": ["g1"],
        },
    )
    pl.DataFrame(
        {
            "coupon_id": ["c1", "c2", "c1"],
            "member_id": ["a", "b", "b"],
            "ts": [
                dt.datetime(2026, 12, 1, 9),
                dt.datetime(2026, 12, 2, 9),
                dt.datetime(2026, 12, 6, 9),
            ],
        }
    ).write_parquet(folder / "coupons.parquet")
    tables = read_tables(folder)
    c = tables["coupons"]
    assert c.duplicates == 1 and c.last_day == dt.date(2026, 12, 6)
    assert latest_day(tables) == dt.date(2026, 12, 2)


# ------------------------------------------------------------------ message_days
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["g1", "g2", "群三"]),
            st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1)),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_message_days_same_as_group_by(rows: list[tuple[str, dt.datetime]]) -> None:
    # message_days groups by one integer (group code, day + 2**31): days before 1970 and far
    # after it give the same (group, day, latest time) rows as the group-by of two columns
    msgs = pl.DataFrame(
        {
            "msg_id": [str(i) for i in range(len(rows))],
            "group_id": [g for g, _ in rows],
            "member_id": ["m"] * len(rows),
            "ts": [t.isoformat(sep=" ") for _, t in rows],
        }
    )
    tables = prepare_tables({"messages": msgs}, tz="Asia/Shanghai")
    got = message_days(tables)
    want = (
        tables["messages"]
        .frame.group_by("group_id", "day")
        .agg(pl.col("ts").max().alias("last_ts"))
        .collect()
    )
    assert got.schema == want.schema
    key = ["group_id", "day"]
    text = pl.col("group_id").cast(pl.String)
    assert got.with_columns(text).sort(key).equals(want.with_columns(text).sort(key))
    assert got.height == len({(g, t.date()) for g, t in rows})
