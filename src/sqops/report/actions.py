"""Member actions (spec §3): one row per member present on the as-of day and group, with the
first action of :data:`sqops.domain.actions.ACTIONS` that applies, and the SOP's script for it.

The facts come from the lists (:mod:`sqops.report.lists`): silence (:func:`silence`), KOCs
(:func:`koc_table`), RFM segments (:func:`rfm`); nothing is computed a second way here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import polars as pl

from sqops.data.membership import Prepared, _pair_key, to_date
from sqops.data.tables import ID
from sqops.domain.actions import ACTION, ACTION_NAMES
from sqops.i18n import T
from sqops.report.kpis import koc_table
from sqops.report.lists import SEGMENT_LABELS, SILENT_DAYS, _names, rfm, silence

if TYPE_CHECKING:
    from sqops.report import schema as S
    from sqops.report.build import Report

#: the RFM segments a silent buyer is won back from (spec §3)
WIN_BACK_SEGMENTS = ("important_keep", "important_win_back")
#: "first joined in the last 7 days": the as-of day and the 6 days before it
WELCOME_DAYS = 7
#: the columns of actions.csv, in order (their Chinese headers: sqops.report.export)
COLUMNS = (
    "group_id",
    "group_name",
    "member_id",
    "member_name",
    "first_join",
    "last_spoken",
    "days_silent",
    "messages_30d",
    "rfm_segment",
    "koc",
    "unused_coupons",
    "action",
    "script",
)


def _unused_coupons(p: Prepared) -> pl.LazyFrame:
    """Per group and member (``_pk``, :func:`~sqops.data.membership._pair_key`): coupons
    issued to them not on a paid order by as-of."""
    assert p.coupons is not None and p.orders is not None
    used = (
        p.orders.lazy()
        .filter((pl.col("status") == "paid") & pl.col("coupon_id").is_not_null())
        .select("coupon_id")
        .unique()
    )
    # (grouped by one integer per pair, in no particular order: the table joins it by it)
    unused = p.coupons.lazy().join(used, on="coupon_id", how="anti")
    return unused.group_by(_pair_key().alias("_pk")).agg(
        pl.col("coupon_id").n_unique().cast(pl.Int64).alias("unused_coupons")
    )


def action_table(p: Prepared, coupons_known: bool, *, full: bool = True) -> pl.DataFrame:
    """The rows without names of groups and scripts, sorted by group, action order, member.

    ``coupons_known``: the coupons table and ``orders.coupon_id`` are there (else
    ``unused_coupons`` is null and no one gets ``coupon_reminder``). ``full=False``: only
    ``group_id, member_id, action``, in no particular order (what the counts need: no names,
    no messages in 30 days, no sort; the same rows, every join below adds at most one match).

    One query, the KOCs and the unused coupons joined by one integer per pair instead of the
    two categoricals (at 10 M messages, 0.56 M members: the counts' table 0.54 -> 0.41 CPU-s
    after the KOCs, silence and RFM were made)."""
    keys = ["group_id", "member_id"]
    pk = _pair_key().alias("_pk")
    kocs = koc_table(p).lazy().select(pk, pl.lit(True).alias("koc"))
    buyers = rfm(p)
    segs = (
        buyers.select("member_id", pl.col("segment").alias("rfm_segment"))
        if buyers.height
        else pl.DataFrame(schema={"member_id": ID, "rfm_segment": pl.String})
    )
    t = silence(p).lazy()
    if full:
        msgs = (
            p.act.lazy()
            .filter(pl.col("day") > p.as_of - 30)
            .group_by(keys)
            .agg(pl.col("n").sum().cast(pl.Int64).alias("messages_30d"))
        )
        t = (
            t.join(_names(p).lazy(), on=keys, how="left")
            .join(msgs, on=keys, how="left")
            .with_columns(pl.col("messages_30d").fill_null(0))
        )
    t = (
        t.with_columns(pk)
        .join(kocs, on="_pk", how="left")
        .join(segs.lazy(), on="member_id", how="left")
        .with_columns(pl.col("koc").fill_null(False))
    )
    if coupons_known:
        t = t.join(_unused_coupons(p), on="_pk", how="left").with_columns(
            pl.col("unused_coupons").fill_null(0)
        )
    else:
        t = t.with_columns(pl.lit(None, pl.Int64).alias("unused_coupons"))
    silent = pl.col("days_silent") >= SILENT_DAYS
    action = (
        pl.when(pl.col("koc"))
        .then(pl.lit("koc_care"))
        .when(pl.col("rfm_segment").is_in(WIN_BACK_SEGMENTS) & silent)
        .then(pl.lit("win_back"))
        .when(silent)
        .then(pl.lit("recall"))
        .when(pl.col("unused_coupons").fill_null(0) > 0)
        .then(pl.lit("coupon_reminder"))
        .when(pl.col("last").is_null() & (pl.col("first_join") > p.as_of - WELCOME_DAYS))
        .then(pl.lit("welcome_follow_up"))
        .otherwise(pl.lit("none"))
    )
    if not full:
        return t.select(*keys, action.alias("action")).collect()
    order = {a: i for i, a in enumerate(ACTION_NAMES)}
    return (
        t.collect()
        .with_columns(action.alias("action"))
        .with_columns(pl.col("action").replace_strict(order, return_dtype=pl.Int32).alias("_order"))
        .sort("group_id", "_order", "member_id")
        .select(
            "group_id",
            "member_id",
            "member_name",
            "first_join",
            "last",
            "days_silent",
            "messages_30d",
            "rfm_segment",
            "koc",
            "unused_coupons",
            "action",
        )
    )


@dataclass
class MemberActions:
    """The member action rows of a report (without scripts) and their counts.

    The rows (:attr:`table`, for ``actions.csv``) are made on first use: the counts, all that
    the JSON, Markdown and HTML show, need only each member's action."""

    p: Prepared | None  # None: rows given (:meth:`of_rows`)
    coupons_known: bool
    groups: list[str]  # every group of the report, in its order

    @classmethod
    def of_rows(cls, table: pl.DataFrame, groups: list[str]) -> MemberActions:
        """Actions whose rows are already made (a partitioned report's, merged from its
        buckets' rows)."""
        made = cls(None, True, groups)
        made.__dict__["table"] = table  # (what the cached property would hold)
        return made

    @cached_property
    def table(self) -> pl.DataFrame:
        """Every row, sorted (:func:`action_table`)."""
        assert self.p is not None
        return action_table(self.p, self.coupons_known)

    @cached_property
    def _actions(self) -> pl.DataFrame:
        if "table" in self.__dict__:
            return self.table
        assert self.p is not None
        return action_table(self.p, self.coupons_known, full=False)

    def counts(self) -> dict[str, dict[str, int]]:
        """group → action → members (every action, zeros included)."""
        got: dict[tuple[str, str], int] = {
            (g, a): int(n)
            for g, a, n in self._actions.group_by("group_id", "action").len().iter_rows()
        }
        return {g: {a: got.get((g, a), 0) for a in ACTION_NAMES} for g in self.groups}

    def fleet(self) -> dict[str, int]:
        c = self.counts()
        return {a: sum(g[a] for g in c.values()) for a in ACTION_NAMES}

    def to_dict(self) -> S.ActionsDoc:
        return {"fleet": self.fleet(), "counts": self.counts()}


