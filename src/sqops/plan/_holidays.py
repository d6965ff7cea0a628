"""The plan's calendar: public holidays, adjusted working days (调休) and marketing festivals.

Sources (imported lazily, only when a plan asks for a day):

* the ``holidays`` package for a country's public holidays. For China it carries the State
  Council's arrangement (days off and 调休 working days) for the years it has been published,
  and for later years the statutory days by rule (全国年节及纪念日放假办法: the festival days
  and, when one falls on a weekend, a make-up day off);
* ``lunar_python`` for the lunar-calendar festivals (七夕);
* the SOP's own ``calendar:`` section (extra days off, working days, ignored dates, the years
  whose official arrangement it gives in full).

In a Chinese year whose arrangement is not announced (nor declared by the SOP) the statutory
days are certain, while the make-up days off and the weekends around the holidays (which may
become 调休 working days) are *provisional*: the ``holiday`` / ``workday`` filters do not
decide on them (the plan keeps the item and says "please check"); a provisional weekend is
never a holiday by itself, only possibly a working day. Years the package does not cover
(China: 2001-2100 used) are unknown: status None, never guessed.

Day filters (``skip_on`` / ``only_on``), see :mod:`sqops.domain.calendar` for the names:

* ``holiday`` — a public holiday day off, the weekend days inside a Chinese holiday run
  included (2026-10-01..07). An ordinary weekend is *not* a holiday.
* ``workday`` — an official working day: Monday-Friday that is not a holiday, plus a weekend
  day made a working day (调休上班).
* ``weekend`` / ``weekday`` — Saturday/Sunday and Monday-Friday by the plain calendar.
* a holiday key (``spring_festival``) — a holiday day off of that festival (China);
* a festival key (``qixi``, ``double_11``) — the festival's date (not a day off).
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from sqops.domain.calendar import (
    DAY_FILTERS,
    FESTIVALS,
    HOLIDAY_NAMES,
    canonical,
)
from sqops.plan._model import DayInfo

if TYPE_CHECKING:
    from sqops.sop.model import Sop

__all__ = [
    "DAY_FILTERS",
    "HOLIDAY_NAMES",
    "Calendar",
    "calendar_for",
    "coverage",
    "day_info",
    "matches",
]

_ONE = dt.timedelta(days=1)
#: how far around a holiday a weekend may become a 调休 working day (provisional days)
_NEAR = 14

# the names the holidays package gives China's days (zh_CN, its default language)
_CN_KEYS = {
    "元旦": "new_years_day",
    "春节": "spring_festival",
    "农历除夕": "spring_festival",
    "春节延长假期": "spring_festival",
    "劳动节": "labour_day",
    "清明节": "tomb_sweeping_day",
    "端午节": "dragon_boat_festival",
    "中秋节": "mid_autumn_festival",
    "国庆节": "national_day",
    "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日": "anti_fascist_70th_day",
}
_SUBSTITUTED = re.compile(r"由 (\d{4})-(\d{2})-(\d{2}) 调休")
_OBSERVED = ("（补假）", "（补假，推定）")
_ESTIMATED = "（推定）"
#: the first year the package checks China's arrangement against the State Council's notices
_CN_FIRST = 2001


def _shift(date: dt.date, days: int) -> dt.date | None:
    """``date + days``, or None past the calendar's ends."""
    try:
        return date + dt.timedelta(days=days)
    except OverflowError:
        return None


def _rank(key: str | None) -> int:
    """Which festival names a day or run two festivals share (国庆节 first)."""
    order = ("national_day", "spring_festival", "labour_day", "new_years_day")
    return order.index(key) if key in order else len(order)


@dataclass
class _Year:
    """What the package says about one year of one country."""

    off: dict[dt.date, str | None] = field(default_factory=dict)  # day off → holiday key
    observed: set[dt.date] = field(default_factory=set)  # make-up days off by rule
    work: dict[dt.date, dt.date] = field(default_factory=dict)  # 调休上班 → its day off


