"""The cheaper paths of session 13 (csvfast3, #19 item 2) give what the plain way gives: the
polars read started before the line ends are found (with the delimiter of the first lines)
against the read after them, the readers' bulk against their row-by-row reading
(differential, Hypothesis) — and hand-counted cases. (The table's order by two one-key
sorts: tests/importers/test_finish_fast.py.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sqops.importers import _csvfast

_CELL = st.text(alphabet='ab,;\t" \n\r中', max_size=6)


@pytest.mark.fuzz
@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.lists(_CELL, min_size=1, max_size=4), min_size=1, max_size=12),
    st.sampled_from([",", ";", "\t"]),
)
@example([["", ""], ["a", "b"], ["c", "d"]], "\t")
def test_read_started_early_is_the_read_after_the_line_ends(rows, delim):
    """A whole text read by polars from the start (with the delimiter of its first lines)
    gives what the read after the scan gives."""
    text = "\n".join(delim.join(r) for r in rows) + "\n"
    data = text.encode("utf-8")

    def read(alongside: int):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(_csvfast, "ALONGSIDE_BYTES", alongside)
            return _csvfast.fast_records(data, None, 0, last=True)

    early, after = read(0), read(1 << 60)
    assert (early is None) == (after is None)
    if early is not None and after is not None:
        assert early[1:] == after[1:]
        assert early[0].equals(after[0])


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 9000), st.integers(0, 40), st.sampled_from([",", ";", "\t"]))
def test_head_lines_sniff_what_all_lines_sniff(blank, width, delim):
    """The delimiter sniffed from the first lines alone (:func:`_csvfast._head_lines`: more
    than 4096 line ends, or all) is the one sniffed from every line end of the text."""
    import numpy as np

    data = ("\n" * blank + delim.join(["a"] * 3) + "\n" + "x" * width + "\n").encode()
    arr = np.frombuffer(data, dtype=np.uint8)
    head = _csvfast._head_lines(arr)
    assert len(head) > 4096 or len(head) == data.count(b"\n")
    every = _csvfast.positions(arr, 10)
    assert _csvfast.sniff_delimiter(data, head) == _csvfast.sniff_delimiter(data, every)


def test_head_lines_hand_made():
    import numpy as np

    # 70,000 short lines: the first 64 KiB hold more than 4096 of them (not all are scanned)
    data = b"a;b\n" * 70_000
    head = _csvfast._head_lines(np.frombuffer(data, dtype=np.uint8))
    assert 4096 < len(head) < 70_000
    assert _csvfast.fast_records(data, None, 0, last=True) is not None
    # no line end at all: all of it (none)
    assert len(_csvfast._head_lines(np.frombuffer(b"a,b", dtype=np.uint8))) == 0


def _bulk_equals_row_by_row(module: object, run_import: Callable[[], Any]) -> None:
    """``run_import`` with ``module``'s bulk CSV reading and with its row-by-row reading
    (``csv_frames`` replaced by ``read_text``): the same tables, counts and problems, or the
    same refusal."""
    from sqops.importers._base import read_text

    def run(bulk: bool) -> Any:
        with pytest.MonkeyPatch.context() as mp:
            if not bulk:
                mp.setattr(module, "csv_frames", lambda p, d, t=None, **_: read_text(p, d))
            try:
                return run_import()
            except Exception as e:  # (no row at all: both refuse alike)
                return type(e).__name__

    fast, slow = run(True), run(False)
    if isinstance(slow, str) or isinstance(fast, str):
        assert fast == slow
        return
    assert fast.tables.keys() == slow.tables.keys()
    for name, frame in slow.tables.items():
        assert fast.tables[name].equals(frame), name
    assert fast.counts == slow.counts
    assert [(p.code, p.where, p.text) for p in fast.problems] == [
        (p.code, p.where, p.text) for p in slow.problems
    ]


# ---------------------------------------------------------------- generic: values kept once

_GENERIC_MAP = (
    "table: messages\ncolumns:\n  ts: 时间\n  group_id: 群\n  member_id: 成员\n"
    "  member_name: 昵称\n  content: 内容\n  msg_type: 类型\n"
    "values:\n  msg_type: {文本: text, 图片: image}\ndefaults:\n  group_id: 默认群\n"
)
_VALUE = st.sampled_from(
    ["", " ", "g1", " g1 ", "\u3000m1", "m2", "文本", " 图片", "视频号", "text", "\x1cm2", "g1\x85"]
)
_TIME = st.sampled_from(
    ["2026-12-03 20:00", "2026-12-03 20:00:05", " 2026-12-03T20:01 ", "2026/12/03 20:05", "x", ""]
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(_TIME, _VALUE, _VALUE, _VALUE, _VALUE, _VALUE, st.integers(2, 6)),
        min_size=1,
        max_size=12,
    )
)
def test_generic_values_kept_once_equal_row_by_row(tmp_path_factory, rows):
    """The generic reader's bulk (values stripped and mapped once, kept for both queries)
    gives the tables, counts and problems of the row-by-row reading: random cells with white
    space, mapped and unmapped types, empty required cells, the default group, short rows."""
    from sqops.importers import generic, import_files

    tmp = tmp_path_factory.mktemp("generic")
    lines = ["时间,群,成员,昵称,内容,类型"]
    for *cells, width in rows:
        lines.append(",".join(cells[:width]))
    (tmp / "t.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp / "map.yaml").write_text(_GENERIC_MAP, encoding="utf-8")

    _bulk_equals_row_by_row(
        generic, lambda: import_files("generic", [tmp / "t.csv"], columns=tmp / "map.yaml")
    )


# ---------------------------------------------------------------- by_distinct: texts kept

_NAME = st.sampled_from(["Ana", "成员1", "", " ", "\u200bCy", "A  b", "Mia ", None, "e\u0301"])


@settings(max_examples=200, deadline=None)
@given(st.lists(_NAME, max_size=20), st.sampled_from(["shown", "or_null", "clean"]))
def test_by_distinct_is_the_expression_on_every_row(names, which):
    """``by_distinct`` (a text mapped once per distinct value; ``source`` itself when every
    text maps to itself) gives what the expression gives on every row (nulls, empties,
    names a name's cleaning changes or makes null)."""
    from sqops.importers._base import (
        by_distinct,
        clean_name_expr,
        name_or_null_expr,
        shown_name_expr,
    )

    fn = {"shown": shown_name_expr, "or_null": name_or_null_expr, "clean": clean_name_expr}[which]
    frame = pl.DataFrame({"n": names}, schema={"n": pl.String})
    # (in a frame's columns: one distinct text is given as a constant)
    got = frame.with_columns(by_distinct(frame, pl.col("n"), fn).alias("v"))["v"]
    want = frame.with_columns(fn(pl.col("n")).alias("v"))["v"]
    assert got.dtype == pl.String
    assert got.to_list() == want.to_list()


def test_by_distinct_hand_made():
    from sqops.importers._base import by_distinct, name_or_null_expr

    # clean names: the column as it is; a blank name among them: null there (not itself)
    frame = pl.DataFrame({"n": ["Ana", "Bo", None, "Ana"]})
    assert by_distinct(frame, pl.col("n"), name_or_null_expr).meta.eq(pl.col("n"))
    frame = pl.DataFrame({"n": ["Ana", " ", None]})
    got = frame.with_columns(by_distinct(frame, pl.col("n"), name_or_null_expr))["n"]
    assert got.to_list() == ["Ana", None, None]


# ---------------------------------------------------------------- naive times: one check

_WHEN = st.sampled_from(
    [
        "2026-12-03 20:00:05",
        "2026-12-03 20:00",
        "2026-12-31 23:59",
        "2026-12-03 20:60",
        "2026-12-03T20:01",
        "2026-12-03T20:01:02",
        "2026-02-30 10:00:00",  # (no such day: the same text, no time after)
        "2026-12-03 24:00:00",
        "2026/12/03 20:05:00",
        " 2026-12-03 20:00:05",
        "",
        None,
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_WHEN, max_size=12))
def test_naive_text_in_is_naive_text_expr(texts):
    """``naive_text_in`` (the column itself when every text is written the standard way
    already) gives :func:`naive_text_expr`'s texts."""
    from sqops.importers._base import naive_text_expr, naive_text_in

    frame = pl.DataFrame({"t": texts}, schema={"t": pl.String})
    got = frame.with_columns(naive_text_in(frame, pl.col("t")).alias("b"))["b"]
    want = frame.with_columns(naive_text_expr(pl.col("t")).alias("b"))["b"]
    assert got.to_list() == want.to_list()


def test_naive_text_in_hand_made():
    from sqops.importers._base import naive_text_in

    # every text standard (a null among them): the column itself; one in minutes: rewritten
    frame = pl.DataFrame({"t": ["2026-12-03 20:00:05", None]})
    assert naive_text_in(frame, pl.col("t")).meta.eq(pl.col("t"))
    frame = pl.DataFrame({"t": ["2026-12-03 20:00:05", "2026-12-03T20:01"]})
    got = frame.select(naive_text_in(frame, pl.col("t")))["t"].to_list()
    assert got == ["2026-12-03 20:00:05", "2026-12-03 20:01:00"]
    # every text in minutes (a null among them): ":00" added; one at hour 24: the long way
    frame = pl.DataFrame({"t": ["2026-12-03 20:00", None, "2026-12-04 07:59"]})
    got = frame.select(naive_text_in(frame, pl.col("t")))["t"].to_list()
    assert got == ["2026-12-03 20:00:00", None, "2026-12-04 07:59:00"]
    frame = pl.DataFrame({"t": ["2026-12-03 20:00", "2026-12-03 24:00"]})
    got = frame.select(naive_text_in(frame, pl.col("t")))["t"].to_list()
    assert got == ["2026-12-03 20:00:00", None]


# ---------------------------------------------------------------- message ids: distinct

_ID = st.sampled_from(
    ["1", "01", "+1", " 1", "2", "-2", "a", "", "99999999999999999999", "9223372036854775807", None]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ID, max_size=12))
