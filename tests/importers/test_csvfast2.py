"""The cheaper steps of sessions 12 and 17 (csvfast2, csvq6; #19 item 2) give what the ways
of before gave (differential, Hypothesis, with hand-counted cases): the scan of a text in
bits (``_csvfast._scan``: its line ends, which are inside quotes, each record's delimiters
outside quotes, the first misplaced quote) against the positions of line ends, quotes and
delimiters searched (``_records``, ``_delimiter_counts``) and the quote check of before
(``_well_placed_before``), in chunks of 64 bytes and more; a frame's rows taken by runs of slices (``_rows_by_runs``) against a
gather; a reader's frame added in runs between rows read one by one
(``Context.message_runs``) against the same frame added a slice at a time."""

from __future__ import annotations

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sqops.importers import _csvfast
from sqops.importers._base import Context, _rows_by_runs
from sqops.importers._csvfast import positions


# ------------------------------------------- the ways of before: the references
def _well_placed_before(arr: np.ndarray, q: np.ndarray, used: int, delim: int) -> bool:
    """:func:`_well_placed` as it was written before (the tests' reference)."""
    if len(q) & 1:
        return False
    opening, closing = q[0::2], q[1::2]
    before = arr[np.maximum(opening - 1, 0)]
    ok_open = (opening == 0) | (before == delim) | (before == 10)
    glued = np.zeros(len(opening), dtype=bool)  # "" inside a quoted field: close, reopen
    glued[1:] = closing[:-1] == opening[1:] - 1
    if not bool((ok_open | glued).all()):
        return False
    after_at = closing + 1
    after = arr[np.minimum(after_at, used - 1)]
    ok_close = (after_at >= used) | (after == delim) | (after == 10) | (after == 13)
    reopened = np.zeros(len(closing), dtype=bool)
    reopened[:-1] = opening[1:] == after_at[:-1]
    return bool((ok_close | reopened).all())


def _delimiter_counts(
    arr: np.ndarray, q: np.ndarray, delim: str, starts: np.ndarray, stops: np.ndarray
) -> np.ndarray:
    """:func:`_cell_counts` as the delimiters outside quotes (``q``: the quotes of ``arr``)
    between ``starts`` and ``stops``, plus one (the way of before: the tests' reference)."""
    d = positions(arr, ord(delim))
    if len(q):
        d = d[(np.searchsorted(q, d) & 1) == 0]
    # (not skipped when the delimiters add up to every record full: polars reads a
    # record with an empty cell past the width, "a,," under "a,", as full, so an
    # empty line and such a record add up to two full ones)
    return np.searchsorted(d, stops) - np.searchsorted(d, starts) + 1


_PIECES = st.sampled_from(
    ["a", "中文", " ", ",", ";", '"', '""', "\n", "\r\n", "x y", "", "\u3000", "é", "\r"]
)
_TEXTS = st.lists(_PIECES, min_size=1, max_size=40).map("".join)