def _country_module(country: str) -> None:
    """Import the ``holidays`` module of ``country`` alone, before the package is asked about
    it. The package's own way (``country_holidays``, ``holidays.countries.china``) goes
    through ``holidays.countries``, whose ``__init__`` imports all ~250 country modules
    (0.1–0.4 s of every ``sqops report --sop``, for one country). The country's module is
    loaded by itself under its own name; the package then finds it in ``sys.modules`` (a
    layout this does not know: the package's own way)."""
    import sys

    with _LOAD_LOCK:
        if "holidays.countries" in sys.modules:
            return
        try:
            import importlib.util
            from pathlib import Path

            import holidays
            from holidays.registry import COUNTRIES

            module = next((m for m, e in COUNTRIES.items() if country in e[1:]), None)
            name = f"holidays.countries.{module}"
            if module is None or name in sys.modules:
                return
            path = Path(holidays.__file__).parent / "countries" / f"{module}.py"
            spec = importlib.util.spec_from_file_location(name, path)
            if spec is None or spec.loader is None or not path.is_file():
                return
            mod = importlib.util.module_from_spec(spec)
            sys.modules[name] = mod
            try:
                spec.loader.exec_module(mod)
            except BaseException:
                del sys.modules[name]
                raise
        except Exception:  # pragma: no cover - another layout: the package's own way
            return


_LOAD_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _cn_announced() -> int:
    """The last year whose official arrangement the installed ``holidays`` package has."""
    _country_module("CN")
    try:
        from holidays.countries.china import ChinaStaticHolidays

        return max(ChinaStaticHolidays.special_public_holidays)
    except (ImportError, AttributeError, ValueError):  # pragma: no cover - another layout
        return _CN_FIRST - 1


@lru_cache(maxsize=256)
def _package_year(country: str, year: int) -> _Year:
    _country_module(country)
    import holidays

    out = _Year()
    if country == "CN":
        for d, names in holidays.country_holidays("CN", years=year, language="zh_CN").items():
            for name in names.split("; "):
                m = _SUBSTITUTED.search(name)
                if m:
                    out.off.setdefault(d, None)
                    out.work[dt.date(int(m[1]), int(m[2]), int(m[3]))] = d
                    continue
                base = name
                for suffix in _OBSERVED:
                    if base.endswith(suffix):
                        base = base.removesuffix(suffix)
                        out.observed.add(d)
                key = _CN_KEYS.get(base.removesuffix(_ESTIMATED), base)
                if out.off.get(d) is None or _rank(key) < _rank(out.off[d]):
                    out.off[d] = key
        return out
    # the names in English where the package has them (the labels of both languages)
    lang = "en_US" if "en_US" in _languages_of(country) else None
    for d, names in holidays.country_holidays(country, years=year, language=lang).items():
        out.off[d] = names
    return out


@lru_cache(maxsize=32)
def _languages_of(country: str) -> tuple[str, ...]:
    _country_module(country)
    import holidays

    return tuple(getattr(holidays.country_holidays(country), "supported_languages", ()))


@lru_cache(maxsize=32)
def _years_of(country: str) -> tuple[int, int]:
    """The years the package covers for a country (China: 1950-2100 in 0.105)."""
    _country_module(country)
    import holidays

    cls = holidays.country_holidays(country)
    return int(getattr(cls, "start_year", 1)), int(getattr(cls, "end_year", 9998))


def supported_countries() -> list[str]:
    """The ISO codes the installed ``holidays`` package knows."""
    import holidays

    return sorted(holidays.list_supported_countries())


@lru_cache(maxsize=64)
def _festival_dates(year: int) -> dict[dt.date, tuple[str, ...]]:
    """The marketing festivals of a year, by date (lunar ones through ``lunar_python``)."""
    out: dict[dt.date, list[str]] = {}
    for f in FESTIVALS.values():
        if f.lunar:
            d = _lunar_to_solar(year, f.month, f.day)
            if d is None:
                continue
        else:
            d = dt.date(year, f.month, f.day)
        out.setdefault(d, []).append(f.key)
    return {d: tuple(k) for d, k in sorted(out.items())}


def _lunar_to_solar(year: int, month: int, day: int) -> dt.date | None:
    """The Gregorian date of a (non-leap) lunar month/day of the lunar year that starts in
    ``year``; None outside the lunar library's range."""
    from lunar_python import Lunar  # type: ignore[import-untyped]

    try:
        s = Lunar.fromYmd(year, month, day).getSolar()
        return dt.date(s.getYear(), s.getMonth(), s.getDay())
    except Exception:  # the library raises plain Exceptions out of its range
        return None


