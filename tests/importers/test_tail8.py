"""The import's tail and generic CSV, session 19 (tail8, #19 item 2): the messages' columns
gathered into the table's order two at a time on two threads against the one-thread gather
and polars' sort; generic times written without seconds read as they are (not copied with
``:00`` first) against the texts with ``:00`` and the row-by-row reading (differential,
Hypothesis) — and hand-made cases."""

from __future__ import annotations

import datetime as dt
import sys
import threading
import weakref
from datetime import timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sqops.importers import _base
from sqops.importers._base import (
    naive_body_in,
    naive_text_in,
    parsed_expr,
    wall_ts_text_expr,
)

from .test_csvfast3 import _bulk_equals_row_by_row

# ---------------------------------------------------------------- the gather on two threads


def _messages(
    times: list[float], groups: list[str | None], chunks: int, arrival: list[int] | None = None
) -> pl.DataFrame:
    """A messages frame of ``chunks`` chunks (the readers' frames are several), ``_s`` the
    order of arrival (default: the rows' order)."""
    n = len(times)
    data = {
        "_t": times,
        "_s": arrival or list(range(1, n + 1)),
        "ts": [f"t{i}" for i in range(n)],
        "group_id": groups,
        "member_id": [f"m{i % 5}" for i in range(n)],
        "content": [None if i % 7 == 3 else "长文本" * (i % 4) + str(i) for i in range(n)],
        "group_name": ["chat"] * n,
    }
    kinds = {"_t": pl.Float64, "_s": pl.Int64}
    frame = pl.DataFrame(data, schema={c: kinds.get(c, pl.String) for c in data})
    step = max(1, n // chunks)
    parts = [frame.slice(i, step) for i in range(0, n, step)] or [frame]
    return pl.concat(parts, rechunk=False)


_COLS = ["ts", "group_id", "member_id", "content", "group_name"]


@settings(max_examples=120, deadline=None)
@given(
    times=st.lists(st.sampled_from([3.0, 1.0, 2.0, 2.0, 5.0]), min_size=1, max_size=60),
    groups=st.sampled_from([["g"], ["g", "h", "a"], ["g", None]]),
    chunks=st.integers(1, 4),
    threads=st.sampled_from([1, 2, 3]),
    data=st.data(),
)
def test_gather_on_threads_is_polars_sort(times, groups, chunks, threads, data):
    """The table gathered by one, two or three threads (every frame above the threshold):
    polars' sort of the frame, each column one chunk."""
    n = len(times)
    arrival = data.draw(st.permutations(list(range(1, n + 1))))
    frame = _messages(times, [groups[i % len(groups)] for i in range(n)], chunks, arrival)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_base, "_GATHER_THREADS", threads)
        mp.setattr(_base, "_GATHER_THREADS_FROM", 0)
        got = _base._held_in_order([frame], _COLS)
    assert got.equals(frame.sort("group_id", "_t", "_s").select(_COLS))
    assert got.columns == _COLS
    assert all(got[c].n_chunks() == 1 for c in _COLS)


