"""Vectorised reading of the text exports (WhatsApp, QQ): lines in polars frames, read in
byte blocks cut at line starts (bounded memory, no 1 GiB cap), and the pieces their readers
share. What the Python readers did per line is done here per column, with the same results:

* :class:`Lines`: the file's lines as frames ``n`` (1-based line number), ``raw`` — split on
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
import re
import stat
import unicodedata
from collections.abc import Callable, Iterator
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
#: what :func:`clean` removes, and what it turns into a plain space
_INVISIBLE = list("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff")
_SPACES = list("\u00a0\u202f\u2007")

#: bytes per block (a block ends at a line end; a longer line makes a longer block)
BLOCK = 32 << 20
#: a file up to this size keeps its parsed blocks between the check and the reading
KEEP = 128 << 20

_UTF8_BOM = b"\xef\xbb\xbf"


def _nfc_ranges() -> list[tuple[int, int]]:
    """The characters after which a text may not be in NFC, as ranges: combining ones,
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
    ranges: list[tuple[int, int]] = []
    for i in sorted(found):
        if ranges and ranges[-1][1] == i - 1:
            ranges[-1] = (ranges[-1][0], i)
        else:
            ranges.append((i, i))
    return ranges


#: :func:`_nfc_ranges` for Unicode 14.0.0 (this Python's; a test checks it)
_NFC_UNICODE = "14.0.0"
_NFC_RANGES = (
    (0x300, 0x34E), (0x350, 0x36F), (0x374, 0x374), (0x37E, 0x37E), (0x387, 0x387),
    (0x483, 0x487), (0x591, 0x5BD), (0x5BF, 0x5BF), (0x5C1, 0x5C2), (0x5C4, 0x5C5),
    (0x5C7, 0x5C7), (0x610, 0x61A), (0x64B, 0x65F), (0x670, 0x670), (0x6D6, 0x6DC),
    (0x6DF, 0x6E4), (0x6E7, 0x6E8), (0x6EA, 0x6ED), (0x711, 0x711), (0x730, 0x74A),
    (0x7EB, 0x7F3), (0x7FD, 0x7FD), (0x816, 0x819), (0x81B, 0x823), (0x825, 0x827),
    (0x829, 0x82D), (0x859, 0x85B), (0x898, 0x89F), (0x8CA, 0x8E1), (0x8E3, 0x8FF),
    (0x93C, 0x93C), (0x94D, 0x94D), (0x951, 0x954), (0x958, 0x95F), (0x9BC, 0x9BC),
    (0x9BE, 0x9BE), (0x9CD, 0x9CD), (0x9D7, 0x9D7), (0x9DC, 0x9DD), (0x9DF, 0x9DF),
    (0x9FE, 0x9FE), (0xA33, 0xA33), (0xA36, 0xA36), (0xA3C, 0xA3C), (0xA4D, 0xA4D),
    (0xA59, 0xA5B), (0xA5E, 0xA5E), (0xABC, 0xABC), (0xACD, 0xACD), (0xB3C, 0xB3C),
    (0xB3E, 0xB3E), (0xB4D, 0xB4D), (0xB56, 0xB57), (0xB5C, 0xB5D), (0xBBE, 0xBBE),
    (0xBCD, 0xBCD), (0xBD7, 0xBD7), (0xC3C, 0xC3C), (0xC4D, 0xC4D), (0xC55, 0xC56),
    (0xCBC, 0xCBC), (0xCC2, 0xCC2), (0xCCD, 0xCCD), (0xCD5, 0xCD6), (0xD3B, 0xD3C),
    (0xD3E, 0xD3E), (0xD4D, 0xD4D), (0xD57, 0xD57), (0xDCA, 0xDCA), (0xDCF, 0xDCF),
    (0xDDF, 0xDDF), (0xE38, 0xE3A), (0xE48, 0xE4B), (0xEB8, 0xEBA), (0xEC8, 0xECB),
    (0xF18, 0xF19), (0xF35, 0xF35), (0xF37, 0xF37), (0xF39, 0xF39), (0xF43, 0xF43),
    (0xF4D, 0xF4D), (0xF52, 0xF52), (0xF57, 0xF57), (0xF5C, 0xF5C), (0xF69, 0xF69),
    (0xF71, 0xF76), (0xF78, 0xF78), (0xF7A, 0xF7D), (0xF80, 0xF84), (0xF86, 0xF87),
    (0xF93, 0xF93), (0xF9D, 0xF9D), (0xFA2, 0xFA2), (0xFA7, 0xFA7), (0xFAC, 0xFAC),
    (0xFB9, 0xFB9), (0xFC6, 0xFC6), (0x102E, 0x102E), (0x1037, 0x1037), (0x1039, 0x103A),
    (0x108D, 0x108D), (0x1161, 0x1175), (0x11A8, 0x11C2), (0x135D, 0x135F), (0x1714, 0x1715),
    (0x1734, 0x1734), (0x17D2, 0x17D2), (0x17DD, 0x17DD), (0x18A9, 0x18A9), (0x1939, 0x193B),
    (0x1A17, 0x1A18), (0x1A60, 0x1A60), (0x1A75, 0x1A7C), (0x1A7F, 0x1A7F), (0x1AB0, 0x1ABD),
    (0x1ABF, 0x1ACE), (0x1B34, 0x1B35), (0x1B44, 0x1B44), (0x1B6B, 0x1B73), (0x1BAA, 0x1BAB),
    (0x1BE6, 0x1BE6), (0x1BF2, 0x1BF3), (0x1C37, 0x1C37), (0x1CD0, 0x1CD2), (0x1CD4, 0x1CE0),
    (0x1CE2, 0x1CE8), (0x1CED, 0x1CED), (0x1CF4, 0x1CF4), (0x1CF8, 0x1CF9), (0x1DC0, 0x1DFF),
    (0x1F71, 0x1F71), (0x1F73, 0x1F73), (0x1F75, 0x1F75), (0x1F77, 0x1F77), (0x1F79, 0x1F79),
    (0x1F7B, 0x1F7B), (0x1F7D, 0x1F7D), (0x1FBB, 0x1FBB), (0x1FBE, 0x1FBE), (0x1FC9, 0x1FC9),
    (0x1FCB, 0x1FCB), (0x1FD3, 0x1FD3), (0x1FDB, 0x1FDB), (0x1FE3, 0x1FE3), (0x1FEB, 0x1FEB),
    (0x1FEE, 0x1FEF), (0x1FF9, 0x1FF9), (0x1FFB, 0x1FFB), (0x1FFD, 0x1FFD), (0x2000, 0x2001),
    (0x20D0, 0x20DC), (0x20E1, 0x20E1), (0x20E5, 0x20F0), (0x2126, 0x2126), (0x212A, 0x212B),
    (0x2329, 0x232A), (0x2ADC, 0x2ADC), (0x2CEF, 0x2CF1), (0x2D7F, 0x2D7F), (0x2DE0, 0x2DFF),
    (0x302A, 0x302F), (0x3099, 0x309A), (0xA66F, 0xA66F), (0xA674, 0xA67D), (0xA69E, 0xA69F),
    (0xA6F0, 0xA6F1), (0xA806, 0xA806), (0xA82C, 0xA82C), (0xA8C4, 0xA8C4), (0xA8E0, 0xA8F1),
    (0xA92B, 0xA92D), (0xA953, 0xA953), (0xA9B3, 0xA9B3), (0xA9C0, 0xA9C0), (0xAAB0, 0xAAB0),
    (0xAAB2, 0xAAB4), (0xAAB7, 0xAAB8), (0xAABE, 0xAABF), (0xAAC1, 0xAAC1), (0xAAF6, 0xAAF6),
    (0xABED, 0xABED), (0xF900, 0xFA0D), (0xFA10, 0xFA10), (0xFA12, 0xFA12), (0xFA15, 0xFA1E),
    (0xFA20, 0xFA20), (0xFA22, 0xFA22), (0xFA25, 0xFA26), (0xFA2A, 0xFA6D), (0xFA70, 0xFAD9),
    (0xFB1D, 0xFB1F), (0xFB2A, 0xFB36), (0xFB38, 0xFB3C), (0xFB3E, 0xFB3E), (0xFB40, 0xFB41),
    (0xFB43, 0xFB44), (0xFB46, 0xFB4E), (0xFE20, 0xFE2F), (0x101FD, 0x101FD),
    (0x102E0, 0x102E0), (0x10376, 0x1037A), (0x10A0D, 0x10A0D), (0x10A0F, 0x10A0F),
    (0x10A38, 0x10A3A), (0x10A3F, 0x10A3F), (0x10AE5, 0x10AE6), (0x10D24, 0x10D27),
    (0x10EAB, 0x10EAC), (0x10F46, 0x10F50), (0x10F82, 0x10F85), (0x11046, 0x11046),
    (0x11070, 0x11070), (0x1107F, 0x1107F), (0x110B9, 0x110BA), (0x11100, 0x11102),
    (0x11127, 0x11127), (0x11133, 0x11134), (0x11173, 0x11173), (0x111C0, 0x111C0),
    (0x111CA, 0x111CA), (0x11235, 0x11236), (0x112E9, 0x112EA), (0x1133B, 0x1133C),
    (0x1133E, 0x1133E), (0x1134D, 0x1134D), (0x11357, 0x11357), (0x11366, 0x1136C),
    (0x11370, 0x11374), (0x11442, 0x11442), (0x11446, 0x11446), (0x1145E, 0x1145E),
    (0x114B0, 0x114B0), (0x114BA, 0x114BA), (0x114BD, 0x114BD), (0x114C2, 0x114C3),
    (0x115AF, 0x115AF), (0x115BF, 0x115C0), (0x1163F, 0x1163F), (0x116B6, 0x116B7),
    (0x1172B, 0x1172B), (0x11839, 0x1183A), (0x11930, 0x11930), (0x1193D, 0x1193E),
    (0x11943, 0x11943), (0x119E0, 0x119E0), (0x11A34, 0x11A34), (0x11A47, 0x11A47),
    (0x11A99, 0x11A99), (0x11C3F, 0x11C3F), (0x11D42, 0x11D42), (0x11D44, 0x11D45),
    (0x11D97, 0x11D97), (0x16AF0, 0x16AF4), (0x16B30, 0x16B36), (0x16FF0, 0x16FF1),
    (0x1BC9E, 0x1BC9E), (0x1D15E, 0x1D169), (0x1D16D, 0x1D172), (0x1D17B, 0x1D182),
    (0x1D185, 0x1D18B), (0x1D1AA, 0x1D1AD), (0x1D1BB, 0x1D1C0), (0x1D242, 0x1D244),
    (0x1E000, 0x1E006), (0x1E008, 0x1E018), (0x1E01B, 0x1E021), (0x1E023, 0x1E024),
    (0x1E026, 0x1E02A), (0x1E130, 0x1E136), (0x1E2AE, 0x1E2AE), (0x1E2EC, 0x1E2EF),
    (0x1E8D0, 0x1E8D6), (0x1E944, 0x1E94A), (0x2F800, 0x2FA1D),
)  # fmt: skip


