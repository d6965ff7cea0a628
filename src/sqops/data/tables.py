"""Reading the data tables of spec §2: files or frames → validated, typed, lazy tables.

This is the layer ``sqops report``, ``sqops import`` and the adherence check share. It:

* finds the tables in a folder (``messages.csv``, ``orders.xlsx`` ...) or takes explicit paths;
* reads CSV, TSV, Parquet, JSON Lines and Excel ``.xlsx`` (calamine engine), every cell as text;
* decodes UTF-8, UTF-8 with BOM, UTF-16 with BOM and GB18030/GBK (detected by the one policy
  of :mod:`sqops.data.decode`, or an explicit encoding);
* renames columns with a mapping ``{table: {canonical: source}}``;
* parses every time format of the spec (ISO 8601 with or without offset, ``YYYY/M/D H:MM[:SS]``,
  epoch seconds or milliseconds); naive times are local to ``tz``;
* sets aside bad rows with their 1-based data row number and a reason, and counts duplicate ids.

Nothing here prints. A missing required column raises :class:`~sqops.errors.DataError`
naming the table, the column and the columns that were found. UTF-8 files are scanned lazily
(``pl.scan_*``) so that large inputs stay bounded in memory; GB18030 and Excel files are read
into memory (shop exports, small by nature).
"""

from __future__ import annotations

import codecs
import contextlib
import contextvars
import dataclasses
import datetime as dt
import functools
import io
import itertools
import re
import tempfile
import threading
import weakref
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from sqops.data import spills
from sqops.data.decode import bom_encoding, clip, detect_file_encoding, line_of_byte, what_failed
from sqops.data.hive import ROW_GROUP, partition_files, scan_partitioned
from sqops.data.offsets import fixed_offset
from sqops.data.scalars import MAX_AMOUNT, MAX_OFFSET, MAX_YEAR, MIN_YEAR
from sqops.data.xlsxsafe import check_xlsx
from sqops.domain.tables import (
    EXTENSIONS,
    ORDER_STATUS_SYNONYMS,
    QUESTION_MARKS,
    TABLE,
    TableDef,
)
from sqops.errors import DataError, InputError, Location, SqopsError, UsageError, display_path
from sqops.i18n import T

__all__ = [
    "TableData",
    "Tables",
    "detect_encoding",
    "held_budget",
    "parse_ts",
    "prepare_tables",
    "read_tables",
]


#: columns of the contract that no computation reads: not copied (chat text is most of a file).
#: Of ``messages.content`` the copy keeps only ``question_text``: the text of the messages that
#: can be questions (the report's service section, spec §3), see :func:`_annotate`
UNUSED_COLUMNS = frozenset({"content"})
#: the column of the copy that holds ``content`` where the message can be a question
QUESTION_TEXT = "question_text"
#: the stripped cells ``question_text`` is made of, a column of :func:`_annotate`'s own
_QUESTION_CELLS = "_question_cells"
#: the local wall-clock time of a row, a column of :func:`_annotate`'s (and of the checking
#: pass's) own: made once a row, the UTC time and the local day are both made of it
_NAIVE = "_naive"

#: optional columns no computation reads, per table: kept for the rejected rows only (they
#: are listed with their rows), not in the typed copy every later question reads
REJECT_ONLY: dict[str, frozenset[str]] = {
    "engagement": frozenset({"activity_id"}),
}

#: id columns no computation reads but the duplicate check (a message id is never joined to
#: another table): a column of integers stays integers (no text copy of every id to write,
#: read back and hash)
NUMERIC_IDS = frozenset({"msg_id"})
#: group, member (inviter) and post ids, and member names, are stored as categoricals (``ID``)
#: in the typed copy: the report's joins and group-bys then compare 32-bit codes instead of
#: strings (at 10 M messages: faster by more than the cast costs, and ~0.7 GB less at the
#: peak). A frame built to join or stack with them must use ``ID`` for those columns.
CODED = ("group_id", "member_id", "inviter_id", "post_id", "member_name", "group_name")
ID = pl.Categorical

#: why a row was set aside: code → message
REASONS: dict[str, T] = {
    "bad_time": T("时间无法识别", "unreadable time"),
    "empty_id": T("id 为空", "empty id"),
    "bad_event": T("未知的事件类型", "unknown event type"),
    "bad_amount": T("金额不是数字或超出范围", "amount is not a number or out of range"),
    "negative_amount": T("金额为负数", "negative amount"),
    "bad_status": T("未知的订单状态", "unknown order status"),
}


@dataclass
class TableData:
    """One validated table. ``frame`` holds the valid rows (duplicates removed), lazily.

    Columns of ``frame``: the canonical columns present (strings, the :data:`CODED` columns
    as categoricals; not those of :data:`REJECT_ONLY`, which only ``rejected`` carries),
    ``ts`` as ``Datetime(us, UTC)``, ``day`` (the local calendar date), ``_row`` (1-based data
    row in the source), plus ``amount`` as Float64 for orders and normalised ``event``/``status``/``msg_type``/``role``.
    """

    name: str
    source: str
    frame: pl.LazyFrame
    columns: tuple[str, ...]
    rows_read: int
    rejected: pl.DataFrame  # _row, _reason, then the source columns as text
    duplicates: int = 0
    duplicate_rows: list[int] = field(default_factory=list)
    event_types: frozenset[str] = frozenset()  # event values present among valid rows
    _spill: object = field(default=None, repr=False, compare=False)
    #: the validated copy's scan with a filter inside it (:meth:`where_in`)
    _narrow: _Narrow | _View | None = field(default=None, repr=False, compare=False)
    #: the latest ``day`` of any row read, when reading found it (None: not known)
    last_day: dt.date | None = None
    #: the frame of the copy held in memory (its valid rows: not the rejected ones, freed
    #: once ``rejected`` is made) and the ``frame`` made of it (:meth:`times_in_order`), then
    #: whether its times are in order, once found; not copied by ``dataclasses.replace``
    #: (a copy given another frame must not inherit the answer)
    _held: tuple[pl.DataFrame, pl.LazyFrame] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _in_order: bool | None = field(default=None, init=False, repr=False, compare=False)

    def times_in_order(self) -> bool:
        """Whether ``frame``'s times never go back within a group: ``ts`` non-decreasing
        over the rows of each ``group_id``, in ``frame``'s order (which is that of ``_row``).
        Then of rows of one group, or of one (group, member) pair, the latest by time and
        row is the last. Found once, for a copy held in memory (its rows in memory: ~0.03
        CPU-s at 10 M messages) or on disk (its valid rows' group codes and times read
        again: ~0.01 CPU-s at 1 M messages); False for any other table (not known)."""
        if self._in_order is None:
            held, n = self._held, self._narrow
            self._in_order = False
            if (
                held is not None
                and held[1] is self.frame
                and {"ts", "group_id"} <= set(held[0].columns)
            ):
                self._in_order = _in_order_by_group(held[0].select("group_id", "ts"))
            elif (
                isinstance(n, _Narrow)
                and n.frame is self.frame
                and {"ts", "group_id"} <= set(n.final)
            ):
                self._in_order = _in_order_by_group(n.copy.valid("group_id", "ts"))
        return self._in_order

    def where_in(self, column: str, values: Sequence[str], nulls: bool = False) -> pl.LazyFrame:
        """``frame``'s rows whose coded ``column`` is one of ``values`` (or null, with
        ``nulls``), in the same order. On the validated copy the filter is applied in its
        scan, on the stored codes (a filter on ``frame`` comes after every row's codes are
        made categoricals and cast to text: at 10 M messages a sixteenth of the groups took
        0.6 CPU-s that way, 0.1 in the scan)."""
        n, held = self._narrow, self._held
        if n is not None and n.frame is self.frame and column in n.coded:
            return n.scan(column, values, nulls)
        if held is not None and held[1] is self.frame and column in CODED:
            # (a copy held in memory: the codes of the values, a filter the held frame takes)
            cond = pl.col(column).to_physical().is_in(_codes(values).implode())
            return self.frame.filter(cond | pl.col(column).is_null() if nulls else cond)
        cond = pl.col(column).cast(pl.String).is_in(list(values))
        return self.frame.filter(cond | pl.col(column).is_null() if nulls else cond)

    @property
    def reject_counts(self) -> dict[str, int]:
        if self.rejected.height == 0:
            return {}
        counts = self.rejected.group_by("_reason").len().sort("_reason")
        return {r: int(n) for r, n in counts.iter_rows()}

    def first_rejected_rows(self, limit: int = 5) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for reason in self.reject_counts:
            rows = self.rejected.filter(pl.col("_reason") == reason)["_row"].head(limit).to_list()
            out[reason] = [int(r) for r in rows]
        return out

    @property
    def valid_rows(self) -> int:
        return self.rows_read - self.rejected.height - self.duplicates

    def has(self, column: str) -> bool:
        return column in self.columns


def _in_order_by_group(rows: pl.DataFrame | pl.LazyFrame) -> bool:
    """``ts`` non-decreasing over the rows of each ``group_id`` (never null), in ``rows``'
    order: every time at least the time before it, or else within each run of rows of one
    group, and each run of a group starting at or after the end of the group's run before
    it (runs: as many as groups when each group's rows are together, as in the 10 M bench
    messages: 1,537). (On the times' integers, lazily: 0.02-0.03 CPU-s at 10 M messages,
    0.4 on the datetimes eagerly.)"""
    g, ts = pl.col("group_id").to_physical(), pl.col("ts").to_physical()
    back = ts < ts.shift()
    starts = (g != g.shift()).fill_null(True)
    found = (
        rows.lazy()
        .select(back.any().alias("any"), (back & ~starts).any().alias("in_run"))
        .collect(engine="streaming")
    )
    if not found["any"].item():
        return True
    if found["in_run"].item():
        return False
    # (each run's first and last rows: one row for a run of one)
    edges = (
        rows.lazy()
        .select(
            g.alias("g"),
            ts.alias("t"),
            starts.alias("s"),
            starts.shift(-1).fill_null(True).alias("e"),
        )
        .filter(pl.col("s") | pl.col("e"))
        .collect(engine="streaming")
    )
    first, last = edges.filter("s"), edges.filter("e")
    runs = pl.DataFrame({"g": first["g"], "lo": first["t"], "hi": last["t"]})
    return not runs.select((pl.col("lo") < pl.col("hi").shift().over("g")).any()).item()


#: the rows of a copy, beside its columns' largest codes (:meth:`_Copy.written`)
_ROWS = "_rows"
#: the codes per row of a copy up to which :meth:`_Copy.written` tests the texts of every
#: code up to its largest rather than its distinct codes (a text ~0.03 µs, a cell's
#: ``unique`` ~0.01 µs a column)
CODES_PER_ROW = 1


@dataclass(frozen=True)
class _Copy:
    """A typed copy on disk (:func:`validate_table` without ``hold``): the annotated rows
    but ``_row`` (a row's index in the file), the :data:`CODED` columns as the codes of
    this process's categoricals, the :data:`RAW_FEW` columns as the codes (of :data:`_FEW`)
    of their texts as read."""

    path: Path
    coded: tuple[str, ...]
    #: the normalised texts of the RAW_FEW columns' codes (a code is its text's index)
    words: Mapping[str, pl.Series]
    #: the same texts as read, stripped, empty ones null: the rejected rows' ``_orig_``
    cleaned: Mapping[str, pl.Series]

    @classmethod
    def written(
        cls, path: Path, coded: tuple[str, ...], clean: Sequence[str], raw: Sequence[str]
    ) -> _Copy:
        """The copy just written to ``path``. The codes of ``clean`` (coded columns cast as
        read) tested: a text that stripping would change or empty among those the file has
        raises :class:`_Padded` (the copy is then made again from stripped cells). The texts
        of ``raw``'s codes (every code of :data:`_FEW` up to the largest written: a code no
        cell has is never looked up) normalised as :func:`_stripped` and :func:`_annotate`
        would normalise every cell (stripped, empty → null, lower case).

        The codes tested: with no more codes in the dictionary up to the largest the file
        has than rows (:data:`CODES_PER_ROW`), the texts of all of them (one ``max`` a
        column; 1 M messages: ~67 k texts, where the file's distinct codes cost a ``unique``
        of a million cells a column, 0.044 → ~0.01 CPU-s), a text found padded then looked
        for in the file (the dictionary is the process's: another table's padded cell, say,
        is there too); else the file's distinct codes (one ``unique`` a column)."""
        words: dict[str, pl.Series] = {}
        cleaned: dict[str, pl.Series] = {}
        if not (clean or raw):
            return cls(path, coded, words, cleaned)
        scan = pl.scan_parquet(path)
        got = scan.select(
            pl.len().alias(_ROWS), *(pl.col(c).max() for c in (*clean, *raw))
        ).collect()
        tops = [int(got[c][0]) for c in clean if got[c][0] is not None]
        if tops and max(tops) + 1 <= got[_ROWS][0] * CODES_PER_ROW:
            padded = _padded_codes(pl.int_range(0, max(tops) + 1, dtype=pl.UInt32, eager=True))
            if padded.len():
                hit = pl.any_horizontal(pl.col(c).is_in(padded.implode()) for c in clean)
                if scan.select(hit.any()).collect().item():
                    raise _Padded
        elif tops:
            codes = scan.select(pl.col(c).unique().implode() for c in clean).collect()
            for c in clean:
                if not _clean_codes(codes[c][0].drop_nulls()):
                    raise _Padded
        for c in raw:
            top = got[c][0]
            every = pl.int_range(0, 0 if top is None else int(top) + 1, dtype=pl.UInt32, eager=True)
            text = every.to_frame(c).select(pl.col(c).cat.to(_FEW, strict=False).cast(pl.String))
            cleaned[c] = text.select(_cleaned(pl.col(c))).to_series()
            words[c] = text.select(_normalised(pl.col(c))).to_series()
        return cls(path, coded, words, cleaned)

    def valid(self, *columns: str) -> pl.LazyFrame:
        """``columns`` of the valid rows as stored (codes for categoricals), those of
        repeated ids too (more rows than ``frame``'s, and than a copy held in memory holds
        since session 20: :meth:`TableData.times_in_order` asks of them what then holds of
        every part of them)."""
        return pl.scan_parquet(self.path).filter(pl.col("_reason").is_null()).select(columns)

    def scan(self, cond: pl.Expr | None = None) -> pl.LazyFrame:
        """The annotated rows (those where ``cond``, on the stored cells, holds) with
        ``_row``, the categoricals, and the RAW_FEW columns' texts (and the rejected rows'
        ``_orig_`` of them) made of the codes, by element-wise maps (:meth:`_Held.valid`): a
        query's predicates on the stored cells (the day, the repeated ids' ``_row``) go into
        the Parquet scan, the texts made of the rows they keep (at 1 M messages the service's
        candidates 0.08-0.10 -> ~0.02 CPU-s)."""
        lf = pl.scan_parquet(self.path, row_index_name="_row", row_index_offset=1)
        if cond is not None:
            lf = lf.filter(cond)
        bad = pl.col("_reason").is_not_null()
        return lf.with_columns(
            pl.col("_row").cast(pl.Int64),
            *(pl.col(c).cat.to(ID) for c in self.coded),
            *(
                _mapped(c, functools.partial(_gathered, w), pl.String).alias(c)
                for c, w in self.words.items()
            ),
            *(
                pl.when(bad)
                .then(_mapped(c, functools.partial(_gathered, t), pl.String))
                .alias(f"_orig_{c}")
                for c, t in self.cleaned.items()
            ),
        )


