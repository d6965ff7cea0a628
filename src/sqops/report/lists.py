"""Lists to act on: recall, KOCs, RFM segments, the member pyramid, weekday × hour, weak posts."""

from __future__ import annotations

import math
from dataclasses import dataclass

import polars as pl

from sqops.data.membership import (
    LAST_SPOKEN,
    Prepared,
    _pair_key,
    by_pair,
    daily_counts,
    to_date,
)
from sqops.data.tables import ID
from sqops.i18n import T
from sqops.report.kpis import koc_table, money_sum

SILENT_DAYS = 30

#: (R high, F high, M high) → segment code; labels below
SEGMENTS: dict[tuple[bool, bool, bool], str] = {
    (True, True, True): "important_value",
    (True, False, True): "important_develop",
    (False, True, True): "important_keep",
    (False, False, True): "important_win_back",
    (True, True, False): "general_value",
    (True, False, False): "general_develop",
    (False, True, False): "general_keep",
    (False, False, False): "general_win_back",
}
SEGMENT_LABELS: dict[str, T] = {
    "important_value": T("重要价值", "important value"),
    "important_develop": T("重要发展", "important to develop"),
    "important_keep": T("重要保持", "important to keep"),
    "important_win_back": T("重要挽留", "important to win back"),
    "general_value": T("一般价值", "general value"),
    "general_develop": T("一般发展", "general to develop"),
    "general_keep": T("一般保持", "general to keep"),
    "general_win_back": T("一般挽留", "general to win back"),
}


def _names(p: Prepared) -> pl.DataFrame:
    return (
        p.names.group_by("group_id", "member_id").agg(
            # (a tie in time: the larger name, so every row order gives the same one)
            pl.col("member_name").sort_by("ts", "member_name").last()
        )
        if p.names.height
        else pl.DataFrame(schema={"group_id": ID, "member_id": ID, "member_name": ID})
    )


def _on_asof(p: Prepared) -> pl.DataFrame:
    return (
        p.presence.filter((pl.col("s") <= p.as_of) & (pl.col("e") >= p.as_of))
        .select("group_id", "member_id")
        .unique()
    )


def silence(p: Prepared) -> pl.DataFrame:
    """The one definition of silence, per member present on the as-of day and group:
    ``first_join`` = the first day of their presence in the group (their first ``join``; D0
    for members present from the start: speakers without events, the speakers-only basis),
    ``last`` = the last day they spoke (null: never), ``days_silent`` = as-of − ``last``, or
    as-of − ``first_join`` for a member who never spoke. Kept on ``p`` (asked twice)."""
    if "silence" not in p.memo:
        # (the members on the as-of day, as :func:`_on_asof`, and their first day in one
        # pass over the presence; rows in no particular order, as ``unique`` gave them)
        on_first = (
            by_pair(
                p.presence.lazy(),
                pl.col("s").min().alias("first_join"),
                ((pl.col("s") <= p.as_of) & (pl.col("e") >= p.as_of)).any().alias("_on"),
            )
            .filter(pl.col("_on"))
            .drop("_on")
        )
        last = p.memo.get(LAST_SPOKEN)  # (made by prepare on the way to presence)
        if last is None:
            last = p.act.group_by("group_id", "member_id").agg(pl.col("day").max().alias("last"))
        # (one query, the last days joined by one integer per pair, not the two categoricals:
        # at 10 M messages, 0.65 M members, 0.16-0.23 -> 0.09-0.13 CPU-s)
        pk = _pair_key().alias("_pk")
        p.memo["silence"] = (
            on_first.with_columns(pk)
            .join(last.lazy().select(pk, "last"), on="_pk", how="left")
            .drop("_pk")
            .with_columns(
                (pl.lit(p.as_of) - pl.coalesce("last", "first_join"))
                .cast(pl.Int32)
                .alias("days_silent")
            )
            .collect()
        )
    return p.memo["silence"]


def recall_list(p: Prepared) -> pl.DataFrame:
    """Members present on the as-of day silent for ≥ 30 days (:func:`silence`)."""
    t = (
        silence(p)
        .filter(pl.col("days_silent") >= SILENT_DAYS)
        .join(_names(p), on=["group_id", "member_id"], how="left")
        .with_columns(pl.col("last").cast(pl.Date).alias("last_spoken"))
    )
    return t.select("group_id", "member_id", "member_name", "last_spoken", "days_silent").sort(
        ["group_id", "days_silent", "member_id"], descending=[False, True, False], nulls_last=False
    )


