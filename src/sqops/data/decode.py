"""One decoding policy for every text file sqops reads: exports, data tables, groups CSVs and
hand-written files (SOPs, scripts, column maps).

The policy, in order:

1. a byte-order mark says the encoding: UTF-8 (BOM removed) or UTF-16 LE/BE;
2. else the text is UTF-8 if every byte of it is;
3. else, when the file is UTF-8 but for some lines (its BOM says UTF-8, or of its first 1,000
   lines with non-ASCII text more are UTF-8 with CJK or other characters past U+07FF than are
   not UTF-8 at all), an error naming the first line that is not UTF-8: decoding it all as
   GB18030 would turn every UTF-8 name into mojibake;
4. else GB18030 (a superset of GBK and GB2312: what Excel and WeChat tools on Chinese
   Windows write) if every byte fits;
5. else an error naming the file and the line of the first byte that is not UTF-8.

Hand-written files (``hand_written=True``) stop after step 2: a file people edit should be
UTF-8, and the error says how to save it so (and that it looks like GBK when it does).
Text containing a NUL character is refused: it is not a text file.

:func:`decode_bytes` applies it to bytes in memory; :func:`detect_file_encoding` to a file on
disk read in chunks (bounded memory), for readers that take a file and an encoding.
Pure Python: imported on the ``sqops lint`` path.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterable
from pathlib import Path

from sqops.errors import InputError, Location
from sqops.i18n import T

_UTF8_BOM = codecs.BOM_UTF8
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)

UNKNOWN_ENCODING = T(
    "无法识别文件编码（支持 UTF-8、UTF-8 BOM、UTF-16、GB18030）",
    "unknown text encoding (supported: UTF-8, UTF-8 with BOM, UTF-16, GB18030)",
)


#: the most characters of user data an error message quotes
MAX_QUOTED = 200


def clip(text: str, limit: int = MAX_QUOTED) -> str:
    """``text`` cut to ``limit`` characters (with an ellipsis) for quoting in a message: a
    50 MB header line must not make a 50 MB error."""
    return text if len(text) <= limit else text[:limit] + "…"


def what_failed(exc: BaseException) -> str:
    """A reader's exception for a message: its first line, clipped (its type without one)."""
    text = str(exc)
    return clip(text.splitlines()[0]) if text else type(exc).__name__


def bom_encoding(head: bytes) -> str | None:
    """The encoding a byte-order mark at the start of ``head`` names (None: no mark)."""
    if head.startswith(_UTF8_BOM):
        return "utf-8-sig"
    if head.startswith(_UTF16_BOMS):
        return "utf-16"
    return None


#: lines with non-ASCII text sampled to tell a UTF-8 file with bad lines from a GB18030 file
SAMPLE_LINES = 1000


def mostly_utf8(lines: Iterable[bytes]) -> bool:
    """Whether text that is not all UTF-8 is UTF-8 but for some lines: of the first
    :data:`SAMPLE_LINES` lines with non-ASCII bytes, more decode as UTF-8 with a character past
    U+07FF (CJK: what GBK text almost never forms by chance, about 1 line in 1,000) than do not
    decode as UTF-8 at all."""
    good = bad = seen = 0
    for raw in lines:
        for line in raw.split(b"\r"):
            if line.isascii():
                continue
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError:
                bad += 1
            else:
                good += max(text) >= "\u0800"
            seen += 1
            if seen >= SAMPLE_LINES:
                return good > bad
    return good > bad


def _mixed(display: str, line: int) -> InputError:
    return InputError(
        T(
            "第 {l} 行不是 UTF-8 编码，而文件的其余部分是 UTF-8（可能混入了 GBK 的行）；"
            "请修正这一行，或把整个文件另存为 UTF-8",
            "line {l} is not UTF-8 while the rest of the file is (a GBK line mixed in?); fix "
            "that line, or save the whole file as UTF-8",
        ).format(l=line),
        Location(file=display, line=line),
    )


def _line_col(data: bytes, pos: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, pos) + 1
    return line, pos - (data.rfind(b"\n", 0, pos) + 1) + 1


#: what a text holding a NUL character is told
NUL_CHARACTER = T(
    "文件包含 NUL 字符，不是文本文件", "file contains a NUL character: not a text file"
)


