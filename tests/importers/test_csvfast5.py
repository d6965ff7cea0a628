"""Session 15's cheaper CSV steps (csv5, #19 item 2), each against the way it replaces:
the years checked on the parsed times (:func:`in_years`) against the year texts compared on
every row (:func:`naive_text_ts_expr`), the ``ts`` text with its first space made ``T``
against the text cut and joined again, the line-end check that counts carriage returns only
when there is one, and chatlog group names cleaned once per distinct raw name."""

from __future__ import annotations

from datetime import timedelta

import polars as pl
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sqops.importers import _csvfast
from sqops.importers._base import (
    in_years,
    naive_text_ts_expr,
    parsed_expr,
    wall_ts_text_expr,
)

from .test_csvfast3 import _bulk_equals_row_by_row

# ---------------------------------------------------------------- years checked once

_YEAR = st.sampled_from([0, 1, 999, 1000, 1001, 1969, 2026, 9997, 9998, 9999])
_BODY = st.one_of(
    st.none(),
    st.builds(
        "{:04d}-{:02d}-{:02d} {:02d}:{:02d}:{:02d}".format,
        _YEAR,
        st.integers(1, 12),
        st.integers(1, 31),  # (Feb 30, Apr 31: no such date)
        st.integers(0, 23),
        st.integers(0, 59),
        st.integers(0, 59),
    ),
)


def _old_and_new(bodies: list[str | None]) -> tuple[pl.Series, pl.Series]:
    frame = pl.DataFrame({"b": bodies}, schema={"b": pl.String})
    old = frame.select(naive_text_ts_expr(pl.col("b")).alias("t"))["t"]
    new = in_years(frame.with_columns(parsed_expr(pl.col("b")).alias("t")), "t")["t"]
    return old, new


@settings(max_examples=200, deadline=None)
@given(st.lists(_BODY, max_size=12))
@example(["0999-12-31 23:59:59", "1000-01-01 00:00:00", "9998-12-31 23:59:59"])
@example(["9999-01-01 00:00:00", "2026-12-03 20:00:00"])
@example(["0000-01-01 00:00:00"])
def test_years_checked_on_parsed_times_are_the_year_texts_compared(bodies):
    old, new = _old_and_new(bodies)
    assert new.equals(old)


def test_years_checked_on_parsed_times_hand_made():
    old, new = _old_and_new(
        ["0999-12-31 23:59:59", "1000-01-01 00:00:00", "2026-02-30 10:00:00", None]
    )
    assert new.to_list()[0] is None and new.to_list()[2:] == [None, None]
    assert str(new.to_list()[1]) == "1000-01-01 00:00:00"
    assert new.equals(old)
    # (inside the years: the frame as it is, no column compared or rebuilt)
    frame = pl.DataFrame({"b": ["2026-12-03 20:00:00"]}).with_columns(
        parsed_expr(pl.col("b")).alias("t")
    )
    assert in_years(frame, "t") is frame
    empty = frame.clear()
    assert in_years(empty, "t") is empty


# ---------------------------------------------------------------- ts: the space made "T"


def _cut_and_joined(body: pl.Expr, offset: timedelta) -> pl.Expr:
    """The ``ts`` text as session 14 wrote it (the text cut at the space and joined)."""
    a = int(offset.total_seconds())
    sign = "-" if a < 0 else "+"
    a = abs(a)
    return pl.concat_str(
        body.str.slice(0, 10),
        pl.lit("T"),
        body.str.slice(11),
        pl.lit(f"{sign}{a // 3600:02d}:{a % 3600 // 60:02d}"),
    )


@settings(max_examples=100, deadline=None)
@given(
    st.lists(_BODY, max_size=10),
    st.sampled_from([0, 8 * 60, -5 * 60, 5 * 60 + 30, -(9 * 60 + 30), 14 * 60]),
)
def test_ts_text_with_its_space_made_t_is_the_text_cut_and_joined(bodies, minutes):
    offset = timedelta(minutes=minutes)
    frame = pl.DataFrame({"b": bodies}, schema={"b": pl.String})
    got = frame.select(wall_ts_text_expr(pl.col("b"), offset))
    want = frame.select(_cut_and_joined(pl.col("b"), offset))
    assert got.to_series().equals(want.to_series())


