"""What the HTML report shows beyond the KPIs, as data: lists, RFM counts, join cohorts,
weak posts and the chart series.

Computed once from ``report.prepared`` by :func:`build_views` (``Report.views`` calls it on
first use: the JSON and Markdown outputs do not need it, so they do not pay for it). The
template and the charts only format these values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from sqops.data.membership import daily_counts, to_date
from sqops.domain.kpis import KPI
from sqops.report.lists import (
    SEGMENT_LABELS,
    bottom_posts,
    cohort_retention,
    heatmap,
    koc_list,
    pyramid,
    recall_list,
    rfm,
)

if TYPE_CHECKING:
    from sqops.report import schema as S
    from sqops.report.build import Report

#: rows of each list shown in the HTML (the CSV export of --lists has them all)
LIST_ROWS = 30
#: per-group charts for at most this many groups (a fleet of hundreds stays a readable file)
MAX_GROUP_CHARTS = 12


@dataclass(frozen=True, slots=True)
class Series:
    """Members and distinct speakers per day (from the group's launch day)."""

    days: tuple[dt.date, ...]
    members: tuple[int, ...]
    speakers: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class KpiBar:
    """A rate KPI of a started stage with a value: one bar of the KPI chart."""

    stage: str
    kpi: str
    value: float
    target: float | None
    status: str


@dataclass(frozen=True, slots=True)
class RecallRow:
    group_id: str
    member_id: str
    member_name: str | None
    last_spoken: dt.date | None  # None: never spoke
    days_silent: int | None


@dataclass(frozen=True, slots=True)
class KocRow:
    group_id: str
    member_id: str
    member_name: str | None
    active_days: int
    messages: int
    referrals: int


@dataclass(frozen=True, slots=True)
class CohortRow:
    week: dt.date  # Monday of the join week
    size: int
    shares: tuple[float | None, ...]  # still in the group k = 1.. weeks later (None: not yet)


@dataclass(frozen=True, slots=True)
class WeakPost:
    group_id: str
    week: dt.date  # Monday of the post's week
    title: str  # the post's title, else its id
    opens: int
    open_rate: float


@dataclass(frozen=True, slots=True)
class Views:
    recall: tuple[RecallRow, ...]  # the first LIST_ROWS
    recall_total: int
    koc: tuple[KocRow, ...]  # the first LIST_ROWS
    rfm: tuple[tuple[str, int], ...]  # (segment, buyers), in SEGMENT_LABELS order, no zeros
    cohort_weeks: tuple[int, ...]  # k of each share column
    cohorts: tuple[CohortRow, ...]
    weak_posts: tuple[WeakPost, ...]  # the first LIST_ROWS
    heatmap: tuple[tuple[int, ...], ...]  # messages by weekday (0 = Monday) × hour
    pyramid: dict[str, int]  # koc / active / silent members on the as-of day, all groups
    fleet_daily: Series | None  # all groups summed (None: one group)
    daily: dict[str, Series]  # group id → series, the first MAX_GROUP_CHARTS groups
    kpi_bars: dict[str, tuple[KpiBar, ...]]  # group id → bars, the same groups

    def to_dict(self) -> S.ViewsDoc:
        """As JSON (``sqops report --format json --views``): the same values the HTML shows,
        rates rounded to 4 places as the KPIs are."""
        return {
            "recall": [
                {
                    "group_id": r.group_id,
                    "member_id": r.member_id,
                    "member_name": r.member_name,
                    "last_spoken": _iso(r.last_spoken),
                    "days_silent": r.days_silent,
                }
                for r in self.recall
            ],
            "recall_total": self.recall_total,
            "koc": [
                {
                    "group_id": r.group_id,
                    "member_id": r.member_id,
                    "member_name": r.member_name,
                    "active_days": r.active_days,
                    "messages": r.messages,
                    "referrals": r.referrals,
                }
                for r in self.koc
            ],
            "rfm": [{"segment": s, "buyers": n} for s, n in self.rfm],
            "cohort_weeks": list(self.cohort_weeks),
            "cohorts": [
                {"week": c.week.isoformat(), "size": c.size, "shares": [_r4(x) for x in c.shares]}
                for c in self.cohorts
            ],
            "weak_posts": [
                {
                    "group_id": w.group_id,
                    "week": w.week.isoformat(),
                    "title": w.title,
                    "opens": w.opens,
                    "open_rate": round(w.open_rate, 4),
                }
                for w in self.weak_posts
            ],
            "heatmap": [list(row) for row in self.heatmap],
            "pyramid": dict(self.pyramid),
            "fleet_daily": None if self.fleet_daily is None else _series(self.fleet_daily),
            "daily": {g: _series(s) for g, s in self.daily.items()},
            "kpi_bars": {
                g: [
                    {
                        "stage": b.stage,
                        "kpi": b.kpi,
                        "value": round(b.value, 4),
                        "target": b.target,
                        "status": b.status,
                    }
                    for b in bars
                ]
                for g, bars in self.kpi_bars.items()
            },
        }


def _iso(d: dt.date | None) -> str | None:
    return None if d is None else d.isoformat()


def _r4(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def _series(s: Series) -> S.SeriesDoc:
    return {
        "days": [d.isoformat() for d in s.days],
        "members": list(s.members),
        "speakers": list(s.speakers),
    }


def daily_series(report: Report, group_id: str | None) -> Series:
    """Members and distinct speakers per day of one group (None: all groups summed)."""
    p = report.prepared
    assert p is not None
    counts = daily_counts(p.presence, p.groups, p.as_of).join(p.groups, on="group_id")
    counts = counts.filter(pl.col("day") >= pl.col("d0"))
    act = p.act
    if group_id is not None:
        counts = counts.filter(pl.col("group_id") == group_id)
        act = act.filter(pl.col("group_id") == group_id)
    spk = act.group_by("group_id", "day").agg(pl.col("member_id").n_unique().alias("speakers"))
    s = (
        counts.join(spk, on=["group_id", "day"], how="left")
        .with_columns(pl.col("speakers").fill_null(0))
        .group_by("day")
        .agg(pl.col("members").sum(), pl.col("speakers").sum())
        .sort("day")
    )
    return Series(
        tuple(to_date(d) for d in s["day"].to_list()),
        tuple(int(x) for x in s["members"].to_list()),
        tuple(int(x) for x in s["speakers"].to_list()),
    )


def kpi_bars(report: Report, group_id: str) -> tuple[KpiBar, ...]:
    """The group's rate KPIs with a value, of every started stage, in stage order."""
    g = next(x for x in report.groups if x.group_id == group_id)
    return tuple(
        KpiBar(st.stage, k.name, float(k.value), k.target, k.status)
        for st in g.stages
        if st.status != "not_started"
        for k in st.kpis
        if k.value is not None and KPI[k.name].is_rate
    )


def build_views(report: Report) -> Views:
    p = report.prepared
    assert p is not None, "the report was built without its inputs"
    recall = recall_list(p)
    koc = koc_list(p)
    buyers = rfm(p)
    rfm_counts: tuple[tuple[str, int], ...] = ()
    if buyers.height:
        counts = dict(buyers.group_by("segment").len().iter_rows())
        rfm_counts = tuple((s, int(counts[s])) for s in SEGMENT_LABELS if s in counts)
    cohort = cohort_retention(p)
    weeks: tuple[int, ...] = ()
    cohorts: tuple[CohortRow, ...] = ()
    if cohort.height:
        weeks = tuple(int(c[1:]) for c in cohort.columns[2:])
        cohorts = tuple(CohortRow(r[0], int(r[1]), tuple(r[2:])) for r in cohort.iter_rows())
    weak = bottom_posts(p)
    weak_rows = tuple(
        WeakPost(r["group_id"], r["week"], r.get("title") or r["post_id"], r["opens"], r["open_rate"])
        for r in weak.head(LIST_ROWS).iter_rows(named=True)
    ) if weak.height else ()  # fmt: skip
    pyr = pyramid(p)
    charted = [g.group_id for g in report.groups[:MAX_GROUP_CHARTS]]
    return Views(
        recall=tuple(RecallRow(*r) for r in recall.head(LIST_ROWS).iter_rows()),
        recall_total=recall.height,
        koc=tuple(KocRow(*r) for r in koc.head(LIST_ROWS).iter_rows()),
        rfm=rfm_counts,
        cohort_weeks=weeks,
        cohorts=cohorts,
        weak_posts=weak_rows,
        heatmap=tuple(tuple(row) for row in heatmap(p)),
        pyramid={k: int(pyr[k].sum()) if pyr.height else 0 for k in ("koc", "active", "silent")},
        fleet_daily=daily_series(report, None) if len(report.groups) > 1 else None,
        daily={g: daily_series(report, g) for g in charted},
        kpi_bars={g: kpi_bars(report, g) for g in charted},
    )
