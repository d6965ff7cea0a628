"""``sqops report --trend N``: each KPI at as-of − 7k, k = 0..N−1 (spec §3, "Trend").

Every point is exactly what ``sqops report --as-of`` that day gives for the KPI (the same
numerator and denominator), or null where that report has none: the earlier reports are
built by :func:`sqops.report.build.build_report` itself, on the tables already read (each
table is read and validated once) and on inputs derived from the as-of report's
(:meth:`sqops.data.membership.Prepared.at`: the rows up to that day, presence and
attribution made again) instead of prepared from the tables again. The fleet carries
every KPI; a group the KPIs of its current stage at as-of. :func:`sparkline` and :func:`svg_line` draw a series for the
terminal and the HTML page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

import polars as pl

from sqops.domain.kpis import KPI_NAMES
from sqops.errors import UsageError
from sqops.i18n import T

if TYPE_CHECKING:
    from sqops.data.tables import Tables
    from sqops.report import schema as S
    from sqops.report.build import Kpi, Report

MIN_POINTS, MAX_POINTS = 2, 26
STEP_DAYS = 7
BLOCKS = "▁▂▃▄▅▆▇█"
LABELS: dict[str, T] = {
    "trend": T("趋势", "Trend"),
    "trend_n": T("趋势（每 7 天一点，共 {n} 点）", "Trend (one point every 7 days, {n} points)"),
    "note": T(
        "每一点都等于以那天为截至日的报告（--as-of）；— 表示那天没有该指标。",
        "Each point equals the report with that day as its as-of (--as-of); — where that "
        "report has none.",
    ),
}


@dataclass(frozen=True)
class Point:
    numerator: float
    denominator: float
    value: float | None

    def to_dict(self) -> S.PointDoc:
        from sqops.report.build import _num, _round

        return {  # (_num of a number is a number)
            "numerator": cast(float, _num(self.numerator)),
            "denominator": cast(float, _num(self.denominator)),
            "value": _round(self.value, 4),
        }


Series = list[Point | None]


@dataclass
class Trend:
    days: list[dt.date]  #: oldest first, the as-of day last
    fleet: dict[str, Series] = field(default_factory=dict)
    groups: dict[str, dict[str, Series]] = field(default_factory=dict)

    def to_dict(self) -> S.TrendDoc:
        def ser(s: Series) -> list[S.PointDoc | None]:
            return [None if p is None else p.to_dict() for p in s]

        return {
            "days": [d.isoformat() for d in self.days],
            "fleet": {k: ser(s) for k, s in self.fleet.items()},
            "groups": {g: {k: ser(s) for k, s in ks.items()} for g, ks in self.groups.items()},
        }


def check_points(n: int) -> int:
    if not MIN_POINTS <= n <= MAX_POINTS:
        raise UsageError(
            T(
                "--trend 取 {lo} 到 {hi} 之间的点数，收到 {n}",
                "--trend takes {lo} to {hi} points, got {n}",
            ).format(lo=MIN_POINTS, hi=MAX_POINTS, n=n)
        )
    return n


def trend_days(as_of: dt.date, n: int) -> list[dt.date]:
    """as-of − 7k for k = n−1..0: oldest first."""
    return [as_of - dt.timedelta(days=STEP_DAYS * k) for k in range(n - 1, -1, -1)]


def first_report_day(tables: Tables) -> dt.date | None:
    """The first day a report exists for: the earliest day of any message or member event
    (before it ``--as-of`` finds no group)."""
    days = []
    for name in ("messages", "members"):
        td = tables.get(name)
        if td is not None and "day" in td.columns:
            d = td.frame.select(pl.col("day").min()).collect().item()
            if d is not None:
                days.append(d)
    return min(days) if days else None


def point(k: Kpi | None) -> Point | None:
    """The KPI as a trend point: None where the report has no numerator and denominator
    (unavailable, not started, group without data yet)."""
    if k is None or k.numerator is None or k.denominator is None:
        return None
    return Point(k.numerator, k.denominator, k.value)


def build_trend(
    report: Report, days: Sequence[dt.date], report_on: Callable[[dt.date], Report | None]
) -> Trend:
    """The trend of ``report`` over ``days`` (the last is its as-of day); ``report_on(day)``
    is the report with that as-of on the same tables and settings, None before any data."""
    trend = Trend(list(days))
    current = {
        g.group_id: [k.name for k in g.stage(g.current_stage).kpis] if g.current_stage else []
        for g in report.groups
    }
    trend.fleet = {name: [] for name in KPI_NAMES}
    trend.groups = {gid: {name: [] for name in names} for gid, names in current.items()}
    for day in days:
        rep = report if day == report.as_of else report_on(day)
        fleet = {k.name: k for k in rep.fleet} if rep else {}
        for name, series in trend.fleet.items():
            series.append(point(fleet.get(name)))
        groups = {g.group_id: g for g in rep.groups} if rep else {}
        for gid, ks in trend.groups.items():
            g = groups.get(gid)
            for name, series in ks.items():
                series.append(point(g.kpi(name) if g else None))
    # the renderers show each series beside its KPI
    for k in report.fleet:
        k.trend = trend.fleet.get(k.name)
    for g in report.groups:
        for s in g.stages:
            for k in s.kpis:
                k.trend = trend.groups[g.group_id].get(k.name)
    return trend


def add_history(
    report: Report,
    tables: Tables,
    *,
    compare: dt.date | str | None,
    points: int | None,
    groups: Sequence[str] | None,
) -> None:
    """``--compare`` and ``--trend`` on ``report``: the earlier reports are built once per
    day on the same tables and settings (a day asked by both is built once)."""
    from sqops.report.build import build_report
    from sqops.report.compare import attach, compare_day

    if points is not None:
        check_points(points)
    first = first_report_day(tables)
    built: dict[dt.date, Report | None] = {report.as_of: report}
    latest = report.prepared
    # (names are read by one KPI alone, and only with a nickname pattern)
    names = bool(report.settings and report.settings.nickname_pattern)

    def report_on(day: dt.date) -> Report | None:
        if day not in built:
            if first is None or day < first:
                built[day] = None
            else:
                derived = None
                if latest is not None and latest.history is not None and day <= report.as_of:
                    derived = latest.at(day, names=names)
                rep = build_report(
                    tables,
                    settings=report.settings,
                    as_of=day,
                    lang=report.lang,
                    groups=groups,
                    missing_groups_ok=True,
                    sections=False,
                    prepared=derived,
                )
                rep.prepared = None  # (only its KPIs are read: free the inputs)
                built[day] = rep
        return built[day]

    if compare is not None:
        earlier = report_on(compare_day(compare, report.as_of, first))
        assert earlier is not None  # (compare_day refused a day before the data)
        attach(report, earlier)
    if points is not None:
        report.trend = build_trend(report, trend_days(report.as_of, points), report_on)
    if latest is not None and latest.history is not None:
        latest.history.memo.clear()  # (the reductions for the earlier days: free them)


def _values(series: Series) -> list[float | None]:
    return [None if p is None else p.value for p in series]


def sparkline(series: Series) -> str:
    """▁▂▃▄▅▆▇█ from the lowest to the highest value of the series; a space where no value."""
    vals = _values(series)
    known = [v for v in vals if v is not None]
    if not known:
        return ""
    lo, hi = min(known), max(known)
    out = []
    for v in vals:
        if v is None:
            out.append(" ")
        elif hi == lo:
            out.append(BLOCKS[len(BLOCKS) // 2 - 1])
        else:
            out.append(BLOCKS[round((v - lo) / (hi - lo) * (len(BLOCKS) - 1))])
    return "".join(out)


def svg_line(series: Series, width: int = 96, height: int = 20) -> str:
    """A small inline SVG line of the series (numbers only, no text: nothing to escape);
    gaps where no value, a dot on the last value. Empty when the series has no value."""
    vals = _values(series)
    known = [v for v in vals if v is not None]
    if not known:
        return ""
    lo, hi = min(known), max(known)
    pad = 2.0
    step = (width - 2 * pad) / max(len(vals) - 1, 1)

    def y(v: float) -> float:
        if hi == lo:
            return height / 2
        return pad + (hi - v) / (hi - lo) * (height - 2 * pad)

    runs: list[list[str]] = [[]]
    last: tuple[float, float] | None = None
    for i, v in enumerate(vals):
        if v is None:
            runs.append([])
            continue
        xy = (pad + i * step, y(v))
        runs[-1].append(f"{xy[0]:.1f},{xy[1]:.1f}")
        last = xy
    lines = "".join(
        f'<polyline points="{" ".join(r)}" fill="none" stroke="#1565c0" stroke-width="1.5"/>'
        for r in runs
        if len(r) > 1
    )
    dot = f'<circle cx="{last[0]:.1f}" cy="{last[1]:.1f}" r="2" fill="#1565c0"/>' if last else ""
    return (
        f'<svg class="spark" style="vertical-align:middle" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-hidden="true">{lines}{dot}</svg>'
    )


__all__ = [
    "MAX_POINTS",
    "MIN_POINTS",
    "Point",
    "Trend",
    "add_history",
    "build_trend",
    "check_points",
    "first_report_day",
    "sparkline",
    "svg_line",
    "trend_days",
]
