"""Vectorised reading of the JSON exports (WeCom JSON Lines, Telegram Desktop, Discord and
chatlog JSON): the bulk of the messages is typed and stamped by polars and handed to the
:class:`~sqops.importers._base.Context` as frames (:meth:`Context.add_messages`); every item
that is rare or odd (a notice, a private chat, a value of another JSON type, a time outside
the range computed here) goes to the importer's per-item Python code, in file order, so that
every message, every skip and every count is exactly what that code gives.

Exactness, in short:

* times: an epoch number is turned into microseconds exactly as
  :func:`sqops.data.scalars.epoch_value` does (seconds up to 10^11, milliseconds up to 2^32 s,
  where dividing by 1000 and rounding to the microsecond is exact), an ISO 8601 text as
  :func:`sqops.data.scalars.parse_ts` reads it (:func:`with_iso_stamp`); ``_t`` is those
  microseconds / 10^6 divided by numpy (correctly rounded, as ``datetime.timestamp``);
  ``ts`` is :func:`sqops.importers._base.ts_text_expr` (Python's own function where polars'
  zone data may differ);
* values: the readers type-check each item's fields in one Python pass over the parsed
  document (:func:`parse_bytes`: msgspec's dicts, every integer exact); the lines of JSON
  Lines (WeCom) are decoded by msgspec one at a time into structs whose types refuse every
  value the bulk path does not read (such a line is the Python code's), checked as a whole
  for UTF-8 first (:func:`utf8_file`);
* documents decoded by msgspec (:func:`decode_doc`: only the fields read, into
  ``msgspec.Struct`` classes whose fields are ``Any``, so that every odd value still reaches
  the checks above) hold exactly what orjson would give: msgspec keeps the last of two equal
  keys as Python does (in a struct too), reads texts, floats, booleans and integers within
  64 bits as orjson does, and refuses what orjson refuses except an integer past 64 bits
  (orjson: a float, msgspec: the integer; :class:`Structs` gives such a document back to the
  dict path, :class:`Fallback`, before anything is added — that path reads it exactly too,
  since session 14, by :func:`parse_bytes`) and bytes that are not UTF-8 in a field it skips
  (checked over the whole document first); it nests less deep than orjson.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import compress, repeat
from operator import attrgetter, is_not
from pathlib import Path
from typing import Any

import msgspec
import polars as pl

from sqops.data.decode import bom_encoding
from sqops.data.runtime import gc_paused as gc_paused  # (the importers' vec.gc_paused)
from sqops.importers import _base
from sqops.importers._base import (
    BULK_COLUMNS,
    Context,
    local_to_utc,
    norm_name,
    ts_text_expr,
    zone_offset,
)

#: bytes read at a time from a JSON Lines file (cut after a line break)
CHUNK = 8 << 20

#: files up to this size are read whole and decoded by the one decoding policy; larger ones
#: are streamed in chunks when they are UTF-8
WHOLE_BELOW = 64 << 20

#: the columns of a bulk message frame (:meth:`Context.add_messages`)
MSG_COLUMNS = BULK_COLUMNS

#: epoch values read here: seconds up to 10^11 (``from_epoch`` reads larger values as
#: milliseconds), milliseconds below 2^32 seconds (exact to the microsecond once divided)
_MAX_SECONDS = 100_000_000_000
_MAX_MILLIS = 4_294_967_296_000

#: set to False to read every item with the per-item Python code (tests compare the two)
ENABLED = True


@functools.lru_cache(maxsize=64)
def _polars_knows(zone: str) -> bool:
    try:
        pl.Series([0], dtype=pl.Datetime("us", "UTC")).dt.convert_time_zone(zone)
    except Exception:  # polars raises its own error for a zone it does not know
        return False
    return True


def zone_of(ctx: Context) -> str | None:
    """The IANA name of ``ctx.tz`` when polars converts to it (None: read in Python)."""
    key = getattr(ctx.tz, "key", None)
    return key if ENABLED and isinstance(key, str) and _polars_knows(key) else None


def epoch_us(value: pl.Expr) -> pl.Expr:
    """Int64 epoch seconds or milliseconds → UTC microseconds, as ``epoch_value`` reads them;
    null outside the range read here (those items go to the Python code)."""
    return (
        pl.when((value >= 0) & (value <= _MAX_SECONDS))
        .then(value * 1_000_000)
        .when((value > _MAX_SECONDS) & (value < _MAX_MILLIS))
        .then(value * 1_000)
    )


def with_stamp(frame: pl.DataFrame, zone: str) -> pl.DataFrame:
    """``frame`` with ``_t`` and ``ts`` of its UTC microseconds ``_us``: ``_t`` = epoch
    seconds as ``datetime.timestamp`` gives them, ``ts`` = :func:`~sqops.data.scalars.ts_text`
    of the local time (:func:`sqops.importers._base.ts_text_expr`, by the zone's one offset
    over the times when it has one); rows without ``_us`` are ``_odd``."""
    utc = pl.col("_us").cast(pl.Datetime("us", "UTC"))
    naive = frame["_us"].cast(pl.Datetime("us", "UTC")).dt.replace_time_zone(None)
    offset = zone_offset(zone, naive)
    return frame.with_columns(
        _t=_seconds(frame["_us"]),
        ts=ts_text_expr(utc, zone, offset),
        _odd=pl.col("_odd") | pl.col("_us").is_null(),
    )


#: the ISO 8601 times read here (others, and those that fail a check below, go to Python):
#: date, ``T`` or a space, seconds, 1-6 decimals, ``Z`` or ``±HH:MM`` or nothing (local)
_ISO = (
    r"^([0-9]{4}-[0-9]{2}-[0-9]{2})[T ]([0-9]{2}:[0-9]{2}:[0-9]{2})(?:\.([0-9]{1,6}))?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})?$"
)


def with_iso_stamp(frame: pl.DataFrame, text: str, zone: str) -> pl.DataFrame:
    """``frame`` with ``_t`` and ``ts`` of its ISO 8601 texts in column ``text``, as
    :func:`sqops.data.scalars.parse_ts` reads them (``fromisoformat``; naive times local to
    ``zone``, the first of a repeated hour, none in a skipped one:
    :func:`sqops.importers._base.local_to_utc`) and :func:`~sqops.data.scalars.ts_text`
    writes them (an aware time keeps its own offset, ``Z`` is ``+00:00``). Rows of another
    form, an invalid or skipped time, a year outside 1970–9998 or an offset past ±14:00 are
    ``_odd``: the Python code reads those; so is a second 60 (polars reads it as a leap
    second, the next minute; Python refuses it)."""
    p = frame.select(pl.col(text).str.extract_groups(_ISO).alias("_p")).unnest("_p")
    p.columns = ["_date", "_clock", "_frac", "_off"]
    frac6 = pl.col("_frac").str.pad_end(6, "0")
    off = pl.col("_off")
    p = p.with_columns(
        frame["_odd"],
        _naive=pl.concat_str([pl.col("_date"), pl.lit("T"), pl.col("_clock")]),
        _fus=frac6.cast(pl.Int64).fill_null(0),
        # the milliseconds ts_text writes: only when the time has a fraction
        _millis=pl.when(frac6.is_not_null() & (frac6 != "000000"))
        .then(pl.lit(".") + frac6.str.slice(0, 3))
        .otherwise(pl.lit("")),
        _oh=off.str.slice(1, 2).cast(pl.Int64, strict=False),
        _om=off.str.slice(4, 2).cast(pl.Int64, strict=False),
    )
    p = p.with_columns(
        _wall=pl.col("_naive").str.strptime(
            pl.Datetime("us"), "%Y-%m-%dT%H:%M:%S", strict=False, exact=True
        )
        + pl.duration(microseconds=pl.col("_fus"))
    )
    wall = pl.col("_wall")
    oh, om = pl.col("_oh"), pl.col("_om")
    sign = pl.when(off.str.slice(0, 1) == "-").then(-1).otherwise(1)
    minutes = pl.when(off == "Z").then(0).otherwise(sign * (oh * 60 + om))
    bad_off = off.is_not_null() & (off != "Z") & ((om >= 60) | (oh * 60 + om > 14 * 60))
    aware_us = wall.dt.epoch("us") - minutes * 60_000_000
    local_walls = p.filter(off.is_null() & wall.is_not_null())["_wall"]
    if local_walls.len():
        offset = zone_offset(zone, local_walls)
        local = local_to_utc(wall, zone, offset)
        us = pl.when(off.is_null()).then(local.dt.epoch("us")).otherwise(aware_us)
        local_ts: pl.Expr = ts_text_expr(local, zone, offset)
    else:
        us, local_ts = aware_us, pl.lit(None, pl.String)
    p = p.with_columns(_us=us, _min=minutes, _bad=bad_off)
    # an aware time keeps its wall clock and offset (Z and -00:00 are +00:00)
    aware = pl.concat_str(
        [
            pl.col("_naive"),
            pl.col("_millis"),
            pl.when((off == "Z") | (pl.col("_min") == 0)).then(pl.lit("+00:00")).otherwise(off),
        ]
    )
    p = p.select(
        "_us",
        ts=pl.when(off.is_null()).then(local_ts).otherwise(aware),
        _odd=pl.col("_odd")
        | pl.col("_us").is_null()
        | (pl.col("_us") < 0)
        | (wall.dt.year() > 9998)
        | pl.col("_bad")
        | (pl.col("_clock").str.slice(6, 2) == "60"),
    )
    return frame.with_columns(p["_us"], p["ts"], p["_odd"], _seconds(p["_us"]))


def _seconds(us: pl.Series) -> pl.Series:
    """``_t`` of the microseconds, correctly rounded (nulls as 0: the odd rows the per-item
    code reads)."""
    return _base.exact_seconds(us.fill_null(0)).alias("_t")


def norm_names(names: pl.Expr) -> pl.Expr:
    """:func:`~sqops.importers._base.norm_name` of each name, null when empty."""
    return distinct_map(names, lambda v: norm_name(v) or None)


def distinct_map(texts: pl.Expr, fn: Callable[[str], str | None]) -> pl.Expr:
    """``fn`` of each text (nulls stay null), called once per distinct text: exports have
    few names and many messages."""

    def apply(s: pl.Series) -> pl.Series:
        mapping = {v: fn(v) for v in s.drop_nulls().unique().to_list()}
        return s.replace_strict(mapping, default=None, return_dtype=pl.String)

    return texts.map_batches(apply, return_dtype=pl.String)


def load_json(text: str, display: str) -> Any:
    """One JSON document, as :func:`sqops.importers._base.load_json` reads it (msgspec first,
    every integer exact; its errors and their positions)."""
    return _base.load_json(text, display)


#: what :func:`parse_utf8` gives for a file it leaves to the decoding policy
NOT_READ: Any = object()


def parse_utf8(path: Path, display: str) -> Any:
    """The JSON document of a file, parsed from its bytes when they are UTF-8 without a
    byte-order mark nor a NUL (msgspec and orjson check the UTF-8): what
    :func:`~sqops.importers._base.read_text` then :func:`load_json` give, without the text;
    :data:`NOT_READ` for any other file (read it so: its errors and other encodings)."""
    return parse_bytes(_base.read_bytes(path, display))


_DECODE_ANY = msgspec.json.Decoder().decode


def parse_bytes(data: bytes) -> Any:
    """:func:`parse_utf8` of a file's bytes (read already): decoded by msgspec (as fast as
    orjson; integers past 64 bits exact, where orjson reads them as floats), else by orjson
    where its value is exact (:func:`~sqops.importers._base.exact_orjson`)."""
    if bom_encoding(data) is not None or b"\x00" in data:
        return NOT_READ
    try:
        return _DECODE_ANY(data)
    except (msgspec.DecodeError, RecursionError):
        pass
    value = _base.exact_orjson(data)
    return NOT_READ if value is _base.EXACT_REFUSED or value is _base.EXACT_WIDE else value


def add_messages(ctx: Context, frame: pl.DataFrame) -> None:
    """Append the bulk messages of ``frame`` to ``ctx`` (one place, for tests to count)."""
    ctx.add_messages(frame)


def feed(
    ctx: Context, frame: pl.DataFrame, odd: Sequence[int], on_odd: Callable[[int], Any]
) -> None:
    """The rows of ``frame`` in order: runs of bulk rows to :func:`add_messages`, each row
    whose index is in ``odd`` (ascending) to ``on_odd(index)`` (the Python code) instead."""
    frame = frame.select(
        pl.col(c) if c in frame.columns else pl.lit(None, pl.String).alias(c) for c in MSG_COLUMNS
    )
    start = 0
    for i in odd:
        if i > start:
            add_messages(ctx, frame.slice(start, i - start))
        on_odd(i)
        start = i + 1
    if start < frame.height:
        add_messages(ctx, frame.slice(start))


def odd_rows(mask: pl.Series) -> list[int]:
    """The indices where ``mask`` is true (or null)."""
    return mask.fill_null(True).arg_true().to_list()


# --------------------------------------------------------------------------- JSON Lines


def chunks(path: Path, data: bytes | None = None) -> Iterator[tuple[int, bytes]]:
    """``(number of its first line, bytes)`` of a file (or of ``data``, its text), about
    :data:`CHUNK` bytes each, cut after line breaks (CR, LF or CRLF: lines are numbered as
    :func:`~sqops.importers._base.split_lines` splits them); a UTF-8 byte-order mark at the
    start is dropped."""
    line = 1
    first = True
    size = CHUNK
    if data is not None:
        blocks: Iterator[bytes] = (data[i : i + size] for i in range(0, len(data), size))
    else:
        blocks = _blocks(path, size)
    rest = b""
    for block in blocks:
        if first:
            block = block.removeprefix(b"\xef\xbb\xbf")
            first = False
        cut = block.rfind(b"\n") + 1
        if cut == 0:
            rest += block
            continue
        if cut == len(block):
            piece = rest + block if rest else block
        else:  # (one copy: the rest before and the block up to its last line break)
            piece = b"".join((rest, memoryview(block)[:cut]))
        rest = block[cut:]
        yield line, piece
        line += piece.count(b"\n")
        if b"\r" in piece:  # lone CRs break lines too
            line += piece.count(b"\r") - piece.count(b"\r\n")
    if rest:
        yield line, rest


def head(path: Path, data: bytes | None = None, size: int = 1 << 20) -> str:
    """The first lines of a file (or of ``data``) up to ``size`` bytes, as text (to tell
    JSON Lines from one JSON document)."""
    if data is None:
        with path.open("rb") as fh:
            data = fh.read(size)
    block = data[:size].removeprefix(b"\xef\xbb\xbf")
    if len(data) > size:
        block = block[: block.rfind(b"\n") + 1]
    return block.decode("utf-8", errors="replace")


def _blocks(path: Path, size: int) -> Iterator[bytes]:
    with path.open("rb") as fh:
        while block := fh.read(size):
            yield block


def utf8_file(path: Path, size: int | None = None) -> bool:
    """Whether a file's bytes are UTF-8 (as Python's codec checks them: what
    :func:`~sqops.data.decode.detect_file_encoding` finds ``utf-8``), read :data:`CHUNK`
    bytes at a time and checked by polars (:func:`utf8_bytes`) where they are not ASCII."""
    rest = b""
    for block in _blocks(path, size or CHUNK):
        buf = rest + block if rest else block
        cut = buf.rfind(b"\n") + 1  # (never inside a character)
        part, rest = buf[:cut], buf[cut:]
        if not part.isascii() and not utf8_bytes(part):
            return False
    return rest.isascii() or utf8_bytes(rest)


# --------------------------------------------------------------------------- columns
# The items of a parsed JSON array read a field at a time (``dict.get`` mapped over the list
# in C) instead of a Python function per item: each field's values are checked by the set of
# their types, and only the items holding a value of a type the bulk path does not read are
# marked odd (the per-item Python code reads those).

_NONE = type(None)


def field(items: list[dict[str, Any]], key: str) -> list[Any]:
    """The value of ``key`` in each item (None when absent); ``items`` are all dicts."""
    return list(map(dict.get, items, repeat(key)))


def has_key(items: list[dict[str, Any]], key: str) -> list[bool]:
    """Whether each item has ``key``."""
    return list(map(dict.__contains__, items, repeat(key)))


def other_than(values: list[Any], kind: type) -> list[int]:
    """The indices of the values whose type is not ``kind`` (found without a Python call
    per value)."""
    return list(compress(range(len(values)), map(is_not, map(type, values), repeat(kind))))


class Odd:
    """The indices of the items marked odd so far (a mask built only when one is)."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.mask: list[bool] | None = None

    def mark(self, flags: Iterable[bool]) -> None:
        if self.mask is None:
            self.mask = list(flags)
        else:
            self.mask = [a or b for a, b in zip(self.mask, flags, strict=True)]

    def series(self) -> pl.Series:
        if self.mask is None:
            return pl.Series("_odd", [False] * self.n, dtype=pl.Boolean)
        return pl.Series("_odd", self.mask, dtype=pl.Boolean)