@dataclass(frozen=True)
class _Narrow:
    """How a validated table's ``frame`` is read from its copy (:func:`validate_table`)."""

    copy: _Copy
    final: tuple[str, ...]
    #: the rows of repeated ids, dropped (None: none)
    dups: pl.Series | None
    frame: pl.LazyFrame

    @property
    def coded(self) -> tuple[str, ...]:
        return self.copy.coded

    def scan(self, column: str, values: Sequence[str], nulls: bool) -> pl.LazyFrame:
        # the copy holds the codes of this process's categoricals: those of the values
        cond = pl.col(column).is_in(_codes(values).implode())
        if nulls:
            cond = cond | pl.col(column).is_null()
        lf = self.copy.scan(cond & pl.col("_reason").is_null()).select(self.final)
        if self.dups is not None:
            lf = lf.filter(~pl.col("_row").is_in(self.dups.implode()))
        return lf


def _codes(values: Sequence[str]) -> pl.Series:
    """The codes of ``values`` among this process's categoricals (:data:`ID`)."""
    return pl.Series(list(values), dtype=pl.String).cast(ID).to_physical()


@dataclass
class Tables:
    """The tables of one data set, keyed by table name (only those that were given)."""

    tables: dict[str, TableData]
    tz: str
    _spill: object = field(default=None, repr=False, compare=False)
    #: results derived from the tables that several sections ask for (see membership.post_opens)
    memo: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    def __contains__(self, name: str) -> bool:
        return name in self.tables

    def __getitem__(self, name: str) -> TableData:
        return self.tables[name]

    def get(self, name: str) -> TableData | None:
        return self.tables.get(name)


# ---------------------------------------------------------------- encodings
_BOM = codecs.BOM_UTF8


def detect_encoding(path: Path) -> str:
    """The encoding of a table file, by the one decoding policy (:mod:`sqops.data.decode`)."""
    return detect_file_encoding(
        path,
        display_path(path),
        hint=T("请用 --encoding 指定", "give it with --encoding"),
    )


def _norm_encoding(enc: str) -> str:
    try:
        name = codecs.lookup(enc).name
    except LookupError:
        raise UsageError(
            T(
                "未知的编码 “{e}”（可用：utf-8、gb18030、gbk）",
                "unknown encoding '{e}' (try utf-8, gb18030, gbk)",
            ).format(e=enc)
        ) from None
    return "utf-8" if name in ("utf-8", "utf-8-sig") else name


# ---------------------------------------------------------------- reading
def _bom_or_utf8(path: Path) -> str:
    """UTF-16 when the file starts with its byte-order mark, else UTF-8 to begin with."""
    with path.open("rb") as fh:
        return "utf-16" if bom_encoding(fh.read(4)) == "utf-16" else "utf-8"


#: bytes read from the head of a CSV to tell its line ends
_HEAD = 1 << 20


def _cr_only(head: str | bytes) -> bool:
    """Line ends of old Mac / Excel for Mac files: CR alone (no LF in the head at all)."""
    if isinstance(head, bytes):
        return b"\n" not in head and b"\r" in head
    return "\n" not in head and "\r" in head


def _read_source(path: Path, kind: str, encoding: str | None) -> pl.LazyFrame:
    """Every column as text, lazily where the format allows."""
    shown = display_path(path)
    enc = ""
    try:
        if kind in ("csv", "tsv"):
            sep = "\t" if kind == "tsv" else ","
            # no encoding given: read as UTF-8 (polars checks every byte as it reads; a file
            # that is not UTF-8 is detected and decoded by read_tables when that fails)
            enc = _norm_encoding(encoding) if encoding else _bom_or_utf8(path)
            if enc == "utf-8":
                with path.open("rb") as fh:
                    head = fh.read(_HEAD)
                if b"\x00" in head:  # (UTF-16 without its byte-order mark, or not text)
                    nul = head.index(b"\x00")
                    raise InputError(
                        T(
                            "文件包含 NUL 字符，不是文本文件（或是没有 BOM 的 UTF-16）；"
                            "请另存为 UTF-8",
                            "file contains a NUL character: not a text file (or UTF-16 without "
                            "its byte-order mark); save it as UTF-8",
                        ),
                        Location(file=shown, line=head.count(b"\n", 0, nul) + 1),
                    )
                if not _cr_only(head):
                    return pl.scan_csv(
                        path,
                        separator=sep,
                        infer_schema=False,
                        raise_if_empty=False,
                    )
                # CR-only line ends: polars knows LF (and CRLF) only; read it with LF (in
                # memory: such files are small and rare), by the decoding policy
                if encoding is None:
                    enc = detect_encoding(path)
            text = path.read_bytes().decode(enc, errors="strict").lstrip("\ufeff")
            if _cr_only(text[:_HEAD]):
                text = text.replace("\r", "\n")
            return pl.read_csv(
                io.StringIO(text),
                separator=sep,
                infer_schema=False,
                raise_if_empty=False,
            ).lazy()
        if kind == "parquet":
            lf = pl.scan_parquet(path)
            return _all_text(lf, lf.collect_schema())
        if kind == "partitioned":  # (a folder TABLE/group_id=…/*.parquet: sqops.data.hive)
            lf = scan_partitioned(path)
            return _all_text(lf, lf.collect_schema())
        if kind == "ndjson":
            lf = pl.scan_ndjson(path, infer_schema_length=10_000)
            return _all_text(lf, lf.collect_schema())
        if kind == "excel":
            if path.suffix.lower() == ".xlsx":
                check_xlsx(path, shown)
            try:
                return pl.read_excel(path, engine="calamine", infer_schema_length=0).lazy()
            except Exception as exc:  # fastexcel raises its own exception classes
                if isinstance(exc, InputError):
                    raise
                raise InputError(
                    T("无法读取 Excel 文件 {p}：{e}", "cannot read the Excel file {p}: {e}").format(
                        p=shown,
                        e=what_failed(exc),
                    ),
                    Location(file=shown),
                ) from None
    except InputError:
        raise
    except UnicodeDecodeError as exc:
        raise InputError(
            T("{p} 不是 {e} 编码（第 {o} 字节）", "{p} is not in {e} (byte {o})").format(
                p=shown, e=clip(str(encoding)), o=exc.start
            ),
            Location(file=shown, line=_line_at(path, exc.start)),
        ) from None
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        raise _read_error(shown, exc, path, kind, enc) from None
    raise UsageError(T("不支持的文件类型：{p}", "unsupported file type: {p}").format(p=shown))


def _line_at(path: Path, pos: int) -> int | None:
    """The 1-based line of byte ``pos`` of ``path`` (None if it cannot be read)."""
    try:
        return line_of_byte(path, pos)
    except OSError:
        return None


def _all_text(lf: pl.LazyFrame, schema: Mapping[str, Any]) -> pl.LazyFrame:
    exprs = []
    for name, dtype in schema.items():
        col = pl.col(name)
        if isinstance(dtype, pl.Datetime) and name == "ts":
            e = col  # a real time: typed directly, no round trip through text
        elif dtype == pl.Date and name == "ts":
            e = col.cast(pl.Datetime("us"))  # a date alone: local midnight
        elif isinstance(dtype, pl.Datetime):
            if dtype.time_zone:
                e = col.dt.convert_time_zone("UTC").dt.to_string("%Y-%m-%dT%H:%M:%S%.6fZ")
            else:
                e = col.dt.to_string("%Y-%m-%dT%H:%M:%S%.6f")
        elif dtype == pl.Date:
            e = col.dt.to_string("%Y-%m-%d")
        elif dtype == pl.String or dtype.is_integer():
            e = col  # (validate_table makes text of integers, but for NUMERIC_IDS)
        elif dtype.is_float():
            # a whole number stored as a float (pandas writes an integer column with a
            # missing value as float64) is read as the integer it is: member 1.0 is member 1,
            # as in the CSV the same data gives
            whole = col.is_finite() & (col == col.round()) & (col.abs() < 2.0**53)
            e = (
                pl.when(whole)
                .then(col.cast(pl.Int64).cast(pl.String))
                .otherwise(col.cast(pl.String))
            )
        elif dtype.is_numeric() or dtype == pl.Boolean:
            e = col.cast(pl.String)
        else:
            e = col.cast(pl.String, strict=False)
        exprs.append(e.alias(name))
    return lf.select(exprs)


# ---------------------------------------------------------------- time
# (ASCII digits: polars' \d is any script's digit, and a fullwidth offset is no offset)
_OFF_STRIP_RE = (
    r"([0-9]:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?)\s*"
    r"(?:Z|z|UTC|[+-][0-9]{2}:?[0-9]{2}|[+-][0-9]{2})$"
)
_OFF_RE = (
    r"[0-9]:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?\s*(Z|z|UTC|[+-][0-9]{2}:?[0-9]{2}|[+-][0-9]{2})$"
)


def parse_ts(expr: pl.Expr, tz: str) -> pl.Expr:
    """Text → ``Datetime(us, UTC)``; null when the text is not a time of a format we know.

    Accepted: ISO 8601 with ``T`` or a space, with or without seconds and fractions, with
    ``Z``/``±HH:MM``/``±HHMM``/``±HH`` or naive (then local to ``tz``); ``YYYY/M/D H:MM[:SS]``;
    a date alone (midnight); epoch seconds (9-10 digits) or milliseconds (12-13 digits).
    Vectorised: a few literal replacements and three strict ``strptime`` formats (no per-row
    Python), about 2 s per million rows on one core.
    """
    s = expr.cast(pl.String).str.strip_chars()
    digits = s.str.contains(r"^[0-9]{9,13}$")  # (11 digits: neither epoch format, null)
    epoch = pl.coalesce(*(_fast_ts(s, fmt, tz) for fmt in EPOCHS))
    off = s.str.extract(_OFF_RE, 1)
    body = (
        s.str.replace(_OFF_STRIP_RE, "${1}")
        .str.replace("T", " ", literal=True)
        .str.replace_all("/", "-", literal=True)
    )
    naive = pl.coalesce(
        body.str.to_datetime(
            "%Y-%m-%d %H:%M:%S%.f", time_unit="us", strict=False, exact=True, cache=False
        ),
        body.str.to_datetime(
            "%Y-%m-%d %H:%M", time_unit="us", strict=False, exact=True, cache=False
        ),
        body.str.to_date("%Y-%m-%d", strict=False, exact=True, cache=False).cast(pl.Datetime("us")),
    )
    naive = _bounded(naive)
    # offset in minutes (Z/UTC = 0); null past ±14:00 or with minutes of 60 or more
    o = off.str.replace(":", "", literal=True)
    sign = pl.when(o.str.starts_with("-")).then(-1).otherwise(1)
    oh = o.str.slice(1, 2).cast(pl.Int64, strict=False).fill_null(0)
    om = o.str.slice(3, 2).cast(pl.Int64, strict=False).fill_null(0)
    off_min = (
        pl.when(o.is_in(["Z", "z", "UTC"]))
        .then(0)
        .when((om < 60) & (oh * 60 + om <= _MAX_OFFSET_MIN))
        .then(sign * (oh * 60 + om))
    )
    with_off = (naive - pl.duration(minutes=off_min)).dt.replace_time_zone("UTC")
    parsed = pl.when(off.is_not_null()).then(with_off).otherwise(_local_to_utc(naive, tz, None))
    return pl.when(digits).then(epoch).otherwise(parsed)


_MAX_OFFSET_MIN = int(MAX_OFFSET.total_seconds()) // 60


_FIRST, _LAST = dt.datetime(MIN_YEAR, 1, 1), dt.datetime(MAX_YEAR, 12, 31, 23, 59, 59, 999999)


