"""A JSON export too large to hold whole, read a slice of its messages at a time.

Telegram Desktop's export of one chat, DiscordChatExporter's JSON and a chatlog JSON array
are one document each: a few keys (the chat, the guild) and one long array of messages, or
the array alone. Past :data:`STREAM_BYTES` such a file is not read whole (with its parsed
values it would take six to seven times its size in memory, and past 1 GiB it was refused):
the array's items are read :data:`BLOCK` bytes at a time, each slice decoded and added
before the next is read, so the memory the reading takes is bounded by the block, not by the
file. What is read is exactly what the whole document gives:

* **The document around the array.** Its start (``"messages": [`` found in the first
  :data:`EDGE` bytes) and its end (of the ``]`` in the last :data:`EDGE` bytes, the first
  whose rest closes the document) are taken as the array's ends only when the document with
  the array replaced by a marker text decodes and holds that marker under that key (a
  top-level key, the last of its name: the one a decoder keeps). A ``]`` inside the array
  leaves the array's own ``]`` unmatched after the marker (no JSON); one of a key after the
  array closes the document too, but later. For a document that is the array itself, only
  white space may follow it.
* **Each cut between two items.** A slice ends after an item: at the exporter's own
  separator (``}``, a comma and the items' indentation before ``{`` — a raw line end is never
  inside a text) where it writes one item a line, else at the last comma at the array's own
  level (brackets counted outside texts). Either way it is used only when the slice, decoded
  as deep as its items lie in the document, is a run of items: a cut inside a text leaves it
  unclosed, a cut inside a nested object or array leaves it open — neither decodes —, so the
  slices end to end are the array.
* **Each slice's values.** Decoded by the reader's msgspec structs where it can, else by the
  same decoders the whole document would have gone through (msgspec untyped, orjson where
  exact, Python's ``json`` for lone surrogates and NaN), as deep as in the whole document
  (the same nesting limits), so integers, escapes and repeated keys are read as the whole
  document reads them.

Within the whole reading's 1 GiB, a file is read in slices only when it is plain UTF-8 (no
byte-order mark, no NUL), names the key once and escapes no lower-case letter (a second key
could be spelled so): else, or when its array cannot be found so, it is read whole as before.
Past 1 GiB it cannot be read whole: what the slices cannot read is an error with its reason.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import numpy as np

from sqops.errors import InputError, Location
from sqops.i18n import T
from sqops.importers import _base
from sqops.importers._csvfast import past_share
from sqops.importers._jsonvec import NOT_READ, Fallback, Structs, parse_bytes, utf8_bytes

#: a document over this many bytes is read in slices when it can be (the size past which
#: every export is read in blocks)
STREAM_BYTES = _base.STREAM_BYTES
#: the bytes of the array read at a time
BLOCK = 64 << 20
#: the bytes at the start and at the end of the file searched for the array's ends
EDGE = 1 << 20
#: a slice (one item, or items between two cuts) larger than this is refused
MAX_SLICE = 256 << 20
#: the "]" of the file's end tried as the array's end, at most
_CLOSES = 4096
#: the marker put in the array's place to prove its ends (no export writes it)
_MARK = "\ue000sqops: the array read in slices\ue000"
_MARK_JSON = msgspec.json.encode(_MARK)
_SPACE = b" \t\r\n"
_DECODE_ANY = msgspec.json.Decoder().decode


@dataclass(frozen=True)
class Layout:
    """Where a document's array lies: ``head`` is the document decoded with the array
    replaced by :data:`_MARK` (None when the document is the array), ``start`` the byte
    after its ``[``, ``stop`` the byte of its ``]``, ``line`` the file's line of ``start``,
    ``lead`` the white space before its first item (how the exporter indents the items)."""

    path: Path
    display: str
    head: dict[str, Any] | None
    key: str | None
    start: int
    stop: int
    line: int
    lead: bytes
    #: past the whole reading's limit (1 GiB): no whole reading to fall back on
    past_limit: bool
    #: how many containers hold the array's items (0: 1 for the document's own array, 2
    #: for one under a top-level key; :func:`nested` gives it)
    levels: int = 0

    @property
    def depth(self) -> int:
        """How deep the array's items lie in the document (a slice is decoded as deep, so
        that every decoder's nesting limit refuses what it refuses in the whole)."""
        return self.levels or (1 if self.key is None else 2)


