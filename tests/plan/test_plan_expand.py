"""Cadence expansion: hand-computed dates, counts, lifecycle days, stages, ids."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter

import pytest

from sqops.errors import SopError, UsageError
from sqops.plan import GroupInfo, build_plan, default_start, expand, item_ids

D = dt.date

CADENCE = """\
cadence:
  daily:
    - {id: am, time: "09:00", title: 早安, kind: activation, owner: content}
  weekly:
    - {id: wed, weekday: wed, time: "19:30", title: 周三秒杀, kind: conversion, owner: events}
  monthly:
    - {id: m31, day: 31, time: "10:00", title: 三十一号, kind: brand, owner: owner}
    - {id: last, day: last, time: "21:00", title: 月度复盘, kind: review, owner: owner}
  lifecycle:
    - {id: welcome, day: 1, time: "09:30", title: 欢迎, owner: admin}
    - {id: d3, day: 3, time: "20:30", title: 第一次话题, owner: content}
    - {id: d40, day: 40, time: "10:30", title: 第四十天, owner: content}
  campaigns:
    - {id: sale, date: 2026-11-11, time: "10:00", title: 双十一, owner: events, countdown_days: 3, countdown_time: "12:00"}
"""


@pytest.fixture
def loaded(load):
    return load(CADENCE)


def _occ(plan, **match):
    return [
        o
        for g in plan.groups
        for o in g.occurrences
        if all(getattr(o, k) == v for k, v in match.items())
    ]


def test_counts_over_two_months(loaded):
    plan = expand(loaded, start=D(2026, 10, 1), days=61, lang="zh")
    occs = plan.groups[0].occurrences
    by_item = Counter(o.item_id for o in occs)
    # 61 days; Wednesdays Oct 7,14,21,28 + Nov 4,11,18,25; the 31st: Oct 31 + Nov 30 (moved)
    assert by_item == {
        "am": 61, "wed": 8, "m31": 2, "last": 2, "welcome": 1, "d3": 1, "d40": 1,
        "sale": 1, "sale-cd3": 1, "sale-cd2": 1, "sale-cd1": 1,
    }  # fmt: skip
    assert len(occs) == 80
    assert [o.date for o in occs] == sorted(o.date for o in occs)


def test_lifecycle_days_and_stage(loaded):
    plan = expand(loaded, start=D(2026, 10, 1), days=61, lang="zh")
    (welcome,) = _occ(plan, item_id="welcome")
    (d3,) = _occ(plan, item_id="d3")
    (d40,) = _occ(plan, item_id="d40")
    assert (welcome.date, welcome.lifecycle_day, welcome.day_index, welcome.stage) == (
        D(2026, 10, 1),
        1,
        0,
        "launch",
    )
    assert (d3.date, d3.lifecycle_day) == (D(2026, 10, 3), 3)
    assert (d40.date, d40.lifecycle_day, d40.stage) == (D(2026, 11, 9), 40, "monetisation")
    am = {o.date: o for o in _occ(plan, item_id="am")}
    assert am[D(2026, 10, 7)].stage == "launch"  # day index 6
    assert am[D(2026, 10, 8)].stage == "activation"  # day index 7
    assert am[D(2026, 10, 30)].stage == "activation"  # day index 29
    assert am[D(2026, 10, 31)].stage == "monetisation"  # day index 30
    assert am[D(2026, 11, 30)].lifecycle_day == 61


def test_retention_stage_from_day_index_90(loaded):
    plan = expand(loaded, start=D(2026, 12, 29), days=3, lang="zh")
    am = {o.date: o for o in _occ(plan, item_id="am")}
    # 2026-10-01 + 89 days = 2026-12-29
    assert am[D(2026, 12, 29)].day_index == 89
    assert am[D(2026, 12, 29)].stage == "monetisation"
    assert am[D(2026, 12, 30)].stage == "retention"


def test_day_31_in_a_30_day_month_is_moved_and_said(loaded):
    plan = expand(loaded, start=D(2026, 11, 1), days=30, lang="en")
    (m31,) = _occ(plan, item_id="m31")
    assert m31.date == D(2026, 11, 30)
    assert len(m31.notes) == 1
    assert "month 11 has 30 days" in m31.notes[0].en
    assert "11 月只有 30 天" in m31.notes[0].zh
    (last,) = _occ(plan, item_id="last")
    assert last.date == D(2026, 11, 30) and last.notes == []


def test_day_29_30_31_in_february(load):
    loaded = load(
        """\
        cadence:
          monthly:
            - {id: d29, day: 29, time: "10:00", title: 二十九}
            - {id: d30, day: 30, time: "11:00", title: 三十}
            - {id: d31, day: 31, time: "12:00", title: 三十一}
            - {id: last, day: last, time: "21:00", title: 月末}
        """
    )
    plan = expand(loaded, start=D(2027, 2, 1), days=28, lang="zh")  # 2027 is not a leap year
    got = {o.item_id: o.date for o in plan.groups[0].occurrences}
    assert got == {
        "d29": D(2027, 2, 28),
        "d30": D(2027, 2, 28),
        "d31": D(2027, 2, 28),
        "last": D(2027, 2, 28),
    }
    leap = expand(loaded, start=D(2028, 2, 1), days=29, lang="zh")
    got = {
        o.item_id: (o.date, len(o.notes) > 0)
        for o in leap.groups[0].occurrences
        if o.item_id != "last"
    }
    assert got["d29"][0] == D(2028, 2, 29)
    assert got["d30"][0] == D(2028, 2, 29)
    assert got["d31"][0] == D(2028, 2, 29)


def test_countdown_items(loaded):
    zh = expand(loaded, start=D(2026, 11, 1), days=30, lang="zh")
    cds = sorted(_occ(zh, source="countdown"), key=lambda o: o.date)
    assert [(o.date, o.time, o.countdown, o.title) for o in cds] == [
        (D(2026, 11, 8), dt.time(12), 3, "距双十一还有 3 天"),
        (D(2026, 11, 9), dt.time(12), 2, "距双十一还有 2 天"),
        (D(2026, 11, 10), dt.time(12), 1, "距双十一还有 1 天"),
    ]
    en = expand(loaded, start=D(2026, 11, 1), days=30, lang="en")
    titles = [o.title for o in sorted(_occ(en, source="countdown"), key=lambda o: o.date)]
    assert titles == ["双十一 · 3 days left", "双十一 · 2 days left", "双十一 · 1 day left"]
    (camp,) = _occ(en, source="campaign")
    assert (camp.date, camp.time, camp.campaign_id) == (D(2026, 11, 11), dt.time(10), "sale")


def test_countdown_cut_by_window(loaded):
    plan = expand(loaded, start=D(2026, 11, 9), days=2, lang="zh")
    assert sorted(o.item_id for o in _occ(plan, campaign_id="sale")) == ["sale-cd1", "sale-cd2"]


def test_window_is_half_open(loaded):
    plan = expand(loaded, start=D(2026, 10, 5), days=3, lang="zh")
    dates = {o.date for o in plan.groups[0].occurrences}
    assert dates == {D(2026, 10, 5), D(2026, 10, 6), D(2026, 10, 7)}
    assert plan.end == D(2026, 10, 8) and plan.last == D(2026, 10, 7)


def test_nothing_before_the_group_launches(loaded):
    groups = [GroupInfo("late", "晚一点的群", D(2026, 10, 15), {})]
    plan = expand(loaded, start=D(2026, 10, 1), days=31, lang="en", groups=groups)
    gp = plan.groups[0]
    assert min(o.date for o in gp.occurrences) == D(2026, 10, 15)
    (welcome,) = [o for o in gp.occurrences if o.item_id == "welcome"]
    assert welcome.date == D(2026, 10, 15) and welcome.lifecycle_day == 1
    assert any("launches on 2026-10-15" in n.en for n in gp.notes)


def test_group_launching_after_the_window(loaded):
    groups = [GroupInfo("future", "未来", D(2027, 3, 1), {})]
    plan = expand(loaded, start=D(2026, 10, 1), days=10, lang="en", groups=groups)
    assert plan.groups[0].occurrences == []
    assert "after this plan's window" in plan.groups[0].notes[0].en


def test_same_minute_order_is_by_source_then_id(load):
    loaded = load(
        """\
        cadence:
          daily:
            - {id: z, time: "10:00", title: 每日}
          weekly:
            - {id: w, weekday: thu, time: "10:00", title: 每周}
          lifecycle:
            - {id: l, day: 1, time: "10:00", title: 第一天}
        """
    )
    plan = expand(loaded, start=D(2026, 10, 1), days=1, lang="zh")
    assert [o.source for o in plan.groups[0].occurrences] == ["lifecycle", "weekly", "daily"]


def test_person_is_explicit_else_the_roles_name(load):
    loaded = load(
        """\
        cadence:
          daily:
            - {id: a, time: "09:00", title: 甲, owner: content}
            - {id: b, time: "10:00", title: 乙, owner: content, person: 阿花}
            - {id: c, time: "11:00", title: 丙}
        """
    )
    plan = expand(loaded, start=D(2026, 10, 1), days=1, lang="zh")
    assert [(o.owner, o.person) for o in plan.groups[0].occurrences] == [
        ("content", "小苏"), ("content", "阿花"), (None, None)
    ]  # fmt: skip


def _sha8(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


def test_derived_ids_are_stable_when_other_items_change(load):
    a = load(
        """\
        cadence:
          daily:
            - {time: "09:00", title: 早安}
          campaigns:
            - {date: 2026-12-12, title: 双十二, countdown_days: 1}
        """
    )
    ids_a = item_ids(a)
    assert ids_a[("daily", 0)] == "daily-" + _sha8("早安")
    assert ids_a[("campaign", 0)] == "campaign-" + _sha8("双十二|2026-12-12")
    b = load(
        """\
        cadence:
          daily:
            - {time: "08:00", title: 新的一条}
            - {time: "09:15", title: 早安}
          campaigns:
            - {date: 2026-12-12, title: 双十二, countdown_days: 1}
        """
    )
    ids_b = item_ids(b)
    assert ids_b[("daily", 1)] == ids_a[("daily", 0)]  # inserted before and re-timed: same id
    plan = expand(b, start=D(2026, 12, 11), days=1, lang="zh")
    assert {o.item_id for o in plan.groups[0].occurrences} >= {ids_a[("campaign", 0)] + "-cd1"}


def test_same_title_twice_gets_a_suffix(load):
    loaded = load(
        """\
        cadence:
          daily:
            - {time: "09:00", title: 提醒}
            - {time: "21:00", title: 提醒}
        """
    )
    ids = item_ids(loaded)
    base = "daily-" + _sha8("提醒")
    assert (ids[("daily", 0)], ids[("daily", 1)]) == (base, base + "-2")


def test_duplicate_explicit_ids_are_an_error(load):
    loaded = load(
        """\
        cadence:
          daily:
            - {id: x, time: "09:00", title: 甲}
          weekly:
            - {id: x, weekday: mon, time: "10:00", title: 乙}
        """
    )
    with pytest.raises(SopError) as exc:
        expand(loaded, start=D(2026, 10, 1), days=1)
    assert "duplicate item id 'x'" in exc.value.text.en
    assert exc.value.where.line is not None


@pytest.mark.parametrize("days", [0, -1, 3661])
def test_days_out_of_range(loaded, days):
    with pytest.raises(UsageError) as exc:
        expand(loaded, start=D(2026, 10, 1), days=days)
    assert "--days" in exc.value.text.en


def test_default_group_and_default_start(load):
    loaded = load("cadence: {daily: [{time: '09:00', title: 早安}]}\n", launch="2026-10-05")
    assert default_start(loaded) == D(2026, 10, 5)
    plan = expand(loaded, start=D(2026, 10, 5), days=1)
    assert [g.group.id for g in plan.groups] == ["default"]
    assert plan.groups[0].group.name == "测试社群"


def test_sop_groups_inherit_the_community_launch(load):
    loaded = load(
        """\
        cadence: {lifecycle: [{id: w, day: 1, time: "09:00", title: 欢迎}]}
        groups:
          - {id: a, name: 甲群}
          - {id: b, name: 乙群, launched_on: 2026-10-03, vars: {city: 杭州}}
        """
    )
    plan = expand(loaded, start=D(2026, 10, 1), days=5)
    assert {g.group.id: g.occurrences[0].date for g in plan.groups} == {
        "a": D(2026, 10, 1),
        "b": D(2026, 10, 3),
    }


def test_render_false_leaves_scripts_empty_and_build_plan_renders(load):
    loaded = load(
        """\
        cadence: {daily: [{id: a, time: "09:00", title: 早安, script: hi}]}
        scripts: {hi: "第 {{ day }} 天"}
        """
    )
    lazy = expand(loaded, start=D(2026, 10, 2), days=1)
    assert lazy.groups[0].occurrences[0].script is None and not lazy.rendered
    full = build_plan(loaded, start=D(2026, 10, 2), days=1, lang="zh")
    assert full.groups[0].occurrences[0].script == "第 2 天"


def test_daylight_saving_gaps_and_repeats_are_noted(load):
    loaded = load(
        """\
        cadence:
          daily:
            - {id: early, time: "02:30", title: 凌晨, kind: brand}
            - {id: noon, time: "12:00", title: 中午, kind: brand}
        """,
        launch="2026-03-01",
    )
    text = loaded.text.replace("platform: wechat", "platform: telegram, timezone: America/New_York")
    from sqops.sop import parse_sop

    ny = parse_sop(text, "sop.yaml")
    # 2026-03-08: clocks go 02:00 → 03:00; 2026-11-01: 01:00-02:00 twice (02:30 is not repeated)
    plan = expand(ny, start=D(2026, 3, 7), days=3, lang="en")
    noted = {(o.date, o.item_id): [n.en for n in o.notes] for o in plan.groups[0].occurrences}
    assert noted[(D(2026, 3, 8), "early")] == [
        "02:30 does not exist on this day (daylight saving time starts); calendars will shift it"
    ]
    assert noted[(D(2026, 3, 7), "early")] == [] and noted[(D(2026, 3, 8), "noon")] == []
    loaded2 = parse_sop(text.replace('"02:30"', '"01:30"'), "sop.yaml")
    plan = expand(loaded2, start=D(2026, 10, 31), days=3, lang="en")
    noted = {(o.date, o.item_id): [n.en for n in o.notes] for o in plan.groups[0].occurrences}
    assert noted[(D(2026, 11, 1), "early")] == [
        "01:30 happens twice on this day (daylight saving time ends); the first one is meant"
    ]
    assert noted[(D(2026, 11, 2), "early")] == []
    # Asia/Shanghai has no clock changes: no check at all
    plan = expand(loaded, start=D(2026, 3, 7), days=3, lang="en")
    assert all(o.notes == [] for o in plan.groups[0].occurrences)