def _scan(data: bytes, delim: str, chunk: int) -> _csvfast.Scan:
    """:func:`_csvfast._scan` of ``data``, ``chunk`` bytes at a time."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_csvfast, "_CHUNK", chunk)
        return _csvfast._scan(
            np.frombuffer(data, dtype=np.uint8), ord(delim), data.find(b"\r") >= 0
        )


def _first_misplaced(data: bytes, delim: str) -> int:
    """The first quote of ``data`` that is not well placed (the module's text, quote by
    quote in Python), or -1."""
    opens, closes = {ord(delim), 10, 34}, {ord(delim), 10, 13, 34}
    seen = 0
    for i, b in enumerate(data):
        if b != 34:
            continue
        seen += 1
        if seen & 1:  # opening: after the start, a delimiter, a line end or a quote
            if i > 0 and data[i - 1] not in opens:
                return i
        elif i + 1 < len(data) and data[i + 1] not in closes:
            return i
    return -1


_CHUNKS = st.sampled_from([64, 128, 1 << 19])


@settings(max_examples=400, deadline=None)
@given(_TEXTS, st.sampled_from([",", ";"]), _CHUNKS)
@example('"a"', ",", 64)
@example('a,"b""c"\n"",x', ",", 64)
@example('"a"b', ",", 64)
@example('a"', ",", 64)
@example('"a"\r', ",", 64)
@example("x" * 63 + '"a"b', ",", 64)  # (a closing quote at a chunk's end, a letter after)
@example("x" * 64 + '"a"', ",", 64)  # (an opening quote at a chunk's start, a letter before)
def test_the_quote_check_is_the_one_of_before(text, delim, chunk):
    """The scan's quote check (bits, a chunk at a time) finds what the check of before finds
    (quote positions gathered), and its first misplaced quote is the first one."""
    data = text.encode("utf-8")
    arr = np.frombuffer(data, dtype=np.uint8)
    q = positions(arr, 34)
    want = _well_placed_before(arr, q, len(data), ord(delim))
    got = _scan(data, delim, chunk)
    assert got.quotes == len(q)
    assert (got.misplaced < 0 and not got.quotes & 1) == want
    assert got.misplaced == _first_misplaced(data, delim)


def test_the_quote_check_hand_made():
    def ok(text: str) -> bool:
        got = _scan(text.encode(), ",", 64)
        return got.misplaced < 0 and not got.quotes & 1

    assert ok('a,"b,c"\n"d""e",f\r\n')  # quoted cells, "" inside, CR LF after a quote
    assert ok("")  # no quote at all
    assert not ok('a"b"')  # an opening quote after a letter
    assert not ok('"a"b')  # a closing quote before a letter
    assert not ok('"a')  # never closed
    assert _scan(b'"a",b"c"', ",", 64).misplaced == 5  # (the first misplaced one)


def _records(data: bytes, delim: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(starts, stops, quotes in each, quotes of the text) of the records of ``data``, as
    :func:`_csvfast.fast_records` found them before (a line end where the quotes before are
    even: their positions searched)."""
    arr = np.frombuffer(data, dtype=np.uint8)
    nl, q = positions(arr, 10), positions(arr, 34)
    before = np.searchsorted(q, nl)
    ends = nl[(before & 1) == 0]
    starts = np.concatenate([[0], ends + 1])
    stops = np.concatenate([ends, [len(data)]])
    keep = starts < len(data)  # (no record after a last line end)
    starts, stops = starts[keep], stops[keep]
    quotes = np.searchsorted(q, stops) - np.searchsorted(q, starts)
    return starts, stops, quotes, q


def _scanned_counts(data: bytes, delim: str, chunk: int) -> list[int]:
    """Each record's cells as the scan counts them: its delimiters outside quotes, plus
    one (the records as :func:`_records` finds them)."""
    got = _scan(data, delim, chunk)
    ends = np.flatnonzero(~got.quoted)
    outside = got.delims[ends]
    if len(data) > (int(got.nl[ends[-1]]) + 1 if len(ends) else 0):  # (no line end last)
        outside = np.append(outside, got.outside)
    return (np.diff(outside, prepend=0) + 1).tolist()


_CELLS = st.text(alphabet=st.sampled_from('ab 中,;"\n\r\t\u3000é'), max_size=6)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.lists(_CELLS, min_size=0, max_size=5), min_size=1, max_size=12),
    st.sampled_from(["\n", "\r\n"]),
    st.sampled_from([",", ";"]),
    st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
    st.booleans(),
    _CHUNKS,
)
def test_the_scan_is_the_positions_searched(rows, end, delim, quoting, final, chunk):
    """Ragged rows (empty lines, empty cells, quotes, delimiters and line breaks inside
    cells), as a CSV writer writes them: the scan's line ends, which of them are inside
    quotes, and each record's delimiters outside quotes are those the positions of the
    line ends, quotes and delimiters give, searched (the way of before)."""
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delim, lineterminator=end, quoting=quoting).writerows(rows)
    text = out.getvalue() if final else out.getvalue().removesuffix(end)
    if text.count("\r") != text.count("\r\n"):
        return  # (a lone CR: fast_records declines before scanning)
    data = text.encode("utf-8")
    arr = np.frombuffer(data, dtype=np.uint8)
    got = _scan(data, delim, chunk)
    nl, q = positions(arr, 10), positions(arr, 34)
    assert got.nl.tolist() == nl.tolist()
    assert got.quoted.tolist() == ((np.searchsorted(q, nl) & 1) == 1).tolist()
    assert got.misplaced == -1 and got.quotes == len(q)
    starts, stops, _, _ = _records(data, delim)
    want = _delimiter_counts(arr, q, delim, starts, stops)
    assert _scanned_counts(data, delim, chunk) == want.tolist()
    # (and each row's cells, as the csv module reads them, where the line is not empty)
    for row, count in zip(
        csv.reader(io.StringIO(text, newline=""), delimiter=delim), want, strict=True
    ):
        assert len(row) == count or not row