def dicts(items: list[Any], odd: Odd) -> list[dict[str, Any]] | None:
    """``items`` when they are all objects; else each one that is not marked odd and
    replaced by an empty one (None: no item is an object)."""
    kinds = set(map(type, items))
    if kinds <= {dict}:
        return items if items else None
    if dict not in kinds:
        return None
    ok = [type(v) is dict for v in items]
    odd.mark([not k for k in ok])
    return [v if k else {} for v, k in zip(items, ok, strict=True)]


def typed(
    values: list[Any], allowed: tuple[type, ...], dtype: pl.DataType, odd: Odd, name: str = ""
) -> pl.Series:
    """``values`` as a polars Series of ``dtype`` when each value's type is one of
    ``allowed`` (exactly: ``bool`` is not ``int``); items with a value of another type are
    marked odd and read as null."""
    if int not in allowed and dtype in (pl.String, pl.Boolean):
        # polars builds a text or boolean Series strictly of texts or booleans (and None):
        # any other value refuses it, and then each value is looked at
        try:
            s = pl.Series(name, values, dtype=dtype, strict=True)
        except Exception:  # (TypeError: a value of another type)
            pass
        else:
            if _NONE not in allowed and s.null_count():
                odd.mark(s.is_null().to_list())
            return s
    kinds = set(map(type, values))
    if not kinds <= set(allowed):
        ok = [type(v) in allowed for v in values]
        odd.mark([not k for k in ok])
        values = [v if k else None for v, k in zip(values, ok, strict=True)]
    if int in allowed:  # past 64 bits: the Python code's
        try:
            return pl.Series(name, values, dtype=dtype, strict=True)
        except (TypeError, OverflowError):
            ok = [v is None or -_INT64 <= v < _INT64 for v in values]
            odd.mark([not k for k in ok])
            values = [v if k else None for v, k in zip(values, ok, strict=True)]
    return pl.Series(name, values, dtype=dtype, strict=True)


