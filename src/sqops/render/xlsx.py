"""Excel workbooks: sheets of typed cells, written by xlsxwriter into bytes.

A renderer gives :class:`Sheet` s (a name, typed :class:`Column` s, rows of values); this
module only formats them:

* every text cell is written with ``write_string`` (never parsed: a nickname
  ``=HYPERLINK(…)``, ``+86 138…``, ``-1+1`` or ``@SUM(1)`` stays that exact text, with no
  apostrophe added), and the workbook is opened with ``strings_to_formulas``,
  ``strings_to_urls`` and ``strings_to_numbers`` off;
* numbers are numbers, in any column (``int``, ``number``; ``percent`` for rates 0..1 as ``0.0%``,
  ``money`` with 2 decimals), dates and times are Excel dates (``yyyy-mm-dd``, ``hh:mm``);
  None, NaN and infinities are empty cells;
* the header row is frozen and filterable, the columns are as wide as their content (a CJK
  character counts two);
* sheet names are valid for Excel (:func:`sheet_names`);
* the output is deterministic: the document's created and modified dates are the ``created``
  given (e.g. the report's as-of day), never the clock, and xlsxwriter dates the zip entries
  1980-01-01, so the same sheets give the same bytes.

xlsxwriter is imported when a workbook is written, not with this module's import.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

#: the kinds of a column, and their Excel number formats (text: none)
FORMATS: dict[str, str] = {
    "int": "0",
    "number": "General",
    "percent": "0.0%",
    "money": "#,##0.00",
    "date": "yyyy-mm-dd",
    "time": "hh:mm",
    "datetime": "yyyy-mm-dd hh:mm",
}
KINDS = ("text", *FORMATS)
#: Excel's limits: rows of a sheet, characters of a cell, of a sheet name
MAX_ROWS = 1_048_576
MAX_CELL = 32_767
MAX_NAME = 31
#: a column is at most this wide (characters; longer text is cut off in view, not in the cell)
MAX_WIDTH = 60
_BAD_NAME = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"


@dataclass(frozen=True)
class Cell:
    """A value with its own kind, in a column that mixes them (a KPI's value: a rate or money)."""

    value: object
    kind: str


@dataclass
class Sheet:
    name: str
    columns: list[Column]
    rows: list[list[object]] = field(default_factory=list)


def text_width(text: str) -> int:
    """Display width: East Asian wide and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def sheet_names(names: Sequence[str]) -> list[str]:
    """Valid, unique sheet names in order: ``[]:*?/\\`` become ``_``, no leading or trailing
    apostrophe, at most 31 characters, never empty nor ``History`` (Excel's own); a name
    already taken (Excel compares without case) gets `` (2)``, `` (3)`` …"""
    out: list[str] = []
    taken: set[str] = set()
    for raw in names:
        base = _BAD_NAME.sub("_", raw).strip().strip("'").strip()[:MAX_NAME] or "Sheet"
        if base.casefold() == "history":
            base += "_"
        name, n = base, 1
        while name.casefold() in taken:
            n += 1
            tail = f" ({n})"
            name = base[: MAX_NAME - len(tail)] + tail
        taken.add(name.casefold())
        out.append(name)
    return out


def _shown(value: object, kind: str) -> str:
    """About what Excel shows, for the column's width."""
    if isinstance(value, bool) or kind == "text":
        return str(value)
    if kind == "percent" and isinstance(value, int | float):
        return f"{value * 100:.1f}%"
    if kind == "money" and isinstance(value, int | float):
        return f"{value:,.2f}"
    if kind == "number" and isinstance(value, float):
        return f"{value:.10g}"
    if kind == "date":
        return "2026-01-01"
    if kind == "time":
        return "00:00"
    if kind == "datetime":
        return "2026-01-01 00:00"
    return str(value)


def _naive(v: dt.datetime) -> dt.datetime:
    """Excel has no time zones: the wall-clock time the value carries."""
    return v.replace(tzinfo=None)


def workbook_bytes(sheets: Sequence[Sheet], created: dt.datetime) -> bytes:
    """The workbook of ``sheets`` (in order; names made valid by :func:`sheet_names`) as
    bytes, dated ``created`` (naive; the same input gives the same bytes)."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buf,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    wb.set_properties({"created": _naive(created)})
    head = wb.add_format({"bold": True, "bg_color": "#EEEEEE", "bottom": 1})
    fmts = {k: wb.add_format({"num_format": v}) for k, v in FORMATS.items()}
    for sheet, name in zip(sheets, sheet_names([s.name for s in sheets]), strict=True):
        ws = wb.add_worksheet(name)
        widths = [text_width(c.header) for c in sheet.columns]
        for j, c in enumerate(sheet.columns):
            ws.write_string(0, j, c.header[:MAX_CELL], head)
        rows = sheet.rows
        cut = len(rows) - (MAX_ROWS - 2) if len(rows) > MAX_ROWS - 1 else 0
        if cut:
            rows = rows[: MAX_ROWS - 2]
        for i, row in enumerate(rows, start=1):
            for j, raw in enumerate(row):
                kind = sheet.columns[j].kind if j < len(sheet.columns) else "text"
                value = raw.value if isinstance(raw, Cell) else raw
                if isinstance(raw, Cell):
                    kind = raw.kind
                shown = _write(ws, i, j, value, kind, fmts)
                if shown is not None and j < len(widths):
                    widths[j] = max(widths[j], text_width(shown))
        if cut:
            ws.write_string(len(rows) + 1, 0, f"… +{cut:,}")
        for j, wd in enumerate(widths):
            ws.set_column(j, j, min(max(wd, 4), MAX_WIDTH) + 2)
        ws.freeze_panes(1, 0)
        if sheet.columns and rows:
            ws.autofilter(0, 0, len(rows), len(sheet.columns) - 1)
    wb.close()
    return buf.getvalue()


def _write(w: Any, i: int, j: int, value: object, kind: str, fmts: dict[str, Any]) -> str | None:
    """One cell of the worksheet ``w`` by its kind; what it shows (None: left empty)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        w.write_boolean(i, j, value)
        return str(value).upper()
    if isinstance(value, int | float):
        if not math.isfinite(value):
            return None
        if kind not in FORMATS or kind in ("date", "time", "datetime"):
            kind = "int" if isinstance(value, int) else "number"
        w.write_number(i, j, value, fmts.get(kind))
        return _shown(value, kind)
    if isinstance(value, dt.datetime):
        w.write_datetime(i, j, _naive(value), fmts["datetime"])
        return _shown(value, "datetime")
    if isinstance(value, dt.date):
        w.write_datetime(i, j, value, fmts["date"])
        return _shown(value, "date")
    if isinstance(value, dt.time):
        w.write_datetime(i, j, value, fmts["time"])
        return _shown(value, "time")
    text = str(value)[:MAX_CELL]
    w.write_string(i, j, text)
    return max(text.split("\n"), key=text_width)