def test_cell_counts_hand_made():
    # 'a,"b,c",' has 3 cells (the comma inside quotes is none); 'x' 1; '' (empty line) 1;
    # '"",""' 2; 'd,e' then CR LF 2 (the CR is no cell's)
    data = b'a,"b,c",\nx\n\n"",""\nd,e\r\n'
    for chunk in (64, 1 << 19):
        assert _scanned_counts(data, ",", chunk) == [3, 1, 1, 2, 2]
    # a quoted cell longer than a chunk: the chunks inside it hold no quote (all inside)
    data = b'h,i\n"' + b"x,\n" * 50 + b'",y\nz,\n'
    for chunk in (64, 128, 1 << 19):
        got = _scan(data, ",", chunk)
        assert got.quoted.tolist() == [False] + [True] * 50 + [False, False]
        assert _scanned_counts(data, ",", chunk) == [2, 2, 2]
    # fast_records: the empty line has no cell (as the csv module reads it): blank, dropped
    got = _csvfast.fast_records(b"h,i\n\nd,e\n", ",", 0, last=True)
    assert got is not None and got[0]["_n"].to_list() == [2, 2]


@pytest.mark.fuzz
@settings(max_examples=300, deadline=None)
@given(_TEXTS, st.booleans(), st.sampled_from([64, 128]))
def test_the_fast_frame_is_the_same_in_any_chunks(text, bom, chunk):
    """The whole fast reading with the text scanned in small chunks equals the reading in
    one chunk (both: or both decline)."""
    data = (b"\xef\xbb\xbf" if bom else b"") + (text * 9).encode("utf-8")
    from sqops.importers._base import csv_bytes_frame

    def read(size):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(_csvfast, "_CHUNK", size)
            return csv_bytes_frame(data, "t.csv")

    small, whole = read(chunk), read(1 << 19)
    assert (small is None) == (whole is None)
    if small is not None and whole is not None:
        assert small.rows.equals(whole.rows) and small.header == whole.header


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_rows_by_runs_are_the_gather(data):
    n = data.draw(st.integers(0, 60))
    cuts = sorted(data.draw(st.sets(st.integers(1, max(n - 1, 1)), max_size=8)))
    pieces = [
        list(range(a, b)) for a, b in zip([0, *cuts], [*cuts, n], strict=True) if a < min(b, n)
    ]
    order = [i for p in data.draw(st.permutations(pieces)) for i in p]
    frame = pl.DataFrame(
        {
            "a": data.draw(
                st.lists(st.sampled_from(["x", "中", "", None]), min_size=n, max_size=n)
            ),
            "t": data.draw(
                st.lists(st.sampled_from([1.0, float("nan"), None]), min_size=n, max_size=n)
            ),
        },
        schema={"a": pl.String, "t": pl.Float64},
    )
    order_s = pl.Series(order, dtype=pl.UInt32)
    got = _rows_by_runs(frame, order_s)
    assert got is not None  # (few runs)
    assert got.equals(frame[order_s])


def test_rows_by_runs_hand_made():
    frame = pl.DataFrame({"a": ["r0", "r1", "r2", "r3", "r4"]})
    # rows 3, 4 then 0, 1, 2: two runs
    got = _rows_by_runs(frame, pl.Series([3, 4, 0, 1, 2], dtype=pl.UInt32))
    assert got is not None and got["a"].to_list() == ["r3", "r4", "r0", "r1", "r2"]


def test_rows_by_runs_declines_many_runs(monkeypatch):
    from sqops.importers import _base

    monkeypatch.setattr(_base, "_RUNS_AT_MOST", 2)
    frame = pl.DataFrame({"a": list(range(6))})
    # 6 runs of one row > max(2, 6 // 64): a gather is cheaper
    assert _rows_by_runs(frame, pl.Series([5, 4, 3, 2, 1, 0], dtype=pl.UInt32)) is None


_ZONES = ["UTC", "Asia/Shanghai", "America/New_York", "Asia/Kolkata"]


def _frame(rows: list[tuple[str | None, int, str, str | None]]) -> pl.DataFrame:
    """A reader's bulk frame: group, minute, member, content (null, empty or text)."""
    base = dt.datetime(2026, 3, 8, 6, 0, tzinfo=dt.UTC)
    return pl.DataFrame(
        {
            "_t": [(base + dt.timedelta(minutes=m)).timestamp() for _, m, _, _ in rows],
            "ts": [(base + dt.timedelta(minutes=m)).isoformat() for _, m, _, _ in rows],
            "group_id": [g for g, _, _, _ in rows],
            "member_id": [m for _, _, m, _ in rows],
            "member_name": [m.upper() for _, _, m, _ in rows],
            "content": [c for _, _, _, c in rows],
        },
        schema={
            "_t": pl.Float64,
            "ts": pl.String,
            "group_id": pl.String,
            "member_id": pl.String,
            "member_name": pl.String,
            "content": pl.String,
        },
    )


