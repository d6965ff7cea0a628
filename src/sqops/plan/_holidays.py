"""China's official calendar: statutory holidays and adjusted working days (调休).

The data comes from the ``chinesecalendar`` package (imported here only), which is updated
each year when the State Council publishes the next year's arrangement. Beyond the years the
installed package covers, a day's status is *unknown*: the plan says so and never guesses.

Day filters (``skip_on`` / ``only_on``):

* ``holiday`` — a statutory holiday day off (法定节假日放假), e.g. 2026-10-01..10-07. An ordinary
  weekend is *not* a holiday.
* ``workday`` — an official working day: Monday-Friday that is not a holiday, plus a weekend
  day made a working day (调休上班).
* ``weekend`` / ``weekday`` — Saturday/Sunday and Monday-Friday by the plain calendar (always known).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from sqops.i18n import T
from sqops.plan._model import DayInfo

HOLIDAY_NAMES: dict[str, T] = {
    "new_years_day": T("元旦", "New Year's Day"),
    "spring_festival": T("春节", "Spring Festival"),
    "tomb_sweeping_day": T("清明节", "Qingming Festival"),
    "labour_day": T("劳动节", "Labour Day"),
    "dragon_boat_festival": T("端午节", "Dragon Boat Festival"),
    "national_day": T("国庆节", "National Day"),
    "mid_autumn_festival": T("中秋节", "Mid-Autumn Festival"),
    "anti_fascist_70th_day": T("抗战胜利 70 周年纪念日", "Victory Day (70th anniversary)"),
}

DAY_FILTERS = ("holiday", "workday", "weekend", "weekday")


@lru_cache(maxsize=1)
def _data() -> tuple[dict[dt.date, str], dict[dt.date, str], int, int]:
    import chinese_calendar
    from chinese_calendar import constants

    by_value = {h.value: h.name for h in chinese_calendar.Holiday}

    def key(value: object) -> str:
        text = getattr(value, "value", value)
        return by_value.get(str(text), str(getattr(value, "name", text)))

    holidays = {d: key(v) for d, v in constants.holidays.items()}
    workdays = {d: key(v) for d, v in constants.workdays.items()}
    first = min(holidays).year
    last = max(holidays).year
    return holidays, workdays, first, last


def coverage() -> tuple[dt.date, dt.date]:
    """First and last date the installed holiday data covers (whole years)."""
    _, _, first, last = _data()
    return dt.date(first, 1, 1), dt.date(last, 12, 31)


def day_info(date: dt.date) -> DayInfo:
    """The official status of ``date``; ``status`` is None beyond the data."""
    holidays, workdays, first, last = _data()
    if not first <= date.year <= last:
        return DayInfo(date, None)
    if date in holidays:
        return DayInfo(date, "holiday", holidays[date])
    if date in workdays:
        return DayInfo(date, "workday", workdays[date], adjusted=date.weekday() >= 5)
    return DayInfo(date, "weekend" if date.weekday() >= 5 else "workday")


def matches(info: DayInfo, what: str) -> bool | None:
    """Does the day match a day filter? None when the holiday data does not say."""
    if what == "weekend":
        return info.date.weekday() >= 5
    if what == "weekday":
        return info.date.weekday() < 5
    if info.status is None:
        return None
    if what == "holiday":
        return info.status == "holiday"
    if what == "workday":
        return info.status == "workday"
    raise ValueError(what)
