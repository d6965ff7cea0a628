"""One Parquet file written a row group at a time, byte-identical to polars'
``DataFrame.write_parquet`` of the whole (single-chunk) frame — for a table too large to
hold (the import's spill path, :mod:`sqops.importers._spill`).

polars splits a frame of ``n`` rows into row groups whose sizes depend on ``n`` only
(:func:`row_group_sizes` asks polars itself, with a frame of ``n`` nulls). Each row group is
written by polars alone (one frame of exactly that many rows gives one row group with the same
bytes); this module joins them: the row groups' bytes one after the other, then their offset
indexes, then the footer, with the file offsets moved to where the bytes now are. The
footer and the offset indexes are Thrift compact structures, read and written here (the few
types Parquet's metadata uses), field order and types kept, so that the bytes are those
polars writes for the whole frame.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Iterable, Iterator
from typing import Any

import polars as pl

#: the options of every Parquet table file the importers write
PARQUET_OPTIONS: dict[str, Any] = {"compression": "zstd", "statistics": False}

_MAGIC = b"PAR1"

# ---------------------------------------------------------------- Thrift compact protocol
# a struct is a list of [field id, type, value]; a list is (element type, [values])
Struct = list[list[Any]]


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.b = data
        self.i = 0

    def byte(self) -> int:
        v = self.b[self.i]
        self.i += 1
        return v

    def varint(self) -> int:
        r = sh = 0
        while True:
            x = self.byte()
            r |= (x & 0x7F) << sh
            sh += 7
            if not x & 0x80:
                return r

    def zigzag(self) -> int:
        v = self.varint()
        return (v >> 1) ^ -(v & 1)

    def value(self, t: int) -> Any:
        if t in (1, 2):  # a bool inside a list: one byte
            return self.byte() == 1
        if t == 3:
            return self.byte()
        if t in (4, 5, 6):
            return self.zigzag()
        if t == 7:
            v = self.b[self.i : self.i + 8]
            self.i += 8
            return v
        if t == 8:
            n = self.varint()
            v = self.b[self.i : self.i + n]
            self.i += n
            return v
        if t in (9, 10):
            h = self.byte()
            n, et = h >> 4, h & 15
            if n == 15:
                n = self.varint()
            return (et, [self.value(et) for _ in range(n)])
        if t == 12:
            return self.struct()
        raise ValueError(f"thrift type {t}")

    def struct(self) -> Struct:
        out: Struct = []
        last = 0
        while True:
            h = self.byte()
            if h == 0:
                return out
            t, delta = h & 15, h >> 4
            fid = last + delta if delta else self.zigzag()
            last = fid
            if t in (1, 2):  # a bool field: the value is its type
                out.append([fid, t, t == 1])
            else:
                out.append([fid, t, self.value(t)])


def _varint(v: int) -> bytes:
    out = bytearray()
    while True:
        if v < 0x80:
            out.append(v)
            return bytes(out)
        out.append((v & 0x7F) | 0x80)
        v >>= 7


def _zigzag(v: int) -> bytes:
    return _varint((v << 1) ^ (v >> 63))


def _value(t: int, v: Any) -> bytes:
    if t in (1, 2):
        return b"\x01" if v else b"\x02"
    if t == 3:
        return bytes([v])
    if t in (4, 5, 6):
        return _zigzag(v)
    if t == 7:
        return bytes(v)
    if t == 8:
        return _varint(len(v)) + bytes(v)
    if t in (9, 10):
        et, items = v
        head = bytes([(len(items) << 4) | et]) if len(items) < 15 else bytes([0xF0 | et])
        if len(items) >= 15:
            head += _varint(len(items))
        return head + b"".join(_value(et, x) for x in items)
    if t == 12:
        return encode(v)
    raise ValueError(f"thrift type {t}")


def encode(s: Struct) -> bytes:
    out = bytearray()
    last = 0
    for fid, t, v in s:
        tt = (1 if v else 2) if t in (1, 2) else t
        if 0 < fid - last <= 15:
            out.append(((fid - last) << 4) | tt)
        else:
            out.append(tt)
            out += _zigzag(fid)
        last = fid
        if t not in (1, 2):
            out += _value(t, v)
    out.append(0)
    return bytes(out)


def _get(s: Struct, fid: int) -> Any:
    for f, _, v in s:
        if f == fid:
            return v
    return None


def _shift(s: Struct, fid: int, by: int) -> None:
    for field in s:
        if field[0] == fid:
            field[2] += by


def _set(s: Struct, fid: int, value: int) -> None:
    for field in s:
        if field[0] == fid:
            field[2] = value


def footer(data: bytes) -> Struct:
    """The FileMetaData of a whole Parquet file."""
    n = struct.unpack("<i", data[-8:-4])[0]
    return _Reader(data[-8 - n : -8]).struct()


# ---------------------------------------------------------------- row groups
def row_group_sizes(n: int) -> list[int]:
    """The rows of each row group polars writes for a single-chunk frame of ``n`` rows."""
    if n == 0:
        return []
    buf = io.BytesIO()
    # (a column of Boolean nulls: a bitmap, not the 16 bytes a row of String nulls takes —
    # the sizes are those of any frame of n rows)
    pl.DataFrame({"a": pl.repeat(None, n, dtype=pl.Boolean, eager=True)}).write_parquet(
        buf, **PARQUET_OPTIONS
    )
    return [_get(rg, 3) for rg in _get(footer(buf.getvalue()), 4)[1]]


def regroup(frames: Iterable[pl.DataFrame], sizes: list[int]) -> Iterator[pl.DataFrame]:
    """``frames`` (rows in order) cut into frames of exactly ``sizes`` rows, each one chunk."""
    want = iter(sizes)
    need = next(want, 0)
    held: list[pl.DataFrame] = []
    have = 0
    for f in frames:
        while f.height:
            take = f.slice(0, need - have)
            held.append(take)
            have += take.height
            f = f.slice(take.height)
            if have == need:
                yield pl.concat(held, rechunk=True) if len(held) > 1 else held[0].rechunk()
                held, have = [], 0
                need = next(want, 0)
                if need == 0:
                    assert f.height == 0 and not held
                    return
    assert need == 0, "fewer rows than announced"


def stitched(groups: Iterable[pl.DataFrame]) -> Iterator[bytes]:
    """The bytes of one Parquet file of ``groups`` (each written by polars as one row group,
    as :func:`regroup` cuts them), the same as polars writes for their concatenation."""
    return stitch(map(one_group, groups))


def one_group(group: pl.DataFrame) -> bytes:
    """A Parquet file of ``group`` alone (one row group: as :func:`regroup` cuts them)."""
    buf = io.BytesIO()
    group.write_parquet(buf, **PARQUET_OPTIONS)
    return buf.getvalue()


def parquet_bytes(frame: pl.DataFrame, threads: int = 2) -> Iterator[bytes]:
    """The bytes polars writes for ``frame`` (:data:`PARQUET_OPTIONS`), its row groups
    written ``threads`` at a time (polars writes a frame's row groups one after the other;
    it lets go of the interpreter while it writes one) and stitched. (A frame of several
    chunks, whose row groups polars may cut otherwise, is written whole.)"""
    sizes = row_group_sizes(frame.height)
    if len(sizes) < 2 or threads < 2 or max(frame.n_chunks("all"), default=1) > 1:
        yield one_group(frame)
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(threads) as pool:
        yield from stitch(pool.map(one_group, regroup([frame], sizes)))


def stitch(files: Iterable[bytes]) -> Iterator[bytes]:
    """:func:`stitched` of the groups' files (:func:`one_group`)."""
    pos = len(_MAGIC)
    yield _MAGIC
    meta: Struct | None = None
    row_groups: list[Struct] = []
    indexes: list[tuple[list[Any], Struct]] = []  # (column chunk, its offset index)
    rows = 0
    for data in files:
        m = footer(data)
        (rg,) = _get(m, 4)[1]
        first = pos
        for c in _get(rg, 1)[1]:
            cm = _get(c, 3)
            start = min(v for v in (_get(cm, 9), _get(cm, 11)) if v is not None)
            pages = data[start : start + _get(cm, 7)]
            by = pos - start
            for fid in (9, 10, 11):  # data, index and dictionary page offsets
                _shift(cm, fid, by)
            inline = encode(cm)  # polars writes the chunk's metadata after its pages too
            pos += len(pages) + len(inline)
            _shift(c, 2, by)  # file_offset (polars: data page offset + compressed size)
            yield pages
            yield inline
            off, length = _get(c, 4), _get(c, 5)
            if off is not None:
                index = _Reader(data[off : off + length]).struct()
                for page in _get(index, 1)[1]:
                    _shift(page, 1, by)
                indexes.append((c, index))
        _set(rg, 5, first)
        _set(rg, 7, len(row_groups))
        row_groups.append(rg)
        rows += _get(rg, 3)
        if meta is None:
            meta = m
    assert meta is not None, "no row group"
    for c, index in indexes:
        b = encode(index)
        _set(c, 4, pos)
        _set(c, 5, len(b))
        pos += len(b)
        yield b
    _set(meta, 3, rows)
    for field in meta:
        if field[0] == 4:
            field[2] = (12, row_groups)
    tail = encode(meta)
    yield tail + struct.pack("<i", len(tail)) + _MAGIC