@functools.lru_cache(maxsize=1)
def _nfc_class() -> str:
    """:func:`_nfc_ranges` as a regex class (computed when Python's Unicode is another)."""
    same = unicodedata.unidata_version == _NFC_UNICODE
    ranges = _NFC_RANGES if same else tuple(_nfc_ranges())
    return "[" + "".join(rf"\x{{{a:x}}}-\x{{{b:x}}}" for a, b in ranges) + "]"


@functools.lru_cache(maxsize=1)
def _suspect_class() -> str:
    """One regex class of what :func:`clean` may change: the marks, the spaces it replaces,
    and :func:`_nfc_class`."""
    chars = "".join(rf"\x{{{ord(c):x}}}" for c in _INVISIBLE + _SPACES)
    return "[" + chars + _nfc_class()[1:]


def _unmark(s: pl.Series) -> pl.Series:
    return s.str.replace_many(_INVISIBLE + _SPACES, [""] * len(_INVISIBLE) + [" "] * len(_SPACES))


def clean_column(raw: pl.Series) -> pl.Series:
    """:func:`clean` of each line (same strings)."""
    if (raw.str.len_bytes() == raw.str.len_chars()).all():  # (ASCII: nothing to clean)
        return raw
    if not raw.str.contains(_suspect_class()).any():  # (one pass: nothing clean() changes)
        return raw
    out = raw.clone()
    marked = raw.str.contains_any(_INVISIBLE + _SPACES)
    if marked.sum() * 4 > len(raw):  # (Android writes U+202F before AM/PM on every line)
        out = _unmark(raw)
    elif marked.any():
        at = marked.arg_true()
        out = out.scatter(at, _unmark(raw.gather(at)))
    risky = raw.str.contains(_nfc_class())
    if risky.any():
        at = risky.arg_true()
        out = out.scatter(at, [clean(x) for x in raw.gather(at).to_list()])
    return out