def _gather_threads(frame: pl.DataFrame, monkeypatch: pytest.MonkeyPatch) -> set[int]:
    """The threads the columns were gathered on."""
    seen: set[int] = set()
    gather = pl.Series.gather

    def spy(self: pl.Series, *a: object, **k: object) -> pl.Series:
        seen.add(threading.get_ident())
        return gather(self, *a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(pl.Series, "gather", spy)
    order = pl.Series(list(range(frame.height))[::-1], dtype=pl.UInt32)
    _base._gathered({c: frame[c] for c in ("ts", "member_id", "content")}, order)
    monkeypatch.undo()
    return seen


def test_gather_runs_beside_the_main_thread_from_the_threshold(monkeypatch):
    """From ``_GATHER_THREADS_FROM`` rows on the columns are gathered off the main thread
    (by the pool); below it, or with one thread, on the main thread alone."""
    frame = _messages([float(i % 9) for i in range(40)], ["g"] * 40, 3)
    main = threading.get_ident()
    monkeypatch.setattr(_base, "_GATHER_THREADS_FROM", 40)
    assert main not in _gather_threads(frame, monkeypatch)
    monkeypatch.setattr(_base, "_GATHER_THREADS_FROM", 41)
    assert _gather_threads(frame, monkeypatch) == {main}
    monkeypatch.setattr(_base, "_GATHER_THREADS_FROM", 0)
    monkeypatch.setattr(_base, "_GATHER_THREADS", 1)
    assert _gather_threads(frame, monkeypatch) == {main}


def test_gather_of_one_column_stays_on_the_main_thread(monkeypatch):
    """One column to gather (the others one text): no pool."""
    frame = _messages([2.0, 1.0, 3.0], ["g"] * 3, 1)
    seen: set[int] = set()
    gather = pl.Series.gather

    def spy(self: pl.Series, *a: object, **k: object) -> pl.Series:
        seen.add(threading.get_ident())
        return gather(self, *a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(_base, "_GATHER_THREADS_FROM", 0)
    monkeypatch.setattr(pl.Series, "gather", spy)
    got = _base._gathered({"ts": frame["ts"]}, pl.Series([1, 0, 2], dtype=pl.UInt32))
    monkeypatch.undo()
    assert got["ts"].to_list() == ["t1", "t0", "t2"]
    assert seen == {threading.get_ident()}


@pytest.mark.parametrize("threads_from", [0, 10**9])
def test_gathered_columns_are_let_go(threads_from, monkeypatch):
    """Each column is taken out of what it is given as it is gathered (on one thread or
    two): held by nothing else, its memory is free for the next ones."""
    monkeypatch.setattr(_base, "_GATHER_THREADS_FROM", threads_from)
    frame = _messages([3.0, 1.0, 2.0, 2.0], ["g", "h", "g", "h"], 2)
    columns = {c: frame[c] for c in ("ts", "member_id", "content")}
    frame = frame.select("_t")
    source = weakref.ref(columns["member_id"])
    got = _base._gathered(columns, pl.Series([1, 2, 3, 0], dtype=pl.UInt32))
    assert columns == {}
    assert source() is None
    assert got["member_id"].to_list() == ["m1", "m2", "m3", "m0"]


def test_finish_hands_the_messages_over(monkeypatch):
    """``finish`` keeps no hold of the messages frame while the table is gathered: the
    frame ``_held_in_order`` is given is held by the list alone (taken out of it), so that
    its columns are let go as they are gathered."""
    seen: list[int] = []
    held_in_order = _base._held_in_order

    def spy(held: list[pl.DataFrame], cols: list[str]) -> pl.DataFrame:
        (frame,) = held
        seen.append(sys.getrefcount(frame))
        del frame
        return held_in_order(held, cols)

    monkeypatch.setattr(_base, "_held_in_order", spy)
    ctx = _base.Context(tz=dt.UTC)
    ctx.add_messages(
        pl.DataFrame(
            {"_t": [2.0, 1.0], "ts": ["b", "a"], "group_id": ["g"] * 2, "member_id": ["m", "n"]}
        )
    )
    table = ctx.finish().tables["messages"]
    assert table["ts"].to_list() == ["a", "b"]
    # (the list, the name ``frame`` and getrefcount's argument: nothing else)
    assert seen == [3]


# ---------------------------------------------------------------- times without seconds

_MINUTES = st.builds(
    "{:04d}-{:02d}-{:02d} {:02d}:{:02d}".format,
    st.sampled_from([999, 1000, 1969, 2024, 2026, 9998, 9999]),
    st.integers(0, 13),
    st.sampled_from([0, 1, 28, 29, 30, 31]),
    st.integers(0, 23),
    st.sampled_from([0, 1, 30, 59]),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_MINUTES, st.none()), min_size=1, max_size=30))
def test_times_without_seconds_read_as_with_them(texts):
    """``YYYY-MM-DD HH:MM`` texts (impossible dates, years out of range, nulls) parsed
    without seconds and their ``ts`` text with the seconds given: what the texts with
    ``:00`` give."""
    frame = pl.DataFrame({"t": texts}, schema={"t": pl.String})
    t = pl.col("t")
    body, seconds = naive_body_in(frame, t)
    if any(x is not None for x in texts):
        assert body is t and seconds == ":00"
    full = frame.select(naive_text_in(frame, t).alias("b"))["b"]
    assert full.to_list() == [None if x is None else x + ":00" for x in texts]
    want = frame.select((t + ":00").alias("b"))
    assert (
        frame.select(parsed_expr(body, seconds))
        .to_series()
        .equals(want.select(parsed_expr(pl.col("b"))).to_series(), check_names=False)
    )
    for offset in (timedelta(hours=8), timedelta(hours=-3, minutes=-30), timedelta(0)):
        got = frame.select(wall_ts_text_expr(body, offset, seconds)).to_series()
        assert got.equals(
            want.select(wall_ts_text_expr(pl.col("b"), offset)).to_series(), check_names=False
        )


