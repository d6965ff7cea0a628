"""polars' CSV reader (``_csvfast``) reads what Python's csv module reads — the same header,
cells, cell counts and line numbers — or declines (``None``) and leaves the file to the exact
reading. Differential tests on random texts (quotes, line breaks, BOM, CR LF, empty fields,
ragged rows) and on what a CSV writer writes (where it must not decline)."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sqops.errors import InputError
from sqops.importers import _base
from sqops.importers._base import csv_bytes_frame, read_csv, starts_like_json

_PIECES = st.sampled_from(
    ["a", "中文", " ", ",", ";", "\t", '"', '""', "\n", "\r\n", "x y", "", "\u3000", "\x1c", "é"]
)
_TEXTS = st.lists(_PIECES, min_size=1, max_size=40).map("".join)


def _rows(frame):
    return [
        (r["_line"], [r[f"c{i}"] for i in range(r["_n"])]) for r in frame.rows.iter_rows(named=True)
    ]


def _exact(text):
    try:
        return read_csv(text, "t.csv")
    except InputError as exc:
        return ("error", str(exc))


def _same(data: bytes, frame) -> None:
    want = _exact(data.decode("utf-8-sig"))
    assert not isinstance(want, tuple), want  # polars read it: so does the csv module
    assert (frame.header, frame.header_line) == (want.header, want.header_line)
    assert _rows(frame) == want.rows
    # the cell columns: as many as the longest row has, null past each row's end
    width = max((len(c) for _, c in want.rows), default=0)
    assert frame.rows.columns == ["_line", "_n", *(f"c{i}" for i in range(width))]


@pytest.mark.fuzz
@settings(max_examples=400, deadline=None)
@given(_TEXTS, st.booleans(), st.sampled_from([64, 1 << 19]))
# an empty line and a record with an empty cell past the width ("a,,": polars reads it as
# full) have as many delimiters as two full records: counted, not taken as full
@example("a,\n\na,,", False, 64)
@example(",\n\na,,", False, 64)
def test_fast_frame_is_the_csv_modules_or_none(text, bom, chunk):
    """(``chunk``: the bytes the text is scanned in at a time; 64 puts the chunks' edges
    between quotes, delimiters and line ends)"""
    from sqops.importers import _csvfast

    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_csvfast, "_CHUNK", chunk)
        frame = csv_bytes_frame(data, "t.csv")
    if frame is not None:
        _same(data, frame)


_CELLS = st.text(alphabet=st.sampled_from('ab 中,;"\n\r\t\u3000'), max_size=6)


@pytest.mark.fuzz
@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.lists(_CELLS, min_size=1, max_size=5), min_size=1, max_size=12),
    st.sampled_from(["\n", "\r\n"]),
    st.sampled_from([",", ";", "\t"]),
    st.booleans(),
    st.sampled_from([64, 1 << 19]),
)
def test_what_a_csv_writer_writes_is_read_fast(rows, end, delim, final_newline, chunk):
    """Rows of any length (ragged), cells with quotes, delimiters and line breaks, written by
    Python's csv writer: polars reads them (no fallback) exactly as the csv module does —
    unless a lone CR or a first line without the delimiter makes the sniffing differ."""
    rows = [["h1", "h2", "h3", "h4", "h5"], *rows]
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delim, lineterminator=end).writerows(rows)
    text = out.getvalue() if final_newline else out.getvalue().removesuffix(end)
    data = text.encode("utf-8")
    from sqops.importers import _csvfast

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_csvfast, "_CHUNK", chunk)
        frame = csv_bytes_frame(data, "t.csv")
    lone_cr = text.count("\r") != text.count("\r\n")
    if lone_cr:
        assert frame is None
        return
    if any(len(r) > 5 for r in rows):  # wider than the first row: polars declines
        return
    assert frame is not None
    _same(data, frame)


def test_hand_made_file():
    data = b'h1,h2\n\n"a\nb",c\n  ,  \nd,"e""f"\r\ng\n,\n'
    frame = csv_bytes_frame(data, "t.csv")
    assert frame is not None and frame.header == ["h1", "h2"]
    # line 2 blank, lines 3-4 one record, line 5 only spaces (blank), line 6 CR LF, line 7
    # one cell (short), line 8 two empty cells (blank)
    assert _rows(frame) == [(3, ["a\nb", "c"]), (6, ["d", 'e"f']), (7, ["g"])]


def test_quoted_first_cells_blank_or_not():
    """A record whose first cell is quoted is blank only if its cells are white space: the
    byte after the opening quote decides whether it is looked at (session 17)."""
    data = (
        'h1,h2\n"  ",\n"\u3000",""\n"",""\n"a",\n" a",""\n"""",\n",x",\n"\t",\r\n" ","b"\n'
    ).encode()
    frame = csv_bytes_frame(data, "t.csv")
    assert frame is not None
    _same(data, frame)
    # lines 2-4 and 9 blank; 5 "a"; 6 " a"; 7 a quote; 8 ",x"; 10 " " and "b"
    assert [line for line, _ in _rows(frame)] == [5, 6, 7, 8, 10]


