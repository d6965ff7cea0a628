"""Plan against practice: expand the SOP over the data's days and match it with staff posts.

Everything is a polars join or a group-by; the only Python loops are over cadence items,
hours and groups (small), and the rounds of the matching (at most the number of planned
items of one day). Definitions: docs/adherence.md.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
import sys
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, cast

import polars as pl

from sqops.adherence._model import (
    QUIET_LIST_MAX,
    ROW_COLUMNS,
    Adherence,
    Clock,
    Counts,
    DayRow,
    Discipline,
    GroupAdherence,
    HourRow,
    ItemEffect,
    MixRow,
    PersonAdherence,
    QuietPost,
    Scope,
    Suggestion,
)
from sqops.data.membership import latest_day, message_spans, post_opens, span_aggs, staff_ids
from sqops.data.tables import ID, TableData, Tables, fixed_offset, to_local
from sqops.errors import UsageError
from sqops.i18n import T
from sqops.plan import (
    MAX_DAYS,
    SOURCES,
    GroupInfo,
    People,
    expand,
    sop_groups,
    unknown_group,
)
from sqops.sop.model import is_push

if TYPE_CHECKING:
    from sqops.sop.loader import LoadedSop

#: message types that count as a push when there is no posts table
POST_MSG_TYPES: tuple[str, ...] = ("link", "miniprogram", "image", "video", "text")
#: staff messages of one sender closer than this are one push (image + caption, ...)
BURST_SECONDS = 5 * 60
REPLY_WINDOW = dt.timedelta(hours=2)
BOTTOM_SHARE = 0.2
#: an item is ranked for the bottom 20% only with at least this many matched posts
MIN_RANKED_POSTS = 5
TOP_HOURS = 3
MIX_KINDS: tuple[str, ...] = ("activation", "conversion", "brand")
_KEY_MUL = 10**13  # group index × this + epoch milliseconds: one sortable key per (group, time)


def _sec_of_day(t: dt.time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def _in_range(sec: pl.Expr, rng: Any) -> pl.Expr:
    """``TimeRange.contains`` on seconds of the day: start <= t < end, across midnight too."""
    a, b = _sec_of_day(rng.start), _sec_of_day(rng.end)
    if a == b:
        return pl.lit(False)
    if a < b:
        return (sec >= a) & (sec < b)
    return (sec >= a) | (sec < b)


def _median(values: Iterable[float | None]) -> float | None:
    xs = sorted(float(v) for v in values if v is not None)
    if not xs:
        return None
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


# ---------------------------------------------------------------- inputs
def _is_staff(td: TableData, staff: list[str]) -> pl.Expr:
    """Rows of ``td`` (the messages) sent by staff: a ``member_id`` among ``staff``, which is
    :func:`staff_ids` of these messages — it takes in every sender of a message whose
    ``role`` is staff or bot, and no valid row's ``member_id`` is empty — so the role (tested
    too before) says nothing more and is not gathered; on the categorical ``member_id``, by
    its codes (10 M messages, the member messages' pass 0.31-0.35 → 0.23-0.26 CPU-s)."""
    if td.frame.collect_schema()["member_id"] != ID:
        return pl.col("member_id").is_in(staff)
    codes = pl.Series(staff, dtype=pl.String).cast(ID).to_physical()
    return pl.col("member_id").to_physical().is_in(codes.implode())


def _window(as_of: dt.date, since: dt.date | None) -> pl.Expr:
    """Rows whose local day is in [since, as_of]."""
    e = pl.col("day") <= as_of
    return e & (pl.col("day") >= since) if since is not None else e


def _posts_from_table(tables: Tables, window: pl.Expr) -> pl.LazyFrame:
    td = tables["posts"]
    cols = [pl.col("post_id"), pl.col("group_id"), pl.col("ts"), pl.col("day")]
    for c in ("kind", "title", "column"):
        cols.append(
            (pl.col(c).str.to_lowercase() if c == "kind" else pl.col(c))
            if td.has(c)
            else pl.lit(None, dtype=pl.String).alias(c)
        )
    return td.frame.filter(window).select(cols)


def _posts_from_messages(tables: Tables, window: pl.Expr, staff: list[str]) -> pl.LazyFrame:
    td = tables["messages"]
    lf = td.frame.filter(window & _is_staff(td, staff))
    if td.has("msg_type"):
        lf = lf.filter(pl.col("msg_type").is_in(list(POST_MSG_TYPES)))
    if td.has("reply_to"):  # an answer to someone is not a push
        lf = lf.filter(pl.col("reply_to").is_null())
    pid = (
        pl.col("msg_id").cast(pl.String)  # (an integer column stays integers: NUMERIC_IDS)
        if td.has("msg_id")
        else pl.concat_str(
            [pl.col("group_id"), pl.lit("@"), pl.col("ts").dt.to_string("%Y-%m-%dT%H:%M:%S%.6fZ")]
        )
    )
    title = pl.col("content") if td.has("content") else pl.lit(None, dtype=pl.String)
    lf = lf.select(
        pid.alias("post_id"),
        "group_id",
        "member_id",
        "ts",
        "day",
        title.alias("title"),
        pl.col("_row"),
    ).sort(["group_id", "member_id", "ts", "_row"])
    gap = (pl.col("ts") - pl.col("ts").shift(1)).over(["group_id", "member_id"])
    burst = (gap.is_null() | (gap > dt.timedelta(seconds=BURST_SECONDS))).cum_sum()
    lf = lf.with_columns(burst.alias("_burst"))
    return (
        lf.group_by("_burst", maintain_order=True)
        .agg(
            pl.col("post_id").first(),
            pl.col("group_id").first(),
            pl.col("ts").first(),
            pl.col("day").first(),
            pl.col("title").drop_nulls().first(),
        )
        .select(
            "post_id",
            "group_id",
            "ts",
            "day",
            pl.lit(None, dtype=pl.String).alias("kind"),
            "title",
            pl.lit(None, dtype=pl.String).alias("column"),
        )
    )


def _collect(lf: pl.LazyFrame) -> pl.DataFrame:
    """Run a query over the (lazy, Parquet-backed) tables with the streaming engine.

    The tables are never materialised whole: each query reads only the columns it names and
    streams through the rows, so memory follows the result, not the table.
    """
    return lf.collect(engine="streaming")


def _group_index(chosen: list[str]) -> pl.Expr:
    """The index in ``chosen`` of each row's ``group_id`` (null: not chosen), looked up by the
    categorical code of the group (the code of a text is the same in every column of the
    process: :data:`sqops.data.tables.ID`)."""
    codes = pl.Series(chosen, dtype=pl.String).cast(ID).to_physical()
    n = int(codes.max()) + 1  # type: ignore[arg-type]  # (chosen is never empty)
    places = pl.int_range(len(chosen), dtype=pl.Int64, eager=True)
    code = pl.col("group_id").cast(ID).to_physical()
    if n > _GATHER_MAX_CODE:
        # (the dictionary is shared by every id column: a group first seen after millions
        # of member ids has a code in the millions — a table that long would cost more
        # than the lookup of the few chosen codes)
        return code.replace_strict(codes, places, default=None, return_dtype=pl.Int64)
    index = pl.repeat(None, n + 1, dtype=pl.Int64, eager=True).alias("_g").scatter(codes, places)
    return pl.lit(index).gather(pl.min_horizontal(code, pl.lit(n, dtype=codes.dtype)))


#: :func:`_group_index` looks codes up in a table as long as the largest chosen code up to
#: this (8 MB), by a hash of the chosen codes past it
_GATHER_MAX_CODE = 1 << 20


def _local_hour(ts: pl.Expr, tz: str, offset: dt.timedelta | None) -> pl.Expr:
    """The local hour of UTC times (as ``to_local(ts, tz, offset).dt.hour()``, as Int64); by
    integer arithmetic on the epoch microseconds when ``offset`` is fixed."""
    if offset is None:
        return to_local(ts, tz, None).dt.hour().cast(pl.Int64)
    us = offset // dt.timedelta(microseconds=1)
    return (ts.dt.epoch("us") + us) // 3_600_000_000 % 24


def _hour_counts(gh: pl.Series, n_groups: int) -> pl.DataFrame:
    """``_g, hour, n`` (n > 0) of the keys ``_g × 24 + hour`` (as ``group_by(...).len()``).

    By numpy's ``bincount`` when numpy is loaded already (a library caller's process; a
    report no longer loads it: the held copies stopped importing it), else by the runs of
    the keys (as read, or sorted): importing numpy for this alone cost a 1 M report ~0.1
    CPU-s."""
    np = sys.modules.get("numpy")
    if np is None or not hasattr(np, "bincount"):  # (not loaded, or being loaded elsewhere)
        # the runs of equal keys as read, their lengths summed per key, when they are at
        # most half the keys (a chat's messages come by group and time: at 10 M messages
        # 8.6 M keys in 2.2 M runs, 0.15 → 0.09 CPU-s); else the runs of the sorted keys
        runs = gh.rle().struct.unnest()
        if runs.height * 2 <= gh.len():
            got = runs.group_by("value").agg(pl.col("len").sum()).sort("value")
            at, n = got["value"], got["len"]
        else:
            sorted_runs = gh.sort().rle().struct
            at, n = sorted_runs.field("value"), sorted_runs.field("len")
    else:
        counts = np.bincount(gh.to_numpy(), minlength=n_groups * 24)
        at = np.flatnonzero(counts)
        n = counts[at]
    return pl.DataFrame(
        {"_g": at // 24, "hour": at % 24, "n": n},
        schema={"_g": pl.Int64, "hour": pl.Int64, "n": pl.UInt32},
    )


# ---------------------------------------------------------------- matching
def match_pairs(pairs: pl.DataFrame, keep: Sequence[str] = ()) -> pl.DataFrame:
    """Greedy matching over candidate pairs ranked by ``rank`` (lower first); the taken
    pairs' ``oid``, ``qid``, ``rank`` and the columns named in ``keep``.

    Equivalent to: take the best-ranked pair, drop every other pair of its planned item and
    of its post, repeat. Done in rounds: every pair that is the best of both its planned item
    (``oid``) and its post (``qid``) is taken at once (such pairs never compete), the rest
    are pruned, and the rounds go on until no pair is left.
    """
    taken: list[pl.DataFrame] = []
    left = pairs.select("oid", "qid", "rank", *keep)
    while left.height:
        best = left.filter(
            (pl.col("rank") == pl.col("rank").min().over("oid"))
            & (pl.col("rank") == pl.col("rank").min().over("qid"))
        )
        taken.append(best)
        left = left.filter(
            ~pl.col("oid").is_in(best["oid"].implode())
            & ~pl.col("qid").is_in(best["qid"].implode())
        )
    if not taken:
        return left.clear()
    return pl.concat(taken)


# ---------------------------------------------------------------- entry point
def compute_adherence(
    loaded: LoadedSop,
    tables: Tables,
    *,
    as_of: dt.date | None = None,
    since: dt.date | None = None,
    tolerance_min: int = 30,
    lang: str = "en",
    groups: Iterable[str] | None = None,
) -> Adherence:
    """Plan against practice for every group of ``tables`` (see docs/adherence.md).

    ``loaded`` is a loaded SOP (:func:`sqops.sop.loader.load_sop`); ``tables`` come from
    :func:`sqops.data.tables.read_tables` (read in the SOP's timezone). ``as_of`` defaults
    to the latest day in the data. Raises :class:`UsageError` for a bad tolerance, an unknown
    ``groups`` id or a data span longer than the plan allows.
    """
    sop = loaded.sop
    tz = tables.tz
    if not 0 <= tolerance_min <= 720:
        raise UsageError(
            T("--tolerance 应在 0..720 分钟之间，读到 {v}", "--tolerance must be 0..720 minutes; got {v}").format(v=tolerance_min)
        )  # fmt: skip
    tol_s = tolerance_min * 60
    # the default as-of looks at every table (orders, members ...), as the report does
    as_of = as_of or latest_day(tables)
    if since is not None and since > as_of:
        raise UsageError(
            T("--since {s} 晚于截至日 {a}", "--since {s} is after the as-of day {a}").format(
                s=since.isoformat(), a=as_of.isoformat()
            )
        )
    window = _window(as_of, since)
    staff = sorted(staff_ids(tables, sop.staff_ids))
    notes: list[T] = []
    msg = tables["messages"]

    # ---- posts
    if "posts" in tables:
        basis = "posts"
        posts_lf = _posts_from_table(tables, window)
    else:
        basis = "messages"
        posts_lf = _posts_from_messages(tables, window, staff)
        notes.append(
            T(
                "没有 posts 表：把员工发的 {t} 类消息当作推送（同一员工 5 分钟内的连发算一条）；员工在群里的回复也会算作计划外推送",
                "no posts table: staff messages of type {t} are taken as pushes (one sender's messages "
                "within 5 minutes count once); staff replies in the chat then count as unplanned posts",
            ).format(t="/".join(POST_MSG_TYPES))
        )  # fmt: skip

    # ---- days covered per group: first to last day of data (messages or posts), up to as-of
    # (a group alive before --since is covered from --since on, even on days without data)
    # (the messages' part is the report's: kept on tables)
    msg_part = message_spans(tables, as_of).lazy()
    post_part = posts_lf.group_by("group_id").agg(span_aggs())
    spans = (
        pl.concat([msg_part, post_part])
        .group_by("group_id")
        .agg(
            pl.col("first").min(),
            pl.col("last").max(),
            pl.col("last_ts").max(),
        )
        .pipe(_collect)
        .sort("group_id")
    )
    if since is not None:
        spans = spans.with_columns(pl.max_horizontal("first", pl.lit(since)).alias("first")).filter(
            pl.col("last") >= pl.col("first")
        )
    span_of = {
        g: (a, b, t.replace(tzinfo=None) if t is not None else None)
        for g, a, b, t in spans.with_columns(to_local(pl.col("last_ts"), tz, None)).iter_rows()
    }

    infos, chosen = _choose_groups(loaded, span_of, groups, notes)

    # ---- the plan over the covered days: pure Python, so it is expanded in a thread while
    # polars (which releases the GIL) reads the posts and the member messages below
    plan_notes: list[T] = []
    plan_notes_at = len(notes)  # (its notes go where they would if it ran here)
    # a group's launch day (lifecycle day 1): its launched_on, else its first day of data
    launch_of = {g: infos[g].launched_on or span_of[g][0] for g in chosen}
    pool = ThreadPoolExecutor(max_workers=1)
    paths: dict[str, tuple[Any, ...]] = {}  # item id → its cadence item's key path
    planning = pool.submit(_planned, loaded, launch_of, chosen, span_of, lang, plan_notes, paths)
    pool.shutdown(wait=False)

    # ---- the posts of the chosen groups
    # (``_g``, the group's place in ``chosen``, sorts as the group ids do — ``chosen`` is sorted
    # as polars sorts texts — and cheaper than the categorical's texts: 10 M 0.17 → 0.11 CPU-s)
    posts = (
        posts_lf.with_columns(_group_index(chosen).alias("_g"))
        .filter(pl.col("_g").is_not_null())
        .with_columns(
            to_local(pl.col("ts"), tz, None).alias("lt"),
        )
        .sort(["_g", "ts", "post_id"])
        .select(pl.exclude("_g"), "_g")
        .collect()
        .with_row_index("qid")
    )

    # ---- replies within 2 h (member messages) for every post
    m_lf = msg.frame.filter(window)
    not_staff = ~_is_staff(msg, staff)
    not_system = (
        pl.col("msg_type").fill_null("text") != "system" if msg.has("msg_type") else pl.lit(True)
    )
    gidx = pl.DataFrame({"group_id": chosen, "_g": list(range(len(chosen)))}).with_columns(
        pl.col("group_id").cast(spans.schema["group_id"]), pl.col("_g").cast(pl.Int64)
    )
    # member messages of the chosen groups, as (group index × time) keys. Every message of a
    # group in the window is on one of its covered days (its span is made from the messages
    # themselves, or wider), so no day filter; the group index is looked up by the group's
    # categorical code (a gather: the join with the spans cost ~0.3 CPU-s more at 10 M).
    spans_c = spans.join(gidx, on="group_id").select("group_id", "_g", "first", "last")
    off = fixed_offset(
        tz,
        dt.datetime.combine(cast(dt.date, spans_c["first"].min()), dt.time()),
        dt.datetime.combine(cast(dt.date, spans_c["last"].max()), dt.time()) + dt.timedelta(days=1),
    )
    member_msgs = _collect(
        m_lf.filter(not_staff & not_system)
        .select(_group_index(chosen).alias("_g"), pl.col("ts"))
        .filter(pl.col("_g").is_not_null())
        .select(
            (pl.col("_g") * _KEY_MUL + pl.col("ts").dt.epoch("ms")).alias("_k"),
            # group and local hour as one small integer: one cheap key to count by
            (pl.col("_g") * 24 + _local_hour(pl.col("ts"), tz, off)).alias("_gh"),
        )
    )
    keys = member_msgs["_k"].sort()
    # (the member messages per group and hour, for the clock, taken now: the 10 M rows are
    # not kept through the matching below, the section's peak of memory; counted by the
    # runs of the small key (:func:`_hour_counts`): a polars group-by took more at 10 M)
    member_hours = _hour_counts(member_msgs["_gh"], len(chosen))
    del member_msgs
    posts = posts.with_columns((pl.col("_g") * _KEY_MUL + pl.col("ts").dt.epoch("ms")).alias("_k0"))
    k0 = posts["_k0"]
    k1 = k0 + int(REPLY_WINDOW.total_seconds() * 1000)
    replies = keys.search_sorted(k1, side="right") - keys.search_sorted(k0, side="right")
    del keys
    posts = posts.with_columns(
        pl.Series("replies_2h", replies).cast(pl.Int64),
        pl.col("lt").dt.hour().alias("hour"),
    )

    # ---- opens within 48 h
    eng = tables.get("engagement")
    opens_available = bool(
        basis == "posts" and eng is not None and eng.has("post_id") and "open" in eng.event_types
    )
    if opens_available:
        assert eng is not None
        opened = post_opens(tables, staff, as_of)
        assert opened is not None
        posts = posts.join(
            opened.rename({"opens": "opens_48h"}), on="post_id", how="left", maintain_order="left"
        ).with_columns(pl.col("opens_48h").fill_null(0).cast(pl.Int64))
    else:
        posts = posts.with_columns(pl.lit(None, dtype=pl.Int64).alias("opens_48h"))
        if basis == "posts":
            notes.append(
                T(
                    "没有带 post_id 的 open 记录（engagement 表），不计算 48 小时打开数",
                    "no open events with a post_id (engagement table): opens within 48 h are not computed",
                )
            )

    # ---- candidate pairs and the matching
    planned, not_due_of, cal = planning.result()
    notes[plan_notes_at:plan_notes_at] = plan_notes
    # Without a posts table the pushes are staff chat messages: a team-internal item (not
    # pushed to the group, ``is_push``) has nothing in the chat to match, and matching it
    # would take a staff message meant for a pushed item. Only pushed items are matched; the
    # internal ones are ``not_checkable``.
    internal = sorted({k for k in planned["kind"].unique().to_list() if not is_push(k)})
    checkable = ~pl.col("kind").is_in(internal) if basis == "messages" else pl.lit(True)
    planned = planned.with_columns(checkable.alias("_checkable"))
    if basis == "messages" and internal:
        skipped = planned.filter(~pl.col("_checkable"))
        if skipped.height:
            titles = sorted(set(skipped["title"].to_list()))
            notes.append(
                T(
                    "{n} 条内部事项（不推送到群：{t}）无法用聊天数据核对，未计入执行率：{i}",
                    "{n} internal item(s) (not pushed to the group: {t}) cannot be checked "
                    "from chat data and are not counted in the rates: {i}",
                ).format(
                    n=skipped.height,
                    t=", ".join(internal),
                    i=", ".join(titles[:10]) + (" …" if len(titles) > 10 else ""),
                )
            )
    # (``qid`` numbers the posts by group, time and id: the order of their local times when
    # these are the times + one offset, as wherever the zone has no clock change)
    shift = pl.col("lt") - pl.col("ts").dt.replace_time_zone(None)
    one_offset = bool(posts.select(shift.min() == shift.max()).item())
    matched = _match(planned.filter(pl.col("_checkable")), posts, in_order=one_offset)

    # ---- quiet hours
    rules = sop.rules
    sec = (
        pl.col("lt").dt.hour().cast(pl.Int32) * 3600
        + pl.col("lt").dt.minute().cast(pl.Int32) * 60
        + pl.col("lt").dt.second().cast(pl.Int32)
    )
    quiet_expr = _in_range(sec, rules.quiet_hours) if rules.quiet_hours else pl.lit(False)
    posts = posts.with_columns(quiet_expr.alias("quiet"))

    # ---- rows: every planned item (with its post, if any) and every unplanned post
    rows = _rows(planned, matched, posts, tol_s)

    # ---- assemble per group and the fleet (keyed by the group's place ``_g``, the fleet by 0:
    # group-bys hash integers, and their keys come back to Python as integers — as the
    # categorical group ids, each a text made from its code, 10 M: both scopes ~0.2 CPU-s
    # more; only the order within a key matters)
    quiet_range = str(rules.quiet_hours) if rules.quiet_hours else None
    common: dict[str, Any] = {"sop": sop, "quiet_range": quiet_range, "opens": opens_available}
    spans_of = {g: (span_of[g][0], span_of[g][1]) for g in chosen}
    days_of = {g: (b - a).days + 1 for g, (a, b) in spans_of.items()}
    at = list(range(len(chosen)))
    by_place = _scopes(
        rows, posts, planned, member_hours, key=pl.col("_g"), keys=at,
        days=dict(zip(at, days_of.values(), strict=True)),
        not_due={i: not_due_of.get(g, 0) for i, g in enumerate(chosen)}, **common,
    )  # fmt: skip
    scopes = {g: by_place[i] for i, g in enumerate(chosen)}
    fleet = _scopes(
        rows, posts, planned, member_hours, key=pl.lit(0, dtype=pl.Int64), keys=[0],
        days={0: sum(days_of.values())}, not_due={0: sum(not_due_of.values())}, **common,
    )[0]  # fmt: skip
    # the calendar rows (one per group and day) are only built if an output shows them
    day_rows = functools.cache(functools.partial(_day_rows, rows, spans_of, cal, lang))
    row_parts = _parts(rows, len(chosen))
    out_groups = [
        GroupAdherence(
            g,
            infos[g].name,
            spans_of[g][0],
            spans_of[g][1],
            scopes[g],
            functools.partial(_days_of, day_rows, g),
            row_parts[i],
            launch_of[g],
        )  # fmt: skip
        for i, g in enumerate(chosen)
    ]
    people = _people(sop, rows, infos, paths, chosen)
    return Adherence(
        community=sop.community.name,
        as_of=as_of,
        since=since,
        timezone=tz,
        tolerance_min=tolerance_min,
        basis=basis,
        opens_available=opens_available,
        lang=lang,
        groups=out_groups,
        fleet=fleet,
        notes=notes,
        people=people,
    )


def _people(
    sop: Any,
    rows: pl.DataFrame,
    infos: dict[str, GroupInfo],
    paths: dict[str, tuple[Any, ...]],
    chosen: list[str],
) -> list[PersonAdherence]:
    """Per person: their planned items' outcomes over the checked groups. The person of an
    item in a group is :func:`sqops.plan.People.of` with that group's vars (as the plan),
    asked once per item and distinct vars (groups with equal vars share it: at 10 M messages
    16 items × 12 vars for 1,538 groups, against one call per group and item before) and the
    counts summed per person by polars (a Python loop over every group, item and status
    before: ~0.12 → ~0.03 CPU-s)."""
    people = People(sop)
    counted = (
        rows.filter(pl.col("item_id").is_not_null()).group_by("_g", "item_id", "status").len("n")
    )
    # each chosen group's vars as the index of their first equal (``_v``)
    seen: dict[Any, int] = {}
    v_of: list[int] = []
    vars_of: list[dict[str, Any]] = []
    for g in chosen:
        info = infos.get(g)
        vs = info.vars if info is not None else {}
        v_of.append(seen.setdefault(_frozen(vs, len(vars_of)), len(vars_of)))
        if v_of[-1] == len(vars_of):
            vars_of.append(vs)
    counted = counted.join(
        pl.DataFrame(
            {"_g": range(len(chosen)), "_v": v_of}, schema={"_g": pl.Int64, "_v": pl.Int64}
        ),
        on="_g",
    )
    pairs = counted.select("item_id", "_v").unique()
    person = [
        people.of(path, vars_of[v]) if (path := paths.get(item)) else None
        for item, v in pairs.iter_rows()
    ]
    counted = counted.join(
        pairs.with_columns(pl.Series("person", person, dtype=pl.String)),
        on=["item_id", "_v"],
    )
    out: dict[str | None, PersonAdherence] = {
        p: PersonAdherence(p, n)
        for p, n in counted.group_by("person").agg(pl.col("_g").n_unique()).iter_rows()
    }
    for p, status, n in counted.group_by("person", "status").agg(pl.col("n").sum()).iter_rows():
        row = out[p]
        row.planned += n
        if status in ("on_time", "late", "early", "missed", "not_checkable"):
            setattr(row, status, getattr(row, status) + n)
    names = sorted(k for k in out if k is not None)
    return [out[k] for k in names] + ([out[None]] if None in out else [])


def _frozen(vars_: dict[str, Any], fresh: int) -> Any:
    """``vars_`` as a key equal for equal vars, each value's type part of it (``1`` and
    ``True`` are equal in Python, not as an owner); ``fresh``, a key of its own, when a value
    cannot be hashed (a list): the group then asks for its own people."""
    key = tuple((k, type(v), v) for k, v in sorted(vars_.items()))
    try:
        hash(key)
    except TypeError:
        return ("unhashable", fresh)
    return key


# ---------------------------------------------------------------- steps
def _choose_groups(
    loaded: LoadedSop, span_of: dict[str, Any], groups: Iterable[str] | None, notes: list[T]
) -> tuple[dict[str, GroupInfo], list[str]]:
    """The groups to check (SOP groups with data, or every data group) and their infos."""
    sop = loaded.sop
    declared = sop_groups(loaded)
    if sop.groups:
        infos = {g.id: g for g in declared}
        extra = sorted(set(span_of) - set(infos))
        if extra:
            notes.append(
                T(
                    "数据里有 {n} 个群不在 SOP 的 groups 中，未检查：{g}",
                    "{n} group(s) in the data are not among the SOP's groups and were not checked: {g}",
                ).format(n=len(extra), g=", ".join(extra[:10]) + (" …" if len(extra) > 10 else ""))
            )
    else:
        launch = sop.community.launched_on
        infos = {g: GroupInfo(g, g, launch, {}) for g in span_of}
    nodata = sorted(set(infos) - set(span_of))
    if groups:
        wanted = list(dict.fromkeys(groups))
        unknown = [g for g in wanted if g not in infos]
        if unknown:
            raise unknown_group(unknown[0], sorted(infos))
        infos = {g: infos[g] for g in wanted}
        nodata = [g for g in nodata if g in infos]
    if nodata:
        notes.append(
            T("这些群在数据里没有记录：{g}", "no data for these groups: {g}").format(
                g=", ".join(nodata)
            )
        )
    chosen = [g for g in sorted(infos) if g in span_of]
    if not chosen:
        raise UsageError(T("没有可检查的群：数据里没有 SOP 中的群", "no group to check: none of the SOP's groups is in the data"))  # fmt: skip

    return infos, chosen


def _planned(
    loaded: LoadedSop,
    launch_of: dict[str, dt.date],
    chosen: list[str],
    span_of: dict[str, Any],
    lang: str,
    notes: list[T],
    paths: dict[str, tuple[Any, ...]] | None = None,
) -> tuple[pl.DataFrame, dict[str, int], dict[dt.date, Any]]:
    """The planned occurrences of the covered days (``oid`` in planned order), the items not
    yet due per group, and the holiday calendar; ``paths`` gets each item id's key path."""
    first_all = min(span_of[g][0] for g in chosen)
    last_all = max(span_of[g][1] for g in chosen)
    n_days = (last_all - first_all).days + 1
    if n_days > MAX_DAYS:
        raise UsageError(
            T("数据跨度 {n} 天，超过上限 {m} 天；请用 --as-of 或拆分数据", "the data spans {n} days, more than {m}; use --as-of or split the data").format(n=n_days, m=MAX_DAYS)
        )  # fmt: skip
    # A group's unrendered occurrences depend only on its launch day (day 1 of the lifecycle):
    # the plan is expanded once per launch day and given to every group launched that day.
    launches = sorted(set(launch_of.values()))
    templates = [GroupInfo(f"launch-{d.isoformat()}", d.isoformat(), d, {}) for d in launches]
    plan = expand(loaded, start=first_all, days=n_days, lang=lang, groups=templates, render=False)
    notes.extend(plan.notices)
    cal = plan.calendar

    occ_rows: dict[str, list[Any]] = {
        k: [] for k in ("launch", "day", "item_id", "source", "title", "kind", "ptime", "src_i")
    }
    for gp in plan.groups:
        for o in gp.occurrences:
            occ_rows["launch"].append(gp.launched_on)
            occ_rows["day"].append(o.date)
            occ_rows["item_id"].append(o.item_id)
            occ_rows["source"].append(o.source)
            occ_rows["title"].append(o.title)
            occ_rows["kind"].append(o.kind)
            occ_rows["ptime"].append(dt.datetime.combine(o.date, o.time))
            occ_rows["src_i"].append(SOURCES.index(o.source))
            if paths is not None:
                paths[o.item_id] = o.item_path
    # (the occurrences put in planned order once: the join keeps the groups' order — ``chosen``
    # is sorted, as polars sorts texts — then the occurrences', which is the planned order,
    # instead of sorting ~0.47 M rows by five keys with two texts at 10 M: ~0.2 CPU-s)
    occ = pl.DataFrame(
        occ_rows,
        schema={
            "launch": pl.Date, "day": pl.Date, "item_id": pl.String, "source": pl.String,
            "title": pl.String, "kind": pl.String, "ptime": pl.Datetime("us"), "src_i": pl.Int32,
        },
    ).sort(["day", "ptime", "src_i", "item_id"])  # fmt: skip
    spans = pl.DataFrame(
        {
            "group_id": chosen,
            "_g": range(len(chosen)),  # (its place in chosen, as the posts' _g)
            "launch": [launch_of[g] for g in chosen],
            "_first": [span_of[g][0] for g in chosen],
            "_last": [span_of[g][1] for g in chosen],
            "_last_ts": [span_of[g][2] for g in chosen],
        },
        schema={
            "group_id": pl.String, "_g": pl.Int64, "launch": pl.Date, "_first": pl.Date,
            "_last": pl.Date, "_last_ts": pl.Datetime("us"),
        },
    )  # fmt: skip
    planned = spans.join(occ, on="launch", how="inner", maintain_order="left_right").filter(
        (pl.col("day") >= pl.col("_first")) & (pl.col("day") <= pl.col("_last"))
    )
    due = pl.col("ptime") <= pl.col("_last_ts")
    not_due = planned.filter(~due).group_by("group_id").len()
    not_due_of = dict(not_due.iter_rows())
    planned = (
        planned.filter(due)
        .select("group_id", "day", "item_id", "source", "title", "kind", "ptime", "src_i", "_g")
        .with_row_index("oid")
    )
    if sum(not_due_of.values()):
        notes.append(
            T(
                "{n} 条安排在数据结束之后（最后一天），未计入",
                "{n} planned item(s) fall after the data ends on its last day and are not counted",
            ).format(n=sum(not_due_of.values()))
        )

    return planned, not_due_of, cal


def _match(planned: pl.DataFrame, posts: pl.DataFrame, in_order: bool = False) -> pl.DataFrame:
    """(oid, qid, delta_s) of the matched pairs: labels first, then the nearest time.

    The candidates of a post are the planned items of its group and day: only those its
    label names (``column`` is the item's id, or its title the item's title) when it carries
    a label of any planned item ("known"), else all of them. A known post's pairs are
    found by two equi-joins (on the id, on the title) instead of pairing it with every item
    of its day and dropping the unlabelled pairs after (at 10 M messages, 2.3 M pairs made
    for the ~0.43 M kept).

    ``in_order``: ``qid`` numbers the posts of each group in the order of their local time,
    then ``post_id`` (posts sorted by group, ``ts``, ``post_id``, their local times ``ts`` +
    one offset): the pairs are then ranked by one integer (priority, distance, ``oid``) and
    ``qid`` instead of five keys (:func:`_rank_key`)."""
    ids = planned["item_id"].unique().implode()
    all_titles = planned["title"].unique().implode()
    items = planned.lazy().select(
        "oid", pl.col("group_id").cast(posts.schema["group_id"]), "day", "item_id", "title", "ptime"
    )
    known = pl.col("column").is_in(ids).fill_null(False) | pl.col("title").is_in(
        all_titles
    ).fill_null(False)
    cand = posts.lazy().select(
        "qid", "group_id", "day", "lt", "post_id",
        pl.col("title").alias("q_title"), pl.col("column").alias("q_column"),
        known.alias("_known"),
    )  # fmt: skip
    pair = ("oid", "qid", "ptime", "lt", "post_id")
    labelled = cand.filter("_known")
    on = ["group_id", "day"]
    by_id = items.join(labelled, left_on=[*on, "item_id"], right_on=[*on, "q_column"])
    by_title = items.join(labelled, left_on=[*on, "title"], right_on=[*on, "q_title"]).filter(
        pl.col("q_column").ne_missing(pl.col("item_id"))  # (labelled by both: in by_id)
    )
    unlabelled = items.join(cand.filter(~pl.col("_known")), on=on)
    found = pl.concat(
        [
            by_id.select(*pair, pl.lit(0, dtype=pl.Int32).alias("_prio")),
            by_title.select(*pair, pl.lit(0, dtype=pl.Int32).alias("_prio")),
            unlabelled.select(*pair, pl.lit(1, dtype=pl.Int32).alias("_prio")),
        ]
    ).with_columns((pl.col("lt") - pl.col("ptime")).dt.total_microseconds().alias("_us"))
    delta_s = (pl.col("_us") / 1e6).alias("delta_s")
    out = ("oid", "qid", "rank", "delta_s")
    if in_order:
        pairs = found.collect()  # (its bounds first; eager: the lazy sort of it cost more)
        key = _rank_key(pairs)
        if key is not None:
            got = pairs.with_columns(key.alias("_key"), delta_s).sort(["_key", "qid"])
            return match_pairs(got.with_row_index("rank").select(out), keep=("delta_s",))
        found = pairs.lazy()
    ranked = found.with_columns(delta_s).sort(
        [pl.col("_prio"), pl.col("delta_s").abs(), "oid", "lt", "post_id"]
    )
    return match_pairs(ranked.with_row_index("rank").select(out).collect(), keep=("delta_s",))


def _rank_key(found: pl.DataFrame) -> pl.Expr | None:
    """``_prio``, the distance ``|_us|`` and ``oid`` of the candidate pairs as one Int64 that
    sorts as they do (None when the three do not fit in 63 bits). With ``qid`` after it, the
    pairs' order when ``qid`` orders the posts of a group as (local time, ``post_id``): the
    candidates of one ``oid`` are posts of its group, at ``lt`` = ``ptime`` ± distance. (The
    distance in whole µs sorts as ``delta_s``'s absolute value, its float in seconds: at 10 M
    messages the five-key sort 0.21 → 0.07 CPU-s.)"""
    top_us, top_oid, top_prio = found.select(
        pl.col("_us").abs().max(), pl.col("oid").max(), pl.col("_prio").max()
    ).row(0)
    if top_us is None:
        return None  # (no pair)
    span_us, span_oid = int(top_us) + 1, int(top_oid) + 1
    if (int(top_prio) + 1) * span_us * span_oid >= 1 << 63:
        return None
    prio = pl.col("_prio").cast(pl.Int64)
    return (prio * span_us + pl.col("_us").abs()) * span_oid + pl.col("oid").cast(pl.Int64)


def _rows(
    planned: pl.DataFrame, matched: pl.DataFrame, posts: pl.DataFrame, tol_s: int
) -> pl.DataFrame:
    """One row per planned item (with its post, if any) and per unplanned post, in order."""
    p_join = posts.select(
        "qid", "post_id", "lt", pl.col("kind").alias("post_kind"), pl.col("title").alias("post_title"),
        "replies_2h", "opens_48h", "quiet",
    )  # fmt: skip
    status = (
        pl.when(~pl.col("_checkable"))
        .then(pl.lit("not_checkable"))
        .when(pl.col("qid").is_null())
        .then(pl.lit("missed"))
        .when(pl.col("delta_s").abs() <= tol_s)
        .then(pl.lit("on_time"))
        .when(pl.col("delta_s") > 0)
        .then(pl.lit("late"))
        .otherwise(pl.lit("early"))
    )
    plan_rows = _by_place(planned, matched, p_join)
    if plan_rows is None:
        plan_rows = planned.join(
            matched.select("oid", "qid", "delta_s"), on="oid", how="left"
        ).join(p_join, on="qid", how="left")
    plan_rows = plan_rows.with_columns(status.alias("status"))
    unplanned = posts.filter(~pl.col("qid").is_in(matched["qid"].implode())).select(
        "group_id", "_g", "day", "qid", "post_id", "lt", pl.col("kind").alias("post_kind"),
        pl.col("title").alias("post_title"), "replies_2h", "opens_48h", "quiet",
    )  # fmt: skip
    parts = [
            plan_rows.select(
                "group_id", "day", "item_id", "source", "title", "kind",
                pl.col("ptime").alias("_t"), pl.col("ptime").dt.strftime("%H:%M").alias("planned"),
                "status", "post_id", pl.col("lt").dt.strftime("%H:%M:%S").alias("posted"),
                (pl.col("delta_s") / 60).round(1).alias("delta_min"),
                "post_kind", "post_title", "replies_2h", "opens_48h", "quiet",
                pl.col("oid").cast(pl.Int64).alias("_o"), "_g",
            ),
            unplanned.select(
                "group_id", "day",
                pl.lit(None, dtype=pl.String).alias("item_id"),
                pl.lit(None, dtype=pl.String).alias("source"),
                pl.lit(None, dtype=pl.String).alias("title"),
                pl.lit(None, dtype=pl.String).alias("kind"),
                pl.col("lt").alias("_t"), pl.lit(None, dtype=pl.String).alias("planned"),
                pl.lit("unplanned").alias("status"), "post_id",
                pl.col("lt").dt.strftime("%H:%M:%S").alias("posted"),
                pl.lit(None, dtype=pl.Float64).alias("delta_min"),
                "post_kind", "post_title", "replies_2h", "opens_48h", "quiet",
                (pl.col("qid").cast(pl.Int64) + 1_000_000_000_000).alias("_o"), "_g",
            ),
    ]  # fmt: skip
    rows = pl.concat(parts, how="vertical_relaxed")
    if unplanned.height or not _in_order(rows):  # (every post planned: the planned rows are
        rows = rows.sort(["_g", "day", "_t", "_o"])  # made in order, 10 M: 0.05 CPU-s)
    # (``_g`` sorts as ``group_id``, the texts not compared: 10 M, rows in the order made,
    # 0.03-0.07 → 0.03-0.05 CPU-s; shuffled 0.35 → 0.19-0.24; kept: :func:`_parts`)
    # the kind of a post for the content mix: its own, else the matched item's
    return rows.with_columns(
        pl.when(pl.col("post_id").is_not_null())
        .then(pl.coalesce(pl.col("post_kind"), pl.col("kind")).fill_null("unknown"))
        .otherwise(None)
        .alias("_mix_kind")
    )


def _numbers_rows(s: pl.Series) -> bool:
    """``s`` is 0, 1, 2, ... (a frame's row index)."""
    return not s.len() or (s[0] == 0 and bool((s.diff().fill_null(1) == 1).all()))


def _by_place(
    planned: pl.DataFrame, matched: pl.DataFrame, p_join: pl.DataFrame
) -> pl.DataFrame | None:
    """``planned`` with its matched pair's ``qid``, ``delta_s`` and the post's columns of
    ``p_join`` (null: not matched), as the two left joins on ``oid`` and ``qid`` give them:
    by places, ``oid`` numbering the planned rows and ``qid`` the posts (as the section
    numbers them), the pairs scattered and the posts' columns gathered (10 M: the joins
    0.11-0.13 → ~0.03 CPU-s); None when they do not number the rows."""
    if not (_numbers_rows(planned["oid"]) and _numbers_rows(p_join["qid"])):
        return None
    n = planned.height
    qid = pl.repeat(None, n, dtype=p_join.schema["qid"], eager=True).alias("qid")
    delta = pl.repeat(None, n, dtype=pl.Float64, eager=True).alias("delta_s")
    if matched.height:
        qid = qid.scatter(matched["oid"], matched["qid"].cast(qid.dtype))
        delta = delta.scatter(matched["oid"], matched["delta_s"].cast(pl.Float64))
    got = p_join.drop("qid").select(pl.all().gather(qid))
    return planned.with_columns(qid, delta, *got.get_columns())


def _in_order(rows: pl.DataFrame) -> bool:
    """Whether ``rows`` are sorted by ``_g``, ``day``, ``_t``, ``_o`` (``_o`` increasing):
    each row's (``_g``, ``day``, ``_t``) at least the row's before it."""
    if not bool((rows["_o"].diff().fill_null(1) > 0).all()):
        return False
    g, d, t = pl.col("_g"), pl.col("day"), pl.col("_t")
    g0, d0, t0 = g.shift(1), d.shift(1), t.shift(1)
    up = (g > g0) | ((g == g0) & ((d > d0) | ((d == d0) & (t >= t0))))
    return bool(rows.select(up.fill_null(True).all()).item())


def _parts(rows: pl.DataFrame, n: int) -> list[pl.DataFrame]:
    """The :data:`ROW_COLUMNS` of each group's rows, by the group's place ``_g`` in ``chosen``
    (``n`` groups; a group without rows gets none). ``rows`` are sorted by ``_g``, so a
    group's rows are one run of them: a slice each, no copy (``partition_by`` gathered every
    group's rows and then asked each partition for its key, a query each: at 10 M messages,
    1,538 groups, ~0.12 CPU-s)."""
    at = rows["_g"].search_sorted(pl.int_range(n + 1, dtype=pl.Int64, eager=True), side="left")
    cols = rows.select(ROW_COLUMNS)
    return [cols.slice(a, b - a) for a, b in itertools.pairwise(at.to_list())]


# ---------------------------------------------------------------- per scope
# Every aggregate is one group-by over all groups at once, keyed by ``_k`` (the group's
# place ``_g``, or 0 for the fleet); Python only loops over the small results to build the
# dataclasses.
_DONE = ("on_time", "late", "early")


@functools.lru_cache(maxsize=8)
def _quiet_hours_of_day(rng: Any) -> frozenset[int]:
    """Hours of the day that touch the quiet hours (any minute of them inside)."""
    if rng is None:
        return frozenset()
    return frozenset(h for h in range(24) if any(rng.contains(dt.time(h, m)) for m in range(60)))


def _by_key(df: pl.DataFrame) -> dict[Any, list[dict[str, Any]]]:
    """Rows of ``df`` (sorted as given) by the value of ``_k``."""
    out: dict[Any, list[dict[str, Any]]] = {}
    for r in df.iter_rows(named=True):
        out.setdefault(r["_k"], []).append(r)
    return out


def _tuples_by_key(df: pl.DataFrame) -> dict[Any, list[tuple[Any, ...]]]:
    """Rows of ``df`` (sorted as given, ``_k`` first) as tuples of the other columns, by ``_k``
    (no dict per row: for the many rows that become dataclasses field by field)."""
    out: dict[Any, list[tuple[Any, ...]]] = {}
    for r in df.iter_rows():
        out.setdefault(r[0], []).append(r[1:])
    return out


def _pairs(df: pl.DataFrame, a: str, b: str) -> dict[Any, dict[Any, Any]]:
    """``{_k: {row[a]: row[b]}}``."""
    out: dict[Any, dict[Any, Any]] = {}
    for k, x, y in zip(df["_k"].to_list(), df[a].to_list(), df[b].to_list(), strict=True):
        out.setdefault(k, {})[x] = y
    return out


def _scopes(
    rows: pl.DataFrame,
    posts: pl.DataFrame,
    planned: pl.DataFrame,
    member_hours: pl.DataFrame,
    *,
    key: pl.Expr,
    keys: list[int],
    days: dict[int, int],
    not_due: dict[int, int],
    sop: Any,
    quiet_range: str | None,
    opens: bool,
) -> dict[int, Scope]:
    """The scopes of ``keys``: ``key`` maps each row to its scope (the group's place ``_g``,
    or 0 for the fleet)."""
    rules = sop.rules
    R = rows.with_columns(key.alias("_k"))
    P = posts.with_columns(key.alias("_k"))
    PL = planned.with_columns(key.alias("_k"))
    MH = member_hours.with_columns(key.alias("_k"))

    # counts
    status = _pairs(R.group_by("_k", "status").len("n"), "status", "n")
    n_planned = dict(PL.group_by("_k").len("n").iter_rows())
    n_posts = dict(P.group_by("_k").len("n").iter_rows())

    # items
    done = pl.col("status").is_in(list(_DONE))
    item_rows = R.filter(pl.col("item_id").is_not_null())
    # an item's time: the one planned most often, the earliest of a tie (``mode().sort()
    # .first()`` per item: a mode per group, 10 M 0.14 → 0.10 CPU-s with the counts here)
    times = (
        item_rows.group_by("_k", "item_id", "planned")
        .len("_n")
        .sort(["_k", "item_id", "_n", "planned"], descending=[False, False, True, False])
        .group_by("_k", "item_id", maintain_order=True)
        .agg(pl.col("planned").first().alias("time"))
    )
    agg = (
        item_rows.group_by("_k", "item_id")
        .agg(
            pl.col("title").first(),
            pl.col("source").first(),
            pl.col("kind").first(),
            pl.len().alias("n"),
            *[
                (pl.col("status") == s).sum().alias(s)
                for s in ("on_time", "late", "early", "missed", "not_checkable")
            ],
            done.sum().alias("matched"),
            pl.col("replies_2h").filter(done).median().alias("med_r"),
            pl.col("replies_2h").filter(done).mean().alias("mean_r"),
            (pl.col("replies_2h") == 0).filter(done).mean().alias("silent"),
            pl.col("opens_48h").filter(done).median().alias("med_o"),
        )
        .join(times, on=["_k", "item_id"])
        .sort(["_k", "time", "item_id"])
        # the fields of ItemEffect, in order (one tuple per item: no dict per row)
        .select(
            "_k",
            "item_id",
            "title",
            "source",
            "kind",
            "time",
            "n",
            "on_time",
            "late",
            "early",
            "missed",
            "matched",
            "med_r",
            "med_o" if opens else pl.lit(None).alias("med_o"),
            "mean_r",
            "silent",
            "not_checkable",
        )
    )
    items_of = _tuples_by_key(agg)

    # discipline
    post_rows = R.filter(pl.col("post_id").is_not_null())
    quiet = post_rows.filter(pl.col("quiet").fill_null(False))
    quiet_n = dict(quiet.group_by("_k").len("n").iter_rows())
    quiet_conv = dict(
        quiet.filter(pl.col("_mix_kind") == "conversion").group_by("_k").len("n").iter_rows()
    )
    quiet_list = _by_key(quiet.group_by("_k", maintain_order=True).head(QUIET_LIST_MAX))
    over = _by_key(
        P.group_by("_k", "group_id", "day")
        .len("n")
        .filter(pl.col("n") > rules.max_posts_per_day)
        .sort(["_k", "day", "group_id"])
    )
    kinds = _pairs(post_rows.group_by("_k", "_mix_kind").len("n"), "_mix_kind", "n")
    p_kinds = _pairs(PL.group_by("_k", "kind").len("n"), "kind", "n")

    # clock
    m_by_h = _pairs(MH.group_by("_k", "hour").agg(pl.col("n").sum()), "hour", "n")
    by_h = P.group_by("_k", "hour").agg(  # (one group-by for the three)
        pl.len().alias("n"),
        pl.col("replies_2h").median().alias("r"),
        (pl.col("replies_2h") == 0).mean().alias("s"),
    )
    p_by_h, r_by_h, s_by_h = (_pairs(by_h, "hour", c) for c in ("n", "r", "s"))

    out: dict[int, Scope] = {}
    for k in keys:
        st = status.get(k, {})
        counts = Counts(
            planned=int(n_planned.get(k, 0)),
            on_time=int(st.get("on_time", 0)),
            late=int(st.get("late", 0)),
            early=int(st.get("early", 0)),
            missed=int(st.get("missed", 0)),
            not_checkable=int(st.get("not_checkable", 0)),
            unplanned=int(st.get("unplanned", 0)),
            posts=int(n_posts.get(k, 0)),
            not_due=not_due.get(k, 0),
        )
        items = _items(items_of.get(k, []))
        kk, pk = kinds.get(k, {}), p_kinds.get(k, {})
        mix_total = sum(kk.get(x, 0) for x in MIX_KINDS)
        p_total = sum(pk.get(x, 0) for x in MIX_KINDS)
        discipline = Discipline(
            quiet_hours=quiet_range,
            quiet_posts=int(quiet_n.get(k, 0)),
            quiet_conversion=int(quiet_conv.get(k, 0)),
            quiet_list=[
                QuietPost(
                    r["day"],
                    r["posted"][:5],
                    r["post_id"],
                    r["post_title"] or r["title"],
                    r["_mix_kind"],
                )
                for r in quiet_list.get(k, [])
            ],  # fmt: skip
            max_posts_per_day=rules.max_posts_per_day,
            over_days=[(r["group_id"], r["day"], int(r["n"])) for r in over.get(k, [])],
            days=days[k],
            mix=[
                MixRow(
                    kind=x,
                    target=sop.content_mix.share(x),
                    planned_share=pk.get(x, 0) / p_total if p_total else None,
                    actual_share=kk.get(x, 0) / mix_total if mix_total else None,
                    actual_posts=int(kk.get(x, 0)),
                )
                for x in MIX_KINDS
            ],
            other_kinds={x: int(v) for x, v in kk.items() if x not in MIX_KINDS},
        )
        clock = _clock(
            m_by_h.get(k, {}), p_by_h.get(k, {}), r_by_h.get(k, {}), s_by_h.get(k, {}), items, sop
        )
        out[k] = Scope(counts, items, discipline, clock)
    return out


def _items(rows: list[tuple[Any, ...]]) -> list[ItemEffect]:
    out = [ItemEffect(*r) for r in rows]  # (rows in the order of ItemEffect's fields)
    rated = sorted(
        (i for i in out if i.median_replies is not None and i.matched_posts >= MIN_RANKED_POSTS),
        key=lambda i: (i.median_replies, i.mean_replies, i.item_id),
    )
    k = math.floor(len(rated) * BOTTOM_SHARE + 1e-9)
    for i in rated[:k]:
        i.bottom = True
    return out


def _clock(
    m_by_h: dict[int, int],
    p_by_h: dict[int, int],
    r_by_h: dict[int, float | None],
    s_by_h: dict[int, float | None],
    items: list[ItemEffect],
    sop: Any,
) -> Clock:
    m_total = sum(m_by_h.values())
    p_total = sum(p_by_h.values())
    ms = [int(m_by_h.get(h, 0)) for h in range(24)]
    ps = [int(p_by_h.get(h, 0)) for h in range(24)]
    # (HourRow's fields in order: hour, member messages and share, staff posts and share,
    # median replies, silent share)
    hours = [
        HourRow(
            h,
            m,
            m / m_total if m_total else None,
            p,
            p / p_total if p_total else None,
            r_by_h.get(h),
            s_by_h.get(h),
        )  # fmt: skip
        for h, m, p in zip(range(24), ms, ps, strict=True)
    ]
    quiet = _quiet_hours_of_day(sop.rules.quiet_hours)
    ranked = sorted(
        (h for h in hours if h.member_messages > 0 and h.hour not in quiet),
        key=lambda h: (-h.member_messages, h.hour),
    )
    top = sorted(h.hour for h in ranked[:TOP_HOURS])
    suggestions: list[Suggestion] = []
    med_all = _median(i.median_replies for i in items)
    if m_total and top and med_all is not None:
        for it in items:
            if it.median_replies is None or it.matched_posts < MIN_RANKED_POSTS:
                continue
            h = int(it.time[:2])
            share = hours[h].member_share or 0.0
            if share < 1 / 24 and it.median_replies < med_all and h not in top:
                suggestions.append(
                    Suggestion(it.item_id, it.title, it.time, share, it.median_replies, top)
                )
    return Clock(hours, top, suggestions)


def _days_of(day_rows: Callable[[], dict[str, list[DayRow]]], group_id: str) -> list[DayRow]:
    return day_rows()[group_id]


def _day_rows(
    rows: pl.DataFrame,
    spans: dict[str, tuple[dt.date, dt.date]],
    cal: dict[dt.date, Any],
    lang: str,
) -> dict[str, list[DayRow]]:
    """Per group, one row per covered day: planned items and outcomes (calendar counts)."""
    counts: dict[tuple[str, dt.date], dict[str, int]] = {}
    for g, d, s, n in rows.group_by("group_id", "day", "status").len("n").iter_rows():
        counts.setdefault((g, d), {})[s] = n
    labels: dict[dt.date, str] = {}
    out: dict[str, list[DayRow]] = {}
    for g, (first, last) in spans.items():
        days: list[DayRow] = []
        d = first
        while d <= last:
            if d not in labels:
                info = cal.get(d)
                labels[d] = info.label(lang) if info is not None and info.known else ""
            c = counts.get((g, d), {})
            planned = sum(c.get(s, 0) for s in (*_DONE, "missed"))
            days.append(
                DayRow(
                    d,
                    labels[d],
                    planned,
                    c.get("on_time", 0),
                    c.get("late", 0),
                    c.get("early", 0),
                    c.get("missed", 0),
                    c.get("unplanned", 0),
                )  # fmt: skip
            )
            d += dt.timedelta(days=1)
        out[g] = days
    return out
