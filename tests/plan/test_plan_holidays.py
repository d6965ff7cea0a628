"""China's holidays and adjusted workdays (调休), skip_on / only_on, and the data's end."""

from __future__ import annotations

import datetime as dt

import pytest

from sqops.plan import day_info, expand, holiday_coverage
from sqops.plan._holidays import matches

D = dt.date


@pytest.mark.parametrize(
    ("date", "status", "holiday", "adjusted", "zh", "en"),
    [
        (D(2026, 10, 1), "holiday", "national_day", False, "国庆节", "National Day"),
        (D(2026, 10, 7), "holiday", "national_day", False, "国庆节", "National Day"),
        (D(2026, 10, 8), "workday", None, False, "", ""),
        (
            D(2026, 10, 10),
            "workday",
            "national_day",
            True,
            "调休上班（国庆节）",
            "adjusted workday (National Day)",
        ),
        (D(2026, 10, 11), "weekend", None, False, "", ""),
        (D(2026, 9, 25), "holiday", "mid_autumn_festival", False, "中秋节", "Mid-Autumn Festival"),
        (
            D(2026, 2, 14),
            "workday",
            "spring_festival",
            True,
            "调休上班（春节）",
            "adjusted workday (Spring Festival)",
        ),
        (D(2026, 2, 17), "holiday", "spring_festival", False, "春节", "Spring Festival"),
    ],
)
def test_day_info_2026(date, status, holiday, adjusted, zh, en):
    info = day_info(date)
    assert (info.status, info.holiday, info.adjusted) == (status, holiday, adjusted)
    assert (info.label("zh"), info.label("en")) == (zh, en)


def test_filters_on_known_days():
    sat_off = day_info(D(2026, 10, 3))  # Saturday inside the National Day holiday
    sat_work = day_info(D(2026, 10, 10))  # Saturday made a working day
    plain_sun = day_info(D(2026, 10, 11))
    assert [matches(sat_off, w) for w in ("holiday", "workday", "weekend", "weekday")] == [
        True,
        False,
        True,
        False,
    ]
    assert [matches(sat_work, w) for w in ("holiday", "workday", "weekend", "weekday")] == [
        False,
        True,
        True,
        False,
    ]
    assert [matches(plain_sun, w) for w in ("holiday", "workday", "weekend", "weekday")] == [
        False,
        False,
        True,
        False,
    ]


def test_past_the_announced_arrangement_statutory_days_are_known_by_rule():
    first, last = holiday_coverage()
    assert (first, last) == (D(2001, 1, 1), D(2026, 12, 31))  # holidays 0.105: through 2026
    new_year = day_info(last + dt.timedelta(days=1))  # 2027-01-01, Friday: 元旦 by law
    assert (new_year.status, new_year.holiday, new_year.provisional) == (
        "holiday",
        "new_years_day",
        False,
    )
    assert matches(new_year, "holiday") is True and matches(new_year, "workday") is False
    # Saturday 2027-01-02 follows the holiday: a day off by the natural run, but the 2027
    # arrangement may still make it a working day (as Sunday 2026-01-04 was): undecided
    sat = day_info(D(2027, 1, 2))
    assert (sat.status, sat.holiday, sat.provisional) == ("holiday", "new_years_day", True)
    assert matches(sat, "holiday") is None and matches(sat, "workday") is None
    assert matches(sat, "weekend") is True  # the plain calendar is always known
    assert sat.label("en") == "New Year's Day (by rule, not yet announced)"
    # a weekday far from any holiday is an ordinary working day, known
    plain = day_info(D(2027, 3, 10))
    assert (plain.status, plain.provisional) == ("workday", False)


FILTERED = """\
cadence:
  daily:
    - {id: tip, time: "15:00", title: 小知识, skip_on: [holiday]}
    - {id: work, time: "10:00", title: 工作日提醒, only_on: [workday]}
    - {id: wkend, time: "11:00", title: 周末活动, only_on: [weekend]}
    - {id: rest, time: "12:00", title: 休息日问候, only_on: [holiday, weekend], skip_on: [workday]}
"""