def large(path: Path) -> bool:
    """Whether ``path`` is a file past :data:`STREAM_BYTES`, or past an eighth of the memory
    limit of the import running (:func:`_csvfast.past_share`: read whole, a JSON export takes
    six to seven times its size; a 200 MB whole-account export peaked at 1,206 MB under a 1G
    limit, 520 MB in slices)."""
    try:
        return path.is_file() and (path.stat().st_size > STREAM_BYTES or past_share(path))
    except OSError:
        return False


def layout(path: Path, display: str, key: str | None) -> Layout | None:
    """The array under the top-level ``key`` of the document at ``path`` (``key`` None: the
    document is an array), or None when it cannot be found as the module's text says — or
    when the file, within the 1 GiB the whole reading takes, is not plain UTF-8 (a NUL or
    another encoding: the whole reading's decoding policy and messages apply to it) or may
    hold ``key`` more than once (then the whole reading says which one counts)."""
    found = _layout(path, display, key)
    if found is None or found.past_limit:
        return found
    return found if _plain(path, key) else None


def plain_utf8(path: Path) -> bool:
    """Whether a file is UTF-8 without a NUL (read a block at a time)."""
    return _plain(path, None)


#: what a file past 1 GiB with a byte that is not UTF-8 is told (at the byte's line)
NOT_UTF8 = T("不是 UTF-8 编码", "is not UTF-8")

#: an escaped lower-case ASCII letter (``\u0067``): a key such as ``"messa\u0067es"`` would
#: need one, and exporters escape none (they escape what is not ASCII)
_ESCAPED_LETTER = re.compile(rb"\\u00[67][0-9A-Fa-f]")
#: bytes kept from one block for the next (a key and the white space before its colon)
_CARRY = 256


def _plain(path: Path, key: str | None) -> bool:
    """Whether a file is UTF-8 without a NUL and, for ``key``, names it as a key once only
    and escapes no lower-case letter (read :data:`BLOCK` bytes at a time, each cut before a
    character: memory bounded whatever its lines)."""
    keyed = None if key is None else re.compile(b'"' + re.escape(key.encode()) + b'"[ \t\r\n]*:')
    named, carry = 0, b""
    with path.open("rb") as fh:
        while True:
            block = fh.read(BLOCK)
            buf = carry + block if carry else block
            # (the bytes up to the cut are checked now, the rest with the next block)
            cut = len(buf) if not block else _char_start(buf, max(len(buf) - _CARRY, 0))
            part = buf[:cut]
            if b"\x00" in part or not (part.isascii() or utf8_bytes(part)):
                return False
            if keyed is not None:
                named += sum(1 for m in keyed.finditer(buf) if m.start() < cut)
                if _ESCAPED_LETTER.search(buf):
                    return False
            if not block:
                return keyed is None or named == 1
            carry = buf[cut:]


def _char_start(buf: bytes, at: int) -> int:
    """The first position from ``at`` on that starts a UTF-8 character (not a continuation
    byte), at most 3 on."""
    while at < len(buf) and at > 0 and (buf[at] & 0xC0) == 0x80:
        at += 1
    return at


