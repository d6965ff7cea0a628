"""Membership as intervals of days, and the prepared inputs every KPI reads.

Days are integers (days since 1970-01-01, local calendar) so that windows, presence and
counts are interval arithmetic on small frames: no member × day expansion except the
per-group daily member counts (groups × days rows).
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import polars as pl

from sqops.data.tables import ID, TableData, Tables, fixed_offset, to_local
from sqops.domain.tables import STAFF_ROLES

EPOCH = dt.date(1970, 1, 1)
#: held while a result kept on ``tables.memo`` is made: the report and its adherence section
#: may run side by side (``sqops report``) and ask for the same ones; the second waits for it
MEMO_LOCK = threading.RLock()
#: a frame, eager or lazy (functions written once for both)
Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)


def to_int(day: dt.date) -> int:
    return (day - EPOCH).days


def to_date(n: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(n))


def _int(value: Any) -> int:
    """A day number or count that polars returned as a scalar (typed as any literal)."""
    return int(value)


def _day_int(col: str = "day") -> pl.Expr:
    return pl.col(col).cast(pl.Int32)


class Deferred:
    """A frame of :class:`Prepared` that no KPI reads, made the first time it is read and
    then kept: ``query`` collected (streaming), sorted by ``by``. The weekday x hour counts
    are shown only by the HTML report, ``--lists`` and ``--views``: the JSON, Markdown and
    terminal reports never pay for them (at 10 M messages ~0.5 CPU-s of the pass over the
    member messages). Pickled as the frame it makes (a partitioned run's inputs)."""

    def __init__(self, query: pl.LazyFrame, by: Sequence[str]) -> None:
        self._query: pl.LazyFrame | None = query
        self._by = list(by)
        self._schema = query.collect_schema()
        self._value: pl.DataFrame | None = None

    def get(self) -> pl.DataFrame:
        if self._value is None:
            with MEMO_LOCK:
                if self._value is None:
                    assert self._query is not None
                    self._value = self._query.collect(engine="streaming").sort(self._by)
                    self._query = None  # (nothing of the tables kept once made)
        return self._value

    def empty(self) -> pl.DataFrame:
        """No rows, the columns and types of :meth:`get` (without making it)."""
        return pl.DataFrame(schema=self._schema)

    def __getstate__(self) -> dict[str, Any]:
        return {"_query": None, "_by": self._by, "_schema": self._schema, "_value": self.get()}


class _OnDemand:
    """A field of :class:`Prepared` that may be given as a :class:`Deferred`: reading it
    gives the frame, made then (no default: the dataclass's ``__init__`` still requires it)."""

    def __init__(self, name: str) -> None:
        self._key = f"_{name}_on_demand"

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            raise AttributeError(self._key)  # (so the dataclass sees no default)
        value = obj.__dict__[self._key]
        return value.get() if isinstance(value, Deferred) else value

    def __set__(self, obj: Any, value: Any) -> None:
        obj.__dict__[self._key] = value


def deferred(p: Prepared[Any], name: str) -> Deferred | None:
    """The :class:`Deferred` a field of ``p`` was given as, when not made yet (else None)."""
    value = p.__dict__.get(f"_{name}_on_demand")
    return value if isinstance(value, Deferred) and value._value is None else None


@dataclass
class Prepared(Generic[Frame]):
    """Everything the KPIs need, filtered to ``as_of`` and with staff removed.

    :func:`prepare` makes one of DataFrames; :func:`sqops.report.kpis.lazy` the same of
    LazyFrames, which the KPI queries are written on."""

    as_of: int
    tz: str
    staff: frozenset[str]
    basis: str  # "membership" | "speakers"
    groups: Frame  # group_id, d0
    act: Frame  # group_id, member_id, day, n  (non-staff, non-system, per day)
    presence: Frame  # group_id, member_id, s, e  (merged, disjoint, inclusive, e <= as_of;
    # in no particular order: every use filters, joins or aggregates it)
    events: Frame | None  # members events: group_id, member_id, event, ts, day, inviter_id
    # (and channel, member_name when the table has them)
    orders: Frame | None  # paid or not: order_id, group_id, member_id, day, ts, amount, ...
    coupons: Frame | None  # coupon_id, group_id, member_id, day
    engagement: Frame | None  # `participate` rows only: group_id, member_id, event, day, ts
    post_opens: Frame | None  # post_id, opens: distinct non-staff openers within 48 h
    posts: Frame | None  # post_id, group_id, ts, day, kind, title
    names: Frame  # group_id, member_id, member_name, ts, day  (latest per pair and source)
    heat: Frame  # group_id, weekday (0 = Mon), hour, n  (non-staff, non-system messages)
    after_as_of: dict[str, int]
    unattributed: dict[str, int]
    koc_min_days: int = 7
    koc_min_referrals: int = 1
    koc_min_messages: int = 30
    #: results computed from these inputs and kept (e.g. the KOC table, asked three times)
    memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    #: what :func:`prepare` keeps to derive an earlier as-of's inputs (:meth:`at`)
    history: History | None = field(default=None, repr=False, compare=False)

    def at(self, day: dt.date, *, names: bool = True) -> Prepared[pl.DataFrame]:
        """These inputs as :func:`prepare` gives them with ``as_of=day`` (not after this
        as-of), derived from these instead of read again: see :func:`prepare_earlier`."""
        return prepare_earlier(self, day, names=names)  # type: ignore[arg-type]


#: made when read (given as a :class:`Deferred` by :func:`prepare`); set on the class after
#: the dataclass is made, so that its ``__init__`` still requires it
setattr(Prepared, "heat", _OnDemand("heat"))  # noqa: B010


def staff_ids(tables: Tables, sop_staff: Iterable[str] = ()) -> frozenset[str]:
    """SOP roles + the staff table + senders whose message ``role`` is staff or bot.

    Kept on ``tables`` per SOP staff set (the report and its adherence section both ask)."""
    key = ("staff_ids", frozenset(sop_staff))
    if key not in tables.memo:
        with MEMO_LOCK:
            if key not in tables.memo:
                tables.memo[key] = _staff_ids(tables, key[1])
    return tables.memo[key]


def _staff_ids(tables: Tables, sop_staff: frozenset[str]) -> frozenset[str]:
    ids = set(sop_staff)
    st = tables.get("staff")
    if st is not None:
        ids.update(st.frame.select("member_id").unique().collect()["member_id"].to_list())
    m = tables["messages"]
    if m.has("role"):
        got = (
            m.frame.filter(pl.col("role").is_in(STAFF_ROLES))
            .select("member_id")
            .unique()
            .collect()["member_id"]
            .to_list()
        )
        ids.update(got)
    return frozenset(i for i in ids if i)


def span_aggs(ts: str = "ts") -> list[pl.Expr]:
    """``first``, ``last`` (local days) and ``last_ts`` of the rows of a group (the latest of
    their ``ts``: a message's time, or a day's latest time in :func:`message_days`)."""
    return [
        pl.col("day").min().alias("first"),
        pl.col("day").max().alias("last"),
        pl.col(ts).max().alias("last_ts"),
    ]


def message_spans(tables: Tables, as_of: dt.date) -> pl.DataFrame:
    """``group_id, first, last, last_ts``: per group, the first and last local day and the
    latest time of its messages up to ``as_of``. Kept on ``tables`` per as-of day: the
    report (day 0 candidates) and its adherence section (days covered) both ask."""
    key = ("message_spans", as_of)
    if key not in tables.memo:
        with MEMO_LOCK:
            if key not in tables.memo:
                # (from the days with messages: the same minimum, maximum and latest time)
                tables.memo[key] = (
                    message_days(tables)
                    .filter(pl.col("day") <= as_of)
                    .group_by("group_id")
                    .agg(span_aggs("last_ts"))
                )
    return tables.memo[key]


def message_days(tables: Tables) -> pl.DataFrame:
    """``group_id, day, last_ts``: every (group, local day) with a message, over all the
    messages (staff and system too), and the latest time of that day's messages. Kept on
    ``tables``: :func:`message_spans` (the report and its adherence section, each as-of day)
    and the coverage section's days with messages are made from it, one pass over the
    messages instead of one each (a few hundred thousand rows at 10 M messages)."""
    key = ("message_days",)
    if key not in tables.memo:
        with MEMO_LOCK:
            if key not in tables.memo:
                td = tables["messages"]
                if td.times_in_order():
                    tables.memo[key] = _days_in_order(td.frame)
                else:
                    tables.memo[key] = _days_grouped(td.frame)
    return tables.memo[key]


def _days_grouped(frame: pl.LazyFrame) -> pl.DataFrame:
    """:func:`message_days` grouped by one integer: the group's code and the day + 2**31
    (any Int32 day fits in 32 bits; 10 M messages 0.28-0.36 -> 0.20-0.22 CPU-s)."""
    day = pl.col("day").cast(pl.Int32).cast(pl.Int64) + (1 << 31)
    k = pl.col("group_id").to_physical().cast(pl.UInt64) * (1 << 32) + day.cast(pl.UInt64)
    got = frame.group_by(k.alias("_k")).agg(pl.col("ts").max().alias("last_ts"))
    return got.collect(engine="streaming").select(
        (pl.col("_k") // (1 << 32)).cast(pl.UInt32).cat.to(ID).alias("group_id"),
        ((pl.col("_k") % (1 << 32)).cast(pl.Int64) - (1 << 31))
        .cast(pl.Int32)
        .cast(frame.collect_schema()["day"])
        .alias("day"),
        "last_ts",
    )


def _days_in_order(frame: pl.LazyFrame) -> pl.DataFrame:
    """:func:`message_days` of messages whose times never go back within a group
    (:meth:`TableData.times_in_order`): the rows of one (group, day) that follow each other
    are a run whose last row has its latest time, so only the last row of each run is kept
    and those (a few hundred thousand at 10 M messages, one a run) are grouped — a group's
    rows may come in several runs, and a day in two of them. No hashing of every row: at
    10 M messages 0.26-0.28 -> 0.04-0.05 CPU-s."""
    g, day = pl.col("group_id").to_physical(), pl.col("day")
    # (a null group or day — never in a validated table — ends a run: grouped as itself)
    last = ((g != g.shift(-1)) | (day != day.shift(-1))).fill_null(True)
    return (
        frame.select("group_id", "day", "ts")
        .filter(last)
        .group_by("group_id", "day")
        .agg(pl.col("ts").max().alias("last_ts"))
        .collect(engine="streaming")
    )


def latest_day(tables: Tables) -> dt.date:
    """The latest local day found in any table: the default as-of (never the clock)."""
    days = []
    for td in tables.tables.values():
        if "day" in td.columns:
            if td.last_day is not None and td.rejected.height == 0 and td.duplicates == 0:
                # (reading's latest day of the rows read: of every row kept, when it rejected
                # and dropped none — at 10 M the engagement file's days made again, 0.4 CPU-s)
                days.append(td.last_day)
                continue
            d = td.frame.select(pl.col("day").max()).collect().item()
            if d is not None:
                days.append(d)
    return max(days)


def _pair_key() -> pl.Expr:
    """One integer per (group_id, member_id) in this process, for sorting, grouping and
    joining two frames by the pair without comparing strings (every id column is coded by
    polars' one global categorical mapping in a process: the same pair, the same integer in
    every frame of it; group code × 2^32 + member code, both below 2^32: no two pairs share
    one). The codes are arbitrary: they never reach an output and no output's order depends
    on them."""
    g = pl.col("group_id").cast(pl.Categorical).to_physical().cast(pl.UInt64)
    m = pl.col("member_id").cast(pl.Categorical).to_physical().cast(pl.UInt64)
    return g * (1 << 32) + m


def by_pair(rows: Frame, *aggs: pl.Expr) -> Frame:
    """``rows.group_by("group_id", "member_id").agg(*aggs)``, grouped by one integer per pair
    (:func:`_pair_key`): the same rows (in no particular order, as any group-by), in about
    half the time of grouping by the two categorical columns (at 10 M messages the 4 M rows
    of member activity 0.45 -> 0.26 CPU-s). Both ids are never null (spec §2).

    When both ids are ``ID`` categoricals the two ids are read back from the key (its halves
    are their codes) instead of aggregated (``first`` of each group): the 4 M activity rows'
    spans, lazily, 0.09-0.12 -> 0.08-0.10 CPU-s). A DataFrame is grouped as a LazyFrame and
    collected: the same query run eagerly took twice the CPU (those rows: 0.21-0.24)."""
    if isinstance(rows, pl.DataFrame):
        return by_pair(rows.lazy(), *aggs).collect()
    schema = rows.collect_schema()
    if schema["group_id"] == ID and schema["member_id"] == ID:
        return (
            rows.group_by(_pair_key().alias("_pk"))
            .agg(*aggs)
            .select(
                (pl.col("_pk") // (1 << 32)).cast(pl.UInt32).cat.to(ID).alias("group_id"),
                (pl.col("_pk") % (1 << 32)).cast(pl.UInt32).cat.to(ID).alias("member_id"),
                pl.all().exclude("_pk", "group_id", "member_id"),
            )
        )
    return (
        rows.with_columns(_pair_key().alias("_pk"))
        .group_by("_pk")
        .agg(pl.col("group_id").first(), pl.col("member_id").first(), *aggs)
        .drop("_pk")
    )


def _activity_key(groups: pl.Series, lo: Any, hi: int) -> tuple[int, int] | None:
    """``(lo, bits of the day)`` when one unsigned 64-bit integer holds every (group code,
    member code, day − ``lo``) of rows whose groups are among ``groups`` and whose days lie
    in ``lo``..``hi`` (a member code has 32 bits); None when it may not (then a group-by)."""
    if lo is None or groups.len() == 0:
        return None
    g_max = groups.to_physical().max()
    day_bits = max(int(hi - _int(lo)).bit_length(), 1)
    if g_max is None or _int(g_max).bit_length() + 32 + day_bits > 64:
        return None
    return _int(lo), day_bits


def _count_runs(rows: pl.LazyFrame, lo: int, day_bits: int) -> pl.DataFrame:
    """``rows.group_by("group_id", "member_id", "day").agg(pl.len().alias("n"))`` (the
    member activity) from one integer per row: group code, member code and ``day − lo``
    packed (:func:`_activity_key` proves they fit), sorted, and its runs counted — the same
    rows in key order (a group-by gives them in no particular order), in about half the
    CPU of the group-by of three columns (10 M messages: ~1.0 against ~0.55 CPU-s)."""
    g = pl.col("group_id").to_physical().cast(pl.UInt64)
    m = pl.col("member_id").to_physical().cast(pl.UInt64)
    d = (pl.col("day") - lo).cast(pl.UInt64)
    key = (g * (1 << (32 + day_bits)) + m * (1 << day_bits) + d).alias("_k")
    keys = rows.select(key).collect(engine="streaming")["_k"]
    if keys.null_count():  # (a null id or day: never in validated tables; the group-by's rows)
        return rows.group_by("group_id", "member_id", "day").agg(pl.len().alias("n")).collect()
    # (on one thread: 8.7 M keys at 10 M messages 0.27-0.35 -> 0.15 CPU-s; the report's
    # other work — the adherence section beside prepare — keeps the second core busy)
    keys = keys.sort(multithreaded=False)
    runs = keys.rle()
    del keys
    k = runs.struct.field("value")
    return pl.DataFrame(
        {
            "group_id": (k // (1 << (32 + day_bits))).cast(pl.UInt32),
            "member_id": ((k // (1 << day_bits)) % (1 << 32)).cast(pl.UInt32),
            "day": (k % (1 << day_bits)).cast(pl.Int32) + lo,
            "n": runs.struct.field("len").cast(pl.UInt32),
        }
    ).with_columns(pl.col("group_id").cat.to(ID), pl.col("member_id").cat.to(ID))


def _first_of_pair() -> pl.Expr:
    """True on the first row of each pair, in a frame sorted by ``_k`` (the pair key)."""
    return (pl.col("_k") != pl.col("_k").shift(1)).fill_null(True)


def merge_intervals(iv: pl.DataFrame) -> pl.DataFrame:
    """Union of inclusive day intervals per (group_id, member_id); touching ones merge. In no
    particular order (a pair's intervals by day, the pairs in their keys' order)."""
    if iv.height == 0:
        return iv.select("group_id", "member_id", "s", "e")
    iv = iv.with_columns(_pair_key().alias("_k")).sort("_k", "s", "e")
    # the running maximum of `e` within each pair, from one global cum_max: pair number n
    # adds n * span to its days, so an earlier pair never reaches a later one
    lo = _int(iv["s"].min())  # s <= e on every row
    span = _int(iv["e"].max()) - lo + 2
    iv = iv.with_columns(_first_of_pair().alias("_np"))
    iv = iv.with_columns(pl.col("_np").cum_sum().cast(pl.Int64).alias("_seg"))
    run = pl.col("_seg") * span + (pl.col("e") - lo)
    prev_max = run.cum_max().shift(1) - pl.col("_seg") * span + lo
    # a block (one merged interval) starts where a pair starts or a row begins after every
    # earlier one of its pair ended; rows are sorted by (pair, s), so a block's first row has
    # its pair and its smallest s, and the largest e of its rows is its end: the running
    # maximum of e within the block at its last row, from one global cum_max again, block
    # number b adding b * (e's range + 1) (not the pair's running maximum: a row with
    # e < s, e.g. from D0 after as-of, ends before an earlier block of its pair)
    # (no group-by over the blocks: most pairs have one)
    iv = iv.with_columns((pl.col("_np") | (pl.col("s") > prev_max + 1)).alias("_bs"))
    iv = iv.with_columns(pl.col("_bs").cum_sum().cast(pl.Int64).alias("_b"))
    e_lo = _int(iv["e"].min())
    e_span = _int(iv["e"].max()) - e_lo + 1
    block_run = pl.col("_b") * e_span + (pl.col("e") - e_lo)
    iv = iv.with_columns(
        (block_run.cum_max() - pl.col("_b") * e_span + e_lo).cast(iv.schema["e"]).alias("_end")
    )
    starts = iv.filter(pl.col("_bs")).select("group_id", "member_id", "s")
    ends = iv.filter(pl.col("_bs").shift(-1, fill_value=True)).select(pl.col("_end").alias("e"))
    # (in the pair keys' order, not sorted by the ids' texts: every use filters, joins or
    # aggregates the presence — as the member activity —, and that sort of the categoricals
    # was 0.22-0.24 of merge_intervals' 0.37-0.43 CPU-s at 10 M messages, 0.65 M intervals)
    return pl.concat([starts, ends], how="horizontal")


def presence_from_events(events: pl.DataFrame, groups: pl.DataFrame, as_of: int) -> pl.DataFrame:
    """Intervals from join/leave events (spec §2 "Group days and membership").

    A join opens an interval (a join while one is open changes nothing); a leave closes it and
    the member is present on the leave day. A leave with nothing open opens at D0 when it is the
    member's first join/leave in the group, else at the day of their previous leave. An open
    interval runs to ``as_of``.
    """
    # (the columns read first: the filter and the sort below gathered every column of the
    # events, names and channels too; 2 M events 0.36-0.44 -> ~0.25 CPU-s)
    ev = events.select("group_id", "member_id", "event", "ts", "day").filter(
        pl.col("event").is_in(["join", "leave"])
    )
    if ev.height == 0:
        return pl.DataFrame(schema={"group_id": ID, "member_id": ID, "s": pl.Int32, "e": pl.Int32})
    # (the steps below as one query, collected once)
    ev_lf = (
        ev.lazy()
        .join(groups.lazy().select("group_id", "d0"), on="group_id", how="left")
        .with_columns(
            (pl.col("event") == "leave").cast(pl.Int8).alias("_lv"), _pair_key().alias("_k")
        )
        .sort("_k", "ts", "_lv")
    )
    first = _first_of_pair()
    ev_lf = ev_lf.with_columns(
        pl.when(first).then(None).otherwise(pl.col("event").shift(1)).alias("_prev_ev"),
        pl.when(first).then(None).otherwise(pl.col("day").shift(1)).alias("_prev_day"),
    )
    was_open = pl.col("_prev_ev") == "join"
    # a join while open is ignored
    ev_lf = ev_lf.filter(~((pl.col("event") == "join") & was_open.fill_null(False)))
    starts = (pl.col("event") == "join") | ~was_open.fill_null(False)
    ev_lf = ev_lf.with_columns(
        pl.when(pl.col("event") == "join")
        .then(pl.col("day"))
        .when(pl.col("_prev_day").is_null())
        .then(pl.col("d0"))
        .otherwise(pl.col("_prev_day"))
        .alias("_start"),
        starts.alias("_starts"),
    )
    # an interval is a start and at most one row after it: a leave that is no start follows
    # an open interval (the row before it a join of its pair, or a join dropped above after
    # one), and the row it follows among those kept is that interval's join; a join is
    # always a start. So its end is the start's own day when it is a leave, else the next
    # row's day when that row is no start (the leave closing it), else open (as-of) — read
    # by a shift, no group-by over the intervals (the 2 M events at 10 M messages: ~0.1
    # CPU-s less; the intervals in the events' order, not a group-by's: every use sorts or
    # aggregates them)
    closes = ~pl.col("_starts").shift(-1).fill_null(True)
    end = (
        pl.when(pl.col("event") == "leave")
        .then(pl.col("day"))
        .when(closes)
        .then(pl.col("day").shift(-1))
        .otherwise(None)
    )
    iv = ev_lf.select(
        "group_id",
        "member_id",
        pl.col("_start").cast(pl.Int32).alias("s"),
        end.fill_null(as_of).clip(upper_bound=as_of).cast(pl.Int32).alias("e"),
        "_starts",
    )
    return iv.filter(pl.col("_starts") & (pl.col("s") <= pl.col("e"))).drop("_starts").collect()


def daily_counts(presence: Frame, groups: Frame, as_of: int) -> Frame:
    """Members on each day, per group: (group_id, day, members), days d0..as_of (or earlier s)."""
    start = (
        presence.group_by("group_id")
        .agg(pl.col("s").min().alias("_smin"))
        .join(groups.select("group_id", "d0"), on="group_id", how="right")
        .select("group_id", pl.min_horizontal("_smin", "d0").alias("first"))
    )
    days = start.with_columns(
        pl.int_ranges("first", as_of + 1, dtype=pl.Int32).alias("day")
    ).explode("day")
    days = days.filter(pl.col("day").is_not_null()).select("group_id", "day")
    deltas = (
        pl.concat(
            [
                presence.select(
                    "group_id", pl.col("s").alias("day"), pl.lit(1, pl.Int64).alias("d")
                ),
                presence.select(
                    "group_id",
                    (pl.col("e") + 1).cast(pl.Int32).alias("day"),
                    pl.lit(-1, pl.Int64).alias("d"),
                ),
            ]
        )
        .group_by("group_id", "day")
        .agg(pl.col("d").sum())
    )
    return (
        days.join(deltas, on=["group_id", "day"], how="left")
        .with_columns(pl.col("d").fill_null(0))
        .sort("group_id", "day")
        .with_columns(pl.col("d").cum_sum().over("group_id").alias("members"))
        .select("group_id", "day", "members")
    )


def _attribute(
    rows: pl.DataFrame, presence: pl.DataFrame, act: pl.DataFrame
) -> tuple[pl.DataFrame, int]:
    """Give rows without ``group_id`` the group their member was present in on that day.

    Several: the group where they last spoke on or before that day, then the smallest group
    id. None: dropped and counted (returned) as unattributed.
    """
    if "group_id" not in rows.columns:
        rows = rows.with_columns(pl.lit(None, ID).alias("group_id"))
    has = rows.filter(pl.col("group_id").is_not_null())
    need = rows.filter(pl.col("group_id").is_null()).drop("group_id")
    if need.height == 0:
        return has, 0
    got = _attribute_rows(need, presence, act)
    unattributed = need.height - got.height
    return pl.concat([has, got.select(has.columns)], how="vertical_relaxed"), unattributed


def _attribute_rows(need: pl.DataFrame, presence: pl.DataFrame, act: pl.DataFrame) -> pl.DataFrame:
    """The rows of ``need`` (no ``group_id`` column) that a group is found for, with it
    (:func:`_attribute`)."""
    # only the intervals and spoken days of these members (usually a few rows among millions:
    # a filter by a small set is far cheaper than joining the whole frames)
    who = need["member_id"].unique().implode()
    presence = presence.filter(pl.col("member_id").is_in(who))
    act = act.filter(pl.col("member_id").is_in(who))
    cand = (
        need.select("_row", "member_id", "day")
        .join(presence, on="member_id", how="inner")
        .filter((pl.col("s") <= pl.col("day")) & (pl.col("e") >= pl.col("day")))
    )
    cand = cand.select("_row", "member_id", "day", "group_id").unique()
    last = (
        cand.join(
            act.select("group_id", "member_id", pl.col("day").alias("_aday")),
            on=["group_id", "member_id"],
            how="left",
        )
        .filter(pl.col("_aday").is_null() | (pl.col("_aday") <= pl.col("day")))
        .group_by("_row", "group_id")
        .agg(pl.col("_aday").max().alias("_last"))
    )
    cand = cand.join(last, on=["_row", "group_id"], how="left")
    best = (
        cand.sort(["_row", "_last", "group_id"], descending=[False, True, False], nulls_last=True)
        .group_by("_row", maintain_order=True)
        .first()
        .select("_row", "group_id")
    )
    return need.join(best, on="_row", how="inner")


#: the key in :attr:`Prepared.memo` of ``group_id, member_id, last``: each speaker's last day
#: spoken up to as-of (every group, also with ``only_groups``), the one group-by of the
#: member activity that presence makes anyway (silence reads it)
LAST_SPOKEN = "last_spoken"


def _presence(
    act: pl.DataFrame, events: pl.DataFrame | None, groups: pl.DataFrame, asof: int
) -> tuple[str, pl.DataFrame, pl.DataFrame]:
    """The basis ("membership" with a members table, else "speakers"), the merged
    presence intervals up to ``asof`` (spec §2): event intervals, days spoken, and from D0
    for speakers without join/leave events; and ``group_id, member_id, last``: each
    speaker's last day spoken (:data:`LAST_SPOKEN`, made on the way)."""
    # (each speaker's first and last day spoken, in one pass over the member activity)
    spans = by_pair(act, pl.col("day").min().alias("_lo"), pl.col("day").max().alias("_hi"))
    # (the steps below as one query, collected once: step by step on DataFrames they took
    # about twice the CPU)
    from_d0 = (
        spans.lazy()
        .join(groups.lazy(), on="group_id")
        .select("group_id", "member_id", pl.col("d0").alias("s"), pl.lit(asof, pl.Int32).alias("e"))
    )
    if events is None:
        basis = "speakers"
        iv = from_d0.collect()
    else:
        basis = "membership"
        ev_iv = presence_from_events(events, groups, asof)
        # (the frames below joined by one integer per pair, :func:`_pair_key`, instead of
        # the two ids: at 10 M messages _presence 1.36-1.47 -> 1.19-1.36 CPU-s)
        pk = _pair_key().alias("_pk")
        with_ev = events.lazy().filter(pl.col("event").is_in(["join", "leave"])).select(pk)
        with_ev = with_ev.unique()
        no_ev = from_d0.with_columns(pk).join(with_ev, on="_pk", how="anti").drop("_pk")
        # a day a member spoke counts as present; only the days outside their event
        # intervals can change the union, so the days inside their one interval (most
        # of them) are left out before merging: the pairs with a day outside it are
        # found from their first and last day spoken, and only their days are read
        one = (
            ev_iv.lazy()
            .group_by(pk)
            .agg(
                pl.len().alias("_n"),
                pl.col("s").first().alias("_s"),
                pl.col("e").first().alias("_e"),
            )
        )
        outside = (
            pl.col("_n").is_null()
            | (pl.col("_n") > 1)
            | (pl.col("day") < pl.col("_s"))
            | (pl.col("day") > pl.col("_e"))
        )
        some = (
            with_ev.join(one, on="_pk", how="left")
            .join(spans.lazy().select(pk, "_lo", "_hi"), on="_pk")
            .filter(
                pl.col("_n").is_null()
                | (pl.col("_n") > 1)
                | (pl.col("_lo") < pl.col("_s"))
                | (pl.col("_hi") > pl.col("_e"))
            )
            .select("_pk", "_n", "_s", "_e")
        )
        spoke_days = (
            act.lazy()
            .select("group_id", "member_id", "day", pk)
            .join(some, on="_pk")
            .filter(outside)
            .select("group_id", "member_id", pl.col("day").alias("s"), pl.col("day").alias("e"))
        )
        iv = pl.concat([ev_iv.lazy(), no_ev, spoke_days], how="vertical_relaxed").collect()
    iv = iv.with_columns(pl.col("s").cast(pl.Int32), pl.col("e").cast(pl.Int32))
    last = spans.select("group_id", "member_id", pl.col("_hi").alias("last"))
    return basis, merge_intervals(iv), last


def _none_after(tables: Tables, name: str, as_of: dt.date) -> bool:
    """Whether the table is known to have no row after ``as_of`` without counting its rows:
    reading found its latest day, or (messages) the days with messages say so — made for
    day 0 anyway (:func:`message_spans`): at 10 M messages the count took 0.11 CPU-s."""
    td = tables[name]
    if (td.last_day or dt.date.max) <= as_of:
        return True
    if name != "messages":
        return False
    return message_days(tables).filter(pl.col("day") > as_of).height == 0


def prepare(
    tables: Tables,
    *,
    as_of: dt.date,
    sop_staff: Iterable[str] = (),
    day0: Mapping[str, dt.date] | None = None,
    default_day0: dt.date | None = None,
    only_groups: Iterable[str] | None = None,
    koc: tuple[int, int, int] = (7, 1, 30),
) -> Prepared[pl.DataFrame]:
    """Filter to as-of, drop staff, build presence intervals and attribute rows to groups."""
    asof = to_int(as_of)
    staff = staff_ids(tables, sop_staff)
    staff_l = sorted(staff)
    after: dict[str, int] = {}

    def upto(name: str) -> pl.LazyFrame | None:
        td = tables.get(name)
        if td is None:
            return None
        lf = td.frame
        if "day" in td.columns:
            if name not in after:
                q = lf.filter(pl.col("day") > as_of).select(pl.len())
                after[name] = int(q.collect().item())
            lf = lf.filter(pl.col("day") <= as_of)
        return lf.with_columns(_day_int()) if "day" in td.columns else lf

    # the rows after as-of of every table, side by side (in the order the tables are read)
    dated = [
        n
        for n in ("messages", "members", "orders", "coupons", "engagement", "posts")
        if n in tables and "day" in tables[n].columns
    ]
    # (none when reading found the table's latest day by as-of: no scan)
    none_after = {n for n in dated if _none_after(tables, n, as_of)}
    scan = [n for n in dated if n not in none_after]
    counts = pl.collect_all(
        [tables[n].frame.filter(pl.col("day") > as_of).select(pl.len()) for n in scan]
    )
    got_after = {n: int(c.item()) for n, c in zip(scan, counts, strict=True)}
    after.update((n, got_after.get(n, 0)) for n in dated)

    msgs = upto("messages")
    assert msgs is not None
    m_cols = tables["messages"].columns
    not_system = (
        pl.col("msg_type").fill_null("text") != "system" if "msg_type" in m_cols else pl.lit(True)
    )

    # D0 candidates: any message or member event of the group
    first_days = [message_spans(tables, as_of).lazy().select("group_id", _day_int("first"))]
    mem_lf = upto("members")
    if mem_lf is not None:
        first_days.append(mem_lf.group_by("group_id").agg(pl.col("day").min().alias("first")))
    firsts = (
        pl.concat([f.collect() for f in first_days]).group_by("group_id").agg(pl.col("first").min())
    )
    # With only_groups, presence is still built for every group: a row without group_id is
    # attributed to the group its member was in (spec §2), which may be a group not asked for.
    # The result is narrowed to the chosen groups at the end.
    d0_map = {k: to_int(v) for k, v in (day0 or {}).items()}
    fallback = to_int(default_day0) if default_day0 else None
    groups = (
        firsts.with_columns(
            pl.col("group_id")
            .replace_strict(d0_map, default=fallback, return_dtype=pl.Int32)
            .alias("_sop")
        )
        .select(
            "group_id",
            pl.coalesce("_sop", "first").cast(pl.Int32).alias("d0"),
            pl.col("first").cast(pl.Int32),
        )
        .sort("group_id")
    )
    # (the first day of each group's data: an earlier as-of has the groups that start by it)
    with_first, groups = groups, groups.select("group_id", "d0")
    gl_all = groups["group_id"].to_list()
    chosen = set(only_groups) if only_groups is not None else None
    gl = gl_all if chosen is None else [g for g in gl_all if g in chosen]
    # members speaking: not system messages, not staff (by id or by role: every sender of a
    # message whose role is staff or bot is among ``staff``, :func:`staff_ids`, and no valid
    # row's id is empty — so the test of the ids is the test of the roles too, and the roles
    # are not gathered for every row: at 10 M messages 0.24-0.27 -> 0.17-0.21 CPU-s)
    member_msgs = msgs.filter(not_system & ~pl.col("member_id").is_in(staff_l))

    # (every group of these messages is in gl_all: it was made from them)
    act_q = member_msgs.group_by("group_id", "member_id", "day").agg(pl.len().alias("n"))

    # messages up to as-of, from the first day of any group: one offset for all, if any
    first_day = firsts["first"].min()
    # (their days lie in first_day..as-of and their groups among firsts': one sortable key)
    packed = _activity_key(firsts["group_id"], first_day, asof)
    off = fixed_offset(
        tables.tz,
        dt.datetime.combine(to_date(_int(first_day)), dt.time()) if first_day is not None else None,
        dt.datetime.combine(as_of, dt.time()) + dt.timedelta(days=1),
    )
    heat_q = (
        member_msgs.filter(pl.col("group_id").is_in(gl))
        .with_columns(to_local(pl.col("ts"), tables.tz, off).alias("_lt"))
        .group_by(
            "group_id",
            (pl.col("_lt").dt.weekday() - 1).alias("weekday"),
            pl.col("_lt").dt.hour().alias("hour"),
        )
        .agg(pl.len().alias("n"))
    )
    # Every query below reads the tables only (none needs presence): they run side by side
    # in one collect_all, on the cores polars has, instead of one after another.
    queries: dict[str, pl.LazyFrame] = {"act": act_q}
    if mem_lf is not None:
        mcols = tables["members"].columns
        sel = ["group_id", "member_id", "event", "ts", "day", "_row"]
        sel += [c for c in ("inviter_id", "member_name", "channel") if c in mcols]
        queries["events"] = mem_lf.filter(
            ~pl.col("member_id").is_in(staff_l) & pl.col("group_id").is_in(gl_all)
        ).select(sel)  # (in file order: every use sorts or aggregates it, ties broken by _row)

    def load_q(name: str, cols: list[str], where: pl.Expr | None = None) -> None:
        lf = upto(name)
        if lf is None:
            return
        have = [c for c in cols if c in tables[name].columns or c == "day"]
        q = lf.select(["_row", *have]).filter(~pl.col("member_id").is_in(staff_l))
        queries[name] = q.filter(where) if where is not None else q

    load_q(
        "orders",
        ["order_id", "ts", "day", "member_id", "amount", "group_id", "status", "coupon_id"],
    )
    load_q("coupons", ["coupon_id", "member_id", "ts", "day", "group_id"])
    # engagement is the largest table: keep only what the KPIs read. Participation needs the
    # rows (and their group); opens are reduced at once to distinct openers per post.
    load_q(
        "engagement",
        ["ts", "day", "member_id", "event", "group_id"],
        where=pl.col("event") == "participate",
    )
    pl_lf = upto("posts")
    if pl_lf is not None:
        pc = [
            c
            for c in ("post_id", "ts", "day", "group_id", "kind", "title")
            if c in tables["posts"].columns or c == "day"
        ]
        queries["posts"] = pl_lf.select(pc).filter(pl.col("group_id").is_in(gl))
    # (one after another: all side by side raised the 10 M peak by ~0.3 GB; weekday x hour
    # made only when an output reads it: Deferred)
    got = {
        k: _count_runs(member_msgs, *packed)
        if k == "act" and packed is not None
        else q.collect(engine="streaming")
        for k, q in queries.items()
    }
    # names: latest known per (group, member), from messages and member events (on its own:
    # beside the queries above it raised the peak at 10 M messages by ~0.1 GB)
    name_rows = None
    if "member_name" in m_cols:
        name_rows = msgs.filter(pl.col("member_name").is_not_null() & not_system)
        in_order = tables["messages"].times_in_order()
        got["names"] = latest_names(name_rows, in_order).collect(engine="streaming")

    act = got["act"]
    # (act in no particular order: every use joins or aggregates it)
    heat: Any = Deferred(heat_q, ("group_id", "weekday", "hour"))  # (made when read)

    events = got.get("events")
    if events is not None and "inviter_id" not in events.columns:
        events = events.with_columns(pl.lit(None, ID).alias("inviter_id"))

    basis, presence, last_spoken = _presence(act, events, groups, asof)

    unattributed: dict[str, int] = {}
    pending: dict[str, pl.DataFrame] = {}

    def load(name: str) -> pl.DataFrame | None:
        df = got.get(name)
        if df is None:
            return None
        if "group_id" in df.columns:
            pending[name] = df.filter(pl.col("group_id").is_null()).drop("group_id")
        else:
            pending[name] = df
        df, n = _attribute(df, presence, act)
        unattributed[name] = n
        return df.filter(pl.col("group_id").is_in(gl))

    orders = load("orders")
    if orders is not None and "coupon_id" not in orders.columns:
        orders = orders.with_columns(pl.lit(None, pl.String).alias("coupon_id"))
    coupons = load("coupons")
    engagement = load("engagement")
    posts = got.get("posts")
    post_opens_ = None
    if posts is not None:
        opened = post_opens(tables, staff, as_of)
        if opened is not None:
            post_opens_ = opened.join(posts.select("post_id"), on="post_id", how="semi")

    name_parts = [got["names"]] if "names" in got else []
    if events is not None and "member_name" in events.columns:
        name_parts.append(_event_names(events, tables))
    names = _names(name_parts)
    history = History(
        tables=tables,
        groups=with_first,
        act=act,
        events=events,
        pending=pending,
        only=None if only_groups is None else gl,
        name_rows=name_rows,
    )
    if only_groups is not None:
        keep = pl.col("group_id").is_in(gl)
        groups = groups.filter(keep)
        act = act.filter(keep)
        presence = presence.filter(keep)
        names = names.filter(keep)
        if events is not None:
            events = events.filter(keep)
    return Prepared(
        as_of=asof,
        tz=tables.tz,
        staff=staff,
        basis=basis,
        groups=groups,
        act=act,
        presence=presence,
        events=events,
        orders=orders,
        coupons=coupons,
        engagement=engagement,
        post_opens=post_opens_,
        posts=posts,
        names=names,
        heat=heat,
        after_as_of=after,
        unattributed=unattributed,
        koc_min_days=koc[0],
        koc_min_referrals=koc[1],
        koc_min_messages=koc[2],
        history=history,
        memo={LAST_SPOKEN: last_spoken},
    )


OPEN_WINDOW = dt.timedelta(hours=48)


def post_opens(tables: Tables, staff: Iterable[str], as_of: dt.date) -> pl.DataFrame | None:
    """``post_id, opens``: for every post up to ``as_of``, the distinct members (not staff) who
    opened it within 48 h of its time (opens up to ``as_of``); posts nobody opened are absent.

    None without a posts table or without ``post_id`` in engagement. Computed once per staff
    set and as-of day and kept on ``tables``: the report and its adherence section both use it.
    """
    posts, eng = tables.get("posts"), tables.get("engagement")
    if posts is None or eng is None or not eng.has("post_id"):
        return None
    key = ("post_opens", frozenset(staff), as_of)
    if key not in tables.memo:
        with MEMO_LOCK:
            if key not in tables.memo:
                opens = _opens(eng, key[1], as_of).select(
                    "post_id", "member_id", pl.col("ts").alias("ots")
                )
                tables.memo[key] = (
                    posts.frame.filter(pl.col("day") <= as_of)
                    .select("post_id", pl.col("ts").alias("pts"))
                    .join(opens, on="post_id")
                    .filter(
                        (pl.col("ots") >= pl.col("pts"))
                        & (pl.col("ots") <= pl.col("pts") + OPEN_WINDOW)
                    )
                    .group_by("post_id")
                    .agg(pl.col("member_id").n_unique().alias("opens"))
                    .collect(engine="streaming")
                )
    return tables.memo[key]


def _opens(eng: TableData, staff: Iterable[str], as_of: dt.date) -> pl.LazyFrame:
    """The opens of posts up to ``as_of`` by members not staff (engagement's ``frame``).
    The day is tested only when reading found a day after ``as_of`` (``last_day``: of every
    row read), not made for every open otherwise."""
    cond = (pl.col("event") == "open") & pl.col("post_id").is_not_null()
    if eng.last_day is None or eng.last_day > as_of:
        cond = cond & (pl.col("day") <= as_of)
    return eng.frame.filter(cond & ~pl.col("member_id").is_in(sorted(staff)))


def names_matching(names: Iterable[str], pattern: str) -> set[str]:
    """Distinct names that match a Python regex (searched, like ``re.search``)."""
    rx = re.compile(pattern)
    return {n for n in set(names) if n is not None and rx.search(n)}


def latest_names(rows: Frame, in_order: bool = False) -> Frame:
    """``group_id, member_id, member_name, ts, day``: per pair, the name of the latest row
    (by time, then row), the latest time and the latest day of ``rows``.

    ``in_order``: ``rows`` are in the order of ``_row`` and their times never go back
    within a group (:meth:`TableData.times_in_order`); then a pair's latest row is its last
    (a group-by keeps each group's rows in their order), taken without sorting each pair's
    rows (at 10 M messages 0.50-0.59 -> 0.31-0.39 CPU-s)."""
    name = pl.col("member_name")
    return by_pair(
        rows,
        name.last() if in_order else name.sort_by("ts", "_row").last(),
        pl.col("ts").max(),
        pl.col("day").max(),
    )


def _event_names(events: pl.DataFrame, tables: Tables) -> pl.DataFrame:
    """:func:`latest_names` of the member events with a name. ``events`` are the members
    table's rows in its order (some left out): when its times never go back within a group
    (:meth:`TableData.times_in_order`) a pair's latest name is its last, taken without
    sorting each pair's rows (at 10 M messages, 2 M events: 0.44-0.47 -> ~0.2 CPU-s)."""
    in_order = tables["members"].times_in_order()
    rows = events.lazy().filter(pl.col("member_name").is_not_null())
    return latest_names(rows, in_order).collect()


def _names(parts: list[pl.DataFrame]) -> pl.DataFrame:
    if parts:
        return pl.concat(parts, how="vertical_relaxed")
    return pl.DataFrame(
        schema={
            "group_id": ID,
            "member_id": ID,
            "member_name": ID,
            "ts": pl.Datetime("us", "UTC"),
            "day": pl.Int32,
        }
    )


# ------------------------------------------------------------------ earlier as-of days
@dataclass
class History:
    """What :func:`prepare` keeps so that :func:`prepare_earlier` can give the inputs of an
    earlier as-of without reading the tables again (``--compare``, ``--trend``)."""

    tables: Tables
    groups: pl.DataFrame  # group_id, d0, first: every group with data up to as-of
    act: pl.DataFrame  # as Prepared.act, every group (also with only_groups)
    events: pl.DataFrame | None  # as Prepared.events, every group
    pending: dict[str, pl.DataFrame]  # per table, its rows without group_id (as loaded)
    only: list[str] | None  # the groups chosen (only_groups), None: all
    name_rows: pl.LazyFrame | None  # the query of the messages that make Prepared.names
    #: a reduction made on the first earlier day asked and kept for the next ones (openers)
    memo: dict[str, Any] = field(default_factory=dict, repr=False)


def prepare_earlier(
    p: Prepared[pl.DataFrame], as_of: dt.date, *, names: bool = True
) -> Prepared[pl.DataFrame]:
    """The :class:`Prepared` of ``prepare(tables, as_of=as_of, ...)`` with the same tables and
    settings as ``p``, for an ``as_of`` not after ``p.as_of`` — derived from ``p``:

    - groups: those whose data starts by ``as_of`` (day 0 never depends on the as-of: the
      SOP's, else the group's first day of data);
    - member activity, member events, posts and the rows of orders, coupons and engagement
      that carry a group: ``p``'s rows up to ``as_of`` (every filter of :func:`prepare` is
      the same on both days, and the rows keep their order);
    - presence: built again from those rows (a later join or leave changes the presence
      of earlier days: a leave with nothing open starts at D0 or the previous leave, and a
      speaker without events is present from D0 only until their first event);
    - rows without ``group_id``: attributed again with that presence;
    - openers per post: from each (post, member)'s first open in the window (counted once
      for all the days), so opens after ``as_of`` drop out;
    - latest names: made again from the message rows up to ``as_of`` (``names=False``: left
      empty, for a report whose KPIs do not read names — no nickname pattern);
    - rows after ``as_of``: counted again;
    - ``heat`` (messages per weekday × hour) is left empty: no KPI reads it, and the charts
      are the as-of report's alone.

    tests/report/test_report_history.py checks each part against :func:`prepare`."""
    h = p.history
    if h is None:
        raise ValueError("no history: only prepare() makes one")
    asof = to_int(as_of)
    if asof > p.as_of:
        raise ValueError(f"{as_of} is after the as-of day {to_date(p.as_of)}")
    tables = h.tables
    by_day = pl.col("day") <= asof
    groups = h.groups.filter(pl.col("first") <= asof).select("group_id", "d0")
    gl_all = groups["group_id"].to_list()
    gl = gl_all if h.only is None else [g for g in gl_all if g in set(h.only)]
    act = h.act.filter(by_day)
    events = None if h.events is None else h.events.filter(by_day)
    basis, presence, last_spoken = _presence(act, events, groups, asof)

    after = {
        name: int(
            tables[name].frame.filter(pl.col("day") > as_of).select(pl.len()).collect().item()
        )
        for name in p.after_as_of
    }
    unattributed: dict[str, int] = {}
    in_gl = pl.col("group_id").is_in(gl)

    def cut(name: str, df: pl.DataFrame | None) -> pl.DataFrame | None:
        if df is None:
            return None
        need = h.pending[name]
        if need.height == 0:
            unattributed[name] = 0
            return df.filter(by_day & in_gl)
        has = df.filter(by_day & ~pl.col("_row").is_in(need["_row"].implode()))
        need = need.filter(by_day)
        if need.height == 0:  # (as prepare: the rows with a group alone)
            unattributed[name] = 0
            return has.filter(in_gl)
        got = _attribute_rows(need, presence, act)
        unattributed[name] = need.height - got.height
        missing = [c for c in has.columns if c not in got.columns]  # (a column prepare adds)
        got = got.with_columns(pl.lit(None, has.schema[c]).alias(c) for c in missing)
        return pl.concat([has, got.select(has.columns)], how="vertical_relaxed").filter(in_gl)

    orders = cut("orders", p.orders)
    coupons = cut("coupons", p.coupons)
    engagement = cut("engagement", p.engagement)
    posts = None if p.posts is None else p.posts.filter(by_day & in_gl)
    post_opens_ = None
    if posts is not None and p.post_opens is not None:
        if "opens" not in h.memo:
            h.memo["opens"] = _opens_by_day(tables, p.staff, to_date(p.as_of))
        post_opens_ = (
            h.memo["opens"]
            .filter(pl.col("fday") <= asof)
            .group_by("post_id")
            .agg(pl.col("n").sum().cast(p.post_opens.schema["opens"]).alias("opens"))
            .join(posts.select("post_id"), on="post_id", how="semi")
        )

    if names:
        # (as prepare, on the rows up to as_of: a reduction kept for all the days would
        # hold hundreds of MB at 10 M messages)
        parts = []
        if h.name_rows is not None:
            in_order = tables["messages"].times_in_order()
            rows = h.name_rows.filter(by_day)
            parts.append(latest_names(rows, in_order).collect(engine="streaming"))
        if events is not None and "member_name" in events.columns:
            parts.append(_event_names(events, tables))
        names_ = _names(parts)
    else:
        names_ = _names([])
    if h.only is not None:
        groups, act, presence, names_ = (f.filter(in_gl) for f in (groups, act, presence, names_))
        if events is not None:
            events = events.filter(in_gl)
    return Prepared(
        as_of=asof,
        tz=p.tz,
        staff=p.staff,
        basis=basis,
        groups=groups,
        act=act,
        presence=presence,
        events=events,
        orders=orders,
        coupons=coupons,
        engagement=engagement,
        post_opens=post_opens_,
        posts=posts,
        names=names_,
        heat=_empty_heat(p),
        after_as_of=after,
        unattributed=unattributed,
        koc_min_days=p.koc_min_days,
        koc_min_referrals=p.koc_min_referrals,
        koc_min_messages=p.koc_min_messages,
        memo={LAST_SPOKEN: last_spoken},
    )


def _empty_heat(p: Prepared[pl.DataFrame]) -> pl.DataFrame:
    """``p.heat`` without rows (without making it when it is not made yet)."""
    d = deferred(p, "heat")
    return d.empty() if d is not None else p.heat.clear()


def _opens_by_day(tables: Tables, staff: Iterable[str], as_of: dt.date) -> pl.DataFrame:
    """``post_id, fday, n``: the members (not staff) who opened each post up to ``as_of``
    within 48 h of its time, counted by the day of their first such open: the sum over
    ``fday <= D`` is :func:`post_opens` at D (a member counts once per post).

    (At 10 M messages: 1.8 s and +350 MB at its peak, the (post, member) pairs. Counting
    per post the distinct openers up to each day of its opens needs no more memory than
    :func:`post_opens` but took 4.7 s.)"""
    posts, eng = tables["posts"], tables["engagement"]
    opens = _opens(eng, staff, as_of).select(
        "post_id", "member_id", pl.col("ts").alias("ots"), _day_int().alias("oday")
    )
    return (
        posts.frame.filter(pl.col("day") <= as_of)
        .select("post_id", pl.col("ts").alias("pts"))
        .join(opens, on="post_id")
        .filter((pl.col("ots") >= pl.col("pts")) & (pl.col("ots") <= pl.col("pts") + OPEN_WINDOW))
        .group_by("post_id", "member_id")
        .agg(pl.col("oday").min().alias("fday"))
        .group_by("post_id", "fday")
        .agg(pl.len().alias("n"))
        .collect(engine="streaming")
    )
