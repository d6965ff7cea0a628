"""A CSV read by polars with only the cells a reader reads (``csv_bytes_frame(...,
columns=...)``): the header, the records, their line numbers and cell counts, which records
are blank and when the exact reading must read the file are those of the whole reading; the
cells read are the same, the others null. Differential tests on random texts and what a CSV
writer writes; hand-made: the cells not read holding a misplaced quote, a byte that is no
UTF-8, a blank record's only text, more records blank in the cells read than are told one
by one, a header not on the first line."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from tests.importers.test_csvfast import _CELLS
from tests.importers.test_csvfast3 import _bulk_equals_row_by_row

from sqops.importers import _csvfast
from sqops.importers._base import CsvTable, csv_bytes_frame


def _asked(*cols: int | None):
    return lambda table: cols


def _same_but_unread(data: bytes, cols: tuple[int, ...]) -> None:
    """The frame read with ``cols`` only is the whole frame with the other cells null (or
    both are None)."""
    whole = csv_bytes_frame(data, "t.csv")
    part = csv_bytes_frame(data, "t.csv", _asked(*cols))
    if whole is None or part is None:
        assert whole is None and part is None
        return
    assert (part.header, part.header_line, part.plain_spaces) == (
        whole.header,
        whole.header_line,
        whole.plain_spaces,
    )
    assert part.rows.columns == whole.rows.columns
    assert part.rows.select("_line", "_n").equals(whole.rows.select("_line", "_n"))
    if part.rows.equals(whole.rows):  # (every cell read: no column asked, or not the first line)
        return
    for c in whole.rows.columns[2:]:
        if int(c[1:]) in cols:
            assert part.rows[c].equals(whole.rows[c]), c
        else:
            assert part.rows[c].null_count() == part.rows.height, c


_PIECES = st.sampled_from(
    ["a", "中文", " ", ",", ";", '"', '""', "\n", "\r\n", "", "\u3000", "\x1c", "é", "\t"]
)


@pytest.mark.fuzz
@settings(max_examples=400, deadline=None)
@given(
    st.lists(_PIECES, min_size=1, max_size=40).map("".join),
    st.booleans(),
    st.sets(st.integers(0, 4), max_size=4),
    st.sampled_from([64, 1 << 19]),
)
@example("h,i,j\n ,,x\n", False, {0, 1}, 64)
@example('h,i,j\n"","",\n""," ",""""\n', False, {1}, 64)
def test_random_texts_read_with_some_cells(text, bom, cols, chunk):
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_csvfast, "_CHUNK", chunk)
        _same_but_unread(data, tuple(sorted(cols)))


@pytest.mark.fuzz
@settings(max_examples=300, deadline=None)
@given(
    st.sets(st.integers(0, 5), max_size=5),
    st.integers(0, 4),
    st.lists(st.lists(_CELLS, min_size=1, max_size=6), min_size=2, max_size=12),
    st.sampled_from(["\n", "\r\n"]),
    st.sampled_from([",", ";", "\t"]),
)
def test_what_a_csv_writer_writes_read_with_some_cells(cols, few, rows, end, delim):
    """Ragged rows, blank rows, quoted line ends; ``few``: blank records told one by one at
    most (more: polars reads every cell)."""
    rows[0] = [f"h{i}" for i in range(len(rows[0]))]  # (a header on the first line)
    out = io.StringIO()
    csv.writer(out, delimiter=delim, lineterminator=end).writerows(rows)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_csvfast, "_FEW_BLANK", few)
        _same_but_unread(out.getvalue().encode("utf-8"), tuple(sorted(cols)))


def test_cells_not_read_are_null_and_the_header_whole():
    data = b"a,b,c,d\n1,2,3,4\n5,6\n"
    frame = csv_bytes_frame(data, "t.csv", _asked(0, None, 2))
    assert frame is not None
    assert frame.header == ["a", "b", "c", "d"]
    assert frame.rows.to_dicts() == [
        {"_line": 2, "_n": 4, "c0": "1", "c1": None, "c2": "3", "c3": None},
        {"_line": 3, "_n": 2, "c0": "5", "c1": None, "c2": None, "c3": None},
    ]
    # the reader's columns are asked with the header, as the reader reads it
    seen: list[list[str]] = []

    def asked(table: CsvTable):
        seen.append(table.header)
        return [table.index("c")]

    csv_bytes_frame("\ufeff a ,b,c\n1,2,3\n".encode(), "t.csv", asked)
    assert seen == [["a", "b", "c"]]