def bare(pattern: str) -> str:
    """``pattern`` without its named groups: its match alone is found without the (slower)
    engine that tells where each group is."""
    return re.sub(r"\(\?P<\w+>", "(?:", pattern)


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

    def check(self, visit: Callable[[pl.DataFrame], None] | None = None) -> None:
        """Read every block once (a file that is not plain UTF-8 is read as before); with
        several blocks, ``visit`` sees each (it is not called when :attr:`single`)."""
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
            if count == 2 and visit is not None and keep is not None:
                visit(keep)
            keep = df if count == 1 else None  # several blocks are read again, one at a time
            if count >= 2 and visit is not None:
                visit(df)
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

    def size(self) -> int:
        """The file's size in bytes (0 when unknown)."""
        try:
            return self.path.stat().st_size
        except OSError:
            return 0

    def parsed(self, parse: Callable[[pl.DataFrame], pl.DataFrame]) -> Iterator[pl.DataFrame]:
        """``parse`` of each block, in file order, after :meth:`check`: a file up to
        :data:`KEEP` bytes is parsed while it is checked and comes as one frame (its blocks
        together), a larger one is read again and parsed block by block."""
        kept: list[pl.DataFrame] = []
        keep = self.size() <= KEEP
        self.check(visit=(lambda block: kept.append(parse(block))) if keep else None)
        if self.single:
            yield parse(next(self.blocks()))
        elif keep:
            yield pl.concat(kept, rechunk=False)
        else:
            for block in self.blocks():
                yield parse(block)

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