def _bounded(ts: pl.Expr, time_zone: str | None = None) -> pl.Expr:
    """Null where a parsed time's year is outside ``MIN_YEAR``–``MAX_YEAR`` (two-digit years
    read as year 26, signed years, the year 9999 an offset would move past the calendar),
    as :func:`sqops.data.scalars.parse_ts` says too. ``time_zone``: that of aware times."""
    if time_zone is None:
        return pl.when(ts.is_between(_FIRST, _LAST)).then(ts)
    first, last = (pl.lit(d).dt.replace_time_zone(time_zone) for d in (_FIRST, _LAST))
    return pl.when(ts.is_between(first, last)).then(ts)


#: cells read to choose a time format and a fixed offset
_SAMPLE = 2000


def to_local(ts: pl.Expr, tz: str, offset: dt.timedelta | None) -> pl.Expr:
    """UTC times → naive local wall-clock times (by ``offset`` when :func:`fixed_offset`
    found one for the times' range)."""
    if offset is not None:
        return ts.dt.replace_time_zone(None) + offset
    return ts.dt.convert_time_zone(tz).dt.replace_time_zone(None)


# ---------------------------------------------------------------- validation
def _missing_columns_error(
    spec: TableDef, source: str, found: list[str], missing: list[str]
) -> DataError:
    shown = clip(", ".join(found)) if found else "—"
    return DataError(
        T(
            "表 {t} 缺少必需的列 “{c}”；找到的列：{f}（可用 --columns 或 SOP 的 columns: 映射列名）",
            "table {t} lacks the required column{s} '{c}'; columns found: {f} "
            "(map names with --columns or the SOP's columns:)",
        ).format(t=spec.name, s="s" if len(missing) > 1 else "", c=", ".join(missing), f=shown),
        Location(file=source),
    )


_DUPLICATED = re.compile(r"^(.*)_duplicated_[0-9]+$")


def _no_duplicate_columns(names: list[str], source: str) -> None:
    """A header naming a column twice (``member_id,member_id``; polars reads the second as
    ``member_id_duplicated_0``) is an error: which of the two holds the data is unknown."""
    seen: set[str] = set()
    for n in names:
        m = _DUPLICATED.match(n)
        dup = m.group(1) if m and m.group(1) in names else (n if n in seen else None)
        if dup is not None:
            # (imported here: the column maps' models, ~13 CPU-ms to import, are not
            # needed by a report without maps: sqops.sop.loader's column_maps)
            from sqops.data.columns import column_twice

            raise column_twice(dup, source, 1)
        seen.add(n)


def _rename(
    lf: pl.LazyFrame, mapping: Mapping[str, str] | None, spec: TableDef, source: str
) -> pl.LazyFrame:
    names = lf.collect_schema().names()
    stripped = {n: n.strip().lstrip("\ufeff") for n in names}
    _no_duplicate_columns(list(stripped.values()), source)
    lf = lf.rename({a: b for a, b in stripped.items() if a != b})
    names = list(stripped.values())
    if mapping:
        ren: dict[str, str] = {}
        for canonical, src in mapping.items():
            if src in names and src != canonical:
                if canonical in names:
                    lf = lf.drop(canonical)
                    names.remove(canonical)
                ren[src] = canonical
        lf = lf.rename(ren)
        names = [ren.get(n, n) for n in names]
    missing = [c for c in spec.required if c not in names]
    if missing:
        raise _missing_columns_error(spec, source, names, missing)
    return lf


def _sniff_format(values: list[str]) -> str | None:
    """The strict format that reads most of the sampled values (more than half of them), if
    one does. The values it cannot read (a bad time, another format) go to the general
    parser afterwards, so one bad cell among the first rows does not slow the whole table."""
    vals = [v for v in values if v]
    if not vals:
        return None
    sample = pl.Series(vals, dtype=pl.String)
    best, read = None, len(vals) // 2  # at least this many + 1
    counts = {fmt: int(sample.str.contains(digits).sum()) for fmt, (digits, _) in EPOCHS.items()}
    for fmt in FAST_FORMATS:
        got = sample.str.to_datetime(fmt, strict=False, exact=True, time_unit="us")
        counts[fmt] = len(vals) - got.null_count()
    for fmt, n in counts.items():  # (ties: the first in this order)
        if n > read:
            best, read = fmt, n
    return best


#: epoch formats: the cells they read (9-10 digits: seconds, 12-13: milliseconds) and the
#: factor to microseconds
EPOCHS: dict[str, tuple[str, int]] = {
    "epoch_s": (r"^[0-9]{9,10}$", 1_000_000),
    "epoch_ms": (r"^[0-9]{12,13}$", 1_000),
}

#: formats tried on a sample of ``ts``: the one that reads most of it is the fast path
FAST_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S%.f%z",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
)


def _naive_ts(expr: pl.Expr, fmt: str) -> pl.Expr | None:
    """The local wall-clock time a sampled format reads (None: the format has an offset).

    (``cache=False`` here and below: chat times are nearly all distinct, so polars' cache of
    parsed strings only costs — 0.7 s of 5.8 s validating 19 M engagement rows from CSV.)"""
    if fmt in EPOCHS or "%z" in fmt:
        return None
    return _bounded(
        expr.str.to_datetime(fmt, strict=False, exact=True, time_unit="us", cache=False)
    )


def _fast_ts(expr: pl.Expr, fmt: str, tz: str, offset: dt.timedelta | None = None) -> pl.Expr:
    """Cells in the strict format ``fmt`` → UTC times (null where they do not fit it). Local
    wall-clock times are converted by ``offset`` when given (see :func:`fixed_offset`)."""
    if fmt in EPOCHS:  # only cells of that many digits (others: null)
        digits, scale = EPOCHS[fmt]
        n = pl.when(expr.str.contains(digits)).then(expr.cast(pl.Int64, strict=False))
        return (n * scale).cast(pl.Datetime("us", "UTC"))
    naive = _naive_ts(expr, fmt)
    if naive is None:  # a format with an offset: its year and offset bounded as parse_ts's
        got = expr.str.to_datetime(fmt, strict=False, exact=True, time_unit="us", cache=False)
        hm = expr.str.extract_groups(r"[+-]([0-9]{2}):?([0-9]{2})$").struct
        minutes = hm.field("1").cast(pl.Int64) * 60 + hm.field("2").cast(pl.Int64)
        return pl.when(minutes.fill_null(0) <= _MAX_OFFSET_MIN).then(
            _bounded(got.dt.convert_time_zone("UTC"), "UTC")
        )
    return _local_to_utc(naive, tz, offset)


def _local_to_utc(naive: pl.Expr, tz: str, offset: dt.timedelta | None) -> pl.Expr:
    """Naive local wall-clock times of ``tz`` → UTC (by ``offset`` when given)."""
    if offset is not None:
        return (naive - offset).dt.replace_time_zone("UTC")
    return naive.dt.replace_time_zone(
        tz, ambiguous="earliest", non_existent="null"
    ).dt.convert_time_zone("UTC")


def _amount(expr: pl.Expr) -> pl.Expr:
    """Amount cells → Float64 (null where not a number). :func:`bad_amount` says which are
    not amounts, as :func:`sqops.data.scalars.parse_amount` does."""
    return expr.str.replace_all(r"[¥￥$,\s]", "").cast(pl.Float64, strict=False)


def bad_amount(amount: pl.Expr) -> pl.Expr:
    """True where a cast amount is not one: null (not a number), ``inf``, ``NaN``, or
    :data:`~sqops.data.scalars.MAX_AMOUNT` or more (NaN compares above every number)."""
    return amount.is_null() | ~(amount.abs() < MAX_AMOUNT)


def _question_text(reply_to: bool) -> pl.Expr:
    """``question_text`` of ``content`` (and ``reply_to``, when the table has it)."""
    return _non_empty(_question_cells(reply_to))


def _question_cells(reply_to: bool, strip: bool = True) -> pl.Expr:
    """The content of a message that can be a question (a question mark, or a reply),
    stripped; null elsewhere (:func:`_question_text` without making empty cells null).
    Without ``strip``, as read (a copy held in memory strips the cells it keeps,
    :meth:`_Held.make`)."""
    raw = pl.col("content").cast(pl.String)
    maybe = raw.str.contains_any(list(QUESTION_MARKS))
    if reply_to:
        maybe = maybe | pl.col("reply_to").is_not_null()
    cells = pl.when(maybe).then(raw)
    return cells.str.strip_chars() if strip else cells


def _non_empty(text: pl.Expr) -> pl.Expr:
    """``text``, null where it is empty."""
    return pl.when(text != "").then(text)


def _annotate(
    name: str,
    lf: pl.LazyFrame,
    present: list[str],
    ts_typed: bool,
    ts_expr: pl.Expr | None,
    tz: str,
    naive: pl.Expr | None = None,
    raw: Sequence[str] = (),
    held: bool = False,
) -> pl.LazyFrame:
    """Every row of the table once: typed and normalised columns, ``_reason`` (null for a valid
    row) and, for rejected rows only, the text as read in ``_orig_<column>`` (null elsewhere,
    so it costs almost nothing to keep).

    ``held``: for a copy held in memory (:meth:`_Held.make`), ``question_text`` is the chat
    text selected as read, which ``make`` strips (and empties to null) for the rows it keeps
    the column of only: a message is selected exactly when its stripped text is kept
    (a question mark is not a space) or it is a reply (kept for ``reply_to`` anyway).

    ``raw``: columns of :data:`RAW_FEW` given as read (not stripped) and left so, in the
    column, with no ``_orig_`` (the column is the text as read: :meth:`_Held.make` makes the
    rejected rows' ``_orig_`` of it, and normalises the distinct texts).

    ``naive``, when the times were local wall-clock times, is that time: its date is the
    local day (a wall-clock time that exists maps back to itself), which spares converting
    every UTC time back to the zone. It is made once a row, as the column :data:`_NAIVE`,
    which ``ts_expr`` may read (:func:`validate_table`'s ``to_utc(off, made=True)``): written
    inside both the time and the day, it was made twice a row (polars' common-subexpression
    pass does not share it between the two)."""
    spec = TABLE[name]
    if naive is not None:
        lf = lf.with_columns(naive.alias(_NAIVE))
        naive = pl.col(_NAIVE)
    typed: list[pl.Expr] = []
    if ts_expr is not None:
        typed.append(ts_expr.alias("_ts"))
    if name == "orders":
        typed.append(_amount(pl.col("amount")).alias("_amount"))
        if "status" in present:
            typed.append(
                pl.col("status")
                .str.to_lowercase()
                .replace_strict(ORDER_STATUS_SYNONYMS, default=None)
                .alias("_status")
            )
    if "event" in present:
        typed.append(pl.col("event").str.to_lowercase().alias("_event"))
    lf = lf.with_columns(typed)

    checks: list[tuple[str, pl.Expr]] = []
    if "ts" in present:
        checks.append(("bad_time", pl.col("_ts").is_null()))
    id_blank = pl.lit(False)
    for c in spec.ids:
        id_blank = id_blank | pl.col(c).is_null()  # (cells are stripped, empty ones null)
    checks.append(("empty_id", id_blank))
    if spec.events:
        checks.append(
            ("bad_event", ~pl.col("_event").is_in(list(spec.events)) | pl.col("_event").is_null())
        )
    if name == "orders":
        checks.append(("bad_amount", bad_amount(pl.col("_amount"))))
        checks.append(("negative_amount", pl.col("_amount") < 0))
        if "status" in present:
            checks.append(
                ("bad_status", pl.col("status").is_not_null() & pl.col("_status").is_null())
            )
    reason = pl.lit(None, dtype=pl.String)
    for code, cond in reversed(checks):
        reason = pl.when(cond.fill_null(False)).then(pl.lit(code)).otherwise(reason)
    lf = lf.with_columns(reason.alias("_reason"))

    # normalised, typed columns (what the valid rows carry from here on)
    out: dict[str, pl.Expr] = {}
    if "ts" in present:
        out["ts"] = pl.col("_ts")
        out["day"] = (
            naive.dt.date()
            if naive is not None
            else pl.col("_ts").dt.convert_time_zone(tz).dt.date()
        )
    if name == "orders":
        out["amount"] = pl.col("_amount")
        out["status"] = (
            pl.col("_status") if "status" in present else pl.lit("paid", pl.String)
        ).fill_null("paid")
    if "event" in present:
        out["event"] = pl.col("_event")
    for c in ("msg_type", "role"):
        if c in present:
            out[c] = pl.col(c) if c in raw else pl.col(c).str.to_lowercase()
    if name == "messages" and "content" in lf.collect_schema().names():
        # ``question_text``: the content of a message that can be a question (it has a question
        # mark or replies to a message), null elsewhere; the rest is most of a chat file
        # (the marks are looked for in the text as read, which stripping does not change, and
        # only the texts kept are stripped: at 10 M messages 0.85 -> 0.6 CPU-s). The stripped
        # cells are a column of their own first: written inside the empty test, the selection
        # and the strip were made twice a row (polars' common-subexpression pass leaves them)
        # (held: the strip and the empty test are make's, of the cells kept: 10 M messages,
        # 1.35 M of them, ~0.15 CPU-s less than of every cell)
        cells = _question_cells("reply_to" in present, strip=not held)
        lf = lf.with_columns(cells.alias(_QUESTION_CELLS))
        out[QUESTION_TEXT] = (
            pl.col(_QUESTION_CELLS) if held else _non_empty(pl.col(_QUESTION_CELLS))
        )
    rejected = pl.col("_reason").is_not_null()
    only = REJECT_ONLY.get(name, frozenset())
    # (not ``raw``: a when/then per column and row, ~0.05-0.1 CPU-s each at 10 M messages,
    # for a text the column itself holds as read)
    keep_text = [c for c in present if (c in out or c in only) and c not in raw]
    columns = [
        "_row",
        *(c for c in present if c not in only),
        *(c for c in out if c not in present),
    ]
    for c in CODED:
        if c in present and c not in out:
            out[c] = pl.col(c).cast(ID)
    return lf.select(
        *[out[c].alias(c) if c in out else pl.col(c) for c in columns],
        "_reason",
        *[pl.when(rejected).then(pl.col(c)).alias(f"_orig_{c}") for c in keep_text],
    )


