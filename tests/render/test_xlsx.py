"""sqops.render.xlsx: typed sheets → a workbook, read back with openpyxl."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from sqops.render.xlsx import Cell, Column, Sheet, sheet_names, text_width, workbook_bytes

HOSTILE = ['=HYPERLINK("http://x","y")', "+86 138 0000 0000", "-1+1", "@SUM(1)", "\tx", "1e3"]
WHEN = dt.datetime(2026, 12, 10)


def _read(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_cells_keep_their_type_and_format():
    cols = [Column("名字"), Column("率", "percent"), Column("金额", "money"), Column("日", "date")]
    cols += [Column("时", "time"), Column("数", "int"), Column("值", "number")]
    rows: list[list[object]] = [
        ["小林", 0.25, 1234.5, dt.date(2026, 12, 1), dt.time(8, 30), 7, 2.5],
        [None, float("nan"), float("inf"), None, None, "", Cell(0.5, "percent")],
    ]
    ws = _read(workbook_bytes([Sheet("s", cols, rows)], WHEN)).active
    assert [c.value for c in ws[1]] == ["名字", "率", "金额", "日", "时", "数", "值"]
    name, rate, money, day, time, n, v = ws[2]
    assert (name.value, name.data_type) == ("小林", "s")
    assert (rate.value, rate.data_type, rate.number_format) == (0.25, "n", "0.0%")
    assert (money.value, money.number_format) == (1234.5, "#,##0.00")
    assert (
        day.is_date and day.value == dt.datetime(2026, 12, 1) and day.number_format == "yyyy-mm-dd"
    )
    assert time.value == dt.time(8, 30) and time.number_format == "hh:mm"
    assert (n.value, n.data_type) == (7, "n")
    # NaN, infinities, None and "" are empty cells; a Cell carries its own format
    assert [c.value for c in ws[3][:6]] == [None] * 6
    assert (ws[3][6].value, ws[3][6].number_format) == (0.5, "0.0%")
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:G3"


def test_hostile_text_stays_the_exact_string():
    ws = _read(workbook_bytes([Sheet("s", [Column("nick")], [[h] for h in HOSTILE])], WHEN)).active
    cells = [r[0] for r in ws.iter_rows(min_row=2)]
    assert [c.value for c in cells] == HOSTILE  # no apostrophe added, nothing parsed
    assert {c.data_type for c in cells} == {"s"}  # never a formula ("f") nor a number


def test_carriage_return_is_text():
    # a CR is stored as OOXML's escape _x000D_, which Excel and LibreOffice show as the CR
    # (openpyxl leaves the escape as it is)
    ws = _read(workbook_bytes([Sheet("s", [Column("t")], [["\r=1+1"]])], WHEN)).active
    cell = ws["A2"]
    assert cell.data_type == "s" and cell.value in ("\r=1+1", "_x000D_=1+1")


def test_sheet_names_valid_and_unique():
    names = sheet_names(["a/b:c", "召回名单", "召回名单", "x" * 40, "x" * 40, "'q'", "", "History"])
    assert names[0] == "a_b_c"
    assert names[1:3] == ["召回名单", "召回名单 (2)"]
    assert names[3] == "x" * 31 and names[4] == "x" * 27 + " (2)"
    assert names[5:] == ["q", "Sheet", "History_"]
    assert all(len(n) <= 31 for n in names)
    assert len({n.casefold() for n in names}) == len(names)
    # Excel's own names compare without case
    assert sheet_names(["Abc", "aBC"]) == ["Abc", "aBC (2)"]


def test_widths_count_cjk_double():
    assert text_width("ab") == 2 and text_width("群名") == 4 and text_width("ｘ") == 2
    data = workbook_bytes(
        [Sheet("s", [Column("a"), Column("b")], [["群名称很长的群名称", "ab"]])], WHEN
    )
    ws = _read(data).active
    # 9 CJK characters = 18, + 2 of margin; a short column at least 4 + 2
    assert ws.column_dimensions["A"].width == pytest.approx(20, abs=1)
    assert ws.column_dimensions["B"].width == pytest.approx(6, abs=1)


def test_deterministic_and_dated_as_given():
    sheets = [Sheet("s", [Column("d", "date")], [[dt.date(2026, 1, 1)]])]
    a, b = workbook_bytes(sheets, WHEN), workbook_bytes(sheets, WHEN)
    assert a == b
    wb = _read(a)
    assert wb.properties.created == WHEN and wb.properties.modified == WHEN
    assert workbook_bytes(sheets, dt.datetime(2027, 1, 1)) != a
