"""The report one group bucket at a time, merged exactly (issue #23; docs/architecture.md,
"Partitioned runs").

Three steps, each a top-level function so that a distributed engine can run the middle one
as a task (its arguments and its result pickle, also across interpreters):

- :func:`plan_partitions`: from the validated tables (read once, as the single pass reads
  them), the small exact summaries every bucket needs (as-of day, staff, the group of every
  row without ``group_id``, the rows after as-of, data quality, the earlier days of
  ``--compare``/``--trend``) and, with ``write=True``, one folder of Parquet files per bucket
  (the groups whose CRC-32 falls in it) for workers on shared storage;
- :func:`run_partition`: one bucket → a :class:`Partial` (its groups' sections and the exact
  inputs of every figure across groups: numerators and denominators, questions, channel
  counts, member action rows, its groups on the earlier days; with ``plan.inputs`` its
  prepared inputs, for the lists and views);
- :func:`merge_partials`: the partials → the :class:`Report` the single pass builds (the
  same bytes in every output).

:func:`build_partitioned` runs the three in turn in this process (without a folder the
buckets read the validated tables lazily).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import pickle
import statistics
import tempfile
import weakref
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import polars as pl

from sqops.data import spills
from sqops.data.membership import (
    Prepared,
    latest_day,
    message_spans,
    prepare,
    staff_ids,
    to_date,
    to_int,
)
from sqops.data.runtime import memory_limit_bytes
from sqops.data.tables import ID, TableData, Tables
from sqops.domain.actions import ACTION_NAMES
from sqops.domain.kpis import KPI, KPI_NAMES, needs
from sqops.errors import DataError, UsageError
from sqops.i18n import T
from sqops.report.actions import MemberActions
from sqops.report.build import (
    GroupReport,
    Report,
    Settings,
    _quality,
    build_report,
    group_names_in,
    pooler,
)
from sqops.report.channels import _COUNTS as CHANNEL_COUNTS
from sqops.report.channels import ChannelRow, Channels, _rows, channel_frame
from sqops.report.coverage import Coverage
from sqops.report.groupspill import SpilledGroups
from sqops.report.service import Service, ServiceCounts, _summarise
from sqops.report.split import (
    ATTRIBUTED,
    attribute_in_slices,
    bucket_files,
    pass_rows,
    scan_bucket,
    split_opens,
    split_table,
    write_loose,
)
from sqops.report.triage import build_rollups, build_triage, check_attributes

if TYPE_CHECKING:
    from sqops.report import schema as S

#: memory of a report's run per cell (row × column) of its tables: the one pass at 10 M
#: messages peaks at ~1 GB over ~270 M cells (about 4 bytes a cell); twice that, a margin
BYTES_PER_CELL = 8.0


@dataclass(frozen=True)
class TableMeta:
    """What a bucket needs to know of a whole table (its rows are in the bucket's file)."""

    name: str
    source: str
    columns: tuple[str, ...]
    rows_read: int
    event_types: frozenset[str]
    schema: dict[str, pl.DataType]


@dataclass
class PartitionPlan:
    """Everything a bucket's run needs, picklable: the settings, the summaries across groups
    and the folder of the bucket files (``bucket-K/TABLE.parquet``)."""

    folder: str
    partitions: int
    #: group id → its bucket (every group reported, sorted by id; ``--group``: the chosen)
    buckets: dict[str, int]
    as_of: dt.date
    settings: Settings
    lang: str
    staff: frozenset[str]
    tables: dict[str, TableMeta]
    #: the data-quality section without the coverage (added from the buckets' coverage)
    data_quality: S.DataQualityDoc
    #: the engagement rows that open a post, in the bucket of the post's group
    #: (``bucket-K/opens.parquet``): a post's openers are counted in its bucket
    has_opens: bool = False
    #: every group's paid orders, as the single pass's ``Prepared.orders`` holds them
    has_paid_orders: bool = False
    #: ``--compare``'s day and ``--trend``'s days (oldest first, the as-of day last)
    compare_day: dt.date | None = None
    trend_days: tuple[dt.date, ...] = ()
    #: the first day a report exists for (``trend.first_report_day``)
    first_day: dt.date | None = None
    #: per table: ``_row, _ag``, the group found for each row without ``group_id``
    assigned: dict[str, pl.DataFrame] = field(default_factory=dict)
    #: the buckets also return their prepared inputs, merged for the outputs that read every
    #: member's (``--lists``, ``--views``, HTML, xlsx)
    inputs: bool = False

    @property
    def history(self) -> list[dt.date]:
        """The earlier days each bucket reports too (those with data)."""
        days = set(self.trend_days) | ({self.compare_day} if self.compare_day else set())
        days.discard(self.as_of)
        return sorted(d for d in days if self.first_day is not None and d >= self.first_day)

    def groups_of(self, k: int) -> list[str]:
        return [g for g, b in self.buckets.items() if b == k]

    @property
    def nonempty(self) -> list[int]:
        """The buckets with at least one group, in order (the tasks to run)."""
        return sorted(set(self.buckets.values()))


@dataclass
class Partial:
    """One bucket's exact partial results (picklable)."""

    bucket: int
    groups: list[GroupReport]
    coverage: dict[str, Coverage]
    #: group names the bucket's messages carry (``group_names_in``)
    found_names: dict[str, str]
    basis: str
    service: Service | None
    #: every question of the service window with its answer (``Service._questions``)
    questions: pl.DataFrame | None
    #: per group and channel: joins and the (num, den) counts (``channel_frame``)
    channels: pl.DataFrame | None
    actions: pl.DataFrame = field(default_factory=pl.DataFrame)
    #: --compare/--trend: the bucket's groups (their KPIs) on each earlier day of the plan
    history: dict[dt.date, list[GroupReport]] = field(default_factory=dict)
    #: with ``plan.inputs``: the bucket's prepared inputs (its own orders alone)
    prepared: Prepared | None = None
    #: without ``plan.inputs``: group → action → members, all the JSON, Markdown and terminal
    #: show of the member actions (``actions`` then holds no rows: they are made for
    #: ``actions.csv`` alone, whose ``--lists`` asks for the inputs)
    action_counts: dict[str, dict[str, int]] | None = None


# ------------------------------------------------------------------ the number of buckets
def partitions_for(tables: Tables, limit: int, sizes: Mapping[str, int] | None = None) -> int:
    """Buckets so that each bucket's run stays under ``limit`` bytes: with ``sizes`` (each
    group's on-disk bytes, :func:`group_bytes`) by :func:`partitions_by_size`; else the
    tables' cells (rows × columns) times :data:`BYTES_PER_CELL`, over the limit (at least 1)."""
    if sizes is not None:
        return partitions_by_size(sizes, limit)
    cells = sum(td.rows_read * (len(td.columns) + 1) for td in tables.tables.values())
    return max(1, math.ceil(cells * BYTES_PER_CELL / max(limit, 1)))


#: ``--memory-limit`` on data partitioned by group, from the on-disk bytes of the groups' files
#: (all: T, the largest bucket's: M): a bucket's run peaks at about BASE_BYTES +
#: KEPT_PER_BYTE × T + BUCKET_PER_BYTE × M (phase 0's validated tables and the partials kept
#: so far grow with all the data, the bucket's own work with its groups), the merge at about
#: BASE_BYTES + MERGE_PER_BYTE × T whatever the buckets (the floor). Fitted on the 1 M and
#: 10 M bench data, rounded up (benchmarks/README.md "Partitioned runs (#23)")
BASE_BYTES = 300 << 20
KEPT_PER_BYTE = 1.1
BUCKET_PER_BYTE = 1.9
MERGE_PER_BYTE = 1.5


def group_bytes(data: str | Path | None) -> dict[str, int] | None:
    """The on-disk bytes of each group's files in a data folder's tables partitioned by group
    (``TABLE/group_id=…/*.parquet``, the id ``%``-decoded; the rows without ``group_id``
    under ``""``), summed over the tables. None: no table of the folder is partitioned (a
    flat file, or no folder)."""
    from urllib.parse import unquote

    from sqops.data.hive import partition_files
    from sqops.domain.tables import TABLE

    if data is None or not Path(data).is_dir():
        return None
    sizes: dict[str, int] = {}
    found = False
    for folder in sorted(Path(data).iterdir()):
        if folder.name.lower() not in TABLE:
            continue
        for f in partition_files(folder):
            found = True
            g = unquote(f.parent.name.partition("=")[2])
            g = "" if g == "__HIVE_DEFAULT_PARTITION__" else g
            sizes[g] = sizes.get(g, 0) + f.stat().st_size
    return sizes if found else None


def _largest_bucket(sizes: Mapping[str, int], parts: int) -> int:
    """The on-disk bytes of the largest of ``parts`` buckets (CRC-32 of the group id), the
    rows without a group (under ``""``) spread evenly over them, as phase 0 attributes them."""
    return _largest(_crcs(sizes), sizes.get("", 0), parts)


def _crcs(sizes: Mapping[str, int]) -> list[tuple[int, int]]:
    return [(zlib.crc32(g.encode("utf-8")), n) for g, n in sizes.items() if g]


def _largest(crcs: list[tuple[int, int]], loose: int, parts: int) -> int:
    per = [loose // parts] * parts
    for c, n in crcs:
        per[c % parts] += n
    return max(per)


def floor_estimate(sizes: Mapping[str, int]) -> int:
    """The peak no number of buckets goes under (the merge's), estimated from the sizes."""
    return BASE_BYTES + int(MERGE_PER_BYTE * sum(sizes.values()))


def peak_estimate(sizes: Mapping[str, int], parts: int) -> int:
    """The estimated peak of a run in ``parts`` buckets (the larger of a bucket's and the
    merge's)."""
    total = sum(sizes.values())
    bucket = BASE_BYTES + int(
        KEPT_PER_BYTE * total + BUCKET_PER_BYTE * _largest_bucket(sizes, parts)
    )
    return max(bucket, floor_estimate(sizes))


def partitions_by_size(sizes: Mapping[str, int], limit: int) -> int:
    """The fewest buckets whose estimated peak (:func:`peak_estimate`) is under ``limit``.
    A limit under the floor (:func:`floor_estimate`) cannot be kept: then the fewest buckets
    that reach the floor (more would cost CPU, every bucket scanning the tables, without
    lowering the peak). Buckets are tried up to twice the groups (CRC-32 puts some groups
    together), then that many are taken."""
    crcs = _crcs(sizes)
    total = sum(sizes.values())
    target = max(limit, floor_estimate(sizes))
    most = max(1, 2 * len(crcs))
    for parts in range(1, most + 1):
        largest = _largest(crcs, sizes.get("", 0), parts)
        if BASE_BYTES + int(KEPT_PER_BYTE * total + BUCKET_PER_BYTE * largest) <= target:
            return parts
    return most


def bucket_of(group_id: str, partitions: int) -> int:
    """The bucket of a group: CRC-32 of its id (UTF-8) mod ``partitions`` (stable across
    runs, machines and Python versions)."""
    return zlib.crc32(group_id.encode("utf-8")) % partitions


# ------------------------------------------------------------------ phase 0: the plan
def plan_partitions(
    tables: Tables,
    folder: str | Path,
    *,
    partitions: int,
    settings: Settings | None = None,
    as_of: dt.date | None = None,
    lang: str = "en",
    compare: dt.date | str | None = None,
    trend: int | None = None,
    groups: Iterable[str] | None = None,
    write: bool = True,
    inputs: bool = False,
    memory_limit: int | None = None,
) -> PartitionPlan:
    """The plan of a partitioned report over ``tables`` (validated as the single pass does),
    writing the bucket files under ``folder`` (the caller removes it). ``write=False``: no
    files; the buckets then read ``tables`` itself (``run_partition(plan, k, tables)``, in
    this process). ``memory_limit`` (bytes, ``--memory-limit``): the attribution's slices
    and the passes writing the bucket files sized from what the process has left of it
    (:func:`phase0_room`; None: the slices of :data:`~sqops.report.split.SLICE_ROWS` rows
    and one pass a table)."""
    if partitions < 1:
        raise UsageError(T("--partitions 至少为 1", "--partitions must be at least 1"))
    settings = settings or Settings()
    as_of = as_of or latest_day(tables)
    from sqops.report.compare import compare_day
    from sqops.report.trend import check_points, first_report_day, trend_days

    first_day = first_report_day(tables) if compare is not None or trend is not None else None
    then = compare_day(compare, as_of, first_day) if compare is not None else None
    if trend is not None:
        check_points(trend)
    staff = staff_ids(tables, settings.staff_ids)

    # every group and its day 0, as prepare() makes them (any message or member event)
    firsts = [message_spans(tables, as_of).select("group_id", pl.col("first").cast(pl.Int32))]
    if "members" in tables:
        firsts.append(
            tables["members"]
            .frame.filter(pl.col("day") <= as_of)
            .group_by("group_id")
            .agg(pl.col("day").min().cast(pl.Int32).alias("first"))
            .collect()
        )
    first = (
        pl.concat(firsts)
        .group_by("group_id")
        .agg(pl.col("first").min())
        .with_columns(pl.col("group_id").cast(pl.String))
    )
    # (prepare's day 0: the SOP's, else the default, else the first day of the group's data)
    fallback = settings.default_day0
    day0 = {
        g: settings.day0.get(g) or fallback or to_date(f)
        for g, f in first.sort("group_id").iter_rows()
    }
    only = sorted(set(groups)) if groups else None
    if only is not None:
        # (build_report's check: a group asked for without data is an error)
        missing = [g for g in only if g not in day0]
        if missing:
            raise UsageError(
                T("数据里没有这个群：{g}", "no such group in the data: {g}").format(
                    g=", ".join(missing)
                )
            )
    # (--group: only the chosen groups are in a bucket; every group's presence still
    # attributes the rows without group_id, as prepare(only_groups=...) does)
    buckets = {g: bucket_of(g, partitions) for g in sorted(day0) if only is None or g in only}

    # rows after as-of, per table (prepare counts them on every table with a day)
    after = {
        name: int(td.frame.filter(pl.col("day") > as_of).select(pl.len()).collect().item())
        for name, td in tables.tables.items()
        if "day" in td.columns
    }
    metas = {}
    for name, td in tables.tables.items():
        schema: dict[str, pl.DataType] = dict(td.frame.collect_schema())
        columns = td.columns
        if name in ATTRIBUTED and "group_id" not in columns:
            schema["group_id"] = ID()
            columns = (*columns, "group_id")
        metas[name] = TableMeta(name, td.source, columns, td.rows_read, td.event_types, schema)
    root = Path(folder)
    found: dict[str, list[pl.DataFrame]] = {}

    def keep(name: str, j: int, rows: pl.DataFrame, got: pl.DataFrame) -> None:
        if write:  # the slice's rows, with their group, into the buckets' files
            cols = list(metas[name].schema)
            write_loose(rows, got, cols, buckets, root / "loose" / name / f"slice-{j}")
        else:  # (in this process: the buckets read the validated tables with these)
            found.setdefault(name, []).append(got)

    left, per_row = phase0_room(tables, memory_limit)
    unattributed = attribute_in_slices(
        tables,
        as_of=as_of,
        sop_staff=frozenset(settings.staff_ids),
        staff=staff,
        day0=day0,
        koc=settings.koc,
        sink=keep,
        room=left,
        per_row=per_row,
    )
    assigned = {name: pl.concat(got) for name, got in found.items()}
    quality = _quality(tables, cast("Prepared", _Counts(after, unattributed, staff)))

    plan = PartitionPlan(
        folder=str(folder),
        partitions=partitions,
        buckets=buckets,
        as_of=as_of,
        settings=settings,
        lang=lang,
        staff=staff,
        tables=metas,
        data_quality=quality,
        compare_day=then,
        trend_days=tuple(trend_days(as_of, trend)) if trend is not None else (),
        first_day=first_day,
    )
    plan.assigned = assigned
    plan.inputs = inputs
    eng, posts = tables.get("engagement"), tables.get("posts")
    plan.has_opens = eng is not None and posts is not None and eng.has("post_id")
    plan.has_paid_orders = "orders" in tables
    if write:
        # one streaming pass per table into the buckets' folders (the rows attributed in a
        # slice were written by it above)
        for name, td in tables.tables.items():
            per = pass_rows(per_row.get(name, 0.0), left)
            split_table(td, list(metas[name].schema), buckets, root / "split" / name, per)
        if plan.has_opens:
            assert eng is not None and posts is not None
            cols = list(metas["engagement"].schema)
            per = pass_rows(per_row.get("engagement", 0.0), left)
            split_opens(eng, posts, cols, buckets, root / "split" / "opens", per)
        if plan.has_paid_orders:
            _sink(
                _paid(
                    plan, scan_bucket(bucket_files(root, "orders", None), metas["orders"].schema)
                ),
                root / "paid-orders.parquet",
            )
    return plan


def phase0_room(tables: Tables, memory_limit: int | None) -> tuple[int | None, dict[str, float]]:
    """The bytes phase 0's steps may add to what the process holds under ``memory_limit``
    (:func:`sqops.report.budget.room`, the resident set measured now) and each table's
    bytes a row in memory (:func:`sqops.report.budget.row_bytes`); ``(None, {})`` without
    a limit."""
    if memory_limit is None:
        return None, {}
    from sqops.data.runtime import resident_bytes
    from sqops.report.budget import room, row_bytes

    return room(memory_limit, resident_bytes()), row_bytes(tables)


@dataclass
class _Counts:
    """The parts of :class:`Prepared` that the data-quality section reads."""

    after_as_of: dict[str, int]
    unattributed: dict[str, int]
    staff: frozenset[str]


def _with_group(
    td: TableData, assigned: pl.DataFrame | None, frame: pl.LazyFrame | None = None
) -> pl.LazyFrame:
    """The table's rows (``frame``: some of them), those without ``group_id`` given the
    group found for them (or none)."""
    lf = td.frame if frame is None else frame
    if "group_id" not in td.columns:
        lf = lf.with_columns(pl.lit(None, ID).alias("group_id"))
    if assigned is None:
        return lf
    found = pl.col("_row").replace_strict(
        assigned["_row"], assigned["_ag"], default=None, return_dtype=pl.String
    )
    return lf.with_columns(
        pl.when(pl.col("group_id").is_null())
        .then(found.cast(ID))
        .otherwise(pl.col("group_id"))
        .alias("group_id")
    )


def bucket_frame(plan: PartitionPlan, tables: Tables, name: str, k: int) -> pl.LazyFrame:
    """Table ``name``'s rows of bucket ``k``: those of its groups, a row without ``group_id``
    by the group found for it (the rows of no group are in no bucket); a table without
    groups (staff) whole."""
    td = tables[name]
    groups = plan.groups_of(k)
    assigned = plan.assigned.get(name) if name in ATTRIBUTED else None
    frame = None
    if td.has("group_id"):
        # filtered in the scan: the bucket's groups' rows (and those without a group, when
        # some were attributed to one); the rows attributed elsewhere are dropped below
        frame = td.where_in("group_id", groups, nulls=assigned is not None)
    if name in ATTRIBUTED:
        lf = _with_group(td, assigned, frame)
    else:
        lf = td.frame if frame is None else frame
    if "group_id" not in lf.collect_schema():
        return lf
    return lf.filter(pl.col("group_id").cast(pl.String).is_in(groups))


def opens_frame(plan: PartitionPlan, tables: Tables, k: int) -> pl.LazyFrame:
    """The engagement rows that open a post of bucket ``k``'s groups, whatever group the row
    carries (``membership.post_opens`` counts every open of a post)."""
    posts = (
        tables["posts"]
        .where_in("group_id", plan.groups_of(k))
        .select(pl.col("post_id").cast(pl.String))
        .filter(pl.col("post_id").is_not_null())
        .unique()
        .sort("post_id")
        .collect()["post_id"]
    )
    # (a filter read in the scan rather than a semi join: the same rows in the same order)
    return (
        tables["engagement"]
        .where_in("post_id", posts.to_list())
        .filter((pl.col("event") == "open") & pl.col("post_id").is_not_null())
    )


def paid_orders(plan: PartitionPlan, tables: Tables) -> pl.LazyFrame:
    """Every group's paid orders up to as-of, not staff's, with the groups found for them."""
    return _paid(plan, _with_group(tables["orders"], plan.assigned.get("orders")))


def _paid(plan: PartitionPlan, orders: pl.LazyFrame) -> pl.LazyFrame:
    """The paid orders of ``orders`` (every row with its group) up to as-of, not staff's,
    of the groups reported."""
    return orders.filter(
        (pl.col("status") == "paid")
        & (pl.col("day") <= plan.as_of)
        & ~pl.col("member_id").is_in(sorted(plan.staff))
        & pl.col("group_id").cast(pl.String).is_in(list(plan.buckets))
    ).with_columns(pl.col("day").cast(pl.Int32))


def _sink(lf: pl.LazyFrame, path: Path) -> None:
    """Write a bucket's rows with their strings (a categorical's codes live in one process)."""
    schema = lf.collect_schema()
    cats = [c for c, t in schema.items() if isinstance(t, pl.Categorical | pl.Enum)]
    lf.with_columns(pl.col(c).cast(pl.String) for c in cats).sink_parquet(
        path, compression="lz4", statistics=False, row_group_size=100_000
    )


# ------------------------------------------------------------------ one bucket
def bucket_tables(plan: PartitionPlan, k: int, source: Tables | None = None) -> Tables:
    """Bucket ``k``'s tables, as :class:`Tables` that :func:`build_report` reads: from its
    files, or (``source``: the validated tables of the plan) lazily from those."""
    tds = {}
    for name, meta in plan.tables.items():
        if source is not None:
            lf = bucket_frame(plan, source, name, k)
        else:
            lf = scan_bucket(bucket_files(Path(plan.folder), name, k), meta.schema)
        tds[name] = TableData(
            name,
            meta.source,
            lf,
            meta.columns,
            meta.rows_read,
            pl.DataFrame(schema={"_row": pl.Int64, "_reason": pl.String}),
            event_types=meta.event_types,
        )
    tables = Tables(tds, plan.settings.tz)
    tables.memo[("staff_ids", frozenset(plan.settings.staff_ids))] = plan.staff
    if plan.has_opens:
        # + the rows opening the bucket's posts, whatever group they carry (membership's
        # openers count distinct members per post: a row in both frames counts once; the
        # KPIs read engagement's participations alone)
        eng = tds["engagement"]
        if source is not None:
            opens = opens_frame(plan, source, k)
        else:
            eng_schema = plan.tables["engagement"].schema
            opens = scan_bucket(bucket_files(Path(plan.folder), "opens", k), eng_schema)
        tds["engagement"] = dataclasses.replace(
            eng, frame=pl.concat([eng.frame, opens.select(eng.frame.collect_schema().names())])
        )
    return tables


def run_partition(plan: PartitionPlan, k: int, source: Tables | None = None) -> Partial:
    """Bucket ``k``'s report: its groups prepared and reported as the single pass does, and
    the exact partial results of every figure across groups (a task of its own: the plan
    and the result pickle). ``source``: the plan's validated tables, read in this process
    instead of the bucket files (a plan made with ``write=False``)."""
    s = plan.settings
    tables = bucket_tables(plan, k, source)
    p = prepare(
        tables,
        as_of=plan.as_of,
        sop_staff=s.staff_ids,
        day0=s.day0,
        default_day0=s.default_day0,
        koc=s.koc,
    )
    others = None
    own_orders = p.orders
    if p.orders is not None and plan.has_paid_orders:
        # the other buckets' paid orders: RFM is fleet-wide by member and a coupon is used by
        # any group's paid order; every per-group figure joins orders to its own groups
        mine = plan.groups_of(k)
        paid = (
            paid_orders(plan, source)
            if source is not None
            else pl.scan_parquet(Path(plan.folder) / "paid-orders.parquet")
        )
        others = paid.filter(~pl.col("group_id").cast(pl.String).is_in(mine)).collect()
        schema = p.orders.schema
        others = others.select(
            pl.col(c).cast(schema[c]) if c in others.columns else pl.lit(None, schema[c]).alias(c)
            for c in schema
        )
        own_orders = p.orders
        p.orders = pl.concat([p.orders, others])
    rep = build_report(tables, settings=s, as_of=plan.as_of, lang=plan.lang, prepared=p)
    # --compare, --trend: the bucket's groups on each earlier day (KPIs only), from the inputs
    # of the as-of day as the single pass derives them (trend.add_history)
    history: dict[dt.date, list[GroupReport]] = {}
    for day in plan.history:
        then = p.at(day, names=bool(s.nickname_pattern))
        if then.groups.height == 0:
            history[day] = []
            continue
        if others is not None and then.orders is not None:
            # (Prepared.at keeps the rows of the bucket's groups: the others' paid orders again)
            then.orders = pl.concat([then.orders, others.filter(pl.col("day") <= to_int(day))])
        history[day] = build_report(
            tables,
            settings=s,
            as_of=day,
            lang=plan.lang,
            missing_groups_ok=True,
            sections=False,
            prepared=then,
        ).groups
    has_channel = "members" in tables and tables["members"].has("channel")
    chan = None
    if has_channel and p.events is not None and "channel" in p.events.columns:
        chan = channel_frame(p)
    svc = rep.service
    questions = None
    if svc is not None and svc.available:
        questions = _answered_light(svc._questions)
        # (the merge summarises the questions across groups again: of the bucket's summary
        # only its groups' counts and its fleet's sums are sent, its groups being its own)
        svc = dataclasses.replace(
            svc, staff=[], unanswered=pl.DataFrame(), _questions=pl.DataFrame()
        )
    return Partial(
        bucket=k,
        groups=rep.groups,
        coverage=rep.coverage,
        found_names=group_names_in(tables),
        basis=p.basis,
        service=svc,
        questions=questions,
        channels=chan,
        actions=rep.actions.table if plan.inputs else pl.DataFrame(),
        history=history,
        prepared=_own_inputs(p, own_orders) if plan.inputs else None,
        action_counts=None if plan.inputs else rep.actions.counts(),
    )


#: the columns of a service question that only the unanswered list reads
_UNANSWERED_ONLY = ("content", "member_name")
#: the columns of a service question the summary does not read (``service._summarise``)
_UNREAD = ("_resp_s", "_wait_s")


def _answered_light(q: pl.DataFrame) -> pl.DataFrame:
    """A bucket's service questions for the merge, without what ``service._summarise`` does
    not read: the text of an answered question (its content and asker's name, read only by
    the unanswered list) and the seconds behind ``minutes``/``waited`` — at 200 M messages
    the questions are millions of rows, most of them answered (at 1 M messages 192 bytes
    a row pickled, 134 without; in memory 135, 75)."""
    if "answered" not in q.columns:
        return q
    # (a bucket without a question too: its columns as every bucket's, or the merge's
    # concat refuses the frames)
    texts = [c for c in _UNANSWERED_ONLY if c in q.columns]
    light = q.drop([c for c in _UNREAD if c in q.columns]).with_columns(
        pl.when(~pl.col("answered")).then(pl.col(c)).alias(c) for c in texts
    )
    # (made again from the values: the nulled column still refers to the whole text buffers,
    # which pickle and stay in memory; a few per cent of the questions are left to copy)
    return light.with_columns(
        pl.Series(c, light[c].to_list(), dtype=light.schema[c]) for c in texts
    )


# ------------------------------------------------------------------ the merge
@dataclass
class PartitionedReport(Report):
    """A :class:`Report` merged from partials: no ``prepared`` inputs; the member actions'
    rows are the buckets' (kept through ``dataclasses.replace``, e.g. ``--by`` files)."""

    action_rows: pl.DataFrame = field(default_factory=pl.DataFrame)
    #: the buckets' counts of the member actions when their rows were not sent
    action_counts: dict[str, dict[str, int]] | None = None

    @cached_property
    def actions(self) -> MemberActions:
        gids = [g.group_id for g in self.groups]
        if self.action_counts is not None:
            return CountedActions(None, True, gids, self.action_counts)
        return MemberActions.of_rows(self.action_rows, gids)


@dataclass
class CountedActions(MemberActions):
    """Member actions known by their counts alone (a partitioned report without the
    inputs): what the JSON, Markdown, HTML summary and terminal show; no rows."""

    tally: dict[str, dict[str, int]] = field(default_factory=dict)

    def counts(self) -> dict[str, dict[str, int]]:
        return {g: {a: self.tally.get(g, {}).get(a, 0) for a in ACTION_NAMES} for g in self.groups}


def merge_partials(
    plan: PartitionPlan,
    partials: Iterable[Partial],
    *,
    by: Sequence[str] = (),
    spilled: SpilledGroups | None = None,
) -> Report:
    """The buckets' partials → the report of the single pass. ``spilled``: the buckets'
    group sections, kept on disk (the partials' ``groups`` then empty)."""
    parts = sorted(partials, key=lambda x: x.bucket)
    s = plan.settings
    if by:
        check_attributes(by, s.group_vars)
    found: dict[str, str] = {}
    for part in parts:
        found.update(part.found_names)
    if any(g not in s.group_names for g in found):
        s = dataclasses.replace(s, group_names={**dict(sorted(found.items())), **s.group_names})
    groups: list[GroupReport] = (
        cast("list[GroupReport]", spilled)  # (a Sequence read from disk at each pass)
        if spilled is not None
        else sorted((g for part in parts for g in part.groups), key=_gid)
    )
    if not groups:
        raise DataError(
            T(
                "截至 {d} 没有任何消息或成员事件（数据从更晚的日期开始？）",
                "no message or member event on or before {d} (does the data start later?)",
            ).format(d=plan.as_of.isoformat())
        )
    meta = plan.tables
    need = needs(
        has_table=lambda t: t in meta,
        has_col=lambda t, c: t in meta and c in meta[t].columns,
        events=lambda t: meta[t].event_types if t in meta else frozenset(),
        pattern=s.nickname_pattern,
    )
    results, waiting_groups = _results(groups, need)
    pool = pooler(results, waiting_groups, need, s)
    triage = build_triage(groups)
    coverage = {
        g.group_id: c for g in groups for part in parts if (c := part.coverage.get(g.group_id))
    }
    quality = dict(plan.data_quality)
    quality["coverage"] = {g: c.to_dict() for g, c in coverage.items()}
    gids = [g.group_id for g in groups]

    def pooled(day: dt.date, gs: list[GroupReport]) -> Report:
        """The report of an earlier day as ``trend.add_history`` reads it: groups, fleet."""
        res, wait = _results(gs, need)
        return PartitionedReport(
            as_of=day,
            tz=s.tz,
            lang=plan.lang,
            basis=parts[0].basis,
            community=s.community,
            data_quality=cast("S.DataQualityDoc", {}),
            fleet=pooler(res, wait, need, s)(None),
            groups=gs,
            settings=s,
        )

    earlier: dict[dt.date, Report | None] = {}
    for day in plan.history:
        gs = sorted((g for part in parts for g in part.history.get(day, [])), key=_gid)
        earlier[day] = pooled(day, gs) if gs else None
    tables = [part.actions for part in parts if part.actions.height]
    rows = (
        pl.concat(tables).sort(pl.col("group_id").cast(pl.String), maintain_order=True)
        if tables
        else parts[0].actions
    )
    counts: dict[str, dict[str, int]] | None = None
    if any(part.action_counts is not None for part in parts):
        counts = {g: c for part in parts for g, c in (part.action_counts or {}).items()}
    report = PartitionedReport(
        as_of=plan.as_of,
        tz=s.tz,
        lang=plan.lang,
        basis=parts[0].basis,
        community=s.community,
        data_quality=quality,  # type: ignore[arg-type]
        fleet=pool(None),
        groups=groups,
        settings=s,
        triage=triage,
        rollups=build_rollups(by, groups, triage, s.group_vars, pool),
        channels=_channels(parts, gids),
        coverage=coverage,
        service=_service(parts, s, gids),
        action_rows=rows,
        action_counts=counts,
        prepared=_merged_inputs(plan, parts),
    )
    if plan.compare_day is not None or plan.trend_days:
        from sqops.report.compare import attach
        from sqops.report.trend import build_trend

        def report_on(day: dt.date) -> Report | None:
            return report if day == report.as_of else earlier.get(day)

        if plan.compare_day is not None:
            then = report_on(plan.compare_day)
            assert then is not None  # (compare_day refused a day before the data)
            attach(report, then)
        if plan.trend_days:
            report.trend = build_trend(report, list(plan.trend_days), report_on)
    return report


def _own_inputs(p: Prepared, orders: pl.DataFrame | None) -> Prepared:
    """A bucket's inputs to send: its own orders (not the others' paid ones), without what
    only this process uses (the memo, the history)."""
    return dataclasses.replace(p, orders=orders, memo={}, history=None)


#: the frames of :class:`Prepared`, and the columns each is sorted by when merged (None:
#: every use aggregates or sorts it itself)
_FRAMES: dict[str, tuple[str, ...] | None] = {
    "groups": ("group_id",),
    "act": None,
    "presence": ("group_id", "member_id", "s"),
    "events": ("_row",),
    "orders": ("_row",),
    "coupons": ("_row",),
    "engagement": ("_row",),
    "post_opens": ("post_id",),
    "posts": ("group_id", "ts", "post_id"),
    "names": ("group_id", "member_id"),
    "heat": ("group_id", "weekday", "hour"),
}


def _merged_inputs(plan: PartitionPlan, parts: Sequence[Partial]) -> Prepared | None:
    """The buckets' inputs as one :class:`Prepared` (the lists and views read it as the
    single pass's): each frame concatenated, in a fixed order."""
    ps = [part.prepared for part in parts if part.prepared is not None]
    if not ps:
        return None
    frames: dict[str, Any] = {}
    for name, order in _FRAMES.items():
        got = [getattr(p, name) for p in ps if getattr(p, name) is not None]
        if not got:
            frames[name] = None
            continue
        df = pl.concat([g.with_columns(_str_cats(g)) for g in got], how="vertical_relaxed")
        df = df.with_columns(_cats_back(df, got[0]))
        frames[name] = (
            df.sort(
                [pl.col(c).cast(pl.String) if df.schema[c] == ID() else pl.col(c) for c in order],
                maintain_order=True,
            )
            if order
            else df
        )
    first = ps[0]
    after = {t["table"]: t["after_as_of"] for t in plan.data_quality["tables"]}
    unattributed = {t["table"]: t["unattributed"] for t in plan.data_quality["tables"]}
    return dataclasses.replace(
        first,
        **frames,
        after_as_of={k: v for k, v in after.items() if k in first.after_as_of},
        unattributed={k: v for k, v in unattributed.items() if k in first.unattributed},
        memo={},
        history=None,
    )


def _str_cats(df: pl.DataFrame) -> list[pl.Expr]:
    return [
        pl.col(c).cast(pl.String) for c, t in df.schema.items() if isinstance(t, pl.Categorical)
    ]


def _cats_back(df: pl.DataFrame, like: pl.DataFrame) -> list[pl.Expr]:
    return [pl.col(c).cast(t) for c, t in like.schema.items() if isinstance(t, pl.Categorical)]


def _gid(g: GroupReport) -> str:
    return g.group_id


def _results(
    groups: Sequence[GroupReport], need: Mapping[str, list[str]]
) -> tuple[dict[str, dict[str, tuple[float, float]]], set[str]]:
    """Per KPI, group → (numerator, denominator) of the groups that computed it (in group
    order, the single pass's summation order), and the groups that wait for a KPI's
    ``available_from``."""
    results: dict[str, dict[str, tuple[float, float]]] = {n: {} for n in KPI_NAMES}
    waiting: set[str] = set()
    for g in groups:
        for st in g.stages:
            for k in st.kpis:
                if k.numerator is not None and k.denominator is not None:
                    results[k.name][g.group_id] = (k.numerator, k.denominator)
                kd = KPI[k.name]
                if (
                    kd.available_from is not None
                    and not need[k.name]
                    and k.status == "unavailable"
                    and k.needs == list(kd.waiting_needs)
                ):
                    waiting.add(g.group_id)
    return results, waiting


def _channels(parts: Sequence[Partial], gids: list[str]) -> Channels:
    frames = [p.channels for p in parts if p.channels is not None]
    if not frames:
        from sqops.report.channels import NEEDS

        return Channels(False, list(NEEDS), [], {})
    df = pl.concat(frames, how="vertical_relaxed")
    fleet = [row for _, row in _rows(df.group_by("channel").agg(pl.col(CHANNEL_COUNTS).sum()), [])]
    per: dict[str, list[ChannelRow]] = {g: [] for g in gids}
    for g, row in _rows(df, ["group_id"]):
        if g in per:
            per[g].append(row)
    return Channels(True, [], fleet, per)


def _service(parts: Sequence[Partial], settings: Settings, gids: list[str]) -> Service | None:
    first = next((p.service for p in parts if p.service is not None), None)
    if first is None or not first.available:
        return first
    svc = dataclasses.replace(first)
    q = pl.concat([p.questions for p in parts if p.questions is not None], how="vertical_relaxed")
    svc._questions = q
    svc._context = (first._context[0], settings.group_names, first._context[2])
    _summarise_merged(svc, [p.service for p in parts if p.service is not None], q, gids)
    return svc


#: answered questions summarised at once for the staff's figures in a merge (one polars
#: ``group_by`` over every question of 50 M messages, 1.1 M rows, held ~200–400 MB more
#: than over a fifth of them)
STAFF_SLICE = 250_000


def _summarise_merged(
    svc: Service, buckets: Sequence[Service], q: pl.DataFrame, gids: list[str]
) -> None:
    """``service._summarise(svc, q, gids)`` from the buckets' summaries and ``q`` in pieces,
    the same figures: each group's counts as its bucket made them (a group's questions are
    all in its bucket); the fleet's counts summed over the buckets, its median over every
    answered question's minutes (``statistics.median``, as ``_summarise``); the staff's
    rows made by ``_summarise`` on the answered questions of a hash slice of the staff at a
    time (at most :data:`STAFF_SLICE` rows each when they spread), then sorted as it sorts
    them (most answered first, then id); the unanswered list by ``_summarise`` on the
    unanswered questions alone (it reads only those)."""
    own = {g: c for b in buckets for g, c in b.groups.items()}
    if any(g not in own for g in gids):  # (a bucket without its groups' counts)
        _summarise(svc, q, gids)
        return
    fleets = [b.fleet for b in buckets if b.fleet is not None]
    answered = pl.col("answered")
    mins = q.get_column("minutes").filter(q.get_column("answered")).to_list()
    svc.fleet = ServiceCounts(
        questions=sum(f.questions for f in fleets),
        answered=sum(f.answered for f in fleets),
        answered_in_time=sum(f.answered_in_time for f in fleets),
        pending=sum(f.pending for f in fleets),
        median_response_minutes=statistics.median(mins) if mins else None,
        sla_hours=svc.sla_hours,
    )
    del mins
    svc.groups = {g: own[g] for g in gids}
    piece = dataclasses.replace(svc)
    slices = max(1, math.ceil(svc.fleet.answered / STAFF_SLICE))
    # (each answering member's slice, hashed once for every pass)
    slice_of = q.select(pl.col("a_member").cast(pl.String).hash(seed=0) % slices).to_series()
    staff = []
    for j in range(slices):
        _summarise(piece, q.filter(answered & (slice_of == j)), [])
        staff.extend(piece.staff)
    svc.staff = sorted(staff, key=lambda x: (-x.answered, x.member_id))
    _summarise(piece, q.filter(~answered), [])
    svc.unanswered = piece.unanswered


# ------------------------------------------------------------------ all in this process
def partitioned_report(
    tables: Tables,
    partitions: int,
    *,
    settings: Settings | None = None,
    as_of: dt.date | None = None,
    lang: str = "en",
    by: Sequence[str] = (),
    compare: dt.date | str | None = None,
    trend: int | None = None,
    groups: Iterable[str] | None = None,
    inputs: bool = False,
    memory_limit: int | None = None,
) -> Report:
    """:func:`build_partitioned` in this process, the bucket files and the partials in a
    private temporary folder (removed at the end, on an error, Ctrl-C or SIGTERM too)."""
    with private_folder() as folder:
        return build_partitioned(
            tables,
            folder,
            partitions=partitions,
            settings=settings,
            as_of=as_of,
            lang=lang,
            by=by,
            compare=compare,
            trend=trend,
            groups=groups,
            inputs=inputs,
            memory_limit=memory_limit,
        )


@contextmanager
def private_folder(base: str | Path | None = None) -> Iterator[Path]:
    """A new temporary folder for a run's bucket files and partials, removed when the block
    ends however it ends (and registered with :mod:`sqops.data.spills`, which the command
    line empties at its end)."""
    folder = Path(tempfile.mkdtemp(prefix="sqops-report-parts-", dir=base)).resolve()
    holder = _Holder()  # (alive until the block ends: the finalizer runs then, or at exit)
    done = weakref.finalize(holder, spills.remove_tree, str(folder))
    spills.register(done)
    try:
        yield folder
    finally:
        done()


class _Holder:
    """(What :func:`private_folder`'s finalizer is attached to: it runs when called.)"""


def build_partitioned(
    tables: Tables,
    folder: str | Path | None = None,
    *,
    partitions: int,
    settings: Settings | None = None,
    as_of: dt.date | None = None,
    lang: str = "en",
    by: Sequence[str] = (),
    compare: dt.date | str | None = None,
    trend: int | None = None,
    groups: Iterable[str] | None = None,
    inputs: bool = False,
    memory_limit: int | None = None,
) -> Report:
    """:func:`plan_partitions`, :func:`run_partition` for each bucket in turn, and
    :func:`merge_partials`: the report of the single pass, one bucket in memory at a time.
    With ``folder`` the buckets read the files written there (what a distributed run reads)
    and each bucket's partial is written there (``partial-K.pickle``) until the merge reads
    them back; without, they read ``tables`` lazily, each its own groups' rows, and the
    partials stay in memory."""
    if by:
        check_attributes(by, (settings or Settings()).group_vars)
    plan = plan_partitions(
        tables,
        folder if folder is not None else "",
        partitions=partitions,
        settings=settings,
        as_of=as_of,
        lang=lang,
        compare=compare,
        trend=trend,
        groups=groups,
        write=folder is not None,
        inputs=inputs,
        memory_limit=memory_limit,
    )
    if folder is None:
        parts = [run_partition(plan, k, tables) for k in plan.nonempty]
        return merge_partials(plan, parts, by=by)
    files = []
    # the group sections on disk until written, when nothing changes them after the merge
    # (--compare/--trend set their KPIs' earlier values) and no output reads the inputs
    spill = not inputs and plan.compare_day is None and not plan.trend_days
    spilled = SpilledGroups() if spill else None
    for k in plan.nonempty:
        part = run_partition(plan, k)
        if spilled is not None:
            spilled.add(part.groups)
            part.groups = []
        f = Path(folder) / f"partial-{k}.pickle"
        with f.open("wb") as out:
            pickle.dump(part, out, protocol=pickle.HIGHEST_PROTOCOL)
        del part
        files.append(f)
    return merge_partials(plan, _load(files), by=by, spilled=spilled)


def _load(files: Sequence[Path]) -> Iterator[Partial]:
    """The partials written to ``files``, read one after the other."""
    for f in files:
        with f.open("rb") as fh:
            part: Partial = pickle.load(fh)
        yield part


__all__ = [
    "Partial",
    "PartitionPlan",
    "PartitionedReport",
    "build_partitioned",
    "bucket_of",
    "group_bytes",
    "floor_estimate",
    "partitions_by_size",
    "peak_estimate",
    "partitioned_report",
    "memory_limit_bytes",
    "merge_partials",
    "partitions_for",
    "plan_partitions",
    "private_folder",
    "run_partition",
]
