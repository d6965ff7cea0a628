"""A JSON export too large to hold whole, read a slice of its messages at a time.

Telegram Desktop's export of one chat, DiscordChatExporter's JSON and a chatlog JSON array
are one document each: a few keys (the chat, the guild) and one long array of messages, or
the array alone. Past :data:`STREAM_BYTES` such a file is not read whole (with its parsed
values it would take six to seven times its size in memory, and past 1 GiB it was refused):
the array's items are read :data:`BLOCK` bytes at a time, each slice decoded and added
before the next is read, so the memory the reading takes is bounded by the block, not by the
file. What is read is exactly what the whole document gives:

* **The document around the array.** Its start (``"messages": [`` found in the first
  :data:`EDGE` bytes) and its end (a ``]`` in the last :data:`EDGE` bytes) are taken as the
  array's ends only when the document with the array replaced by a marker text decodes and
  holds that marker under that key (a top-level key, the last of its name: the one a
  decoder keeps). For a document that is the array itself, only white space may follow it.
* **Each cut between two items.** A slice ends at a ``},`` + ``{`` (white space allowed)
  and is used only when ``[`` + the slice + ``]`` decodes: a cut inside a text leaves that
  text unclosed, a cut inside a nested object or array leaves it open — neither decodes —,
  so a slice that decodes is a run of the array's own items, and the slices end to end are
  the array (a cut that does not decode is tried at the separator before it).
* **Each slice's values.** Decoded by the reader's msgspec structs where it can, else by the
  same decoders the whole document would have gone through (msgspec untyped, orjson where
  exact, Python's ``json`` for lone surrogates), so integers, escapes and repeated keys are
  read as the whole document reads them.

A file that is not UTF-8 (a byte-order mark, another encoding) or whose array cannot be
found so is read whole as before (within 1 GiB; past it refused with the reason).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from sqops.errors import InputError, Location
from sqops.i18n import T
from sqops.importers import _base
from sqops.importers._jsonvec import Fallback, Structs, utf8_bytes

#: a document over this many bytes is read in slices when it can be
STREAM_BYTES = 256 << 20
#: the bytes of the array read at a time
BLOCK = 64 << 20
#: the bytes at the start and at the end of the file searched for the array's ends
EDGE = 1 << 20
#: a slice (one item, or items between two separators) larger than this is refused
MAX_SLICE = 512 << 20
#: the marker put in the array's place to prove its ends (no export writes it)
_MARK = "\ue000sqops: the array read in slices\ue000"
_MARK_JSON = msgspec.json.encode(_MARK)
#: a separator between two items of the array (objects): its comma
_SEP = re.compile(rb"\}[ \t\r\n]*(,)[ \t\r\n]*\{")
_SPACE = b" \t\r\n"
_DECODE_ANY = msgspec.json.Decoder().decode


@dataclass(frozen=True)
class Layout:
    """Where a document's array lies: ``head`` is the document decoded with the array
    replaced by :data:`_MARK` (None when the document is the array), ``start`` the byte
    after its ``[``, ``stop`` the byte of its ``]``."""

    path: Path
    display: str
    head: dict[str, Any] | None
    key: str | None
    start: int
    stop: int
    #: the file's line of ``start``
    line: int


def large(path: Path) -> bool:
    """Whether ``path`` is a file past :data:`STREAM_BYTES`."""
    try:
        return path.is_file() and path.stat().st_size > STREAM_BYTES
    except OSError:
        return False


def layout(path: Path, display: str, key: str | None) -> Layout | None:
    """The array under the top-level ``key`` of the document at ``path`` (``key`` None: the
    document is an array), or None when it cannot be found as the module's text says — or
    when the file, within the 1 GiB the whole reading takes, is not plain UTF-8 (a NUL or
    another encoding: the whole reading's decoding policy and messages apply to it)."""
    found = _layout(path, display, key)
    if found is None or path.stat().st_size > _base.MAX_BYTES:
        return found
    return found if _plain(path, key) else None


def _plain(path: Path, key: str | None) -> bool:
    """Whether a file is UTF-8 without a NUL, and names ``key`` (quoted) once only (read
    :data:`BLOCK` bytes at a time): a document with the key twice — the last one is the
    one decoders keep — is read whole."""
    rest, named = b"", 0
    quoted = None if key is None else b'"' + key.encode() + b'"'
    with path.open("rb") as fh:
        while True:
            block = fh.read(BLOCK)
            buf = rest + block if rest else block
            cut = buf.rfind(b"\n") + 1 if block else len(buf)  # (never inside a text)
            part, rest = buf[:cut], buf[cut:]
            if b"\x00" in part or not (part.isascii() or utf8_bytes(part)):
                return False
            if quoted is not None:
                named += part.count(quoted)
            if not block:
                return quoted is None or named == 1


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
    if key is None:
        body = head.lstrip(_SPACE)
        stripped = tail.rstrip(_SPACE)
        if not body.startswith(b"[") or not stripped.endswith(b"]"):
            return None
        start = len(head) - len(body) + 1
        stop = tail_at + len(stripped) - 1
        line = head.count(b"\n", 0, start) + 1
        return Layout(path, display, None, None, start, stop, line) if start <= stop else None
    pattern = re.compile(rb'"' + re.escape(key.encode()) + rb'"[ \t\r\n]*:[ \t\r\n]*\[')
    for found in pattern.finditer(head):
        prefix = head[: found.end() - 1]
        # the array's "]": of the last few in the tail, the first whose rest closes the
        # document (a "]" inside the array leaves its real end unmatched: no JSON; one of a
        # key after the array, or in a text there, closes it too, later)
        closes = [m.start() for m in re.finditer(rb"\]", tail)][-8:]
        best = None
        for at in reversed(closes):
            if tail_at + at < found.end():
                break
            doc = _decoded(prefix + _MARK_JSON + tail[at + 1 :])
            if isinstance(doc, dict) and doc.get(key) == _MARK:
                line = head.count(b"\n", 0, found.end()) + 1
                best = Layout(path, display, doc, key, found.end(), tail_at + at, line)
        if best is not None:
            return best
    return None


def _decoded(data: bytes) -> Any:
    """``data`` decoded as the whole document would be (msgspec; orjson where exact; the
    standard library's ``json``), or None when none of them reads it."""
    if b"\x00" in data:
        return None
    try:
        return _DECODE_ANY(data)
    except (msgspec.DecodeError, RecursionError):
        pass
    value = _base.exact_orjson(data)
    if value is not _base.EXACT_REFUSED and value is not _base.EXACT_WIDE:
        return value
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
    structs: list[Any] | None
    _values: list[Any] | None = None

    def values(self) -> list[Any]:
        if self._values is None:
            got = _decoded(self.data)
            assert isinstance(got, list)  # (it decoded as an array when it was cut)
            self._values = got
        return self._values

    def __len__(self) -> int:
        return len(self.structs if self.structs is not None else self.values())


def slices(lay: Layout, decoder: msgspec.json.Decoder[Any] | None) -> Iterator[Slice]:
    """The array's items, a slice at a time (``decoder``: the reader's, of a list of
    structs; None: Python values only)."""
    first = 0
    line = lay.line  # (the file's line at ``pos``: for an error's place)
    with lay.path.open("rb") as fh:
        fh.seek(lay.start)
        pos, buf = lay.start, b""
        while pos < lay.stop:
            want = min(BLOCK, lay.stop - pos)
            if len(buf) < want:
                buf += fh.read(want - len(buf))
            got = _cut(buf, pos + len(buf) >= lay.stop, decoder)
            while got is None:  # (no cut decodes in this window: a larger one)
                if len(buf) >= lay.stop - pos:
                    raise _malformed(lay, buf, line)
                if len(buf) >= MAX_SLICE:
                    raise InputError(
                        T(
                            "消息数组中有一段超过 {m} MiB 的内容无法分段读取",
                            "a stretch of the messages array over {m} MiB cannot be read in slices",
                        ).format(m=MAX_SLICE >> 20),
                        Location(file=lay.display, line=line),
                    )
                buf += fh.read(min(len(buf), lay.stop - pos - len(buf)))
                got = _cut(buf, pos + len(buf) >= lay.stop, decoder)
            used, piece = got
            if not len(piece) and first:  # (only an empty array has a slice of no item)
                raise _malformed(lay, buf, line)
            if not piece.data.isascii() and not utf8_bytes(piece.data):
                raise InputError(
                    T("不是 UTF-8 编码", "is not UTF-8"), Location(file=lay.display, line=line)
                )
            piece.first = first
            yield piece
            first += len(piece)
            line += buf.count(b"\n", 0, used)
            pos += used
            buf = buf[used:]


def _cut(
    buf: bytes, to_end: bool, decoder: msgspec.json.Decoder[Any] | None
) -> tuple[int, Slice] | None:
    """The longest run of whole items at the start of ``buf`` (all of it when ``to_end``):
    the bytes it takes with the separator after it, and the slice; None when no cut decodes."""
    if to_end:
        piece = _slice(buf, decoder)
        return None if piece is None else (len(buf), piece)
    seps = [m.start(1) for m in _SEP.finditer(buf, max(len(buf) - EDGE, 0))]
    if not seps:
        seps = [m.start(1) for m in _SEP.finditer(buf)]
    for comma in reversed(seps[-8:]):
        piece = _slice(buf[:comma], decoder)
        if piece is not None:
            return comma + 1, piece
    return None


def _slice(data: bytes, decoder: msgspec.json.Decoder[Any] | None) -> Slice | None:
    """``[`` + ``data`` + ``]`` decoded (a Slice), or None when it is no JSON array."""
    text = b"[" + data + b"]"
    if decoder is not None and b"\x00" not in text:
        try:
            return Slice(0, text, decoder.decode(text))
        except msgspec.ValidationError:  # (JSON, but not what the structs read)
            pass
        except (msgspec.DecodeError, RecursionError):
            return None
    got = _decoded(text)
    return Slice(0, text, None, got) if isinstance(got, list) else None


def _malformed(lay: Layout, buf: bytes, line: int) -> InputError:
    """The error of an array whose items do not decode: the whole reading's (its message and
    place) for a file it can read, else the decoder's reason, at its line."""
    if lay.path.stat().st_size <= _base.MAX_BYTES:
        try:
            _base.load_json(_base.read_text(lay.path, lay.display), lay.display)
        except InputError as exc:
            return exc
    text = b"[" + buf + b"]"
    try:
        _DECODE_ANY(text)
        reason = ""
    except (msgspec.DecodeError, RecursionError) as exc:
        reason = str(exc)
    at = re.search(r"\(byte (\d+)\)", reason)
    if at:  # (the byte of the slice's text, which starts one "[" before the buffer)
        line += buf.count(b"\n", 0, max(int(at.group(1)) - 1, 0))
    return InputError(
        T("JSON 无效：{e}", "invalid JSON: {e}").format(e=reason or "?"),
        Location(file=lay.display, line=line),
    )


def each(
    lay: Layout,
    decoder: msgspec.json.Decoder[Any] | None,
    keys: dict[str, str],
    use: Callable[[list[Any] | Structs, int], Any],
) -> list[Any]:
    """``use(items, first)`` for every slice, in order: its items as :class:`Structs`
    (``decoder``'s, read by ``keys``) where they decode so, and again as Python values when
    that call raises :class:`Fallback` (before adding anything: the structs hold a value the
    whole document reads otherwise) or they do not. The calls' results, in order."""
    out = []
    for piece in slices(lay, decoder):
        if piece.structs is not None:
            try:
                out.append(use(Structs(piece.structs, keys), piece.first))
                continue
            except Fallback:
                pass
        out.append(use(piece.values(), piece.first))
    return out
