"""The scalar parsers (sqops.data.scalars) and their agreement with the vectorised one."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sqops.data import tables
from sqops.data.scalars import MAX_AMOUNT, MAX_YEAR, MIN_YEAR, parse_amount, parse_date, parse_ts


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


# ------------------------------------------------------------------ hostile values (#20)

_UNREADABLE_TIMES = [
    "2026-10-01 10:00:00+99:99",  # offset past ±14:00 and minutes past 59
    "2026-10-01T10:00:00+14:30",
    "2026-10-01 10:00:00-15:00",
    "2026-10-01 10:00:00+05:60",
    "26/10/1",  # two-digit year: never year 26
    "26/10/1 10:00",
    "0026-10-01 10:00:00",
    "-2026-10-01 10:00:00",  # a signed year
    "9999-12-31 23:00:00-05:00",  # past the calendar's end in UTC
    "9999-12-31",
    "0001-01-01 00:30:00+08:00",  # before its start
    "¹⁷⁹⁰⁸²⁰⁰⁰⁰",  # superscript digits: str.isdigit() says yes, float() raises
    "１７９０８２００００",  # fullwidth digits: float() reads them
    "２０２６-10-01 10:00",
    "2026-10-01 10:00:00+０８:００",  # a fullwidth offset was read as UTC
]


@pytest.mark.parametrize("text", _UNREADABLE_TIMES)
def test_hostile_times_are_unreadable_in_both_parsers(text):
    assert parse_ts(text, ZoneInfo("Asia/Shanghai")) is None
    assert pl.select(tables.parse_ts(pl.lit(text), "Asia/Shanghai")).item() is None


@pytest.mark.parametrize("text", ["9999-12-31", "9999-12-25", "0999-01-01", "-2026-01-01"])
def test_dates_outside_the_years_are_not_dates(text):
    """(``--as-of 9999-12-31`` and ``plan --start 9999-12-25`` are then a usage error.)"""
    assert parse_date(text) is None


_BAD_AMOUNTS = ["inf", "Infinity", "-inf", "1e999", "NaN", "nan", "12345678901234567890", "１２"]


@pytest.mark.parametrize("text", _BAD_AMOUNTS)
def test_hostile_amounts_are_bad_in_both_parsers(text):
    assert parse_amount(text) is None
    assert pl.select(tables.bad_amount(tables._amount(pl.lit(text)))).item() is True


def _vector_amount(text: str) -> float | None:
    value, bad = pl.select(
        a := tables._amount(pl.lit(text, pl.String)), tables.bad_amount(a).alias("bad")
    ).row(0)
    return None if bad else value


@settings(max_examples=300, deadline=None)
@given(
    text=st.one_of(
        st.from_regex(r"\A[-+]?[0-9]{0,22}(\.[0-9]{0,4})?([eE][-+]?[0-9]{1,4})?\Z"),
        st.sampled_from(_BAD_AMOUNTS + ["1e5", ".5", "5.", "-0", "¥1,299.00", "$ 12"]),
        st.floats().map(repr),
        st.text(alphabet="0123456789.eE+-infaINFA¹２", max_size=12),
    )
)
def test_amount_parsers_agree(text):
    """The scalar amount parser and the vectorised cast accept the same cells, with the same
    value; never inf, NaN or a trillion and more."""
    scalar, vector = parse_amount(text), _vector_amount(text)
    assert scalar == vector, text
    if scalar is not None:
        assert abs(scalar) < MAX_AMOUNT


@settings(max_examples=300, deadline=None)
@given(
    when=st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30)),
    fmt=st.sampled_from(_FORMATS),
    sign=st.sampled_from("+-"),
    hh=st.integers(0, 99),
    mm=st.integers(0, 99),
    colon=st.booleans(),
)
def test_parsers_agree_over_all_years_and_offsets(when, fmt, sign, hh, mm, colon):
    """Over the calendar's whole range and every two-digit offset, the two parsers read the
    same instant or both refuse; what they read is within MIN_YEAR..MAX_YEAR and ±14:00.
    (Naive times in UTC: zones' rules far from today are the zone data's business.)"""
    tz = "UTC"
    off = f"{sign}{hh:02d}{':' if colon else ''}{mm:02d}"
    text = f"{when.year:04d}" + when.strftime(fmt)[4:] + ("" if fmt == "%Y-%m-%d" else off)
    scalar = parse_ts(text, ZoneInfo(tz))
    vector = pl.select(tables.parse_ts(pl.lit(text), tz)).item()
    if scalar is None or vector is None:
        assert scalar is None and vector is None, text
        return
    assert scalar.astimezone(dt.UTC).replace(tzinfo=None) == vector.replace(tzinfo=None), text
    assert MIN_YEAR <= when.year <= MAX_YEAR, text
    if fmt != "%Y-%m-%d":
        assert hh * 60 + mm <= 14 * 60 and mm < 60, text


def test_hostile_values_are_rejected_rows_not_tracebacks(tmp_path):
    """A report's tables: each hostile amount is a bad_amount row, each hostile time a
    bad_time row (named in the data quality), the good rows read."""
    good = "2026-10-01 10:00:00"
    rows = [(good, a) for a in _BAD_AMOUNTS] + [(t, "10") for t in _UNREADABLE_TIMES]
    rows.append((good, "12.50"))
    (tmp_path / "messages.csv").write_text(
        f"msg_id,ts,member_id,group_id\n1,{good},u1,g1\n", encoding="utf-8"
    )
    body = "".join(f'o{i},"{t}",u1,{a},g1\n' for i, (t, a) in enumerate(rows))
    (tmp_path / "orders.csv").write_text(
        "order_id,ts,member_id,amount,group_id\n" + body, encoding="utf-8"
    )
    orders = tables.read_tables(tmp_path)["orders"]
    assert orders.reject_counts == {
        "bad_amount": len(_BAD_AMOUNTS),
        "bad_time": len(_UNREADABLE_TIMES),
    }
    assert orders.frame.collect()["amount"].to_list() == [12.5]


def test_typed_times_outside_the_years_are_rejected_rows(tmp_path):
    """Parquet's own datetimes: a year 9999 or -2026 is a bad_time row, not a traceback."""
    times = [dt.datetime(2026, 10, 1), dt.datetime(9999, 12, 31, 23), dt.datetime(1, 1, 1)]
    frame = pl.DataFrame({"msg_id": ["1", "2", "3"], "ts": times, "member_id": "u1"})
    frame = frame.with_columns(group_id=pl.lit("g1"))
    negative = frame.head(1).with_columns(  # a year only polars can hold
        msg_id=pl.lit("4"), ts=pl.col("ts").dt.offset_by("-4052y")
    )
    frame.vstack(negative).write_parquet(tmp_path / "messages.parquet")
    messages = tables.read_tables(tmp_path)["messages"]
    assert messages.reject_counts == {"bad_time": 3}


