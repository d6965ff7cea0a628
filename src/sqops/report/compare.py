"""``sqops report --compare DAY|prev``: each KPI against the same KPI on an earlier day.

The earlier value is exactly what ``sqops report --as-of DAY`` gives on the same data and
settings (spec §3, "Compare with an earlier day"). A rate's change is judged by the pooled
two-proportion z-test of :func:`change_of`, the one place that statistic is computed.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqops.domain.kpis import KPI
from sqops.errors import UsageError
from sqops.i18n import T

if TYPE_CHECKING:
    from sqops.report import schema as S
    from sqops.report.build import Kpi, Report

#: |z| at or past which a change of a rate is called up / down (two-sided 5%)
Z_CRITICAL = 1.96
#: the change of a rate KPI (spec §3)
CHANGES = ("flat", "up", "down", "noise")
#: how each change is drawn, in every format
ARROWS = {"up": "↑", "down": "↓", "flat": "→", "noise": "~"}
#: "prev": as-of − 7
PREV_DAYS = 7
LABELS: dict[str, T] = {
    "vs": T("较 {d}", "vs {d}"),
    "pp": T("个百分点", "pp"),
    "flat": T("持平", "flat"),
    "up": T("显著上升", "up"),
    "down": T("显著下降", "down"),
    "noise": T("波动（不显著）", "noise (not significant)"),
}


def change_of(n1: float, d1: float, n0: float, d0: float) -> str:
    """The change of a rate from n0/d0 (earlier) to n1/d1 (now), spec §3:

    ``flat`` when the two values are equal; else p = (n1 + n0) / (d1 + d0),
    z = (v1 − v0) / √(p (1 − p) (1/d1 + 1/d0)); ``up`` / ``down`` by the sign of the
    difference when |z| ≥ 1.96, otherwise ``noise`` (also when p is 0 or 1).
    Both denominators must be positive."""
    if d1 <= 0 or d0 <= 0:
        raise ValueError("change_of needs two positive denominators")
    if n1 * d0 == n0 * d1:  # equal values, compared without rounding
        return "flat"
    p = (n1 + n0) / (d1 + d0)
    if p <= 0 or p >= 1:
        return "noise"
    v1, v0 = n1 / d1, n0 / d0
    z = (v1 - v0) / math.sqrt(p * (1 - p) * (1 / d1 + 1 / d0))
    if abs(z) >= Z_CRITICAL:
        return "up" if v1 > v0 else "down"
    return "noise"


@dataclass(frozen=True)
class Previous:
    """A KPI's value on the compared day, and how the value moved since."""

    day: dt.date
    value: float
    numerator: float
    denominator: float
    delta: float  #: value now − value then
    change: str | None  #: flat | up | down | noise; None for a KPI that is not a rate (aov)

    def fill(self, doc: S.KpiDoc) -> None:
        """Set the KPI object's ``previous``, ``delta`` and (rates) ``change``."""
        from sqops.report.build import _num, _round

        doc["previous"] = {
            "value": _round(self.value, 4),
            "numerator": _num(self.numerator),
            "denominator": _num(self.denominator),
        }
        doc["delta"] = round(self.delta, 4)
        if self.change is not None:
            doc["change"] = self.change

    def tone(self, name: str) -> str:
        """good | bad | neutral: whether the change is an improvement of the KPI (by its
        direction); flat, noise and a KPI without a change are neutral."""
        if self.change not in ("up", "down"):
            return "neutral"
        better = "down" if KPI[name].lower_is_better else "up"
        return "good" if self.change == better else "bad"

    def text(self, name: str, lang: str = "en") -> str:
        """The short cell every format shows: arrow and delta, e.g. ``↑ +3.2 pp`` (rates in
        percentage points, 个百分点) or ``+12.50`` (aov, no arrow)."""
        if not KPI[name].is_rate:
            return f"{self.delta:+,.2f}"
        pp = LABELS["pp"].get(lang)
        if self.change == "flat":
            return f"{ARROWS['flat']} 0.0 {pp}"
        return f"{ARROWS[self.change or 'noise']} {self.delta * 100:+.1f} {pp}"


def compare_kpi(now: Kpi, before: Kpi | None, day: dt.date) -> Previous | None:
    """``now`` against ``before`` (the same KPI on ``day``): None unless the KPI has a value
    on both days (available, started, a positive denominator)."""
    if before is None or now.value is None or before.value is None:
        return None
    if now.numerator is None or now.denominator is None:
        return None
    if before.numerator is None or before.denominator is None:
        return None
    change = None
    if KPI[now.name].is_rate:
        change = change_of(now.numerator, now.denominator, before.numerator, before.denominator)
    return Previous(
        day,
        before.value,
        before.numerator,
        before.denominator,
        now.value - before.value,
        change,
    )


def attach(report: Report, earlier: Report) -> None:
    """Set ``previous`` on every KPI of ``report`` (fleet and groups) that has a value in
    ``earlier`` too; a group without data yet on the earlier day gets none."""
    day = earlier.as_of
    then_fleet = {k.name: k for k in earlier.fleet}
    for k in report.fleet:
        k.previous = compare_kpi(k, then_fleet.get(k.name), day)
    then_groups = {g.group_id: g for g in earlier.groups}
    for g in report.groups:
        eg = then_groups.get(g.group_id)
        for s in g.stages:
            for k in s.kpis:
                k.previous = compare_kpi(k, eg.kpi(k.name) if eg else None, day)
    report.compared_with = day


def compare_day(arg: dt.date | str, as_of: dt.date, first_day: dt.date | None) -> dt.date:
    """``--compare``'s day: ``prev`` (as-of − 7) or a date, not after as-of and not before
    the first day of data (a usage error otherwise)."""
    if isinstance(arg, dt.date):
        day = arg
    elif arg.strip().lower() == "prev":
        day = as_of - dt.timedelta(days=PREV_DAYS)
    else:
        from sqops.data.scalars import parse_date

        parsed = parse_date(arg)
        if parsed is None:
            raise UsageError(
                T(
                    "--compare “{v}” 不是日期：写成 YYYY-MM-DD 或 prev（截至日前 7 天）",
                    "--compare '{v}' is not a date: write YYYY-MM-DD or prev (as-of − 7 days)",
                ).format(v=arg)
            )
        day = parsed
    if day > as_of:
        raise UsageError(
            T(
                "--compare {d} 晚于截至日 {a}：只能与更早的一天对比",
                "--compare {d} is after the as-of day {a}: compare with an earlier day",
            ).format(d=day.isoformat(), a=as_of.isoformat())
        )
    if first_day is None or day < first_day:
        raise UsageError(
            T(
                "--compare {d} 早于数据的第一天 {f}：那天还没有任何报告",
                "--compare {d} is before the first day of the data ({f}): there is no report "
                "for that day",
            ).format(d=day.isoformat(), f=first_day.isoformat() if first_day else "—")
        )
    return day


__all__ = ["ARROWS", "CHANGES", "Previous", "attach", "change_of", "compare_day", "compare_kpi"]
