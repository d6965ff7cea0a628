"""What every importer shares: decoding, CSV/JSON reading with positions, time parsing,
stable member ids, and the :class:`Context` that collects canonical rows and problems.

An importer reads one file into a :class:`Context`; :meth:`Context.finish` turns what was
collected into polars frames (deduplicated, deterministically sorted). Nothing here prints,
exits, or reads the clock or the locale.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import itertools
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
import orjson
import polars as pl

from sqops.data.columns import column_twice
from sqops.data.decode import decode_bytes, what_failed
from sqops.data.runtime import resident_bytes
from sqops.data.scalars import (
    _INVISIBLE,
    _ZERO_WIDTH,
    MAX_YEAR,
    MIN_YEAR,
    clean,
    clean_name,
    get_tz,
    local_time,
    parse_amount,
    parse_ts,
    ts_text,
)
from sqops.data.xlsxsafe import check_xlsx
from sqops.domain.tables import IMPORTED_TABLES, MEMBER_EVENTS, MSG_TYPES, ORDER_STATUSES, TABLE
from sqops.errors import InputError, Location, Problem, display_path
from sqops.errors import read_bytes as _read_bytes
from sqops.i18n import T
from sqops.importers._csvfast import block_bytes, fast_records, first_line_cells, past_share

if TYPE_CHECKING:
    from sqops.importers._spill import Runs, SpilledTable

#: what the importers say about a row they skip (one wording for every format)
BAD_TIME = T("无法读取时间 “{v}”", "cannot read the time '{v}'")
JSON_SYNTAX = T("JSON 语法错误：{m}", "JSON syntax error: {m}")
JSON_TOO_DEEP = T("JSON 嵌套过深", "JSON is nested too deeply")
NOT_A_MESSAGE = T("不是消息对象", "not a message object")

#: member id of the account that made the export ("你" / "You" in notices)
SELF_ID = "self"
#: how notices name the exporting account
SELF_NAMES = ("你", "您", "You", "you")
#: member id of system notices (join/leave lines, "messages are encrypted", ...)
SYSTEM_ID = "system"

MAX_BYTES = 1 << 30  # 1 GiB: far above any chat export; protects against a wrong path

_SPACES = re.compile(r"[\s\u00a0\u202f\u2007\u3000]+")
#: a phone number as WhatsApp shows an unsaved contact; iOS writes its hyphens as U+2011
#: (non-breaking hyphen: "+1 (777) 777‑7777"), others U+2010/U+2012/U+2013/U+2212
_PHONE = re.compile(r"^\+?[\d\s\-()\u2010-\u2013\u2212]{7,}$")
_LINE_SPLIT = re.compile(r"\r\n|\n|\r")


@functools.lru_cache(maxsize=65536)
def norm_name(name: str) -> str:
    """A display name as compared across an export: cleaned, trimmed, spaces collapsed."""
    return _SPACES.sub(" ", clean_name(name)).strip()


def name_id(name: str) -> str:
    """The stable member id of someone an export only names.

    ``tel:+<digits>`` when the name is a phone number (WhatsApp shows unknown numbers),
    else ``name:<name>`` with the name cleaned (NFC, invisible marks removed, spaces collapsed).
    """
    n = norm_name(name)
    if _PHONE.match(n) and sum(c.isdigit() for c in n) >= 7:
        digits = "".join(c for c in n if c.isdigit())
        return f"tel:+{digits}" if n.startswith("+") else f"tel:{digits}"
    return f"name:{n}"


def split_lines(text: str) -> list[str]:
    """Lines of a text, splitting only on CR/LF (never on U+2028 and friends inside messages)."""
    lines = _LINE_SPLIT.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


# --------------------------------------------------------------------------- reading files


def read_bytes(path: Path, display: str) -> bytes:
    return _read_bytes(
        path, display, MAX_BYTES, T("文件过大（超过 1 GiB）", "file is too large (over 1 GiB)")
    )


def read_text(path: Path, display: str) -> str:
    """An export's text: its bytes (bounded, :func:`read_bytes`) decoded by the one decoding
    policy (:mod:`sqops.data.decode`)."""
    return decode_bytes(read_bytes(path, display), display)[0]


def obj_at(parent: dict[str, Any], key: str) -> dict[str, Any]:
    """``parent[key]`` when it is a JSON object, else an empty one (exports omit or null them)."""
    value = parent.get(key)
    return value if isinstance(value, dict) else {}


_LONE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_LONE_ESCAPE_B = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def json_loads(text: str | bytes) -> Any:
    """``json.loads``, with a lone surrogate escape (``"\\ud800"``, which is no character:
    nothing can write it as UTF-8) read as U+FFFD, the replacement character. Pairs are one
    character already; only an escape can make a lone one, so the rest is not walked.
    msgspec reads it first (as fast as orjson; it reads every value as ``json`` does,
    integers of any width included — orjson reads an integer past 64 bits as a float — and
    refuses lone surrogates), then what msgspec refuses is read as before: by orjson where
    it reads it exactly (:func:`exact_orjson`), else the standard library (``NaN``, lone
    surrogates, deep nesting, a syntax error: its message). A text nested deeper than every
    decoder reads raises :class:`JSONTooDeep` (a :class:`json.JSONDecodeError`: every reader
    of lines that skips a bad line skips it too, :func:`json_problem` words it)."""
    try:
        return _DECODE_ANY(text)
    except (msgspec.DecodeError, RecursionError, UnicodeError):
        pass
    value = exact_orjson(text)
    try:
        if value is EXACT_WIDE:
            # orjson read it (so it is nested 1024 levels at most, orjson's own limit) but
            # holds an integer's float: the standard library reads it again, allowed as deep
            # (msgspec, the first, stops sooner, and so may ``json`` at Python's limit)
            with _recursion_room(1100):
                value = _std_loads(text)
        elif value is EXACT_REFUSED:
            value = _std_loads(text)
    except RecursionError:
        raise JSONTooDeep(text) from None
    if isinstance(text, bytes):
        lone = b"\\u" in text and _LONE_ESCAPE_B.search(text) is not None
    else:
        lone = "\\u" in text and _LONE_ESCAPE.search(text) is not None
    if not lone:
        return value
    try:
        # (read by json, so nested no deeper than its recursion limit or orjson's 1024
        # levels: the walk takes two frames a level)
        with _recursion_room(2200):
            return _no_lone_surrogates(value)
    except RecursionError:
        raise JSONTooDeep(text) from None


_DECODE_ANY = msgspec.json.Decoder().decode
#: what :func:`exact_orjson` gives for a text it does not read
EXACT_REFUSED: Any = object()
#: what :func:`exact_orjson` gives for a text it read with an integer's float in it
EXACT_WIDE: Any = object()


class JSONTooDeep(json.JSONDecodeError):
    """A JSON text nested deeper than the decoders read (msgspec and orjson stop at about a
    thousand levels, the standard library at Python's recursion limit)."""

    def __init__(self, text: str | bytes) -> None:
        doc = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
        super().__init__("nested too deeply", doc, 0)


def json_problem(exc: json.JSONDecodeError) -> T:
    """What a reader says of a JSON text it could not read."""
    return JSON_TOO_DEEP if isinstance(exc, JSONTooDeep) else JSON_SYNTAX.format(m=exc.msg)


@contextlib.contextmanager
def _recursion_room(levels: int) -> Iterator[None]:
    """Python's recursion limit raised by ``levels`` within the block (for a decode whose
    depth another decoder has bounded already)."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(old + levels)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


#: orjson reads integers in [-2**63, 2**64) as integers, wider ones as floats of at least this
_WIDE_FLOAT = float(1 << 63)
#: an integer Python's ``int()`` refuses to read from its digits (``sys.int_info``'s limit):
#: a run of more than 4300 digits that is a whole number token (not in a string — strings are
#: matched whole and passed over —, not a float's fraction or exponent)
_LONG_NUMBER = re.compile(r'"(?:[^"\\]|\\.)*"|(?<![0-9.eE+-])(-?[0-9]{4301,})(?![0-9.eE])', re.S)


def _std_loads(text: str | bytes) -> Any:
    """``json.loads``; an integer of more than 4300 digits (Python refuses to convert it:
    ``ValueError``, which was a traceback) is a :class:`json.JSONDecodeError` at its place."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise
    except ValueError:
        doc = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
        at = next((m.start(1) for m in _LONG_NUMBER.finditer(doc) if m.group(1)), None)
        if at is None:
            raise
        raise json.JSONDecodeError("Number with more than 4300 digits", doc, at) from None


def exact_orjson(text: str | bytes) -> Any:
    """``orjson.loads(text)``; :data:`EXACT_REFUSED` where orjson refuses the text, and
    :data:`EXACT_WIDE` where its value holds a float of an integer's size past 64 bits
    (orjson reads ``2**64`` as ``1.8446744073709552e+19``; such a float may also be written
    ``1e19``: either way the standard library reads it exactly). Only for texts msgspec
    refused (rare: walked)."""
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return EXACT_REFUSED
    return EXACT_WIDE if _wide_float(value) else value


def _wide_float(value: Any) -> bool:
    """Whether ``value`` holds a float of magnitude 2**63 or more (walked without recursion:
    orjson nests deeper than Python's recursion limit allows a walk)."""
    stack = [value]
    while stack:
        v = stack.pop()
        if type(v) is float:
            if not -_WIDE_FLOAT < v < _WIDE_FLOAT:
                return True
        elif type(v) is list:
            stack.extend(v)
        elif type(v) is dict:
            stack.extend(v.values())
    return False


def _no_lone_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value) if _SURROGATE.search(value) else value
    if isinstance(value, list):
        return [_no_lone_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {_no_lone_surrogates(k): _no_lone_surrogates(v) for k, v in value.items()}
    return value


def load_json(text: str, display: str) -> Any:
    try:
        return json_loads(text)
    except JSONTooDeep:
        raise InputError(JSON_TOO_DEEP, Location(file=display)) from None
    except json.JSONDecodeError as exc:
        raise InputError(
            JSON_SYNTAX.format(m=exc.msg),
            Location(file=display, line=exc.lineno, col=exc.colno),
        ) from None


def header_key(name: str) -> str:
    """A column header as matched: cleaned, trimmed, ASCII lower-cased, spaces collapsed."""
    return norm_name(name).lower()


def cell_getter(col: dict[str, int | None]) -> Callable[[list[str], str], str]:
    """``cell(cells, key)``: the stripped cell of column ``key`` ("" when the column is
    missing from the header or the row is short)."""

    def cell(cells: list[str], key: str) -> str:
        i = col[key]
        return cells[i].strip() if i is not None and i < len(cells) else ""

    return cell


def cell_expr_getter(
    rows: pl.DataFrame,
    col: dict[str, int | None],
    strip: Callable[[pl.Expr], pl.Expr] | None = None,
) -> Callable[[str], pl.Expr]:
    """:func:`cell_getter` of a :class:`CsvFrame`'s rows as an expression: ``cell(key)``,
    the stripped cell of column ``key`` ("" when the column is missing or the row short).
    ``strip``: the frame's :meth:`CsvFrame.strip` (:func:`strip_expr` when not given)."""
    stripped = strip or strip_expr

    def cell(key: str) -> pl.Expr:
        i = col[key]
        if i is None or f"c{i}" not in rows.columns:
            return pl.lit("", dtype=pl.String)
        return stripped(pl.col(f"c{i}")).fill_null("")

    return cell


@dataclass
class CsvTable:
    """A CSV read with positions: header row and data rows with their first line number."""

    header: list[str]
    header_line: int
    rows: list[tuple[int, list[str]]]  # (line of the row's first line, cells)
    display: str = ""  # the file, for errors

    def find_header(self, *needles: str, within: int = 10) -> None:
        """Some exports put a title or notes above the header: when the header lacks the
        ``needles`` but one of the first ``within`` rows has them all, that row is the header."""
        keys = {header_key(h) for h in self.header}
        if all(header_key(n) in keys for n in needles):
            return
        for i, (line, cells) in enumerate(self.rows[:within]):
            if all(header_key(n) in {header_key(c) for c in cells} for n in needles):
                self.header = [clean_name(c).strip() for c in cells]
                self.header_line = line
                self.rows = self.rows[i + 1 :]
                return

    def index(self, *names: str) -> int | None:
        """The position of the first header among ``names`` (matched by :func:`header_key`).
        A header naming that column twice is an :class:`InputError`: which one holds the data
        is unknown (columns no importer reads may repeat)."""
        keys = [header_key(h) for h in self.header]
        for n in names:
            k = header_key(n)
            if k in keys:
                i = keys.index(k)
                if k in keys[i + 1 :]:
                    raise column_twice(self.header[i], self.display or None, self.header_line)
                return i
        return None


def read_csv(text: str, display: str) -> CsvTable:
    """Parse CSV text (comma, tab or semicolon, sniffed from the header line).

    Blank lines are skipped. The first non-blank row is the header.
    """
    first = next((ln for ln in split_lines(text) if ln.strip()), "")
    delim = max((",", "\t", ";"), key=first.count) if first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    header: list[str] | None = None
    header_line = 0
    rows: list[tuple[int, list[str]]] = []
    last = 0
    try:
        for cells in reader:
            start = last + 1
            last = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header, header_line = [clean_name(c).strip() for c in cells], start
            else:
                rows.append((start, cells))
    except csv.Error as exc:
        raise InputError(
            T("CSV 格式错误：{m}", "malformed CSV: {m}").format(m=exc),
            Location(file=display, line=reader.line_num or 1),
        ) from None
    if header is None:
        raise InputError(T("文件是空的", "the file is empty"), Location(file=display, line=1))
    if '"' in text:  # (the last record read: a row, else the header)
        start = rows[-1][0] if rows else header_line
        # (the lines as the reader reads them, from that record's first; ``last``: the
        # reader's count of every line, so those to the end are ``last - start + 1``)
        tail = itertools.islice(io.StringIO(text, newline=""), start - 1, None)
        _check_closed(tail, delim, display, start, last - start + 1)
    return CsvTable(header, header_line, rows, display)


def _check_closed(lines: Iterable[str], delim: str, display: str, line: int, n: int) -> None:
    """Raise when the record read from ``lines`` (the last of the file, from its line
    ``line``, ``n`` lines to the end) opens a quote that is never closed: Python's csv module
    reads the rest of the file into that one cell, so rows would vanish without a word."""
    try:
        next(csv.reader(lines, delimiter=delim, strict=True), None)
    except csv.Error as exc:
        if "unexpected end of data" not in str(exc):
            return
        raise InputError(
            T(
                "第 {l} 行打开的引号到文件结尾也没有闭合（文件可能不完整）：其后 {n} 行都会被读进"
                "一个单元格；请检查这一行",
                "the quote opened on line {l} is never closed (the file may be cut short): "
                "the {n} line(s) from there to the end would be read as one cell; check that line",
            ).format(l=line, n=n),
            Location(file=display, line=line),
        ) from None


@dataclass
class CsvFrame:
    """A CSV read as :func:`read_csv` reads it, into a frame: ``rows`` has ``_line`` (the
    line of the row's first line), ``_n`` (its number of cells) and ``c0``, ``c1``, ... (the
    cells, null past the row's end), one row per non-blank record after the header."""

    header: list[str]
    header_line: int
    rows: pl.DataFrame
    display: str = ""
    #: no cell holds U+001C–U+001F (:func:`plain_spaces` of the text read): polars'
    #: ``strip_chars()`` is then Python's ``str.strip()`` (:meth:`strip`)
    plain_spaces: bool = False

    def table(self) -> CsvTable:
        """The header (for :meth:`CsvTable.index`), without rows."""
        return CsvTable(self.header, self.header_line, [], self.display)

    def strip(self, s: pl.Expr) -> pl.Expr:
        """:func:`strip_expr` of cells of these rows: polars' own ``strip_chars()`` (its
        white space, without a list of characters to look up) when the text holds none of
        the four characters only Python takes for white space."""
        return s.str.strip_chars() if self.plain_spaces else strip_expr(s)


#: the characters Python's ``str.strip()`` strips and polars' ``strip_chars()`` does not
#: (every other code point is stripped alike: a test checks them all)
_PYTHON_ONLY_SPACES = (b"\x1c", b"\x1d", b"\x1e", b"\x1f")


def plain_spaces(data: bytes) -> bool:
    """Whether the UTF-8 ``data`` holds none of :data:`_PYTHON_ONLY_SPACES` (no character
    of another encodes one of these bytes)."""
    return all(data.find(b) < 0 for b in _PYTHON_ONLY_SPACES)


#: the longest field Python's csv module reads (``csv.field_size_limit()``)
_FIELD_LIMIT = csv.field_size_limit()


def read_csv_frame(text: str, display: str) -> CsvFrame | None:
    """:func:`read_csv` into a :class:`CsvFrame`, the same cells, without Python per row:
    lines without a quote that start a record are split by polars; records that contain a
    quote are read by :mod:`csv` (exactly as :func:`read_csv` reads them, one record each).
    ``None`` when the text holds what only the row-by-row reading handles as it does today
    (a NUL, a carriage return that ends no line, a line longer than a CSV field may be)."""
    if "\x00" in text or text.count("\r") != text.count("\r\n"):
        return None
    block = _csv_block(text, display, None, 0, last=True)
    if block is None:
        return None
    records, _, _ = block
    return _with_header(records, display)


def _with_header(records: pl.DataFrame, display: str) -> CsvFrame:
    """The first record of ``records`` (``_i``, ``cells``) is the header, the rest the rows."""
    if records.height == 0:
        raise InputError(T("文件是空的", "the file is empty"), Location(file=display, line=1))
    head_i, head_cells = records.row(0)[:2]
    header = [clean_name(c).strip() for c in head_cells]
    return CsvFrame(header, head_i + 1, _rows(records.slice(1)), display)


def _rows(body: pl.DataFrame) -> pl.DataFrame:
    width = int(body["cells"].list.len().max() or 0) if body.height else 0  # type: ignore[arg-type]
    return body.select(
        (pl.col("_i") + 1).alias("_line"),
        pl.col("cells").list.len().alias("_n"),
        *(pl.col("cells").list.get(i, null_on_oob=True).alias(f"c{i}") for i in range(width)),
    )


def _csv_block(
    text: str, display: str, delim: str | None, base: int, *, last: bool
) -> tuple[pl.DataFrame, str, int | None] | None:
    """The non-blank records of ``text`` (lines from number ``base`` on) as ``_i`` (the
    0-based line of the record's first line), ``cells``; the delimiter (sniffed when
    ``delim`` is None); and, unless ``last``, the line (0-based in ``text``) from which a
    quoted record reaches the end of the text and may go on in the next block (its lines
    are left out). None when a line is longer than a CSV field may be."""
    raw = pl.Series("l", [text]).str.split("\n").explode()
    if text.endswith("\n"):
        raw = raw.head(raw.len() - 1)
    if raw.len() == 0:
        raise InputError(T("文件是空的", "the file is empty"), Location(file=display, line=1))
    lines = raw.str.strip_suffix("\r")
    if lines.str.len_chars().max() > _FIELD_LIMIT:  # type: ignore[operator]
        return None
    if delim is None:
        first = next((ln for ln in _first_lines(lines) if ln.strip()), "")
        delim = max((",", "\t", ";"), key=first.count) if first else ","
    # records with a quote: read by the csv module from their first line on (every line not
    # read as part of an earlier record starts one)
    quoted: list[tuple[int, int, list[str]]] = []  # (first line, lines, cells)
    consumed = 0  # lines before this one are read
    ends_in_newline = text.endswith("\n")
    starts = raw.str.contains('"', literal=True).arg_true()
    # the lines a quoted record most likely spans, fetched at once
    near_at = (
        pl.DataFrame({"q": starts})
        .select(pl.int_ranges("q", pl.min_horizontal(pl.col("q") + 4, raw.len())).explode())
        .unique()
        .to_series()
    )
    near = dict(zip(near_at.to_list(), raw.gather(near_at).to_list(), strict=True))
    for q in starts.to_list():
        if q < consumed:
            continue
        reader = csv.reader(_lines_from(raw, q, ends_in_newline, near), delimiter=delim)
        try:
            cells = next(reader)
        except csv.Error as exc:
            raise InputError(
                T("CSV 格式错误：{m}", "malformed CSV: {m}").format(m=exc),
                Location(file=display, line=base + q + (reader.line_num or 1)),
            ) from None
        quoted.append((q, reader.line_num, cells))
        consumed = q + reader.line_num
        # the file's last record (not a blank one, which is skipped): is its quote closed?
        if last and consumed >= raw.len() and any(x.strip() for x in cells):
            _check_closed(
                _lines_from(raw, q, ends_in_newline, near),
                delim,
                display,
                base + q + 1,
                raw.len() - q,
            )
    carry = None
    n_lines = lines.len()
    if not last and quoted and consumed >= n_lines:
        carry = quoted.pop()[0]  # it may go on: read it again with the next block
        n_lines = carry
    simple = pl.DataFrame(
        {"_i": pl.int_range(0, n_lines, dtype=pl.Int64, eager=True), "l": lines.head(n_lines)}
    )
    if quoted:
        spans = pl.DataFrame({"a": [q for q, _, _ in quoted], "n": [n for _, n, _ in quoted]})
        covered = spans.select(pl.int_ranges("a", pl.col("a") + pl.col("n"))).to_series()
        simple = simple.filter(~pl.col("_i").is_in(covered.explode().implode()))
    simple = simple.select(
        pl.col("_i") + base,
        pl.col("l").str.split(delim).alias("cells"),
        (
            pl.col("l").str.replace_all(delim, "", literal=True).str.strip_chars(PY_SPACES) == ""
        ).alias("_blank"),
    )
    parts = [simple]
    if quoted:
        parts.append(
            pl.DataFrame(  # (the text has no NUL: it joins the cells of a record)
                {
                    "_i": [base + q for q, _, _ in quoted],
                    "cells": ["\x00".join(c) for _, _, c in quoted],
                    "_blank": [not any(x.strip() for x in c) for _, _, c in quoted],
                },
                schema={"_i": pl.Int64, "cells": pl.String, "_blank": pl.Boolean},
            ).with_columns(pl.col("cells").str.split("\x00"))
        )
    records = pl.concat(parts).sort("_i") if len(parts) > 1 else simple
    return records.filter(~pl.col("_blank")).drop("_blank"), delim, carry


#: a CSV export larger than this is read in blocks of :data:`BLOCK_BYTES` (bounded memory,
#: and no :data:`MAX_BYTES` limit); smaller ones at once
STREAM_BYTES = 256 << 20
BLOCK_BYTES = 64 << 20


def is_large(path: Path) -> bool:
    """Whether ``path`` is a file read in blocks (over :data:`STREAM_BYTES`)."""
    try:
        return path.is_file() and path.stat().st_size > STREAM_BYTES
    except OSError:
        return False


def peek_text(path: Path) -> str:
    """The start of a large file as text (to tell JSON from CSV)."""
    with path.open("rb") as fh:
        return fh.read(4096).removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="ignore")


