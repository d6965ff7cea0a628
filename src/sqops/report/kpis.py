"""The KPIs of spec §2, per group, as (numerator, denominator) — so groups pool into a fleet.

Each ``kpi_*`` function takes the :class:`Prepared` inputs and the stage window of every
group that has reached the stage (``win``: group_id, d0, a, b as day numbers, inclusive) and
returns a frame ``group_id, num, den`` with one row per group of ``win``; they are written
on LazyFrames (:func:`lazy`) and :func:`compute` collects each KPI once. A KPI whose inputs are
missing is not computed: :func:`needs` says what it needs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import polars as pl

from sqops.data.membership import (
    MEMO_LOCK,
    Prepared,
    _pair_key,
    by_pair,
    daily_counts,
    deferred,
    names_matching,
)
from sqops.domain.stages import STAGE

#: the prepared inputs as LazyFrames (:func:`lazy`): what every KPI query is written on
LazyPrepared = Prepared[pl.LazyFrame]


def windows(p: Prepared[pl.DataFrame], stage: str) -> pl.DataFrame:
    """Evaluated window (a, b) of ``stage`` for each group that has reached it
    (:meth:`sqops.domain.stages.StageDef.window`)."""
    sd = STAGE[stage]
    rows = [(g, d0, w) for g, d0 in p.groups.iter_rows() if (w := sd.window(d0, p.as_of))]
    schema = p.groups.select("group_id", "d0").schema
    return pl.DataFrame(
        {
            "group_id": pl.Series([r[0] for r in rows], dtype=schema["group_id"]),
            "d0": pl.Series([r[1] for r in rows], dtype=schema["d0"]),
            "a": pl.Series([r[2][0] for r in rows], dtype=pl.Int32),
            "b": pl.Series([r[2][1] for r in rows], dtype=pl.Int32),
        }
    )


# ------------------------------------------------------------------ helpers
def money_sum(amount: pl.Expr) -> pl.Expr:
    """The sum of money amounts, the same whatever order the rows come in.

    When every amount is a whole number of cents (what shops export; as a float, up to the
    noise of binary fractions: 279.29999999999995 is 27,930 cents) the sum is taken in cents,
    exactly (a float sum of 62 orders came out 10536.999999999998 in one row order and
    10537.0 in another); otherwise it is the float sum of the amounts sorted."""
    cents = (amount * 100).round()
    whole = ((amount * 100 - cents).abs() <= 1e-6).all()
    # (÷ 100 as a value of each group, not a literal: polars divides a column of more than
    # one row by a literal as × 0.01, 74,830 cents → 748.3000000000001, one row exactly:
    # the sum would then depend on how many groups are computed together)
    hundred = pl.len() * 0 + 100
    return pl.when(whole).then(cents.cast(pl.Int64).sum() / hundred).otherwise(amount.sort().sum())


def _members_in(p: LazyPrepared, win: pl.LazyFrame) -> pl.LazyFrame:
    """(group_id, member_id) present on at least one day of the group's window."""
    return (
        p.presence.join(win.select("group_id", "a", "b"), on="group_id")
        .filter((pl.col("s") <= pl.col("b")) & (pl.col("e") >= pl.col("a")))
        .pipe(_pairs)
    )


def _members_on(p: LazyPrepared, days: pl.LazyFrame) -> pl.LazyFrame:
    """(group_id, member_id, day) for members present on ``days`` (group_id, day)."""
    return (
        p.presence.join(days.select("group_id", "day"), on="group_id")
        .filter((pl.col("s") <= pl.col("day")) & (pl.col("e") >= pl.col("day")))
        .select("group_id", "member_id", "day")
        .unique()
    )


def _pairs(rows: pl.LazyFrame) -> pl.LazyFrame:
    """The distinct ``group_id, member_id`` of ``rows`` (``select(...).unique()``), grouped
    by one integer per pair (:func:`sqops.data.membership.by_pair`): in no particular order,
    as ``unique``; every use joins or counts them."""
    return by_pair(rows.select("group_id", "member_id"))


