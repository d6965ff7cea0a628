"""Times at the calendar's ends (years 1 and 9999): read or refused with their line, never a
traceback. The zone's fixed offset is probed a day before and two days after the times; past
9999-12-29 (or before 0001-01-02) the probes would leave the calendar, so no fixed offset is
claimed there and the zone's own conversion is used."""

from __future__ import annotations

import datetime as dt

import polars as pl

from sqops.data.tables import fixed_offset


def test_fixed_offset_stops_at_the_calendar_ends():
    # 9999-12-29: its probes end on 9999-12-31 (inside the calendar): the zone's one offset
    assert fixed_offset("UTC", dt.datetime(9999, 12, 29), dt.datetime(9999, 12, 29, 23)) == (
        dt.timedelta(0)
    )
    assert fixed_offset("Asia/Shanghai", dt.datetime(9999, 12, 29), dt.datetime(9999, 12, 29)) == (
        dt.timedelta(hours=8)
    )
    # a day later the probes would reach 10000-01-01: none claimed (was an OverflowError)
    assert (
        fixed_offset("Asia/Shanghai", dt.datetime(9999, 12, 30), dt.datetime(9999, 12, 30)) is None
    )
    assert fixed_offset("UTC", dt.datetime(9999, 12, 31, 23), dt.datetime(9999, 12, 31, 23)) is None
    # the first day: the probes would start on the day before 0001-01-01 (an OverflowError)
    assert fixed_offset("UTC", dt.datetime(1, 1, 1), dt.datetime(1, 1, 3)) is None
    assert fixed_offset("UTC", dt.datetime(1, 1, 2), dt.datetime(1, 1, 3)) == dt.timedelta(0)


def test_iso_stamps_in_the_year_9999_are_odd_rows_not_a_traceback():
    from sqops.importers import _jsonvec as vec

    frame = pl.DataFrame({"when": ["9999-12-30T00:00:00"], "_odd": [False]})
    got = vec.with_iso_stamp(frame, "when", "Asia/Shanghai")
    # past 9998 the row goes to the per-item code (which refuses it with its line)
    assert got["_odd"].to_list() == [True]


def test_discord_csv_dated_9999_is_refused_with_its_line(cli, tmp_path):
    src = tmp_path / "discord.csv"
    src.write_text(
        "AuthorID,Author,Date,Content,Attachments,Reactions\n2,bo,9999-12-30T00:00:00,late,,\n",
        encoding="utf-8",
    )
    res = cli("import", "discord", src, "-o", tmp_path / "out", "--lang", "en")
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    assert f"{src.as_posix()}:2: error: cannot read the time '9999-12-30T00:00:00'" in res.stderr