class Carry:
    """The lines of a block's last message, kept to go on with the next block (the message
    may go on there): the readers' frames are numbered in segments (``seg``, a running count
    of the lines that begin one; 0 before the first)."""

    def __init__(self) -> None:
        self.rest: pl.DataFrame | None = None

    def take(self, part: pl.DataFrame | None) -> pl.DataFrame | None:
        """The kept lines and ``part`` (None at the end of the file) as one frame; None when
        there is no line."""
        df = part
        if self.rest is not None:
            df = self.rest if part is None else pl.concat([self.rest, part])
        self.rest = None
        return None if df is None or df.is_empty() else df

    def cut(self, df: pl.DataFrame, *, final: bool, drop: tuple[str, ...] = ()) -> int:
        """Where ``df``'s last segment begins (its length when ``final`` or when it is all
        segment 0): the lines from there are kept, without ``seg`` and the columns ``drop``."""
        k = df.height
        if not final:
            seg = df.get_column("seg")
            if seg[-1] > 0:
                k = int(seg.search_sorted(seg[-1], side="left"))
        if k < df.height:
            self.rest = df.slice(k).drop("seg", *drop)
        return k


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
        # the texts copied out of the lines they were cut from: the same values, but a
        # column that points into the whole block's text is written to Parquet differently
        # (other bytes) than the one Context.message builds
        out = out.with_columns(pl.concat_str([pl.col("content"), pl.lit("")]).alias("content"))
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


__all__ = [
    "COLUMNS",
    "PY_SPACE",
    "SCHEMA",
    "WS",
    "Capture",
    "Carry",
    "Lines",
    "bare",
    "clean_column",
    "local_times",
]
