"""Data coverage (spec §3) on small hand-built tables; the gaps counted by hand.

g1 (D0 = 2026-12-01, as-of 2026-12-20): messages on 12-01, 12-02, 12-05, 12-09, 12-10 (staff
only), 12-11 (a system message only), 12-12; a member event on 12-20; a message on 12-25 is
after as-of. Days without any message inside 12-01..12-20:
- 12-03..12-04: 2 days → not a gap;
- 12-06..12-08: 3 days → a gap; it straddles the launch window's end (12-07);
- 12-13..12-20: 8 days at the end of the span (member events go on, messages stop) → a gap.
g2: one message on one day. g3: member events only, 12-01 and 12-10 → the whole span is a gap.
"""

from __future__ import annotations

import datetime as dt
import json

from sqops.report.coverage import Coverage
from sqops.report.render import to_json, to_markdown

D = dt.date
AS_OF = D(2026, 12, 20)


def _tables(h):
    messages = h.frame("ts, group_id, member_id, msg_type", [
        ("2026-12-01 10:00", "g1", "a", "text"),
        ("2026-12-02 10:00", "g1", "a", "text"),
        ("2026-12-05 10:00", "g1", "a", "text"),
        ("2026-12-09 10:00", "g1", "a", "text"),
        ("2026-12-10 10:00", "g1", "s1", "text"),    # staff only: still a message
        ("2026-12-11 10:00", "g1", "a", "system"),   # system only: still a message
        ("2026-12-12 10:00", "g1", "a", "text"),
        ("2026-12-25 10:00", "g1", "a", "text"),     # after as-of: left out
        ("2026-12-05 23:00", "g2", "b", "text"),
    ])  # fmt: skip
    members = h.frame("ts, group_id, member_id, event", [
        ("2026-12-01 09:00", "g1", "a", "join"),
        ("2026-12-20 09:00", "g1", "c", "join"),
        ("2026-12-01 09:00", "g3", "x", "join"),
        ("2026-12-10 09:00", "g3", "y", "join"),
    ])  # fmt: skip
    return {"messages": messages, "members": members}


def test_coverage_gaps_by_hand(h):
    r = h.run(AS_OF, **_tables(h))
    assert r.coverage == {
        "g1": Coverage(D(2026, 12, 1), D(2026, 12, 20), [
            (D(2026, 12, 6), D(2026, 12, 8)),
            (D(2026, 12, 13), D(2026, 12, 20)),
        ]),
        # one day of data: first = last, nothing between
        "g2": Coverage(D(2026, 12, 5), D(2026, 12, 5), []),
        # no message at all in 12-01..12-10
        "g3": Coverage(D(2026, 12, 1), D(2026, 12, 10), [(D(2026, 12, 1), D(2026, 12, 10))]),
    }  # fmt: skip
    doc = json.loads(to_json(r))["data_quality"]["coverage"]
    assert doc["g1"] == {
        "first_day": "2026-12-01",
        "last_day": "2026-12-20",
        "gaps": [["2026-12-06", "2026-12-08"], ["2026-12-13", "2026-12-20"]],
    }
    assert doc["g2"] == {"first_day": "2026-12-05", "last_day": "2026-12-05", "gaps": []}


def test_a_gap_of_exactly_two_days_is_not_one_three_is(h):
    def gaps(days):
        rows = [(f"2026-12-{d:02d} 10:00", "g1", "a") for d in days]
        r = h.run(D(2026, 12, 20), messages=h.frame("ts, group_id, member_id", rows))
        return r.coverage["g1"].gaps

    assert gaps([1, 4]) == []  # 12-02, 12-03 silent: 2 days
    assert gaps([1, 5]) == [(D(2026, 12, 2), D(2026, 12, 4))]  # 3 days
    # the span ends at the last row (12-05), not at as-of: nothing after it is a gap
    assert gaps([1, 2, 3, 4, 5]) == []


def test_kpis_carry_the_gaps_overlapping_their_stage_window(h):
    r = h.run(AS_OF, **_tables(h))
    g1 = next(g for g in r.groups if g.group_id == "g1")
    gap1 = (D(2026, 12, 6), D(2026, 12, 8))
    gap2 = (D(2026, 12, 13), D(2026, 12, 20))
    # launch 12-01..12-07: the first gap is partly inside (12-06, 12-07) → shown whole
    assert g1.stage("launch").window == (D(2026, 12, 1), D(2026, 12, 7))
    assert all(k.gaps == [gap1] for k in g1.stage("launch").kpis)
    # activation 12-08..12-20 (as-of): 12-08 of the first gap, and the second
    assert all(k.gaps == [gap1, gap2] for k in g1.stage("activation").kpis)
    assert all(k.gaps == [gap1, gap2] for k in g1.stage("propagation").kpis)
    # monetisation not started: nothing to mark
    assert all(k.gaps == [] for k in g1.stage("monetisation").kpis)
    # g2 has no gap; the fleet's KPIs never carry one
    assert all(k.gaps == [] for s in r.groups[1].stages for k in s.kpis)
    assert all(k.gaps == [] for k in r.fleet)
    doc = json.loads(to_json(r))
    launch = doc["groups"][0]["stages"][0]
    assert launch["kpis"][0]["gaps"] == [["2026-12-06", "2026-12-08"]]
    assert "gaps" not in doc["groups"][1]["stages"][0]["kpis"][0]  # absent when none
    assert "gaps" not in doc["fleet"]["kpis"][0]


def test_gaps_shown_in_markdown_terminal_and_html(h):
    from sqops.render.console import Console
    from sqops.report.html import to_html
    from sqops.report.render import print_terminal

    r = h.run(AS_OF, **_tables(h))
    text = to_markdown(r)
    assert "⚠ no messages 2026-12-06..2026-12-08 (export missing?)" in text
    assert "### Data coverage" in text
    assert (
        "| g1 | 2026-12-01 | 2026-12-20 | 2026-12-06..2026-12-08, 2026-12-13..2026-12-20 |" in text
    )
    assert "| g2 | 2026-12-05 | 2026-12-05 | none |" in text
    page = to_html(r)
    assert (
        '<small class="st st-warn gap">⚠ no messages 2026-12-06..2026-12-08 (export missing?)'
        in page
    )
    assert "<td>2026-12-06..2026-12-08, 2026-12-13..2026-12-20</td>" in page
    con = Console(record=True, width=200)
    print_terminal(r, con)
    out = con.export_text()
    assert "⚠ no messages 2026-12-06..2026-12-08 (export missing?); ⚠ no messages" in out
    assert "Group g3: ⚠ no messages 2026-12-01..2026-12-10 (export missing?)" in out
    r.lang = "zh"
    assert "⚠ 2026-12-06..2026-12-08 无消息（导出缺失？）" in to_markdown(r)