def validate_table(
    name: str,
    lf: pl.LazyFrame,
    source: str,
    tz: str,
    mapping: Mapping[str, str] | None = None,
    spill: Path | None = None,
    direct: Path | None = None,
    early: _Early | None = None,
    hold: int = 0,
) -> TableData:
    """Rename, type, check and deduplicate one table given as text columns.

    The source is read once: every row, typed and with the reason it is rejected (if it is),
    goes to a Parquet file in ``spill`` (a folder; streaming, bounded memory; without one it
    is held in memory) and every later question — rows read, rejected rows, duplicate ids,
    the valid rows — reads that file. Times are parsed with the strict format that reads most
    of a sample of them; only rows it cannot read take the general parser.

    ``direct``: the Parquet file ``lf`` reads. When its columns have their types and every
    row is valid as it is (:func:`_validate_direct`), no copy is made: ``frame`` reads the
    file itself. ``early``: that file's checking pass, started beside the other tables
    (:func:`_start_early`).

    ``hold``: the bytes the copy may take in memory (0: none). Within them the copy is
    held in a compact form (:class:`_Held`) instead of written to ``spill``: the same rows,
    columns and types; a copy found larger while it is made (long question texts: their
    cells are held whole) is made on disk instead.
    """
    spec = TABLE[name]
    lf = _rename(lf, mapping, spec, source)
    present = [
        c
        for c in (*spec.required, *spec.optional)
        if c in lf.collect_schema().names() and c not in UNUSED_COLUMNS
    ]
    # (``content`` goes in only to make ``question_text`` of it)
    text_in = ["content"] if name == "messages" and "content" in lf.collect_schema().names() else []
    lf = (
        lf.select(*present, *text_in)
        .with_row_index("_row", offset=1)
        .with_columns(pl.col("_row").cast(pl.Int64))
    )
    schema = lf.collect_schema()
    ts_type = schema.get("ts")
    ts_typed = isinstance(ts_type, pl.Datetime)
    # text cells: strip, empty → null
    # (when/then, not .replace: replace stops the streaming engine and loads the whole table)
    numeric_ids = {c for c in present if c in NUMERIC_IDS and schema[c].is_integer()}
    text = [c for c in present if not (c == "ts" and ts_typed) and c not in numeric_ids]
    path = spill / f"{name}.parquet" if spill is not None else None
    # (a copy held in memory or on disk takes the RAW_FEW columns as read: see _Held.make and
    # _Copy; one collected in memory without a spill folder takes every cell stripped)
    as_read = bool(hold) or path is not None
    raw = [c for c in text if c in RAW_FEW] if as_read else []
    # (and a sparse column of integers, a reply's target id, as integers: made text only for
    # the rows that have one (_Held.make), or as it is written (store); cast in the source,
    # every cell is formatted, the nulls too: 10 M messages ~0.26 CPU-s for 0.69 M replies)
    ints = [c for c in text if c in SPARSE and schema[c].is_integer()] if as_read else []
    held_lf = _stripped(lf, [c for c in text if c not in raw and c not in ints], schema)
    held_lf = held_lf.with_columns(pl.col(c).cast(pl.String) for c in raw)
    # (and the coded text columns as read, cast as they are; proved clean afterwards)
    unstripped = [c for c in text if c in CODED and not schema[c].is_integer()] if as_read else []
    cells_as_read = lf
    as_read_source: list[tuple[pl.LazyFrame, list[str]]] = []

    def cast_as_read() -> tuple[pl.LazyFrame, list[str]]:
        """The source with the RAW_FEW columns and the ``unstripped`` ones as read, but
        those with a cell that stripping would change or empty among the first
        :data:`PADDED_SAMPLE` rows, stripped (cast as read, their copy would be made again: a
        whole second copy on disk; names padded here and there are found so), and the
        columns as read."""
        if not as_read_source:
            head = cells_as_read.select(pl.col(c).cast(pl.String) for c in unstripped)
            padded = head.head(PADDED_SAMPLE).select(
                ((pl.col(c).str.strip_chars() != pl.col(c)) | (pl.col(c) == "")).any()
                for c in unstripped
            )
            row = padded.collect().row(0)
            keep = [c for c, bad in zip(unstripped, row, strict=True) if not bad]
            as_is = {*raw, *keep, *ints}
            src = _stripped(cells_as_read, [c for c in text if c not in as_is], schema)
            src = src.with_columns(pl.col(c).cast(pl.String) for c in (*raw, *keep))
            as_read_source.append((src, keep))
        return as_read_source[0]

    lf = _stripped(lf, text, schema)
    # Local wall-clock times are converted by one fixed offset when the zone keeps one over
    # the times of a sample (most of Asia keeps one all year: an addition instead of a zone
    # lookup per cell); the copy's whole range is checked afterwards and, if the offset does
    # not hold over all of it (a time from before a change of rules), the copy is made again
    # with the zone's own conversion.
    fmt: str | None = None
    naive: pl.Expr | None = None  # the local wall-clock time (for the day), for local times
    sample: pl.Series | None = None  # the first of those local times, for the offset
    if ts_typed:
        # Parquet/Excel/in-memory times: naive ones are local, aware ones are exact
        assert isinstance(ts_type, pl.Datetime)
        typed = _bounded(pl.col("ts").cast(pl.Datetime("us", ts_type.time_zone)), ts_type.time_zone)
        if ts_type.time_zone is None:
            naive = typed
            sample = lf.select(typed).head(_SAMPLE).collect().to_series()
    elif "ts" in present:
        cells = lf.select("ts").head(_SAMPLE).collect()["ts"]
        fmt = _sniff_format(cells.to_list())
        naive = _naive_ts(pl.col("ts"), fmt) if fmt else None
        if naive is not None:
            sample = cells.to_frame().select(naive).to_series()

    def to_utc(off: dt.timedelta | None, made: bool = False) -> pl.Expr | None:
        """The UTC time of a row; with ``made``, of local times, made of the column
        :data:`_NAIVE` that :func:`_annotate` makes of ``naive`` first (the same value)."""
        if ts_typed:
            if naive is not None:
                return _local_to_utc(pl.col(_NAIVE) if made else typed, tz, off)
            return typed.dt.convert_time_zone("UTC")
        if "ts" not in present:
            return None
        if made and naive is not None:  # (a sampled format of local times: _fast_ts's own)
            return _local_to_utc(pl.col(_NAIVE), tz, off)
        return _fast_ts(pl.col("ts"), fmt, tz, off) if fmt else parse_ts(pl.col("ts"), tz)

    off = None
    if sample is not None and sample.null_count() < sample.len():
        off = fixed_offset(tz, sample.min(), sample.max())  # type: ignore[arg-type]

    if direct is not None:
        expected = _annotate(name, lf, present, ts_typed, to_utc(off, True), tz, naive)
        td = _validate_direct(
            name,
            direct,
            source,
            mapping,
            present,
            to_utc(off),
            off,
            tz,
            naive,
            expected,
            early,
            to_utc(off, True),
        )
        if td is not None and td.frame.collect_schema() == _final(expected):
            return _some_valid(td)
    if early is not None:
        early.stop()

    copied: list[_Copy] = []  # (the copy on disk last written: how its scans read it)

    def store(
        frame: pl.LazyFrame, clean: Sequence[str] = (), raw: Sequence[str] = ()
    ) -> pl.LazyFrame:
        if path is None:
            return frame.collect().lazy()
        # every row is written in source order, so the row number is the row's index in the
        # file and need not be stored; nothing reads the column statistics. Coded columns are
        # written as their 32-bit codes (valid in this process only, like the file): no
        # per-chunk dictionary to build on writing, no strings to decode on reading.
        # Uncompressed: Parquet's own encodings already make the copy small (the 10 M benchmark:
        # 462 MB for all tables, 365 MB with LZ4), and compressing and decompressing cost more.
        # Row groups of ROW_GROUP rows: a scan decodes a whole row group at once, so a later
        # scan of the copy (a partitioned run's bucket: its groups' rows) holds ~100k rows of
        # it, not the million of polars' default (benchmarks/README.md, "Partitioned runs")
        # The RAW_FEW columns (as read) are written as the codes of their texts as read, the
        # ``clean`` coded columns (cast as read) as theirs: the distinct codes of the file are
        # then tested and normalised once each (_Copy.written), not every cell stripped and
        # lowered (1 M messages: the copy 0.53-0.61 -> 0.40-0.49 CPU-s)
        coded = [c for c in CODED if c in present]
        # (polars keeps the texts of _FEW's codes only while some data uses them: this empty
        # column keeps them until _Copy.written has read the texts of the codes written)
        alive = pl.Series(dtype=_FEW)
        frame.drop("_row").with_columns(
            *(pl.col(c).to_physical() for c in coded),
            *(pl.col(c).cast(_FEW).to_physical() for c in raw),
            *(pl.col(c).cast(pl.String) for c in ints),
        ).sink_parquet(path, compression="uncompressed", statistics=False, row_group_size=ROW_GROUP)
        copied[:] = [_Copy.written(path, tuple(coded), clean, raw)]
        del alive
        return copied[0].scan()

    def reparsed(
        rows: pl.LazyFrame,
        off: dt.timedelta | None,
        src: pl.LazyFrame = lf,
        raw: Sequence[str] = (),
    ) -> pl.LazyFrame | None:
        """The source annotated again with the general parser's times for the rows the
        sampled format could not read (``rows``: a copy's rows with their reasons), for those
        rows only; None when there are none (or no format was sampled)."""
        if not fmt:
            return None
        retry = (
            rows.filter((pl.col("_reason") == "bad_time") & pl.col("_orig_ts").is_not_null())
            .select("_row", parse_ts(pl.col("_orig_ts"), tz).alias("_fix"))
            .filter(pl.col("_fix").is_not_null())
            .collect()
        )
        if not retry.height:
            return None
        fixed = src.join(retry.lazy(), on="_row", how="left", maintain_order="left")
        ts_fixed = pl.coalesce(to_utc(off), pl.col("_fix"))
        return _annotate(name, fixed, present, False, ts_fixed, tz, raw=raw)

    padded: list[bool] = []  # (a copy cast as read met a padded cell: not tried again)

    def copy(off: dt.timedelta | None) -> pl.LazyFrame:
        if path is None:  # (collected in memory: every cell stripped)
            return copy_from(off, lf, (), ())
        src, clean = cast_as_read() if unstripped else (held_lf, [])
        if clean and not padded:
            try:
                return copy_from(off, src, clean, raw)
            except _Padded:  # (a coded cell padded or empty: every coded cell stripped)
                # (the same cells again, if the copy is made again for the zone's offset)
                padded.append(True)
        return copy_from(off, held_lf, (), raw)

    def copy_from(
        off: dt.timedelta | None, src: pl.LazyFrame, clean: Sequence[str], raw: Sequence[str]
    ) -> pl.LazyFrame:
        annotated = _annotate(name, src, present, ts_typed, to_utc(off, True), tz, naive, raw)
        base = store(annotated, clean, raw)
        again = reparsed(base, off, src, raw)
        return base if again is None else store(again, clean, raw)

    def held(off: dt.timedelta | None) -> _Held:
        src, clean = cast_as_read() if unstripped else (held_lf, [])
        if clean:
            try:
                return held_from(off, src, clean)
            except _Padded:  # (a coded cell padded or empty: every cell stripped)
                pass
        return held_from(off, held_lf, ())

    def held_from(off: dt.timedelta | None, src: pl.LazyFrame, clean: Sequence[str]) -> _Held:
        annotated = _annotate(
            name, src, present, ts_typed, to_utc(off, True), tz, naive, raw, held=True
        )
        kept = _Held.make(annotated, hold, raw, clean)
        again = reparsed(kept.bad.lazy(), off, src, raw)
        return kept if again is None else _Held.make(again, hold, raw, clean)

    kept: _Held | None = None
    if hold:
        try:
            kept = held(off)
            if off is not None and kept.offset_moves(tz, off):
                kept = held(None)
        except _OverBudget:  # (larger than its bytes: the copy on disk, as without ``hold``)
            kept = None
    if kept is not None:
        rows_read = kept.rows
        rejected = _rejected(kept.bad.lazy(), present).collect()
        final = kept.final
        valid = kept.valid()
    else:
        base = copy(off)
        if off is not None:
            lo, hi = (
                base.select(pl.col("ts").min().alias("lo"), pl.col("ts").max().alias("hi"))
                .collect()
                .row(0)
            )
            if (
                lo is not None
                and fixed_offset(tz, lo.replace(tzinfo=None), hi.replace(tzinfo=None)) != off
            ):
                base = copy(None)

        rows_read = int(base.select(pl.len()).collect().item())
        orig = base.collect_schema().names()
        # (the rows chosen in the scan, before the texts are made of them)
        good, bad = pl.col("_reason").is_null(), pl.col("_reason").is_not_null()
        rejected = _rejected(copied[0].scan(bad) if copied else base, present).collect()
        final = [c for c in orig if c != "_reason" and not c.startswith("_orig_")]
        valid = (copied[0].scan(good) if copied else base.filter(good)).select(final)
    columns = tuple(c for c in final if c != "_row")

    dups = _duplicate_rows(valid, spec, present, numeric_ids, rows_read)
    dup_rows: pl.Series | None = None
    if dups.height and kept is not None:  # (dropped from the held rows: no filter on _row)
        del valid  # (its frame's columns, before the copy's move)
        kept = kept.without(dups["_row"])
        valid = kept.valid()
    elif dups.height:
        valid = valid.filter(~pl.col("_row").is_in(dups["_row"].implode()))
        dup_rows = dups["_row"]

    event_types: frozenset[str] = frozenset()
    if "event" in present:
        event_types = frozenset(valid.select(pl.col("event").unique()).collect()["event"].to_list())

    td = TableData(
        name, source, valid, columns, rows_read, rejected, *_dup_counts(dups), event_types
    )
    if copied and kept is None:
        td._narrow = _Narrow(copied[0], tuple(final), dup_rows, valid)
    if kept is not None:  # (its rows: the frame's, in its order)
        td._held = (kept.frame, valid)
    return _some_valid(td)


