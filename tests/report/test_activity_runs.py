"""Member activity (``prepare``'s messages per group, member and day) counted from one
packed integer per row, sorted (``_count_runs``), against the group-by it replaces and
against counts made by hand; ``_activity_key`` says when the integer holds every part."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sqops.data.membership import _activity_key, _count_runs, prepare
from sqops.data.tables import ID, prepare_tables

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


def test_key_too_wide_is_refused() -> None:
    groups = pl.Series(["g"], dtype=ID)
    assert _activity_key(groups, 0, 10) is not None
    # 2**40 days: group code bits + 32 + 41 > 64 -> the group-by instead
    assert _activity_key(groups, 0, 1 << 40) is None
    assert _activity_key(groups, None, 10) is None  # (no day: no rows)
    assert _activity_key(groups.clear(), 0, 10) is None


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


def test_prepare_act_the_same_without_the_key(monkeypatch) -> None:
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
