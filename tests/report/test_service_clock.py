"""The quiet-hours clock by a fixed offset read from the times' microseconds by integer
division (session 20, sect9): bit for bit the clock of the local time's fields (the day of
its date, hour × 3600 + minute × 60 + second + microsecond × 1e-6), before 1970 too, at
each side of local midnight and of the quiet hours, for offsets of whole hours, half hours,
west of UTC and of seconds (a zone's local mean time)."""

from __future__ import annotations

import datetime as dt
import random

import polars as pl
import pytest

from sqops.report.service import DAY_S, _active_clock

_US = dt.timedelta(microseconds=1)


def _by_fields(ts: pl.Expr, quiet: tuple[int, int], offset: dt.timedelta) -> pl.Expr:
    """The clock as session 19 made it: the fields of the naive local time ``ts + offset``."""
    qs, qe = quiet
    local = ts.dt.replace_time_zone(None) + offset
    day = local.dt.date().cast(pl.Int32).cast(pl.Float64)
    sod = (
        local.dt.hour().cast(pl.Float64) * 3600
        + local.dt.minute().cast(pl.Float64) * 60
        + local.dt.second().cast(pl.Float64)
        + local.dt.microsecond().cast(pl.Float64) * (1 / 1e6)
    )
    if qs < qe:
        qlen, so_far = qe - qs, sod.clip(qs, qe) - qs
    else:
        qlen = DAY_S - qs + qe
        so_far = pl.min_horizontal(sod, pl.lit(float(qe))) + (sod - qs).clip(lower_bound=0)
    return day * (DAY_S - qlen) + (sod - so_far)


def _times(offset: dt.timedelta, quiet: tuple[int, int]) -> list[dt.datetime]:
    rnd = random.Random(20)
    lo = dt.datetime(1960, 1, 1)
    span = 70 * 365 * 86_400 * 10**6
    times = [lo + dt.timedelta(microseconds=rnd.randrange(span)) for _ in range(3000)]
    # (UTC times whose local time is a local midnight, a quiet hours' edge, or 1970-01-01
    # 00:00 local, and a microsecond either side)
    for day in (dt.datetime(1969, 12, 31), dt.datetime(1970, 1, 1), dt.datetime(2027, 1, 28)):
        for sec in (0, quiet[0], quiet[1], DAY_S - 1):
            at = day + dt.timedelta(seconds=sec) - offset
            times += [at - _US, at, at + _US]
    return times


@pytest.mark.parametrize(
    "offset",
    [
        dt.timedelta(hours=8),
        dt.timedelta(hours=5, minutes=30),
        dt.timedelta(hours=-3, minutes=-30),
        dt.timedelta(0),
        dt.timedelta(hours=8, minutes=5, seconds=43),
    ],
)
@pytest.mark.parametrize("quiet", [(22 * 3600, 8 * 3600), (9 * 3600, 12 * 3600 + 1800)])
def test_the_clock_by_integers_is_the_clock_by_fields(offset, quiet):
    df = pl.DataFrame({"ts": _times(offset, quiet)}).with_columns(
        pl.col("ts").dt.replace_time_zone("UTC")
    )
    got = df.select(
        _by_fields(pl.col("ts"), quiet, offset).alias("fields"),
        _active_clock(pl.col("ts"), "UTC", quiet, offset).alias("integers"),
    )
    assert got["fields"].to_list() == got["integers"].to_list()
    # (the differences the section counts: the same too, and a literal's clock)
    end = pl.lit(dt.datetime(2027, 1, 29, tzinfo=dt.UTC)).dt.cast_time_unit("us")
    waits = df.select(
        (_by_fields(end, quiet, offset) - _by_fields(pl.col("ts"), quiet, offset)).alias("a"),
        (
            _active_clock(end, "UTC", quiet, offset)
            - _active_clock(pl.col("ts"), "UTC", quiet, offset)
        ).alias("b"),
    )
    assert waits["a"].to_list() == waits["b"].to_list()