def decode_bytes(data: bytes, display: str, *, hand_written: bool = False) -> tuple[str, str]:
    """Bytes → (text, encoding name) by the policy above; :class:`InputError` naming
    ``display`` and the line otherwise. The text carries no byte-order mark."""
    enc = bom_encoding(data)
    if enc == "utf-16" and hand_written:
        raise InputError(
            T("文件是 UTF-16 编码；请另存为 UTF-8", "file is UTF-16 encoded; save it as UTF-8"),
            Location(file=display, line=1, col=1),
        )
    body = data[len(_UTF8_BOM) :] if enc == "utf-8-sig" else data
    try:
        text = body.decode(enc or "utf-8")
        enc = enc or "utf-8"
    except UnicodeDecodeError as exc:
        # (exc.start counts in ``body``, which is ``data`` less a UTF-8 BOM)
        if enc == "utf-8-sig" and not hand_written:  # its BOM says UTF-8: a line is not
            raise _mixed(display, _line_col(body, exc.start)[0]) from None
        if enc is not None:
            raise _not_decoded(body, exc.start, display, hand_written) from None
        if not hand_written and mostly_utf8(io.BytesIO(body)):
            raise _mixed(display, _line_col(body, exc.start)[0]) from None
        try:
            gb = body.decode("gb18030")
        except UnicodeDecodeError:
            gb = None
        if hand_written or gb is None:
            # point at the first byte that is not UTF-8 (most files are UTF-8)
            raise _not_decoded(body, exc.start, display, hand_written, gbk=gb is not None) from None
        text, enc = gb, "gb18030"
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        idx = text.index("\x00")
        raise InputError(
            NUL_CHARACTER,
            Location(file=display, line=text.count("\n", 0, idx) + 1),
        )
    return text, enc


def _not_decoded(
    data: bytes, pos: int, display: str, hand_written: bool, gbk: bool = False
) -> InputError:
    line, col = _line_col(data, pos)
    if not hand_written:
        return InputError(UNKNOWN_ENCODING, Location(file=display, line=line))
    if gbk:
        text = T(
            "文件不是 UTF-8 编码（看起来是 GBK/GB18030）；请用编辑器另存为 UTF-8",
            "file is not UTF-8 (it looks like GBK/GB18030); save it as UTF-8 in your editor",
        )
    else:
        text = T("文件不是 UTF-8 编码；请另存为 UTF-8", "file is not UTF-8; save it as UTF-8")
    return InputError(text, Location(file=display, line=line, col=col))


def detect_file_encoding(
    path: Path, display: str | None = None, *, hint: T | None = None, chunk: int = 1 << 20
) -> str:
    """The encoding of a file on disk by the same policy, read in chunks: ``utf-8`` (with or
    without BOM), ``utf-16`` (with its BOM) or ``gb18030``; :class:`InputError` when none
    fits, naming the line of the first byte that is not UTF-8 (and ``hint``, what to do)."""
    display = display or path.as_posix()
    with path.open("rb") as fh:
        head = fh.read(4)
    bom = bom_encoding(head)
    if bom == "utf-16":
        return "utf-16"
    first_bad: int | None = None
    for enc in ("utf-8", "gb18030"):
        if first_bad is not None:
            if bom == "utf-8-sig":  # its BOM says UTF-8: a line is not
                raise _mixed(display, line_of_byte(path, first_bad))
            with path.open("rb") as fh:
                if mostly_utf8(fh):
                    raise _mixed(display, line_of_byte(path, first_bad))
        dec = codecs.getincrementaldecoder(enc)()
        offset = 0
        try:
            with path.open("rb") as fh:
                while block := fh.read(chunk):
                    dec.decode(block)
                    offset += len(block)
                dec.decode(b"", final=True)
            return enc
        except UnicodeDecodeError as exc:
            if first_bad is None:
                first_bad = offset + exc.start
    assert first_bad is not None
    line = line_of_byte(path, first_bad)
    text = UNKNOWN_ENCODING if hint is None else UNKNOWN_ENCODING + T("；", "; ") + hint
    raise InputError(text, Location(file=display, line=line))


def line_of_byte(path: Path, pos: int, chunk: int = 1 << 20) -> int:
    """The 1-based line of byte ``pos`` of a file, counted in chunks (bounded memory)."""
    line = 1
    with path.open("rb") as fh:
        while pos > 0 and (block := fh.read(min(chunk, pos))):
            line += block.count(b"\n")
            pos -= len(block)
    return line