def test_offset_formats_and_aware_times_are_bounded_too(tmp_path):
    """The sampled fast format with an offset and aware Parquet times keep the same bounds."""
    (tmp_path / "messages.csv").write_text(
        "msg_id,ts,member_id,group_id\n"
        "1,2026-10-01T10:00:00+0800,u1,g1\n"
        "2,2026-10-01T10:00:00+1430,u1,g1\n"
        "3,9999-12-31T23:00:00-0500,u1,g1\n"
        "4,2026-10-01T10:00:00+08:00,u1,g1\n",
        encoding="utf-8",
    )
    assert tables.read_tables(tmp_path)["messages"].reject_counts == {"bad_time": 2}
    (tmp_path / "messages.csv").unlink()
    times = [dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.datetime(9999, 12, 31, 23, tzinfo=dt.UTC)]
    pl.DataFrame(
        {"msg_id": ["1", "2"], "ts": times, "member_id": "u1", "group_id": "g1"}
    ).write_parquet(tmp_path / "messages.parquet")
    assert tables.read_tables(tmp_path)["messages"].reject_counts == {"bad_time": 1}


def test_a_local_mean_time_offset_is_written_in_utc_and_read_back():
    # Shanghai before 1901 is local mean time, +08:05:43: no table reader takes an offset
    # with seconds, and the report rejected every such row ("no valid row") without a reason
    import datetime as dt
    from zoneinfo import ZoneInfo

    import polars as pl

    from sqops.data.scalars import ts_text
    from sqops.data.tables import parse_ts

    old = dt.datetime(1890, 1, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert ts_text(old) == "1890-01-01T01:54:17Z"  # 10:00 − 8:05:43
    new = dt.datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert ts_text(new) == "2026-12-01T10:00:00+08:00"
    got = pl.select(parse_ts(pl.lit(ts_text(old)), "Asia/Shanghai")).item()
    assert got == old.astimezone(dt.UTC)


def test_an_old_qq_line_reaches_the_report(tmp_path):
    from sqops.importers import import_files
    from sqops.report import build_report

    text = (
        "消息记录（此消息记录为文本格式，不支持重新导入）\n\n"
        + "=" * 64 + "\n消息分组:我的QQ群\n" + "=" * 64 + "\n消息对象:老照片群\n" + "=" * 64 + "\n\n"
        "1890-01-01 10:00:00 小林(10001)\n大家好\n\n"
        "1890-01-02 11:00:00 阿青(10002)\n你好\n\n"
    )  # fmt: skip
    path = tmp_path / "qq.txt"
    path.write_text(text, encoding="utf-8")
    result = import_files("qq", [path], tz="Asia/Shanghai")
    rep = build_report(result.tables)
    assert rep.data_quality["tables"][0]["valid"] == 2
    assert str(rep.as_of) == "1890-01-02"  # local days kept
