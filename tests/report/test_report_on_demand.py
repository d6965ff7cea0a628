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


# ------------------------------------------------------------ member actions beside the sections
def _actions_report(h, beside):
    from sqops.report.build import Settings, build_report

    msgs = [("2027-01-09 10:00", "g1", "a")]
    mem = [
        ("2026-12-01 09:00", "g1", "old", "join"),  # never spoke: silent 40 days → recall
        ("2027-01-05 09:00", "g1", "n", "join"),  # joined as-of − 5, never spoke → welcome
        ("2026-12-20 09:00", "g1", "a", "join"),  # spoke the day before → none
    ]
    settings = Settings(staff_ids=frozenset({"s1"}), day0={"g1": D(2026, 12, 1)})
    tables = {
        "messages": h.frame("ts, group_id, member_id", msgs),
        "members": h.frame("ts, group_id, member_id, event", mem),
    }
    return build_report(tables, settings=settings, as_of=D(2027, 1, 10), actions_beside=beside)


def test_actions_made_beside_the_sections_are_the_same(h):
    r = _actions_report(h, True)
    assert "actions" in r.__dict__  # given by the thread, before any output asked
    want = {"koc_care": 0, "win_back": 0, "recall": 1, "coupon_reminder": 0}
    want |= {"welcome_follow_up": 1, "none": 1}
    assert r.to_dict()["actions"] == {"fleet": want, "counts": {"g1": want}}
    assert r.to_dict()["actions"] == _actions_report(h, False).to_dict()["actions"]
    assert "actions" not in _actions_report(h, False).__dict__  # (made when asked)


def test_an_error_beside_is_raised_when_the_actions_are_asked_for(h, monkeypatch):
    import pytest

    from sqops.report import actions

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(actions, "action_table", broken)
    r = _actions_report(h, True)  # (the thread's error is not raised by the report)
    assert "actions" not in r.__dict__
    with pytest.raises(RuntimeError, match="boom"):
        r.to_dict()


def test_the_whole_report_is_the_same_with_the_actions_beside(h):
    import orjson

    one, two = _actions_report(h, True), _actions_report(h, False)
    assert orjson.dumps(one.to_dict()) == orjson.dumps(two.to_dict())
    assert one.coverage["g1"].first_day == D(2026, 12, 1)  # (the first join)


def test_the_thread_beside_has_ended_when_the_report_fails(h, monkeypatch):
    # a section fails while the actions are still being made: the report's error is raised
    # only once the thread has ended (the command line then removes the tables' folders,
    # which no thread may still read)
    import threading
    import time

    import pytest

    from sqops.report import actions, build

    real = actions.action_table

    def slow(*args, **kwargs):
        time.sleep(0.3)
        return real(*args, **kwargs)

    def broken(*args, **kwargs):
        raise RuntimeError("coverage failed")

    monkeypatch.setattr(actions, "action_table", slow)
    monkeypatch.setattr(build, "build_coverage", broken)
    with pytest.raises(RuntimeError, match="coverage failed"):
        _actions_report(h, True)
    assert not [t for t in threading.enumerate() if t.name == "sqops-actions"]