def _ratio(win: pl.LazyFrame, num: pl.LazyFrame, den: pl.LazyFrame) -> pl.LazyFrame:
    """Count rows per group of ``num`` and ``den`` (each keyed by group_id) onto ``win``."""
    n = num.group_by("group_id").agg(pl.len().alias("num"))
    d = den.group_by("group_id").agg(pl.len().alias("den"))
    return _onto(win, n, d)


def _onto(win: pl.LazyFrame, n: pl.LazyFrame, d: pl.LazyFrame) -> pl.LazyFrame:
    return (
        win.select("group_id")
        .join(n, on="group_id", how="left")
        .join(d, on="group_id", how="left")
        .with_columns(
            pl.col("num").fill_null(0).cast(pl.Float64), pl.col("den").fill_null(0).cast(pl.Float64)
        )
        .select("group_id", "num", "den")
        .sort("group_id")
    )


def _in_win(df: pl.LazyFrame, win: pl.LazyFrame, col: str = "day") -> pl.LazyFrame:
    return df.join(win.select("group_id", "a", "b"), on="group_id").filter(
        (pl.col(col) >= pl.col("a")) & (pl.col(col) <= pl.col("b"))
    )


def _ev(p: LazyPrepared, event: str) -> pl.LazyFrame:
    assert p.events is not None
    return p.events.filter(pl.col("event") == event)


def _first_in_win(p: LazyPrepared, win: pl.LazyFrame, event: str) -> pl.LazyFrame:
    return by_pair(_in_win(_ev(p, event), win), pl.col("ts").min().alias("t0"), pl.col("b").first())


# ------------------------------------------------------------------ launch
def kpi_join_rate(p: LazyPrepared, win: pl.LazyFrame) -> pl.LazyFrame:
    inv = _first_in_win(p, win, "invited")
    # (joined by one integer per pair, not the two categoricals: 0.9 M invitations and
    # 0.7 M joins at 10 M messages)
    k = _pair_key().alias("_k")
    joins = _ev(p, "join").select(k, pl.col("ts").alias("jts"), pl.col("day").alias("jday"))
    ok = (
        inv.with_columns(k)
        .join(joins, on="_k")
        .filter((pl.col("jts") >= pl.col("t0")) & (pl.col("jday") <= pl.col("b")))
        .pipe(_pairs)
    )
    return _ratio(win, ok, inv)


def kpi_profile_completion_rate(
    p: LazyPrepared, win: pl.LazyFrame, pattern: str | None
) -> pl.LazyFrame:
    joined = _first_in_win(p, win, "join")
    if pattern:  # (read by the names' query, collected apart, and again below: made once)
        joined = joined.collect().lazy()
    done_parts = [
        joined.join(
            _ev(p, "profile_complete").select("group_id", "member_id", pl.col("day").alias("pday")),
            on=["group_id", "member_id"],
        )
        .filter(pl.col("pday") <= pl.col("b"))
        .select("group_id", "member_id")
    ]
    if pattern:
        # the last name known by day e of the window (the names joined by one integer per
        # pair, not the two categoricals: 10 M messages, 1.3 M names, 0.27-0.30 -> 0.19-0.21)
        k = _pair_key().alias("_k")
        names = p.names.select(k, "member_name", "ts", pl.col("day").alias("nday"))
        nm = by_pair(
            joined.with_columns(k).join(names, on="_k").filter(pl.col("nday") <= pl.col("b")),
            pl.col("member_name").sort_by("ts", "member_name").last(),
        ).collect()
        # (the distinct names: 4,160 of 0.27 M pairs at 10 M messages)
        good = names_matching(nm["member_name"].unique().to_list(), pattern)
        done_parts.append(
            nm.lazy()
            .filter(pl.col("member_name").is_in(sorted(good)))
            .select("group_id", "member_id")
        )
    done = pl.concat(done_parts).pipe(_pairs)
    return _ratio(win, done, joined)


def kpi_first_week_retention(p: LazyPrepared, win: pl.LazyFrame) -> pl.LazyFrame:
    joined = _first_in_win(p, win, "join")
    left = (
        joined.join(
            _ev(p, "leave").select(
                "group_id", "member_id", pl.col("ts").alias("lts"), pl.col("day").alias("lday")
            ),
            on=["group_id", "member_id"],
        )
        .filter((pl.col("lts") >= pl.col("t0")) & (pl.col("lday") <= pl.col("b")))
        .pipe(_pairs)
    )
    stayed = joined.join(left, on=["group_id", "member_id"], how="anti")
    return _ratio(win, stayed, joined)


