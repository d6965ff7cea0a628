"""Vectorised reading of the text exports (WhatsApp, QQ): lines in polars frames, read in
byte blocks cut at line starts (bounded memory, no 1 GiB cap), and the pieces their readers
share. What the Python readers did per line is done here per column, with the same results:

* :func:`blocks`: the file's lines as frames ``n`` (1-based line number), ``raw`` — split on
  CR/LF exactly as :func:`~sqops.importers._base.split_lines`, decoded by the one decoding
  policy (a file that is not plain UTF-8 is read whole by :func:`read_text`, as before);
* :func:`clean_column`: :func:`sqops.data.scalars.clean` of every line (lines the fast form
  could read differently — characters NFC may change — are cleaned in Python);
* :data:`WS`, :data:`PY_SPACE`: Python's ``\\s`` and ``str.strip()`` whitespace in polars;
* :func:`local_times`: ``_instant`` and ``ts_text`` of naive local times, with the offsets
  taken from the zone per calendar day in Python (a day on which the offset changes, a local
  mean time offset or a year before 1000 is left to the Python reader: ``ok`` false);
* :class:`Capture`: the Python reader's messages as frame rows, to go with the fast ones
  into :meth:`~sqops.importers._base.Context.add_messages`.
"""

from __future__ import annotations

import functools
import stat
import unicodedata
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import polars as pl

from sqops.data.scalars import clean, ts_text
from sqops.importers._base import (
    Context,
    _instant,
    norm_name,
    read_text,
    split_lines,
)

#: Python's ``\s`` (``str.isspace``) as a regex class: the regex crate's ``\s`` lacks U+001C–1F
WS = r"[\s\x1c-\x1f]"
#: the characters ``str.strip()`` removes
PY_SPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())
_INVISIBLE = "[\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
_SPACES = "[\u00a0\u202f\u2007]"

#: bytes per block (a block ends at a line end; a longer line makes a longer block)
BLOCK = 64 << 20

_UTF8_BOM = b"\xef\xbb\xbf"


@functools.lru_cache(maxsize=1)
def _nfc_class() -> str:
    """A regex class of the characters after which a text may not be in NFC: combining ones,
    characters NFC replaces, and those that compose with the one before (Hangul jamo too).
    A line without any is NFC already (the quick check says yes), so the fast clean is exact."""
    found: set[int] = set(range(0x1161, 0x1176)) | set(range(0x11A8, 0x11C3))
    for i in range(0x30000):
        c = chr(i)
        d = unicodedata.decomposition(c)
        if unicodedata.combining(c) or (d and unicodedata.normalize("NFC", c) != c):
            found.add(i)
        if d and not d.startswith("<"):
            parts = d.split()
            if len(parts) == 2:
                pair = chr(int(parts[0], 16)) + chr(int(parts[1], 16))
                if unicodedata.normalize("NFC", pair) == c:
                    found.add(int(parts[1], 16))
    ranges: list[list[int]] = []
    for i in sorted(found):
        if ranges and ranges[-1][1] == i - 1:
            ranges[-1][1] = i
        else:
            ranges.append([i, i])
    return "[" + "".join(rf"\x{{{a:x}}}-\x{{{b:x}}}" for a, b in ranges) + "]"


def clean_column(raw: pl.Series) -> pl.Series:
    """:func:`clean` of each line (same strings)."""
    if not raw.str.contains(r"[^\x00-\x7f]").any():
        return raw
    out = raw.clone()
    marked = raw.str.contains(_INVISIBLE + "|" + _SPACES)
    if marked.any():
        at = marked.arg_true()
        fixed = raw.gather(at).str.replace_all(_INVISIBLE, "").str.replace_all(_SPACES, " ")
        out = out.scatter(at, fixed)
    risky = raw.str.contains(_nfc_class())
    if risky.any():
        at = risky.arg_true()
        out = out.scatter(at, [clean(x) for x in raw.gather(at).to_list()])
    return out


def _frame(data: bytes, first: int) -> pl.DataFrame:
    """The lines of ``data`` (UTF-8, no CR) numbered from ``first``."""
    if not data:
        return pl.DataFrame({"n": [], "raw": []}, schema={"n": pl.Int64, "raw": pl.String})
    df = pl.read_csv(
        data,
        has_header=False,
        separator="\x00",
        quote_char=None,
        new_columns=["raw"],
        infer_schema=False,
        raise_if_empty=False,
    )
    if df.width != 1:
        raise ValueError("not one column")
    return df.select(
        pl.int_range(first, first + df.height, dtype=pl.Int64).alias("n"),
        pl.col("raw").fill_null(""),
    )


