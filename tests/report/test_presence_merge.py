"""Presence intervals: ``merge_intervals`` (blocks found without a group-by) and
``_presence`` (the spoken days outside a member's one event interval found from their first
and last day spoken) against plain Python on small tables."""

from __future__ import annotations

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sqops.data.membership import _presence, merge_intervals
from sqops.data.tables import ID


def _iv(rows: list[tuple[str, str, int, int]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={"group_id": ID, "member_id": ID, "s": pl.Int32, "e": pl.Int32},
        orient="row",
    )


def _union(rows: list[tuple[str, str, int, int]]) -> list[tuple[str, str, int, int]]:
    """The union of inclusive day intervals per pair, touching ones merged, by day sets."""
    days: dict[tuple[str, str], set[int]] = {}
    for g, m, s, e in rows:
        days.setdefault((g, m), set()).update(range(s, e + 1))
    out = []
    for (g, m), ds in days.items():
        start = prev = None
        for d in sorted(ds):
            if start is None:
                start = prev = d
            elif d == prev + 1:  # type: ignore[operator]
                prev = d
            else:
                out.append((g, m, start, prev))
                start = prev = d
        out.append((g, m, start, prev))
    return sorted(out)  # type: ignore[arg-type]


def _rows(df: pl.DataFrame) -> list[tuple[str, str, int, int]]:
    return sorted(
        (str(g), str(m), int(s), int(e))
        for g, m, s, e in df.select("group_id", "member_id", "s", "e").iter_rows()
    )


def test_merge_by_hand() -> None:
    rows = [
        # g1/a: 1-3 and 4-6 touch (one interval 1-6); 10-12 apart; 11-11 inside it
        ("g1", "a", 4, 6),
        ("g1", "a", 1, 3),
        ("g1", "a", 10, 12),
        ("g1", "a", 11, 11),
        # g1/b: 2-20 swallows 5-7 and 8-9; 22-22 is a day after 20 + 1: apart
        ("g1", "b", 5, 7),
        ("g1", "b", 2, 20),
        ("g1", "b", 8, 9),
        ("g1", "b", 22, 22),
        # g2/a: the same member in another group is another pair: never merged with g1/a
        ("g2", "a", 7, 9),
    ]
    got = merge_intervals(_iv(rows))
    assert got.columns == ["group_id", "member_id", "s", "e"]
    assert _rows(got) == [
        ("g1", "a", 1, 6),
        ("g1", "a", 10, 12),
        ("g1", "b", 2, 20),
        ("g1", "b", 22, 22),
        ("g2", "a", 7, 9),
    ]
    # in no particular order of the pairs (their keys'), each pair's intervals by start
    starts: dict[tuple[str, str], list[int]] = {}
    for g, m, s, _e in got.iter_rows():
        starts.setdefault((str(g), str(m)), []).append(int(s))
    assert all(v == sorted(v) for v in starts.values())


_interval = st.tuples(
    st.sampled_from(["g1", "g2"]),
    st.sampled_from(["a", "b", "c"]),
    st.integers(0, 30),
    st.integers(0, 6),
).map(lambda t: (t[0], t[1], t[2], t[2] + t[3]))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_interval, min_size=1, max_size=25))
def test_merge_against_python(rows: list[tuple[str, str, int, int]]) -> None:
    assert _rows(merge_intervals(_iv(rows))) == _union(rows)


def _presence_by_days(
    act: list[tuple[str, str, int]],
    ev_iv: list[tuple[str, str, int, int]],
    with_ev: set[tuple[str, str]],
    d0: dict[str, int],
    asof: int,
) -> list[tuple[str, str, int, int]]:
    """Spec §2 as days: event intervals, every day spoken by a member with events, and D0..as-of
    for a speaker without events."""
    rows = list(ev_iv)
    for g, m, day in act:
        if (g, m) in with_ev:
            rows.append((g, m, day, day))
        else:
            rows.append((g, m, d0[g], asof))
    return _union(rows)


def _groups() -> pl.DataFrame:
    """Two groups: g1 with D0 day 0, g2 with D0 day 3."""
    return pl.DataFrame(
        {"group_id": ["g1", "g2"], "d0": [0, 3]}, schema={"group_id": ID, "d0": pl.Int32}
    )


