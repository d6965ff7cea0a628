"""The one UTC offset a zone keeps over a range of times (:func:`fixed_offset`): converting
by it is an addition. Its own small module, so that an import (``sqops.importers``), which
needs only this of the tables layer, does not load :mod:`sqops.data.tables` for it;
:mod:`sqops.data.tables` re-exports it."""

from __future__ import annotations

import datetime as dt
import functools

import polars as pl

#: the longest span fixed_offset probes (longer spans take the general conversion)
_MAX_FIXED_SPAN = dt.timedelta(days=20 * 366)


def fixed_offset(tz: str, lo: dt.datetime | None, hi: dt.datetime | None) -> dt.timedelta | None:
    """The UTC offset of ``tz`` when it is one and the same at every instant from a day before
    ``lo`` to a day after ``hi`` (naive, local or UTC: the day either side covers the offset);
    None when it changes there (daylight saving time, a change of zone rules) or is unknown.

    The offsets are probed every 15 minutes with the zone data polars converts with, so a
    conversion by this offset is the same as polars' conversion for every time in the range.
    Where it applies (Asia/Shanghai since 1991, most of Asia) converting is an addition.

    The probes cover whole days (from the start of the day before ``lo``'s to the end of the
    day after ``hi``'s: a little more than asked, never less) and are made once per zone and
    days: every table, the report and its adherence section ask about the same days.
    """
    if lo is None or hi is None or hi < lo or hi - lo > _MAX_FIXED_SPAN:
        return None
    if lo.date() < dt.date.min + dt.timedelta(days=1) or hi.date() > dt.date.max - dt.timedelta(
        days=2
    ):
        return None  # (the probes would leave the calendar: the zone's own conversion then)
    return _fixed_offset_days(tz, lo.date(), hi.date())


@functools.lru_cache(maxsize=64)
def _fixed_offset_days(tz: str, first: dt.date, last: dt.date) -> dt.timedelta | None:
    """:func:`fixed_offset` from the day before ``first`` to the day after ``last``."""
    start = dt.datetime.combine(first, dt.time()) - dt.timedelta(days=1)
    end = dt.datetime.combine(last, dt.time()) + dt.timedelta(days=2)
    probes = pl.datetime_range(start, end, "15m", time_zone="UTC", eager=True)
    local = probes.dt.convert_time_zone(tz).dt.replace_time_zone(None)
    offsets = (local - probes.dt.replace_time_zone(None)).unique()
    return offsets[0] if offsets.len() == 1 else None