def test_ts_text_hand_made():
    frame = pl.DataFrame({"b": ["2026-12-01 20:15:03", None]})
    got = frame.select(wall_ts_text_expr(pl.col("b"), timedelta(hours=8))).to_series()
    assert got.to_list() == ["2026-12-01T20:15:03+08:00", None]
    got = frame.select(wall_ts_text_expr(pl.col("b"), -timedelta(hours=5, minutes=30)))
    assert got.to_series().to_list() == ["2026-12-01T20:15:03-05:30", None]


# ---------------------------------------------------------------- carriage returns


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["a,b", "c,d", "", '"e\r\nf",g']), max_size=6), st.booleans())
def test_line_ends_checked_alike(lines, crlf):
    """A text whose every CR ends a line (or that has none) is read; one with a CR that
    ends no line is left to the exact reading, as before."""
    text = ("\r\n" if crlf else "\n").join(["h1,h2", *lines]) + "\n"
    data = text.encode()
    lone = data.count(b"\r") != data.count(b"\r\n")
    got = _csvfast.fast_records(data, ",", 0, last=True)
    if lone:
        assert got is None
    else:
        assert got is not None and got[0].height == 1 + sum(1 for x in lines if x)


def test_line_ends_hand_made():
    assert _csvfast.fast_records(b"a,b\n1,2\n", ",", 0, last=True) is not None
    assert _csvfast.fast_records(b"a,b\r\n1,2\r\n", ",", 0, last=True) is not None
    assert _csvfast.fast_records(b"a,b\r1,2\n", ",", 0, last=True) is None
    assert _csvfast.fast_records(b"a,b\n1,2\r", ",", 0, last=True) is None


# ---------------------------------------------------------------- chatlog group names

_NAME = st.sampled_from(["护肤群", " 护肤群 ", "\u3000护肤群", "护肤群\x1f", "", " ", "Glow\u200b"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_NAME, st.sampled_from(["g1@chatroom", "g2@chatroom"])), max_size=10))
def test_chatlog_group_names_cleaned_once_each_equal_row_by_row(tmp_path_factory, rows):
    """The chatlog bulk cleans each distinct raw group name (padded, blank, zero-width) once,
    not every row's name stripped first: the tables, counts and problems of the row-by-row
    reading."""
    from sqops.importers import import_files, wechat

    tmp = tmp_path_factory.mktemp("chatlog_names")
    lines = ["Time,SenderName,Sender,TalkerName,Talker,Content"]
    for i, (name, talker) in enumerate(rows):
        lines.append(f"2026-12-03 19:00:{i:02d},Mia,wxid_a,{name},{talker},hi")
    (tmp / "chat.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    _bulk_equals_row_by_row(wechat, lambda: import_files("wechat-chatlog", [tmp / "chat.csv"]))


def test_chatlog_group_names_hand_made(tmp_path):
    from sqops.importers import import_files

    text = (
        "Time,SenderName,Sender,TalkerName,Talker,Content\n"
        "2026-12-03 19:00:00,Mia,wxid_a, 护肤群 ,g1@chatroom,hi\n"
        "2026-12-03 19:00:01,Mia,wxid_a,\u3000护肤群,g1@chatroom,hi\n"
        "2026-12-03 19:00:02,Mia,wxid_a, ,g2@chatroom,hi\n"
    )
    (tmp_path / "chat.csv").write_text(text, encoding="utf-8")
    messages = import_files("wechat-chatlog", [tmp_path / "chat.csv"]).tables["messages"]
    assert messages["group_name"].to_list() == ["护肤群", "护肤群", None]


# ---------------------------------------------------------------- ts looked up by day and second

_INSTANT = st.integers(0, 4_102_444_800 * 1_000_000 - 1)  # 1970 up to 2100, microseconds


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.one_of(st.none(), _INSTANT), max_size=12),
    st.sampled_from([0, 8 * 60, -5 * 60, 5 * 60 + 30, 14 * 60, -12 * 60]),
)
@example([0, 86_399_999_999], 0)  # the first and last microsecond of 1970-01-01 (UTC)
@example([1_764_547_200_000_000, 1_764_547_200_123_000], -5 * 60)
def test_ts_looked_up_by_day_and_second_is_the_formatted_text(instants, minutes):
    """``ts_text_expr`` given the wall-clock days (each day's and each second's text looked
    up) writes what it writes by formatting every time (``strftime``), in and out of the
    range it formats by Python."""
    from sqops.importers._base import ts_text_expr

    offset = timedelta(minutes=minutes)
    utc = pl.Series("u", instants, dtype=pl.Int64).cast(pl.Datetime("us", "UTC"))
    frame = utc.to_frame()
    walls = [(t.replace(tzinfo=None) + offset) for t in utc.drop_nulls().to_list()]
    days = (min(walls).date(), max(walls).date()) if walls else None
    want = frame.select(ts_text_expr(pl.col("u"), "Etc/UTC", offset)).to_series()
    got = frame.select(ts_text_expr(pl.col("u"), "Etc/UTC", offset, days)).to_series()
    assert got.to_list() == want.to_list()


