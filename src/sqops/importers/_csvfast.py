"""A CSV export's records read by polars' own (multithreaded) CSV reader, exactly as
:func:`sqops.importers._base.read_csv_frame` reads them with Python's :mod:`csv` module —
or ``None`` when that cannot be guaranteed (the caller then takes the exact reading).

Why it is the same: Python's csv module (the excel dialect, ``strict=False``) and polars
read a CSV differently only where a quote stands somewhere else than where a CSV writer puts
it. Before polars reads anything, every quote of the bytes is checked (numpy, no Python per
row) to be *well placed*: counting the quotes from the start, an opening one (1st, 3rd, ...)
follows the start of the text, a delimiter, a line end or the closing quote just before it
(``""`` inside a quoted field), and a closing one is followed by a delimiter, a line end, the
end of the text or the next opening one. In such a text a line end ends a record exactly
when the quotes before it are even; both readers then split the same records into the same
fields, unquoted ones as they stand, quoted ones without their quotes and with ``""`` read
as ``"`` (a line end inside keeps its CR LF). The text must be UTF-8 (polars checks each
field; a surrogate or a stray byte is an error), without NUL, and without a carriage return
that ends no line. What polars cannot say, each row's number of cells, comes from the quote
and line positions: a row whose last cell is empty may be short, and only those rows are
counted from their bytes. Differential tests (``tests/importers/test_csvfast.py``) compare
the two readers on random texts with quotes, line breaks, BOM, CR LF, empty and ragged rows.
"""

from __future__ import annotations

import csv
import io
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
import polars as pl

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
    data: bytes, delim: str | None, base: int, *, last: bool
) -> tuple[pl.DataFrame, str, int, int] | None:
    """The non-blank records of ``data`` (UTF-8 bytes from line ``base`` of the file on, a
    BOM already removed) as ``_line`` (Int64: the file's line of the record's first line),
    ``_n`` (UInt32: its number of cells) and ``c0``, ``c1``, ... (its cells, null past its
    end); the delimiter (sniffed when ``delim`` is None); the bytes read (unless ``last``,
    the records that end before a line end where a quoted field may go on, all of them
    else); and the lines read. ``None`` when the exact reading must read it."""
    if not data or b"\x00" in data or data.startswith(_BOM):
        return None
    # (no CR at all, most texts: one scan, not two counts; a CR: the counts compare them)
    if data.find(b"\r") >= 0 and data.count(b"\r") != data.count(b"\r\n"):
        return None
    arr = np.frombuffer(data, dtype=np.uint8)
    size = len(data)
    # a whole text (``last``) is read by polars while its line ends and quotes are found
    # and checked here (numpy lets go of the interpreter too), with the delimiter its first
    # lines give: the read is used only once the quotes are well placed and the delimiter
    # sniffed from the whole text is the one it was read with
    pool = ThreadPoolExecutor(1) if last and size >= ALONGSIDE_BYTES else None
    try:
        pending: Future[pl.DataFrame | None] | None = None
        early = delim if delim is not None else _head_delimiter(data, arr)
        if pool is not None and early is not None:
            pending = pool.submit(_polars_read, data, early)
        nl = positions(arr, 10)
        if size - (int(nl[-1]) + 1 if len(nl) else 0) > _FIELD_LIMIT:
            return None
        if len(nl) and (
            int(nl[0]) + 1 > _FIELD_LIMIT or (len(nl) > 1 and int(np.diff(nl).max()) > _FIELD_LIMIT)
        ):
            return None
        if delim is None:
            delim = sniff_delimiter(data, nl)
            if delim is None:
                return None
        if pending is not None and delim != early:  # (not the read wanted: read again)
            pending.result()
            pending = None
        if pool is not None and pending is None:
            pending = pool.submit(_polars_read, data, delim)
        return _records_of(data, arr, nl, delim, base, last, pending)
    finally:
        if pool is not None:
            pool.shutdown()


#: the bytes whose lines :func:`_head_delimiter` sniffs
_HEAD_BYTES = 1 << 16


def _head_delimiter(data: bytes, arr: np.ndarray) -> str | None:
    """The delimiter :func:`sniff_delimiter` most likely finds, from the lines of the text's
    first :data:`_HEAD_BYTES` alone (a guess: the caller sniffs the whole text after)."""
    nl = positions(arr[:_HEAD_BYTES], 10)
    if not len(nl):
        return None
    return sniff_delimiter(data[: int(nl[-1]) + 1], nl)


