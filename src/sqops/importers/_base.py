"""What every importer shares: decoding, CSV/JSON reading with positions, time parsing,
stable member ids, and the :class:`Context` that collects canonical rows and problems.

An importer reads one file into a :class:`Context`; :meth:`Context.finish` turns what was
collected into polars frames (deduplicated, deterministically sorted). Nothing here prints,
exits, or reads the clock or the locale.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

import polars as pl

from sqops.data.columns import column_twice
from sqops.data.decode import decode_bytes, what_failed
from sqops.data.scalars import clean_name, parse_amount, parse_ts, ts_text
from sqops.data.xlsxsafe import check_xlsx
from sqops.domain.tables import IMPORTED_TABLES, MEMBER_EVENTS, MSG_TYPES, ORDER_STATUSES, TABLE
from sqops.errors import InputError, Location, Problem, display_path
from sqops.errors import read_bytes as _read_bytes
from sqops.i18n import T

#: what the importers say about a row they skip (one wording for every format)
BAD_TIME = T("无法读取时间 “{v}”", "cannot read the time '{v}'")
JSON_SYNTAX = T("JSON 语法错误：{m}", "JSON syntax error: {m}")
NOT_A_MESSAGE = T("不是消息对象", "not a message object")

#: member id of the account that made the export ("你" / "You" in notices)
SELF_ID = "self"
#: how notices name the exporting account
SELF_NAMES = ("你", "您", "You", "you")
#: member id of system notices (join/leave lines, "messages are encrypted", ...)
SYSTEM_ID = "system"

MAX_BYTES = 1 << 30  # 1 GiB: far above any chat export; protects against a wrong path

_SPACES = re.compile(r"[\s\u00a0\u202f\u2007\u3000]+")
_PHONE = re.compile(r"^\+?[\d\s\-()]{7,}$")
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


def load_json(text: str, display: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            JSON_SYNTAX.format(m=exc.msg),
            Location(file=display, line=exc.lineno, col=exc.colno),
        ) from None
    except RecursionError:
        raise InputError(
            T("JSON 嵌套过深", "JSON is nested too deeply"), Location(file=display)
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
    return CsvTable(header, header_line, rows, display)


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


# --------------------------------------------------------------------------- amounts

# --------------------------------------------------------------------------- the context


@dataclass
class ImportResult:
    """What an import produced: canonical tables, what could not be read, and counts."""

    tables: dict[str, pl.DataFrame]
    problems: list[Problem]
    counts: dict[str, int]


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

    # ---- the end
    def resolve(self, group_id: str, name: str) -> str:
        """A name → the member id: the one id shown with that name in the group, else derived."""
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

    def _name_the_exporter(self, name: str) -> None:
        """``--self-name``: the exporter's rows ("you", ``self``) get the id their name has."""
        ids: dict[str, str] = {}

        def id_in(g: str) -> str:
            if g not in ids:
                n = norm_name(name)
                known = self.aliases.get(g, {}).get(n, set()) - {SELF_ID}
                ids[g] = next(iter(known)) if len(known) == 1 else name_id(n)
            return ids[g]

        g_at, m_at = MSG_AT["group_id"], MSG_AT["member_id"]
        self.rows["messages"] = [
            (*r[:m_at], id_in(r[g_at]), *r[m_at + 1 :]) if r[m_at] == SELF_ID else r
            for r in self.rows["messages"]
        ]
        for r in self.rows["members"]:
            for c in ("member_id", "inviter_id"):
                if r[c] == SELF_ID:
                    r[c] = id_in(r["group_id"])

    def _messages_frame(
        self, rows: list[tuple[Any, ...]], required: tuple[str, ...], optional: tuple[str, ...]
    ) -> pl.DataFrame:
        rows = _dedupe_messages(rows, self, several_files=self.file_no > 0)
        g_at = MSG_AT["group_id"]
        rows.sort(key=lambda r: (r[g_at], r[0], r[1]))
        columns = dict(zip(MSG_FIELDS, zip(*rows, strict=True), strict=True))
        cols = list(required) + [c for c in optional if any(v is not None for v in columns[c])]
        self.counts["messages"] = len(rows)
        return pl.DataFrame(
            {c: list(columns[c]) for c in cols}, schema=dict.fromkeys(cols, pl.String)
        )

    def finish(self) -> ImportResult:
        for p in self.pending:
            g = p.row["group_id"]
            if p.member_name is not None:
                p.row["member_id"] = self.resolve(g, p.member_name)
                if p.member_name in SELF_NAMES:
                    p.row["member_name"] = None
            if p.inviter_name is not None:
                p.row["inviter_id"] = self.resolve(g, p.inviter_name)
        self.pending.clear()
        if self.self_name:
            self._name_the_exporter(self.self_name)
        tables: dict[str, pl.DataFrame] = {}
        for name in IMPORTED_TABLES:
            required, optional = TABLE[name].required, TABLE[name].optional
            rows = self.rows[name]
            if not rows:
                continue
            if name == "messages":
                tables[name] = self._messages_frame(rows, required, optional)
                self.rows[name] = []
                continue
            rows = _dedupe(name, rows, self)
            rows.sort(key=_sort_key(name))
            cols = list(required) + [c for c in optional if any(r[c] is not None for r in rows)]
            schema = {c: (pl.Float64 if c == "amount" else pl.String) for c in cols}
            tables[name] = pl.DataFrame({c: [r[c] for r in rows] for c in cols}, schema=schema)
            self.counts[name] = len(rows)
        self.counts.setdefault("skipped", 0)
        return ImportResult(tables, list(self.problems), dict(sorted(self.counts.items())))