def _layout(path: Path, display: str, key: str | None) -> Layout | None:
    try:
        with path.open("rb") as fh:
            size = fh.seek(0, 2)
            fh.seek(0)
            head = fh.read(min(size, EDGE))
            fh.seek(max(size - EDGE, 0))
            tail_at = fh.tell()
            tail = fh.read()
    except OSError:
        return None
    if head.startswith(b"\xef\xbb\xbf") or b"\x00" in head:
        return None
    past = size > _base.MAX_BYTES
    if key is None:
        body = head.lstrip(_SPACE)
        stripped = tail.rstrip(_SPACE)
        if not body.startswith(b"[") or not stripped.endswith(b"]"):
            return None
        start = len(head) - len(body) + 1
        stop = tail_at + len(stripped) - 1
        if start > stop:
            return None
        return Layout(path, display, None, None, start, stop, _line(head, start),
                      _lead(head, start), past)  # fmt: skip
    pattern = re.compile(rb'"' + re.escape(key.encode()) + rb'"[ \t\r\n]*:[ \t\r\n]*\[')
    closes = [m.start() for m in re.finditer(rb"\]", tail)][-_CLOSES:]
    for found in pattern.finditer(head):
        prefix = head[: found.end() - 1]
        # the array's "]": the first of the file's last ones whose rest closes the document
        # (one inside the array leaves the array's own "]" unmatched after the marker: no
        # JSON; one of a key after the array closes it too, but later) — tried by msgspec
        # first (fast; the tail of an export holds thousands of "]"), by every decoder of
        # the whole reading only when msgspec reads none (a value it refuses after the array)
        starts = [at for at in closes if tail_at + at >= found.end()]
        for decode in (_msgspec_or_none, _decoded):
            for at in starts:
                doc = decode(prefix + _MARK_JSON + tail[at + 1 :])
                if isinstance(doc, dict) and doc.get(key) == _MARK:
                    start = found.end()
                    return Layout(path, display, doc, key, start, tail_at + at,
                                  _line(head, start), _lead(head, start), past)  # fmt: skip
    return None


def mark(k: int) -> str:
    """The marker put in the place of the ``k``-th array :func:`nested` finds: with a nonce
    drawn when the module loads, so that no file can hold it as a text of its own (a chat's
    ``messages`` written as the marker would take another chat's array)."""
    return f"{_MARK}{_NONCE}:{k}"


_NONCE = secrets.token_hex(8)


def nested(path: Path, display: str, key: str, depth: int) -> tuple[list[Layout], bytes] | None:
    """The arrays under ``key`` that open ``depth`` containers deep (Telegram's whole-account
    export: ``{"chats": {"list": [{"messages": [`` — depth 4), found by one pass over the
    file's brackets outside texts (:data:`BLOCK` bytes at a time, the quotes escaped by an odd
    run of backslashes left out; at most 8 MiB at a time), and the *skeleton*: the file with the ``k``-th of them
    replaced by the JSON text :func:`mark` ``(k)``. The caller decodes the skeleton and takes
    the arrays only where it finds their markers as it expects: what proves their ends (a
    bracket inside a text taken for the array's own would leave the skeleton no JSON, or a
    marker out of its place), as the module's text says of one array. None when the file is
    not plain JSON brackets (a container closed by the other kind, a text not closed)."""
    keyed = re.compile(rb'"' + re.escape(key.encode()) + rb'"[ \t\r\n]*:[ \t\r\n]*\Z')
    spans: list[tuple[int, int, int]] = []  # (the "[", the "]", the line of the "[")
    level, in_text, at, lines = 0, False, 0, 0
    opened: int | None = None  # (the "[" of an array open at ``depth``; -1: an object)
    open_line = 0
    carry = b""
    with path.open("rb") as fh:
        while True:
            block = fh.read(min(BLOCK, _SCAN))
            buf = carry + block if carry else block
            # (a run of backslashes is never cut: it goes whole with the next block)
            cut = len(buf) if not block else len(buf.rstrip(b"\\"))
            part, carry = buf[:cut], buf[cut:]
            arr = np.frombuffer(part, dtype=np.uint8)
            # the quotes and brackets in one pass (a byte's class), in order: a bracket is
            # outside texts when an even number of quotes (and ``in_text``) come before it
            where = np.flatnonzero(_CLASS[arr])
            kinds = arr[where]
            is_quote = kinds == 34
            quoted = where[is_quote]
            slashed = quoted[(quoted > 0) & (arr[np.maximum(quoted - 1, 0)] == 92)]
            if len(slashed):  # (a quote inside a text, \": escaped by an odd run only)
                is_quote[np.isin(where, _escaped(part, slashed))] = False
            inside = (np.cumsum(is_quote) - is_quote + in_text) & 1
            outside = (kinds != 34) & (inside == 0)
            brackets, kinds = where[outside], kinds[outside]
            quotes_seen = int(is_quote.sum())
            steps = np.where((kinds == 91) | (kinds == 123), 1, -1)
            after = level + np.cumsum(steps)
            # the brackets of the arrays at ``depth``: opened from it, closed back to it
            edge = ((steps == 1) & (after == depth + 1)) | ((steps == -1) & (after == depth))
            counted, counted_at = lines, 0  # (the line ends before a bracket, counted on)
            for b, kind in zip(brackets[edge].tolist(), kinds[edge].tolist(), strict=True):
                counted += part.count(b"\n", counted_at, b)
                counted_at = b
                if kind in (91, 123):
                    opened = at + b if kind == 91 else -1
                    open_line = counted + 1
                elif opened is None or (opened >= 0) != (kind == 93):
                    return None  # (a "]" closing an object, or the other way round)
                else:
                    if opened >= 0:
                        spans.append((opened, at + b, open_line))
                    opened = None
            if len(after):
                level = int(after[-1])
            in_text = bool((quotes_seen + in_text) & 1)
            at += len(part)
            lines += part.count(b"\n")
            if not block:
                break
    if in_text or level != 0:
        return None
    found: list[Layout] = []
    pieces: list[bytes] = []
    past = at > _base.MAX_BYTES
    with path.open("rb") as fh:
        done = 0
        for opened, closed, line in spans:
            fh.seek(max(opened - _CARRY, 0))
            before = fh.read(opened - max(opened - _CARRY, 0))
            if not keyed.search(before):
                continue
            fh.seek(done)
            pieces.append(fh.read(opened - done))
            pieces.append(msgspec.json.encode(mark(len(found))))
            lead = _read_at(fh, opened + 1, 4096)
            lead = lead[: len(lead) - len(lead.lstrip(_SPACE))]
            found.append(Layout(path, display, None, key, opened + 1, closed, line, lead,
                                past, levels=depth + 1))  # fmt: skip
            done = closed + 1
        fh.seek(done)
        pieces.append(fh.read())
    return found, b"".join(pieces)


