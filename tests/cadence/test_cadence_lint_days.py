"""Lint's per-day rules (posts-per-day, same-minute) count the days the plan's expansion
produces, so lint and ``sqops plan`` agree on which days are too busy (issue #18, part 3)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sqops.lint import lint_loaded
from sqops.plan import MAX_DAYS, expand
from sqops.sop import parse_sop

HEAD = """\
version: 1
community: {name: 测试群, platform: wechat, launched_on: 2026-12-07}
rules: {max_posts_per_day: 4, quiet_hours: null}
"""


def _loaded(cadence: str, head: str = HEAD):
    return parse_sop(head + "cadence:\n" + cadence, "sop.yaml", Path("."))


def _rules(loaded, rule: str) -> list[str]:
    return [f.text.en for f in lint_loaded(loaded) if f.rule == rule]


def _plan_rules(loaded, rule: str, days: int = 800) -> list[dt.date]:
    start = loaded.sop.community.launched_on
    plan = expand(loaded, start=start, days=days)
    return [c.date for gp in plan.groups for c in gp.conflicts if c.rule == rule]


def test_monthly_30_and_31_meet_on_short_months() -> None:
    loaded = _loaded(
        """\
  monthly:
    - {day: 30, time: "10:00", title: 三十}
    - {day: 31, time: "10:00", title: 三十一}
"""
    )
    assert dt.date(2026, 12, 31) not in _plan_rules(loaded, "same-minute")
    assert dt.date(2027, 2, 28) in _plan_rules(loaded, "same-minute")
    found = _rules(loaded, "same-minute")
    assert found == ["'三十一' and '三十' (line 6) fall on the same day at 10:00"]


def test_a_monthly_day_31_meets_a_campaign_on_the_30th() -> None:
    loaded = _loaded(
        """\
  monthly:
    - {day: 31, time: "10:00", title: 月底}
  campaigns:
    - {date: 2027-04-30, time: "10:00", title: 四月活动}
"""
    )
    assert _plan_rules(loaded, "same-minute") == [dt.date(2027, 4, 30)]
    assert len(_rules(loaded, "same-minute")) == 1


def test_campaigns_and_countdowns_count_towards_posts_per_day() -> None:
    loaded = _loaded(
        """\
  daily:
    - {time: "09:00", title: a}
    - {time: "12:00", title: b}
    - {time: "15:00", title: c}
    - {time: "18:00", title: d}
  campaigns:
    - {date: 2026-12-12, time: "20:00", title: 双十二, countdown_days: 1}
"""
    )
    assert _plan_rules(loaded, "posts-per-day") == [dt.date(2026, 12, 11), dt.date(2026, 12, 12)]
    assert _rules(loaded, "posts-per-day") == [
        "some days get 5 pushes (4 daily + 1 campaign), over the limit of 4 a day"
    ]
    zh = [f.text.zh for f in lint_loaded(loaded) if f.rule == "posts-per-day"]
    assert zh == ["有的日子会推送 5 条（每日 4 + 活动 1），超过每天上限 4 条"]


def test_lifecycle_days_fall_on_their_own_weekday() -> None:
    # launched on Monday 2026-12-07: lifecycle day 2 is a Tuesday, never the Monday pushes
    cadence = """\
  daily:
    - {time: "09:00", title: a}
    - {time: "12:00", title: b}
  weekly:
    - {weekday: mon, time: "15:00", title: w1}
    - {weekday: mon, time: "18:00", title: w2}
  lifecycle:
    - {day: 2, time: "20:00", title: l1}
    - {day: 2, time: "21:00", title: l2}
"""
    loaded = _loaded(cadence)
    assert _plan_rules(loaded, "posts-per-day") == []
    assert _rules(loaded, "posts-per-day") == []
    # without a launch date the lifecycle day may be any day: lint keeps the worst case
    unknown = _loaded(cadence, HEAD.replace(", launched_on: 2026-12-07", ""))
    assert _rules(unknown, "posts-per-day") == [
        "some days get 6 pushes (2 daily + 2 weekly on Mon + 2 cold-start on one day), over the "
        "limit of 4 a day"
    ]


# ------------------------------------------------------------------ lint agrees with plan
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
times = st.sampled_from(["09:00", "10:00", "12:00", "20:00"])
kinds = st.sampled_from(["activation", "conversion", "brand", "review"])


@st.composite
def sops(draw, month_days=st.one_of(st.integers(1, 27), st.just("last"))):
    def items(n, **extra):
        return [
            {"time": draw(times), "title": f"t{draw(st.integers(0, 10**6))}", "kind": draw(kinds)}
            | {k: draw(v) for k, v in extra.items()}
            for _ in range(draw(st.integers(0, n)))
        ]

    dates = st.dates(dt.date(2025, 1, 1), dt.date(2027, 12, 31))
    cadence = {
        "daily": items(2),
        "weekly": items(3, weekday=st.sampled_from(WEEKDAYS)),
        "monthly": items(3, day=month_days),
        "lifecycle": items(3, day=st.integers(1, 40)),
        "campaigns": items(2, date=dates.map(dt.date.isoformat), countdown_days=st.integers(0, 3)),
    }
    launch = draw(dates)
    doc = {
        "version": 1,
        "community": {"name": "g", "platform": "wechat", "launched_on": launch.isoformat()},
        "rules": {"max_posts_per_day": draw(st.integers(1, 5)), "quiet_hours": None},
        "cadence": cadence,
    }
    return parse_sop(json.dumps(doc, ensure_ascii=False), "sop.yaml", Path("."))


def _agree(loaded, both_ways: bool) -> None:
    for rule in ("posts-per-day", "same-minute"):
        in_plan = bool(_plan_rules(loaded, rule, MAX_DAYS))
        in_lint = bool(_rules(loaded, rule))
        if both_ways:
            assert in_plan == in_lint, rule
        else:
            assert in_lint or not in_plan, rule  # what the plan finds, lint finds


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sops())
def test_lint_finds_a_busy_day_exactly_when_the_plan_does(loaded) -> None:
    # monthly days 1..27 and last meet every weekday within the plan's 10-year window
    _agree(loaded, both_ways=True)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sops(month_days=st.one_of(st.integers(1, 31), st.just("last"))))
def test_what_the_plan_finds_lint_finds(loaded) -> None:
    _agree(loaded, both_ways=False)