class Lines:
    """A text export's lines, block by block (see :func:`blocks`)."""

    def __init__(self, path: Path, display: str, block: int | None = None) -> None:
        self.path, self.display, self.block = path, display, block or BLOCK
        self._fallback: pl.DataFrame | None = None
        self._single: pl.DataFrame | None = None
        self._checked = False

    def _raw_blocks(self) -> Iterator[bytes]:
        with self.path.open("rb") as fh:
            head = fh.read(self.block)
            rest = b""
            first = True
            while head or rest:
                data = rest + head
                if first:
                    first = False
                    for _ in range(2):  # a UTF-8 BOM (and a second one, as decode_bytes drops)
                        if data.startswith(_UTF8_BOM):
                            data = data[3:]
                nxt = fh.read(self.block)
                if nxt:
                    cut = data.rfind(b"\n") + 1
                    if cut == 0:  # one line longer than a block: read on
                        rest, head = data, nxt
                        continue
                    data, rest = data[:cut], data[cut:]
                else:
                    rest = b""
                head = nxt
                if b"\r" in data:
                    data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
                yield data

    def check(self) -> None:
        """Read every block once (a file that is not plain UTF-8 is read as before)."""
        if self._checked:
            return
        self._checked = True
        try:
            regular = stat.S_ISREG(self.path.stat().st_mode)
            with self.path.open("rb") as fh:
                head = fh.read(4)
        except OSError:
            regular = False
        if not regular or head.startswith((b"\xff\xfe", b"\xfe\xff")):
            self._use_fallback()  # (read_text says what is wrong, or decodes UTF-16)
            return
        n, count, keep = 1, 0, None
        for data in self._raw_blocks():
            if b"\x00" in data:
                self._use_fallback()
                return
            try:
                df = _frame(data, n)
            except Exception:  # not UTF-8: the decoding policy decides (or says why not)
                self._use_fallback()
                return
            n += df.height
            count += 1
            keep = df if count == 1 else None  # several blocks are read again, one at a time
        if count <= 1:
            self._single = keep if keep is not None else _frame(b"", 1)

    @property
    def single(self) -> bool:
        """Whether the lines come in one frame (:meth:`blocks` then reads nothing again)."""
        return self._single is not None or self._fallback is not None

    def _use_fallback(self) -> None:
        lines = split_lines(read_text(self.path, self.display))
        self._fallback = pl.DataFrame(
            {"n": range(1, len(lines) + 1), "raw": lines},
            schema={"n": pl.Int64, "raw": pl.String},
        )

    def blocks(self) -> Iterator[pl.DataFrame]:
        """The frames ``n``, ``raw`` in file order (:meth:`check` first)."""
        self.check()
        if self._fallback is not None:
            yield self._fallback
            return
        if self._single is not None:
            yield self._single
            return
        n = 1
        for data in self._raw_blocks():
            df = _frame(data, n)
            n += df.height
            yield df


# --------------------------------------------------------------------------- times


_PROBES = (time(0), time(6), time(12), time(18), time(23, 59, 59))