def test_body_and_seconds_hand_made():
    """Every text with seconds: the texts themselves and no seconds; a mix: the rewriting
    expression and no seconds."""
    t = pl.col("t")
    frame = pl.DataFrame({"t": ["2026-12-03 20:00:05", None]})
    body, seconds = naive_body_in(frame, t)
    assert body is t and seconds == ""
    frame = pl.DataFrame({"t": ["2026-12-03 20:00", "2026-12-03T20:01"]})
    body, seconds = naive_body_in(frame, t)
    assert seconds == ""
    assert frame.select(body).to_series().to_list() == [
        "2026-12-03 20:00:00",
        "2026-12-03 20:01:00",
    ]
    with pytest.raises(AssertionError):
        parsed_expr(t, ":30")


_GENERIC_MAP = (
    "table: messages\ncolumns:\n  ts: 时间\n  group_id: 群\n  member_id: 成员\n"
    "  member_name: 昵称\n  content: 内容\n  msg_type: 类型\n"
    "values:\n  msg_type: {文本: text, 图片: image}\n"
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(
                _MINUTES,
                st.sampled_from(["2026-03-08 02:30", "2026-11-01 01:30", " 2026-12-03 20:00 "]),
            ),
            st.sampled_from(["g1", "g2", ""]),
            st.sampled_from(["文本", "图片", "视频"]),
        ),
        min_size=1,
        max_size=20,
    ),
    st.sampled_from(["Asia/Shanghai", "America/New_York", "Asia/Kolkata", "UTC"]),
)
def test_generic_times_without_seconds_equal_row_by_row(tmp_path_factory, rows, tz):
    """A generic export whose every time is written without seconds (impossible dates,
    years out of range, New York's gap and repeated hour, padded): the row-by-row
    reading's tables, counts and problems."""
    from sqops.importers import generic, import_files

    tmp = tmp_path_factory.mktemp("tail8")
    lines = ["时间,群,成员,昵称,内容,类型"]
    for i, (when, group, kind) in enumerate(rows):
        lines.append(f"{when},{group},m{i % 3},成员{i % 3},第{i}条,{kind}")
    (tmp / "t.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp / "map.yaml").write_text(_GENERIC_MAP, encoding="utf-8")
    _bulk_equals_row_by_row(
        generic, lambda: import_files("generic", [tmp / "t.csv"], columns=tmp / "map.yaml", tz=tz)
    )


# ---------------------------------------------------------------- rows in the order of arrival


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["b", "a", "群", None]),
            st.sampled_from([0.0, 1.5, 60.0, -3.0, -0.0, None]),
        ),
        max_size=12,
    ),
    gaps=st.lists(st.integers(1, 3), min_size=12, max_size=12),
)
def test_order_of_rows_in_the_order_of_arrival_is_polars_sort(rows, gaps):
    """Rows whose ``_s`` rises (no row read one by one before them: generic's bulk) are not
    sorted by arrival first: the order taken is still polars' sort by group, time and
    ``_s`` (one group, several, null groups and times)."""
    arrival = [sum(gaps[: i + 1]) for i in range(len(rows))]
    frame = pl.DataFrame(
        {"group_id": [g for g, _ in rows], "_t": [t for _, t in rows], "_s": arrival},
        schema={"group_id": pl.String, "_t": pl.Float64, "_s": pl.Int64},
    )
    expected = frame.with_row_index("_o").sort("group_id", "_t", "_s")["_o"].to_list()
    got = _base._order(frame)
    assert (list(range(frame.height)) if got is None else got.to_list()) == expected


def test_order_of_rows_in_the_order_of_arrival_sorts_no_arrival(monkeypatch):
    """``_s`` rising: no arg_sort of it (the sort and the copy by arrival skipped); out of
    order: sorted by arrival first, as before."""
    calls: list[int] = []
    arg_sort = pl.Series.arg_sort

    def spy(self: pl.Series, *a: object, **k: object) -> pl.Series:
        calls.append(self.len())
        return arg_sort(self, *a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(pl.Series, "arg_sort", spy)
    frame = pl.DataFrame({"group_id": ["g", "g", "g"], "_t": [2.0, 1.0, 3.0], "_s": [1, 2, 5]})
    assert _base._order(frame).to_list() == [1, 0, 2]  # type: ignore[union-attr]
    assert calls == []
    frame = frame.with_columns(pl.Series("_s", [2, 1, 5]))
    assert _base._order(frame).to_list() == [1, 0, 2]  # type: ignore[union-attr]
    assert calls == [3]