# ------------------------------------------------------------------ activation
def kpi_speaking_rate(p: LazyPrepared, win: pl.LazyFrame) -> pl.LazyFrame:
    mem = _members_in(p, win)
    spk = _in_win(p.act, win).pipe(_pairs)
    spk = spk.join(mem, on=["group_id", "member_id"], how="semi")
    return _ratio(win, spk, mem)


def kpi_participation_rate(p: LazyPrepared, win: pl.LazyFrame) -> pl.LazyFrame:
    assert p.engagement is not None
    mem = _members_in(p, win)
    part = (
        _in_win(p.engagement.filter(pl.col("event") == "participate"), win)
        .pipe(_pairs)
        .join(mem, on=["group_id", "member_id"], how="semi")
    )
    return _ratio(win, part, mem)


def kpi_content_open_rate(p: LazyPrepared, win: pl.LazyFrame) -> pl.LazyFrame:
    assert p.posts is not None and p.post_opens is not None
    posts = _in_win(p.posts, win).select("post_id", "group_id", "day")
    n = (
        posts.join(p.post_opens, on="post_id")
        .group_by("group_id")
        .agg(pl.col("opens").sum().alias("num"))
    )
    counts = daily_counts(p.presence, p.groups, p.as_of)
    d = (
        posts.join(counts, on=["group_id", "day"], how="left")
        .group_by("group_id")
        .agg(pl.col("members").fill_null(0).sum().alias("den"))
    )
    return _onto(win, n, d)


# ------------------------------------------------------------------ monetisation
def _paid(p: LazyPrepared) -> pl.LazyFrame:
    assert p.orders is not None
    return p.orders.filter(pl.col("status") == "paid")


def kpi_conversion_rate(p: LazyPrepared, win: pl.LazyFrame) -> pl.LazyFrame:
    mem = _members_in(p, win)
    buyers = _in_win(_paid(p), win).pipe(_pairs)
    buyers = buyers.join(mem, on=["group_id", "member_id"], how="semi")
    return _ratio(win, buyers, mem)


def kpi_aov(p: LazyPrepared, win: pl.LazyFrame) -> pl.LazyFrame:
    o = _in_win(_paid(p), win)
    n = o.group_by("group_id").agg(money_sum(pl.col("amount")).alias("num"))
    d = o.group_by("group_id").agg(pl.len().alias("den"))
    return _onto(win, n, d)


def kpi_coupon_usage_rate(p: LazyPrepared, win: pl.LazyFrame) -> pl.LazyFrame:
    assert p.coupons is not None
    issued = (
        _in_win(p.coupons, win)
        .select("group_id", "coupon_id", "b")
        .unique(["group_id", "coupon_id"])
    )
    used_on = (
        _paid(p)
        .filter(pl.col("coupon_id").is_not_null())
        .group_by("coupon_id")
        .agg(pl.col("day").min().alias("uday"))
    )
    used = issued.join(used_on, on="coupon_id").filter(pl.col("uday") <= pl.col("b"))
    return _ratio(win, used, issued)


# ------------------------------------------------------------------ retention
def kpi_weekly_active_rate(p: LazyPrepared, win: pl.LazyFrame) -> pl.LazyFrame:
    blocks = (
        win.with_columns(pl.int_ranges(0, 4).alias("k"))
        .explode("k")
        .with_columns(
            (pl.lit(p.as_of) - 7 * pl.col("k") - 6).cast(pl.Int32).alias("bs"),
            (pl.lit(p.as_of) - 7 * pl.col("k")).cast(pl.Int32).alias("be"),
        )
        .filter(pl.col("bs") >= pl.col("a"))
    )
    spk = (
        p.act.filter(pl.col("day") >= p.as_of - 27)  # the four blocks at most: keep the join small
        .join(blocks.select("group_id", "k", "bs", "be"), on="group_id")
        .filter((pl.col("day") >= pl.col("bs")) & (pl.col("day") <= pl.col("be")))
        .select("group_id", "be", "member_id")
        .unique()
    )
    on_last = _members_on(p, blocks.select("group_id", pl.col("be").alias("day")))
    # a speaker counts only if a member on the block's last day (one who left before it
    # counts in neither numerator nor denominator: spec §2, retention)
    spk = spk.join(
        on_last, left_on=["group_id", "member_id", "be"], right_on=["group_id", "member_id", "day"],
        how="semi",
    )  # fmt: skip
    n = spk.group_by("group_id").agg(pl.len().alias("num"))
    d = on_last.group_by("group_id").agg(pl.len().alias("den"))
    return _onto(win, n, d)