def koc_list(p: Prepared) -> pl.DataFrame:
    return (
        koc_table(p)
        .join(_names(p), on=["group_id", "member_id"], how="left")
        .select("group_id", "member_id", "member_name", "active_days", "messages", "referrals")
        .sort("group_id", "member_id")
    )


def _score(col: str, descending_good: bool) -> pl.Expr:
    """1..5 by quintile of rank (ties share a rank); 5 is best."""
    good = -pl.col(col) if descending_good else pl.col(col)
    r = good.rank("average")
    n = pl.len()
    return (((r - 1) * 5 / n).floor() + 1).clip(1, 5).cast(pl.Int8)


def rfm(p: Prepared) -> pl.DataFrame:
    """RFM of buyers (fleet-wide, by member): R days since last paid order, F and M over 365 days."""
    if p.orders is None:
        return pl.DataFrame()
    paid = p.orders.filter(pl.col("status") == "paid")
    if paid.height == 0:
        return pl.DataFrame()
    # (lazily, and sorted by the ids' texts: the same order as the categoricals' — every
    # buyer once —, at 10 M messages, 126 k buyers, ~0.2 CPU-s less than the group-by run
    # eagerly and sorted by the categorical, which compares each pair of ids' texts anew)
    t = (
        paid.lazy()
        .group_by("member_id")
        .agg(
            (pl.lit(p.as_of) - pl.col("day").max()).alias("recency_days"),
            pl.col("order_id").filter(pl.col("day") > p.as_of - 365).n_unique().alias("frequency"),
            money_sum(pl.col("amount").filter(pl.col("day") > p.as_of - 365))
            .round(2)
            .alias("monetary"),
        )
        .sort(pl.col("member_id").cast(pl.String))
        .collect()
    )
    t = t.with_columns(
        _score("recency_days", True).alias("r"),
        _score("frequency", False).alias("f"),
        _score("monetary", False).alias("m"),
    )
    mr, mf, mm = (float(t[c].mean()) for c in ("r", "f", "m"))
    # (each buyer's segment by the three comparisons as one code 0..7, looked up once per
    # code: a Python loop over the buyers took ~0.5 CPU-s at 10 M messages)
    code = {4 * r + 2 * f + m: v for (r, f, m), v in SEGMENTS.items()}
    key = (
        (pl.col("r") >= mr).cast(pl.Int8) * 4
        + (pl.col("f") >= mf).cast(pl.Int8) * 2
        + (pl.col("m") >= mm).cast(pl.Int8)
    )
    segment = key.replace_strict(code, return_dtype=pl.String).alias("segment")
    return t.with_columns(segment)  # (in member order, as sorted above)


def pyramid(p: Prepared) -> pl.DataFrame:
    """Members on the as-of day per group: KOC / active in 30 days / silent."""
    on = _on_asof(p)
    kocs = koc_table(p).select("group_id", "member_id").with_columns(pl.lit(True).alias("koc"))
    act = (
        p.act.filter(pl.col("day") > p.as_of - 30)
        .select("group_id", "member_id")
        .unique()
        .with_columns(pl.lit(True).alias("active"))
    )
    t = on.join(kocs, on=["group_id", "member_id"], how="left").join(
        act, on=["group_id", "member_id"], how="left"
    )
    t = t.group_by("group_id").agg(
        pl.col("koc").fill_null(False).sum().alias("koc"),
        (pl.col("active").fill_null(False) & ~pl.col("koc").fill_null(False)).sum().alias("active"),
        (~pl.col("active").fill_null(False)).sum().alias("silent"),
    )
    return (
        p.groups.select("group_id").join(t, on="group_id", how="left").fill_null(0).sort("group_id")
    )


def heatmap(p: Prepared) -> list[list[int]]:
    """Messages by weekday (0 = Monday) × hour (0-23), all groups pooled."""
    grid = [[0] * 24 for _ in range(7)]
    for wd, hr, n in p.heat.group_by("weekday", "hour").agg(pl.col("n").sum()).iter_rows():
        grid[int(wd)][int(hr)] = int(n)
    return grid