class Calendar:
    """The calendar of one SOP: its country's holidays with its own ``calendar:`` section."""

    def __init__(
        self,
        country: str | None = "CN",
        *,
        days_off: dict[dt.date, str | None] | None = None,
        working_days: Iterable[dt.date] = (),
        ignore: Iterable[dt.date] = (),
        announced: Iterable[int] = (),
        festivals: str | None = None,
    ) -> None:
        self.country = country
        self.days_off = dict(days_off or {})
        self.working_days = frozenset(working_days)
        self.ignore = frozenset(ignore)
        self.announced = frozenset(announced)
        self.festivals = (
            festivals if festivals is not None else ("china" if country == "CN" else "none")
        )
        self._days: dict[dt.date, DayInfo] = {}
        self._years: set[int] = set()

    # --------------------------------------------------------------- facts
    def arranged_until(self) -> dt.date | None:
        """The last day of the last year whose official arrangement is known (China); None
        for other countries (their public holidays are fixed by rule)."""
        if self.country != "CN":
            return None
        last = max([_cn_announced(), *self.announced])
        return dt.date(last, 12, 31)

    def is_announced(self, year: int) -> bool:
        """Is the year's holiday arrangement known (always, outside China)?"""
        if self.country != "CN":
            return True
        return year in self.announced or _CN_FIRST <= year <= _cn_announced()

    def unannounced_years(self, dates: Iterable[dt.date]) -> list[int]:
        return sorted({d.year for d in dates if not self.is_announced(d.year)})

    def day_info(self, date: dt.date) -> DayInfo:
        if date.year not in self._years:
            self._fill(date.year)
        return self._days[date]

    def festivals_on(self, date: dt.date) -> tuple[str, ...]:
        if self.festivals != "china":
            return ()
        return _festival_dates(date.year).get(date, ())

    def matches(self, info: DayInfo, what: str) -> bool | None:
        """Does the day match a filter name? None when the calendar cannot say yet."""
        key = canonical(what)
        if key in FESTIVALS:
            lunar = self.festivals == "china" and FESTIVALS[key].lunar
            if lunar and _lunar_to_solar(info.date.year, 1, 1) is None:
                return None  # beyond the lunar calendar's years
            return key in self.festivals_on(info.date)
        return matches(info, key)

    # --------------------------------------------------------------- building
    def covers(self, year: int) -> bool:
        """Does the package know the country's holidays in ``year`` (always, no country)?
        China before 2001: the package has no arrangement (and the years are past), unknown."""
        if self.country is None:
            return True
        first, last = _years_of(self.country)
        if self.country == "CN":
            first = max(first, _CN_FIRST)
        return first <= year <= last

    def _package(self, year: int) -> _Year:
        if self.country is None or not self.covers(year):
            return _Year()
        return _package_year(self.country, year)

    def _fill(self, year: int) -> None:
        off: dict[dt.date, str | None] = {}
        observed: set[dt.date] = set()
        work: dict[dt.date, dt.date | None] = {}
        statutory: set[dt.date] = set()
        for y in (year - 1, year, year + 1):
            p = self._package(y)
            drop = y in self.announced
            for d, k in p.off.items():
                if drop and (d in p.observed or k is None):
                    continue  # the SOP gives that year's arrangement in full
                off[d] = k
                if d in p.observed:
                    observed.add(d)
                elif k is not None:
                    statutory.add(d)
            if not drop:
                for w, freed in p.work.items():
                    work[w] = freed
        for d, name in self.days_off.items():
            off[d] = canonical(name) if name else off.get(d)
            observed.discard(d)
            work.pop(d, None)
        for d in self.working_days:
            off.pop(d, None)
            work[d] = None
        for d in self.ignore:
            off.pop(d, None)
            work.pop(d, None)
        china = self.country == "CN"

        def day_off(d: dt.date) -> bool:
            if d in self.ignore:
                return False
            return d in off or (d.weekday() >= 5 and d not in work)

        def run_key(d: dt.date) -> str | None:
            """The holiday of the run of days off around ``d`` (China only): the festival with
            the most named days in the run (国庆节 over 中秋节 when they share a run)."""
            if not china:
                return None
            counts: dict[str, int] = {}
            for step in (-1, 1):
                x, n = d, 0
                while day_off(x) and n <= 31:
                    k = off.get(x)
                    if k is not None and (x != d or step == 1):
                        counts[k] = counts.get(k, 0) + 1
                    if x in (dt.date.min, dt.date.max):
                        break
                    x, n = x + step * _ONE, n + 1
            if not counts:
                return None
            return min(counts, key=lambda k: (-counts[k], _rank(k)))

        def nearest_key(d: dt.date) -> str | None:
            for n in range(1, _NEAR + 1):
                for k in (n, -n):
                    x = _shift(d, k)
                    if x is not None and off.get(x):
                        return off[x]
            return None

        near_holiday = {
            _shift(d, n) for d in statutory | observed for n in range(-_NEAR, _NEAR + 1)
        }
        first = dt.date(year, 1, 1)
        known = self.covers(year)
        for i in range((dt.date(year, 12, 31) - first).days + 1):
            d = first + i * _ONE
            weekend = d.weekday() >= 5
            if not known and not (d in self.days_off or d in self.working_days):
                self._days[d] = DayInfo(d, None)  # beyond the package's years: unknown
                continue
            declared = d in self.days_off or d in self.working_days or d in self.ignore
            provisional = (
                china
                and not declared
                and d not in statutory
                and not self.is_announced(year)
                and (d in observed or (weekend and d in near_holiday))
            )
            if d in self.ignore:
                info = DayInfo(d, "weekend" if weekend else "workday")
            elif d in work:
                holiday_day = work[d]
                k = run_key(holiday_day) if holiday_day else None
                k = k or (off.get(holiday_day) if holiday_day else None) or nearest_key(d)
                info = DayInfo(d, "workday", k, adjusted=weekend)
            elif d in off:
                info = DayInfo(d, "holiday", off[d] or run_key(d), provisional=provisional)
            elif weekend:
                k = run_key(d)
                if k is not None:
                    info = DayInfo(d, "holiday", k, provisional=provisional)
                else:
                    info = DayInfo(d, "weekend", provisional=provisional)
            else:
                info = DayInfo(d, "workday")
            self._days[d] = info
        self._years.add(year)