#: texts of at least this many bytes are read by polars alongside the quote check
ALONGSIDE_BYTES = 1 << 20


def _polars_read(data: bytes, delim: str) -> pl.DataFrame | None:
    """``data``'s records as polars reads them (every cell text), or None when it refuses."""
    try:
        read = pl.read_csv(
            data,
            has_header=False,
            separator=delim,
            quote_char='"',
            infer_schema=False,
            empty_string_is_null=False,
            raise_if_empty=False,
        )
    except Exception:  # polars reads it otherwise: the exact reading decides
        return None
    # one chunk per column (polars reads in several; in the reading thread, beside the
    # quote check): the columns added after are one chunk, and the first eager query over
    # columns cut otherwise copies them slowly
    return read.rechunk()


def _records_of(
    data: bytes,
    arr: np.ndarray,
    nl: np.ndarray,
    delim: str,
    base: int,
    last: bool,
    pending: Future[pl.DataFrame | None] | None,
) -> tuple[pl.DataFrame, str, int, int] | None:
    """:func:`fast_records` once the line ends and the delimiter are known (``pending``:
    polars' read of the whole text, when it is being read already)."""
    size = len(data)
    q = positions(arr, 34)
    # a line end ends a record where the quotes before it are even
    quotes_before = np.searchsorted(q, nl) if len(q) else np.zeros(len(nl), dtype=np.int64)
    ends_at = np.flatnonzero((quotes_before & 1) == 0)
    if last:
        if len(q) & 1:
            return None
        used = size
    else:
        if not len(ends_at):
            return None
        used = int(nl[ends_at[-1]]) + 1
        q = q[q < used]
    if len(q) and not _well_placed(arr, q, used, ord(delim)):
        return None
    ends = nl[ends_at]
    tail = used > (int(ends[-1]) + 1 if len(ends) else 0)  # a last record without a line end
    records = len(ends) + tail
    lines = (int(ends_at[-1]) + 1 if len(ends_at) else 0) + tail
    if pending is not None:
        read = pending.result()
    else:
        read = _polars_read(data if used == size else data[:used], delim)
    if read is None:
        return None
    frame = read
    if frame.height != records:
        return None
    width = frame.width
    cells = [f"c{i}" for i in range(width)]
    frame = frame.rename(dict(zip(frame.columns, cells, strict=True)))
    # the first line of each record, in the file
    first = np.zeros(records, dtype=np.int64)
    first[1:] = ends_at[: records - 1] + 1
    frame = frame.with_columns(pl.Series("_line", first + (base + 1)))
    # a row whose last cell is empty may have fewer cells: count them from its bytes
    at = frame.select(pl.arg_where(pl.col(cells[-1]) == "")).to_series().to_numpy()
    if tail:  # (polars drops a last empty cell at the end of the text: count that row too)
        at = np.append(at, records - 1)
    if len(at):
        starts = np.zeros(records, dtype=np.int64)
        starts[1:] = ends[: records - 1] + 1
        stops = np.append(ends, used)[:records]
        counts = np.full(records, width, dtype=np.uint32)
        if len(at) <= _FEW:  # the csv module, row by row
            for r in at.tolist():
                raw = data[int(starts[r]) : int(stops[r])].decode("utf-8")
                row = next(csv.reader(io.StringIO(raw, newline=""), delimiter=delim), [])
                if len(row) > width:
                    return None
                counts[r] = len(row)
        else:  # many: from each row's bytes less its cells', all at once
            at = at.astype(np.int64)
            # quotes in each record: those before its end less those before the one before
            q_end = np.append(quotes_before[ends_at], len(q))[:records]
            q_start = np.zeros(records, dtype=np.int64)
            q_start[1:] = q_end[: records - 1]
            cells_in = _cell_counts(
                arr, frame.lazy().select(cells), starts, stops, q_end - q_start, at
            )
            # (an empty line counts one cell, not none: it is blank, dropped below either way)
            if int(cells_in.max()) > width:
                return None
            counts[at] = cells_in
        frame = frame.with_columns(pl.Series("_n", counts, dtype=pl.UInt32))
        least = int(counts.min())
        if least < width:  # the cells past a short row's end are null (columns all rows fill: kept)
            frame = frame.with_columns(
                pl.when(pl.col("_n") > i).then(pl.col(c)).alias(c)
                for i, c in enumerate(cells)
                if i >= least
            )
    else:
        frame = frame.with_columns(pl.Series("_n", np.full(records, width, dtype=np.uint32)))
    # blank rows (every cell white space) are no records: only a row whose first cell is
    # blank can be one, and only a record whose first byte is no visible ASCII character
    # (a space, a quote, the delimiter, a line end, or a byte of a longer character)
    heads = np.zeros(records, dtype=np.int64)
    heads[1:] = ends[: records - 1] + 1
    first_byte = arr[np.minimum(heads, max(used - 1, 0))] if used else np.zeros(0, np.uint8)
    unsure = (
        (first_byte < 0x21) | (first_byte >= 0x7F) | (first_byte == 34) | (first_byte == ord(delim))
    )
    unsure |= heads >= used
    cand = pl.Series(np.flatnonzero(unsure), dtype=pl.Int64)
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


