"""``prepare``'s passes over the held tables, session 17: the days with messages taken from
the runs of a copy whose times are in order within each group (``membership._days_in_order``)
against the group-by of every row (``_days_grouped``); the messages after as-of not counted
when the days with messages show none (``_none_after``); the member events' latest names
taken as each pair's last event when the members' times are in order (``_event_names``) —
each against the general path on the same cells, and by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from sqops.data import membership
from sqops.data.membership import (
    _days_grouped,
    _days_in_order,
    _event_names,
    _none_after,
    latest_names,
    message_days,
    prepare,
)
from sqops.data.tables import read_tables

T0 = dt.datetime(2026, 12, 1, 9)  # (the files' naive times are local, Asia/Shanghai)
UTC = dt.UTC


def _utc(minutes: int) -> dt.datetime:
    return (T0 + dt.timedelta(minutes=minutes) - dt.timedelta(hours=8)).replace(tzinfo=UTC)


def _messages(rows: list[tuple[str, str, int]]) -> pl.DataFrame:
    """Rows of (group, member, minutes after T0), in this order."""
    return pl.DataFrame(
        {
            "ts": [T0 + dt.timedelta(minutes=m) for *_, m in rows],
            "group_id": [g for g, *_ in rows],
            "member_id": [m for _, m, _ in rows],
        }
    )


def _held(path: Path, files: dict[str, pl.DataFrame]):
    path.mkdir()
    for name, df in files.items():
        df.write_parquet(path / f"{name}.parquet")
    return read_tables(path, hold=1 << 30)


def _plain(df: pl.DataFrame) -> list[tuple[str, dt.date, dt.datetime]]:
    return sorted((str(g), d, t) for g, d, t in df.select("group_id", "day", "last_ts").rows())


# g1 comes in two runs, the second starting on the local day the first ended (2026-12-02:
# minutes 900 and 960 are 00:00 and 01:00 the next day) with a later time, so the day is in
# two runs and its latest time is in the second; g2 between them (minute 2000: 12-02 18:20)
TWO_RUNS = [
    ("g1", "a", 0),
    ("g1", "b", 30),
    ("g1", "a", 900),
    ("g2", "a", 10),
    ("g2", "c", 2000),
    ("g1", "b", 960),
    ("g1", "a", 3000),
]


def test_days_in_order_by_hand(tmp_path: Path) -> None:
    tables = _held(tmp_path / "d", {"messages": _messages(TWO_RUNS)})
    td = tables["messages"]
    assert td._held is not None and td.times_in_order()
    got = message_days(tables)
    assert_frame_equal(
        got.with_columns(pl.col("group_id").cast(pl.String)).sort("group_id", "day"),
        _days_grouped(td.frame)
        .with_columns(pl.col("group_id").cast(pl.String))
        .sort("group_id", "day"),
    )
    assert _plain(got) == [
        ("g1", dt.date(2026, 12, 1), _utc(30)),
        ("g1", dt.date(2026, 12, 2), _utc(960)),  # (the second run's time, not the first's 900)
        ("g1", dt.date(2026, 12, 3), _utc(3000)),
        ("g2", dt.date(2026, 12, 1), _utc(10)),
        ("g2", dt.date(2026, 12, 2), _utc(2000)),
    ]


def test_days_of_a_copy_not_in_order_are_grouped(tmp_path: Path) -> None:
    back = [*TWO_RUNS, ("g1", "a", 5)]  # (g1's times go back)
    tables = _held(tmp_path / "d", {"messages": _messages(back)})
    assert not tables["messages"].times_in_order()
    got = _plain(message_days(tables))
    assert got[0] == ("g1", dt.date(2026, 12, 1), _utc(30))
    # (the runs' last rows would take minute 5 for g1's first day)
    assert got == _plain(_days_grouped(tables["messages"].frame))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["g1", "g2", "群三"]),
            st.sampled_from(["a", "b"]),
            st.integers(0, 900),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_days_in_order_property(tmp_path_factory, rows) -> None:
    # each group's times made non-decreasing (steps up to 15 h: days with several rows and
    # days skipped), the groups mixed
    rows = [(*r[:2], sum(x[2] for x in rows[: i + 1] if x[0] == r[0])) for i, r in enumerate(rows)]
    tables = _held(tmp_path_factory.mktemp("p") / "d", {"messages": _messages(rows)})
    frame = tables["messages"].frame
    assert tables["messages"].times_in_order()
    assert _plain(_days_in_order(frame)) == _plain(_days_grouped(frame))


def test_messages_after_as_of_counted_only_when_there_are_some(tmp_path: Path, monkeypatch) -> None:
    tables = _held(tmp_path / "d", {"messages": _messages(TWO_RUNS)})
    assert tables["messages"].last_day is None  # (a held copy: reading did not find it)
    # the last message is on 2026-12-03 (local): none after it, one on it
    assert _none_after(tables, "messages", dt.date(2026, 12, 3))
    assert not _none_after(tables, "messages", dt.date(2026, 12, 2))
    counted: list[int] = []
    collect_all = pl.collect_all

    def spy(queries, *a, **k):
        counted.append(len(queries))
        return collect_all(queries, *a, **k)

    monkeypatch.setattr(membership.pl, "collect_all", spy)
    p = prepare(tables, as_of=dt.date(2026, 12, 3))
    assert p.after_as_of == {"messages": 0} and counted == [0]
    p = prepare(tables, as_of=dt.date(2026, 12, 2))
    # (g1's minute 3000: 2026-12-03 local)
    assert p.after_as_of == {"messages": 1} and counted[-1] == 1


# member events: (group, member, event, name, minutes after T0), in file order
EVENTS = [
    ("g1", "a", "join", "A1", 0),
    ("g2", "a", "join", "X1", 0),
    ("g1", "b", "join", "B1", 10),
    ("g1", "a", "profile_complete", "A2", 20),
    ("g1", "a", "profile_complete", "A3", 20),  # (the same time: the later row's name)
    ("g2", "a", "leave", None, 30),  # (no name: not a name row)
    ("g1", "b", "leave", "B2", 40),
]


def _members(rows: list[tuple[str, str, str, str | None, int]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "ts": [T0 + dt.timedelta(minutes=m) for *_, m in rows],
            "group_id": [r[0] for r in rows],
            "member_id": [r[1] for r in rows],
            "event": [r[2] for r in rows],
            "member_name": [r[3] for r in rows],
        }
    )


def _names(df: pl.DataFrame) -> dict[tuple[str, str], str]:
    return {(str(g), str(m)): str(n) for g, m, n in df.select(df.columns[:3]).rows()}


def _events(tables) -> pl.DataFrame:
    return tables["members"].frame.collect()


def test_event_names_in_order(tmp_path: Path) -> None:
    tables = _held(tmp_path / "d", {"messages": _messages(TWO_RUNS), "members": _members(EVENTS)})
    assert tables["members"].times_in_order()
    events = _events(tables)
    got = _event_names(events, tables)
    slow = latest_names(events.filter(pl.col("member_name").is_not_null()))
    key = ["group_id", "member_id"]
    text = pl.col("group_id", "member_id", "member_name").cast(pl.String)
    assert_frame_equal(got.with_columns(text).sort(key), slow.with_columns(text).sort(key))
    assert _names(got) == {("g1", "a"): "A3", ("g1", "b"): "B2", ("g2", "a"): "X1"}


def test_event_names_not_in_order_are_sorted(tmp_path: Path) -> None:
    back = [*EVENTS, ("g1", "a", "invited", "A0", 5)]  # (g1's times go back: the last row is old)
    tables = _held(tmp_path / "d", {"messages": _messages(TWO_RUNS), "members": _members(back)})
    assert not tables["members"].times_in_order()
    assert _names(_event_names(_events(tables), tables))[("g1", "a")] == "A3"