#: rows collected at a time into a copy held in memory (:meth:`_Held.make`)
HELD_BATCH = 250_000
#: the first rows whose coded cells are tested before a copy casts them as read: a column
#: with a padded or empty one there is stripped from the start (its copy cast as read would
#: be made again: on disk a whole second copy, ~0.45 CPU-s at 1 M messages)
PADDED_SAMPLE = 2000


class _OverBudget(Exception):
    """A copy held in memory grew past the bytes it was given (:meth:`_Held.make`)."""


class _Padded(Exception):
    """A coded column cast as read has a cell that stripping would change or empty
    (:meth:`_Held.make`): the copy is made again from stripped cells."""


#: text columns of a few distinct values (normalised to lower case), held as codes (1 byte a
#: row for up to 256 texts, instead of 16) of categories of their own (the ids' codes stay as
#: they were) and given back as text (a gather: a cast from a categorical costs 6× more)
FEW = frozenset({"msg_type", "role", "event"})
_FEW = pl.Categorical(pl.Categories("sqops-held-few"))
#: text columns null in most rows (a reply's target; the text of a message that can be a
#: question): held apart, only for the rows that have one (:meth:`_Held.make`)
SPARSE = ("reply_to", QUESTION_TEXT)
#: of :data:`FEW`, those no check reads: a copy held in memory takes them as read, codes of
#: their texts as read, and strips and lowers each distinct text once (:meth:`_Held.make`)
#: instead of every cell (at 10 M messages the two columns' strip and lower case cost
#: ~1 CPU-s); ``event`` decides whether a row is rejected, so it is normalised first
RAW_FEW = frozenset({"msg_type", "role"})


#: the valid rows :meth:`_Held.without` drops by slicing the held frame around them (no
#: row copied; each a chunk more); more, a column at a time
SLICED_DROPS = 64


def _mapped(column: str, fn: Any, dtype: Any) -> pl.Expr:
    """``fn`` of ``column``, a map of each row alone (which a query's filter passes)."""
    return pl.col(column).map_batches(fn, return_dtype=dtype, is_elementwise=True)


def _gathered(values: pl.Series, index: pl.Series) -> pl.Series:
    """``values`` at ``index`` (null where it is null): a code's text, a sparse row's cell."""
    return values.gather(index)


def _source_rows(gaps: pl.Series, index: pl.Series) -> pl.Series:
    """The 1-based source row of each held row's ``index`` (:attr:`_Held.gaps`)."""
    i = index.cast(pl.Int64)
    return i + 1 + gaps.search_sorted(i, side="right").cast(pl.Int64)


@dataclass(frozen=True)
class _Held:
    """A typed copy held in memory (:func:`validate_table` with ``hold``), compact: the
    valid rows' columns but ``_row``, which is made from a row's index (the rows are held in
    source order; ``gaps`` says where rejected rows were left out); the rejected rows apart
    (``bad``: their annotated rows, with the reasons and the text as read); the few texts of
    :data:`FEW` as codes and the :data:`SPARSE` columns only where a row has one.
    :meth:`valid` gives the same frame as the copy on disk. Collected a batch at a time by
    the streaming engine: the source (with the chat text) is never held whole."""

    frame: pl.DataFrame
    bad: pl.DataFrame
    final: list[str]
    rows: int
    #: for each row left out (in order): rejected, or a repeated id's (:meth:`without`),
    #: its number − 1 − the rows left out before it: the held rows before it (None: none)
    gaps: pl.Series | None
    #: the cells of the :data:`SPARSE` columns, for the rows that have one (``_sparse`` of
    #: ``frame`` is a row's index here, null for a row without; None: held as they are)
    sparse: pl.DataFrame | None = None
    #: the texts of the :data:`FEW` columns' codes (a code is its text's index)
    words: dict[str, pl.Series] = field(default_factory=dict)

    @classmethod
    def make(
        cls,
        annotated: pl.LazyFrame,
        cap: int | None = None,
        raw: Sequence[str] = (),
        clean: Sequence[str] = (),
    ) -> _Held:
        """The copy of ``annotated`` (:func:`_annotate`'s frame), made a batch of rows at a
        time: each batch's rejected rows set apart, its sparse columns too, before the next
        (the table is never held whole as the annotated frame has it). Raises
        :class:`_OverBudget` as soon as what it holds passes ``cap`` bytes.

        ``raw``: :data:`RAW_FEW` columns that ``annotated`` gives as read: their codes are
        those of the texts as read, and each distinct text is normalised as :func:`_stripped`
        and :func:`_annotate` would normalise every cell (stripped, empty → null, lower
        case) in ``words``; the rejected rows' cells the same way, and their text as read
        (``_orig_<col>``, which :func:`_annotate` does not make for these columns) is the
        cell itself, stripped, empty → null.

        ``clean``: :data:`CODED` columns that ``annotated`` cast as read (not stripped): the
        codes present in any row, valid or rejected, are marked batch by batch and their
        texts tested once, in the first batch that has them: one that stripping would
        change or empty (a cell :func:`_stripped` would change, or make null and so an empty
        id) raises :class:`_Padded` then (not after the last batch). (At 10 M messages the
        strip of three columns cost ~0.45 CPU-s, the marks and the test ~0.15.)

        A :data:`SPARSE` column that ``annotated`` gives as integers (a reply's target id,
        :func:`validate_table`'s ``ints``) is made text for the rows that have one only (set
        apart, and the rejected rows), as the copy has it: a cast of every cell formats the
        nulls too (10 M messages, 0.69 M replies: ~0.26 CPU-s). ``question_text`` is
        stripped, empty → null, here too (:func:`_annotate`'s ``held`` selects it as read)."""
        schema = annotated.collect_schema()
        names = schema.names()
        final = list(_final(annotated))
        few = [c for c in final if c in FEW]
        cols = [c for c in SPARSE if c in final]
        # (the sparse cells as the copy has them: the integers as text, the question texts
        # stripped, empty ones null — _annotate's ``held`` gives them as read; stripped
        # already, as reparsed's, they stay as they are)
        as_text = [
            _cleaned(pl.col(c)) if c == QUESTION_TEXT else pl.col(c).cast(pl.String) for c in cols
        ]
        has = pl.any_horizontal(pl.col(c).is_not_null() for c in cols) if cols else pl.lit(False)
        query = annotated.select(
            *(pl.col(c).cast(_FEW) if c in FEW else pl.col(c) for c in names),
            has.alias("_has"),
        )
        keep = [c for c in final if c != "_row" and c not in cols]
        parts: list[pl.DataFrame] = []
        cells: list[pl.DataFrame] = []
        bad: list[pl.DataFrame] = []
        rows = held = size = 0
        batches = query.collect_batches(chunk_size=HELD_BATCH, engine="streaming")
        marks = _Marks(clean)
        for batch in itertools.chain(batches, [query.clear().collect()]):
            if parts and not batch.height:
                continue  # (an empty batch only for a table without rows: its schema)
            rows += batch.height
            marks.mark(batch)
            before = len(parts), len(cells), len(bad)
            if batch["_reason"].null_count() < batch.height:
                rejected = batch.filter(pl.col("_reason").is_not_null()).select(names)
                bad.append(rejected.with_columns(as_text))
                batch = batch.filter(pl.col("_reason").is_null())
            if cols:
                pos = pl.when("_has").then(pl.col("_has").cum_sum() - 1 + held)
                # (the sparse columns chosen before the rows: a filter of the batch copies
                # every column's rows; 10 M messages ~0.1 CPU-s)
                cells.append(batch.select(*cols, "_has").filter("_has").select(as_text))
                held += cells[-1].height
                parts.append(batch.select(*keep, pos.cast(pl.UInt32).alias("_sparse")))
            else:
                parts.append(batch.select(keep))
            del batch
            size += sum(
                int(f.estimated_size())
                for got, n in zip((parts, cells, bad), before, strict=True)
                for f in got[n:]
            )
            if cap is not None and size > cap:
                raise _OverBudget
        frame = pl.concat(parts, rechunk=False)
        del parts
        words: dict[str, pl.Series] = {}
        for c in few:  # (the texts by code; the codes as the smallest integers that hold them)
            # (the texts of every code of _FEW up to the largest the column has: a code no
            # cell has is never looked up; its distinct codes cost a ``unique`` of every
            # cell, 10 M messages ~0.1 CPU-s for the two columns)
            top = frame[c].to_physical().max()
            n = 0 if top is None else int(top) + 1  # type: ignore[arg-type]
            every = pl.int_range(0, n, dtype=pl.UInt32, eager=True).to_frame(c)
            text = pl.col(c).cat.to(_FEW, strict=False).cast(pl.String)
            words[c] = every.select(_normalised(text) if c in raw else text).to_series()
            code = pl.col(c).to_physical()
            frame = frame.with_columns(
                code.cast(pl.UInt8)
                if n <= 1 << 8
                else code.cast(pl.UInt16)
                if n <= 1 << 16
                else code
            )
        sparse = pl.concat(cells, rechunk=True) if cols else None
        if not bad:
            none = annotated.clear().collect().with_columns(as_text)
            return cls(frame, none, final, rows, None, sparse, words)
        rejected = pl.concat(bad).with_columns(pl.col(c).cast(pl.String) for c in few)
        if raw:
            rejected = rejected.with_columns(
                *(_normalised(pl.col(c)).alias(c) for c in raw),
                *(_cleaned(pl.col(c)).alias(f"_orig_{c}") for c in raw),  # (read as it is)
            )
        at = rejected["_row"]
        gaps = at - 1 - pl.int_range(at.len(), dtype=pl.Int64, eager=True)
        return cls(frame, rejected, final, rows, gaps, sparse, words)

    def valid(self) -> pl.LazyFrame:
        """The valid rows, as the spilled copy gives them: ``_row`` (made only when asked)
        and the texts of the :data:`FEW` and :data:`SPARSE` columns (only those asked for)
        made by element-wise maps, which a query's filter passes: its predicates on the held
        columns are applied to ``frame`` first (below the row index too, when ``_row`` is
        not asked for), and ``_row`` and the texts made of the rows they keep. (Made by
        ``gather`` of literal series, which polars does not let a filter pass, they were
        made of every row in each pass: at 10 M messages 0.1-0.5 CPU-s a pass, ~8 passes a
        report; ``replace_strict`` or an ``Enum`` cast pass a filter but cost 3-6x a gather
        on a pass that keeps every row, the map what the gather does.)"""
        lf = self.frame.lazy().with_row_index("_row")
        if self.gaps is None:
            row = pl.col("_row").cast(pl.Int64) + 1
        else:
            row = _mapped("_row", functools.partial(_source_rows, self.gaps), pl.Int64)
        back = [
            _mapped(c, functools.partial(_gathered, w), pl.String).alias(c)
            for c, w in self.words.items()
        ]
        if self.sparse is not None:
            back += [
                _mapped("_sparse", functools.partial(_gathered, s), s.dtype).alias(s.name)
                for s in self.sparse
            ]
        return lf.with_columns(row.alias("_row"), *back).select(self.final)

    def without(self, rows: pl.Series) -> _Held:
        """This copy without the valid rows numbered ``rows`` (1-based, in the source; the
        repeated ids' rows), which join the rejected ones in ``gaps``: ``frame``'s rows are
        then those of :meth:`valid` and no filter on ``_row`` comes after its maps (which
        kept every predicate of a query above the row index and the texts). Dropped by
        slicing the frame around them (no row copied: a chunk more each) up to
        :data:`SLICED_DROPS` rows, else a column at a time: this copy's ``frame`` is emptied
        as its columns move, so that the held rows are never in memory twice (the caller
        lets go of every other frame of it first)."""
        rows = rows.cast(pl.Int64).sort()
        out = pl.Series(dtype=pl.Int64) if self.gaps is None else self.gaps.cast(pl.Int64)
        out = out + 1 + pl.int_range(out.len(), dtype=pl.Int64, eager=True)  # (their numbers)
        at = rows - 1 - out.search_sorted(rows, side="left").cast(pl.Int64)  # (their index)
        every = pl.concat([out, rows]).sort()
        gaps = every - 1 - pl.int_range(every.len(), dtype=pl.Int64, eager=True)
        frame = self.frame
        if at.len() <= SLICED_DROPS:
            pieces, start = [], 0
            for i in at.to_list():
                pieces.append(frame.slice(start, i - start))
                start = i + 1
            pieces.append(frame.slice(start))
            frame = pl.concat([p for p in pieces if p.height] or pieces[:1], rechunk=False)
        else:
            keep = pl.repeat(True, frame.height, dtype=pl.Boolean, eager=True).scatter(at, False)
            frame = pl.DataFrame([frame.drop_in_place(c).filter(keep) for c in frame.columns])
        return dataclasses.replace(self, frame=frame, gaps=gaps.rename("_row"))

    def offset_moves(self, tz: str, off: dt.timedelta) -> bool:
        """The range of times of the copy and its rejected rows outside what ``off`` holds
        over."""
        times = pl.concat([self.frame.select("ts"), self.bad.select("ts")])
        lo, hi = times.select(pl.col("ts").min().alias("lo"), pl.col("ts").max().alias("hi")).row(0)
        return lo is not None and (
            fixed_offset(tz, lo.replace(tzinfo=None), hi.replace(tzinfo=None)) != off
        )