@pytest.mark.parametrize(
    "data",
    [
        b"a,b\rc,d\n",  # a lone CR
        b'a,b\nc"d,e\n',  # a quote inside a field
        b'a,b\n"c"d,e\n',  # text after a closing quote
        b'a,b\n"c,d\n',  # a quoted field that never ends
        b"a,b\n\xff,c\n",  # not UTF-8
        b"a,b\nc,\x00\n",  # NUL
        b"\xef\xbb\xbf\xef\xbb\xbfa,b\n",  # two BOMs
        b"a,b\nc,d,e\n",  # a row longer than the first
        b"",
        b"\n \n",
    ],
)
def test_declines_what_only_the_exact_reading_reads(data):
    assert csv_bytes_frame(data, "t.csv") is None


def test_a_field_longer_than_the_csv_module_reads_is_left_to_it():
    data = b"a,b\n" + b"x" * (csv.field_size_limit() + 1) + b",y\n"
    assert csv_bytes_frame(data, "t.csv") is None


@pytest.mark.parametrize(
    ("head", "want"),
    [
        (b"Time,Sender\n", False),
        (b' \r\n\t[{"a": 1}]', True),
        (b"\xef\xbb\xbf{}", True),
        ("\u3000[]".encode(), None),  # white space only Unicode knows: read the text
        ("时间,发送者\n".encode(), None),
        (b"\xff\xfe[\x00", None),  # UTF-16
        (b"   ", None),
    ],
)
def test_starts_like_json(tmp_path, head, want):
    p = tmp_path / "x.csv"
    p.write_bytes(head)
    assert starts_like_json(p) is want


@pytest.mark.parametrize("block", [16, 64, 97, 250])
def test_blocks_read_fast_equal_the_file_read_at_once(tmp_path, monkeypatch, block):
    """A large file read in blocks by polars: blocks end at a record's end even when a quoted
    field spans a block's last line end; the rows and line numbers are the whole file's."""
    text = 'Time,Content\n1,"a\nb"\n2,"c,""d"""\n\n3,e\n4,"x\r\ny\r\nz"\n5,\n' * 7
    p = tmp_path / "big.csv"
    p.write_bytes(b"\xef\xbb\xbf" + text.encode())
    want = read_csv(text, "big.csv")
    monkeypatch.setattr(_base, "STREAM_BYTES", 10)
    monkeypatch.setattr(_base, "BLOCK_BYTES", block)
    frames = list(_base.csv_frames(p, "big.csv"))
    assert all(f.header == want.header for f in frames)
    assert [r for f in frames for r in _rows(f)] == want.rows


# --------------------------------------------------------------------------- wall-clock texts

_NAIVE = st.builds(
    "{:04d}-{:02d}-{:02d}{}{:02d}:{:02d}{}".format,
    st.sampled_from([900, 1890, 1969, 1970, 2026, 2099, 2100, 9999]),
    st.integers(0, 13),
    st.integers(0, 32),
    st.sampled_from([" ", "T"]),
    st.integers(0, 25),
    st.integers(0, 61),
    st.one_of(st.just(""), st.integers(0, 61).map(":{:02d}".format)),
)
_ZONES = ["Asia/Shanghai", "Europe/London", "America/New_York", "UTC", "Asia/Kolkata"]


