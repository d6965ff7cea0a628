"""Discipline: pushes inside quiet hours (across midnight), days over the limit, content mix."""

from __future__ import annotations

import pytest

NIGHT = """\
cadence:
  daily:
    - {id: night, time: "22:30", title: 夜间秒杀, kind: conversion}
"""


def test_quiet_hours_across_midnight(h):
    adh = h.run(
        h.sop(NIGHT, quiet="22:00-08:00"),
        messages=h.msgs(("2026-10-12 10:00", "m1"), ("2026-10-13 10:00", "m1")),
        posts=h.posts(
            ("p1", "2026-10-12 21:59:59", "activation"),  # outside (before 22:00)
            ("p2", "2026-10-12 22:00:00", "conversion"),  # inside (start included)
            ("p3", "2026-10-12 22:40:00", "conversion"),  # inside, matches 22:30
            ("p4", "2026-10-13 00:10:00", "activation"),  # inside (after midnight)
            ("p5", "2026-10-13 07:59:00", "brand"),  # inside
            ("p6", "2026-10-13 08:00:00", "activation"),  # outside (end excluded)
        ),
    )
    d = adh.group("g1").scope.discipline
    assert d.quiet_hours == "22:00-08:00"
    assert d.quiet_posts == 4
    assert d.quiet_conversion == 2
    assert [q.post_id for q in d.quiet_list] == ["p2", "p3", "p4", "p5"]
    assert [q.time for q in d.quiet_list] == ["22:00", "22:40", "00:10", "07:59"]
    quiet_by_post = dict(
        adh.group("g1").rows.select("post_id", "quiet").drop_nulls("post_id").iter_rows()
    )
    assert quiet_by_post == {
        "p1": False,
        "p2": True,
        "p3": True,
        "p4": True,
        "p5": True,
        "p6": False,
    }


def test_quiet_hours_within_one_day(h):
    adh = h.run(
        h.sop(NIGHT, quiet="12:00-14:00"),
        messages=h.msgs(("2026-10-12 10:00", "m1")),
        posts=h.posts(
            ("p1", "2026-10-12 11:59:00"),
            ("p2", "2026-10-12 12:00:00"),
            ("p3", "2026-10-12 14:00:00"),
        ),
    )
    assert [q.post_id for q in adh.group("g1").scope.discipline.quiet_list] == ["p2"]


def test_days_over_the_daily_limit(h):
    adh = h.run(
        h.sop(max_posts=2),
        messages=h.msgs(("2026-10-12 10:00", "m1")),
        posts=h.posts(
            ("p1", "2026-10-12 08:30:00"), ("p2", "2026-10-12 12:00:00"), ("p3", "2026-10-12 18:00:00"),
            ("p4", "2026-10-13 08:30:00"), ("p5", "2026-10-13 12:00:00"),
        ),
    )  # fmt: skip
    d = adh.group("g1").scope.discipline
    assert d.max_posts_per_day == 2
    assert [(g, day.isoformat(), n) for g, day, n in d.over_days] == [("g1", "2026-10-12", 3)]
    assert d.days == 2
    assert [(g, day.isoformat(), n) for g, day, n in adh.fleet.discipline.over_days] == [
        ("g1", "2026-10-12", 3)
    ]


def test_content_mix_uses_the_post_kind_else_the_matched_items(h):
    # default target 0.5 / 0.3 / 0.2. Posts: p1 has no kind but matches 早安 (activation);
    # p2 activation, p3 conversion, p4 brand, p5 "review" (not in the mix), p6 no kind, unmatched
    adh = h.run(
        messages=h.msgs(("2026-10-12 10:00", "m1")),
        posts=h.posts(
            ("p1", "2026-10-12 08:30:00"),
            ("p2", "2026-10-12 10:00:00", "Activation"),
            ("p3", "2026-10-12 11:00:00", "conversion"),
            ("p4", "2026-10-12 12:00:00", "brand"),
            ("p5", "2026-10-12 13:00:00", "review"),
            ("p6", "2026-10-12 14:00:00"),
        ),
    )
    d = adh.group("g1").scope.discipline
    mix = {m.kind: m for m in d.mix}
    assert {k: m.actual_posts for k, m in mix.items()} == {
        "activation": 2,
        "conversion": 1,
        "brand": 1,
    }
    assert mix["activation"].actual_share == pytest.approx(0.5)
    assert mix["conversion"].actual_share == pytest.approx(0.25)
    assert mix["brand"].deviation == pytest.approx(0.05)
    assert mix["conversion"].deviation == pytest.approx(-0.05)
    assert not any(m.off for m in d.mix)
    assert d.other_kinds == {"review": 1, "unknown": 1}
    # the plan: one activation item a day -> planned share 100% activation
    assert mix["activation"].planned_share == pytest.approx(1.0)
    assert mix["brand"].planned_share == pytest.approx(0.0)


def test_content_mix_more_than_ten_points_off_is_flagged(h):
    adh = h.run(
        messages=h.msgs(("2026-10-12 10:00", "m1")),
        posts=h.posts(
            ("p1", "2026-10-12 10:00:00", "conversion"), ("p2", "2026-10-12 11:00:00", "activation")
        ),
    )
    mix = {m.kind: m for m in adh.group("g1").scope.discipline.mix}
    assert mix["conversion"].actual_share == pytest.approx(0.5)
    assert mix["conversion"].off  # +20 points
    assert not mix["activation"].off  # 0 points
    assert mix["brand"].off  # -20 points