def kpi_repurchase_rate(p: LazyPrepared, win: pl.LazyFrame) -> pl.LazyFrame:
    per = by_pair(_paid(p), pl.col("day").n_unique().alias("days"))
    return _ratio(win, per.filter(pl.col("days") >= 2), per)


def kpi_churn_rate(p: LazyPrepared, win: pl.LazyFrame) -> pl.LazyFrame:
    f = win.select(
        "group_id",
        pl.max_horizontal(pl.col("d0") + 90, pl.lit(p.as_of - 29)).cast(pl.Int32).alias("day"),
    )
    on_f = _members_on(p, f)
    left = (
        on_f.join(
            _ev(p, "leave").select("group_id", "member_id", pl.col("day").alias("lday")),
            on=["group_id", "member_id"],
        )
        .filter((pl.col("lday") >= pl.col("day")) & (pl.col("lday") <= p.as_of))
        .pipe(_pairs)
    )
    return _ratio(win, left, on_f)


def kpi_dormant_rate(p: LazyPrepared, win: pl.LazyFrame) -> pl.LazyFrame:
    a = p.as_of - 29
    stay = (
        p.presence.filter((pl.col("s") <= a) & (pl.col("e") >= p.as_of))
        .join(win.select("group_id"), on="group_id")
        .pipe(_pairs)
    )
    spoke = p.act.filter(pl.col("day") >= a).pipe(_pairs)
    silent = stay.join(spoke, on=["group_id", "member_id"], how="anti")
    return _ratio(win, silent, stay)


# ------------------------------------------------------------------ propagation
def _has_inviter() -> pl.Expr:
    return pl.col("inviter_id").is_not_null()


def kpi_fission_rate(p: LazyPrepared, win: pl.LazyFrame) -> pl.LazyFrame:
    t = win.select(
        "group_id", pl.max_horizontal("d0", pl.lit(p.as_of - 29)).cast(pl.Int32).alias("day")
    )
    staff = sorted(p.staff)
    joins = (
        _ev(p, "join")
        .filter(_has_inviter() & ~pl.col("inviter_id").is_in(staff))
        .join(t.rename({"day": "t0"}), on="group_id")
        .filter((pl.col("day") > pl.col("t0")) & (pl.col("day") <= p.as_of))
        .pipe(_pairs)
    )
    return _ratio(win, joins, _members_on(p, t))


def kpi_referral_rate(p: LazyPrepared, win: pl.LazyFrame) -> pl.LazyFrame:
    on = _members_on(p, win.select("group_id", pl.lit(p.as_of, pl.Int32).alias("day")))
    inviters = (
        _ev(p, "join")
        .filter(_has_inviter())
        .select("group_id", pl.col("inviter_id").alias("member_id"))
        .unique()
    )
    return _ratio(win, on.join(inviters, on=["group_id", "member_id"], how="semi"), on)


def koc_table(p: Prepared[Any]) -> pl.DataFrame:
    """KOCs per group: group_id, member_id, active_days, messages, referrals (last 30 days).

    Computed once per :class:`Prepared` (the KOC share and two lists ask for it; the member
    actions in their thread too, beside the KPIs: the second asker waits for the first's)."""
    if "koc" not in p.memo:
        with MEMO_LOCK:
            if "koc" not in p.memo:
                p.memo["koc"] = _koc(lazy(p)).collect()
    return p.memo["koc"]