_INT64 = 1 << 63


def objects(values: list[Any], odd: Odd, *, optional: bool = False) -> list[dict[str, Any]]:
    """``values`` (the nested objects of a field) with each one that is not an object (nor
    None when ``optional``) marked odd, and replaced by an empty one as None is."""
    kinds = set(map(type, values))
    if kinds <= {dict}:
        return values
    allowed = (dict, _NONE) if optional else (dict,)
    if not kinds <= set(allowed):
        odd.mark([type(v) not in allowed for v in values])
    return [v if type(v) is dict else {} for v in values]


def truthy_text(values: list[Any], odd: Odd, name: str = "") -> pl.Series:
    """``value or None`` of each value, as text: an item whose value is true but not a text
    is marked odd."""
    if set(map(type, values)) <= {str, _NONE}:
        s = pl.Series(name, values, dtype=pl.String)
        return s.to_frame().select(pl.when(pl.col(name) != "").then(pl.col(name))).to_series()
    return typed([v or None for v in values], (str, _NONE), pl.String(), odd, name)


# --------------------------------------------------------------------------- msgspec
# A JSON document decoded by msgspec into structs that hold only the fields a reader reads
# (faster than orjson's dicts of every field, and cheaper to free); see the module's
# docstring for why the values are orjson's.