class _Tested:
    """The codes of the process's dictionary (:data:`ID`) whose texts :class:`_Marks` have
    tested: those below ``upto``, the padded or empty ones among them in ``padded``. One
    reading's tables share it (:func:`_read_all`): each copy held tests only the codes the
    copies before it did not (10 M: 1.42 M texts tested instead of 3.8 M, the members',
    posts' and coupons' marks having tested the messages' ids again). It holds an empty column of
    :data:`ID` meanwhile: polars drops the dictionary once no data uses it and gives its
    codes to new texts, which would then be untested below ``upto``."""

    def __init__(self) -> None:
        self.keep = pl.Series(dtype=ID)
        self.upto = 0
        self.padded = pl.Series(dtype=pl.UInt32)
        self.lock = threading.Lock()  # (a library's reads in threads: one test of a code)


#: the :class:`_Tested` of the reading under way in this thread (:func:`_read_all`; None:
#: each copy tests its own, from the first code)
_TESTED: contextvars.ContextVar[_Tested | None] = contextvars.ContextVar(
    "sqops_tested", default=None
)


@contextlib.contextmanager
def _codes_tested() -> Iterator[_Tested]:
    """One :class:`_Tested` for the copies made meanwhile in this thread."""
    tested = _Tested()
    token = _TESTED.set(tested)
    try:
        yield tested
    finally:
        _TESTED.reset(token)


class _Marks:
    """The texts of coded columns' codes tested batch by batch (:meth:`_Held.make`): those
    of every code of the process's dictionary up to a batch's largest not tested before
    (as :meth:`_Copy.written` does: one ``max`` a batch, a text ~0.03 µs; numpy, which
    marked the codes present, costs ~0.07 CPU-s to import in a run that has no other use
    for it) by this copy or, in one reading, by the tables' copies before it
    (:class:`_Tested`), the padded or empty ones then looked for in that batch and every
    later one: :meth:`mark` raises :class:`_Padded` at the first batch with one (little of
    the copy is made in vain)."""

    def __init__(self, columns: Sequence[str]) -> None:
        self.codes = [pl.col(c).to_physical() for c in columns]
        self.tested = _TESTED.get() or _Tested()

    def mark(self, batch: pl.DataFrame) -> None:
        if not self.codes or not batch.height:
            return
        top = batch.select(pl.max_horizontal(c.max() for c in self.codes)).item()
        tested = self.tested
        with tested.lock:
            if top is not None and top >= tested.upto:
                fresh = pl.int_range(tested.upto, top + 1, dtype=pl.UInt32, eager=True)
                tested.padded = pl.concat([tested.padded, _padded_codes(fresh)])
                tested.upto = top + 1
            padded = tested.padded
        if padded.len():
            found = pl.any_horizontal(c.is_in(padded.implode()) for c in self.codes)
            if batch.select(found.any()).item():
                raise _Padded


def _clean_codes(codes: Any) -> bool:
    """No text of ``codes`` (an array of :data:`ID` codes) is one :func:`_stripped` would
    change or empty."""
    return not _padded_codes(codes).len()


def _padded_codes(codes: Any) -> pl.Series:
    """Those of ``codes`` (an array of :data:`ID` codes) whose text :func:`_stripped` would
    change or empty (a code without a text is polars' error, as before: the texts are
    read right after the codes are made)."""
    c = pl.Series("c", codes, dtype=pl.UInt32)
    text = pl.col("c").cat.to(ID).cast(pl.String)
    return c.to_frame().filter((text.str.strip_chars() != text) | (text == ""))["c"]


def _cleaned(text: pl.Expr) -> pl.Expr:
    """Text cells as :func:`_stripped` makes them: stripped, empty ones null."""
    stripped = text.str.strip_chars()
    return pl.when(stripped != "").then(stripped)


def _normalised(text: pl.Expr) -> pl.Expr:
    """:func:`_cleaned`, in lower case (a :data:`RAW_FEW` column of the copy)."""
    return _cleaned(text).str.to_lowercase()


def _stripped(lf: pl.LazyFrame, text: list[str], schema: Mapping[str, Any]) -> pl.LazyFrame:
    """``text`` columns as text, stripped, empty cells null. (Integers as text: nothing to
    strip, never empty.) (when/then, not .replace: replace stops the streaming engine and
    loads the whole table)"""
    cells = [c for c in text if not schema[c].is_integer()]
    lf = lf.with_columns(
        pl.col(c).cast(pl.String) if c not in cells else pl.col(c).cast(pl.String).str.strip_chars()
        for c in text
    )
    return lf.with_columns(pl.when(pl.col(c) != "").then(pl.col(c)) for c in cells)


def _final(annotated: pl.LazyFrame) -> pl.Schema:
    """The columns (and types) of the valid rows of an annotated table."""
    return pl.Schema(
        (c, t)
        for c, t in annotated.collect_schema().items()
        if c != "_reason" and not c.startswith("_orig_")
    )


#: tables read from their Parquet file when it is valid as it is (:func:`_validate_direct`):
#: engagement only — its later questions are few (the rows after as-of, participation,
#: openers per post) and the typed copy of it the most costly. The others keep the copy:
#: the messages are read by about ten later questions, each of which would make the
#: categoricals of its ids again.
DIRECT = frozenset({"engagement"})
#: more rejected rows than this: the copy (each later question would skip them by number)
MAX_DIRECT_REJECTS = 10_000


def _validate_direct(
    name: str,
    path: Path,
    source: str,
    mapping: Mapping[str, str] | None,
    present: list[str],
    ts: pl.Expr | None,
    off: dt.timedelta | None,
    tz: str,
    naive: pl.Expr | None,
    expected: pl.LazyFrame,
    early: _Early | None = None,
    ts_made: pl.Expr | None = None,
) -> TableData | None:
    """The table read from its Parquet file ``path`` without a copy, when that file is valid
    as it is; None when the copy is needed (then :func:`validate_table` makes it).

    ``ts_made``: ``ts`` made of the column :data:`_NAIVE` (``naive`` made once a row, as
    :func:`_annotate` makes it), for the checking pass and ``frame``; None: ``ts`` itself.

    Valid as it is: ``ts`` a datetime, the other columns text (or integers), no text cell
    empty or with spaces around it, no value of ``event``, ``msg_type`` or ``role`` other
    than its lower case, and no row that would be rejected. One streaming pass over the file
    checks that (and counts the rows, the range of times and the events); the duplicate
    ids are found as for the copy. ``frame`` then reads the file, casting the coded columns
    and converting the times as it goes (only the columns a question asks for), without the
    duplicate rows — the same rows, columns and types as the copy.
    """
    spec = TABLE[name]
    if name not in DIRECT or name == "orders":  # (orders: amounts and statuses read as text)
        return None
    raw = pl.scan_parquet(path, row_index_name="_row", row_index_offset=1)
    if "_row" in pl.scan_parquet(path).collect_schema().names():
        return None
    raw = _rename(raw, mapping, spec, source)
    schema = raw.collect_schema()
    numeric_ids = {c for c in present if c in NUMERIC_IDS and schema[c].is_integer()}
    text = [c for c in present if c != "ts" and c not in numeric_ids]
    if ts is not None and not isinstance(schema.get("ts"), pl.Datetime):
        return None
    if any(not (schema[c] == pl.String or schema[c].is_integer()) for c in text):
        return None
    if name == "messages" and "content" in schema and schema["content"] != pl.String:
        return None

    # a cell the copy would change (then the copy is made), and a row it would reject
    dirty: list[pl.Expr] = []
    only = REJECT_ONLY.get(name, frozenset())  # (not in the frame: their text is as read)
    for c in text:
        # (not ``event``: a cell other than a known event, padded or in upper case too, is
        # counted with the rows to reject, and those rows are checked against the copy's
        # own reasons below — a row the copy would keep takes the copy — while a known
        # event is clean as it is: its strip at 10 M, 19.5 M cells, cost ~0.3 CPU-s)
        if schema[c] == pl.String and c not in only and not (c == "event" and spec.events):
            n = pl.col(c).str.len_bytes()
            dirty.append((n == 0) | (pl.col(c).str.strip_chars().str.len_bytes() != n))
            if c in ("msg_type", "role"):
                dirty.append(pl.col(c) != pl.col(c).str.to_lowercase())

    def rejected_by(time: pl.Expr | None) -> pl.Expr:
        rejects: list[pl.Expr] = [pl.col(c).is_null() for c in spec.ids]
        if time is not None:
            rejects.append(time.is_null())
        if spec.events:
            rejects.append(pl.col("event").is_in(list(spec.events)).not_().fill_null(True))
        return pl.any_horizontal(rejects)

    rejected_row = rejected_by(ts)
    # Each row's time, day, rejection and cleanliness made once, as columns, and the
    # aggregates taken of those: given as expressions inside each aggregate, the
    # time's conversion was made five times a row and the events' test twice (polars'
    # common-subexpression pass does not share them); at 10 M, 19.4 M engagement rows,
    # the pass alone, five alternating pairs, means 3.40 -> 2.57 CPU-s (benchmarks/README.md,
    # "report reading, session 16")
    day = None
    pre: list[pl.Expr] = []  # (the local time, made once a row: _annotate's _NAIVE)
    if ts is not None:
        day = naive.dt.date() if naive is not None else ts.dt.convert_time_zone(tz).dt.date()
        if naive is not None and ts_made is not None:
            pre, ts, day = [naive.alias(_NAIVE)], ts_made, pl.col(_NAIVE).dt.date()
    events = list(spec.events)
    per_row = [
        pl.any_horizontal(e.fill_null(False) for e in dirty or [pl.lit(False)]).alias("_dirty")
    ]
    aggs = [
        pl.len().alias("_rows"),
        pl.col("_dirty").sum().alias("_d"),
        pl.col("_bad").sum().alias("_rejected"),
    ]
    if ts is not None and day is not None:
        per_row += [ts.alias("_ts"), day.alias("_day")]
        t_ = pl.col("_ts")
        aggs += [t_.min().alias("_lo"), t_.max().alias("_hi"), pl.col("_day").max().alias("_last")]
    bad_row = rejected_by(None if ts is None else pl.col("_ts")).alias("_bad")
    aggs += [((pl.col("event") == e) & ~pl.col("_bad")).sum().alias(f"_event_{e}") for e in events]
    checks = raw.with_columns(pre).with_columns(per_row).with_columns(bad_row).select(aggs)
    got = early.row(checks) if early is not None else _checked(checks)
    if got[1] or got[2] > MAX_DIRECT_REJECTS:
        return None
    bad = pl.DataFrame(schema={"_row": pl.UInt32})
    if got[2]:  # (a second pass, for the numbers of the rows to reject)
        bad = raw.filter(rejected_row).select("_row").collect(engine="streaming")
    if ts is not None and off is not None and got[3] is not None:
        lo, hi = got[3], got[4]
        if fixed_offset(tz, lo.replace(tzinfo=None), hi.replace(tzinfo=None)) != off:
            return None
    # the rejected rows as the copy has them (its reasons, its text), for those rows only
    rejected = pl.DataFrame(schema=_rejected(expected, present).collect_schema())
    if bad.height:
        rows = bad["_row"].cast(pl.Int64)
        rejected = _rejected(
            expected.filter(pl.col("_row").is_in(rows.implode())), present
        ).collect(engine="streaming")
        if not rejected["_row"].sort().equals(rows.sort(), check_names=False):
            return None

    exprs: dict[str, pl.Expr] = {"_row": pl.col("_row").cast(pl.Int64)}
    for c in present:
        if c in only:
            continue
        e = pl.col(c) if schema[c] == pl.String or c in numeric_ids else pl.col(c).cast(pl.String)
        if c == "ts" and ts is not None:
            e = ts
        elif c in CODED:
            e = e.cast(ID)
        exprs[c] = e
    if day is not None:
        exprs["day"] = day
    if name == "messages" and "content" in schema:
        exprs[QUESTION_TEXT] = _question_text("reply_to" in present)
    named = tuple(e.alias(c) for c, e in exprs.items())
    view = _View(raw, named, rejected["_row"] if bad.height else None, pre)
    dups = _duplicate_rows(view.frame, spec, present, numeric_ids, int(got[0]))
    if dups.height:
        view = _View(raw, named, pl.concat([rejected["_row"], dups["_row"]]), pre)
    event_types = frozenset(
        e for e, n in zip(events, got[-len(events) :] if events else (), strict=True) if n
    )
    if dups.height and events:
        event_types = frozenset(view.frame.select(pl.col("event").unique()).collect()["event"])
    columns = tuple(c for c in exprs if c != "_row")
    td = TableData(
        name,
        source,
        view.frame,
        columns,
        int(got[0]),
        rejected,
        *_dup_counts(dups),
        event_types,
    )
    td._narrow = view
    td.last_day = got[5] if day is not None else None
    return td