_ROWS = st.lists(
    st.tuples(
        st.sampled_from(["g1", "g2", "中"]),
        st.integers(0, 5),
        st.sampled_from(["m1", "m2"]),
        st.sampled_from([None, "", "hi", '"q"', "a,b"]),
    ),
    min_size=0,
    max_size=30,
)


@settings(max_examples=200, deadline=None)
@given(_ROWS, st.lists(st.integers(0, 30), max_size=6), st.sampled_from(_ZONES), st.booleans())
def test_message_runs_are_the_slices_added_one_by_one(rows, at, tz, spill):
    """A frame added in runs, with messages added one by one between them (as a reader
    adds its rare rows), gives the tables the same frame added a slice at a time gives."""
    frame = _frame(rows)
    cuts = sorted({min(a, frame.height) for a in at})
    zone = ZoneInfo(tz)

    def run(by_runs: bool):
        ctx = Context(tz=zone)
        if spill:
            ctx.spill_at = 1 << 40  # (never reached: each run added as a slice)
        runs = ctx.message_runs(frame) if by_runs else None
        done = 0
        for i, c in enumerate(cuts):
            if by_runs:
                assert runs is not None
                runs.add(c - done)
            elif c > done:
                ctx.add_messages(frame.slice(done, c - done))
            done = c
            ctx.message(
                ts=dt.datetime(2026, 3, 8, 6, i, tzinfo=zone),
                group_id="g1",
                member_id="m9",
                member_name="Nine",
                content=f"row {i}",
            )
        if by_runs:
            assert runs is not None
            runs.add(frame.height - done)
            runs.close()
        elif frame.height > done:
            ctx.add_messages(frame.slice(done))
        result = ctx.finish()
        return result.tables, result.counts

    new, old = run(True), run(False)
    assert new[1] == old[1]
    assert new[0].keys() == old[0].keys()
    for name in new[0]:
        assert new[0][name].equals(old[0][name]), name


def test_message_runs_hand_made():
    # frame rows r0 r1 r2; one row read by itself between r0 and r1: r0 is message 1, the
    # row read by itself 2, r1 and r2 are 3 and 4 — the table in that order (one group, the
    # times rising: r0 06:00, the row 06:00:30, r1 06:01, r2 06:02)
    frame = _frame([("g", 0, "m1", "r0"), ("g", 1, "m1", "r1"), ("g", 2, "m1", "r2")])
    ctx = Context(tz=dt.UTC)
    runs = ctx.message_runs(frame)
    runs.add(1)
    ctx.message(
        ts=dt.datetime(2026, 3, 8, 6, 0, 30, tzinfo=dt.UTC),
        group_id="g",
        member_id="m2",
        content="alone",
    )
    runs.add(2)
    runs.close()
    table = ctx.finish().tables["messages"]
    assert table["content"].to_list() == ["r0", "alone", "r1", "r2"]


def _whole(df: pl.DataFrame) -> bytes:
    from sqops.importers._pqstitch import PARQUET_OPTIONS

    buf = io.BytesIO()
    df.write_parquet(buf, **PARQUET_OPTIONS)
    return buf.getvalue()


