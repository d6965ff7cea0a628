"""The weekday x hour counts are made only when an output reads them (``Deferred``)."""

from __future__ import annotations

import datetime as dt
import pickle

from sqops.data.membership import deferred
from sqops.report import render
from sqops.report.kpis import lazy
from sqops.report.lists import heatmap

D = dt.date


def _run(h):
    # 2027-01-04 is a Monday: a speaks at 21:00 on Mon and Tue, b at 09:00 on Mon;
    # b's system message and the staff member s1's message are not counted
    msgs = h.frame(
        "ts, group_id, member_id, msg_type",
        [
            ("2027-01-04 21:00", "g1", "a", "text"),
            ("2027-01-05 21:30", "g1", "a", "text"),
            ("2027-01-04 09:15", "g1", "b", "text"),
            ("2027-01-04 09:20", "g1", "b", "system"),
            ("2027-01-04 10:00", "g1", "s1", "text"),
        ],
    )
    return h.run(D(2027, 1, 10), messages=msgs)


def test_json_report_does_not_make_heat(h):
    r = _run(h)
    render.to_json(r)  # (the KPIs, the sections and the JSON read no heat)
    assert deferred(r.prepared, "heat") is not None
    assert deferred(lazy(r.prepared), "heat") is not None  # the KPIs' lazy view passes it on


def test_heat_made_when_read_and_kept(h):
    r = _run(h)
    grid = heatmap(r.prepared)
    # by hand: Monday (0) 21:00 one, Tuesday (1) 21:00 one, Monday 09:00 one (b's system
    # message and s1's at 10:00 not counted)
    assert grid[0][21] == 1 and grid[1][21] == 1 and grid[0][9] == 1
    assert sum(map(sum, grid)) == 3
    assert deferred(r.prepared, "heat") is None  # made once, then kept
    assert r.prepared.heat is r.prepared.heat
    assert r.prepared.heat.columns == ["group_id", "weekday", "hour", "n"]


def test_pickled_deferred_is_the_frame_made(h):
    r = _run(h)
    later = deferred(r.prepared, "heat")
    assert later is not None
    back = pickle.loads(pickle.dumps(later))  # made on pickling: the file it read may be gone
    assert back.get()["n"].sum() == 3
    assert later.empty().schema == back.get().schema and later.empty().height == 0