def _day(key: int, tz: Any) -> tuple[bool, int | None, str | None, str | None]:
    """A day ``y * 10**6 + mo * 10**4 + d`` → (a valid date, its midnight's UTC instant in
    seconds, "YYYY-MM-DDT", the offset's text) — the last three when the zone keeps one
    whole-minute offset all day and the year has four digits, else None (the Python reader's)."""
    try:
        day = date(key // 10**6, key // 10**4 % 100, key % 10**4)
    except ValueError:
        return False, None, None, None
    if day.year < 1000:
        return True, None, None, None
    offs = {datetime.combine(day, t, tzinfo=tz).utcoffset() for t in _PROBES}
    off = next(iter(offs))
    if len(offs) != 1 or off is None or off.total_seconds() % 60:
        return True, None, None, None
    midnight = datetime.combine(day, time(0), tzinfo=tz)
    iso = midnight.isoformat()
    return True, int(midnight.timestamp()), iso[:11], iso[19:]


def local_times(df: pl.DataFrame, tz: Any) -> pl.DataFrame:
    """``df`` with integer columns ``y mo d hh mi ss`` (null: not a time) → the same with
    ``valid`` (Python's ``datetime`` accepts it), ``ok`` (read here), ``_t`` and ``ts``
    (those of ``datetime(y, mo, d, hh, mi, ss, tzinfo=tz)``; null unless ``ok``)."""
    y, mo, d = pl.col("y"), pl.col("mo"), pl.col("d")
    hh, mi, ss = pl.col("hh"), pl.col("mi"), pl.col("ss")
    inside = y.is_between(0, 99999) & mo.is_between(0, 99) & d.is_between(0, 9999)
    df = df.with_columns(
        pl.when(inside).then(y * 10**6 + mo * 10**4 + d).alias("_key"),
        (hh.is_between(0, 23) & mi.is_between(0, 59) & ss.is_between(0, 59))
        .fill_null(False)
        .alias("_tv"),
    )
    keys = df.get_column("_key").drop_nulls().unique().to_list()
    days = pl.DataFrame(
        [(k, *_day(k, tz)) for k in keys],
        schema={
            "_key": pl.Int64,
            "_dv": pl.Boolean,
            "_base": pl.Int64,
            "_pre": pl.String,
            "_off": pl.String,
        },
        orient="row",
    )
    df = df.join(days, on="_key", how="left", maintain_order="left")
    valid = (pl.col("_dv") & pl.col("_tv")).fill_null(False)
    ok = valid & pl.col("_base").is_not_null()
    secs = hh * 3600 + mi * 60 + ss
    clock = (secs.cast(pl.Int64) * 1_000_000_000).cast(pl.Time).dt.strftime("%H:%M:%S")
    return df.with_columns(
        valid.alias("valid"),
        ok.alias("ok"),
        pl.when(ok).then((pl.col("_base") + secs).cast(pl.Float64)).alias("_t"),
        pl.when(ok).then(pl.col("_pre") + clock + pl.col("_off")).alias("ts"),
    ).drop("_key", "_tv", "_dv", "_base", "_pre", "_off")


# --------------------------------------------------------------------------- messages

#: the message columns a reader builds (``add_messages``' frame), in this order
COLUMNS = ("_t", "ts", "group_id", "member_id", "member_name", "msg_type", "content", "role")
SCHEMA = {c: (pl.Float64 if c == "_t" else pl.String) for c in COLUMNS}


class Capture:
    """A :class:`Context` for the Python reader of rare lines: its messages are kept (``key``
    says where they go among the fast ones), all else goes to the real context."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.key = 0
        self.rows: list[tuple[int, dict[str, Any]]] = []

    def message(self, **kw: Any) -> None:
        assert not kw.get("msg_id") and not kw.get("reply_to") and not kw.get("group_name")
        self.rows.append((self.key, kw))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.ctx, name)

    def hand_over(self, fast: pl.DataFrame) -> None:
        """``fast`` (:data:`COLUMNS` and ``_key``) and the kept messages, in ``_key`` order,
        to the context: frames to :meth:`Context.add_messages`; a message with an empty
        member name to :meth:`Context.message`, which keeps that name as it is."""
        rows, direct = [], []
        for key, kw in self.rows:
            name = kw.get("member_name")
            if name == "":
                direct.append((key, kw))
                continue
            ts = kw["ts"]
            rows.append(
                (
                    key,
                    _instant(ts),
                    ts_text(ts),
                    kw["group_id"],
                    kw["member_id"],
                    (norm_name(name) or None) if name else None,
                    kw.get("msg_type", "text"),
                    kw.get("content") or None,
                    kw.get("role"),
                )
            )
        self.rows.clear()
        kept = pl.DataFrame(rows, schema={"_key": pl.Int64, **SCHEMA}, orient="row")
        out = pl.concat([fast.select("_key", *COLUMNS), kept]).sort("_key")
        keys = out.get_column("_key")
        start = 0
        for key, kw in direct:
            cut = int(keys.search_sorted(key, side="left"))
            if cut > start:
                self.ctx.add_messages(out.slice(start, cut - start).drop("_key"))
            self.ctx.message(**kw)
            start = cut
        if start < out.height:
            self.ctx.add_messages(out.slice(start).drop("_key"))


def python_strip(e: pl.Expr) -> pl.Expr:
    """``str.strip()``."""
    return e.str.strip_chars(PY_SPACE)


__all__ = [
    "COLUMNS",
    "PY_SPACE",
    "SCHEMA",
    "WS",
    "Capture",
    "Lines",
    "clean_column",
    "local_times",
    "python_strip",
]
