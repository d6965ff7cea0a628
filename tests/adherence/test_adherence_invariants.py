"""Invariants on random data: every planned item and every post is accounted for exactly once."""

from __future__ import annotations

import random

import pytest

SOP_BODY = """\
cadence:
  daily:
    - {id: morning, time: "08:30", title: 早安, kind: activation}
    - {id: tip, time: "15:00", title: 小课, kind: activation, skip_on: [holiday]}
    - {id: perk, time: "20:00", title: 福利, kind: conversion}
  weekly:
    - {id: flash, weekday: wed, time: "19:30", title: 秒杀, kind: conversion}
"""


@pytest.mark.parametrize("seed", range(12))
def test_every_item_and_post_is_counted_once(h, seed):
    rnd = random.Random(seed)
    msgs, posts = [], []
    for g in ("g1", "g2"):
        for day in range(1, 15):  # 2026-10-01 (holidays) .. 10-14
            date = f"2026-10-{day:02d}"
            for _ in range(rnd.randint(0, 4)):
                hh, mm = rnd.randint(0, 23), rnd.randint(0, 59)
                msgs.append((f"{date} {hh:02d}:{mm:02d}:00", g, f"m{rnd.randint(1, 9)}", "text"))
            for _ in range(rnd.randint(0, 5)):
                hh, mm = rnd.randint(6, 23), rnd.randint(0, 59)
                posts.append((f"{g}-{len(posts)}", f"{date} {hh:02d}:{mm:02d}:00", g))
    msgs.append(("2026-10-14 23:59:00", "g1", "m1", "text"))
    adh = h.run(
        h.sop(SOP_BODY),
        tolerance=rnd.choice([0, 15, 30, 60]),
        messages=h.frame("ts, group_id, member_id, msg_type", msgs),
        posts=h.frame("post_id, ts, group_id", posts),
    )
    total = 0
    for g in adh.groups:
        c, rows = g.counts, g.rows
        assert c.planned == c.on_time + c.late + c.early + c.missed
        assert c.posts == c.done + c.unplanned
        ids = rows["post_id"].drop_nulls().to_list()
        assert len(ids) == len(set(ids)) == c.posts  # each post used once
        assert sum(d.planned for d in g.days) == c.planned
        assert sum(i.planned for i in g.scope.items) == c.planned
        tol = adh.tolerance_min
        for r in rows.iter_rows(named=True):
            if r["status"] == "on_time":
                assert abs(r["delta_min"]) <= tol
            elif r["status"] == "late":
                assert r["delta_min"] > tol
            elif r["status"] == "early":
                assert r["delta_min"] < -tol
        total += c.planned
    assert adh.fleet.counts.planned == total
    # the tip is never planned on the National Day holidays (10-01..10-07)
    tips = [r for g in adh.groups for r in g.rows.iter_rows(named=True) if r["item_id"] == "tip"]
    assert all(r["day"].day >= 8 for r in tips)