#: the fields of a message row tuple, and their positions
MSG_FIELDS = (
    "_t", "_s", "_f", "ts", "group_id", "member_id", "msg_id", "member_name", "msg_type",
    "content", "reply_to", "role", "group_name",
)  # fmt: skip
MSG_AT = {f: i for i, f in enumerate(MSG_FIELDS)}


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


def _dedupe_messages(
    rows: list[tuple[Any, ...]], ctx: Context, *, several_files: bool
) -> list[tuple[Any, ...]]:
    """Messages the exports hold twice: the same msg_id in a group; for messages without ids
    (QQ, WhatsApp, chatlog CSV), identical rows coming from two files (overlapping exports) —
    never inside one file, where two "ok" in a minute are two messages."""
    t, f, g, m, i, ty, c = (
        MSG_AT[k] for k in ("_t", "_f", "group_id", "member_id", "msg_id", "msg_type", "content")
    )
    seen: set[tuple[Any, ...]] = set()
    kept: dict[tuple[Any, ...], int] = {}
    per_file: dict[tuple[Any, ...], int] = {}
    out: list[tuple[Any, ...]] = []
    for r in rows:
        if r[i]:
            key = (r[g], r[i])
            if key in seen:
                ctx.count("duplicate_messages")
                continue
            seen.add(key)
        elif several_files:
            k = (r[g], r[t], r[m], r[ty], r[c])
            n = per_file[(*k, r[f])] = per_file.get((*k, r[f]), 0) + 1
            if n <= kept.get(k, 0):
                ctx.count("duplicate_messages")
                continue
            kept[k] = n
        out.append(r)
    return out


def _sort_key(table: str):
    if table == "members":
        return lambda r: (r["group_id"], r["_t"], r["_s"])
    if table == "orders":
        return lambda r: (r["_t"], r["order_id"])
    return lambda r: (r["member_id"],)


def _dedupe(table: str, rows: list[dict[str, Any]], ctx: Context) -> list[dict[str, Any]]:
    """Drop rows the exports hold twice (overlapping exports): the same order_id, the same
    member event at the same instant, the same staff id. Counted as ``duplicate_<table>``."""
    seen: set[tuple[Any, ...]] = set()
    out: list[dict[str, Any]] = []
    for r in rows:
        key: tuple[Any, ...]
        if table == "members":
            key = (r["group_id"], r["_t"], r["member_id"], r["event"])
        elif table == "orders":
            key = (r["order_id"],)
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


def iter_items(value: Any) -> Iterator[tuple[int, Any]]:
    """(index, item) over a JSON list; nothing for other values."""
    if isinstance(value, list):
        yield from enumerate(value)


def show(path: Path) -> str:
    return display_path(path)