def _read_at(fh: Any, at: int, n: int) -> bytes:
    fh.seek(at)
    return fh.read(n)


#: the bytes :func:`nested` scans at a time (its arrays of positions: ~10 bytes a byte)
_SCAN = 8 << 20
#: the bytes :func:`nested` looks at: the quote and the brackets
_CLASS = np.zeros(256, dtype=bool)
_CLASS[[34, 91, 93, 123, 125]] = True


def _unescaped_quotes(arr: np.ndarray, buf: bytes) -> np.ndarray:
    """The positions of the quotes of ``buf`` (``arr``: its bytes) that end or start a text:
    not after an odd run of backslashes."""
    quotes = np.flatnonzero(arr == 34)
    slashed = quotes[(quotes > 0) & (arr[np.maximum(quotes - 1, 0)] == 92)]
    if len(slashed):  # (rare: a quote inside a text, \")
        quotes = quotes[~np.isin(quotes, _escaped(buf, slashed))]
    return quotes


def _escaped(buf: bytes, slashed: np.ndarray) -> list[int]:
    """Of the quotes of ``buf`` after a backslash, those after an odd run of them."""
    escaped = []
    for q in slashed.tolist():
        k = q - 1
        while k >= 0 and buf[k] == 92:
            k -= 1
        if (q - 1 - k) & 1:
            escaped.append(q)
    return escaped


def _msgspec_or_none(data: bytes) -> Any:
    """``data`` decoded by msgspec (the whole reading's first decoder), or None."""
    try:
        return _DECODE_ANY(data)
    except (msgspec.DecodeError, RecursionError):
        return None


def _line(head: bytes, at: int) -> int:
    return head.count(b"\n", 0, at) + 1


def _lead(head: bytes, start: int) -> bytes:
    """The white space between the array's ``[`` and its first item."""
    rest = head[start:]
    return rest[: len(rest) - len(rest.lstrip(_SPACE))]


def decoded(data: bytes) -> Any:
    """:func:`_decoded`: a document (a skeleton of :func:`nested`) decoded as the whole
    reading decodes it, or None."""
    return _decoded(data)


def _decoded(data: bytes) -> Any:
    """``data`` decoded as the whole document would be (:func:`parse_bytes`: msgspec, orjson
    where exact; then the standard library's ``json``), or None when none of them reads it."""
    value = parse_bytes(data)
    if value is not NOT_READ:
        return value
    if b"\x00" in data:
        return None
    try:
        return _base.json_loads(data.decode("utf-8"))
    except (ValueError, RecursionError):  # (JSONDecodeError, UnicodeDecodeError: ValueErrors)
        return None