@settings(max_examples=8, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "你好", "", None, "x,y", '"q"']), min_size=1, max_size=7),
    st.lists(st.sampled_from([1.5, 0.0, float("nan"), None, -2.25]), min_size=1, max_size=5),
    st.sampled_from([1, 7, 250_001, 300_007]),
    st.booleans(),
)
def test_parquet_written_two_groups_at_a_time_is_the_whole(texts, amounts, n, chunks):
    """A table's Parquet written with its row groups two at a time (``parquet_bytes``) has
    the bytes polars writes for the whole frame — one row group or several (250,001 rows:
    two), texts with nulls and empties, floats with NaN and nulls, one chunk or several (then
    written whole)."""
    from sqops.importers._pqstitch import parquet_bytes

    i = pl.int_range(n, eager=True)
    df = pl.DataFrame(
        {
            "ts": i.cast(pl.String).str.pad_start(10, "0"),
            "content": pl.Series(texts * (n // len(texts) + 1), dtype=pl.String)[:n],
            "amount": pl.Series(amounts * (n // len(amounts) + 1), dtype=pl.Float64)[:n],
        }
    )
    if chunks and n > 2:
        df = pl.concat([df.slice(0, n // 2), df.slice(n // 2)], rechunk=False)
    assert b"".join(parquet_bytes(df)) == _whole(df)


_AMOUNT_TEXTS = st.lists(
    st.one_of(
        st.none(),
        st.sampled_from(["", "12", "12.50", "¥1,299.00", "￥88", "1,2", "NaN", "inf", "1e5", "a"]),
        st.from_regex(r"[¥￥]?[0-9,]{1,9}(\.[0-9]{0,3})?", fullmatch=True),
    ),
    min_size=1,
    max_size=30,
)
_EMAILS = st.lists(
    st.one_of(st.none(), st.sampled_from(["", "A@B.com", "a@b.com", "Zoë@x.de", "x y@Z"])),
    min_size=1,
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(_AMOUNT_TEXTS, _EMAILS)
def test_shop_amounts_and_buyers_per_distinct_text_are_the_expression(amounts, emails):
    """The shop readers' amounts (Youzan, Shopify) and Shopify's buyer read once per distinct
    text (``by_distinct`` with a dtype) equal the expression on every row."""
    from sqops.importers import shopify, youzan
    from sqops.importers._base import by_distinct

    frame = pl.DataFrame({"a": amounts}, schema={"a": pl.String})
    for fn in (youzan._plain_amount, shopify._plain_amount):
        want = frame.select(fn(pl.col("a")).alias("v"))["v"]
        # (with_columns: one distinct text is a constant, as wide as the frame there)
        got = frame.with_columns(by_distinct(frame, pl.col("a"), fn, pl.Float64()).alias("v"))["v"]
        assert got.dtype == pl.Float64
        assert got.to_list() == want.to_list()
    people = pl.DataFrame({"e": emails}, schema={"e": pl.String})
    want = people.select(shopify._ascii_buyer(pl.col("e")).alias("v"))["v"]
    got = people.with_columns(by_distinct(people, pl.col("e"), shopify._ascii_buyer).alias("v"))
    got = got["v"]
    assert got.to_list() == want.to_list()


def test_shop_amount_hand_made():
    from sqops.importers import youzan
    from sqops.importers._base import by_distinct

    # "¥1,299.00" → 1299.0 (twice: one distinct text); "1,2" is no plain amount; null stays
    frame = pl.DataFrame({"a": ["¥1,299.00", "1,2", None, "¥1,299.00"]})
    got = frame.with_columns(by_distinct(frame, pl.col("a"), youzan._plain_amount, pl.Float64()))
    assert got["a"].to_list() == [1299.0, None, None, 1299.0]


@pytest.mark.fuzz
@settings(max_examples=300, deadline=None)
@given(_TEXTS, st.booleans())
@example('a,b\n"x\n', False)  # (a quote never closed: declined either way)
@example('a,"b\n\n"', False)
def test_polars_read_alongside_the_quote_check_is_the_read_after_it(text, bom):
    """A whole text read by polars in a thread while its quotes are checked gives the frame
    the read after the check gives (or both decline)."""
    from sqops.importers._base import csv_bytes_frame

    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")

    def read(alongside: int):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(_csvfast, "ALONGSIDE_BYTES", alongside)
            return csv_bytes_frame(data, "t.csv")

    together, after = read(0), read(1 << 60)
    assert (together is None) == (after is None)
    if together is not None and after is not None:
        assert together.header == after.header and together.header_line == after.header_line
        assert together.rows.equals(after.rows)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["g1", "g2"]),
            st.sampled_from(["m1", "m2", "system", "self"]),
            st.sampled_from([None, "", "Ana", " ana ", "BEN", "你"]),
        ),
        max_size=30,
    ),
    st.sampled_from([None, "G"]),
)
def test_bulk_aliases_are_the_ones_message_records(rows, group_id):
    """The aliases of frames added in bulk (recorded once per distinct triple, in no
    particular order) are those :meth:`Context.message` records row by row."""
    base = dt.datetime(2026, 3, 8, 6, 0, tzinfo=dt.UTC)
    frame = pl.DataFrame(
        {
            "_t": [base.timestamp()] * len(rows),
            "ts": [base.isoformat()] * len(rows),
            "group_id": [g for g, _, _ in rows],
            "member_id": [m for _, m, _ in rows],
            "member_name": [n for _, _, n in rows],
        },
        schema={c: pl.Float64 if c == "_t" else pl.String for c in ("_t", "ts", "group_id")}
        | {"member_id": pl.String, "member_name": pl.String},
    )
    bulk = Context(tz=dt.UTC, group_id=group_id)
    bulk.add_messages(frame)
    bulk._bulk_aliases()
    one = Context(tz=dt.UTC, group_id=group_id)
    for g, m, n in rows:
        one.message(ts=base, group_id=g, member_id=m, member_name=n)
    assert bulk.aliases == one.aliases