def _events(rows: list[tuple[str, str, str, int, int]]) -> pl.DataFrame:
    """Member events from (group, member, event, seconds since 1970 UTC, day)."""
    import datetime as dt

    base = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return pl.DataFrame(
        [(g, m, e, base + dt.timedelta(seconds=t), d) for g, m, e, t, d in rows],
        schema={
            "group_id": ID,
            "member_id": ID,
            "event": pl.String,
            "ts": pl.Datetime("us", "UTC"),
            "day": pl.Int32,
        },
        orient="row",
    )


_event = st.tuples(
    st.sampled_from(["g1", "g2"]),
    st.sampled_from(["a", "b", "c"]),
    st.sampled_from(["join", "leave"]),
    st.integers(0, 20),
)
_spoke = st.tuples(
    st.sampled_from(["g1", "g2"]), st.sampled_from(["a", "b", "c"]), st.integers(0, 25)
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_event, max_size=12), st.lists(_spoke, min_size=1, max_size=15))
def test_presence_spoken_days_against_python(
    events: list[tuple[str, str, str, int]], spoke: list[tuple[str, str, int]]
) -> None:

    from sqops.data.membership import presence_from_events

    asof = 25
    d0 = {"g1": 0, "g2": 3}
    groups = _groups()
    ev = _events([(g, m, e, d * 86_400 + i, d) for i, (g, m, e, d) in enumerate(events)])
    act_rows = sorted(set(spoke))
    act = pl.DataFrame(
        [(g, m, d, 1) for g, m, d in act_rows],
        schema={"group_id": ID, "member_id": ID, "day": pl.Int32, "n": pl.UInt32},
        orient="row",
    )
    basis, got, last = _presence(act, ev, groups, asof)
    assert basis == "membership"
    # each speaker's last day spoken (what silence reads)
    lasts: dict[tuple[str, str], int] = {}
    for g, m, d in act_rows:
        lasts[(g, m)] = max(d, lasts.get((g, m), d))
    assert sorted((str(g), str(m), int(d)) for g, m, d in last.iter_rows()) == sorted(
        (g, m, d) for (g, m), d in lasts.items()
    )
    ev_iv = _rows(presence_from_events(ev, groups, asof))
    with_ev = {(g, m) for g, m, _e, _d in events}
    assert _rows(got) == _presence_by_days(act_rows, ev_iv, with_ev, d0, asof)


def test_silence_from_prepare_equals_silence_from_the_activity() -> None:
    """silence reads each speaker's last day spoken that prepare made on the way to presence;
    without it (a Prepared without that memo, as a partitioned run's) it groups the activity:
    the same frame, on the example's data at two as-of days."""
    import dataclasses
    import datetime as dt

    from polars.testing import assert_frame_equal
    from tests.conftest import EXAMPLES

    from sqops.data.membership import LAST_SPOKEN, prepare
    from sqops.data.tables import read_tables
    from sqops.report.lists import silence

    tables = read_tables(EXAMPLES / "skincare" / "data", tz="Asia/Shanghai")
    for day in (dt.date(2026, 11, 20), dt.date(2026, 12, 1)):
        p = prepare(tables, as_of=day)
        assert LAST_SPOKEN in p.memo
        fresh = dataclasses.replace(p, memo={})
        got, want = silence(p), silence(fresh)
        assert want.height > 0
        key = ["group_id", "member_id"]
        assert_frame_equal(got.sort(key), want.sort(key))


def test_merge_rows_ending_before_they_start() -> None:
    """A row with e < s (a speaker without events from D0 when D0 is after as-of: s = D0,
    e = as-of) is a block of its own ending at its own e, as the group-by over the blocks
    gave it: not at the running end of its pair's earlier blocks, nor of earlier pairs."""
    # g2: D0 day 20, as-of day 10, three speakers: each (20, 10), as given
    rows = [("g2", "a", 20, 10), ("g2", "b", 20, 10), ("g2", "c", 20, 10)]
    assert _rows(merge_intervals(_iv(rows))) == rows
    # g1/a: 0-7, then 10-5 starts after 7 + 1: a block of its own, its largest e is 5 (not 7)
    rows = [("g1", "a", 0, 7), ("g1", "a", 10, 5)]
    assert _rows(merge_intervals(_iv(rows))) == rows


