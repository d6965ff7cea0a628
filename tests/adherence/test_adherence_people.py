"""Adherence per person (issue #21 item 8): the on-time rate of the items each person is
responsible for (``sqops.plan.responsible``: person:, else the group's vars.owner for owner
items, else the role's name). Counted by hand below."""

from __future__ import annotations

import json

from sqops.adherence import render_md, to_json
from sqops.sop.loader import parse_sop

SOP = """\
version: 1
community: {name: 测试社群, platform: wechat, timezone: Asia/Shanghai, launched_on: 2026-10-01}
roles:
  - {role: content, name: 小苏, members: [s1]}
  - {role: owner, name: 小林, members: [s2]}
cadence:
  daily:
    - {id: morning, time: "08:30", title: 早安, kind: activation, owner: content}
    - {id: noon, time: "12:00", title: 午间, kind: activation, owner: owner}
groups:
  - {id: g1, name: 一群}
  - {id: g2, name: 二群, vars: {owner: 阿强}}
"""


def _adh(h, lang="en"):
    loaded = parse_sop(SOP, "sop.yaml")
    posts = h.frame(
        "post_id, ts, group_id",
        [
            ("p1", "2026-10-01 08:31", "g1"),  # g1 morning, 1 min: on time
            ("p2", "2026-10-01 12:00", "g1"),  # g1 noon: on time
            ("p3", "2026-10-02 09:10", "g1"),  # g1 morning, 40 min > 30: late
            # g1 noon of 10-02: no post → missed
            ("p4", "2026-10-01 08:30", "g2"),  # g2 morning: on time (g2 noon of 10-01 missed)
            ("p5", "2026-10-02 08:30", "g2"),  # g2 morning: on time
            ("p6", "2026-10-02 12:05", "g2"),  # g2 noon, 5 min: on time
        ],
    )
    # a member message late on 10-02 in each group, so that every item of 10-02 is due
    messages = h.frame(
        "ts, group_id, member_id, msg_type",
        [("2026-10-02 23:00", "g1", "m1", "text"), ("2026-10-02 23:00", "g2", "m2", "text")],
    )
    return h.run(loaded, posts=posts, messages=messages, lang=lang)


def test_per_person_counts(h):
    adh = _adh(h)
    got = [
        (p.person, p.groups, p.planned, p.on_time, p.late, p.missed, p.on_time_rate)
        for p in adh.people
    ]
    # 小林: noon in g1 only (g2 names its owner): 10-01 on time, 10-02 missed → 1/2
    # 小苏: morning in g1 and g2: on time, late, on time, on time → 3/4
    # 阿强: noon in g2: 10-01 missed, 10-02 on time → 1/2
    assert got == [
        ("小林", 1, 2, 1, 0, 1, 0.5),
        ("小苏", 2, 4, 3, 1, 0, 0.75),
        ("阿强", 1, 2, 1, 0, 1, 0.5),
    ]
    # every planned item is someone's: the people add up to the fleet
    assert sum(p.planned for p in adh.people) == adh.fleet.counts.planned == 8


def test_per_person_in_json_and_markdown(h):
    adh = _adh(h)
    doc = json.loads(to_json(adh))
    assert doc["people"][1] == {
        "person": "小苏",
        "groups": 2,
        "planned": 4,
        "on_time": 3,
        "late": 1,
        "early": 0,
        "missed": 0,
        "not_checkable": 0,
        "on_time_rate": 0.75,
        "done_rate": 1.0,
    }
    assert list(doc)[-2:] == ["people", "groups"]  # groups stays the last member
    md = render_md(adh, "zh")
    assert "## 各负责人的执行率" in md
    assert "| 小苏 | 2 | 4 | 3 | 1 | 0 | 0 | 75.0% | 100.0% |" in md


def test_items_of_nobody(h):
    # the SOP of conftest: one item without an owner role and no vars.owner → nobody
    adh = h.run(
        posts=h.posts(("p1", "2026-10-01 08:30")),
        messages=h.msgs(("2026-10-01 23:00", "m1")),
    )
    ((person, planned, on_time),) = [(p.person, p.planned, p.on_time) for p in adh.people]
    assert (person, planned, on_time) == (None, 1, 1)
    assert "(nobody responsible)" in render_md(adh, "en")