def build_actions(report: Report) -> MemberActions:
    p = report.prepared
    assert p is not None, "the report was built without its inputs"
    coupon = next(k for k in report.fleet if k.name == "coupon_usage_rate")
    return MemberActions(p, not coupon.needs, [g.group_id for g in report.groups])


class ActionsBeside:
    """Each member's action (what the counts of the JSON, Markdown, HTML and terminal
    reports read) made in a thread while the report makes its KPIs and sections: mostly
    polars, which releases the GIL. ``coupons_known``: whether the coupon usage KPI needs
    nothing (what :attr:`Report.actions` reads from the fleet's KPI). :meth:`give` hands it
    to the report as :attr:`Report.actions` would make it; an error here is left for that
    property to raise when the actions are asked for, as without this thread."""

    def __init__(self, p: Prepared, coupons_known: bool) -> None:
        import threading

        self._out: pl.DataFrame | None = None
        self._thread = threading.Thread(
            target=self._run, args=(p, coupons_known), name="sqops-actions", daemon=True
        )
        self._coupons_known = coupons_known
        self._thread.start()

    def _run(self, p: Prepared, coupons_known: bool) -> None:
        try:
            self._out = action_table(p, coupons_known, full=False)
        except BaseException:  # (made again when asked for: the error raised there — a
            self._out = None  # polars panic too, which is no Exception)

    def join(self) -> None:
        self._thread.join()

    def give(self, report: Report) -> None:
        self.join()
        coupon = next(k for k in report.fleet if k.name == "coupon_usage_rate")
        if self._out is None or self._coupons_known != (not coupon.needs):
            return
        actions = build_actions(report)
        actions.__dict__["_actions"] = self._out  # (what the cached property would hold)
        report.__dict__["actions"] = actions  # (Report.actions, cached the same way)


