"""A CSV export's records read by polars' own (multithreaded) CSV reader, exactly as
:func:`sqops.importers._base.read_csv_frame` reads them with Python's :mod:`csv` module —
or ``None`` when that cannot be guaranteed (the caller then takes the exact reading).

Why it is the same: Python's csv module (the excel dialect, ``strict=False``) and polars
read a CSV differently only where a quote stands somewhere else than where a CSV writer puts
it. Before polars' read is used, every quote of the bytes is checked (numpy, no Python per
row or quote: :func:`_scan`) to be *well placed*: counting the quotes from the start, an
opening one (1st, 3rd, ...) follows the start of the text, a delimiter, a line end or the
closing quote just before it (``""`` inside a quoted field), and a closing one is followed
by a delimiter, a line end, the CR of a CR LF, the end of the text or the next opening one.
In such a text a line end ends a record exactly when the quotes before it are even; both
readers then split the same records into the same fields, at the delimiters outside quotes
(those after an even number of quotes), unquoted ones as they stand, quoted ones without
their quotes and with ``""`` read as ``"`` (a line end inside keeps its CR LF). The text must
be UTF-8 (polars checks each field; a surrogate or a stray byte is an error), without NUL,
and without a carriage return that ends no line. What polars cannot say, each row's number
of cells (it reads a short row's missing cells as empty), is its delimiters outside quotes
and one — none for an empty line —, counted in the same scan. Differential tests
(``tests/importers/test_csvfast.py``, ``test_csvfast2.py``) compare the two readers on random
texts with quotes, line breaks, BOM, CR LF, empty and ragged rows, and the scan, in chunks as
small as 64 bytes, with the positions of quotes, line ends and delimiters searched.

Since the scan counts every record's cells and checks every quote, polars need parse only the
cells a reader reads (``columns``: Shopify's 9 of 15); the others are null columns, the header
is read from the first line's text, and a record blank in the cells read is told blank or not
from its own text (``tests/importers/test_csvcol7.py``).
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextvars import ContextVar
from pathlib import Path
from typing import NamedTuple

import numpy as np
import polars as pl

#: under a memory limit (:func:`bounded`) a CSV export over 1/BLOCKS_SHARE of it is read in
#: blocks whatever its size: read at once, an export takes ~5x its size at the peak (a 259 MB
#: chatlog CSV: 1,409 MB under a 1G limit, session 18)
BLOCKS_SHARE = 8
_LIMIT: ContextVar[int | None] = ContextVar("sqops_import_memory_limit", default=None)


@contextlib.contextmanager
def bounded(limit: int | None) -> Iterator[None]:
    """Within the block, the import's memory limit (bytes; None: none) decides
    :func:`past_share`."""
    token = _LIMIT.set(limit)
    try:
        yield
    finally:
        _LIMIT.reset(token)


def block_bytes(most: int) -> int:
    """The bytes of a block of a CSV export read in blocks: ``most``, or 1/16 of the memory
    limit of the import running when that is less (at least 1 MiB): a block being read
    takes ~5x its size (64 MiB blocks under a 512M limit: 748 MB)."""
    limit = _LIMIT.get()
    return most if limit is None else min(most, max(limit // (2 * BLOCKS_SHARE), 1 << 20))


def past_share(path: Path) -> bool:
    """Whether ``path`` is a file over 1/:data:`BLOCKS_SHARE` of the memory limit of the
    import running (:func:`bounded`): read in blocks, as a file over 256 MiB is."""
    limit = _LIMIT.get()
    if limit is None:
        return False
    try:
        return path.is_file() and path.stat().st_size > limit // BLOCKS_SHARE
    except OSError:
        return False


#: the longest field Python's csv module reads (``csv.field_size_limit()``); a longer line
#: is read the exact way (it may hold such a field)
_FIELD_LIMIT = csv.field_size_limit()
_BOM = b"\xef\xbb\xbf"
#: the white space of Python's ``str.strip()`` (as ``_base.PY_SPACES``)
PY_SPACES = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
    "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
#: a text of white space only (:data:`PY_SPACES`), or empty
_ALL_SPACE = "^[" + "".join(f"\\x{{{ord(c):X}}}" for c in PY_SPACES) + "]*$"


def sniff_delimiter(data: bytes, nl: np.ndarray) -> str | None:
    """The delimiter :func:`_base._csv_block` sniffs: of comma, tab and semicolon, the most
    frequent in the first line that is not blank (comma when none is). ``None`` when a line
    before it is not UTF-8 (the exact reading decides)."""
    start = 0
    ends = nl[:4096].tolist() + ([len(data)] if len(nl) <= 4096 else [])
    for end in ends:
        try:
            line = data[start:end].decode("utf-8").removesuffix("\r")
        except UnicodeDecodeError:
            return None
        if line.strip():
            return max((",", "\t", ";"), key=line.count)
        start = end + 1
        if start >= len(data):
            return ","
    return None


def fast_records(
    data: bytes,
    delim: str | None,
    base: int,
    *,
    last: bool,
    columns: Sequence[int] | None = None,
) -> tuple[pl.DataFrame, str, int, int] | None:
    """The non-blank records of ``data`` (UTF-8 bytes from line ``base`` of the file on, a
    BOM already removed) as ``_line`` (Int64: the file's line of the record's first line),
    ``_n`` (UInt32: its number of cells) and ``c0``, ``c1``, ... (its cells, null past its
    end); the delimiter (sniffed when ``delim`` is None); the bytes read (unless ``last``,
    the records that end before a line end where a quoted field may go on, all of them
    else); and the lines read. ``None`` when the exact reading must read it.

    ``columns``: the only cells the caller reads (ascending). Polars then parses only these
    (:func:`_polars_read`); the other cell columns are there, null in every record — the
    records, their cell counts, which are blank and the text's checks (UTF-8: polars checks
    the whole text whichever columns it parses) are those of the whole reading."""
    if not data or b"\x00" in data or data.startswith(_BOM):
        return None
    # (no CR at all, most texts: one scan, not two counts; a CR: the counts compare them)
    has_cr = data.find(b"\r") >= 0
    if has_cr and data.count(b"\r") != data.count(b"\r\n"):
        return None
    arr = np.frombuffer(data, dtype=np.uint8)
    if delim is None:  # (from the first lines: the sniff needs no more)
        delim = sniff_delimiter(data, _head_lines(arr))
        if delim is None:
            return None
    # a whole text (``last``) is read by polars while its line ends and quotes are found
    # and checked here (numpy lets go of the interpreter too): the read is used only once
    # the quotes are well placed
    pool = ThreadPoolExecutor(1) if last and len(data) >= ALONGSIDE_BYTES else None
    try:
        pending = None if pool is None else pool.submit(_polars_read, data, delim, columns)
        scan = _scan(arr, ord(delim), has_cr)
        nl = scan.nl
        if len(data) - (int(nl[-1]) + 1 if len(nl) else 0) > _FIELD_LIMIT:
            return None
        if len(nl) and (
            int(nl[0]) + 1 > _FIELD_LIMIT or (len(nl) > 1 and int(np.diff(nl).max()) > _FIELD_LIMIT)
        ):
            return None
        got = _records_of(data, arr, scan, delim, base, last, pending, columns)
        if got is _EVERY_CELL:  # (many records blank in the cells read: all read, as before)
            got = _records_of(data, arr, scan, delim, base, last, None, None)
        assert got is not _EVERY_CELL
        return got
    finally:
        if pool is not None:
            pool.shutdown()


def first_line_cells(data: bytes) -> tuple[str, list[str]] | None:
    """The delimiter :func:`fast_records` sniffs in ``data`` (UTF-8, no BOM) and the cells
    of its first line — the header :func:`fast_records` reads when that line is not blank
    and no quoted cell goes on past it (its quotes are even); ``None`` else."""
    arr = np.frombuffer(data, dtype=np.uint8)
    nl = _head_lines(arr)
    delim = sniff_delimiter(data, nl)
    end = int(nl[0]) if len(nl) else len(data)
    if delim is None or end > _FIELD_LIMIT:
        return None
    try:
        line = data[:end].decode("utf-8").removesuffix("\r")
    except UnicodeDecodeError:
        return None
    if line.count('"') % 2 or "\r" in line or "\x00" in line:
        return None
    cells = next(csv.reader([line], delimiter=delim), [])
    return (delim, cells) if any(c.strip() for c in cells) else None


def _head_lines(arr: np.ndarray) -> np.ndarray:
    """The line ends :func:`sniff_delimiter` looks at: those of the text's first bytes, more
    than 4096 of them (it reads the first 4096 lines and whether there are more), or all."""
    stop = 1 << 16
    while True:
        nl = positions(arr[:stop], 10)
        if len(nl) > 4096 or stop >= len(arr):
            return nl
        stop *= 4


#: texts of at least this many bytes are read by polars alongside the quote check
ALONGSIDE_BYTES = 1 << 20


def _polars_read(
    data: bytes, delim: str, columns: Sequence[int] | None = None
) -> pl.DataFrame | None:
    """``data``'s records as polars reads them (every cell text; only the cells
    ``columns`` when given, named ``c0``, ``c1``... by their place), or None when it
    refuses."""
    try:
        read = pl.read_csv(
            data,
            has_header=False,
            separator=delim,
            quote_char='"',
            infer_schema=False,
            empty_string_is_null=False,
            raise_if_empty=False,
            columns=None if columns is None else list(columns),
        )
        if columns is not None:  # (polars names them column_1, column_2... by their place)
            read = read.rename(dict(zip(read.columns, (f"c{i}" for i in columns), strict=True)))
    except Exception:  # polars reads it otherwise: the exact reading decides
        return None
    # one chunk per column (polars reads in several; in the reading thread, beside the
    # quote check): the columns added after are one chunk, and the first eager query over
    # columns cut otherwise copies them slowly
    return read.rechunk()


#: :func:`_records_of`'s answer when more records than :data:`_FEW_BLANK` are blank in the
#: cells read (only the others can tell whether they are blank: polars reads them all then)
_EVERY_CELL: tuple[pl.DataFrame, str, int, int] = (pl.DataFrame(), "", 0, 0)
_FEW_BLANK = 4096


def _records_of(
    data: bytes,
    arr: np.ndarray,
    scan: Scan,
    delim: str,
    base: int,
    last: bool,
    pending: Future[pl.DataFrame | None] | None,
    columns: Sequence[int] | None = None,
) -> tuple[pl.DataFrame, str, int, int] | None:
    """:func:`fast_records` once the text is scanned (``pending``: polars' read of the
    whole text, when it is being read already; ``columns``: the cells read, as there)."""
    size = len(data)
    nl = scan.nl
    # a line end ends a record where the quotes before it are even
    ends_at = np.flatnonzero(~scan.quoted)
    if last:
        if scan.quotes & 1:
            return None
        used = size
    else:
        if not len(ends_at):
            return None
        used = int(nl[ends_at[-1]]) + 1
    if 0 <= scan.misplaced < used:  # (a quote where a CSV writer puts none)
        return None
    ends = nl[ends_at]
    tail = used > (int(ends[-1]) + 1 if len(ends) else 0)  # a last record without a line end
    # a record of several lines longer than the csv module's field limit (each line is
    # shorter: checked before) may hold a field past it: the exact reading says so
    bounds = np.concatenate(([-1], ends, [used - 1] if tail else []))
    if len(bounds) > 1 and int(np.diff(bounds).max()) > _FIELD_LIMIT:
        return None
    records = len(ends) + tail
    lines = (int(ends_at[-1]) + 1 if len(ends_at) else 0) + tail
    if pending is not None:
        read = pending.result()
    else:
        read = _polars_read(data if used == size else data[:used], delim, columns)
    if read is None:
        return None
    frame = read
    if frame.height != records:
        return None
    if columns is None:
        width = frame.width
        frame = frame.rename(dict(zip(frame.columns, (f"c{i}" for i in range(width)), strict=True)))
    # the first line of each record, in the file
    first = np.zeros(records, dtype=np.int64)
    first[1:] = ends_at[: records - 1] + 1
    frame = frame.with_columns(pl.Series("_line", first + (base + 1)))
    # each record's cells: its delimiters outside quotes and one (an empty line: none);
    # polars reads a short record's missing cells as ""
    heads = np.zeros(records, dtype=np.int64)
    heads[1:] = ends[: records - 1] + 1
    stops = np.append(ends, used)[:records]
    outside = np.append(scan.delims[ends_at], scan.outside)[:records]
    counts = np.diff(outside, prepend=0) + 1
    if columns is not None:  # polars' width: the cells of the text's first record
        if not records or (len(columns) and columns[-1] >= int(counts[0])):
            return None
        width = int(counts[0])
        # (the cells not read: null in every record, a constant column)
        frame = frame.with_columns(
            pl.lit(None, pl.String).alias(f"c{i}") for i in range(width) if i not in columns
        )
    if len(counts) and int(counts.max()) > width:
        return None
    for r in np.flatnonzero(stops - heads <= 1).tolist():  # "" or a CR before the line end
        if heads[r] == stops[r] or arr[heads[r]] == 13:
            counts[r] = 0
    frame = frame.with_columns(pl.Series("_n", counts, dtype=pl.UInt32))
    cells = [f"c{i}" for i in range(width)]
    parsed = range(width) if columns is None else columns
    least = int(counts.min()) if records else width
    if least < width:  # the cells past a short row's end are null (columns all rows fill: kept)
        frame = frame.with_columns(
            pl.when(pl.col("_n") > i).then(pl.col(f"c{i}")).alias(f"c{i}")
            for i in parsed
            if i >= least
        )
    # blank rows (every cell white space) are no records: only a row whose first cell is
    # blank can be one, and only a record whose first byte is no visible ASCII character
    # (a space, a quote, the delimiter, a line end, or a byte of a longer character) — nor,
    # after a quote that opens it, its second byte
    last_byte = max(used - 1, 0)
    first_byte = arr[np.minimum(heads, last_byte)] if used else np.zeros(0, np.uint8)
    unsure = _unsure(first_byte, ord(delim))
    quoted = np.flatnonzero(unsure & (first_byte == 34))
    if len(quoted):  # (a record whose first cell is quoted: the byte after the quote)
        unsure[quoted] = _unsure(arr[np.minimum(heads[quoted] + 1, last_byte)], ord(delim))
    unsure |= heads >= used
    cand = pl.Series(np.flatnonzero(unsure), dtype=pl.Int64)
    if columns is not None:  # (the cells not read: told from the record's own text)
        blank_at = _blank_records(data, frame, cand, columns, heads, stops, delim)
        if blank_at is None:
            return _EVERY_CELL
        if len(blank_at):
            keep = np.ones(records, dtype=bool)
            keep[blank_at] = False
            frame = frame.filter(pl.Series(keep))
        return frame.select("_line", "_n", *cells), delim, used, lines
    head_cells = frame[cells[0]].gather(cand)
    maybe_blank = cand.filter(
        head_cells.is_null() | head_cells.str.contains(_ALL_SPACE).fill_null(False)
    )
    if maybe_blank.len():
        blank = pl.all_horizontal(
            pl.col(c).is_null() | (pl.col(c).str.strip_chars(PY_SPACES) == "") for c in cells
        )
        drop = maybe_blank.filter(frame[maybe_blank].select(blank).to_series()).to_numpy()
        if len(drop):
            keep = np.ones(records, dtype=bool)
            keep[drop] = False
            frame = frame.filter(pl.Series(keep))
    return frame.select("_line", "_n", *cells), delim, used, lines


def _blank_records(
    data: bytes,
    frame: pl.DataFrame,
    cand: pl.Series,
    columns: Sequence[int],
    heads: np.ndarray,
    stops: np.ndarray,
    delim: str,
) -> np.ndarray | None:
    """Which of the records ``cand`` are blank (every cell white space, or none), when
    polars read only the cells ``columns``: those whose cells read are blank, each then
    read whole from its text by the csv module (the same cells: the text's quotes are well
    placed); ``None`` when more than :data:`_FEW_BLANK` are blank in the cells read."""
    maybe = cand
    for i in columns:
        if not maybe.len():
            break
        got = frame[f"c{i}"].gather(maybe)
        maybe = maybe.filter(got.is_null() | got.str.contains(_ALL_SPACE).fill_null(False))
    if maybe.len() > _FEW_BLANK:
        return None
    blank = []
    for r in maybe.to_list():
        text = data[heads[r] : stops[r]].decode("utf-8")  # (UTF-8: polars read it)
        cells = next(csv.reader(io.StringIO(text, newline=""), delimiter=delim), [])
        if not any(c.strip() for c in cells):
            blank.append(r)
    return np.array(blank, dtype=np.int64)


def _unsure(first: np.ndarray, delim: int) -> np.ndarray:
    """Whether a cell starting with the byte ``first`` may be white space only: it is no
    visible ASCII character (a space, a control character, a byte of a longer character),
    or a quote, or the delimiter."""
    return (first < 0x21) | (first >= 0x7F) | (first == 34) | (first == delim)


#: bytes scanned at a time (a multiple of 64; the buffers of one chunk stay in the cache)
_CHUNK = 1 << 19


def positions(arr: np.ndarray, byte: int) -> np.ndarray:
    """The positions of ``byte`` in ``arr`` (``np.flatnonzero(arr == byte)``, a chunk at a
    time into one reused buffer: no fresh array as large as the text to fault in)."""
    buf = np.empty(min(len(arr), _CHUNK), dtype=bool)
    found = []
    for at in range(0, len(arr), _CHUNK):
        part = arr[at : at + _CHUNK]
        hit = buf[: len(part)]
        np.equal(part, byte, out=hit)
        found.append(np.flatnonzero(hit) + at)
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


class Scan(NamedTuple):
    """What :func:`_scan` finds in a text."""

    #: the positions of its line ends (LF)
    nl: np.ndarray
    #: for each line end, whether the quotes before it are odd (it is inside a quoted field)
    quoted: np.ndarray
    #: for each line end, the delimiters before it outside quotes
    delims: np.ndarray
    #: the text's quotes
    quotes: int
    #: the text's delimiters outside quotes
    outside: int
    #: the first quote that is not well placed (see the module's text), or -1
    misplaced: int


_U1 = np.uint64(1)
_ALL = np.uint64(0xFFFF_FFFF_FFFF_FFFF)
_SHIFTS = tuple(np.uint64(k) for k in (1, 2, 4, 8, 16, 32))
_TOP = np.uint64(63)


def _bit_table() -> np.ndarray:
    """For each byte, its set bits, lowest first (zeros after them)."""
    table = np.zeros((256, 8), dtype=np.int64)
    for v in range(256):
        ones = [i for i in range(8) if v >> i & 1]
        table[v, : len(ones)] = ones
    return table


#: each byte's number of set bits; its set bits, lowest first; its lowest
_POP = np.array([bin(v).count("1") for v in range(256)], dtype=np.int64)
_NTH = _bit_table()
_LOW = _NTH[:, 0].copy()


def _bits(mask: np.ndarray) -> np.ndarray:
    """``mask`` as bits: bit ``i % 64`` of word ``i // 64`` is ``mask[i]`` (zeros past it)."""
    packed = np.packbits(mask, bitorder="little")
    if len(packed) % 8:
        packed = np.concatenate([packed, np.zeros(8 - len(packed) % 8, dtype=np.uint8)])
    return packed.view("<u8")


