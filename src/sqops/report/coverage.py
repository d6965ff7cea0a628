"""Data coverage (spec §3): per group, the days the data covers and its gaps.

- ``first_day`` / ``last_day``: the first and last day up to as-of with any row of the group in
  the two tables that make a group's days (spec §2, day 0): ``messages`` (staff and system
  messages included) and ``members`` events. Orders, coupons, posts and engagement come from
  other systems and say nothing about whether the chat export is complete.
- ``gaps``: runs of ≥ 3 consecutive days inside first_day..last_day with no message at all
  (staff and system included) — usually a missing export, not a quiet group. A run at either
  end of the span counts too (member events go on, messages stop).

A KPI whose stage window overlaps a gap carries that gap, whole (``Kpi.gaps``), so a reader
sees beside the figure that part of its window may be missing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from sqops.data.membership import message_days, to_date, to_int
from sqops.data.tables import Tables
from sqops.i18n import T

if TYPE_CHECKING:
    from sqops.report import schema as S
    from sqops.report.build import GroupReport

#: a run of at least this many days without a message is a gap
MIN_GAP_DAYS = 3
#: the tables whose rows make a group's span
SPAN_TABLES = ("messages", "members")

Gap = tuple[dt.date, dt.date]

LABELS: dict[str, T] = {
    "title": T("数据覆盖", "Data coverage"),
    "group": T("群", "group"),
    "first_day": T("首日", "first day"),
    "last_day": T("末日", "last day"),
    "gaps": T("缺口（连续 ≥ 3 天无任何消息）", "gaps (≥ 3 days without any message)"),
    "gap": T("⚠ {a}..{b} 无消息（导出缺失？）", "⚠ no messages {a}..{b} (export missing?)"),
    "no_gaps": T("无", "none"),
}


@dataclass(frozen=True)
class Coverage:
    first_day: dt.date
    last_day: dt.date
    gaps: list[Gap]

    def to_dict(self) -> S.CoverageDoc:
        return {
            "first_day": self.first_day.isoformat(),
            "last_day": self.last_day.isoformat(),
            "gaps": [[a.isoformat(), b.isoformat()] for a, b in self.gaps],
        }

    def gaps_in(self, first: dt.date, last: dt.date) -> list[Gap]:
        """The gaps that overlap the days ``first..last`` (whole, not cut to them)."""
        return [(a, b) for a, b in self.gaps if a <= last and b >= first]


def gap_text(gaps: Iterable[Gap], lang: str) -> str:
    """``⚠ no messages 2026-11-03..2026-11-06 (export missing?)``, one per gap."""
    return "; ".join(
        LABELS["gap"].format(a=a.isoformat(), b=b.isoformat()).get(lang) for a, b in gaps
    )


def _days(tables: Tables, name: str) -> pl.DataFrame:
    """``group_id, day`` (Int32 day numbers): the distinct days with a row of the table, over
    all its rows (kept on ``tables``: reports at several as-of days share it)."""
    if name == "messages":  # (the messages' days are made once for the report: message_days)
        return (
            message_days(tables)
            .select("group_id", pl.col("day").cast(pl.Int32))
            .filter(pl.col("group_id").is_not_null() & pl.col("day").is_not_null())
        )
    key = ("coverage_days", name)
    if key not in tables.memo:
        tables.memo[key] = (
            tables[name]
            .frame.filter(pl.col("group_id").is_not_null() & pl.col("day").is_not_null())
            .select("group_id", pl.col("day").cast(pl.Int32))
            .unique()
            .collect(engine="streaming")
        )
    out: pl.DataFrame = tables.memo[key]
    return out


def build_coverage(tables: Tables, as_of: dt.date, groups: Iterable[str]) -> dict[str, Coverage]:
    """Coverage of each of ``groups`` (those without a row up to as-of are left out)."""
    groups = list(groups)
    asof = to_int(as_of)
    keep = pl.col("group_id").is_in(groups) & (pl.col("day") <= asof)
    msg = _days(tables, "messages").filter(keep)
    parts = [msg] + [_days(tables, t).filter(keep) for t in SPAN_TABLES[1:] if t in tables]
    spans = (
        pl.concat(parts)
        .group_by("group_id")
        .agg(pl.col("day").min().alias("first"), pl.col("day").max().alias("last"))
    )
    # the message days with the span's two outer neighbours as sentinels: every run of days
    # without a message, at the ends too, lies between two consecutive rows
    marks = pl.concat(
        [
            msg,
            spans.select("group_id", (pl.col("first") - 1).cast(pl.Int32).alias("day")),
            spans.select("group_id", (pl.col("last") + 1).cast(pl.Int32).alias("day")),
        ]
    ).sort("group_id", "day")
    gaps = (
        marks.with_columns(pl.col("day").shift(1).over("group_id").alias("prev"))
        .filter(pl.col("day") - pl.col("prev") - 1 >= MIN_GAP_DAYS)
        .select("group_id", (pl.col("prev") + 1).alias("a"), (pl.col("day") - 1).alias("b"))
    )
    by_group: dict[str, list[Gap]] = {}
    for g, a, b in gaps.sort("group_id", "a").iter_rows():
        by_group.setdefault(g, []).append((to_date(a), to_date(b)))
    first_last = {g: (f, la) for g, f, la in spans.iter_rows()}
    return {
        g: Coverage(to_date(first_last[g][0]), to_date(first_last[g][1]), by_group.get(g, []))
        for g in groups
        if g in first_last
    }


def mark_gaps(groups: Iterable[GroupReport], coverage: dict[str, Coverage]) -> None:
    """Give each KPI of a started stage the gaps that overlap its stage's evaluated window."""
    for g in groups:
        cov = coverage.get(g.group_id)
        if cov is None or not cov.gaps:
            continue
        for s in g.stages:
            a, b = s.window
            if s.status == "not_started" or a is None:
                continue
            found = cov.gaps_in(a, b or cov.last_day)
            for k in s.kpis:
                k.gaps = list(found)
