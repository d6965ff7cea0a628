"""The cheaper paths of ``Context.finish`` and the time text (csvfast, #19 item 2) give what
the plain way gives: the table's order (``_order``) against a plain sort by group, time and
arrival; the dedupe by message id with its one-column pre-count; ``ts_text_expr`` with a
known whole-minute offset against ``ts_text`` (differential, Hypothesis) — and hand-counted
cases."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from sqops.data.scalars import ts_text
from sqops.importers._base import _dedupe_messages, _order, ts_text_expr

_GROUPS = st.sampled_from(["a", "b", "ab", "中", "g1@chatroom", None])
_TIMES = st.sampled_from([1.0, 2.0, 2.5, -0.0, 0.0, -1.5, float("inf"), float("nan"), None])
_KEYS = st.lists(st.tuples(_GROUPS, _TIMES), min_size=0, max_size=60)


def _keys(pairs: list[tuple[str | None, float | None]], arrival: list[int]) -> pl.DataFrame:
    return pl.DataFrame(
        {"group_id": [g for g, _ in pairs], "_t": [t for _, t in pairs], "_s": arrival},
        schema={"group_id": pl.String, "_t": pl.Float64, "_s": pl.Int64},
    )


@settings(max_examples=400, deadline=None)
@given(pairs=_KEYS, data=st.data())
def test_order_is_the_sort_by_group_time_and_arrival(pairs, data):
    arrival = data.draw(st.permutations(list(range(1, len(pairs) + 1))))
    frame = _keys(pairs, arrival)
    order = _order(frame)
    got = frame if order is None else frame[order]
    assert got.equals(frame.sort("group_id", "_t", "_s"))


@settings(max_examples=200, deadline=None)
@given(times=st.lists(_TIMES, max_size=60), data=st.data())
def test_order_of_one_group_is_the_sort_by_time_and_arrival(times, data):
    arrival = data.draw(st.permutations(list(range(1, len(times) + 1))))
    frame = _keys([("g", t) for t in times], arrival)
    order = _order(frame)
    got = frame if order is None else frame[order]
    assert got.equals(frame.sort("group_id", "_t", "_s"))


def test_order_by_two_sorts_hand_made():
    # groups b, a, b, a; times 1, 3, 1, 2; arrival 4, 3, 2, 1 (not in order):
    # a@2 (row 3), a@3 (row 1), then b@1 twice: s 2 (row 2) before s 4 (row 0)
    frame = _keys([("b", 1.0), ("a", 3.0), ("b", 1.0), ("a", 2.0)], [4, 3, 2, 1])
    assert _order(frame).to_list() == [3, 1, 2, 0]
    # one group, times 5, 4, 5 arriving 1, 2, 3: 4 (row 1), then the two 5s by arrival
    assert _order(_keys([("g", 5.0), ("g", 4.0), ("g", 5.0)], [1, 2, 3])).to_list() == [1, 0, 2]


def test_order_hand_made():
    # arrival 3, 1, 2 (rows added one by one come first); groups b, a, a; times 5, 9, 7:
    # a@7 (s 2) then a@9 (s 1) then b@5 (s 3) -> rows 2, 1, 0
    frame = _keys([("b", 5.0), ("a", 9.0), ("a", 7.0)], [3, 1, 2])
    assert _order(frame).to_list() == [2, 1, 0]
    # already in order: None; in order once put in arrival order: that order
    assert _order(_keys([("a", 1.0), ("a", 2.0)], [1, 2])) is None
    assert _order(_keys([("a", 2.0), ("a", 1.0)], [2, 1])).to_list() == [1, 0]


def _messages(rows: list[tuple[str, str | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "_s": list(range(1, len(rows) + 1)),
            "group_id": [g for g, _ in rows],
            "msg_id": [m for _, m in rows],
        },
        schema={"_s": pl.Int64, "group_id": pl.String, "msg_id": pl.String},
    )


def test_dedupe_by_id_counts_the_groups():
    # id "1" in groups a and b: two messages (the pre-count sees "1" twice, the group key
    # keeps both); "2" twice in a: the second (s 4) dropped; nulls never compared
    frame = _messages([("a", "1"), ("b", "1"), ("a", "2"), ("a", "2"), ("a", None), ("a", None)])
    kept = _dedupe_messages(frame, several_files=False)
    assert kept["_s"].to_list() == [1, 2, 3, 5, 6]
    # every id once (and nulls): nothing dropped, the frame as it was
    once = _messages([("a", "1"), ("a", None), ("b", "2"), ("a", None)])
    assert _dedupe_messages(once, several_files=False).equals(once)


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.tuples(st.sampled_from("ab"), st.sampled_from(["1", "2", "3", None]))))
def test_dedupe_by_id_keeps_the_first_of_each_group_and_id(rows):
    frame = _messages(rows)
    seen: set[tuple[str, str]] = set()
    want = []
    for s, (g, m) in enumerate(rows, start=1):
        if m is not None and (g, m) in seen:
            continue
        if m is not None:
            seen.add((g, m))
        want.append(s)
    if not frame.height:
        return
    assert _dedupe_messages(frame, several_files=False)["_s"].to_list() == want


_FIXED = ["Asia/Shanghai", "Asia/Kolkata", "Asia/Kathmandu", "America/Bogota", "UTC"]


@settings(max_examples=300, deadline=None)
@given(
    when=st.datetimes(min_value=dt.datetime(1972, 1, 1), max_value=dt.datetime(2090, 12, 30)),
    tz=st.sampled_from(_FIXED),
    whole=st.booleans(),
)
def test_ts_text_with_a_whole_minute_offset_is_ts_text(when, tz, whole):
    if whole:
        when = when.replace(microsecond=0)
    aware = when.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(tz))
    offset = aware.utcoffset()
    assert offset is not None
    utc = pl.lit(when).dt.replace_time_zone("UTC")
    assert pl.select(ts_text_expr(utc, tz, offset)).item() == ts_text(aware)


def test_ts_text_with_offsets_hand_made():
    utc = pl.lit(pl.Series([dt.datetime(2026, 12, 1, 12, 15, 3, 250000)])).dt.replace_time_zone(
        "UTC"
    )
    # +05:45 (Kathmandu), -05:00 (Bogota): the wall time and the offset's text
    assert (
        pl.select(ts_text_expr(utc, "Asia/Kathmandu", dt.timedelta(hours=5, minutes=45))).item()
        == "2026-12-01T18:00:03.250+05:45"
    )
    assert (
        pl.select(ts_text_expr(utc, "America/Bogota", dt.timedelta(hours=-5))).item()
        == "2026-12-01T07:15:03.250-05:00"
    )


def test_stack_is_diagonal_relaxed():
    from sqops.importers._base import _stack

    a = pl.DataFrame({"x": ["1"], "y": [1.0]})
    null_x = pl.DataFrame({"x": [None], "y": [2.0]})  # x of type Null: relaxed to String
    other_order = pl.DataFrame({"y": [3.0], "x": ["3"]})
    fewer = pl.DataFrame({"x": ["4"]})
    for frames in ([a, a], [a, null_x], [null_x, a], [a, other_order], [a, fewer, a]):
        want = pl.concat(frames, how="diagonal_relaxed")
        got = _stack(frames)
        assert got.equals(want) and got.schema == want.schema
    # three rows stacked: "1", null, "1" (hand-counted)
    assert _stack([a, null_x, a])["x"].to_list() == ["1", None, "1"]