@pytest.mark.fuzz
@settings(max_examples=300, deadline=None)
@given(st.lists(_NAIVE, min_size=1, max_size=8), st.sampled_from(_ZONES))
def test_wall_text_is_ts_text(texts, tz):
    """Where :func:`wall_ts_text` allows it, the ``ts`` text made from the wall-clock text
    is :func:`ts_text_expr`'s, and the naive times read from the rewritten texts are
    :func:`naive_ts_expr`'s."""
    import polars as pl

    from sqops.importers._base import (
        local_to_utc,
        naive_text_expr,
        naive_text_ts_expr,
        naive_ts_expr,
        ts_text_expr,
        wall_ts_text,
        wall_ts_text_expr,
        zone_offset,
    )

    frame = pl.DataFrame({"s": texts}).with_columns(naive_text_expr(pl.col("s")).alias("b"))
    frame = frame.with_columns(
        naive_text_ts_expr(pl.col("b")).alias("n"), naive_ts_expr(pl.col("s")).alias("n0")
    )
    assert frame["n"].to_list() == frame["n0"].to_list()
    good = frame.filter(pl.col("n").is_not_null())
    offset = zone_offset(tz, good["n"])
    good = good.with_columns(local_to_utc(pl.col("n"), tz, offset).alias("u")).filter(
        pl.col("u").is_not_null()
    )
    wall = wall_ts_text(good["n"], offset)
    if wall is None:
        return
    got = good.select(wall_ts_text_expr(pl.col("b"), wall))
    want = good.select(ts_text_expr(pl.col("u"), tz, offset))
    assert got.to_series().to_list() == want.to_series().to_list()


def test_wall_text_hand_made():
    import polars as pl

    from sqops.importers._base import naive_text_expr, wall_ts_text_expr

    texts = ["2026-12-01 08:05", "2026-12-01T23:59:59", "2026-12-01 24:00:00", "x"]
    frame = pl.DataFrame({"s": texts}).select(naive_text_expr(pl.col("s")).alias("b"))
    # minutes get ":00", "T" becomes " "; an hour 24 and a non-time are no wall-clock text
    assert frame["b"].to_list() == ["2026-12-01 08:05:00", "2026-12-01 23:59:59", None, None]
    from datetime import timedelta

    got = frame.select(wall_ts_text_expr(pl.col("b"), timedelta(hours=-3, minutes=-30)))
    assert got.to_series().to_list()[:2] == [
        "2026-12-01T08:05:00-03:30",
        "2026-12-01T23:59:59-03:30",
    ]


@pytest.mark.parametrize(
    "values",
    [
        [" 护肤群 ", " 护肤群 ", " 护肤群 "],  # one value: a constant
        [" 护肤群 ", None, " 护肤群 "],  # with a null: per distinct value
        ["a\u200b", " b ", "a\u200b", ""],
        ["\u200b"],  # one value cleaned to nothing
    ],
)
def test_by_distinct_is_the_expression_on_every_row(values):
    import polars as pl

    from sqops.importers._base import by_distinct, clean_name_expr, name_or_null_expr

    frame = pl.DataFrame(
        {"s": values, "x": list(range(len(values)))}, schema_overrides={"s": pl.String}
    )
    for fn in (clean_name_expr, name_or_null_expr):
        got = frame.select(pl.col("x"), by_distinct(frame, pl.col("s"), fn).alias("v"))
        want = frame.select(pl.col("x"), fn(pl.col("s")).alias("v"))
        assert got["v"].to_list() == want["v"].to_list()


def test_starts_like_json_of_a_missing_file_leaves_it_to_the_reading(tmp_path):
    """(the reading then says "file not found", as before)"""
    assert starts_like_json(tmp_path / "missing.csv") is None
    assert starts_like_json(tmp_path) is None  # a folder


def test_a_missing_chatlog_file_is_an_input_error(tmp_path):
    from sqops.importers import import_files

    with pytest.raises(InputError):
        import_files("wechat-chatlog", [tmp_path / "missing.csv"])