#: the white space of ASCII that ``str.strip()`` removes (the same bytes in UTF-8 and GB18030)
_ASCII_SPACES = b"\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f "


def starts_like_json(path: Path) -> bool | None:
    """Whether the text of ``path`` begins (past white space) with ``[`` or ``{`` — told from
    its first bytes when the first character that is not white space is ASCII (the same in
    every encoding :func:`read_text` decodes but UTF-16); ``None`` when only the whole text
    can tell (then read it)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(1 << 16)
    except OSError:  # (the whole reading says what is wrong, as it always did)
        return None
    head = head.removeprefix(b"\xef\xbb\xbf")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    first = head.lstrip(_ASCII_SPACES)[:1]
    if not first or first[0] >= 0x80:
        return None
    return first in (b"[", b"{")


#: the cells a reader reads, from the header (:meth:`CsvFrame.table`): their columns (None
#: among them: a column the header lacks), or None for every cell
Columns = Callable[[CsvTable], Iterable[int | None] | None]


def csv_frames(
    path: Path,
    display: str,
    text: str | None = None,
    data: bytes | None = None,
    columns: Columns | None = None,
    whole: bool = False,
) -> Iterator[CsvFrame] | str:
    """A CSV export as :class:`CsvFrame` s — one for a file up to :data:`STREAM_BYTES`
    (``text``: its text, when already read; ``data``: its bytes, when already read), one per
    block of about :data:`BLOCK_BYTES` for a larger UTF-8 file, or one over an eighth of the
    import's memory limit unless ``whole`` (:func:`_csvfast.past_share`; all with the header
    of the first, and the file's line numbers) — or its text, when only the row-by-row
    reading (:func:`read_csv`) reads it as it does today. ``columns``: the cells the reader
    reads (of a file read at once by polars, the other cell columns are null:
    :func:`csv_bytes_frame`). ``whole``: a reader that takes the first frame only."""
    blocks = is_large(path) or (not whole and past_share(path) and _blocks_read(path))
    if text is None and (data is not None or not blocks):
        data = read_bytes(path, display) if data is None else data
        fast = csv_bytes_frame(data, display, columns)
        if fast is not None:
            return iter([fast])
        text = decode_bytes(data, display)[0]
    if text is not None:
        frame = read_csv_frame(text, display)
        return text if frame is None else iter([frame])
    with path.open("rb") as fh:
        head = fh.read(1 << 16)
    if not head.startswith(b"\xef\xbb\xbf"):
        try:
            head[: head.rfind(b"\n") + 1].decode("utf-8")
        except UnicodeDecodeError:  # GB18030 or UTF-16: at once, within MAX_BYTES
            return read_text(path, display)
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            return read_text(path, display)
    return _blocks(path, display)


def _blocks_read(path: Path, size: int = 8 << 20) -> bool:
    """Whether :func:`_blocks` reads a file under :data:`STREAM_BYTES` as the whole reading
    does: UTF-8 throughout, no carriage return but before a line feed, no line longer than a
    CSV field may be (else it is read at once, as without a memory limit: GB18030 past the
    first 64 KiB, old Mac line ends, a lone CR in a cell, a line over 128 Ki characters are
    what only the whole reading reads). Read ``size`` bytes at a time, cut after a line."""
    import numpy as np

    from sqops.importers._jsonvec import utf8_bytes  # (it imports this module)

    carry = b""
    with path.open("rb") as fh:
        while True:
            chunk = fh.read(size)
            data = carry + chunk
            cut = data.rfind(b"\n") + 1 if chunk else len(data)
            part, carry = data[:cut], data[cut:]
            if len(carry) > _FIELD_LIMIT:  # (a line going on, longer than a field may be)
                return False
            if b"\r" in part and part.count(b"\r") != part.count(b"\r\n"):
                return False
            if not (part.isascii() or utf8_bytes(part)):
                return False
            ends = np.flatnonzero(np.frombuffer(part, dtype=np.uint8) == 0x0A)
            bounds = np.concatenate(([-1], ends, [len(part)]))
            if int(np.diff(bounds).max()) - 1 > _FIELD_LIMIT:  # (in bytes: at least its chars)
                return False
            if not chunk:
                return True


def csv_bytes_frame(data: bytes, display: str, columns: Columns | None = None) -> CsvFrame | None:
    """:func:`read_csv_frame` of the text of ``data`` (the bytes of a whole export), read by
    polars' CSV reader (:mod:`sqops.importers._csvfast`) when that gives the same frame;
    ``None`` when the exact reading must read it (not UTF-8, quotes where a CSV writer puts
    none, ...). ``columns``: the cells the reader reads — when the header is the first line,
    polars parses only those (the rest of the header row's cells are null; the header, the
    rows, their cell counts and which are blank are the whole reading's)."""
    body = data.removeprefix(b"\xef\xbb\xbf")
    head = _read_columns(body, display, columns)
    got = fast_records(body, None, 0, last=True, columns=None if head is None else head[1])
    first = None if got is None or got[0].height == 0 else got[0].row(0)[:2]
    if got is not None and head is not None and first != (1, len(head[0])):
        # (not the first line's record, which the text's checks make it: every cell then)
        head, got = None, fast_records(body, None, 0, last=True)
    if got is None or got[0].height == 0:
        return None
    return _header_and_rows(got[0], display, plain_spaces(data), None if head is None else head[0])


def _read_columns(
    body: bytes, display: str, columns: Columns | None
) -> tuple[list[str], tuple[int, ...]] | None:
    """The cells of the header on the first line of ``body`` and the columns of it
    ``columns`` asks for (ascending), when they are fewer than the header's; else None."""
    if columns is None:
        return None
    first = first_line_cells(body)
    if first is None:
        return None
    cells = first[1]
    table = CsvTable([clean_name(c).strip() for c in cells], 1, [], display)
    try:
        asked = columns(table)
    except InputError:  # (the reader says so after the whole reading, as before)
        return None
    if asked is None:
        return None
    picked = tuple(sorted({i for i in asked if i is not None}))
    if not picked or len(picked) >= len(cells) or picked[-1] >= len(cells):
        return None  # (none: polars reads no record; all, or past the header: every cell)
    return cells, picked


def _header_and_rows(
    records: pl.DataFrame, display: str, plain: bool = False, head: list[str] | None = None
) -> CsvFrame:
    """A :class:`CsvFrame` of records read in columns (``_line``, ``_n``, ``c0``...): the
    first is the header; the rows have as many cell columns as the longest of them.
    ``plain``: the text holds no :data:`_PYTHON_ONLY_SPACES`. ``head``: the first record's
    cells, read from the text (its cells polars did not read are null in ``records``)."""
    line, n = records.row(0)[:2]
    cells = records.row(0)[2 : 2 + n] if head is None else head
    header = [clean_name(c).strip() for c in cells]
    return CsvFrame(header, line, _trimmed(records.slice(1)), display, plain)


def _trimmed(body: pl.DataFrame) -> pl.DataFrame:
    """Rows read in columns with only the cell columns their longest row fills."""
    width = int(body["_n"].max() or 0) if body.height else 0  # type: ignore[arg-type]
    return body.select(
        pl.col("_line").cast(pl.Int64),
        pl.col("_n").cast(pl.UInt32),
        *(pl.col(f"c{i}") for i in range(width)),
    )


def _blocks(path: Path, display: str) -> Iterator[CsvFrame]:
    header: CsvFrame | None = None
    delim: str | None = None
    base = 0  # lines before the block
    carry = b""
    block = block_bytes(BLOCK_BYTES)  # (less under a small --memory-limit)
    with path.open("rb") as fh:
        while True:
            data = carry + fh.read(block)
            last = len(data) == len(carry) or not fh.peek(1)
            if not last:
                cut = data.rfind(b"\n") + 1
                if cut == 0:  # one line longer than a block: read on
                    carry = data
                    continue
                data, carry = data[:cut], data[cut:]
            else:
                carry = b""
            if base == 0:
                data = data.removeprefix(b"\xef\xbb\xbf")
            plain = plain_spaces(data)  # (of the block's records and those carried on)
            fast = fast_records(data, delim, base, last=last)
            if fast is not None:  # read by polars (the same records: _csvfast)
                records, delim, used, lines = fast
                if used < len(data):  # the last records may go on in the next block
                    carry = data[used:] + carry
                base += lines
            else:
                records, delim, stop, text = _exact_block(data, display, delim, base, last)
                if stop is not None:  # the last quoted record goes on into the next block
                    kept = text.split("\n")[stop:]
                    carry = "\n".join(kept).encode("utf-8") + carry
                    base += stop
                else:
                    base += text.count("\n") + (0 if text.endswith("\n") or not text else 1)
            if header is None:
                if records.height == 0 and not last:
                    continue
                if records.height == 0:
                    raise InputError(
                        T("文件是空的", "the file is empty"), Location(file=display, line=1)
                    )
                header = _header_and_rows(records, display, plain)
                yield header
            elif records.height:
                yield CsvFrame(header.header, header.header_line, _trimmed(records), display, plain)
            if last and not carry:
                return


def _exact_block(
    data: bytes, display: str, delim: str | None, base: int, last: bool
) -> tuple[pl.DataFrame, str, int | None, str]:
    """A block of a large file read by :func:`_csv_block` (Python's csv module for the
    records with quotes): its records in columns, the delimiter, the line a quoted record
    going on into the next block starts at (or None), and the block's text."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = base + data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            T(
                "文件中途不再是 UTF-8 编码（混用了编码？）",
                "the file stops being UTF-8 part way (mixed encodings?)",
            ),
            Location(file=display, line=line),
        ) from None
    if "\x00" in text:
        idx = text.index("\x00")
        raise InputError(
            T(
                "文件包含 NUL 字符，不是文本文件",
                "file contains a NUL character: not a text file",
            ),
            Location(file=display, line=base + text.count("\n", 0, idx) + 1),
        )
    block = (
        None
        if text.count("\r") != text.count("\r\n")
        else _csv_block(text, display, delim, base, last=last)
    )
    if block is None:
        raise InputError(
            T(
                "无法分块读取这个大文件（含单独的回车符或超长的行）",
                "cannot read this large file in blocks (a lone carriage return or an over-long line)",
            ),
            Location(file=display, line=base + 1),
        )
    records, delim, stop = block
    return _rows(records), delim, stop, text


def _first_lines(lines: pl.Series, step: int = 64) -> Iterator[str]:
    for start in range(0, lines.len(), step):
        yield from lines.slice(start, step).to_list()


def _lines_from(
    raw: pl.Series, start: int, ends_in_newline: bool, near: dict[int, str]
) -> Iterator[str]:
    """The lines of the text from line ``start`` (0-based) on, with their line ends
    (``near``: lines already fetched)."""
    last = raw.len() - 1
    at = start
    while at <= last:
        line = near.get(at)
        if line is None:
            near.update(zip(range(at, at + 256), raw.slice(at, 256).to_list(), strict=False))
            line = near[at]
        yield line if (at == last and not ends_in_newline) else line + "\n"
        at += 1


def read_xlsx(path: Path, display: str) -> CsvTable:
    """First sheet of an .xlsx/.xls as strings (calamine engine). ``line`` = Excel row number."""
    import fastexcel

    if path.suffix.lower() == ".xlsx":
        check_xlsx(path, display)
    try:
        reader = fastexcel.read_excel(str(path))
        sheet = reader.load_sheet(0, header_row=None, dtypes="string")
        df = sheet.to_polars()
    except FileNotFoundError:
        raise InputError(T("文件不存在", "file not found"), Location(file=display)) from None
    except Exception as exc:  # fastexcel raises its own exception classes
        raise InputError(
            T("无法读取 Excel 文件：{e}", "cannot read the Excel file: {e}").format(
                e=what_failed(exc)
            ),
            Location(file=display),
        ) from None
    grid: list[tuple[int, list[str]]] = []
    for i, row in enumerate(df.iter_rows()):
        cells = [_cell_text(v) for v in row]
        if any(c.strip() for c in cells):
            grid.append((i + 1, cells))
    if not grid:
        raise InputError(T("工作表是空的", "the sheet is empty"), Location(file=display, row=1))
    (hline, header), *rows = grid
    return CsvTable([clean_name(h).strip() for h in header], hline, rows, display)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


# --------------------------------------------------------------------------- time


def _instant(dt: datetime) -> float:
    return dt.timestamp()


# --------------------------------------------------------------------------- vectorised
# Polars expressions giving, for a whole column, exactly what the per-value Python functions
# give (tests check them against each other). The importers read the bulk of an export
# (ordinary messages) with these and hand the rare rows to the per-row Python code.

#: the characters Python's ``str.isspace``, ``str.strip()`` and ``re``'s ``\s`` take as
#: white space (polars' ``strip_chars()`` does not strip U+001C–U+001F; a test checks this
#: list against Python)
PY_SPACES = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
    "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def _char_class(chars: str) -> str:
    return "[" + "".join(f"\\x{{{ord(c):X}}}" for c in chars) + "]"


_SPACE_RUN = _char_class(PY_SPACES) + "+"
_INVISIBLE_CLASS = _char_class("".join(map(chr, _INVISIBLE)))
_ZERO_WIDTH_CLASS = _char_class("".join(map(chr, _ZERO_WIDTH)))
_EXOTIC_SPACES = _char_class("\u00a0\u202f\u2007")


def strip_expr(s: pl.Expr) -> pl.Expr:
    """``str.strip()`` of Python (its white space, :data:`PY_SPACES`)."""
    return s.str.strip_chars(PY_SPACES)


def _cleaned(
    s: pl.Expr, tail: Callable[[pl.Expr], pl.Expr], python: Callable[[str], str]
) -> pl.Expr:
    """:func:`sqops.data.scalars.clean` then ``tail``; the rare texts polars' NFC would change
    (its Unicode version is not Python's) are done by ``python``, one call each."""
    t = s.str.replace_all(_INVISIBLE_CLASS, "")
    nfc = t.str.normalize("NFC")
    fast = tail(nfc.str.replace_all(_EXOTIC_SPACES, " "))
    renormalised = nfc != t
    slow = pl.when(renormalised).then(s).map_elements(python, return_dtype=pl.String)
    return pl.when(renormalised).then(slow).otherwise(fast)


def clean_expr(s: pl.Expr) -> pl.Expr:
    """:func:`sqops.data.scalars.clean` of every text of ``s``."""
    return _cleaned(s, lambda e: e, clean)


def clean_name_expr(s: pl.Expr) -> pl.Expr:
    """:func:`sqops.data.scalars.clean_name` of every text of ``s``."""
    return _cleaned(s, lambda e: e.str.replace_all(_ZERO_WIDTH_CLASS, ""), clean_name)


def norm_name_expr(s: pl.Expr) -> pl.Expr:
    """:func:`norm_name` of every text of ``s``."""
    return _cleaned(
        s,
        lambda e: (
            e.str.replace_all(_ZERO_WIDTH_CLASS, "")
            .str.replace_all(_SPACE_RUN, " ")
            .str.strip_chars(" ")
        ),
        norm_name,
    )


def id_runs(frame: pl.DataFrame, oid: pl.Expr) -> tuple[pl.Expr, int | None]:
    """Where each run of one id starts in ``frame`` (an expression: a row whose ``oid``
    differs from the row before), and the number of runs when every id's rows are one run
    (as shop exports write an order's rows: one after another), else None — told by the
    distinct ids among the runs' first rows, fewer to hash than every row's (Shopify,
    Youzan)."""
    start = (oid != oid.shift()).fill_null(True)
    runs, distinct = (
        frame.lazy()
        .select(start.sum().alias("r"), oid.filter(start).n_unique().alias("d"))
        .collect()
        .row(0)
    )
    return start, (runs if runs == distinct else None)


def where_empty(
    frame: pl.DataFrame, name: str, other: Callable[[pl.DataFrame], pl.Expr]
) -> pl.DataFrame:
    """``frame`` whose text column ``name`` holds, where it is empty, the expression
    ``other(rows)`` over those rows: computed on them alone — taken by a lazy filter, few in
    an export — and put in place, not on every row (Shopify, Youzan)."""
    empty = pl.col(name) == ""
    at = frame.lazy().select(pl.arg_where(empty)).collect().to_series()
    if not at.len():
        return frame
    few = frame.lazy().filter(empty).collect()
    values = few.with_columns(other(few).alias("_v")).get_column("_v")  # (a constant: each row)
    return frame.with_columns(frame[name].scatter(at, values))


def by_distinct(
    frame: pl.DataFrame,
    source: pl.Expr,
    fn: Callable[[pl.Expr], pl.Expr],
    dtype: pl.DataType = pl.String(),
) -> pl.Expr:
    """``fn(source)`` computed once per distinct value of ``source`` in ``frame`` (names and
    chat names: a few hundred values in a million rows; amounts: prices repeat), as an
    expression over ``frame`` of ``dtype`` (``fn``'s; null where ``source`` is)."""
    # (the distinct values in one query: the texts of every row are not kept)
    distinct = frame.lazy().select(source.alias("k")).unique().collect()
    keys = distinct["k"]
    if keys.len() == 1 and not keys.null_count():
        # one value in every row (a chat's name): its mapping, as a constant
        return pl.lit(pl.select(fn(pl.lit(keys[0], dtype=pl.String))).item(), dtype=dtype)
    distinct = distinct.drop_nulls()
    mapped = distinct.select(pl.col("k"), fn(pl.col("k")).alias("v"))
    if keys.dtype == dtype == pl.String:
        changed = mapped.filter(pl.col("v").eq_missing(pl.col("k")).not_())
        if changed.height <= _FEW_CHANGED:
            # (names already clean: most exports) ``source`` itself, the few texts that map
            # to another (an empty name, a system sender's) compared one by one — no lookup
            # of every text in a table (the texts of ``frame`` are among the keys; a null
            # stays null either way)
            out = source
            for k, v in reversed(changed.rows()):
                out = pl.when(source == k).then(pl.lit(v, dtype=pl.String)).otherwise(out)
            return out if out is source else out.name.keep()  # (source's name, as below)
    if keys.dtype == pl.String and mapped.height:
        # each text's place among the distinct ones (a cast to an Enum of them: faster than
        # replace_strict's lookup), then the value at that place; a text not among them
        # (none: the texts are those of ``frame``) or null: null, as replace_strict gives
        places = source.cast(pl.Enum(mapped["k"]), strict=False).to_physical()
        return pl.lit(mapped["v"].cast(dtype)).gather(places).name.keep()
    return source.replace_strict(mapped["k"], mapped["v"], default=None, return_dtype=dtype)


#: :func:`by_distinct`: at most this many texts that map to another are compared one by one
_FEW_CHANGED = 4


def name_or_null_expr(name: pl.Expr) -> pl.Expr:
    """The ``member_name`` :meth:`Context.message` stores for ``member_name=name or None``:
    :func:`norm_name`, null when that leaves nothing."""
    n = norm_name_expr(name)
    return pl.when(n != "").then(n)


def shown_name_expr(name: pl.Expr) -> pl.Expr:
    """The ``member_name`` :meth:`Context.message` stores for ``member_name=name``: as
    :func:`name_or_null_expr`, but an empty name stays empty (null stays null)."""
    return pl.when(name == "").then(name).otherwise(name_or_null_expr(name))


#: microseconds a float holds exactly (2**53): up to about 285 years either side of 1970
_EXACT_US = 1 << 53


def _seconds(us: int) -> float:
    """Microseconds → seconds, correctly rounded (as ``timedelta.total_seconds``)."""
    return int.__truediv__(us, 1_000_000)


def exact_seconds(us: pl.Series) -> pl.Series:
    """Microseconds → seconds, each correctly rounded as :func:`_seconds` (nulls kept).

    Polars divides by a constant as a multiplication by its reciprocal, one unit in the last
    place off for about 3 in 10 millisecond times (``1797732000028000 / 1e6`` gives
    ``1797732000.0279999``); one column divided by another is exact (IEEE division of the
    microseconds, exact as floats below 2**53). The rare others are divided by Python."""
    n = us.len()
    if n < 2 or bool((us.abs() >= _EXACT_US).any()):  # (one value could pass as a constant)
        values = [None if v is None else _seconds(v) for v in us.to_list()]
        return pl.Series(us.name, values, dtype=pl.Float64)
    return us.cast(pl.Float64) / pl.repeat(1e6, n, eager=True, dtype=pl.Float64).alias(us.name)


def instant_expr(utc: pl.Expr) -> pl.Expr:
    """The ``_t`` of :meth:`Context.message` (``datetime.timestamp()``: UTC epoch seconds,
    correctly rounded) of a ``Datetime(us, UTC)`` expression."""
    return utc.dt.epoch("us").map_batches(
        exact_seconds, return_dtype=pl.Float64, is_elementwise=True
    )


#: the times whose offsets polars' zone data and Python's agree on in every zone (checked
#: every 149 hours over 1800–2200 for every zone both know: before 1970 some zones' histories
#: differ, from 2100 on polars has no summer time); outside them the Python functions decide
_SAFE_FROM, _SAFE_TO = datetime(1970, 1, 2), datetime(2099, 12, 30)


def _safe(naive: pl.Expr) -> pl.Expr:
    return naive.is_between(_SAFE_FROM, _SAFE_TO)


def ts_text_expr(
    utc: pl.Expr,
    tz: str,
    offset: timedelta | None = None,
    days: tuple[date, date] | None = None,
    *,
    bounds: tuple[datetime, datetime] | None = None,
    fraction: bool = True,
) -> pl.Expr:
    """:func:`sqops.data.scalars.ts_text` of ``Datetime(us, UTC)`` times shown in ``tz``
    (unnamed: with ``days`` its name is polars' ``literal``, so the caller names it):
    local ISO 8601 with the offset (``2026-12-01T20:15:03+08:00``), milliseconds only when the
    time has a fraction, in UTC with ``Z`` when the offset has seconds (local mean time).
    ``offset``: the zone's one offset over these times when known (:func:`zone_offset`);
    ``days``: the first and last day of their wall-clock times then, when known (their
    texts are then looked up, not formatted: :func:`_wall_text_expr`). ``bounds``: the
    earliest and the latest of the times (naive UTC), when known — both where polars' zone
    data is Python's (:func:`_safe`): no row is checked for the Python branch; ``fraction``
    False: no time has a fraction of a second (no row is checked for milliseconds; with
    ``days``, the offset is looked up with the second's text). ``bounds`` and ``fraction``
    are the caller's promises, not checked here: wrong ones give wrong texts (a time outside
    the bounds read by polars' zone data where Python's differs, a fraction dropped) — give
    them only as computed from these very times (as the wechat-msg reader does)."""
    naive_utc = utc.dt.replace_time_zone(None)
    if offset is not None:
        wall = naive_utc + offset
        off_s: pl.Expr = pl.lit(int(offset.total_seconds()), dtype=pl.Int64)
    else:
        wall = utc.dt.convert_time_zone(tz).dt.replace_time_zone(None)
        off_s = (wall - naive_utc).dt.total_seconds()
    us = utc.dt.microsecond()
    frac = (
        pl.when(us != 0)
        .then(pl.lit(".") + (us // 1000).cast(pl.String).str.zfill(3))
        .otherwise(pl.lit(""))
    )
    a = off_s.abs()
    sign = pl.when(off_s < 0).then(pl.lit("-")).otherwise(pl.lit("+"))
    hh = (a // 3600).cast(pl.String).str.zfill(2)
    mm = (a % 3600 // 60).cast(pl.String).str.zfill(2)
    if offset is not None and not offset.total_seconds() % 60:
        # one whole-minute offset: its text once, and no local-mean-time branch to format
        whole = int(offset.total_seconds())
        suffix = (
            f"{'-' if whole < 0 else '+'}{abs(whole) // 3600:02d}:{abs(whole) % 3600 // 60:02d}"
        )
        if days and not fraction:  # (the day's text and the second's with the offset)
            fast = _wall_text_expr(wall, days, suffix)
        else:
            text = _wall_text_expr(wall, days) if days else wall.dt.strftime("%Y-%m-%dT%H:%M:%S")
            fast = pl.concat_str(text, frac if fraction else pl.lit(""), pl.lit(suffix))
    else:
        local = pl.concat_str(
            wall.dt.strftime("%Y-%m-%dT%H:%M:%S"), frac, sign, hh, pl.lit(":"), mm
        )
        lmt = pl.concat_str(naive_utc.dt.strftime("%Y-%m-%dT%H:%M:%S"), frac, pl.lit("Z"))
        fast = pl.when(a % 60 != 0).then(lmt).otherwise(local)
    if bounds is not None and bounds[0] >= _SAFE_FROM and bounds[1] <= _SAFE_TO:
        return fast  # (every time is where _safe holds)
    zone = get_tz(tz)
    safe = _safe(naive_utc)
    slow = (
        pl.when(~safe)
        .then(utc)
        .map_elements(lambda t: ts_text(t.astimezone(zone)), return_dtype=pl.String)
    )
    return pl.when(safe).then(fast).otherwise(slow)


#: :func:`_wall_text_expr` looks the days' texts up over at most this many days
_TEXT_DAYS = 40_000


@functools.cache
def _clock_texts(suffix: str = "") -> pl.Series:
    """``HH:MM:SS`` of every second of a day, in order (the second of the day: its place),
    each followed by ``suffix``."""
    s = pl.int_range(0, 86_400, eager=True)
    two = [x.cast(pl.String).str.zfill(2) for x in (s // 3600, s // 60 % 60, s % 60)]
    return pl.select(pl.concat_str(*two, separator=":") + pl.lit(suffix)).to_series()


def _wall_text_expr(wall: pl.Expr, days: tuple[date, date], suffix: str = "") -> pl.Expr:
    """``wall.dt.strftime("%Y-%m-%dT%H:%M:%S")`` (followed by ``suffix``) of naive times
    whose days are all within ``days`` (first, last): each day's text and each second's
    looked up (a few hundred days, 86,400 seconds) and joined, not every time formatted.
    (A time outside ``days``: null; days before 1970 or too many of them: ``strftime``.)"""
    first, last = days
    if first < date(1970, 1, 1) or (last - first).days >= _TEXT_DAYS:
        text = wall.dt.strftime("%Y-%m-%dT%H:%M:%S")
        return pl.concat_str(text, pl.lit(suffix)) if suffix else text
    seconds = wall.dt.epoch("s")
    day = seconds // 86_400 - (first - date(1970, 1, 1)).days
    texts = pl.date_range(first, last, eager=True).dt.strftime("%Y-%m-%dT")
    inside = day.is_between(0, texts.len() - 1)
    return pl.when(inside).then(
        pl.concat_str(
            pl.lit(texts).gather(day.clip(0, texts.len() - 1)),
            pl.lit(_clock_texts(suffix)).gather(seconds % 86_400),
        )
    )


def local_to_utc(naive: pl.Expr, tz: str, offset: timedelta | None = None) -> pl.Expr:
    """Naive wall-clock times of ``tz`` → ``Datetime(us, UTC)`` as :func:`parse_ts` reads
    them: a time the zone skips is null, one it passes twice is its first occurrence.
    ``offset``: the zone's one offset over these times (:func:`zone_offset`), faster."""
    if offset is not None:
        fast = (naive - offset).dt.replace_time_zone("UTC")
    else:
        fast = naive.dt.replace_time_zone(
            tz, ambiguous="earliest", non_existent="null"
        ).dt.convert_time_zone("UTC")
    zone = get_tz(tz)

    def one(wall: datetime) -> datetime | None:
        aware = local_time(wall, zone)
        return aware.astimezone(UTC) if aware is not None else None

    safe = _safe(naive)
    slow = pl.when(~safe).then(naive).map_elements(one, return_dtype=pl.Datetime("us", "UTC"))
    return pl.when(safe).then(fast).otherwise(slow)


#: the naive ``YYYY-MM-DD HH:MM[:SS]`` (or ``T``) that :func:`naive_ts_expr` reads: exactly
#: what :func:`parse_ts` reads the same way (other spellings go the per-row way)
NAIVE_TS = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T](?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9])?$"


#: the spelling of :data:`NAIVE_TS` most exports write (``YYYY-MM-DD HH:MM:SS``): read as it is
_NAIVE_STD = r"^[0-9]{4}-[0-9]{2}-[0-9]{2} (?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$"


def naive_text_expr(text: pl.Expr) -> pl.Expr:
    """Texts matching :data:`NAIVE_TS` written ``YYYY-MM-DD HH:MM:SS`` ("T" → " ", ":00"
    added to minutes, as :func:`parse_ts` reads them); null for every other text. Only the
    texts not already so written are rewritten (the others are masked out first)."""
    std = text.str.contains(_NAIVE_STD)
    odd = pl.when(~std).then(text)
    odd_body = pl.when(odd.str.contains(NAIVE_TS)).then(
        pl.concat_str(
            odd.str.slice(0, 10),
            pl.lit(" "),
            odd.str.slice(11),
            pl.when(odd.str.len_bytes() == 16).then(pl.lit(":00")).otherwise(pl.lit("")),
        )
    )
    return pl.when(std).then(text).otherwise(odd_body)


def naive_text_in(frame: pl.DataFrame, text: pl.Expr) -> pl.Expr:
    """:func:`naive_text_expr` of ``text`` over ``frame``: ``text`` itself (the same object:
    callers test ``is``) when every text of it is written ``YYYY-MM-DD HH:MM:SS`` already
    (most exports), ``text`` and ``:00`` when every one is written ``YYYY-MM-DD HH:MM`` —
    one check of the column, and no rewriting branch computed on every row. (A null stays
    null either way.)"""
    body, seconds = naive_body_in(frame, text)
    return body + seconds if seconds else body


def naive_body_in(frame: pl.DataFrame, text: pl.Expr) -> tuple[pl.Expr, str]:
    """:func:`naive_text_in` as (the texts, the seconds they lack): ``(text, ":00")`` when
    every text is written ``YYYY-MM-DD HH:MM`` — ``text`` itself, its seconds added by
    :func:`parsed_expr` and :func:`bulk_ts_text_expr` given them (no million texts made
    with ``:00`` only to be parsed and copied) —, else (:func:`naive_text_in`, "")."""
    shortest, longest = (
        frame.lazy()
        .select(text.str.len_bytes().min().alias("a"), text.str.len_bytes().max().alias("b"))
        .collect()
        .row(0)
    )

    def every(matches: pl.Expr) -> bool:
        return bool(frame.lazy().select(matches.all()).collect().item())

    if (shortest == longest == 19 or shortest is None) and every(text.str.contains(_NAIVE_STD)):
        return text, ""
    if shortest == longest == 16 and every(text.str.contains(_NAIVE_MINUTES)):
        return text, ":00"
    return naive_text_expr(text), ""


#: :data:`_NAIVE_STD` without the seconds (``YYYY-MM-DD HH:MM``: :func:`naive_text_expr`
#: adds ``:00``)
_NAIVE_MINUTES = r"^[0-9]{4}-[0-9]{2}-[0-9]{2} (?:[01][0-9]|2[0-3]):[0-5][0-9]$"


def naive_ts_expr(text: pl.Expr) -> pl.Expr:
    """Texts matching :data:`NAIVE_TS` → naive ``Datetime(us)``; null for every other text
    and for a date that does not exist or a year outside ``MIN_YEAR``–``MAX_YEAR``."""
    return naive_text_ts_expr(naive_text_expr(text))


def naive_text_ts_expr(body: pl.Expr) -> pl.Expr:
    """:func:`naive_ts_expr` of texts :func:`naive_text_expr` wrote."""
    year = body.str.slice(0, 4)  # (four digits: compared as text)
    inside = (year >= f"{MIN_YEAR:04d}") & (year <= f"{MAX_YEAR:04d}")
    return parsed_expr(pl.when(inside).then(body))


def parsed_expr(body: pl.Expr, seconds: str = "") -> pl.Expr:
    """:func:`naive_text_ts_expr` without its check of the years (:func:`in_years` makes
    it after, on the parsed times: a parsed text's year is its first four digits).
    ``seconds``: ``:00`` when the texts are written ``YYYY-MM-DD HH:MM`` (matched by
    :func:`naive_body_in`: read without seconds, the same times)."""
    form = "%Y-%m-%d %H:%M" if seconds == ":00" else "%Y-%m-%d %H:%M:%S"
    assert seconds in ("", ":00"), seconds
    return body.str.to_datetime(form, time_unit="us", strict=False, exact=True, cache=False)


def in_years(frame: pl.DataFrame, name: str) -> pl.DataFrame:
    """``frame`` whose times ``name`` (:func:`parsed_expr`) are null where their year is
    outside ``MIN_YEAR``–``MAX_YEAR`` — a column only when its earliest or latest time is
    (most exports: no year of every row compared). Exact only for times parsed from texts
    :func:`naive_text_expr` or :func:`naive_text_in` wrote (four-digit years: the parsed
    year is the text's); a raw text must go through :func:`naive_text_ts_expr`."""
    t = pl.col(name)
    low, high = frame.select(t.min().dt.year().alias("a"), t.max().dt.year().alias("b")).row(0)
    if low is None or (low >= MIN_YEAR and high <= MAX_YEAR):
        return frame
    year = pl.col(name).dt.year()
    return frame.with_columns(pl.when(year.is_between(MIN_YEAR, MAX_YEAR)).then(pl.col(name)))


def wall_ts_text(naive: pl.Series, offset: timedelta | None) -> timedelta | None:
    """``offset`` when :func:`wall_ts_text_expr` gives :func:`ts_text_expr` of the times
    ``naive`` (wall-clock times in whole seconds of a zone whose one offset over them is
    ``offset``): a whole-minute offset and instants where :func:`ts_text_expr` takes polars'
    way; else None."""
    if offset is None or offset.total_seconds() % 60 or naive.null_count() == naive.len():
        return None
    low, high = naive.min(), naive.max()
    assert isinstance(low, datetime) and isinstance(high, datetime)
    return offset if low - offset >= _SAFE_FROM and high - offset <= _SAFE_TO else None


def wall_ts_text_expr(body: pl.Expr, offset: timedelta, seconds: str = "") -> pl.Expr:
    """:func:`ts_text_expr` of the instants of texts :func:`naive_text_expr` wrote, in a zone
    whose one offset over them is ``offset`` (:func:`wall_ts_text` says when): the wall time
    is the text itself, so no date is formatted. ``seconds``: what the texts lack
    (:func:`naive_body_in`), written before the offset."""
    a = int(offset.total_seconds())
    sign = "-" if a < 0 else "+"
    a = abs(a)
    # (the text's first space is the one between the date and the time: it becomes "T")
    return pl.concat_str(
        body.str.replace(" ", "T", literal=True),
        pl.lit(f"{seconds}{sign}{a // 3600:02d}:{a % 3600 // 60:02d}"),
    )


def bulk_ts_text_expr(
    naive: pl.Series,
    body: pl.Expr,
    utc: pl.Expr,
    zone: str,
    offset: timedelta | None,
    seconds: str = "",
) -> pl.Expr:
    """The ``ts`` text of the bulk rows whose wall-clock times are ``naive`` (their texts
    ``body``, as :func:`naive_text_expr` wrote them, less ``seconds`` as
    :func:`naive_body_in` gives them; their instants ``utc``): made from the text itself
    where :func:`wall_ts_text` allows it, else :func:`ts_text_expr`."""
    wall = wall_ts_text(naive, offset)
    if wall is not None:
        return wall_ts_text_expr(body, wall, seconds)
    return ts_text_expr(utc, zone, offset)


def zone_offset(tz: str, naive: pl.Series) -> timedelta | None:
    """The one UTC offset ``tz`` has over the times ``naive`` (:func:`fixed_offset`)."""
    from sqops.data.offsets import fixed_offset

    if naive.null_count() == naive.len():
        return None
    return fixed_offset(tz, naive.min(), naive.max())  # type: ignore[arg-type]


# --------------------------------------------------------------------------- amounts

# --------------------------------------------------------------------------- the context


@dataclass
class ImportResult:
    """What an import produced: canonical tables, what could not be read, and counts."""

    tables: dict[str, pl.DataFrame]
    problems: list[Problem]
    counts: dict[str, int]
    #: tables too large to hold (``memory_limit``): on disk, written by ``write_tables``
    spilled: dict[str, SpilledTable] = field(default_factory=dict)

    def heights(self) -> dict[str, int]:
        """The rows of each table, held or spilled, in the order of the tables."""
        return {
            name: (self.tables[name].height if name in self.tables else self.spilled[name].height)
            for name in IMPORTED_TABLES
            if name in self.tables or name in self.spilled
        }

    def table(self, name: str) -> pl.DataFrame:
        """One table in memory (a spilled one read back)."""
        return self.tables[name] if name in self.tables else self.spilled[name].frame()

    def close(self) -> None:
        """Remove the files of the spilled tables (they can no longer be written)."""
        for t in self.spilled.values():
            t.close()


class MessageRuns:
    """:meth:`Context.message_runs`: a frame's rows added a run at a time."""

    def __init__(self, ctx: Context, frame: pl.DataFrame, aliased: bool = False) -> None:
        self.ctx, self.frame, self.aliased = ctx, frame, aliased
        self.done = 0  # rows of ``frame`` added
        self.runs: list[tuple[int, int]] = []  # (rows, first _s)

    def add(self, n: int) -> None:
        """The next ``n`` rows of the frame take the next ``n`` sequence numbers."""
        if n <= 0:
            return
        ctx = self.ctx
        if ctx.spill_at is not None:  # (as many frames, so that the spills come where they did)
            ctx.add_messages(self.frame.slice(self.done, n), aliased=self.aliased)
        else:
            self.runs.append((n, ctx._seq + 1))
            ctx._seq += n
        self.done += n

    def close(self) -> None:
        """The rows added, kept in the context as one frame."""
        if self.runs:  # (through add_messages, with the numbers the runs took)
            self.ctx.add_messages(self.frame.slice(0, self.done), self.runs, aliased=self.aliased)
        self.runs = []


@dataclass
class _Pending:
    """A member event whose member or inviter is only known by name (resolved at the end)."""

    row: dict[str, Any]
    member_name: str | None
    inviter_name: str | None


@dataclass
class Context:
    """Collects the canonical rows of one import, and everything that went wrong."""

    tz: tzinfo
    group_id: str | None = None  # --group-id: overrides what the export says (or lacks)
    self_name: str | None = None  # --self-name: the exporter's display name in the chats
    rows: dict[str, list[Any]] = field(
        default_factory=lambda: {name: [] for name in IMPORTED_TABLES}
    )
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    aliases: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    pending: list[_Pending] = field(default_factory=list)
    _seq: int = 0
    file_no: int = 0  # which input file rows come from (set by import_files)
    _seen_alias: set[tuple[str, str, str]] = field(default_factory=set)
    #: message frames added with :meth:`add_messages`: (frame, first ``_s``, file number);
    #: the first ``_s`` is a list of (rows, first ``_s``) for a frame added by
    #: :meth:`message_runs` (its rows in runs, other rows numbered between them)
    _bulk: list[tuple[pl.DataFrame, int | list[tuple[int, int]], int]] = field(default_factory=list)
    _bulk_aliased: int = 0  # how many of ``_bulk`` have had their aliases recorded
    #: bytes of messages held (estimated) above which they are written to disk in a sorted
    #: run (:mod:`sqops.importers._spill`); None: all held until :meth:`finish`
    spill_at: int | None = None
    #: the process's resident bytes above which the messages held are written to disk once
    #: they pass an eighth of ``spill_at`` (the frames added may keep the reader's whole
    #: blocks alive: their own size says too little)
    spill_rss: int | None = None
    _held: int = 0  # the estimated bytes of the frames in ``_bulk``
    _runs: Runs | None = None
    _self_groups: set[str] = field(default_factory=set)  # groups of spilled "self" messages
    _spilled_ids: bool = False  # a spilled message has a msg_id
    #: order frames added with :meth:`add_orders` (:data:`ORDER_SCHEMA`, ``_s`` included);
    #: the rows :meth:`order` adds one by one stay in ``rows["orders"]``
    _order_frames: list[pl.DataFrame] = field(default_factory=list)

    # ---- bookkeeping
    def count(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def skip(self, where: Location, text: T, code: str = "unreadable") -> None:
        """A line/row/item that could not be read: reported, counted, not fatal."""
        self.problems.append(Problem(text, where, code))
        self.count("skipped")

    def note(self, where: Location, text: T) -> None:
        """Something the user should know (an assumption made), not a lost line."""
        self.problems.append(Problem(text, where, "note"))

    def _next(self) -> int:
        self._seq += 1
        return self._seq

    def alias(self, group_id: str, name: str | None, member_id: str) -> None:
        """Record that, in this group, ``name`` is shown for ``member_id``."""
        if name and member_id and (group_id, name, member_id) not in self._seen_alias:
            self._seen_alias.add((group_id, name, member_id))
            n = norm_name(name)
            if n:
                self.aliases.setdefault(group_id, {}).setdefault(n, set()).add(member_id)

    # ---- rows
    def add_messages(
        self,
        frame: pl.DataFrame,
        numbered: list[tuple[int, int]] | None = None,
        *,
        aliased: bool = False,
    ) -> None:
        """Many messages at once, as :meth:`message` adds one (see :data:`BULK_COLUMNS` for
        the columns; missing optional ones are null). The rows take the next ``_s`` in frame
        order and the current ``file_no``; ``--group-id`` and the aliases are applied as
        :meth:`message` does. Cheap: the work is done once, in :meth:`finish`.
        ``numbered``: the rows' numbers taken already, as (rows, first ``_s``) runs
        (:meth:`MessageRuns.close`). ``aliased``: the caller has recorded the aliases of
        its rows' names already (:meth:`alias` of each distinct group, ``member_name`` and
        ``member_id``, as :meth:`finish` would): they are not looked for again — a promise
        not checked: a caller that gives it without recording them changes how names are
        resolved, silently (the wechat-msg reader's Hypothesis test holds its own)."""
        missing = [c for c in BULK_REQUIRED if c not in frame.columns]
        unknown = [c for c in frame.columns if c not in BULK_COLUMNS]
        assert not missing and not unknown, (missing, unknown)
        if frame.height == 0:
            return
        if aliased:  # (the frames before it: theirs recorded now, the order says nothing)
            self._bulk_aliases()
        if numbered is not None:
            self._bulk.append((frame, numbered, self.file_no))
        else:
            self._bulk.append((frame, self._seq + 1, self.file_no))
            self._seq += frame.height
        if aliased:
            self._bulk_aliased = len(self._bulk)
        if numbered is None and self.spill_at is not None:
            self._held += int(frame.estimated_size())
            self._spill_if_full()

    def message_runs(self, frame: pl.DataFrame, *, aliased: bool = False) -> MessageRuns:
        """``frame``'s rows added in runs, between other rows (the rare rows a reader reads
        one by one): ``runs.add(n)`` adds its next ``n`` rows as :meth:`add_messages` would
        (they take the next ``_s``), ``runs.close()`` ends it. The rows are kept as one
        frame with the ``_s`` of each run (not as many slices: a frame of thousands of
        chunks is slow to sort and stack); while messages may be spilled, each run is added
        by :meth:`add_messages` itself. ``aliased``: as :meth:`add_messages` takes it."""
        return MessageRuns(self, frame, aliased)

    def message(
        self,
        *,
        ts: datetime,
        group_id: str,
        member_id: str,
        msg_id: str | None = None,
        member_name: str | None = None,
        msg_type: str = "text",
        content: str | None = None,
        reply_to: str | None = None,
        role: str | None = None,
        group_name: str | None = None,
    ) -> None:
        """One message; ``group_name``: the chat's name where the export gives one beside an
        id (the report shows it when the SOP does not name the group)."""
        assert msg_type in MSG_TYPES, msg_type
        group_id = self.group_id or group_id
        if member_name:
            member_name = norm_name(member_name) or None
        if member_name and member_id not in (SYSTEM_ID,):
            self.alias(group_id, member_name, member_id)
        # a tuple (fields in MSG_FIELDS order), not a dict: exports have millions of messages
        self.rows["messages"].append(
            (
                _instant(ts),
                self._next(),
                self.file_no,
                ts_text(ts),
                group_id,
                member_id,
                msg_id or None,
                member_name,
                msg_type,
                content if content else None,
                reply_to or None,
                role,
                (clean_name(group_name) or None) if group_name else None,
            )
        )
        if self.spill_at is not None and len(self.rows["messages"]) % _CHECK_ROWS == 0:
            self._spill_if_full()

    def member_event(
        self,
        *,
        ts: datetime,
        group_id: str,
        event: str,
        member_id: str | None = None,
        member_name: str | None = None,
        inviter_id: str | None = None,
        inviter_name: str | None = None,
        channel: str | None = None,
    ) -> None:
        """A join/leave/... . Give an id when the export has one, else the name (resolved later)."""
        assert event in MEMBER_EVENTS, event
        assert member_id or member_name
        group_id = self.group_id or group_id
        if member_name:
            member_name = norm_name(member_name) or None
        if member_id and member_name:
            self.alias(group_id, member_name, member_id)
        row = {
            "_t": _instant(ts),
            "_s": self._next(),
            "ts": ts_text(ts),
            "group_id": group_id,
            "member_id": member_id,
            "event": event,
            "inviter_id": inviter_id or None,
            "channel": channel,
            "member_name": member_name,
        }
        self.rows["members"].append(row)
        if not member_id or (inviter_name and not inviter_id):
            self.pending.append(
                _Pending(
                    row, None if member_id else member_name, None if inviter_id else inviter_name
                )
            )

    def staff(self, member_id: str, role: str | None = None, name: str | None = None) -> None:
        self.rows["staff"].append(
            {"_t": 0, "_s": self._next(), "member_id": member_id, "role": role, "name": name}
        )

    def order(
        self,
        *,
        order_id: str,
        ts: datetime,
        member_id: str,
        amount: float,
        status: str = "paid",
        group_id: str | None = None,
        coupon_id: str | None = None,
    ) -> None:
        assert status in ORDER_STATUSES, status
        self.rows["orders"].append(
            {
                "_t": _instant(ts),
                "_s": self._next(),
                "order_id": order_id,
                "ts": ts_text(ts),
                "member_id": member_id,
                "amount": amount,
                "group_id": self.group_id or group_id or None,
                "status": status,
                "coupon_id": coupon_id or None,
            }
        )

    def add_orders(self, frame: pl.DataFrame) -> None:
        """Many orders at once, as :meth:`order` adds one, in frame order (the next ``_s``
        each). ``frame`` has ``_t`` (Float64, UTC epoch seconds as :func:`instant_expr` gives
        them), ``ts`` (the :func:`ts_text` of the time), ``order_id``, ``member_id``,
        ``amount`` (Float64) and optionally ``status`` (default ``paid``), ``group_id``,
        ``coupon_id`` (an empty text is none, as in :meth:`order`). The rows are kept as a
        frame of the values :meth:`order` stores, so :meth:`finish` treats both the same."""
        missing = [c for c in ORDER_REQUIRED if c not in frame.columns]
        unknown = [c for c in frame.columns if c not in ORDER_COLUMNS]
        assert not missing and not unknown, (missing, unknown)
        if frame.height == 0:
            return
        status = pl.col("status") if "status" in frame.columns else pl.lit("paid")
        # (lazy queries: the readers' order frames come from lazy filters, their columns in
        # several chunks, and an eager select over them first copies each into one)
        bad = frame.lazy().select((status.is_in(ORDER_STATUSES).not_() | status.is_null()).any())
        assert not bad.collect().item(), "status"

        def optional(c: str) -> pl.Expr:
            if c not in frame.columns:
                return pl.lit(None, dtype=pl.String)
            return pl.when(pl.col(c) != "").then(pl.col(c).cast(pl.String))

        group = pl.lit(self.group_id, dtype=pl.String) if self.group_id else optional("group_id")
        first = self._seq + 1
        query = frame.lazy().select(
            pl.col("_t").cast(pl.Float64),
            pl.int_range(first, first + frame.height, dtype=pl.Int64).alias("_s"),
            pl.col("order_id").cast(pl.String),
            pl.col("ts").cast(pl.String),
            pl.col("member_id").cast(pl.String),
            pl.col("amount").cast(pl.Float64),
            group.alias("group_id"),
            status.cast(pl.String).alias("status"),
            optional("coupon_id").alias("coupon_id"),
        )
        self._seq += frame.height
        self._order_frames.append(query.collect())

    def _all_orders(self) -> pl.DataFrame:
        """Every order added (with :meth:`order` and :meth:`add_orders`) as one frame of
        :data:`ORDER_SCHEMA`, in the order they were added (``_s``)."""
        parts = [pl.DataFrame(self.rows["orders"], schema=ORDER_SCHEMA)]
        parts += self._order_frames
        frame = pl.concat(parts) if len(parts) > 1 else parts[0]
        if not frame["_s"].is_sorted():  # rows added one by one between the frames
            frame = frame.sort("_s")
        return frame

    def _orders_table(self, required: tuple[str, ...], optional: tuple[str, ...]) -> pl.DataFrame:
        """The orders table: the first of the rows with one order_id (in the order they were
        added; the others counted as ``duplicate_orders``), sorted by time then order_id
        (then the order they were added)."""
        frame = self._all_orders()
        self.rows["orders"] = []
        self._order_frames = []
        by_id = _ids_in_order(frame["order_id"])
        if by_id is None:  # (ids not shown distinct: the first of each kept)
            before = frame.height
            frame = frame.filter(pl.col("order_id").is_first_distinct())
            if frame.height < before:
                self.count("duplicate_orders", before - frame.height)
        cols = list(required) + [c for c in optional if frame[c].null_count() < frame.height]
        self.counts["orders"] = frame.height
        if by_id is None:
            return frame.sort("_t", "order_id", "_s").select(cols)
        return frame.select(cols)[_orders_order(frame, by_id)]

    # ---- the end
    def resolve(self, group_id: str, name: str) -> str:
        """A name → the member id: the one id shown with that name in the group, else derived."""
        self._bulk_aliases()
        n = norm_name(name)
        if n in SELF_NAMES:
            # the exporter: their own id when the export showed it (an "is self" message)
            ids = self.aliases.get(group_id, {}).get(SELF_NAMES[0], set())
            return next(iter(ids)) if len(ids) == 1 else SELF_ID
        ids = self.aliases.get(group_id, {}).get(n, set())
        if len(ids) == 1:
            return next(iter(ids))
        return name_id(n)

    def self_is(self, group_id: str, member_id: str) -> None:
        """The exporting account ("你"/"You" in notices) is ``member_id`` in this group."""
        self.alias(group_id, SELF_NAMES[0], member_id)

    def _bulk_aliases(self, names: set[str] | None = None) -> None:
        """Record the aliases of the frames added since the last call, as :meth:`message`
        does for one row: one Python call per distinct (group, name, member), not per row.
        ``names``: only those of these names (:func:`norm_name`), the last call on these
        frames (:meth:`finish`: the names it resolves)."""
        todo = [f for f, _, _ in self._bulk[self._bulk_aliased :] if "member_name" in f.columns]
        self._bulk_aliased = len(self._bulk)
        if todo:
            self.alias_names(_stack(todo), names)

    def alias_names(self, frame: pl.DataFrame, names: set[str] | None = None) -> None:
        """Record the aliases of ``frame``'s rows (``group_id``, ``member_name``,
        ``member_id``) as :meth:`message` does for one row — a name, not empty, of a member
        other than the system —, one Python call per distinct triple: what
        :meth:`_bulk_aliases` does for the frames added, and what a reader that passes
        ``aliased=True`` does first (on its distinct speakers). ``names``: only the rows
        whose name :func:`norm_name` makes one of these (the aliases under other names are
        not recorded)."""
        group = pl.lit(self.group_id) if self.group_id else pl.col("group_id")
        rows = frame.lazy()
        if names is not None:  # (the distinct names alone hashed, not every row's triple)
            shown = frame.lazy().select(pl.col("member_name").unique()).collect().to_series()
            wanted = [n for n in shown.drop_nulls().to_list() if n and norm_name(n) in names]
            if not wanted:
                return
            rows = rows.filter(pl.col("member_name").is_in(wanted))
        # (the aliases are sets: the order the triples are recorded in says nothing)
        triples = (
            rows.select(group.alias("group_id"), "member_name", "member_id")
            .filter(
                pl.col("member_name").is_not_null()
                & (pl.col("member_name") != "")
                & (pl.col("member_id") != SYSTEM_ID)
            )
            .unique()
            .collect()
        )
        for g, n, m in triples.iter_rows():
            self.alias(g, n, m)

    def _name_the_exporter(self, name: str, messages: pl.DataFrame) -> pl.DataFrame:
        """``--self-name``: the exporter's rows ("you", ``self``) get the id their name has."""
        ids: dict[str, str] = {}

        def id_in(g: str) -> str:
            if g not in ids:
                n = norm_name(name)
                known = self.aliases.get(g, {}).get(n, set()) - {SELF_ID}
                ids[g] = next(iter(known)) if len(known) == 1 else name_id(n)
            return ids[g]

        is_self = pl.col("member_id") == SELF_ID
        groups = messages.filter(is_self)["group_id"].unique().sort().to_list()
        for g in groups:
            id_in(g)
        if groups:
            messages = messages.with_columns(
                pl.when(is_self)
                .then(pl.col("group_id").replace(ids))
                .otherwise(pl.col("member_id"))
                .alias("member_id")
            )
        for r in self.rows["members"]:
            for c in ("member_id", "inviter_id"):
                if r[c] == SELF_ID:
                    r[c] = id_in(r["group_id"])
        return messages

    def _all_messages(self) -> pl.DataFrame:
        """Every message added (with :meth:`message` and :meth:`add_messages`) as one frame
        of :data:`MSG_FIELDS` (``_s``: the order they were added). The frames added are
        turned into it a batch at a time and let go, so that a large import holds its
        messages about once, not twice."""
        parts = list(self._message_parts())
        parts = [p for p in parts if p.height] or parts[:1]
        return pl.concat(parts, rechunk=False) if len(parts) > 1 else parts[0]

    def _message_parts(self) -> Iterator[pl.DataFrame]:
        """:meth:`_all_messages` in parts: the rows added one by one, then the frames added,
        :data:`_BATCH_ROWS` rows at a time (each batch let go as its part is made)."""
        held, self.rows["messages"] = self.rows["messages"], []
        first = pl.DataFrame(held, schema=MSG_SCHEMA, orient="row")
        del held
        self._bulk_aliased = 0
        yield first
        del first
        while self._bulk:
            batch: list[tuple[pl.DataFrame, int | list[tuple[int, int]], int]] = []
            rows = 0
            while self._bulk and (not batch or rows + self._bulk[0][0].height <= _BATCH_ROWS):
                batch.append(self._bulk.pop(0))
                rows += batch[-1][0].height
            part = self._bulk_part(batch)
            del batch
            yield part
            del part  # (before the next batch's part is made)

    def _bulk_part(
        self, batch: list[tuple[pl.DataFrame, int | list[tuple[int, int]], int]]
    ) -> pl.DataFrame:
        frame = _stack([f for f, _, _ in batch])
        # (rows, first _s) of each run of rows numbered in a row, in frame order
        runs = [r for f, s, _ in batch for r in ([(f.height, s)] if isinstance(s, int) else s)]
        firsts = pl.Series([s for _, s in runs], dtype=pl.Int64)
        sizes = pl.Series([n for n, _ in runs], dtype=pl.Int64)
        files = pl.Series([n for f, _, n in batch], dtype=pl.Int64)
        heights = pl.Series([f.height for f, _, _ in batch], dtype=pl.Int64)
        cols: list[pl.Expr] = []
        for c, dtype in MSG_SCHEMA.items():
            if c == "_s":
                e = pl.lit(
                    pl.int_ranges(firsts, firsts + sizes, dtype=pl.Int64, eager=True).explode()
                )
            elif c == "_f":
                e = pl.lit(files.repeat_by(heights).explode())
            elif c == "group_id" and self.group_id:
                e = pl.lit(self.group_id, dtype=pl.String)
            elif c in frame.columns:
                e = pl.col(c).cast(dtype)
                if c in _EMPTY_IS_NULL:
                    e = pl.when(e != "").then(e)
            else:
                e = pl.lit(None, dtype=dtype)
            cols.append(e.alias(c))
        return frame.select(cols)

    def _messages_frame(
        self, held: list[pl.DataFrame], required: tuple[str, ...], optional: tuple[str, ...]
    ) -> pl.DataFrame:
        """The messages table of the one frame ``held`` (taken out of the list: held by
        nothing else, its columns are let go as they are gathered)."""
        frame = held.pop()
        before = frame.height
        frame = _dedupe_messages(frame, several_files=self.file_no > 0)
        if frame.height < before:
            self.count("duplicate_messages", before - frame.height)
        cols = list(required) + [c for c in optional if frame[c].null_count() < frame.height]
        self.counts["messages"] = frame.height
        held.append(frame)
        del frame
        return _held_in_order(held, cols)

    # ---- too many messages to hold: sorted runs on disk (sqops.importers._spill)
    def _spill_if_full(self) -> None:
        held = self._held + len(self.rows["messages"]) * _ROW_BYTES
        if self.spill_at is None:
            return
        if held > self.spill_at or (
            self.spill_rss is not None
            and held > self.spill_at // 8
            and (resident_bytes() or 0) > self.spill_rss
        ):
            self._spill()

    def _spill(self) -> None:
        """Write the messages held as sorted runs (their aliases recorded first), a run of
        each part of :meth:`_message_parts`: a part's sort copies it whole (~2.7x its
        estimated size at the peak), so that one run of everything held took the process
        past ``--memory-limit`` (1.21 GB JSON Lines under 2G: 2,409 MB)."""
        from sqops.importers import _spill

        self._bulk_aliases()
        self._held = 0
        for part in self._message_parts():
            if part.height == 0:
                continue
            if self._runs is None:
                self._runs = _spill.Runs()
            is_self = pl.col("member_id") == SELF_ID
            self._self_groups.update(part.filter(is_self)["group_id"].unique().to_list())
            self._spilled_ids |= part["msg_id"].null_count() < part.height
            per_row = max(1, int(part.estimated_size()) // part.height)
            budget = (self.spill_at or 0) // _MERGE_SHARE
            self._runs.add(part, max(_spill.MIN_FILE_ROWS, budget // per_row))
            del part

    def discard(self) -> None:
        """Remove what was written to disk (the import failed or was interrupted)."""
        if self._runs is not None:
            self._runs.discard()

    def _exporter_ids(self, name: str, groups: list[str]) -> dict[str, str]:
        """``--self-name``: the id the exporter's name has in each of ``groups``."""
        n = norm_name(name)
        ids: dict[str, str] = {}
        for g in groups:
            known = self.aliases.get(g, {}).get(n, set()) - {SELF_ID}
            ids[g] = next(iter(known)) if len(known) == 1 else name_id(n)
        return ids

    def _spilled_messages(
        self, required: tuple[str, ...], optional: tuple[str, ...], ids: dict[str, str]
    ) -> SpilledTable | None:
        """:meth:`_messages_frame` of the spilled runs: deduplicated and sorted the same way,
        merged a chunk at a time into the files of the table."""
        from sqops.importers._spill import SpilledTable

        runs = self._runs
        assert runs is not None
        if runs.rows == 0:
            return None
        several = self.file_no > 0
        drop = self._spilled_id_duplicates(runs.all_files()) if self._spilled_ids else None
        is_self = pl.col("member_id") == SELF_ID
        rename = (
            pl.when(is_self)
            .then(pl.col("group_id").replace(ids))
            .otherwise(pl.col("member_id"))
            .alias("member_id")
        )
        cols = list(required) + list(optional)
        filled = dict.fromkeys(optional, False)
        height = 0
        files = []
        for k, chunk in enumerate(runs.merged()):
            if ids:
                chunk = chunk.with_columns(rename)
            if drop is not None and drop.len():
                chunk = chunk.filter(~pl.col("_s").is_in(drop))
            if several:
                has_id = pl.col("msg_id").is_not_null()
                without = _drop_repeats(chunk.filter(~has_id).sort("_s"))
                with_id = chunk.filter(has_id)
                if with_id.height + without.height < chunk.height:
                    chunk = pl.concat([with_id, without]).sort("group_id", "_t", "_s")
            if chunk.height == 0:
                continue
            height += chunk.height
            for c in optional:
                filled[c] = filled[c] or chunk[c].null_count() < chunk.height
            path = runs.folder.path / f"table-{k:07d}.parquet"
            chunk.select(pl.col(c).cast(pl.String) for c in cols).write_parquet(
                path, compression="lz4", statistics=False
            )
            files.append(path)
        for p in runs.all_files():
            p.unlink()
        if height < runs.rows:
            self.count("duplicate_messages", runs.rows - height)
        self.counts["messages"] = height
        out = list(required) + [c for c in optional if filled[c]]
        return SpilledTable(runs.folder, files, out, height)

    @staticmethod
    def _spilled_id_duplicates(files: list[Path]) -> pl.Series:
        """The ``_s`` of the messages whose (group, msg_id) an earlier message has (the rule
        of :func:`_dedupe_messages`): candidates by a hash of the key (16 bytes a message
        with an id), then the exact keys of the candidates alone."""
        scan = pl.scan_parquet(files).filter(pl.col("msg_id").is_not_null())
        key = pl.struct("group_id", "msg_id").hash(seed=0)
        cand = (
            scan.select(key.alias("_h"), "_s")
            .filter(pl.len().over("_h") > 1)
            .select("_s")
            .collect()["_s"]
        )
        if cand.len() == 0:
            return cand
        exact = scan.filter(pl.col("_s").is_in(cand)).select("group_id", "msg_id", "_s").collect()
        first = pl.col("_s").min().over("group_id", "msg_id")
        return exact.filter(pl.col("_s") != first)["_s"]

    def finish(self) -> ImportResult:
        # the aliases are read only to resolve names (:meth:`resolve`, ``--self-name``): the
        # frames' names are looked at only for those, or not at all when none is left
        if self.self_name:
            self._bulk_aliases()
        elif self.pending:
            wanted = {
                norm_name(n) for p in self.pending for n in (p.member_name, p.inviter_name) if n
            }
            # (a name of the exporter: the aliases of "你", whatever name was given)
            self._bulk_aliases(wanted | {SELF_NAMES[0]})
        if self._runs is not None:
            self._spill()  # the rest: every message is in the runs
        messages = self._all_messages()
        for p in self.pending:
            g = p.row["group_id"]
            if p.member_name is not None:
                p.row["member_id"] = self.resolve(g, p.member_name)
                if p.member_name in SELF_NAMES:
                    p.row["member_name"] = None
            if p.inviter_name is not None:
                p.row["inviter_id"] = self.resolve(g, p.inviter_name)
        self.pending.clear()
        ids: dict[str, str] = {}
        if self.self_name:
            if self._runs is not None:
                ids = self._exporter_ids(self.self_name, sorted(self._self_groups))
            messages = self._name_the_exporter(self.self_name, messages)
        # (handed over to _messages_frame, held nowhere else: each column is let go once
        # gathered, its memory taken again by the next ones instead of fresh pages)
        held = [messages]
        del messages
        tables: dict[str, pl.DataFrame] = {}
        spilled: dict[str, SpilledTable] = {}
        for name in IMPORTED_TABLES:
            required, optional = TABLE[name].required, TABLE[name].optional
            if name == "messages" and self._runs is not None:
                table = self._spilled_messages(required, optional, ids)
                if table is not None:
                    spilled[name] = table
                continue
            if name == "messages":
                if held[0].height:
                    tables[name] = self._messages_frame(held, required, optional)
                continue
            if name == "orders":
                if self.rows[name] or self._order_frames:
                    tables[name] = self._orders_table(required, optional)
                continue
            rows = self.rows[name]
            if not rows:
                continue
            rows = _dedupe(name, rows, self)
            rows.sort(key=_sort_key(name))
            cols = list(required) + [c for c in optional if any(r[c] is not None for r in rows)]
            schema = {c: (pl.Float64 if c == "amount" else pl.String) for c in cols}
            tables[name] = pl.DataFrame({c: [r[c] for r in rows] for c in cols}, schema=schema)
            self.counts[name] = len(rows)
        self.counts.setdefault("skipped", 0)
        counts = dict(sorted(self.counts.items()))
        return ImportResult(tables, list(self.problems), counts, spilled)


#: the fields of a message row tuple, and their positions
MSG_FIELDS = (
    "_t", "_s", "_f", "ts", "group_id", "member_id", "msg_id", "member_name", "msg_type",
    "content", "reply_to", "role", "group_name",
)  # fmt: skip
MSG_AT = {f: i for i, f in enumerate(MSG_FIELDS)}
MSG_SCHEMA: dict[str, pl.DataType] = {
    f: (pl.Float64() if f == "_t" else pl.Int64() if f in ("_s", "_f") else pl.String())
    for f in MSG_FIELDS
}
#: the columns of a frame given to :meth:`Context.add_messages` (``_t``: Float64, UTC epoch
#: seconds as :func:`instant_expr` gives them; the others String), and those it must have
BULK_COLUMNS = tuple(f for f in MSG_FIELDS if f not in ("_s", "_f"))
BULK_REQUIRED = ("_t", "ts", "group_id", "member_id")
#: the columns of a frame given to :meth:`Context.add_orders`, and those it must have
ORDER_COLUMNS = (
    "_t", "ts", "order_id", "member_id", "amount", "status", "group_id", "coupon_id",
)  # fmt: skip
ORDER_REQUIRED = ("_t", "ts", "order_id", "member_id", "amount")
#: the orders :class:`Context` holds (:meth:`Context.order`, :meth:`Context.add_orders`)
ORDER_SCHEMA: dict[str, pl.DataType] = {
    "_t": pl.Float64(), "_s": pl.Int64(), "order_id": pl.String(), "ts": pl.String(),
    "member_id": pl.String(), "amount": pl.Float64(), "group_id": pl.String(),
    "status": pl.String(), "coupon_id": pl.String(),
}  # fmt: skip
#: rows of added frames turned into the messages table at a time (:meth:`Context.finish`)
_BATCH_ROWS = 1_000_000
#: the spill path (:attr:`Context.spill_at`): a message held as a tuple, in bytes (estimated);
#: every how many :meth:`Context.message` rows the bytes held are checked; 1/_MERGE_SHARE of
#: ``spill_at``: the bytes of one file of a run (the merge holds one file of each run)
_ROW_BYTES = 600
_CHECK_ROWS = 1024
_MERGE_SHARE = 64
#: columns whose empty text is null (as :meth:`Context.message` stores them; not
#: ``member_name``: message() keeps an empty name empty, and makes only a name that cleans
#: to nothing null — the caller gives it as message() would store it)
_EMPTY_IS_NULL = ("msg_id", "content", "reply_to", "group_name")


def order_time_and_amount(
    ctx: Any, where: Location, when: str, amount_text: str
) -> tuple[datetime, float] | None:
    """An order row's time and non-negative amount; ``None`` once ``ctx`` is told why the row
    is skipped. Shared by the shop exports (Shopify, Youzan)."""
    ts = parse_ts(when, ctx.tz)
    if ts is None:
        ctx.skip(where, BAD_TIME.format(v=when))
        return None
    amount = parse_amount(amount_text)
    if amount is None or amount < 0:
        ctx.skip(
            where, T("无法读取金额 “{v}”", "cannot read the amount '{v}'").format(v=amount_text)
        )
        return None
    return ts, amount


def _stack(frames: list[pl.DataFrame]) -> pl.DataFrame:
    """``frames`` one under the other (columns matched by name, missing ones null, types
    relaxed: ``diagonal_relaxed``); frames of one schema (the slices of one frame a reader
    adds between its rare rows) stacked as they are, without a query per frame."""
    names = frames[0].columns
    if all(f.columns == names for f in frames[1:]):
        try:  # (polars refuses to stack frames whose types differ)
            return pl.concat(frames, how="vertical", rechunk=False)
        except (pl.exceptions.SchemaError, pl.exceptions.ShapeError):
            pass
    return pl.concat(frames, how="diagonal_relaxed", rechunk=False)


def _dedupe_messages(frame: pl.DataFrame, *, several_files: bool) -> pl.DataFrame:
    """Messages the exports hold twice (``_s``: the order the rows were added): the same
    msg_id in a group; for messages without ids (QQ, WhatsApp, chatlog CSV), identical
    rows coming from two files (overlapping exports) — never inside one file, where two "ok"
    in a minute are two messages: the n-th such row of a file is kept only when no file
    before had n of them. The rows kept stay in ``frame``'s order (the table's order is
    made after, by :func:`_order`, from the group, time and ``_s`` alone). Only the columns
    of the keys are sorted, and only the rows whose id is seen twice."""
    has_id = pl.col("msg_id").is_not_null()
    if not several_files and frame["msg_id"].null_count() == frame.height:
        return frame  # nothing to compare
    drops: list[pl.Series] = []
    key = pl.struct("group_id", "msg_id")
    msg_id = frame["msg_id"]
    nulls = msg_id.null_count()
    # an id seen twice in a group is an id seen twice: counted on the one column first
    if not _all_distinct(msg_id, nulls):
        ids = frame.lazy().select("_s", "group_id", "msg_id").filter(has_id).collect()
        twice = ids.filter(key.is_duplicated())
        if twice.height:  # the first of each (in the order added) is kept
            twice = twice.sort("_s")
            drops.append(twice.filter(key.is_first_distinct().not_())["_s"])
        del ids, twice
    if several_files:
        cols = ["_s", "_f", "group_id", "_t", "member_id", "msg_type", "content"]
        without = (
            frame.lazy().select(*cols, "msg_id").filter(has_id.not_()).drop("msg_id").collect()
        )
        if not without["_s"].is_sorted():
            without = without.sort("_s")
        kept = _drop_repeats(without)
        if kept.height < without.height:
            drops.append(without["_s"].filter(without["_s"].is_in(kept["_s"]).not_()))
    dropped = pl.concat(drops) if drops else pl.Series("_s", [], dtype=pl.Int64)
    if not dropped.len():
        return frame
    return frame.lazy().filter(pl.col("_s").is_in(dropped).not_()).collect()


def _ids_in_order(ids: pl.Series) -> pl.Series | None:
    """The row numbers of ``ids`` (the orders' ids, in the order added) in ascending order
    of (byte length, id), when that shows them distinct without hashing them: no id null,
    the ids a few runs, each strictly rising (or each strictly falling: newest first, as
    shops export) in that order, and the runs' ranges apart (a shop export read in parts) —
    or, ids of one length, the runs merged strictly rising (a reader's frame of the orders
    of one row, then one of the others). None otherwise (then nothing is shown)."""
    import numpy as np

    if ids.len() == 0 or ids.null_count():
        return None
    oid, n = pl.col("i"), pl.col("i").str.len_bytes()
    up = (n > n.shift()) | ((n == n.shift()) & (oid > oid.shift()))
    down = (n < n.shift()) | ((n == n.shift()) & (oid < oid.shift()))
    frame = ids.to_frame("i")
    ups, downs, one_length = (
        frame.lazy()
        .select(
            up.not_().sum().alias("u"),
            down.not_().sum().alias("d"),
            (n.min() == n.max()).alias("n"),
        )
        .collect()
        .row(0)
    )
    rising = ups <= downs
    if min(ups, downs) + 1 > _RUNS_AT_MOST:
        return None
    breaks = frame.select(pl.arg_where((up if rising else down).not_())).to_series().to_list()
    starts, ends = [0, *breaks], [*breaks, ids.len()]
    first = ids.gather(starts).to_list()
    last = ids.gather([e - 1 for e in ends]).to_list()

    def key(s: str) -> tuple[int, bytes]:  # (polars compares texts byte by byte)
        b = s.encode()
        return len(b), b

    # (lowest, highest, start, end) of each run
    runs = [
        (key(a), key(b), s, e) if rising else (key(b), key(a), s, e)
        for a, b, s, e in zip(first, last, starts, ends, strict=True)
    ]
    runs.sort()
    parts = [np.arange(s, e) if rising else np.arange(e - 1, s - 1, -1) for _, _, s, e in runs]
    if all(runs[i][1] < runs[i + 1][0] for i in range(len(runs) - 1)):
        return pl.Series(np.concatenate(parts))
    if not one_length or len(runs) > _MERGED_RUNS:
        return None
    # (ids of one length: the byte order is the (length, id) order; each run sorted by it)
    merged: pl.DataFrame | None = None
    for rows in parts:
        run = pl.DataFrame({"i": ids.gather(rows), "r": rows})
        merged = run if merged is None else merged.merge_sorted(run, "i")
    assert merged is not None
    if not merged.select((oid > oid.shift()).slice(1).all()).item():
        return None
    return merged["r"]


#: :func:`_ids_in_order` merges at most this many runs of ids
_MERGED_RUNS = 8


def _orders_order(frame: pl.DataFrame, by_id: pl.Series) -> pl.Series:
    """The row numbers of ``frame`` (orders of distinct ids) sorted by time then id (what
    ``sort("_t", "order_id", "_s")`` gives), given ``by_id`` (:func:`_ids_in_order`): a
    stable sort of the times in that order, where the orders of one time whose ids are not
    all of one length (the byte order of the ids is not their (length, id) order) are
    sorted again by polars. A time polars' sort may place otherwise (null, NaN, ±0.0): the
    whole by polars."""
    import numpy as np

    t = frame["_t"]
    times = t.to_numpy()
    if t.null_count() or np.isnan(times).any() or (times == 0).any():
        return frame.select(pl.arg_sort_by("_t", "order_id", "_s")).to_series()
    rows = by_id.to_numpy()
    order = rows[np.argsort(times[rows], kind="stable")]
    lengths = frame["order_id"].str.len_bytes().to_numpy()[order]
    at = times[order]
    same = at[1:] == at[:-1]
    mixed = same & (lengths[1:] != lengths[:-1])
    if mixed.any():  # the runs of one time with ids of several lengths, sorted again
        group = np.concatenate(([0], np.cumsum(~same)))  # each row's run of one time
        bad = np.zeros(group[-1] + 1, dtype=bool)
        bad[group[1:][mixed]] = True
        where = np.flatnonzero(bad[group])
        sub = pl.Series(order[where])
        again = frame[sub].select(pl.arg_sort_by("_t", "order_id", "_s")).to_series()
        order[where] = sub.gather(again).to_numpy()
    return pl.Series(order)


def _all_distinct(ids: pl.Series, nulls: int) -> bool:
    """Whether the ``ids`` that are not null (``nulls`` are) are all distinct. Ids that are
    all whole numbers (most exports' message ids) are counted as numbers first: equal texts
    are equal numbers, so distinct numbers are distinct texts (``1`` and ``01``, one number,
    are then counted as texts)."""
    numbers = ids.cast(pl.Int64, strict=False)
    if numbers.null_count() == nulls and numbers.n_unique() - (1 if nulls else 0) == (
        ids.len() - nulls
    ):
        return True
    return ids.n_unique() - (1 if nulls else 0) == ids.len() - nulls


def _order(frame: pl.DataFrame) -> pl.Series | None:
    """The row numbers of ``frame`` in the table's order (group, time, arrival); None when
    they are in it. Rows that arrived in that order (one chat exported in time order, as
    real exports are) are not sorted by group and time: only by ``_s`` (the rows added one by
    one come before the frames added, in ``frame``), which is nearly sorted already."""
    # the groups by their rank (a few groups, sorted once): the keys are numbers, the group
    # texts neither copied nor compared row by row (a null group stays null: sorted first)
    # (the frame's queries lazy: an eager one may copy a frame of the readers' chunks whole)
    g = pl.col("group_id")
    head = frame.lazy().select(g.drop_nulls().first().alias("f"), g.null_count().alias("n"))
    first, nulls = head.collect().row(0)
    if first is None or frame.lazy().select((g == first).all()).collect().item():
        names = pl.Series([] if first is None else [first], dtype=pl.String)  # (one group)
    else:  # several groups (each once, sorted)
        names = frame.lazy().select(g.unique()).collect().to_series().drop_nulls().sort()
    one = names.len() < 2
    if one:
        rank: pl.Expr = pl.when(pl.col("group_id").is_not_null()).then(pl.lit(0, dtype=pl.UInt32))
    else:
        # (each text's place among the sorted names: a cast to an Enum of them, faster than
        # replace_strict's lookup; every text is among them, a null stays null)
        rank = pl.col("group_id").cast(pl.Enum(names)).to_physical().cast(pl.UInt32)
    keys = frame.lazy().select(rank.alias("group_id"), "_t", "_s").collect().rechunk()
    if _in_order(keys):
        return None
    arrival: pl.Series | None = None  # (the rows in the order of arrival already: no sort)
    by_arrival = keys
    if not keys["_s"].is_sorted():
        arrival = keys["_s"].arg_sort()
        by_arrival = keys[arrival]
        if _in_order(by_arrival):
            return arrival
    # in the order of arrival (``_s``, unique), a stable sort by group and time is the sort
    # by group, time and ``_s``: a stable sort by time, then a stable one by the group's
    # rank — two sorts of one key each, faster than one of two keys
    by_time = _stable_arg_sort(by_arrival["_t"])
    if not one or nulls:
        by_group = _stable_arg_sort(by_arrival["group_id"].gather(by_time))
        by_time = by_time.gather(by_group)
    # (one group: the sort by time is the order)
    return by_time if arrival is None else arrival.gather(by_time)


def _held_in_order(held: list[pl.DataFrame], cols: list[str]) -> pl.DataFrame:
    """``cols`` of the one messages frame ``held`` (String; taken out of the list) in the
    table's order (:func:`_order`), one chunk a column: when nothing else holds it, each of its columns is let go once gathered — the memory of its
    chunks is taken again by the columns gathered after it, instead of fresh pages (page
    faults, ~2.4 µs a page here)."""
    # sorted a column at a time on each of two threads (:func:`_gathered`); rows already
    # in order (one chat exported in time order: most exports) are not
    frame = held.pop()
    order = _order(frame)
    frame = frame.lazy().select(cols).collect()
    if order is not None:
        by_runs = _rows_by_runs(frame, order)
        if by_runs is not None:  # (a few runs in order: slices, stacked once below)
            frame, order = by_runs, None
    if order is None:  # one chunk per column, the columns copied side by side
        # (the columns are String: a select, even without a cast, would take a frame of
        # the runs' slices — thousands of chunks — one chunk at a time: 0.03 CPU-s more
        # than the copy itself at 1 M rows)
        if any(frame.schema[c] != pl.String for c in cols):
            frame = frame.select(pl.col(c).cast(pl.String) for c in cols)
        return frame.rechunk()
    same = _one_value(frame, [c for c in _ONE_VALUE if c in cols])
    out = {  # (one text in every row: the same column in any order)
        c: pl.repeat(v, frame.height, dtype=pl.String, eager=True).alias(c) for c, v in same.items()
    }
    columns = {c: frame[c] for c in cols if c not in same}
    del frame
    out.update(_gathered(columns, order))
    return pl.DataFrame([out[c] for c in cols])


#: :func:`_gathered` takes the columns this many at a time (each on a thread of its own)
#: from this many rows on
_GATHER_THREADS = 2
_GATHER_THREADS_FROM = 65_536


def _gathered(columns: dict[str, pl.Series], order: pl.Series) -> dict[str, pl.Series]:
    """The ``columns`` taken in ``order``, each one chunk (a copy of its chunks made one,
    then the gather: polars' gather from many chunks is many times slower); each taken out
    of ``columns`` as it is gathered (let go, when nothing else holds it). Two columns at
    a time on two threads from :data:`_GATHER_THREADS_FROM` rows on: polars lets the
    interpreter go while it copies, and does both on one core, so that the other core
    idled through the gather (its CPU is the same either way; two columns' copies are held
    at once instead of one)."""
    cols = list(columns)

    def one(c: str) -> pl.Series:
        return columns.pop(c).rechunk().gather(order).cast(pl.String)

    if _GATHER_THREADS < 2 or len(cols) < 2 or order.len() < _GATHER_THREADS_FROM:
        return {c: one(c) for c in cols}
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(_GATHER_THREADS) as pool:
        return dict(zip(cols, pool.map(one, cols), strict=True))


#: columns of the messages table often one text in every row (one chat: its id and name)
_ONE_VALUE = ("group_id", "group_name")


def _one_value(frame: pl.DataFrame, cols: list[str]) -> dict[str, str]:
    """Those of ``cols`` whose every row has one text (no null): that text, by column —
    told by their least and greatest texts, not by hashing them."""
    if not cols or frame.height == 0:
        return {}
    exprs = [
        e
        for c in cols
        for e in (
            pl.col(c).null_count().alias(f"{c}.n"),
            pl.col(c).min().alias(f"{c}.lo"),
            pl.col(c).max().alias(f"{c}.hi"),
        )
    ]
    got = frame.lazy().select(exprs).collect().row(0, named=True)
    return {
        c: got[f"{c}.lo"]
        for c in cols
        if not got[f"{c}.n"] and got[f"{c}.lo"] is not None and got[f"{c}.lo"] == got[f"{c}.hi"]
    }


def _stable_arg_sort(keys: pl.Series) -> pl.Series:
    """``arg_sort_by(keys, maintain_order=True)`` (nulls first) of the times (Float64) or
    the groups' ranks (UInt32) of :func:`_order`: by numpy's stable sort (a radix sort of
    the ranks, a merge of the runs of the times, nearly sorted in the order of arrival;
    NaN last and -0.0 equal to 0.0, as polars sorts them) — polars' stable sort of one key
    is several times slower. A null time: polars' sort."""
    import numpy as np

    if keys.dtype == pl.UInt32:
        most = keys.max()
        if most is None or int(most) < (1 << 16) - 1:  # type: ignore[arg-type]
            # (a null rank first: one below every rank)
            ranks = (keys + 1).fill_null(0).cast(pl.UInt16).to_numpy()
            return pl.Series(np.argsort(ranks, kind="stable"))
    elif keys.dtype == pl.Float64 and not keys.null_count():
        return pl.Series(np.argsort(keys.to_numpy(), kind="stable"))
    return keys.to_frame("k").select(pl.arg_sort_by("k", maintain_order=True)).to_series()


#: :func:`_rows_by_runs` takes a frame's rows by slices when the order has at most this
#: many runs (rows that follow one another), or one per this many rows
_RUNS_AT_MOST = 1024
_ROWS_PER_RUN = 64


def _rows_by_runs(frame: pl.DataFrame, order: pl.Series) -> pl.DataFrame | None:
    """``frame[order]`` as slices of ``frame`` one under the other (no copy), when ``order``
    is made of few runs of consecutive row numbers (rows added one by one, placed between the
    runs of a reader's frame: a notice every few hundred rows); None when it has many."""
    n = order.len()
    if n == 0:
        return frame.clear()
    at = order.cast(pl.Int64)
    starts = at.diff().ne(1).fill_null(True).arg_true()
    if starts.len() > max(_RUNS_AT_MOST, n // _ROWS_PER_RUN):
        return None
    firsts = at.gather(starts).to_list()
    sizes = starts.append(pl.Series([n], dtype=starts.dtype)).diff().slice(1).to_list()
    slices = [frame.slice(f, k) for f, k in zip(firsts, sizes, strict=True)]
    return pl.concat(slices, rechunk=False) if len(slices) > 1 else slices[0]


def _in_order(frame: pl.DataFrame) -> bool:
    """Whether ``frame``'s rows are already in the table's order: each row after the one
    before by (group, time, arrival) — what :func:`_order` would leave as it is (``_s`` is
    unique, so the order is total; a null group or time: no, they sort otherwise)."""
    if frame.height < 2:
        return True
    if frame.select(pl.sum_horizontal(pl.col("group_id", "_t").null_count())).item():
        return False
    g, t, s = pl.col("group_id"), pl.col("_t"), pl.col("_s")
    after = (g > g.shift()) | (
        (g == g.shift()) & ((t > t.shift()) | ((t == t.shift()) & (s > s.shift())))
    )
    return bool(frame.select(after.slice(1).all()).item())


def _drop_repeats(without: pl.DataFrame) -> pl.DataFrame:
    """Messages without an id (in the order they were added) less those another file had
    already: the n-th identical row of a file is kept only when no file before had n."""
    key = ["group_id", "_t", "member_id", "msg_type", "content"]
    n = pl.int_range(1, pl.len() + 1).over(*key, "_f")
    return (
        without.with_columns(n.alias("_n"))
        .filter(pl.col("_n") > pl.col("_n").cum_max().shift(1).fill_null(0).over(key))
        .drop("_n")
    )


def _sort_key(table: str):
    if table == "members":
        return lambda r: (r["group_id"], r["_t"], r["_s"])
    return lambda r: (r["member_id"],)


def _dedupe(table: str, rows: list[dict[str, Any]], ctx: Context) -> list[dict[str, Any]]:
    """Drop rows the exports hold twice (overlapping exports): the same member event at the
    same instant, the same staff id (orders: :meth:`Context._orders_table`). Counted as
    ``duplicate_<table>``."""
    seen: set[tuple[Any, ...]] = set()
    out: list[dict[str, Any]] = []
    for r in rows:
        key: tuple[Any, ...]
        if table == "members":
            key = (r["group_id"], r["_t"], r["member_id"], r["event"])
        else:
            key = (r["member_id"],)
        if key in seen:
            if table == "staff":  # the same person twice: keep the most specific role
                first = next(x for x in out if x["member_id"] == r["member_id"])
                if first["role"] in (None, "staff") and r["role"] not in (None, "staff"):
                    first["role"] = r["role"]
                first["name"] = first["name"] or r["name"]
            else:
                ctx.count(f"duplicate_{table}")
            continue
        seen.add(key)
        out.append(r)
    return out


def bulk_and_rare(
    ctx: Context,
    rows: pl.DataFrame,
    messages: pl.DataFrame,
    display: str,
    read_row: Callable[[Location, list[str]], None],
    *,
    aliased: bool = False,
) -> None:
    """A CSV read in bulk, back in file order: ``rows`` has every data row with ``_line``,
    its cell count ``_n``, its cells ``c0``, ``c1``… and ``_bulk`` (its message is the next
    of ``messages``); each other row goes to ``read_row`` (the per-row code), and the bulk
    messages between two of them are added as one slice, so sequence numbers follow the file.
    ``aliased``: the aliases of ``messages``' names are recorded (:meth:`Context.add_messages`)."""
    # only the rare rows are taken (not every row's cells filtered)
    at = rows.select(pl.arg_where(~pl.col("_bulk"))).to_series()
    cells_of = [f"c{i}" for i in range(len(rows.columns)) if f"c{i}" in rows.columns]
    rare = rows.select("_line", "_n", *cells_of)[at].with_columns(
        rows["_bulk"].cum_sum().gather(at).alias("_before")
    )
    runs = ctx.message_runs(messages, aliased=aliased)
    done = 0
    for r in rare.select("_line", "_n", "_before", *cells_of).iter_rows():
        line, n, before = r[0], r[1], r[2]
        if before > done:
            runs.add(before - done)
            done = before
        read_row(Location(file=display, line=line), list(r[3 : 3 + n]))
    runs.add(messages.height - done)
    runs.close()


def iter_items(value: Any) -> Iterator[tuple[int, Any]]:
    """(index, item) over a JSON list; nothing for other values."""
    if isinstance(value, list):
        yield from enumerate(value)


def show(path: Path) -> str:
    return display_path(path)