@dataclass
class Slice:
    """Some items of the array, in order: ``first`` is the first one's index in the array;
    ``structs`` the items decoded by the reader's decoder (None when they are not what it
    reads); :meth:`values` the items as Python values (what the whole document gives)."""

    first: int
    data: bytes
    depth: int
    structs: list[Any] | None
    _values: list[Any] | None = None

    def values(self) -> list[Any]:
        if self._values is None:
            got = _unwrapped(_decoded(self.data), self.depth)
            assert got is not None  # (it decoded as an array when it was cut)
            self._values = got
        return self._values

    def __len__(self) -> int:
        return len(self.structs if self.structs is not None else self.values())


def slices(lay: Layout, item: type | None) -> Iterator[Slice]:
    """The array's items, a slice at a time (``item``: the reader's struct of an item;
    None: Python values only)."""
    decoder = None if item is None else _decoder(item, lay.depth)
    first = 0
    line = lay.line  # (the file's line at ``pos``: for an error's place)
    sep = _separator(lay.lead)
    with lay.path.open("rb") as fh:
        fh.seek(lay.start)
        pos, buf = lay.start, b""
        while pos < lay.stop:
            want = min(BLOCK, lay.stop - pos)
            if len(buf) < want:
                buf += fh.read(want - len(buf))
            got = _cut(buf, pos + len(buf) >= lay.stop, decoder, sep, lay.depth)
            while got is None:  # (no item ends in this window: a larger one)
                if len(buf) >= lay.stop - pos:
                    raise _malformed(lay, buf, line, pos)
                if lay.past_limit:  # (an error within the window: its place, not "too long")
                    found = _syntax_error(lay, buf, line, pos, to_end=False)
                    if found is not None:
                        raise found
                if len(buf) >= MAX_SLICE:
                    raise _malformed(lay, buf, line, pos, too_long=True)
                buf += fh.read(min(len(buf), lay.stop - pos - len(buf)))
                got = _cut(buf, pos + len(buf) >= lay.stop, decoder, sep, lay.depth)
            used, piece = got
            if not len(piece) and first:  # (only an empty array has a slice of no item)
                raise _malformed(lay, buf, line, pos)
            # (within 1 GiB the whole file's UTF-8 was checked first: _plain)
            if lay.past_limit and not piece.data.isascii() and not utf8_bytes(piece.data):
                raise InputError(NOT_UTF8, Location(file=lay.display, line=line))
            piece.first = first
            yield piece
            first += len(piece)
            line += buf.count(b"\n", 0, used)
            pos += used
            buf = buf[used:]


def _separator(lead: bytes) -> re.Pattern[bytes] | None:
    """Where the exporter's separators between items are, when it writes each item on a
    line of its own: ``}``, a comma and the items' own indentation before ``{`` (a raw line
    end is never inside a text; a nested object is indented deeper)."""
    if b"\n" not in lead:
        return None
    return re.compile(rb"\}[ \t\r\n]*(,)" + re.escape(lead) + rb"\{")


def _cut(
    buf: bytes,
    to_end: bool,
    decoder: msgspec.json.Decoder[Any] | None,
    sep: re.Pattern[bytes] | None,
    depth: int,
) -> tuple[int, Slice] | None:
    """The longest run of whole items at the start of ``buf`` (all of it when ``to_end``):
    the bytes it takes with the separator after it, and the slice; None when no item ends
    in ``buf`` (or, ``to_end``, when it is no run of items)."""
    if to_end:
        piece = _slice(buf, decoder, depth)
        return None if piece is None else (len(buf), piece)
    tried = -1
    if sep is not None:  # the exporter's last separator in the window: almost always one
        found = list(sep.finditer(buf, max(len(buf) - EDGE, 0)))
        if found:
            tried = found[-1].start(1)
            piece = _slice(buf[:tried], decoder, depth)
            if piece is not None:
                return tried + 1, piece
    commas = _top_commas(buf)  # else the last comma of the array's own level
    if not len(commas):
        return None
    comma = int(commas[-1])
    if comma == tried:
        return None
    piece = _slice(buf[:comma], decoder, depth)
    return None if piece is None else (comma + 1, piece)