def _koc(p: LazyPrepared) -> pl.LazyFrame:
    # (the members on the as-of day, their activity and their referrals joined by one
    # integer per pair, :func:`_pair_key`, not the two categoricals: at 10 M messages
    # 0.23-0.30 -> 0.17-0.21 CPU-s)
    a = p.as_of - 29
    pk = _pair_key().alias("_pk")
    on = _pairs(
        p.presence.filter((pl.col("s") <= p.as_of) & (pl.col("e") >= p.as_of)).join(
            p.groups.select("group_id"), on="group_id", how="semi"
        )
    ).with_columns(pk)
    act = (
        p.act.filter(pl.col("day") >= a)
        .group_by(pk)
        .agg(pl.col("day").n_unique().alias("active_days"), pl.col("n").sum().alias("messages"))
    )
    if p.events is not None:
        refs = (
            _ev(p, "join")
            .filter(_has_inviter() & (pl.col("day") >= a))
            .select(
                "group_id",
                pl.col("inviter_id").alias("member_id"),
                pl.col("member_id").alias("_invited"),
            )
            .group_by(pk)
            .agg(pl.col("_invited").n_unique().alias("referrals"))
        )
    else:
        refs = pl.LazyFrame(schema={"_pk": pl.UInt64, "referrals": pl.UInt32})
    t = (
        on.join(act, on="_pk")
        .join(refs, on="_pk", how="left")
        .drop("_pk")
        .with_columns(
            pl.col("referrals").fill_null(0).cast(pl.Int64),
            pl.col("messages").cast(pl.Int64),
            pl.col("active_days").cast(pl.Int64),
        )
    )
    return t.filter(
        (pl.col("active_days") >= p.koc_min_days)
        & (
            (pl.col("referrals") >= p.koc_min_referrals)
            | (pl.col("messages") >= p.koc_min_messages)
        )
    ).sort("group_id", "member_id")


def kpi_koc_share(p: LazyPrepared, win: pl.LazyFrame) -> pl.LazyFrame:
    on = _members_on(p, win.select("group_id", pl.lit(p.as_of, pl.Int32).alias("day")))
    kocs = koc_table(p).lazy().join(win.select("group_id"), on="group_id")
    return _ratio(win, kocs, on)


def lazy(p: Prepared[Any]) -> LazyPrepared:
    """``p`` with every frame as a LazyFrame (the same memo).

    The KPI functions are written once and run lazily: a join, its window filter and the
    ``unique`` after it run as one query that carries only the columns used (twice as fast
    as the same steps eagerly, each materialising its result)."""
    if isinstance(p.act, pl.LazyFrame):
        return p
    frames: dict[str, Any] = {}
    for f in dataclasses.fields(p):
        later = deferred(p, f.name)
        if later is not None:  # (passed on as it is: made if read, not to make a KPI)
            frames[f.name] = later
        elif isinstance(getattr(p, f.name), pl.DataFrame):
            frames[f.name] = getattr(p, f.name).lazy()
    return dataclasses.replace(p, **frames)


def compute(p: Prepared[Any], name: str, win: pl.DataFrame, pattern: str | None) -> pl.DataFrame:
    lp, lwin = lazy(p), win.lazy()
    if name == "profile_completion_rate":
        return kpi_profile_completion_rate(lp, lwin, pattern).collect()
    return FUNCS[name](lp, lwin).collect()


FUNCS: dict[str, Callable[[LazyPrepared, pl.LazyFrame], pl.LazyFrame]] = {
    "join_rate": kpi_join_rate,
    "first_week_retention": kpi_first_week_retention,
    "speaking_rate": kpi_speaking_rate,
    "participation_rate": kpi_participation_rate,
    "content_open_rate": kpi_content_open_rate,
    "conversion_rate": kpi_conversion_rate,
    "aov": kpi_aov,
    "coupon_usage_rate": kpi_coupon_usage_rate,
    "weekly_active_rate": kpi_weekly_active_rate,
    "repurchase_rate": kpi_repurchase_rate,
    "churn_rate": kpi_churn_rate,
    "dormant_rate": kpi_dormant_rate,
    "fission_rate": kpi_fission_rate,
    "referral_rate": kpi_referral_rate,
    "koc_share": kpi_koc_share,
}
