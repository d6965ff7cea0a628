"""Rules that break only on particular dates: quiet hours, posts per day, same minute."""

from __future__ import annotations

import datetime as dt

from sqops.plan import expand

D = dt.date

BODY = """\
cadence:
  daily:
    - {id: am, time: "09:00", title: 早安, kind: activation}
    - {id: perk, time: "20:00", title: 今晚福利, kind: conversion}
  weekly:
    - {id: flash, weekday: wed, time: "20:00", title: 周三秒杀, kind: conversion}
  monthly:
    - {id: m10, day: 10, time: "12:00", title: 十号, kind: brand}
  campaigns:
    - {id: sale, date: 2026-10-10, time: "23:00", title: 深夜大促, kind: conversion, countdown_days: 1, countdown_time: "21:00"}
    - {id: night, date: 2026-10-06, time: "23:30", title: 夜读, kind: brand}
"""


def test_conflicts_on_their_dates_only(load):
    loaded = load(BODY, max_posts=3)
    plan = expand(loaded, start=D(2026, 10, 5), days=7, lang="en")
    got = [(c.date, c.rule, c.item_ids) for c in plan.groups[0].conflicts]
    assert got == [
        # Wednesday: the weekly flash sale lands on the daily perk's minute
        (D(2026, 10, 7), "same-minute", ("flash", "perk")),
        # the 10th: a conversion campaign at 23:00 (quiet hours 22:00-08:00) and 4 posts > 3
        (D(2026, 10, 10), "quiet-hours", ("sale",)),
        (D(2026, 10, 10), "posts-per-day", ("am", "m10", "perk", "sale")),
    ]
    texts = {c.rule: c for c in plan.groups[0].conflicts}
    assert (
        texts["quiet-hours"].text.en
        == "23:00 '深夜大促' is conversion content inside the quiet hours 22:00-08:00"
    )
    assert (
        texts["quiet-hours"].text.zh == "23:00 “深夜大促” 是转化内容，落在免打扰时段 22:00-08:00 内"
    )
    assert (
        texts["posts-per-day"].text.en
        == "4 posts on this day, more than the limit of 3 (rules.max_posts_per_day)"
    )
    assert texts["same-minute"].text.en == "2 items at the same minute 20:00: 周三秒杀 / 今晚福利"


def test_non_conversion_content_in_quiet_hours_is_not_flagged(load):
    loaded = load(BODY, max_posts=6)
    plan = expand(loaded, start=D(2026, 10, 6), days=1, lang="en")
    assert [o.item_id for o in plan.groups[0].occurrences if o.time >= dt.time(22)] == ["night"]
    assert plan.groups[0].conflicts == []


def test_exactly_the_limit_is_fine(load):
    loaded = load(BODY, max_posts=4)
    plan = expand(loaded, start=D(2026, 10, 10), days=1, lang="en")
    assert [c.rule for c in plan.groups[0].conflicts] == ["quiet-hours"]


def test_no_quiet_hours(load):
    loaded = load(BODY, max_posts=9)
    # the rules section comes from the fixture; a null quiet_hours turns the check off
    text = loaded.text.replace('quiet_hours: "22:00-08:00"', "quiet_hours: null")
    from sqops.sop import parse_sop

    loaded2 = parse_sop(text, "sop.yaml")
    plan = expand(loaded2, start=D(2026, 10, 10), days=1, lang="en")
    assert plan.groups[0].conflicts == []


def test_a_review_is_not_a_push(load):
    # the month-end review is the team's meeting, not a post to members: like `sqops lint`,
    # the plan does not count it towards max_posts_per_day
    body = """\
    cadence:
      daily:
        - {id: am, time: "09:00", title: 早安, kind: activation}
        - {id: pm, time: "20:00", title: 晚安, kind: activation}
      monthly:
        - {id: review, day: last, time: "21:00", title: 月度复盘, kind: review}
    """
    loaded = load(body, max_posts=2)
    plan = expand(loaded, start=D(2026, 10, 31), days=1, lang="en")
    assert [o.item_id for o in plan.groups[0].occurrences] == ["am", "pm", "review"]
    assert plan.groups[0].conflicts == []
    loaded = load(body.replace("kind: review", "kind: brand"), max_posts=2)
    plan = expand(loaded, start=D(2026, 10, 31), days=1, lang="en")
    assert [(c.rule, c.item_ids) for c in plan.groups[0].conflicts] == [
        ("posts-per-day", ("am", "pm", "review"))
    ]
