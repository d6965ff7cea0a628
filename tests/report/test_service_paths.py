"""The service section's faster paths and their fallbacks (session 19): the quiet-hours clock
by the zone's one offset (and by its rules where it has none), replies matched to integer
message ids (and to text ids), the medians of presorted minutes.

Every expected number is counted by hand from the tables below (local times as written).
"""

from __future__ import annotations

import datetime as dt
import random

import polars as pl
import pytest

from sqops.data.offsets import fixed_offset
from sqops.report.build import Settings, build_report
from sqops.report.service import _active_clock

from .conftest import frame

COLS = "msg_id, ts, group_id, member_id, member_name, msg_type, content, reply_to"


def _service(
    rows, *, tz="Asia/Shanghai", as_of, quiet=(dt.time(22), dt.time(8)), sla=1.0, ids=None
):
    messages = frame(COLS, rows)
    if ids is not None:  # (a typed source: msg_id read as integers)
        messages = messages.with_columns(pl.col("msg_id").cast(ids))
    settings = Settings(staff_ids=frozenset({"s1"}), quiet_hours=quiet, sla_hours=sla, tz=tz)
    rep = build_report({"messages": messages}, settings=settings, as_of=as_of)
    assert rep.service is not None and rep.service.available
    return rep.service


@pytest.mark.parametrize("tz", ["Asia/Shanghai", "Asia/Kolkata", "UTC"])
@pytest.mark.parametrize("quiet", [(22 * 3600, 8 * 3600), (9 * 3600, 12 * 3600 + 1800)])
def test_the_clock_by_a_fixed_offset_is_the_zones_clock(tz, quiet):
    # every field of the local time made by the offset is the zone's: the same seconds, bit
    # for bit, on random times over three years (microseconds too)
    rnd = random.Random(19)
    lo = dt.datetime(2025, 1, 1)
    times = [
        lo + dt.timedelta(microseconds=rnd.randrange(0, 3 * 365 * 86_400 * 10**6))
        for _ in range(3000)
    ]
    off = fixed_offset(tz, lo - dt.timedelta(days=1), lo + dt.timedelta(days=3 * 366))
    assert off is not None
    df = pl.DataFrame({"ts": times}).with_columns(pl.col("ts").dt.replace_time_zone("UTC"))
    got = df.select(
        _active_clock(pl.col("ts"), tz, quiet).alias("zone"),
        _active_clock(pl.col("ts"), tz, quiet, off).alias("offset"),
    )
    assert got["zone"].to_list() == got["offset"].to_list()


def test_a_zone_without_one_offset_keeps_its_rules_across_a_clock_change():
    # New York moves its clocks on 2026-03-08 at 02:00 (EST -5 → EDT -4): no fixed offset
    # over the window, so the zone's rules count. Quiet 22:00-08:00, SLA 1 h.
    # q1 asked 2026-03-07 21:30 EST, answered 2026-03-08 08:45 EDT: 30 min before the quiet
    # hours + 45 min after = 75 min (late). By EST's offset throughout the answer would read
    # 07:45, inside the quiet hours: 30 min (in time) — what a wrong offset would count.
    # q2 asked 2026-03-09 10:00 EDT, answered 10:20: 20 min (in time).
    rows = [
        ("1", "2026-03-08 02:30:00", "g1", "m1", "一", "text", "在吗?", None),  # 21:30 EST
        ("2", "2026-03-08 12:45:00", "g1", "s1", "客服", "text", "在", None),  # 08:45 EDT
        ("3", "2026-03-09 14:00:00", "g1", "m2", "二", "text", "价格?", None),  # 10:00 EDT
        ("4", "2026-03-09 14:20:00", "g1", "s1", "客服", "text", "99", None),  # 10:20 EDT
    ]
    rows = [(*r[:1], r[1] + "Z", *r[2:]) for r in rows]  # (UTC times)
    assert (
        fixed_offset("America/New_York", dt.datetime(2026, 2, 8), dt.datetime(2026, 3, 10)) is None
    )
    svc = _service(rows, tz="America/New_York", as_of=dt.date(2026, 3, 9))
    g = svc.groups["g1"]
    assert (g.questions, g.answered, g.answered_in_time, g.pending) == (2, 2, 1, 0)
    assert g.median_response_minutes == (75 + 20) / 2