def test_all_distinct_is_the_count_of_distinct_texts(ids):
    """``_all_distinct`` (ids counted as numbers first) says what counting the texts says."""
    from sqops.importers._base import _all_distinct

    s = pl.Series("msg_id", ids, dtype=pl.String)
    nulls = s.null_count()
    assert _all_distinct(s, nulls) == (s.drop_nulls().n_unique() == s.len() - nulls)


def test_all_distinct_hand_made():
    from sqops.importers._base import _all_distinct

    # 1, 2, 3 and a null: distinct; "1" and "01" (one number, two texts): distinct texts;
    # "7" twice: not
    assert _all_distinct(pl.Series(["1", "2", None, "3"]), 1)
    assert _all_distinct(pl.Series(["1", "01"]), 0)
    assert not _all_distinct(pl.Series(["7", "x", "7"]), 0)


# ---------------------------------------------------------------- white space: polars' own


def test_polars_strips_what_python_strips_but_four_characters():
    """``CsvFrame.strip`` takes polars' ``strip_chars()`` for ``str.strip()`` when the text
    holds none of U+001C–U+001F: every other code point is stripped (or kept) alike."""
    cps = [c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    texts = [chr(c) + "a" + chr(c) for c in cps]
    got = pl.Series(texts).str.strip_chars().to_list()
    differ = [c for c, t, g in zip(cps, texts, got, strict=True) if t.strip() != g]
    assert differ == [0x1C, 0x1D, 0x1E, 0x1F]


def test_plain_spaces_hand_made():
    from sqops.importers._base import csv_bytes_frame, plain_spaces

    assert plain_spaces("a, b\u3000\n".encode())
    assert not plain_spaces(b"a,\x1fb\n")
    # a frame read from a text with U+001F strips it as Python does (the cell "\x1f b")
    text = "时间,内容\n1,\x1f b \n2,c\n" + "3,d\n" * 3
    frame = csv_bytes_frame(text.encode(), "t.csv")
    assert frame is not None and not frame.plain_spaces
    assert frame.rows.select(frame.strip(pl.col("c1")))["c1"].to_list()[:2] == ["b", "c"]
    frame = csv_bytes_frame(text.replace("\x1f", "\u2003").encode(), "t.csv")
    assert frame is not None and frame.plain_spaces
    assert frame.rows.select(frame.strip(pl.col("c1")))["c1"].to_list()[:2] == ["b", "c"]


_PAD = st.sampled_from(["", " ", "\x1c", "\x1f ", "\u3000", "\x85", "\u200b", "\t"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_PAD, _PAD, st.sampled_from(["Mia", "wxid_a", ""])), max_size=10))
def test_chatlog_cells_stripped_either_way_equal_row_by_row(tmp_path_factory, pads):
    """The chatlog reader's bulk, its cells stripped by polars (a text without U+001C–U+001F)
    or by the list of Python's white space (a text with them), gives the tables, counts and
    problems of the row-by-row reading."""
    from sqops.importers import import_files, wechat

    tmp = tmp_path_factory.mktemp("chatlog")
    lines = ["Time,SenderName,Sender,TalkerName,Talker,Content"]
    for i, (a, b, who) in enumerate(pads):
        lines.append(f"2026-12-03 19:00:{i:02d},{a}{who}{b},{b}{who},{a}群,{b}g@chatroom{a},hi")
    (tmp / "chat.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    _bulk_equals_row_by_row(wechat, lambda: import_files("wechat-chatlog", [tmp / "chat.csv"]))


def test_a_quoted_field_of_many_lines_past_the_field_limit_is_the_exact_readings():
    """A quoted field whose lines are each short but which, whole, is longer than the csv
    module's field limit: left to the exact reading (whose error says so), not read fast
    (found by the review of session 17; main read it too)."""
    import csv

    import pytest

    from sqops.errors import InputError
    from sqops.importers._base import csv_bytes_frame, read_csv_frame

    limit = csv.field_size_limit()
    lines = limit // 1000 + 10
    data = b'h1,h2\n1,"' + (b"x" * 999 + b"\n") * lines + b'"\n'
    assert csv_bytes_frame(data, "t") is None
    with pytest.raises(InputError, match="field larger than field limit"):
        read_csv_frame(data.decode(), "t")