@pytest.mark.parametrize(
    "cell",
    [b'x"y', b"\xff\xfe", b"\xed\xa0\x80", b"a\rb", b"a\x00b", b'"open'],
    ids=["misplaced-quote", "not-utf8", "surrogate", "lone-cr", "nul", "unclosed"],
)
def test_what_only_the_exact_reading_reads_in_a_cell_not_read(cell):
    """A cell the reader does not read holding what the exact reading must read: the fast
    reading declines as when it reads every cell (polars checks the UTF-8 of the whole
    text whichever cells it parses; the quotes and line ends are checked by the scan)."""
    data = b"a,b,c\n1,2,3\n4," + cell + b",6\n7,8,9\n"
    assert csv_bytes_frame(data, "t.csv") is None
    assert csv_bytes_frame(data, "t.csv", _asked(0, 2)) is None


def test_polars_checks_the_utf8_of_cells_it_does_not_parse():
    """What the module relies on: polars refuses a text with a byte that is no UTF-8 in a
    column it is not asked to parse (a later polars that did not would make the fast
    reading accept what the exact reading decodes otherwise: this test says so)."""
    kw = {"has_header": False, "infer_schema": False, "raise_if_empty": False}
    body = b"1,ok,3\n" * 100_000
    for bad in (b"1,\xff,3\n", b'1,"x\xc0\x80",3\n'):
        for data in (bad + body, body + bad):
            with pytest.raises(pl.exceptions.ComputeError):
                pl.read_csv(data, columns=[0, 2], **kw)


def test_more_cells_than_the_first_record_declines():
    data = b"a,b,c\n1,2,3,4\n5,6,7\n"
    assert csv_bytes_frame(data, "t.csv") is None
    assert csv_bytes_frame(data, "t.csv", _asked(0)) is None


def test_records_blank_in_the_cells_read_only():
    """Blank records are those whose every cell is white space: one blank in the cells read
    but not in another stays (the reader sees its empty cells), the others go."""
    text = 'a,b,c\n1,2,3\n ,x, \n,,\n"",""," "\n"""",,\n , ,\n4,5,6\n'
    frame = csv_bytes_frame(text.encode(), "t.csv", _asked(0, 2))
    whole = csv_bytes_frame(text.encode(), "t.csv")
    assert frame is not None and whole is not None
    assert frame.rows["_line"].to_list() == whole.rows["_line"].to_list() == [2, 3, 6, 8]


def test_many_records_blank_in_the_cells_read(monkeypatch):
    """More records blank in the cells read than :data:`_FEW_BLANK`: polars reads every cell
    (the same frame as the whole reading)."""
    calls: list[object] = []
    read = _csvfast._polars_read
    monkeypatch.setattr(
        _csvfast, "_polars_read", lambda d, s, c=None: calls.append(c) or read(d, s, c)
    )
    monkeypatch.setattr(_csvfast, "ALONGSIDE_BYTES", 1 << 40)
    rows = "".join(f",,{'x' if i % 2 else ' '}\n" for i in range(10))
    data = ("a,b,c\n1,2,3\n" + rows).encode()
    monkeypatch.setattr(_csvfast, "_FEW_BLANK", 3)
    _same_but_unread(data, (0, 1))
    assert calls == [None, (0, 1), None]  # (the whole reading; the cells read, then all)
    calls.clear()
    monkeypatch.setattr(_csvfast, "_FEW_BLANK", 10)
    frame = csv_bytes_frame(data, "t.csv", _asked(0, 1))
    assert calls == [(0, 1)]
    assert frame is not None and frame.rows["_line"].to_list() == [2, 4, 6, 8, 10, 12]


@pytest.mark.parametrize(
    "text",
    ["\na,b,c\n1,2,3\n", " , , \na,b,c\n1,2,3\n", '"a\nb",c\n1,2\n', "a,b,c\n"],
    ids=["blank-first-line", "blank-cells-first", "header-cell-on-two-lines", "header-only"],
)
def test_every_cell_read_unless_the_header_is_the_first_line(text, monkeypatch):
    calls: list[object] = []
    read = _csvfast._polars_read
    monkeypatch.setattr(
        _csvfast, "_polars_read", lambda d, s, c=None: calls.append(c) or read(d, s, c)
    )
    _same_but_unread(text.encode(), (0,))
    assert all(c is None for c in calls[:1])
    if text == "a,b,c\n":
        assert calls[-1] == (0,)
    else:
        assert all(c is None for c in calls)


def test_a_reader_that_refuses_the_header_reads_every_cell(monkeypatch):
    """The reader's columns raising (a header it refuses) or asking for every cell: polars
    reads them all; the reader then says what it says with the whole frame, as before."""
    from sqops.errors import InputError, Location
    from sqops.i18n import T

    def refuse(table: CsvTable):
        raise InputError(T("不是", "not"), Location(file="t.csv", line=1))

    data = b"a,b\n1,2\n"
    for asked in (refuse, _asked(0, 1), lambda t: None):
        frame = csv_bytes_frame(data, "t.csv", asked)
        assert frame is not None and frame.rows["c1"].to_list() == ["2"]