def _top_commas(buf: bytes) -> np.ndarray:
    """The commas of ``buf`` (which starts at an item, outside any text) at the array's own
    level: outside texts (a quote ends or starts one unless an odd run of backslashes is
    before it), no bracket open before them."""
    arr = np.frombuffer(buf, dtype=np.uint8)
    quotes = _unescaped_quotes(arr, buf)
    opening = (arr == 123) | (arr == 91)
    brackets = np.flatnonzero(opening | (arr == 125) | (arr == 93))
    brackets = brackets[(np.searchsorted(quotes, brackets) & 1) == 0]
    commas = np.flatnonzero(arr == 44)
    commas = commas[(np.searchsorted(quotes, commas) & 1) == 0]
    depth = np.cumsum(np.where(opening[brackets], 1, -1))
    before = np.searchsorted(brackets, commas)
    at = np.where(before > 0, depth[np.maximum(before - 1, 0)], 0) if len(depth) else before * 0
    return commas[at == 0]


def _slice(data: bytes, decoder: msgspec.json.Decoder[Any] | None, depth: int) -> Slice | None:
    """``[`` + ``data`` + ``]`` decoded (a Slice), or None when it is no JSON array —
    decoded ``depth`` arrays deep (:attr:`Layout.depth`)."""
    text = b"[" * depth + data + b"]" * depth
    if decoder is not None and b"\x00" not in text:
        try:
            return Slice(0, text, depth, _unwrapped(decoder.decode(text), depth))
        except (msgspec.DecodeError, RecursionError):  # (ValidationError too: JSON, but
            pass  # not what the structs read; or what msgspec refuses and json reads)
    got = _unwrapped(_decoded(text), depth)
    return None if got is None else Slice(0, text, depth, None, got)


def _unwrapped(value: Any, depth: int) -> list[Any] | None:
    """The items of a slice decoded ``depth`` arrays deep; None when it is not so."""
    for _ in range(depth - 1):
        if not isinstance(value, list) or len(value) != 1:
            return None
        value = value[0]
    return value if isinstance(value, list) else None


_DECODERS: dict[tuple[type, int], msgspec.json.Decoder[Any]] = {}


def _decoder(item: type, depth: int) -> msgspec.json.Decoder[Any]:
    """The decoder of a slice of ``item`` structs ``depth`` arrays deep."""
    got = _DECODERS.get((item, depth))
    if got is None:
        kind: Any = list[item]  # type: ignore[valid-type]
        for _ in range(depth - 1):
            kind = list[kind]
        got = _DECODERS[(item, depth)] = msgspec.json.Decoder(kind)
    return got


def _malformed(
    lay: Layout, buf: bytes, line: int, pos: int, *, too_long: bool = False
) -> InputError:
    """The error of an array whose items cannot be read in slices (``buf``: the bytes from
    ``pos``, the file's line ``line``): the whole reading's (its message and place) for a
    file it can read and finds wrong; past it, the same message at the same place
    (:func:`_syntax_error`); else the decoder's reason at its line and column, or the
    stretch too long to cut."""
    if not lay.past_limit:
        try:
            _base.load_json(_base.read_text(lay.path, lay.display), lay.display)
        except InputError as exc:
            return exc
    elif not too_long:
        found = _syntax_error(lay, buf, line, pos, to_end=True)
        if found is not None:
            return found
    if too_long:
        return InputError(
            T(
                "消息数组中有一段超过 {m} MiB 的内容，无法分段读取",
                "a stretch of the messages array over {m} MiB: it cannot be read in slices",
            ).format(m=MAX_SLICE >> 20),
            Location(file=lay.display, line=line),
        )
    try:
        _DECODE_ANY(b"[" * lay.depth + buf + b"]" * lay.depth)
        reason = ""
    except (msgspec.DecodeError, RecursionError) as exc:
        reason = str(exc)
    col = None
    at = re.search(r" ?\(byte (\d+)\)", reason)
    if at:  # (the byte of the slice's text, which starts with its "["s)
        byte = min(max(int(at.group(1)) - lay.depth, 0), len(buf))
        line, col = _place(lay.path, buf, line, pos, byte)
        reason = reason[: at.start()] + reason[at.end() :]
    return InputError(
        T(
            "无法分段读取消息数组：{e}",
            "the messages array cannot be read in slices: {e}",
        ).format(e=reason or "?"),
        Location(file=lay.display, line=line, col=col),
    )