def _set_bits(words: np.ndarray, flags: np.ndarray) -> np.ndarray:
    """The positions of the set bits of ``words`` (as :func:`_bits` numbers them), ascending
    (``flags``: a buffer of at least ``8 * len(words)`` bools)."""
    packed = words.view(np.uint8)
    nz = np.flatnonzero(np.not_equal(packed, 0, out=flags[: len(packed)]))
    v = packed[nz]
    if not (v & (v - 1)).any():  # (each byte one bit: most texts' line ends)
        return nz * 8 + _LOW[v]
    count = _POP[v]
    kth = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    return np.repeat(nz, count) * 8 + _NTH[np.repeat(v, count), kth]


def _below(words: np.ndarray, at: np.ndarray, bit: np.ndarray) -> np.ndarray:
    """For each ``(at, bit)``, the set bits of ``words[at]`` below ``bit``."""
    return np.bitwise_count(words[at] & ((_U1 << bit) - _U1)).astype(np.int64)


def _scan(arr: np.ndarray, delim: int, has_cr: bool) -> Scan:
    """The line ends, the quotes and the delimiters of the text ``arr`` (``has_cr``: it holds
    a carriage return), in one pass a chunk at a time, each byte of interest a bit of 64-bit
    words: the quotes' running parity (whether a byte is inside a quoted field) is each
    word's prefix XOR and the parity of the words before it; a quote is opening where the
    parity, counting it, is odd. An opening quote must follow the start of the text, a
    delimiter, a line end or a quote (the closing one just before it: ``""``), a closing one
    precede a delimiter, a line end, a CR, a quote or the end of the text — the quotes'
    check of the module's text, with no position of a quote ever made."""
    size = len(arr)
    flags = np.empty(min(size, _CHUNK) + 64, dtype=bool)  # (a short chunk's words: 8 bytes)
    lines: list[np.ndarray] = []
    quoted: list[np.ndarray] = []
    delims: list[np.ndarray] = []
    quotes = outside = 0
    misplaced = -1
    for at in range(0, size, _CHUNK):
        part = arr[at : at + _CHUNK]
        n = len(part)
        hit = flags[:n]
        nlw = _bits(np.equal(part, 10, out=hit))
        qw = _bits(np.equal(part, 34, out=hit))
        dw = _bits(np.equal(part, delim, out=hit))
        # quotes before each word (the chunk's and those before it)
        qn = np.bitwise_count(qw)
        qcum = np.cumsum(qn, dtype=np.int64)
        in_chunk = int(qcum[-1])
        # inside: a byte's quotes up to it (itself included) are odd
        if in_chunk:
            inside = qw.copy()
            for k in _SHIFTS:
                inside ^= inside << k
            inside ^= ((qcum - qn + quotes) & 1).astype(np.uint64) * _ALL
        else:
            inside = np.full(len(qw), _ALL if quotes & 1 else 0, dtype=np.uint64)
        out_d = dw & ~inside
        dn = np.bitwise_count(out_d)
        dcum = np.cumsum(dn, dtype=np.int64)
        if in_chunk and misplaced < 0:
            good = dw | nlw | qw  # (what an opening quote may follow)
            left = good << _SHIFTS[0]
            left[1:] |= good[:-1] >> _TOP
            if at == 0 or arr[at - 1] in (delim, 10, 34):
                left[0] |= _U1
            if has_cr:  # (what a closing quote may precede: a CR too)
                good |= _bits(np.equal(part, 13, out=hit))
            right = good >> _SHIFTS[0]
            right[:-1] |= good[1:] << _TOP
            if at + n >= size or arr[at + n] in (delim, 10, 13, 34):
                right[(n - 1) >> 6] |= _U1 << np.uint64((n - 1) & 63)
            wrong = qw & ((inside & ~left) | (~inside & ~right))
            if wrong.any():
                misplaced = at + int(_set_bits(wrong, flags)[0])
        nl = _set_bits(nlw, flags)
        word, bit = nl >> 6, (nl & 63).astype(np.uint64)
        quoted.append(((inside[word] >> bit) & _U1).astype(bool))
        delims.append(dcum[word] - dn[word] + _below(out_d, word, bit) + outside)
        lines.append(nl + at)
        quotes += in_chunk
        outside += int(dcum[-1])
    if not lines:
        empty = np.zeros(0, dtype=np.int64)
        return Scan(empty, np.zeros(0, dtype=bool), empty, 0, 0, -1)
    return Scan(
        np.concatenate(lines),
        np.concatenate(quoted),
        np.concatenate(delims),
        quotes,
        outside,
        misplaced,
    )
