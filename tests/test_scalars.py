"""The scalar parsers (sqops.data.scalars) and their agreement with the vectorised one."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sqops.data import tables
from sqops.data.scalars import parse_date, parse_ts


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2026-10-01", dt.date(2026, 10, 1)),
        (" 2026/10/1 ", dt.date(2026, 10, 1)),
        ("2026.10.1", dt.date(2026, 10, 1)),
        ("2026年10月1日", dt.date(2026, 10, 1)),
        ("2026-02-30", None),
        ("26/10/1", None),
        ("next monday", None),
        ("", None),
    ],
)
def test_parse_date(text, day):
    assert parse_date(text) == day


_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M",
    "%Y/%-m/%-d %H:%M:%S",
    "%Y-%m-%d",
]
_OFFSETS = ["", "Z", "+08:00", "-05:30", "+0100"]


@settings(max_examples=150, deadline=None)
@given(
    when=st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2060, 12, 31)),
    fmt=st.sampled_from(_FORMATS),
    off=st.sampled_from(_OFFSETS),
    tz=st.sampled_from(["Asia/Shanghai", "Europe/London", "America/New_York"]),
)
def test_scalar_and_vectorised_parsers_agree(when, fmt, off, tz):
    """Every time format both accept gives the same instant (an importer's cell and a table's
    column must never disagree); see docs/report.md for the formats."""
    text = when.strftime(fmt) + ("" if fmt == "%Y-%m-%d" else off)
    scalar = parse_ts(text, ZoneInfo(tz))
    vector = pl.select(tables.parse_ts(pl.lit(text), tz)).item()
    assert scalar is not None and vector is not None, text
    assert scalar.astimezone(dt.UTC).replace(tzinfo=None) == vector.replace(tzinfo=None), text


@pytest.mark.parametrize("seconds", [1_767_225_600, 1_767_225_600_000])
def test_epochs_agree(seconds):
    text = str(seconds)
    scalar = parse_ts(text, ZoneInfo("Asia/Shanghai"))
    vector = pl.select(tables.parse_ts(pl.lit(text), "Asia/Shanghai")).item()
    assert scalar.astimezone(dt.UTC).replace(tzinfo=None) == vector.replace(tzinfo=None)


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2026-03-08 02:30:00", None),  # skipped: clocks jump 02:00 -> 03:00
        ("2026-11-01 01:30:00", dt.datetime(2026, 11, 1, 5, 30)),  # twice: the first one
    ],
)
def test_summer_time_changes_agree(text, utc):
    scalar = parse_ts(text, ZoneInfo("America/New_York"))
    vector = pl.select(tables.parse_ts(pl.lit(text), "America/New_York")).item()
    assert (None if scalar is None else scalar.astimezone(dt.UTC).replace(tzinfo=None)) == utc
    assert (None if vector is None else vector.replace(tzinfo=None)) == utc
