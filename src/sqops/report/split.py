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
  written by the slice into the same layout (``loose/``);
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
) -> dict[str, int]:
    """Attribute the rows without ``group_id`` of :data:`ATTRIBUTED`, slice by slice of
    their members (``hash(member code) % slices``); each slice's rows and the groups found
    for them (``_row, _ag``) go to ``sink``. Returns per table the rows no group was found
    for (the single pass's ``unattributed``)."""
    pending = {name: loose_rows(tables[name]) for name in ATTRIBUTED if name in tables}
    counts = {name: int(_streaming(lf.select(pl.len())).item()) for name, lf in pending.items()}
    unattributed = {name: 0 for name in pending}
    total = sum(counts.values())
    if total == 0:
        return unattributed
    per = SLICE_ROWS if slice_rows is None else slice_rows
    slices = max(1, math.ceil(total / max(per, 1)))
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
    td: TableData, columns: Sequence[str], buckets: Mapping[str, int], out: Path
) -> None:
    """The table's rows with a group of ``buckets`` → ``out/_b=K/``, in ``columns`` order
    (a table without ``group_id``: whole, into ``out/all.parquet``)."""
    if "group_id" not in td.columns:
        if td.name in ATTRIBUTED:
            return  # (every row is attributed through presence: written by the slices)
        out.mkdir(parents=True, exist_ok=True)
        _texts(td.frame.select(columns)).sink_parquet(
            out / "all.parquet", compression="lz4", statistics=False, row_group_size=ROW_GROUP
        )
        return
    lf = td.frame.filter(pl.col("group_id").is_not_null())
    _sink_buckets(with_bucket(lf, buckets).select(*columns, "_b"), out)


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
) -> None:
    """The engagement rows opening a post → the bucket(s) of the post's group(s), one scan
    of each table (``membership.post_opens`` counts every open of a post)."""
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
    _sink_buckets(
        opens.join(pairs.lazy(), on="_pc", how="inner").select(*columns, "_b"),
        out,
    )


def bucket_files(folder: Path, name: str, k: int | None) -> list[Path]:
    """The files of table ``name`` (``opens``: the rows opening a post) in bucket ``k``
    (None: every bucket), the whole table's first for a table without groups."""
    base = folder / "split" / name
    if (base / "all.parquet").is_file():
        return [base / "all.parquet"]
    b = "*" if k is None else str(k)
    files = sorted(base.glob(f"_b={b}/*.parquet"))
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
    "with_bucket",
    "bucket_by_text",
    "bucket_files",
    "loose_rows",
    "scan_bucket",
    "split_opens",
    "split_table",
    "write_loose",
]