def _blocks(rows: list[tuple[str, str, int, int]]) -> list[tuple[str, str, int, int]]:
    """The blocks of the rows sorted by (pair, s, e) as the group-by made them: a row after
    every earlier row of its pair ended (+1) starts one; a block is its smallest s and its
    largest e (rows with e < s included, as they are)."""
    by: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for g, m, s, e in rows:
        by.setdefault((g, m), []).append((s, e))
    out = []
    for (g, m), ivs in by.items():
        top: int | None = None
        cur: list[int] = []
        for s, e in sorted(ivs):
            if top is None or s > top + 1:
                if cur:
                    out.append((g, m, cur[0], cur[1]))
                cur = [s, e]
            else:
                cur[1] = max(cur[1], e)
            top = e if top is None else max(top, e)
        out.append((g, m, cur[0], cur[1]))
    return sorted(out)


_any_interval = st.tuples(
    st.sampled_from(["g1", "g2"]),
    st.sampled_from(["a", "b", "c"]),
    st.integers(0, 30),
    st.integers(-3, 6),
).map(lambda t: (t[0], t[1], t[2], t[2] + t[3]))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_any_interval, min_size=1, max_size=25))
def test_merge_blocks_with_rows_ending_before_they_start(
    rows: list[tuple[str, str, int, int]],
) -> None:
    assert _rows(merge_intervals(_iv(rows))) == _blocks(rows)


def _intervals_by_python(
    events: list[tuple[str, str, str, int, int]], d0: dict[str, int], asof: int
) -> list[tuple[str, str, int, int]]:
    """Spec §2 one event at a time: per pair, the events by time (a join before a leave at
    the same time); a join opens (none while open), a leave closes what is open on its day,
    else opens at D0 (the pair's first event) or at their previous leave's day and closes on
    its own day; what is open runs to as-of; an end after as-of is as-of, and an interval
    starting after its end is left out."""
    by: dict[tuple[str, str], list[tuple[int, int, str, int]]] = {}
    for g, m, ev, sec, day in events:
        if ev not in ("join", "leave"):  # (other member events open and close nothing)
            continue
        by.setdefault((g, m), []).append((sec, ev == "leave", ev, day))
    out = []
    for (g, m), evs in by.items():
        opened: int | None = None
        prev_day: int | None = None
        got = []
        for _sec, _lv, ev, day in sorted(evs, key=lambda x: (x[0], x[1])):
            if ev == "join":
                if opened is None:
                    opened = day
            elif opened is not None:
                got.append((opened, day))
                opened = None
            else:
                got.append((d0[g] if prev_day is None else prev_day, day))
            prev_day = day
        if opened is not None:
            got.append((opened, asof))
        out += [(g, m, s, min(e, asof)) for s, e in got if s <= min(e, asof)]
    return sorted(out)


_timed_event = st.tuples(
    st.sampled_from(["g1", "g2"]),
    st.sampled_from(["a", "b", "c"]),
    st.sampled_from(["join", "leave", "join", "leave", "invited"]),
    st.integers(0, 40),  # (seconds: ties between a join and a leave too)
    st.integers(0, 30),  # (the day, from which the time is made: after as-of too)
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_timed_event, max_size=14))
def test_presence_from_events_against_python(
    events: list[tuple[str, str, str, int, int]],
) -> None:
    """The intervals read from each start and the row after it (no group-by over the
    intervals) against the events replayed one at a time."""

    from sqops.data.membership import presence_from_events

    asof = 25
    d0 = {"g1": 0, "g2": 3}
    # (a pair's times follow its days: the day's start plus the seconds)
    rows = [(g, m, e, d * 86_400 + sec, d) for g, m, e, sec, d in events]
    got = presence_from_events(_events(rows), _groups(), asof)
    assert got.columns == ["group_id", "member_id", "s", "e"]
    assert [got.schema[c] for c in ("s", "e")] == [pl.Int32, pl.Int32]
    assert _rows(got) == _intervals_by_python(rows, d0, asof)