def test_skip_on_and_only_on_around_national_day(load):
    loaded = load(FILTERED, launch="2026-09-01")
    # 2026-09-28 (Mon) .. 2026-10-11 (Sun): holidays 10-01..10-07, 10-10 (Sat) is a workday
    plan = expand(loaded, start=D(2026, 9, 28), days=14, lang="zh")
    got: dict[str, list[int]] = {}
    for o in plan.groups[0].occurrences:
        got.setdefault(o.item_id, []).append(o.date.day)
    assert got["tip"] == [28, 29, 30, 8, 9, 10, 11]
    assert got["work"] == [28, 29, 30, 8, 9, 10]
    assert got["wkend"] == [3, 4, 10, 11]
    assert got["rest"] == [1, 2, 3, 4, 5, 6, 7, 11]
    assert plan.notices == []


def test_filters_past_the_announced_years_keep_undecided_items_and_say_so(load):
    loaded = load(FILTERED, launch="2026-12-01")
    # 2026-12-30 Wed, 12-31 Thu (2026: announced), 2027-01-01 Fri (元旦, statutory: certain),
    # 2027-01-02 Sat (after 元旦, 2027 调休 not announced: provisional)
    plan = expand(loaded, start=D(2026, 12, 30), days=4, lang="en")
    assert len(plan.notices) == 1
    assert "the 2027 holiday arrangement is not announced yet" in plan.notices[0].en
    assert plan.holiday_data_until == D(2026, 12, 31)
    got: dict[str, list[tuple[int, bool]]] = {}
    for o in plan.groups[0].occurrences:
        got.setdefault(o.item_id, []).append((o.date.day, bool(o.notes)))
    # tip (skip holiday): dropped on 元旦; kept on the provisional Saturday with a note
    assert got["tip"] == [(30, False), (31, False), (2, True)]
    # work (only workday): not on 元旦; Saturday 01-02 may become a working day: kept, noted
    assert got["work"] == [(30, False), (31, False), (2, True)]
    # wkend (only weekend): the plain calendar, no note
    assert got["wkend"] == [(2, False)]
    # rest (only holiday/weekend, skip workday): 元旦 certain; Saturday undecided (skip workday)
    assert got["rest"] == [(1, False), (2, True)]
    notes = [n.en for o in plan.groups[0].occurrences for n in o.notes]
    assert all("not announced yet" in n and "please check" in n for n in notes)


def test_calendar_covers_every_day_of_the_window(load):
    loaded = load(FILTERED, launch="2026-09-01")
    plan = expand(loaded, start=D(2026, 9, 28), days=14)
    assert sorted(plan.calendar) == [D(2026, 9, 28) + dt.timedelta(days=i) for i in range(14)]
    assert plan.calendar[D(2026, 10, 10)].adjusted


# The State Council's arrangement for 2026 (国务院办公厅关于2026年部分节假日安排的通知),
# written out by hand to cross-check the package's data.
OFFICIAL_2026_OFF = {
    "new_years_day": ["2026-01-01", "2026-01-02", "2026-01-03"],
    "spring_festival": [f"2026-02-{d:02d}" for d in range(15, 24)],
    "tomb_sweeping_day": ["2026-04-04", "2026-04-05", "2026-04-06"],
    "labour_day": [f"2026-05-{d:02d}" for d in range(1, 6)],
    "dragon_boat_festival": ["2026-06-19", "2026-06-20", "2026-06-21"],
    "mid_autumn_festival": ["2026-09-25", "2026-09-26", "2026-09-27"],
    "national_day": [f"2026-10-{d:02d}" for d in range(1, 8)],
}
OFFICIAL_2026_WORK = [
    "2026-01-04",
    "2026-02-14",
    "2026-02-28",
    "2026-05-09",
    "2026-09-20",
    "2026-10-10",
]


def test_package_data_matches_the_official_2026_arrangement():
    off = {D.fromisoformat(d): k for k, days in OFFICIAL_2026_OFF.items() for d in days}
    work = {D.fromisoformat(d) for d in OFFICIAL_2026_WORK}
    day = D(2026, 1, 1)
    while day.year == 2026:
        info = day_info(day)
        if day in off:
            assert (info.status, info.holiday) == ("holiday", off[day]), day
        elif day in work:
            assert info.status == "workday" and info.adjusted, day
        else:
            assert info.status == ("weekend" if day.weekday() >= 5 else "workday"), day
            assert not info.adjusted, day
        day += dt.timedelta(days=1)