#: a struct field's default where the reader asks whether the key is there (``"photo" in
#: msg``); the other fields default to None, as ``dict.get`` gives
ABSENT: Any = msgspec.UNSET

_INT_LO, _INT_HI = -(1 << 63), 1 << 64  # orjson reads integers in this range as integers


class Fallback(Exception):
    """The structs hold a value orjson reads otherwise: read the document the orjson way."""


def decode_doc(data: bytes, decoder: msgspec.json.Decoder[Any]) -> Any:
    """``data`` decoded by ``decoder`` (structs), or None where the result would not be what
    orjson gives (or where orjson refuses: then the decoding policy reads the text): a
    byte-order mark, a NUL, anything msgspec refuses, bytes that are not UTF-8."""
    if bom_encoding(data) is not None or b"\x00" in data:
        return None
    try:
        doc = decoder.decode(data)
    except (msgspec.DecodeError, RecursionError):  # (ValidationError is a DecodeError)
        return None
    if not data.isascii() and not utf8_bytes(data):
        return None
    return doc


def decoded_for_bulk(ctx: Context, data: bytes, decoder: msgspec.json.Decoder[Any]) -> Any:
    """``(zone, document)`` for the struct way of a reader (:func:`zone_of` a zone polars
    knows, :func:`decode_doc` a document as orjson gives it), else None: the orjson way."""
    zone = zone_of(ctx)
    if zone is None:
        return None
    doc = decode_doc(data, decoder)
    return None if doc is None else (zone, doc)


