"""What the plan's pages show, as data: occurrences and conflicts by date, month grids.

The renderers (Markdown, CSV, terminal, the HTML template) only format these; the grouping
by date and the month-by-week layout are computed here once.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from sqops.domain.stages import lifecycle_day as _lifecycle_day
from sqops.plan._model import Conflict, GroupPlan, Occurrence, Plan


def by_date(gp: GroupPlan) -> dict[dt.date, list[Occurrence]]:
    """The group's occurrences by date (each day's list in plan order)."""
    out: dict[dt.date, list[Occurrence]] = {}
    for o in gp.occurrences:
        out.setdefault(o.date, []).append(o)
    return out


def conflicts_by_date(gp: GroupPlan) -> dict[dt.date, list[Conflict]]:
    out: dict[dt.date, list[Conflict]] = {}
    for c in gp.conflicts:
        out.setdefault(c.date, []).append(c)
    return out


@dataclass(frozen=True, slots=True)
class DayCell:
    """One cell of a month grid: a date of the month inside the plan's window, or padding."""

    date: dt.date
    in_month: bool  # False: a day of the previous/next month filling the first/last week
    in_window: bool  # inside [plan.start, plan.end)
    css: str  # "holiday" | "adjusted" | ""
    label: str  # holiday / adjusted workday label in the page's language


@dataclass(frozen=True, slots=True)
class MonthGrid:
    year: int
    month: int
    weeks: tuple[tuple[DayCell, ...], ...]  # Monday first


def month_grids(plan: Plan, lang: str) -> list[MonthGrid]:
    """Every month the plan's window touches, laid out in weeks (the same for every group:
    a group's items are looked up by date, ``by_date``)."""
    end = plan.end
    out = []
    for year, month in sorted({(d.year, d.month) for d in plan.dates()}):
        weeks = []
        for wk in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
            cells = []
            for d in wk:
                info = plan.calendar.get(d) if d.month == month and plan.start <= d < end else None
                if info is None:
                    cells.append(DayCell(d, d.month == month, False, "", ""))
                    continue
                css = "holiday" if info.status == "holiday" else "adjusted" if info.adjusted else ""
                cells.append(DayCell(d, True, True, css, info.label(lang)))
            weeks.append(tuple(cells))
        out.append(MonthGrid(year, month, tuple(weeks)))
    return out


def lifecycle_day(gp: GroupPlan, d: dt.date) -> int | None:
    """Day ``d`` of the group's life (launch day = 1; None before the launch)."""
    idx = (d - gp.launched_on).days
    return _lifecycle_day(idx) if idx >= 0 else None


def scripted(gp: GroupPlan) -> list[Occurrence]:
    """The occurrences with a script or a note (listed after the calendar)."""
    return [o for o in gp.occurrences if o.script or o.notes]