def calendar_for(sop: Sop) -> Calendar:
    """The calendar of an SOP: ``community.country`` (or its default) with ``calendar:``."""
    cfg = sop.calendar
    return Calendar(
        sop.holiday_country,
        days_off=cfg.off_days(),
        working_days=cfg.working_days,
        ignore=cfg.ignore,
        announced=cfg.announced,
        festivals=sop.festival_set,
    )


@lru_cache(maxsize=1)
def _default() -> Calendar:
    return Calendar("CN")


def coverage() -> tuple[dt.date, dt.date]:
    """First and last date of China's official arrangement the installed package knows."""
    return dt.date(_CN_FIRST, 1, 1), dt.date(_cn_announced(), 12, 31)


def day_info(date: dt.date) -> DayInfo:
    """China's official status of ``date`` (no SOP calendar)."""
    return _default().day_info(date)


def matches(info: DayInfo, what: str) -> bool | None:
    """Does the day match a day filter or holiday key? None when the calendar cannot say
    (a provisional day of a year whose arrangement is not announced). Festivals need the
    calendar: :meth:`Calendar.matches`."""
    what = canonical(what)
    if what == "weekend":
        return info.date.weekday() >= 5
    if what == "weekday":
        return info.date.weekday() < 5
    if info.status is None:
        return None
    if info.provisional:  # the year's arrangement is not announced: 调休 may still move it
        if what == "workday":
            return None
        if info.status != "holiday":  # a weekend near a holiday: it may become a working
            return False  # day, never a holiday by itself
        if what in HOLIDAY_NAMES and info.holiday != what:
            return False
        return None
    if what == "holiday":
        return info.status == "holiday"
    if what == "workday":
        return info.status == "workday"
    if what in HOLIDAY_NAMES:
        return info.status == "holiday" and info.holiday == what
    raise ValueError(what)