def utf8_bytes(data: bytes, size: int = 8 << 20) -> bool:
    """Whether ``data`` is UTF-8 (as orjson and Python's codec check it: no surrogates, no
    overlong forms); msgspec checks only the texts it reads. Checked by polars ``size``
    bytes at a time (cut before a character's first byte; a copy of the whole costs twice
    as much: the fresh memory)."""
    view = memoryview(data)
    start, n = 0, len(data)
    while start < n:
        end = min(start + max(size, 4), n)
        back = 0
        while end < n and (data[end] & 0xC0) == 0x80:  # (a continuation byte)
            end, back = end - 1, back + 1
            if back > 3:  # no character has more
                return False
        try:
            pl.Series([view[start:end].tobytes()], dtype=pl.Binary).cast(pl.String)
        except pl.exceptions.PolarsError:
            return False
        start = end
    return True


def wide(value: Any) -> bool:
    """Whether ``value`` holds an integer past 64 bits (orjson reads it as a float); walked
    without recursion (a value nested a thousand levels deep, as msgspec reads it, is
    deeper than Python's recursion limit allows a walk)."""
    kind = type(value)
    if kind is int:
        return not _INT_LO <= value < _INT_HI
    if kind is not list and kind is not dict:
        return False  # (a text, a float, ...: the common values, no walk)
    stack = [value]
    while stack:
        v = stack.pop()
        kind = type(v)
        if kind is int:
            if not _INT_LO <= v < _INT_HI:
                return True
        elif kind is list:
            stack.extend(v)
        elif kind is dict:
            stack.extend(v.values())
    return False