class _View:
    """How a table read without a copy is read (:func:`_validate_direct`): ``frame`` and,
    for :meth:`TableData.where_in`, the same with a filter on the file's own cells."""

    def __init__(
        self,
        src: pl.LazyFrame,
        exprs: tuple[pl.Expr, ...],
        drop: pl.Series | None,
        pre: Sequence[pl.Expr] = (),
    ):
        self.src, self.exprs, self.drop, self.pre = src, exprs, drop, tuple(pre)
        self.coded = tuple(c for c in CODED if c in src.collect_schema().names())
        self.frame = self._read(src)

    def _read(self, src: pl.LazyFrame) -> pl.LazyFrame:
        # (``pre``: columns ``exprs`` read, made first: the local time, once a row)
        lf = (src.with_columns(self.pre) if self.pre else src).select(self.exprs)
        if self.drop is not None:  # (the rejected rows and the repeated ids)
            lf = lf.filter(~pl.col("_row").is_in(self.drop.implode()))
        return lf

    def scan(self, column: str, values: Sequence[str], nulls: bool) -> pl.LazyFrame:
        cond = pl.col(column).cast(pl.String).is_in(list(values))
        if nulls:
            cond = cond | pl.col(column).is_null()
        return self._read(self.src.filter(cond))


def _checked(checks: pl.LazyFrame) -> tuple[Any, ...]:
    """The one row of a table's checking pass (:func:`_validate_direct`)."""
    return checks.collect(engine="streaming").row(0)


class _Stop(Exception):
    """Ends an early pass's :func:`validate_table` once its checking pass is made."""


class _Early:
    """The checking pass of a table read without a copy (:func:`_validate_direct`), made in
    a thread while the tables before it are read (their typed copies keep about one core
    busy; the pass reads another file). The thread runs :func:`validate_table` as the table's
    turn will, up to that pass only: no categorical is made there (the copies make the
    codes of their ids in the tables' order, as without the thread), no error is raised
    there (the table's turn meets the same one again), and its row is taken only for the
    same query (the plans compared) on the same file (``path``'s inode, size and time of
    change compared: a file replaced while the tables before it are read is checked again)."""

    def __init__(self, run: Any, path: Path | None = None, tz: str | None = None) -> None:
        self._plan: str | None = None
        self._row: tuple[Any, ...] | None = None
        self._path = path
        # (the zone it was made with: polars' plan does not show the zone of
        # dt.replace_time_zone / dt.convert_time_zone, so two zones' plans can compare equal)
        self._tz = tz
        self._file = _file_id(path)  # (before the thread reads it)
        self._thread = threading.Thread(
            target=self._run, args=(run,), name="sqops-read-early", daemon=True
        )
        self._thread.start()

    def _run(self, run: Any) -> None:
        with contextlib.suppress(BaseException):  # (_Stop, or what the table's turn meets)
            run(self)

    def _here(self) -> bool:
        return threading.current_thread() is self._thread

    def row(self, checks: pl.LazyFrame) -> tuple[Any, ...]:
        """The pass's one row: made and kept in the thread (which stops there), taken at the
        table's turn."""
        if self._here():
            plan = checks.explain(optimized=False)
            self._row, self._plan = _checked(checks), plan
            raise _Stop
        self.join()
        same = self._plan == checks.explain(optimized=False) and self._file == _file_id(self._path)
        if self._row is not None and same:
            return self._row
        return _checked(checks)

    def stop(self) -> None:
        """In the thread: the table takes the copy (made at its turn), nothing more here."""
        if self._here():
            raise _Stop

    def join(self) -> None:
        self._thread.join()


def _file_id(path: Path | None) -> tuple[int, ...] | None:
    """``path``'s inode, size and time of last change (None: no path, or unreadable)."""
    if path is None:
        return None
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


#: tables read before the checking passes of those read without a copy start
EARLY_AFTER = 1


def _start_early(
    files: Mapping[str, Path],
    tz: str,
    columns: Mapping[str, Mapping[str, str]] | None,
    encoding: str | None,
    nxt: str,
    started: Collection[str] = (),
) -> dict[str, _Early]:
    """The checking passes of the tables read without a copy (:data:`DIRECT`, from Parquet
    files), each started in a thread (:class:`_Early`); none for ``nxt``, the table read
    next, nor for those ``started`` already (:func:`start_early`)."""
    out: dict[str, _Early] = {}
    for name in DIRECT:
        p = files.get(name)
        if p is None or name == nxt or p.is_dir() or EXTENSIONS.get(p.suffix.lower()) != "parquet":
            continue
        if name in started:
            continue

        def run(early: _Early, name: str = name, p: Path = p) -> None:
            lf = _read_source(p, "parquet", encoding)
            mapping = (columns or {}).get(name)
            validate_table(name, lf, display_path(p), tz, mapping, None, p, early)

        out[name] = _Early(run, p, tz)
    return out


def start_early(folder: Path, tz: str, max_bytes: int) -> dict[str, _Early]:
    """The checking passes of ``folder``'s tables read without a copy (:func:`_start_early`),
    started before the run knows its settings: ``tz`` guessed, no column maps. A pass is
    given to :func:`read_tables` (``started``), which takes its row only for the same query
    on the same file (:meth:`_Early.row`: else the table's turn makes the pass again). Only
    Parquet files of at most ``max_bytes``; none when the folder cannot be read (the run
    meets the error again)."""
    try:
        files = _find_in_folder(folder)
        small = {
            k: p
            for k, p in files.items()
            if k in DIRECT and p.is_file() and p.stat().st_size <= max_bytes
        }
    except (SqopsError, OSError):
        return {}
    return _start_early(small, tz, None, None, "")


def _some_valid(td: TableData) -> TableData:
    """``td``, or the error that it has no valid row."""
    name, rows_read, rejected, source = td.name, td.rows_read, td.rejected, td.source
    if td.valid_rows == 0:
        raise DataError(
            T(
                "表 {t} 没有一行有效数据（共 {n} 行，被拒 {r} 行）",
                "table {t} has no valid row ({n} read, {r} rejected)",
            ).format(t=name, n=rows_read, r=rejected.height)
            + _top_reasons(td),
            Location(file=source),
        )
    return td


#: keys sorted at once by the duplicate check (8 bytes each): a table with more rows is
#: checked in hash slices of about this many, one scan of its id column each, so that the
#: check's memory does not grow with the table (issue #23, item 3)
KEY_SLICE_ROWS = 25_000_000


