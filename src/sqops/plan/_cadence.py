"""The cadence engine: on which dates each cadence item falls. Pure Python, no clock.

This is the one place that knows the recurrence rules; ``sqops plan`` (with its holiday
filters, notes and scripts on top), the per-day lint rules and ``sqops demo`` all ask it:

* ``daily`` — every day; ``weekly`` — its weekday;
* ``monthly`` — its day of the month; ``last`` is the month's last day, and a day the month
  does not have (``day: 31`` in April) is moved to the month's last day;
* ``lifecycle`` — ``launch + day - 1`` (nothing without a launch date);
* ``campaign`` — its date; ``countdown`` — the ``countdown_days`` days before it.

``skip_on`` / ``only_on`` are not applied here: they need the holiday calendar, which
:func:`sqops.plan.allowed_on` consults.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

#: The sections of the engine, in the order of ``sqops.lint.rules.slots``.
SECTIONS = ("daily", "weekly", "monthly", "lifecycle", "campaign", "countdown")
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_ONE = dt.timedelta(days=1)


def month_days(year: int, month: int) -> int:
    """How many days the month has."""
    return calendar.monthrange(year, month)[1]


def monthly_day(day: int | str, year: int, month: int) -> int:
    """The day of the month a ``monthly`` item with ``day`` falls on in that month."""
    last = month_days(year, month)
    return last if day == "last" else min(int(day), last)


def is_moved(day: int | str, date: dt.date) -> bool:
    """Was a monthly ``day`` moved to ``date`` because the month is too short?"""
    return day != "last" and int(day) != date.day


def _shift(date: dt.date, days: int) -> dt.date | None:
    """``date + days``, or None past the calendar's ends (years 1 and 9999)."""
    try:
        return date + dt.timedelta(days=days)
    except OverflowError:
        return None


def item_dates(
    section: str,
    item: Any,
    *,
    start: dt.date,
    end: dt.date | None,
    launch: dt.date | None = None,
) -> list[dt.date]:
    """The dates in ``[start, end)`` (and not before ``launch``, when given) on which the item
    of ``section`` falls, ascending; ``end=None`` runs to the end of the calendar (use it for
    items with few dates). ``section`` is one of :data:`SECTIONS`; for a ``countdown`` the
    item is the campaign, and the days left are ``campaign.date - date``."""
    lo = max(start, launch) if launch is not None else start
    if end is not None and end <= lo:
        return []
    hi = end - _ONE if end is not None else dt.date.max  # the last date, inclusive
    if section == "daily":
        return [lo + dt.timedelta(days=i) for i in range((hi - lo).days + 1)]
    if section == "weekly":
        first = _shift(lo, (_WEEKDAYS.index(item.weekday) - lo.weekday()) % 7)
        if first is None or first > hi:
            return []
        return [first + dt.timedelta(days=i) for i in range(0, (hi - first).days + 1, 7)]
    if section == "monthly":
        out: list[dt.date] = []
        for n in range(lo.year * 12 + lo.month - 1, hi.year * 12 + hi.month):
            y, m = divmod(n, 12)
            d = dt.date(y, m + 1, monthly_day(item.day, y, m + 1))
            if lo <= d <= hi:
                out.append(d)
        return out
    if section == "lifecycle":
        if launch is None:
            return []
        candidates = [_shift(launch, item.day - 1)]
    elif section == "campaign":
        candidates = [item.date]
    elif section == "countdown":
        candidates = [_shift(item.date, -k) for k in range(item.countdown_days, 0, -1)]
    else:
        raise ValueError(f"unknown cadence section {section!r}")
    return [d for d in candidates if d is not None and lo <= d <= hi]


def falls_on(section: str, item: Any, date: dt.date, launch: dt.date | None = None) -> bool:
    """Does the item fall on ``date``? (The same rules as :func:`item_dates`.)"""
    return bool(item_dates(section, item, start=date, end=_shift(date, 1), launch=launch))