def action_rows(report: Report) -> Iterator[dict[str, Any]]:
    """Every row of ``actions.csv`` by column id, values as data (dates, bools, ids) and the
    SOP's script rendered for the member (None: no script for the action)."""
    settings = report.settings
    loaded = settings.loaded_sop if settings is not None else None
    names = settings.group_names if settings is not None else {}
    scripts = None
    infos: dict[str, Any] = {}
    if loaded is not None and loaded.sop.actions:
        from sqops.plan import GroupInfo, MemberScripts, member_context, sop_groups

        scripts = MemberScripts(loaded, report.lang)
        infos = {g.id: g for g in sop_groups(loaded)}
    day0 = {g.group_id: g.day0 for g in report.groups}
    group_scripts: Any = None
    current: str | None = None
    with scripts.session() if scripts is not None else nullcontext():
        for row in report.actions.table.iter_rows(named=True):
            gid, mid, name, action = (
                row["group_id"],
                row["member_id"],
                row["member_name"],
                row["action"],
            )
            first, last, seg = row["first_join"], row["last"], row["rfm_segment"]
            first_d = to_date(first)
            last_d = None if last is None else to_date(last)
            script = None
            if scripts is not None and action in scripts.actions:
                if gid != current:
                    info = infos.get(gid) or GroupInfo(gid, names.get(gid) or gid, None, {})
                    group_scripts = scripts.for_group(info, day0[gid], report.as_of)
                    current = gid
                member = member_context(
                    member_id=mid,
                    name=name,
                    first_join=first_d,
                    last_spoken=last_d,
                    days_silent=row["days_silent"],
                    messages_30d=row["messages_30d"],
                    rfm_segment=seg,
                    segment_label=SEGMENT_LABELS[seg].get(report.lang) if seg else None,
                    koc=row["koc"],
                    unused_coupons=row["unused_coupons"] or 0,
                    action=action,
                    lang=report.lang,
                )
                script = group_scripts.render(action, member)
            yield {
                "group_id": gid,
                "group_name": names.get(gid),
                "member_id": mid,
                "member_name": name,
                "first_join": first_d,
                "last_spoken": last_d,
                "days_silent": row["days_silent"],
                "messages_30d": row["messages_30d"],
                "rfm_segment": seg,
                "koc": row["koc"],
                "unused_coupons": row["unused_coupons"],
                "action": action,
                "script": script,
            }


# ------------------------------------------------------------------ the summary the reports show
TITLE = T("成员动作", "Member actions")
NOTE = T(
    "每位当前成员取第一个适用的动作（KOC 维护 → 重点挽回 → 召回 → 用券提醒 → 新人跟进）；"
    "逐人名单与话术：--lists 目录下的 actions.csv。",
    "each member on the as-of day gets the first action that applies (KOC care → win back → "
    "recall → coupon reminder → welcome follow-up); the rows and scripts: actions.csv in "
    "--lists DIR.",
)
_GROUP = T("群", "group")
_ALL = T("全部群", "all groups")


def summary(report: Report, lang: str) -> tuple[list[str], list[list[object]]]:
    """Members per action and group (and all groups, with more than one): header and rows
    (the groups of ``report.detailed_ids`` when the report cuts them, all groups still pooled)."""
    acts = report.actions
    header = [_GROUP.get(lang), *(a.label.get(lang) for a in ACTION.values())]
    names = {g.group_id: g.name for g in report.groups}
    rows: list[list[object]] = []
    only = report.detailed_ids
    counts_ = acts.counts()
    for gid, counts in counts_.items():
        if only is not None and gid not in only:
            continue
        label = f"{gid} {names[gid]}" if names.get(gid) else gid
        rows.append([label, *(counts[a] for a in ACTION_NAMES)])
    if len(counts_) > 1:
        fleet = acts.fleet()
        rows.append([_ALL.get(lang), *(fleet[a] for a in ACTION_NAMES)])
    return header, rows