def repeated_keys(
    ids: pl.LazyFrame, key: pl.Expr, rows: int, slice_rows: int | None = None
) -> pl.Series:
    """The values of ``key`` (64-bit) that occur more than once among ``ids``' rows, found by
    sorting them; ``rows`` (an upper bound of ``ids``' rows) over ``slice_rows`` at once:
    in slices by a hash of the key (every repeat of a key falls in its slice)."""
    per = KEY_SLICE_ROWS if slice_rows is None else slice_rows
    slices = max(1, -(-rows // max(per, 1)))
    found = []
    for j in range(slices):
        q = ids.select(key.alias("_h"))
        if slices > 1:
            q = q.filter(pl.col("_h").hash(seed=0) % slices == j)
        keys = q.collect()["_h"].sort()
        found.append(keys.filter(keys == keys.shift(1)).unique())
        del keys
    return found[0] if slices == 1 else pl.concat(found)


def _rejected(base: pl.LazyFrame, present: list[str]) -> pl.LazyFrame:
    """The rejected rows of an annotated table (:func:`_annotate`): ``_row``, ``_reason``,
    then the columns as read."""
    orig = base.collect_schema().names()
    return base.filter(pl.col("_reason").is_not_null()).select(
        "_row",
        "_reason",
        *[pl.col(f"_orig_{c}").alias(c) if f"_orig_{c}" in orig else pl.col(c) for c in present],
    )


def _duplicate_rows(
    valid: pl.LazyFrame, spec: TableDef, present: list[str], numeric_ids: set[str], rows: int
) -> pl.DataFrame:
    """``_row`` of every row whose id (``spec.id_column``) an earlier row has, by row
    (``rows``: an upper bound of ``valid``'s rows, for :func:`repeated_keys`' slices)."""
    dups = pl.DataFrame(schema={"_row": pl.Int64})
    if not (spec.id_column and spec.id_column in present):
        return dups
    idc = spec.id_column
    # Ids seen twice, in two steps: the 64-bit keys (an integer id itself, else the hash
    # of the text) that occur more than once, found by sorting the keys (8 bytes a row;
    # about twice as fast as counting them in a hash table), then the exact check on the
    # rows with those keys only (every row of a repeated id is among them; a hash
    # collision is not a duplicate, since the ids themselves are compared).
    ids = valid.filter(pl.col(idc).is_not_null())
    h = pl.col(idc) if idc in numeric_ids else pl.col(idc).hash()
    twice = repeated_keys(ids, h, rows)
    if twice.len():
        dups = (
            ids.filter(h.is_in(twice.implode()))
            .select("_row", idc)
            .collect()
            .sort("_row")
            .filter(~pl.col(idc).is_first_distinct())
            .select("_row")
        )
    return dups


def _dup_counts(dups: pl.DataFrame) -> tuple[int, list[int]]:
    """How many duplicate rows, and the first five of them."""
    return dups.height, [int(r) for r in dups["_row"].sort().head(5).to_list()]


#: the column whose value an error quotes for a reason (what was wrong with the row)
_REASON_COLUMN = {"bad_time": "ts", "bad_amount": "amount", "negative_amount": "amount"}


def _top_reasons(td: TableData, top: int = 3) -> T:
    """'': the (at most ``top``) most frequent reasons rows were rejected, each with its
    count, first rows and, where it says what was wrong, the first row's value."""
    counts = sorted(td.reject_counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    if not counts:
        return T("", "")
    firsts = td.first_rejected_rows(3)
    zh, en = [], []
    for reason, n in counts:
        rows = ", ".join(str(r) for r in firsts.get(reason, []))
        col = _REASON_COLUMN.get(reason)
        value = ""
        if col is not None and col in td.rejected.columns:
            first = td.rejected.filter(pl.col("_reason") == reason)[col].head(1).to_list()
            if first and first[0] is not None:
                value = clip(str(first[0]), 60)
        zh.append(
            f"{REASONS[reason].zh} {n} 行（第 {rows} 行"
            + (f"，如 “{value}”" if value else "")
            + "）"
        )
        en.append(
            f"{REASONS[reason].en}: {n} (rows {rows}" + (f", e.g. '{value}'" if value else "") + ")"
        )
    return T("：" + "；".join(zh), ": " + "; ".join(en))


# ---------------------------------------------------------------- entry points
def _find_in_folder(folder: Path) -> dict[str, Path]:
    found: dict[str, Path] = {}
    if not folder.is_dir():
        raise UsageError(
            T("找不到数据文件夹 {p}", "no such data folder: {p}").format(p=display_path(folder)),
            Location(file=display_path(folder)),
        )
    for p in sorted(folder.iterdir()):
        if p.is_dir() and p.name.lower() in TABLE and partition_files(p):
            stem = p.name.lower()  # (a table partitioned by group: TABLE/group_id=…/*.parquet)
        elif not p.is_file() or p.suffix.lower() not in EXTENSIONS:
            continue
        else:
            stem = p.name[: -len(p.suffix)].lower()
        if stem in TABLE:
            if stem in found:
                raise UsageError(
                    T(
                        "表 {t} 有两个文件：{a} 和 {b}；请只保留一个",
                        "two files for table {t}: {a} and {b}; keep one",
                    ).format(t=stem, a=display_path(found[stem]), b=display_path(p)),
                    Location(file=display_path(p)),
                )
            found[stem] = p
    return found


def read_tables(
    data: str | Path | None = None,
    paths: Mapping[str, str | Path] | None = None,
    *,
    tz: str = "Asia/Shanghai",
    columns: Mapping[str, Mapping[str, str]] | None = None,
    encoding: str | None = None,
    hold: int | None = None,
    hold_from: int = 0,
    started: Mapping[str, _Early] | None = None,
) -> Tables:
    """Read and validate the tables of a folder ``data`` and/or explicit ``paths`` (which win).

    ``columns`` maps, per table, canonical names to the names in the files. ``messages`` is
    required. Raises :class:`DataError`/:class:`InputError`/:class:`UsageError`.

    ``hold``: the bytes the typed copies may take in memory (:func:`held_budget`; None: that
    of the default memory limit, half this machine's RAM; 0: every copy on disk). A table
    whose estimated copy fits what is left of it is held in memory, the others are written
    to a temporary folder (:func:`validate_table`).

    ``hold_from``: the messages' rows (estimated as for ``hold``) from which their copy is
    held; fewer, and it is written to disk, the other tables' still held as they fit
    (:data:`HOLD_FROM_ROWS`, what the report gives: below it holding the messages saves
    little and raises the peak).

    ``started``: checking passes begun before the run's settings were known
    (:func:`start_early`); each is taken for its table when it reads the same file.
    """
    files: dict[str, Path] = {}
    if data is not None:
        d = Path(data)
        if d.is_file():
            files["messages"] = d
        else:
            files.update(_find_in_folder(d))
    for name, p in (paths or {}).items():
        if name not in TABLE:
            raise UsageError(T("未知的表：{t}", "unknown table: {t}").format(t=name))
        pp = Path(p)
        if not pp.is_file():
            raise UsageError(
                T("找不到文件 {p}", "no such file: {p}").format(p=display_path(pp)),
                Location(file=display_path(pp)),
            )
        files[name] = pp
    if "messages" not in files:
        where = display_path(data) if data is not None else None
        raise DataError(
            T(
                "缺少 messages 表（messages.csv / .tsv / .parquet / .jsonl / .xlsx，或 --messages 路径）",
                "the messages table is missing (messages.csv / .tsv / .parquet / .jsonl / .xlsx, or --messages PATH)",
            ),
            Location(file=where),
        )
    for p in files.values():
        if EXTENSIONS.get(p.suffix.lower()) is None and not p.is_dir():
            raise UsageError(
                T(
                    "不支持的文件类型：{p}（可用 csv、tsv、parquet、jsonl、xlsx）",
                    "unsupported file type: {p} (use csv, tsv, parquet, jsonl, xlsx)",
                ).format(p=display_path(p)),
                Location(file=display_path(p)),
            )
    # (a pass begun with another zone is not taken: its plan may read the same, sqops.early)
    early = {k: e for k, e in (started or {}).items() if e._path == files.get(k) and e._tz == tz}
    # (on an error the passes are not waited for: each reads its table's own file, never the
    # copies the error removes, and ends on its own; a daemon thread, as the run may end)
    budget = [held_budget(None) if hold is None else hold]
    tables = _read_all(files, tz, columns, encoding, early, budget, hold_from)
    for e in early.values():
        e.join()  # (no thread reads a file once the tables are given)
    return tables


def _read_all(
    files: Mapping[str, Path],
    tz: str,
    columns: Mapping[str, Mapping[str, str]] | None,
    encoding: str | None,
    early: dict[str, _Early],
    budget: list[int] | None = None,
    hold_from: int = 0,
) -> Tables:
    """:func:`read_tables`' tables, one after another in the order of :data:`TABLE`; the
    checking passes of the tables read without a copy started into ``early`` once the first
    table (the messages) is read: beside its copy they would add their memory to the
    largest copy's (1 M messages: ~80 MB more at that point). The held copies' tests of
    their codes' texts shared (:class:`_Tested`)."""
    with _Spill() as spill, _codes_tested():
        tables: dict[str, TableData] = {}
        for name in TABLE:
            if name not in files:
                continue
            if len(tables) == EARLY_AFTER:
                early.update(_start_early(files, tz, columns, encoding, name, early.keys()))
            p = files[name]
            kind = "partitioned" if p.is_dir() else EXTENSIONS[p.suffix.lower()]
            lf = _read_source(p, kind, encoding)
            mapping = (columns or {}).get(name)
            try:
                direct = p if kind == "parquet" else None
                hold = _hold(name, p, kind, budget, hold_from)
                tables[name] = validate_table(
                    name,
                    lf,
                    display_path(p),
                    tz,
                    mapping,
                    spill.path,
                    direct,
                    early.get(name),
                    hold,
                )
            except pl.exceptions.ComputeError as exc:
                if not (encoding is None and kind in ("csv", "tsv") and _not_utf8(exc)):
                    raise _read_error(display_path(p), exc, p, kind, encoding or "") from None
                # not UTF-8: which encoding it is (GB18030, or a clear error), then again
                enc = detect_encoding(p)
                lf = _read_source(p, kind, enc)
                tables[name] = _validate_reading(
                    name, lf, display_path(p), tz, mapping, spill.path, path=p, kind=kind, enc=enc
                )
            except pl.exceptions.PolarsError as exc:
                raise _read_error(display_path(p), exc, p, kind, encoding or "") from None
        return spill.keep(Tables(tables, tz))


#: the bytes a row of a typed copy held in memory is given (:class:`_Held`; the bench
#: messages take ~37, members ~31: ``estimated_size``; benchmarks/README.md, "typed copies
#: held in memory"); a copy that takes more (long question texts) goes to disk as it is made
HELD_ROW_BYTES = 64
#: the share of the memory limit the copies held in memory may take: the report's own work
#: (~1 GB at 10 M messages) and the adherence section beside it need the rest
HELD_SHARE = 8
#: tables whose typed copy is held in memory when it fits (the others always on disk)
HELD = frozenset({"messages", "members", "staff", "posts", "coupons"})
#: bytes of a text file (CSV, JSON Lines...) per row, at least, to estimate its rows
TEXT_ROW_BYTES = 40
#: the messages' rows from which ``sqops report`` holds the messages' copy in memory
#: (``read_tables(hold_from=…)``): at 1 M messages holding the copies saved ~0.2 CPU-s of
#: ~3.4 but raised the run's peak by 50–65 MB, above the DuckDB reference's (438 MB); at
#: 10 M it saves ~1.5–2 CPU-s and the peak stays ~1.4 GB under the reference's
#: (benchmarks/README.md, "report reading, session 14"). Below it the other tables' copies
#: are still held (1 M: members, posts, coupons, staff, ~10 MB: ~0.05 CPU-s less reading;
#: "report fixed costs, session 19")
HOLD_FROM_ROWS = 2_000_000
#: below :data:`HOLD_FROM_ROWS` messages, the bytes the other tables' copies may hold (1 M:
#: members, posts, coupons, staff estimated ~19 MB); more stays on disk, as every copy did
#: before (50 k messages beside 3 M members held them all: peak 873-917 -> 1,013-1,091 MB)
HELD_BELOW_BYTES = 32 << 20


def held_budget(limit: int | None) -> int:
    """The bytes the typed copies may take in memory under a memory limit (None: the
    default limit, half this machine's RAM)."""
    from sqops.data.runtime import memory_limit_bytes

    return (memory_limit_bytes(None) if limit is None else limit) // HELD_SHARE


#: the bytes of a text file's start whose lines estimate its rows (:func:`_text_rows`)
TEXT_SAMPLE_BYTES = 1 << 20


def _text_rows(path: Path, kind: str) -> int:
    """A text file's rows, estimated from the lines in its first :data:`TEXT_SAMPLE_BYTES`
    (all of them: its lines, exactly): its bytes × those lines ÷ those bytes (a CSV of the
    skincare example's ~92 bytes a row: not the ~2.3× as many rows that
    :data:`TEXT_ROW_BYTES`, the budget's upper bound, gives). A sample without a line end
    (an Excel file, one long line): the file's bytes over :data:`TEXT_ROW_BYTES`."""
    size = path.stat().st_size
    if kind != "excel":
        with path.open("rb") as f:
            head = f.read(TEXT_SAMPLE_BYTES)
        lines = head.count(b"\n")
        if len(head) >= size:
            return lines + (1 if head and not head.endswith(b"\n") else 0)
        if lines:
            return size * lines // len(head) + 1
    return size // TEXT_ROW_BYTES + 1


def _hold(name: str, path: Path, kind: str, budget: list[int] | None, hold_from: int = 0) -> int:
    """The bytes ``name``'s typed copy may hold in memory (0: it is written to disk): its
    estimated bytes (rows × :data:`HELD_ROW_BYTES`) when they are within what is left of
    ``budget`` (which it then takes); a copy that proves larger while it is made goes to
    disk after all (:meth:`_Held.make`: long question texts are held whole). A table
    that does not fit ends the budget: the data is large for the limit (a partitioned run
    may follow, whose buckets read the copies on disk), so the tables after it go to disk
    too, as before copies were held. Messages of fewer rows than ``hold_from`` go to disk
    (a text file's rows estimated from its lines, :func:`_text_rows`), the budget left to
    the other tables; messages whose rows are not counted (a partitioned folder, a count
    that fails) when ``hold_from`` is given end it: every copy then goes to disk."""
    if budget is None or name not in HELD or budget[0] <= 0:
        return 0
    # messages not counted (a partitioned folder, a count that fails) with ``hold_from``:
    # fewer than it cannot be ruled out, so the budget ends (every copy on disk)
    uncounted = name == "messages" and hold_from > 0
    if kind == "partitioned":
        if uncounted:
            budget[0] = 0
        return 0
    try:
        if kind == "parquet":
            rows = many = int(pl.scan_parquet(path).select(pl.len()).collect().item())
        else:
            rows = path.stat().st_size // TEXT_ROW_BYTES + 1
            many = _text_rows(path, kind) if name == "messages" and hold_from > 0 else rows
    except (pl.exceptions.PolarsError, OSError):
        if uncounted:
            budget[0] = 0
        return 0
    if name == "messages" and many < hold_from:
        # (the messages' copy on disk; the others held as they fit in a few MB: a small
        # messages table beside a large members table would otherwise hold all of it)
        budget[0] = min(budget[0], HELD_BELOW_BYTES)
        return 0
    need = int(rows) * HELD_ROW_BYTES
    if need > budget[0]:
        budget[0] = 0
        return 0
    budget[0] -= need
    return need


class _Holder:
    """Kept by every table that reads from a spill folder; its end removes the folder."""


class _Spill:
    """A private temporary folder for the typed Parquet copies of the tables.

    It lives as long as the :class:`Tables` that reads from it (removed when that object is
    garbage-collected, or at exit), and is removed at once if reading fails.
    """

    def __init__(self) -> None:
        self.path = Path(tempfile.mkdtemp(prefix="sqops-report-"))
        self._kept = False
        # registered at once, so that the run's end removes it even if the ``with`` block's
        # own removal is interrupted
        self._unkept = weakref.finalize(self, spills.remove_tree, self.path)
        spills.register(self._unkept)

    def __enter__(self) -> _Spill:
        return self

    def keep(self, tables: Tables) -> Tables:
        """Remove the folder when neither ``tables`` nor any of its tables is referenced."""
        holder = _Holder()
        spills.register(weakref.finalize(holder, spills.remove_tree, self.path))
        tables._spill = holder
        for td in tables.tables.values():
            td._spill = holder
        self._kept = True
        self._unkept.detach()
        return tables

    def __exit__(self, *exc: object) -> None:
        if not self._kept:
            self._unkept()


def _validate_reading(
    name: str,
    lf: pl.LazyFrame,
    source: str,
    tz: str,
    mapping: Mapping[str, str] | None,
    spill: Path | None = None,
    *,
    path: Path | None = None,
    kind: str = "",
    enc: str = "",
) -> TableData:
    """:func:`validate_table`, a polars error while reading as :func:`_read_error` says it."""
    try:
        return validate_table(name, lf, source, tz, mapping, spill)
    except pl.exceptions.PolarsError as exc:
        raise _read_error(source, exc, path, kind, enc) from None


def _read_error(
    source: str, exc: Exception, path: Path | None = None, kind: str = "", enc: str = ""
) -> InputError:
    """What went wrong reading ``source``: a ragged CSV row or a broken JSON Lines line is
    found again (a second pass, on this error path only) to name its row / line."""
    if path is not None and kind in ("csv", "tsv") and "more fields" in str(exc):
        found = _ragged_row(path, "\t" if kind == "tsv" else ",", enc or "utf-8")
        if found is not None:
            line, row, n, h = found
            return InputError(
                T(
                    "第 {r} 行数据（文件第 {l} 行）有 {n} 个单元格，多于表头的 {h} 列",
                    "data row {r} (line {l}) has {n} cells, more than the header's {h}",
                ).format(r=row, l=line, n=n, h=h),
                Location(file=source, line=line, row=row),
            )
    if path is not None and kind == "ndjson":
        bad = _broken_json_line(path)
        if bad is not None:
            line, why = bad
            return InputError(
                T(
                    "第 {l} 行不是有效的 JSON：{e}",
                    "line {l} is not valid JSON: {e}",
                ).format(l=line, e=clip(why)),
                Location(file=source, line=line),
            )
    return InputError(
        T("无法读取 {p}：{e}", "cannot read {p}: {e}").format(p=source, e=what_failed(exc)),
        Location(file=source),
    )


def _ragged_row(path: Path, sep: str, enc: str) -> tuple[int, int, int, int] | None:
    """(line, data row, cells, header cells) of the first row with more cells than the header."""
    import csv

    try:
        with path.open(encoding=enc, newline="", errors="replace") as fh:
            reader = csv.reader(fh, delimiter=sep)
            header: list[str] | None = None
            row = 0
            last = 0
            for cells in reader:
                start, last = last + 1, reader.line_num
                if header is None:
                    header = cells
                    continue
                row += 1
                if len(cells) > len(header):
                    return start, row, len(cells), len(header)
    except (csv.Error, OSError, ValueError):
        return None
    return None


def _broken_json_line(path: Path) -> tuple[int, str] | None:
    """(line, why) of the first line of a JSON Lines file that is not a JSON object."""
    import orjson

    try:
        with path.open("rb") as fh:
            for i, raw in enumerate(fh, 1):
                if not raw.strip():
                    continue
                try:
                    value = orjson.loads(raw)
                except orjson.JSONDecodeError as exc:
                    return i, str(exc)
                if not isinstance(value, dict):
                    return i, "not an object {…}"
    except OSError:
        return None
    return None


def _not_utf8(exc: Exception) -> bool:
    return "utf-8" in str(exc).lower() or "utf8" in str(exc).lower()


def prepare_tables(
    frames: Mapping[str, pl.LazyFrame | pl.DataFrame],
    *,
    tz: str = "Asia/Shanghai",
    columns: Mapping[str, Mapping[str, str]] | None = None,
) -> Tables:
    """Validate in-memory frames (e.g. from an importer) exactly as files are validated."""
    if "messages" not in frames:
        raise DataError(T("缺少 messages 表", "the messages table is missing"))
    unknown = sorted(set(frames) - set(TABLE))
    if unknown:
        raise UsageError(T("未知的表：{t}", "unknown table: {t}").format(t=", ".join(unknown)))
    with _Spill() as spill:
        tables: dict[str, TableData] = {}
        for name in TABLE:
            if name not in frames:
                continue
            f = frames[name]
            lf = f.lazy() if isinstance(f, pl.DataFrame) else f
            lf = _all_text(lf, lf.collect_schema())
            mapping = (columns or {}).get(name)
            tables[name] = _validate_reading(name, lf, f"<{name}>", tz, mapping, spill.path)
        return spill.keep(Tables(tables, tz))