def post_rates(p: Prepared) -> pl.DataFrame:
    """Open rate of every post: distinct non-staff openers within 48 h / members on its day."""
    if p.posts is None or p.post_opens is None:
        return pl.DataFrame()
    posts = p.posts
    k = p.post_opens
    counts = daily_counts(p.presence, p.groups, p.as_of)
    cols = [c for c in ("post_id", "group_id", "day", "kind", "title") if c in posts.columns]
    t = (
        posts.select(cols)
        .join(k, on="post_id", how="left")
        .join(counts, on=["group_id", "day"], how="left")
        .with_columns(pl.col("opens").fill_null(0), pl.col("members").fill_null(0))
        .with_columns(
            pl.when(pl.col("members") > 0)
            .then(pl.col("opens") / pl.col("members"))
            .otherwise(None)
            .alias("open_rate"),
            pl.col("day").cast(pl.Date).alias("date"),
        )
        .with_columns(pl.col("date").dt.truncate("1w").alias("week"))
    )
    return t


def bottom_posts(p: Prepared, share: float = 0.2, min_posts: int = 5) -> pl.DataFrame:
    """Per group and week (Monday first) with ≥ ``min_posts`` posts: the lowest-open 20%."""
    t = post_rates(p)
    if t.height == 0:
        return t
    t = t.filter(pl.col("open_rate").is_not_null()).sort("group_id", "week", "open_rate", "post_id")
    t = t.with_columns(
        pl.len().over("group_id", "week").alias("_n"),
        pl.int_range(pl.len()).over("group_id", "week").alias("_i"),
    )
    t = t.filter(pl.col("_n") >= min_posts)
    t = t.filter(pl.col("_i") < (pl.col("_n") * share).floor().clip(lower_bound=1))
    keep = [
        c
        for c in (
            "group_id",
            "week",
            "post_id",
            "date",
            "kind",
            "title",
            "opens",
            "members",
            "open_rate",
        )
        if c in t.columns
    ]
    return t.select(keep)


@dataclass
class Lists:
    recall: pl.DataFrame
    koc: pl.DataFrame
    rfm: pl.DataFrame
    pyramid: pl.DataFrame
    heatmap: list[list[int]]
    bottom_posts: pl.DataFrame


def build_lists(p: Prepared) -> Lists:
    return Lists(recall_list(p), koc_list(p), rfm(p), pyramid(p), heatmap(p), bottom_posts(p))


def _cell(v: object) -> object:
    if isinstance(v, float):
        return f"{v:.4f}".rstrip("0").rstrip(".") if not math.isnan(v) else ""
    return "" if v is None else v


def frame_rows(df: pl.DataFrame) -> tuple[list[str], list[list[object]]]:
    return df.columns, [[_cell(v) for v in row] for row in df.iter_rows()]


def day_str(n: int) -> str:
    return to_date(n).isoformat()


def cohort_retention(p: Prepared, weeks: int = 8) -> pl.DataFrame:
    """Weekly join cohorts (Monday of the first join): size, and for k = 1..weeks the share of
    the cohort still present on join day + 7k (null until that day is reached for someone)."""
    if p.events is None:
        return pl.DataFrame()
    joins = (
        p.events.filter(pl.col("event") == "join")
        .group_by("group_id", "member_id")
        .agg(pl.col("day").min().alias("jday"))
        .with_columns(pl.col("jday").cast(pl.Date).dt.truncate("1w").alias("cohort"))
    )
    if joins.height == 0:
        return pl.DataFrame()
    size = joins.group_by("cohort").agg(pl.len().alias("size"))
    probe = (
        joins.with_columns(pl.int_ranges(1, weeks + 1).alias("k"))
        .explode("k")
        .with_columns((pl.col("jday") + 7 * pl.col("k")).cast(pl.Int32).alias("t"))
        .filter(pl.col("t") <= p.as_of)
    )
    present = (
        probe.join(p.presence, on=["group_id", "member_id"], how="left")
        .with_columns(
            ((pl.col("s") <= pl.col("t")) & (pl.col("e") >= pl.col("t")))
            .fill_null(False)
            .alias("in")
        )
        .group_by("group_id", "member_id", "k", "cohort")
        .agg(pl.col("in").any())
        .group_by("cohort", "k")
        .agg(pl.col("in").mean().alias("share"))
    )
    wide = size.sort("cohort")
    for k in range(1, weeks + 1):
        col = present.filter(pl.col("k") == k).select("cohort", pl.col("share").alias(f"w{k}"))
        wide = wide.join(col, on="cohort", how="left")
    return wide.sort("cohort")