def _cell_counts(
    arr: np.ndarray,
    cells: pl.LazyFrame,
    starts: np.ndarray,
    stops: np.ndarray,
    quotes: np.ndarray,
    at: np.ndarray,
) -> np.ndarray:
    """The number of cells of the records ``at`` (of the records ``arr[starts:stops]``,
    their line end excluded), whose ``quotes`` are well placed and whose cells polars read
    as ``cells`` (the missing ones of a short record as ``""``): a record of k cells is,
    byte for byte, its cells' texts, two quotes around each quoted cell and one more for
    each quote inside it (all ``quotes`` of the record), k − 1 delimiters and, before a
    CR LF, the CR (an empty line counts one cell, as the delimiters outside quotes count it).
    (The cells' bytes are summed on every record, not on a copy of the records ``at``.)"""
    if not len(at):
        return np.zeros(0, dtype=np.int64)
    names = cells.collect_schema().names()
    text_bytes = (
        cells.select(pl.sum_horizontal(pl.col(c).str.len_bytes() for c in names))
        .collect()
        .to_series()
        .fill_null(0)
        .to_numpy()[at]
        .astype(np.int64)
    )
    # the quotes inside cells: only records with quotes can have some
    inner_quotes = np.zeros(len(at), dtype=np.int64)
    quoted = np.flatnonzero(quotes[at] > 0)
    if len(quoted):
        inner = pl.sum_horizontal(pl.col(c).str.count_matches('"', literal=True) for c in names)
        if len(quoted) * 2 > len(starts):  # most records: counted on all of them
            every = cells.select(inner).collect().to_series().fill_null(0).to_numpy()
            inner_quotes[quoted] = every[at[quoted]]
        else:  # a few: on a copy of those
            some = cells.collect()[at[quoted]].select(inner).to_series().fill_null(0)
            inner_quotes[quoted] = some.to_numpy()
    starts, stops = starts[at], stops[at]
    cr = (stops > starts) & (arr[np.maximum(stops - 1, 0)] == 13)
    return (stops - starts) - cr - quotes[at] - text_bytes + inner_quotes + 1


#: rows whose cells are counted by the csv module one by one; more are counted at once
_FEW = 256
#: bytes scanned at a time for a byte's positions (one buffer, not one the text's size)
_CHUNK = 1 << 22


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


def _well_placed(arr: np.ndarray, q: np.ndarray, used: int, delim: int) -> bool:
    """Whether every quote at ``q`` (positions in ``arr[:used]``) stands where a CSV writer
    puts it (see the module's text): then both readers read the same records."""
    if len(q) & 1:
        return False
    if not len(q):
        return True
    opening, closing = q[0::2], q[1::2]
    opens = np.zeros(256, dtype=bool)  # the bytes an opening quote may follow
    opens[[delim, 10]] = True
    closes = opens.copy()  # the bytes a closing quote may stand before
    closes[13] = True
    # "" inside a quoted field: a closing quote right before the next opening one
    after_at = closing[:-1] + 1
    glued = after_at == opening[1:]
    first = opening[0]
    if first and not opens[arr[first - 1]]:
        return False
    if not bool((glued | opens[arr[opening[1:] - 1]]).all()):
        return False
    last = closing[-1] + 1
    if last < used and not closes[arr[last]]:
        return False
    return bool((glued | closes[arr[after_at]]).all())
