"""``sqops demo`` posts what the plan schedules: the same dates for every calendar item,
a monthly ``day: 31`` on the month's last day included (issue #18, part 3)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqops.demo._generate import _cadence
from sqops.plan import GroupInfo, expand
from sqops.sop import parse_sop

ROOT = Path(__file__).resolve().parents[2]
SOP = (ROOT / "examples" / "skincare" / "sop.yaml").read_text(encoding="utf-8")
EXTRA = (
    '    - {id: payday, day: 31, time: "11:11", title: 月底福利, kind: conversion, owner: events}\n'
    '    - {id: thirty, day: 30, time: "11:41", title: 三十号, kind: activation, owner: events}\n'
)


def _loaded():
    anchor = "    - {id: review, day: last,"
    assert anchor in SOP
    return parse_sop(
        SOP.replace(anchor, EXTRA + anchor, 1), "sop.yaml", ROOT / "examples" / "skincare"
    )


def _demo_dates(loaded, start: dt.date, days: int) -> set[tuple[str, dt.date]]:
    items, slots, _ = _cadence(loaded.sop, start, days)
    out = set()
    for k, i in zip(slots.day.tolist(), slots.item.tolist(), strict=True):
        item_id = items[i].id.removesuffix("_countdown")
        out.add((item_id, start + dt.timedelta(days=k)))
    return out


def _plan_dates(loaded, start: dt.date, days: int) -> set[tuple[str, dt.date]]:
    group = GroupInfo("g", "g", start, {})
    plan = expand(loaded, start=start, days=days, groups=[group])
    return {
        (o.campaign_id or o.item_id, o.date)
        for o in plan.groups[0].occurrences
        if o.source != "lifecycle"
    }


def test_monthly_day_31_falls_on_the_last_day_as_in_the_plan() -> None:
    loaded = _loaded()
    start = dt.date(2026, 11, 1)
    demo = _demo_dates(loaded, start, 120)
    assert ("payday", dt.date(2026, 11, 30)) in demo  # November has 30 days
    assert ("payday", dt.date(2027, 2, 28)) in demo
    assert ("thirty", dt.date(2027, 2, 28)) in demo
    assert ("payday", dt.date(2026, 12, 31)) in demo


def test_demo_calendar_is_the_plans() -> None:
    loaded = _loaded()
    start = dt.date(2026, 9, 20)  # holidays (National Day) and month ends in the window
    assert _demo_dates(loaded, start, 200) == _plan_dates(loaded, start, 200)


def test_lifecycle_items_follow_the_plans_holiday_filters(tmp_path: Path) -> None:
    import polars as pl

    from sqops.demo import DemoOptions, generate_demo

    old = '{id: welcome, day: 1, time: "09:00", title: 欢迎与群规,'
    assert old in SOP
    text = SOP.replace(old, old.replace("day: 1,", "day: 1, skip_on: [weekend],"))
    loaded = parse_sop(text, "sop.yaml", ROOT / "examples" / "skincare")
    plan = expand(loaded, start=dt.date(2026, 10, 1), days=40)
    welcomed = {gp.group.id for gp in plan.groups for o in gp.occurrences if o.item_id == "welcome"}
    assert welcomed == {"g01", "g02"}  # g03 launches on Sunday 2026-11-01
    generate_demo(loaded.sop, tmp_path, DemoOptions(members=20, days=40, seed=1))
    posts = pl.read_csv(tmp_path / "posts.csv", infer_schema=False)
    assert posts.filter(pl.col("title") == "欢迎与群规", pl.col("group_id") == "g03").height == 0