# ---------------------------------------------------------------- chatlog: placeholder types

_CONTENT = st.sampled_from(
    [
        "[图片]",
        " [图片] ",
        "\u3000![视频](http://127.0.0.1/v)",
        "[链接|成分表](https://example.com/a)",
        "[链接|价目](https://example.com/b)",
        "[捂脸]",
        "[图片] 好看吗",
        "![",
        "[",
        "大家好",
        "",
        " ",
        "[GIF表情]",
        "[语音通话]",
        "\x1c[红包]",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), _CONTENT), max_size=30))
def test_placeholder_types_are_each_texts(contents):
    """Each text's type looked up among the distinct ones is :func:`placeholder_type` of
    it (null where none: no placeholder, a null cell)."""
    from sqops.importers.wechat import _placeholder_types, placeholder_type

    rows = pl.DataFrame({"c": contents}, schema={"c": pl.String})
    got = rows.with_columns(_placeholder_types(rows, pl.col("c")).alias("t"))["t"].to_list()
    assert got == [None if c is None else placeholder_type(c) for c in contents]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(_CONTENT, st.integers(5, 6)), min_size=1, max_size=12))
def test_chatlog_placeholders_in_bulk_equal_row_by_row(tmp_path_factory, rows):
    """The chatlog reader's bulk with the types looked up gives the tables, counts and
    problems of its row-by-row reading (short rows: no Content cell)."""
    from sqops.importers import import_files, wechat

    tmp = tmp_path_factory.mktemp("chatlog")
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["Time", "SenderName", "Sender", "TalkerName", "Talker", "Content"])
    for i, (content, width) in enumerate(rows):
        cells = [f"2026-12-03 20:00:{i:02d}", f"成员{i % 3}", f"wxid_{i % 3}", "群", "g@chatroom"]
        w.writerow([*cells, content][:width])
    (tmp / "c.csv").write_text(out.getvalue(), encoding="utf-8")
    _bulk_equals_row_by_row(wechat, lambda: import_files("wechat-chatlog", [tmp / "c.csv"]))


# ---------------------------------------------------------------- the readers ask

_FIXTURES = Path(__file__).parent / "fixtures"
_GENERIC_MAP = """table: messages
columns: {ts: 时间, group_id: 群, member_id: 成员编号, member_name: 昵称, content: 内容, msg_type: 类型}
values:
  msg_type: {文本: text}
"""


@pytest.mark.parametrize(
    ("fmt", "name"),
    [
        ("shopify", "shopify_orders.csv"),
        ("youzan", "youzan_orders.csv"),
        ("wechat-chatlog", "wechat_chatlog.csv"),
        ("wechat-msg", "wechat_msg.csv"),
        ("discord", "discord_general.csv"),
        ("generic", "generic_messages.csv"),
    ],
)
def test_each_csv_reader_has_polars_read_only_its_columns(fmt, name, tmp_path, monkeypatch):
    """Each CSV reader gives ``csv_frames`` its columns: polars parses only those (a column
    the reader does not read, added first, is not among them), and the import is the one of
    the whole reading."""
    from sqops.importers import _base, import_files

    cmap = None
    if fmt == "generic":  # (a messages map: generic's orders are read row by row)
        cmap = tmp_path / "map.yaml"
        cmap.write_text(_GENERIC_MAP, encoding="utf-8")
        rows = [["时间", "群", "成员编号", "昵称", "内容", "类型"]] + [
            [f"2026-12-01 0{i}:00", "群0", f"m{i % 3}", f"成员{i % 3}", f"早安{i}", "文本"]
            for i in range(6)
        ]
    else:
        rows = list(csv.reader(io.StringIO(_FIXTURES.joinpath(name).read_text("utf-8-sig"))))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(
        [["Note x", *rows[0]]] + [[f"n{i}", *r] for i, r in enumerate(rows[1:]) if r]
    )
    (tmp_path / name).write_text(out.getvalue(), encoding="utf-8")
    calls: list[object] = []
    read = _csvfast._polars_read
    monkeypatch.setattr(
        _csvfast, "_polars_read", lambda d, s, c=None: calls.append(c) or read(d, s, c)
    )
    with pytest.MonkeyPatch.context() as mp:  # (the whole reading: every cell parsed)
        mp.setattr(_base, "_read_columns", lambda body, display, columns: None)
        whole = import_files(fmt, [tmp_path / name], columns=cmap)
    assert calls == [None]
    calls.clear()
    part = import_files(fmt, [tmp_path / name], columns=cmap)
    assert len(calls) == 1 and calls[0] is not None and 0 not in calls[0]
    assert part.counts == whole.counts
    for table, frame in whole.tables.items():
        assert part.tables[table].equals(frame), table
    assert [(p.where, p.text) for p in part.problems] == [(p.where, p.text) for p in whole.problems]