# a staff message with id 7 in g1, one with id 70 in g2; member replies without a question
# mark in g1 on 2026-12-08 (Asia/Shanghai): only a reply whose text is an id's text is one
REPLIES = [
    ("7", "2026-12-08 09:00:00", "g1", "s1", "客服", "text", "公告", None),
    ("70", "2026-12-08 09:00:00", "g2", "s1", "客服", "text", "公告", None),
    ("101", "2026-12-08 10:00:00", "g1", "m1", "一", "text", "好", "7"),  # a question
    ("102", "2026-12-08 10:01:00", "g1", "m2", "二", "text", "好", "07"),  # no: not "7"
    ("103", "2026-12-08 10:02:00", "g1", "m3", "三", "text", "好", "+7"),  # no
    ("104", "2026-12-08 10:03:00", "g1", "m4", "四", "text", "好", "7.0"),  # no
    ("105", "2026-12-08 10:04:00", "g1", "m5", "五", "text", "好", "70"),  # no: g2's id
    ("106", "2026-12-08 10:05:00", "g1", "m6", "六", "text", "好", "101"),  # no: a member's
    ("107", "2026-12-08 10:06:00", "g1", "m7", "七", "text", "好", "99999999999999999999"),
    ("108", "2026-12-08 10:07:00", "g1", "m8", "八", "text", "好", "-7"),  # no
    ("109", "2026-12-08 10:10:00", "g1", "m9", "九", "text", "好?", "07"),  # a question: ?
    ("110", "2026-12-08 10:30:00", "g1", "s1", "客服", "text", "在", None),  # the answer
]


@pytest.mark.parametrize("ids", [None, pl.Int64, pl.UInt32])
def test_replies_match_an_ids_text_whatever_the_ids_type(ids):
    # by hand: 101 (reply to 7) and 109 (a question mark) are g1's questions, answered at
    # 10:30 — after 30 and 20 minutes; the other replies name no staff id of g1 as its text
    svc = _service(REPLIES, as_of=dt.date(2026, 12, 10), ids=ids)
    g = svc.groups["g1"]
    assert (g.questions, g.answered, g.answered_in_time) == (2, 2, 2)
    assert g.median_response_minutes == 25
    assert svc.groups["g2"].questions == 0


def test_integer_ids_are_kept_as_integers_by_reading():
    # (the typed path above is the one taken: the messages' msg_id stays an integer)
    from sqops.data.tables import prepare_tables

    messages = frame(COLS, REPLIES).with_columns(pl.col("msg_id").cast(pl.Int64))
    t = prepare_tables({"messages": messages}, tz="Asia/Shanghai")
    assert t["messages"].frame.collect_schema()["msg_id"] == pl.Int64


def test_medians_of_odd_and_even_counts_from_unsorted_minutes():
    # answered in 50, 10, 30 minutes (g1: median 30) and 40, 20 (g2: median 30 = (20 + 40) / 2);
    # the fleet's of 10, 20, 30, 40, 50: 30; the minutes come in no sorted order
    rows = [
        ("1", "2026-12-08 10:00:00", "g1", "m1", "一", "text", "?", None),
        ("2", "2026-12-08 10:50:00", "g1", "s1", "客服", "text", "a", None),  # 50
        ("3", "2026-12-08 11:00:00", "g1", "m2", "二", "text", "?", None),
        ("4", "2026-12-08 11:10:00", "g1", "s1", "客服", "text", "a", None),  # 10
        ("5", "2026-12-08 12:00:00", "g1", "m3", "三", "text", "?", None),
        ("6", "2026-12-08 12:30:00", "g1", "s1", "客服", "text", "a", None),  # 30
        ("7", "2026-12-08 10:00:00", "g2", "m4", "四", "text", "?", None),
        ("8", "2026-12-08 10:40:00", "g2", "s1", "客服", "text", "a", None),  # 40
        ("9", "2026-12-08 11:00:00", "g2", "m5", "五", "text", "?", None),
        ("10", "2026-12-08 11:20:00", "g2", "s1", "客服", "text", "a", None),  # 20
    ]
    svc = _service(rows, as_of=dt.date(2026, 12, 10), sla=24.0)
    assert svc.groups["g1"].median_response_minutes == 30
    assert svc.groups["g2"].median_response_minutes == 30
    assert svc.fleet is not None and svc.fleet.median_response_minutes == 30
    assert [(s.member_id, s.answered, s.median_response_minutes) for s in svc.staff] == [
        ("s1", 5, 30)
    ]