#: how near the end of a window (characters) an error may be the window's own cut, not the
#: file's (a number, a literal or an escape cut short)
_CUT_SHORT = 16


def _syntax_error(
    lay: Layout, buf: bytes, line: int, pos: int, *, to_end: bool
) -> InputError | None:
    """The whole reading's error (:func:`_base.load_json`: Python's ``json`` message) of the
    array's bytes ``buf`` from ``pos`` (the file's line ``line``), at the line and column
    (in characters, as the whole reading and an editor count them) where it would name it:
    decoded as deep as the items lie, after an item when a slice was read before (its comma
    is the byte before ``pos``), so that the parser sees what it sees in the whole document.
    None when Python reads it, or (``to_end`` False: ``buf`` a window cut short) when the
    error may be the window's end."""
    if not to_end:  # (a window may end inside a character)
        buf = buf[: _char_start(buf, max(len(buf) - 3, 0))]
    try:
        text = buf.decode("utf-8")
    except UnicodeDecodeError as exc:
        where = Location(file=lay.display, line=line + buf.count(b"\n", 0, exc.start))
        return InputError(NOT_UTF8, where)
    lead = "[" * lay.depth + ("null," if pos > lay.start else "")
    try:
        _base.json_loads(lead + text + "]" * lay.depth)
    except _base.JSONTooDeep:
        return InputError(_base.JSON_TOO_DEEP, Location(file=lay.display))
    except json.JSONDecodeError as exc:
        at = exc.pos - len(lead)  # (characters into ``text``; -1: the comma before it)
        if not to_end and (
            exc.msg.startswith("Unterminated string") or at >= len(text) - _CUT_SHORT
        ):
            return None
        at = min(at, len(text))
        nl = text.rfind("\n", 0, max(at, 0))
        if nl >= 0:
            line, col = line + text.count("\n", 0, at), at - nl
        else:
            col = _chars_before(lay.path, pos) + at + 1
        return InputError(
            _base.JSON_SYNTAX.format(m=exc.msg), Location(file=lay.display, line=line, col=col)
        )
    return None


def _place(path: Path, buf: bytes, line: int, pos: int, byte: int) -> tuple[int, int]:
    """The line and column (characters) of byte ``byte`` of ``buf`` (read from ``pos``, the
    file's line ``line``)."""
    nl = buf.rfind(b"\n", 0, byte)
    if nl >= 0:
        return line + buf.count(b"\n", 0, byte), _chars(buf[nl + 1 : byte]) + 1
    return line, _chars_before(path, pos) + _chars(buf[:byte]) + 1


def _chars(data: bytes) -> int:
    """The UTF-8 characters of ``data`` (its bytes that are no continuation byte)."""
    arr = np.frombuffer(data, dtype=np.uint8)
    return len(data) - int(np.count_nonzero((arr & 0xC0) == 0x80))


def _chars_before(path: Path, pos: int) -> int:
    """The characters of the file's line of byte ``pos`` before it (read back from ``pos``
    :data:`_SCAN` bytes at a time: an error's column only)."""
    count = 0
    with path.open("rb") as fh:
        end = pos
        while end > 0:
            start = max(end - _SCAN, 0)
            block = _read_at(fh, start, end - start)
            nl = block.rfind(b"\n")
            count += _chars(block[nl + 1 :])
            if nl >= 0:
                break
            end = start
    return count


def each(
    lay: Layout,
    item: type | None,
    keys: dict[str, str],
    use: Callable[[list[Any] | Structs, int], Any],
) -> list[Any]:
    """``use(items, first)`` for every slice, in order: its items as :class:`Structs`
    (of ``item``, read by ``keys``) where they decode so, and again as Python values when
    that call raises :class:`Fallback` (before adding anything: the structs hold a value the
    whole document reads otherwise) or they do not. The calls' results, in order."""
    out = []
    for piece in slices(lay, item):
        if piece.structs is not None:
            try:
                out.append(use(Structs(piece.structs, keys), piece.first))
                continue
            except Fallback:
                pass
        out.append(use(piece.values(), piece.first))
    return out
