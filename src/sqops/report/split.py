"""Phase 0 of a partitioned report in streaming passes (issue #23, item 3; docs/report.md,
"Partitioned runs").

:func:`sqops.report.partition.plan_partitions` reads the validated tables (one streaming
pass per table made their typed copy) and, with a folder, writes every bucket's rows there.
The passes here keep memory independent of the number of rows:

- :func:`attribute_in_slices`: the group of every row without ``group_id`` (orders,
  coupons, participations; spec §2), found by :func:`~sqops.data.membership.prepare` itself
  on the messages and member events of the rows' members, members in hash slices of at most
  :data:`SLICE_ROWS` such rows each (a member's presence and spoken days depend on their
  own rows and the groups' day 0 only, so the group found is the single pass's whatever
  slice the member is in);
- :func:`split_table`: one scan of a table's validated copy into one folder of Parquet
  files per bucket (polars' partitioned sink, ``_b=K/``), every row with its global row
  number ``_row`` (the one rejects and messages name), the rows attributed in a slice
  written by the slice into the same layout (``loose/``); under ``--memory-limit`` in passes
  over ranges of row numbers sized from what the process has left of it (:func:`pass_rows`;
  the attribution's slices too, :func:`attribution_slices`);
- :func:`split_opens`: the engagement rows that open a post, into the bucket of the post's
  group (a post's openers are counted in its bucket, whatever group the row carries);
- :func:`bucket_files` / :func:`scan_bucket`: a bucket's files of a table as one lazy
  frame in row order (what the single pass reads of those groups).

The files hold text where the validated copy holds categorical codes (codes are valid in
one process; a bucket may run in another).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import polars as pl

from sqops.data.membership import prepare
from sqops.data.tables import ID, TableData, Tables

#: the tables whose rows may lack ``group_id`` (spec §2: attributed through presence)
ATTRIBUTED = ("orders", "coupons", "engagement")
#: rows without ``group_id`` attributed in one slice of members (with their members'
#: messages and events): the slices' number is chosen so that no slice has more
SLICE_ROWS = 4_000_000
#: rows per Parquet row group of the bucket files (a scan decodes a row group at once)
ROW_GROUP = 100_000
#: a streaming pass writing rows into the buckets' files held, at its peak, up to this many
#: bytes per byte of the rows it passed (polars' partitioned sink keeps what it has read
#: until written: the 10 M bench engagement, 19.5 M rows of ~36 bytes, in one pass 0.9–1.3
#: GB, in 4 passes 0.7 GB, in 8 passes 0.4 GB; benchmarks/README.md, "bounded memory at
#: 50 M, session 14"), so that under ``--memory-limit`` a table is written in passes over
#: ranges of its row numbers (:func:`pass_rows`)
SINK_PER_ROW_BYTE = 4.5
#: the fewest rows a pass takes (below, the passes' own costs dominate)
MIN_PASS_ROWS = ROW_GROUP
#: a pass is given at least these bytes, whatever the process already holds
MIN_ROOM = 64 << 20

#: a slice of the attribution held, at its peak, up to this many bytes per byte of its rows
#: without a group and of its members' messages and member events (measured, not the
#: buckets' :data:`~sqops.report.budget.WORK_PER_ROW_BYTE`: a slice collects every one of its
#: members' messages, filtered from the copy, then ``prepare`` on them; the 1 M bench with
#: ``group_id`` removed from every third order, coupon and engagement row, 2 slices: +110 MiB
#: a slice for 40.6 MB, 2.8 a byte; benchmarks/README.md, "bounded memory at 50 M, session 14")
SLICE_WORK_PER_ROW_BYTE = 3.0

#: called with (table, slice, the slice's rows without a group, ``_row, _ag`` found)
Sink = Callable[[str, int, pl.DataFrame, pl.DataFrame], None]


def _streaming(lf: pl.LazyFrame) -> pl.DataFrame:
    return lf.collect(engine="streaming")


def loose_rows(td: TableData) -> pl.LazyFrame:
    """The rows of a table without ``group_id`` (all of them when it has no such column)."""
    if "group_id" in td.columns:
        return td.frame.filter(pl.col("group_id").is_null())
    return td.frame


def attribute_in_slices(
    tables: Tables,
    *,
    as_of: dt.date,
    sop_staff: frozenset[str],
    staff: frozenset[str],
    day0: Mapping[str, dt.date],
    koc: tuple[int, int, int],
    sink: Sink,
    slice_rows: int | None = None,
    room: int | None = None,
    per_row: Mapping[str, float] | None = None,
) -> dict[str, int]:
    """Attribute the rows without ``group_id`` of :data:`ATTRIBUTED`, slice by slice of
    their members (``hash(member code) % slices``); each slice's rows and the groups found
    for them (``_row, _ag``) go to ``sink``. Returns per table the rows no group was found
    for (the single pass's ``unattributed``). ``room`` and ``per_row`` (``--memory-limit``:
    the bytes a slice may hold, each table's bytes a row): at least
    :func:`attribution_slices` slices."""
    pending = {name: loose_rows(tables[name]) for name in ATTRIBUTED if name in tables}
    counts = {name: int(_streaming(lf.select(pl.len())).item()) for name, lf in pending.items()}
    unattributed = {name: 0 for name in pending}
    total = sum(counts.values())
    if total == 0:
        return unattributed
    per = SLICE_ROWS if slice_rows is None else slice_rows
    slices = max(1, math.ceil(total / max(per, 1)))
    if room is not None and per_row is not None:
        slices = max(slices, _slices_for_room(tables, pending, counts, room, per_row))
    key = pl.col("member_id").to_physical().hash(seed=0) % slices
    for j in range(slices):
        part = {
            name: _streaming(lf if slices == 1 else lf.filter(key == j))
            for name, lf in pending.items()
            if counts[name]
        }
        who = sorted(
            set().union(
                *(df["member_id"].cast(pl.String).drop_nulls().to_list() for df in part.values())
            )
        )
        sub: dict[str, TableData] = {}
        for name in ("messages", "members"):
            td = tables.get(name)
            if td is not None:
                # (filtered in the scan of the validated copy, on the stored codes)
                rows = _streaming(td.where_in("member_id", who))
                sub[name] = dataclasses.replace(td, frame=rows.lazy(), _narrow=None)
        for name, df in part.items():
            sub[name] = dataclasses.replace(tables[name], frame=df.lazy(), _narrow=None)
        small = Tables(sub, tables.tz)
        small.memo[("staff_ids", sop_staff)] = staff
        # (the groups of the members' messages and events; their day 0 as in the whole data)
        p = prepare(small, as_of=as_of, sop_staff=sop_staff, day0=day0, koc=koc)
        for name, df in part.items():
            got = getattr(p, name)
            found = (
                got.select("_row", pl.col("group_id").cast(pl.String).alias("_ag"))
                if got is not None
                else pl.DataFrame(schema={"_row": pl.Int64, "_ag": pl.String})
            )
            sink(name, j, df, found)
            unattributed[name] += p.unattributed.get(name, 0)
        del part, sub, small, p
    return unattributed


def pass_rows(row_bytes: float, room: int | None) -> int | None:
    """The rows of one streaming pass over a table whose rows take ``row_bytes`` each in
    memory, so that the pass holds at most ``room`` bytes (at least :data:`MIN_ROOM`): ``room
    / (SINK_PER_ROW_BYTE × row_bytes)``, at least :data:`MIN_PASS_ROWS`. None (one pass):
    no ``room`` (no ``--memory-limit``) or rows of no measured size."""
    if room is None or row_bytes <= 0:
        return None
    return max(MIN_PASS_ROWS, int(max(room, MIN_ROOM) / (SINK_PER_ROW_BYTE * row_bytes)))


def row_ranges(rows: int, per: int | None) -> list[tuple[int, int] | None]:
    """The ranges of row numbers (1-based, ends included) of the passes over a table of
    ``rows`` rows read ``per`` at a time; ``[None]``: one pass over every row."""
    if per is None or rows <= per:
        return [None]
    return [(lo + 1, min(lo + per, rows)) for lo in range(0, rows, per)]


def _in_range(lf: pl.LazyFrame, rows: tuple[int, int] | None) -> pl.LazyFrame:
    """The rows of ``lf`` whose ``_row`` (the source row number) is in ``rows`` (None: all)."""
    return lf if rows is None else lf.filter(pl.col("_row").is_between(*rows))


def _pass_folder(out: Path, j: int) -> Path:
    """Where pass ``j`` writes its buckets: ``out`` for the first, ``out/pass-J`` after."""
    return out if j == 0 else out / f"pass-{j}"


def attribution_slices(loose_bytes: float, member_bytes: float, share: float, room: int) -> int:
    """The slices of members that keep a slice of the attribution within ``room`` bytes: a
    slice holds its share of the rows without a group (``loose_bytes`` in all) and of the
    messages and member events of the members who have such rows (``member_bytes`` for
    every member, ``share`` of the members have such rows), and collecting them and
    ``prepare`` on them holds about :data:`SLICE_WORK_PER_ROW_BYTE` a byte of them."""
    work = SLICE_WORK_PER_ROW_BYTE * (loose_bytes + min(max(share, 0.0), 1.0) * member_bytes)
    return max(1, math.ceil(work / max(room, MIN_ROOM)))


def _slices_for_room(
    tables: Tables,
    pending: Mapping[str, pl.LazyFrame],
    counts: Mapping[str, int],
    room: int,
    per_row: Mapping[str, float],
) -> int:
    """:func:`attribution_slices` of the tables: the members with rows without a group
    against every member who wrote (distinct codes, two streaming counts)."""
    loose = sum(counts[name] * per_row.get(name, 0.0) for name in counts)
    member_bytes = sum(
        tables[name].rows_read * per_row.get(name, 0.0)
        for name in ("messages", "members")
        if name in tables
    )
    code = pl.col("member_id").to_physical()
    ids = [lf.select(code) for name, lf in pending.items() if counts[name]]
    few = _streaming(pl.concat(ids).select(code.n_unique())).item() if ids else 0
    every = _streaming(tables["messages"].frame.select(code.n_unique())).item()
    return attribution_slices(loose, member_bytes, int(few) / max(int(every), 1), room)


def _texts(lf: pl.LazyFrame) -> pl.LazyFrame:
    """Categorical columns as their text (their codes are valid in this process only)."""
    schema = lf.collect_schema()
    cats = [c for c, t in schema.items() if isinstance(t, pl.Categorical | pl.Enum)]
    return lf.with_columns(pl.col(c).cast(pl.String) for c in cats)


def _sink_buckets(lf: pl.LazyFrame, out: Path) -> None:
    """Rows with a ``_b`` column → ``out/_b=K/*.parquet`` (one streaming pass)."""
    _texts(lf).sink_parquet(
        pl.PartitionBy(out, key="_b", include_key=False),
        mkdir=True,
        compression="lz4",
        statistics=False,
        row_group_size=ROW_GROUP,
    )


def with_bucket(lf: pl.LazyFrame, buckets: Mapping[str, int]) -> pl.LazyFrame:
    """The rows of ``lf`` whose coded (categorical) ``group_id`` is a group of ``buckets``,
    with its bucket ``_b``: a join on the codes (a ``replace`` of 30,000 groups would stop
    the streaming engine and hold the whole column: at 10 M messages 1.6 GB against 0.4)."""
    ids = list(buckets)
    codes = pl.DataFrame(
        {
            "_gc": pl.Series(ids, dtype=pl.String).cast(ID).to_physical(),
            "_b": pl.Series(list(buckets.values()), dtype=pl.Int32),
        }
    )
    return (
        lf.with_columns(pl.col("group_id").to_physical().alias("_gc"))
        .join(codes.lazy(), on="_gc", how="inner")
        .drop("_gc")
    )


def bucket_by_text(column: str, buckets: Mapping[str, int]) -> pl.Expr:
    return pl.col(column).replace_strict(
        list(buckets), list(buckets.values()), default=None, return_dtype=pl.Int32
    )


def split_table(
    td: TableData,
    columns: Sequence[str],
    buckets: Mapping[str, int],
    out: Path,
    per: int | None = None,
) -> None:
    """The table's rows with a group of ``buckets`` → ``out/_b=K/``, in ``columns`` order
    (a table without ``group_id``: whole, into ``out/all.parquet``); ``per``: in passes of
    that many row numbers each (:func:`row_ranges`; pass J > 0 into ``out/pass-J/_b=K/``)."""
    if "group_id" not in td.columns:
        if td.name in ATTRIBUTED:
            return  # (every row is attributed through presence: written by the slices)
        out.mkdir(parents=True, exist_ok=True)
        _texts(td.frame.select(columns)).sink_parquet(
            out / "all.parquet", compression="lz4", statistics=False, row_group_size=ROW_GROUP
        )
        return
    lf = td.frame.filter(pl.col("group_id").is_not_null())
    for j, rows in enumerate(row_ranges(td.rows_read, per)):
        _sink_buckets(
            with_bucket(_in_range(lf, rows), buckets).select(*columns, "_b"), _pass_folder(out, j)
        )


def write_loose(
    df: pl.DataFrame,
    found: pl.DataFrame,
    columns: Sequence[str],
    buckets: Mapping[str, int],
    out: Path,
) -> None:
    """A slice's rows without a group, those a group of ``buckets`` was found for, with it
    → ``out/_b=K/``."""
    rows = df.lazy()
    if "group_id" in df.columns:
        rows = rows.drop("group_id")
    rows = rows.join(found.lazy(), on="_row", how="inner", maintain_order="left").rename(
        {"_ag": "group_id"}
    )
    b = bucket_by_text("group_id", buckets)
    _sink_buckets(
        rows.with_columns(b.alias("_b")).filter(pl.col("_b").is_not_null()).select(*columns, "_b"),
        out,
    )


def split_opens(
    engagement: TableData,
    posts: TableData,
    columns: Sequence[str],
    buckets: Mapping[str, int],
    out: Path,
    per: int | None = None,
) -> None:
    """The engagement rows opening a post → the bucket(s) of the post's group(s), one scan
    of each table (``membership.post_opens`` counts every open of a post); ``per``: the
    engagement in passes of that many row numbers (as :func:`split_table`)."""
    pairs = _streaming(
        with_bucket(posts.frame.filter(pl.col("post_id").is_not_null()), buckets)
        .select(pl.col("post_id").to_physical().alias("_pc"), "_b")
        .unique()
    )
    opens = engagement.frame.filter(
        (pl.col("event") == "open") & pl.col("post_id").is_not_null()
    ).with_columns(pl.col("post_id").to_physical().alias("_pc"))
    if "group_id" not in engagement.columns:
        opens = opens.with_columns(pl.lit(None, pl.String).alias("group_id"))
    for j, rows in enumerate(row_ranges(engagement.rows_read, per)):
        _sink_buckets(
            _in_range(opens, rows).join(pairs.lazy(), on="_pc", how="inner").select(*columns, "_b"),
            _pass_folder(out, j),
        )


def bucket_files(folder: Path, name: str, k: int | None) -> list[Path]:
    """The files of table ``name`` (``opens``: the rows opening a post) in bucket ``k``
    (None: every bucket), the whole table's first for a table without groups."""
    base = folder / "split" / name
    if (base / "all.parquet").is_file():
        return [base / "all.parquet"]
    b = "*" if k is None else str(k)
    files = sorted(base.glob(f"_b={b}/*.parquet"))
    files += sorted(base.glob(f"pass-*/_b={b}/*.parquet"))  # (a table written in passes)
    files += sorted((folder / "loose" / name).glob(f"*/_b={b}/*.parquet"))
    return files


def scan_bucket(files: Sequence[Path], schema: Mapping[str, pl.DataType]) -> pl.LazyFrame:
    """The files as one lazy frame in row order, with ``schema``'s types (no file: no row)."""
    if not files:
        lf = pl.LazyFrame(
            schema={
                c: pl.String if isinstance(t, pl.Categorical | pl.Enum) else t
                for c, t in schema.items()
            }
        )
    else:
        lf = pl.scan_parquet([str(f) for f in files])
    have = lf.collect_schema()
    lf = lf.with_columns(pl.col(c).cast(t) for c, t in schema.items() if c in have and have[c] != t)
    return lf.sort("_row")


__all__ = [
    "ATTRIBUTED",
    "SLICE_ROWS",
    "attribute_in_slices",
    "attribution_slices",
    "with_bucket",
    "bucket_by_text",
    "bucket_files",
    "loose_rows",
    "pass_rows",
    "row_ranges",
    "scan_bucket",
    "split_opens",
    "split_table",
    "write_loose",
]