def test_ts_looked_up_hand_made():
    from datetime import date

    from sqops.importers._base import _wall_text_expr

    wall = pl.Series("w", ["2026-12-01 00:00:00", "2026-12-03 23:59:59", None])
    frame = wall.str.to_datetime("%Y-%m-%d %H:%M:%S").to_frame()
    got = frame.select(_wall_text_expr(pl.col("w"), (date(2026, 12, 1), date(2026, 12, 3))))
    assert got.to_series().to_list() == ["2026-12-01T00:00:00", "2026-12-03T23:59:59", None]
    # (a day outside the days given: null; days before 1970: formatted)
    got = frame.select(_wall_text_expr(pl.col("w"), (date(2026, 12, 1), date(2026, 12, 2))))
    assert got.to_series().to_list() == ["2026-12-01T00:00:00", None, None]
    got = frame.select(_wall_text_expr(pl.col("w"), (date(1969, 12, 1), date(2026, 12, 2))))
    assert got.to_series().to_list() == ["2026-12-01T00:00:00", "2026-12-03T23:59:59", None]


# ---------------------------------------------------------------- the tables layer not loaded


def test_a_csv_import_does_not_load_the_tables_layer(tmp_path):
    """An import needs only :func:`fixed_offset` of the tables layer: it loads the small
    module that has it, not :mod:`sqops.data.tables` (2,000 lines, compiled in every run
    where Python writes no bytecode: 0.05 CPU-s)."""
    import subprocess
    import sys

    (tmp_path / "chat.csv").write_text(
        "Time,SenderName,Sender,TalkerName,Talker,Content\n"
        "2026-12-03 19:00:00,Mia,wxid_a,护肤群,g1@chatroom,hi\n",
        encoding="utf-8",
    )
    code = (
        "import sys\n"
        "from sqops.importers import import_files, write_tables\n"
        f"r = import_files('wechat-chatlog', [{str(tmp_path / 'chat.csv')!r}])\n"
        f"write_tables(r, {str(tmp_path / 'out')!r})\n"
        "print('sqops.data.offsets' in sys.modules, 'sqops.data.tables' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "False"]
    from sqops.data import offsets, tables

    assert tables.fixed_offset is offsets.fixed_offset  # (re-exported: one cache)


# ---------------------------------------------------------------- row groups asked with Booleans


def test_row_group_sizes_asked_with_booleans_are_those_of_texts():
    """The row groups polars cuts a frame of n rows into are asked with a column of
    Boolean nulls (a bitmap): the sizes of a column of String nulls, and of a frame of
    texts, as it writes them."""
    import io

    from sqops.importers._pqstitch import PARQUET_OPTIONS, _get, footer, row_group_sizes

    def written(frame: pl.DataFrame) -> list[int]:
        buf = io.BytesIO()
        frame.write_parquet(buf, **PARQUET_OPTIONS)
        return [_get(rg, 3) for rg in _get(footer(buf.getvalue()), 4)[1]]

    for n in (1, 2, 65_536, 124_999, 125_000, 125_001, 262_145, 1_000_001):
        nulls = pl.DataFrame({"a": pl.repeat(None, n, dtype=pl.String, eager=True)})
        assert row_group_sizes(n) == written(nulls), n
    i = pl.int_range(300_007, eager=True)
    texts = pl.DataFrame({"t": i.cast(pl.String) + " 你好", "g": (i % 3).cast(pl.String)})
    assert row_group_sizes(texts.height) == written(texts)