class Structs:
    """The items of a JSON array decoded into structs, read as the readers read dicts:
    ``keys`` maps each JSON key to its struct attribute."""

    def __init__(self, structs: list[Any], keys: dict[str, str]) -> None:
        self.structs = structs
        self.keys = keys

    def __len__(self) -> int:
        return len(self.structs)

    def field(self, key: str) -> list[Any]:
        """The value of ``key`` in each item (None when absent, as ``dict.get`` gives)."""
        return list(map(attrgetter(self.keys[key]), self.structs))

    def has(self, key: str) -> list[bool]:
        """Whether each item has ``key`` (a field that defaults to :data:`ABSENT`)."""
        values = self.field(key)
        if values.count(ABSENT) == len(values):  # (compared by identity first: fast)
            return [False] * len(values)
        return list(map(is_not, values, repeat(ABSENT)))

    def item(self, i: int) -> dict[str, Any]:
        """Item ``i`` as a dict of the keys read (what the per-item code reads of it)."""
        return _plain(self.structs[i], self.keys)

    def objects(
        self, values: list[Any], kind: type, odd: Odd, *, optional: bool = False
    ) -> list[Any]:
        """:func:`objects` of nested structs of type ``kind`` (None when absent or null):
        each None marked odd unless ``optional``, and replaced by an empty struct."""
        if values.count(None):
            empty = kind()
            if not optional:
                odd.mark([v is None for v in values])
            return [empty if v is None else v for v in values]
        return values

    @staticmethod
    def check(values: Iterable[Any]) -> None:
        """:class:`Fallback` when a value holds an integer past 64 bits."""
        if any(map(wide, values)):
            raise Fallback

    @staticmethod
    def checked(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
        """``fn``, after :meth:`check` of its one argument."""

        def call(value: Any) -> Any:
            if wide(value):
                raise Fallback
            return fn(value)

        return call

    def check_items(self, rows: Iterable[int]) -> None:
        """:meth:`check` of every value of the items ``rows`` (those the per-item code reads)."""
        for i in rows:
            self.check(self.item(i).values())


def _plain(struct: Any, keys: dict[str, str] | None = None) -> dict[str, Any]:
    """A struct as the dict of the keys it holds (nested structs as dicts too; ``keys``: its
    class's :func:`struct_keys`, in field order)."""
    names = tuple(struct_keys(type(struct)) if keys is None else keys)
    out: dict[str, Any] = {}
    for k, v in zip(names, msgspec.structs.astuple(struct), strict=True):
        if v is ABSENT:
            continue
        out[k] = _plain(v) if isinstance(v, msgspec.Struct) else v
    return out


def struct_keys(kind: type) -> dict[str, str]:
    """The JSON key of each field of a struct class → its attribute (in field order)."""
    keys = _STRUCT_KEYS.get(kind)
    if keys is None:
        fields = kind.__struct_fields__  # type: ignore[attr-defined]
        encoded = kind.__struct_encode_fields__  # type: ignore[attr-defined]
        keys = _STRUCT_KEYS[kind] = dict(zip(encoded, fields, strict=True))
    return keys


_STRUCT_KEYS: dict[type, dict[str, str]] = {}


def sub(values: list[Any], key: str) -> list[Any]:
    """The value of ``key`` in each nested object: dicts (None when absent) or structs (the
    attribute of that name)."""
    if values and isinstance(values[0], msgspec.Struct):
        return list(map(attrgetter(key), values))
    return field(values, key)
