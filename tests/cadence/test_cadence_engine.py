"""The cadence engine (sqops.plan.item_dates / falls_on / monthly_day): the one place that
knows on which dates an item falls."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace as NS

import pytest

from sqops.errors import UsageError
from sqops.plan import expand, falls_on, item_dates, monthly_day
from sqops.sop import parse_sop

D = dt.date


@pytest.mark.parametrize(
    ("day", "year", "month", "expected"),
    [(31, 2026, 11, 30), (31, 2027, 2, 28), (29, 2028, 2, 29), (30, 2028, 2, 29),
     ("last", 2026, 12, 31), (15, 2026, 2, 15)],
)  # fmt: skip
def test_monthly_day(day, year, month, expected) -> None:
    assert monthly_day(day, year, month) == expected


def test_item_dates_by_section() -> None:
    start, end = D(2026, 11, 25), D(2026, 12, 8)
    assert item_dates("monthly", NS(day=31), start=start, end=end) == [D(2026, 11, 30)]
    assert item_dates("weekly", NS(weekday="mon"), start=start, end=end) == [
        D(2026, 11, 30),
        D(2026, 12, 7),
    ]
    assert len(item_dates("daily", None, start=start, end=end, launch=D(2026, 12, 1))) == 7
    life = NS(day=3)
    assert item_dates("lifecycle", life, start=start, end=end) == []  # no launch
    assert item_dates("lifecycle", life, start=start, end=end, launch=D(2026, 12, 1)) == [
        D(2026, 12, 3)
    ]
    camp = NS(date=D(2026, 12, 2), countdown_days=3)
    assert item_dates("countdown", camp, start=start, end=None) == [
        D(2026, 11, 29),
        D(2026, 11, 30),
        D(2026, 12, 1),
    ]
    # nothing before the launch
    assert item_dates("countdown", camp, start=start, end=None, launch=D(2026, 11, 30)) == [
        D(2026, 11, 30),
        D(2026, 12, 1),
    ]
    assert falls_on("monthly", NS(day=31), D(2027, 2, 28))
    assert not falls_on("monthly", NS(day=31), D(2027, 3, 28))


def test_the_ends_of_the_calendar_are_no_error() -> None:
    camp = NS(date=D(1, 1, 2), countdown_days=3)
    assert item_dates("countdown", camp, start=dt.date.min, end=None) == [D(1, 1, 1)]
    assert item_dates("campaign", NS(date=dt.date.max), start=dt.date.min, end=None) == [
        dt.date.max
    ]
    assert (
        item_dates("lifecycle", NS(day=3650), start=D(9999, 1, 1), end=None, launch=D(9999, 1, 1))
        == []
    )
    assert falls_on("daily", None, dt.date.max)
    assert falls_on("monthly", NS(day="last"), dt.date.max)


def test_a_window_past_the_calendar_is_a_usage_error() -> None:
    text = 'version: 1\ncommunity: {name: x, platform: wechat}\ncadence:\n  daily:\n    - {time: "08:00", title: a}\n'
    loaded = parse_sop(text, "sop.yaml", Path("."))
    with pytest.raises(UsageError, match="runs past the calendar"):
        expand(loaded, start=D(9999, 12, 30), days=5)
