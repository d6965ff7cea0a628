"""Matching planned items with posts: tolerance, nearest time, each post once, holidays."""

from __future__ import annotations

import datetime as dt
import random

import polars as pl
import pytest

from sqops.adherence import match_pairs
from sqops.errors import UsageError


def test_29_minutes_late_is_on_time_31_is_late(h):
    # 08:30 planned every day; 10-12 .. 10-16 are working days after the National Day break
    adh = h.run(
        messages=h.msgs(("2026-10-12 10:00", "m1"), ("2026-10-16 10:00", "m1")),
        posts=h.posts(
            ("p1", "2026-10-12 08:59:00"),  # 29 min late  -> on time
            ("p2", "2026-10-13 09:01:00"),  # 31 min late  -> late
            ("p3", "2026-10-14 07:59:00"),  # 31 min early -> early
            ("p4", "2026-10-15 09:00:00"),  # exactly 30   -> on time (|Δ| <= tolerance)
        ),  # 10-16: nothing posted -> missed
    )
    assert h.statuses(adh) == [
        ("2026-10-12", "morning", "08:30", "on_time", "p1"),
        ("2026-10-13", "morning", "08:30", "late", "p2"),
        ("2026-10-14", "morning", "08:30", "early", "p3"),
        ("2026-10-15", "morning", "08:30", "on_time", "p4"),
        ("2026-10-16", "morning", "08:30", "missed", None),
    ]
    c = adh.group("g1").counts
    assert (c.planned, c.on_time, c.late, c.early, c.missed, c.unplanned, c.posts) == (
        5,
        2,
        1,
        1,
        1,
        0,
        4,
    )
    assert c.on_time_rate == pytest.approx(2 / 5)
    assert c.done_rate == pytest.approx(4 / 5)
    rows = adh.group("g1").rows
    assert rows["delta_min"].to_list() == [29.0, 31.0, -31.0, 30.0, None]


def test_tolerance_is_configurable(h):
    adh = h.run(
        tolerance=45,
        messages=h.msgs(("2026-10-12 10:00", "m1")),
        posts=h.posts(("p1", "2026-10-12 09:14:00"), ("p2", "2026-10-13 09:16:00")),
    )
    assert [s[3] for s in h.statuses(adh)] == ["on_time", "late"]
    assert adh.tolerance_min == 45
    with pytest.raises(UsageError):
        h.run(tolerance=-1, messages=h.msgs(("2026-10-12 10:00", "m1")))


TWO = """\
cadence:
  daily:
    - {id: a, time: "08:30", title: 早安, kind: activation}
    - {id: b, time: "09:00", title: 小课, kind: activation}
"""


def test_two_planned_items_and_one_post_goes_to_the_nearest(h):
    adh = h.run(
        h.sop(TWO),
        messages=h.msgs(("2026-10-12 10:00", "m1")),
        posts=h.posts(("p1", "2026-10-12 08:50:00")),  # 20 min after a, 10 min before b
    )
    assert h.statuses(adh) == [
        ("2026-10-12", "a", "08:30", "missed", None),
        ("2026-10-12", "b", "09:00", "on_time", "p1"),
    ]


def test_equidistant_post_goes_to_the_earlier_planned_item(h):
    adh = h.run(
        h.sop(TWO),
        messages=h.msgs(("2026-10-12 10:00", "m1")),
        posts=h.posts(("p1", "2026-10-12 08:45:00")),  # 15 min from both
    )
    assert [(s[1], s[3]) for s in h.statuses(adh)] == [("a", "on_time"), ("b", "missed")]


def test_one_planned_item_and_two_posts_the_other_is_unplanned(h):
    adh = h.run(
        messages=h.msgs(("2026-10-12 10:00", "m1")),
        posts=h.posts(("p1", "2026-10-12 08:20:00"), ("p2", "2026-10-12 08:35:00")),
    )
    assert h.statuses(adh) == [
        ("2026-10-12", None, None, "unplanned", "p1"),
        ("2026-10-12", "morning", "08:30", "on_time", "p2"),
    ]
    c = adh.group("g1").counts
    assert (c.planned, c.on_time, c.unplanned, c.posts) == (1, 1, 1, 2)
    assert c.unplanned_share == pytest.approx(0.5)


def test_matching_is_greedy_by_smallest_gap_first(h):
    # a 08:00, b 09:00; posts 08:50 and 09:30. Pairs by |Δ|: 08:50-b 10, 09:30-b 30,
    # 08:50-a 50, 09:30-a 90. Greedy takes 08:50-b first, so a gets 09:30 (late by 90 min).
    body = """\
    cadence:
      daily:
        - {id: a, time: "08:00", title: 早安, kind: activation}
        - {id: b, time: "09:00", title: 小课, kind: activation}
    """
    adh = h.run(
        h.sop(body),
        messages=h.msgs(("2026-10-12 10:00", "m1")),
        posts=h.posts(("p1", "2026-10-12 08:50:00"), ("p2", "2026-10-12 09:30:00")),
    )
    assert [(s[1], s[3], s[4]) for s in h.statuses(adh)] == [
        ("a", "late", "p2"),
        ("b", "on_time", "p1"),
    ]
    assert adh.group("g1").rows["delta_min"].to_list() == [90.0, -10.0]


def test_posts_only_match_items_of_the_same_day(h):
    # a post at 00:10 is never a late 08:30 of the day before; on its own day it is the
    # nearest post of that day's 08:30, so early (same day, any distance)
    adh = h.run(
        messages=h.msgs(("2026-10-12 10:00", "m1"), ("2026-10-13 10:00", "m1")),
        posts=h.posts(("p1", "2026-10-13 00:10:00")),
    )
    assert [(s[0], s[3], s[4]) for s in h.statuses(adh)] == [
        ("2026-10-12", "missed", None),
        ("2026-10-13", "early", "p1"),
    ]


HOLIDAY = """\
cadence:
  daily:
    - {id: tip, time: "15:00", title: 成分小课, kind: activation, skip_on: [holiday]}
"""


def test_a_post_on_a_holiday_the_plan_skipped_is_unplanned(h):
    # 2026-10-07 is a National Day holiday (skipped); 2026-10-08 is a working day
    adh = h.run(
        h.sop(HOLIDAY),
        messages=h.msgs(("2026-10-07 10:00", "m1")),
        posts=h.posts(("p1", "2026-10-07 15:00:00"), ("p2", "2026-10-08 15:05:00")),
    )
    assert h.statuses(adh) == [
        ("2026-10-07", None, None, "unplanned", "p1"),
        ("2026-10-08", "tip", "15:00", "on_time", "p2"),
    ]
    g = adh.group("g1")
    assert (g.counts.planned, g.counts.unplanned) == (1, 1)
    days = {d.day.isoformat(): d for d in g.days}
    assert days["2026-10-07"].label == "National Day"
    assert (days["2026-10-07"].planned, days["2026-10-07"].unplanned) == (0, 1)


def test_a_post_labelled_with_an_item_matches_that_item(h):
    # the post says it is b (column = item id) although a is nearer in time
    adh = h.run(
        h.sop(TWO),
        messages=h.msgs(("2026-10-12 10:00", "m1")),
        posts=h.posts(("p1", "2026-10-12 08:25:00", None, None, "b")),
    )
    assert [(s[1], s[3], s[4]) for s in h.statuses(adh)] == [
        ("a", "missed", None),
        ("b", "early", "p1"),
    ]


def test_a_post_with_another_items_title_does_not_fill_a_gap(h):
    # the second 早安 post of the day is not taken for 小课 (b): it is unplanned
    adh = h.run(
        h.sop(TWO),
        messages=h.msgs(("2026-10-12 10:00", "m1")),
        posts=h.posts(
            ("p1", "2026-10-12 08:30:00", None, "早安"), ("p2", "2026-10-12 09:00:00", None, "早安")
        ),
    )
    assert [(s[1], s[3], s[4]) for s in h.statuses(adh)] == [
        ("a", "on_time", "p1"),
        ("b", "missed", None),
        (None, "unplanned", "p2"),
    ]


def test_days_covered_run_from_the_first_to_the_last_day_of_data(h):
    # data 10-12 08:00 .. 10-14 08:00: 10-12 and 10-13 are planned; on 10-14 the data ends
    # before 08:30, so that item is not due yet (counted apart, not missed)
    adh = h.run(
        messages=h.msgs(("2026-10-12 08:00", "m1"), ("2026-10-14 08:00", "m1")),
        posts=h.posts(("p1", "2026-10-12 08:30:00")),
    )
    g = adh.group("g1")
    assert (g.first_day.isoformat(), g.last_day.isoformat()) == ("2026-10-12", "2026-10-14")
    assert [s[3] for s in h.statuses(adh)] == ["on_time", "missed"]
    assert (g.counts.planned, g.counts.not_due) == (2, 1)
    assert [d.day.isoformat() for d in g.days] == ["2026-10-12", "2026-10-13", "2026-10-14"]


def test_as_of_cuts_the_data(h):
    adh = h.run(
        as_of=dt.date(2026, 10, 12),
        messages=h.msgs(("2026-10-12 10:00", "m1"), ("2026-10-13 10:00", "m1")),
        posts=h.posts(("p1", "2026-10-12 08:30:00"), ("p2", "2026-10-13 08:30:00")),
    )
    assert [s[4] for s in h.statuses(adh)] == ["p1"]
    assert adh.as_of.isoformat() == "2026-10-12"


def test_no_items_before_the_launch_day(h):
    body = """\
    cadence:
      daily:
        - {id: morning, time: "08:30", title: 早安, kind: activation}
    groups:
      - {id: g1, name: 一群, launched_on: 2026-10-13}
    """
    adh = h.run(
        h.sop(body),
        messages=h.msgs(("2026-10-12 10:00", "m1"), ("2026-10-13 10:00", "m1")),
        posts=h.posts(("p1", "2026-10-12 08:30:00"), ("p2", "2026-10-13 08:30:00")),
    )
    assert [(s[0], s[3]) for s in h.statuses(adh)] == [
        ("2026-10-12", "unplanned"),
        ("2026-10-13", "on_time"),
    ]
    assert adh.group("g1").name == "一群"


def _greedy_reference(pairs: list[tuple[int, int, int]]) -> set[tuple[int, int]]:
    """The textbook greedy: walk pairs by rank, take one when both ends are free."""
    used_o: set[int] = set()
    used_q: set[int] = set()
    out = set()
    for o, q, _r in sorted(pairs, key=lambda p: p[2]):
        if o not in used_o and q not in used_q:
            used_o.add(o)
            used_q.add(q)
            out.add((o, q))
    return out


@pytest.mark.parametrize("seed", range(25))
def test_round_based_matching_equals_the_textbook_greedy(seed):
    rnd = random.Random(seed)
    n_o, n_q = rnd.randint(1, 8), rnd.randint(1, 8)
    cand = [(o, q) for o in range(n_o) for q in range(n_q) if rnd.random() < 0.7]
    ranks = list(range(len(cand)))
    rnd.shuffle(ranks)
    pairs = [(o, q, r) for (o, q), r in zip(cand, ranks, strict=True)]
    df = pl.DataFrame(
        {"oid": [p[0] for p in pairs], "qid": [p[1] for p in pairs], "rank": [p[2] for p in pairs]},
        schema={"oid": pl.Int64, "qid": pl.Int64, "rank": pl.Int64},
    )
    got = {(o, q) for o, q, _ in match_pairs(df).iter_rows()}
    assert got == _greedy_reference(pairs)


def test_since_starts_the_window_later(h):
    msgs = h.msgs(("2026-10-12 10:00", "m1"), ("2026-10-14 10:00", "m1"))
    posts = h.posts(("p1", "2026-10-12 08:30:00"), ("p2", "2026-10-14 08:40:00"))
    adh = h.run(since=dt.date(2026, 10, 13), messages=msgs, posts=posts)
    g = adh.group("g1")
    assert (g.first_day.isoformat(), g.last_day.isoformat()) == ("2026-10-13", "2026-10-14")
    assert [(s[0], s[3]) for s in h.statuses(adh)] == [
        ("2026-10-13", "missed"),
        ("2026-10-14", "on_time"),
    ]
    assert adh.to_dict()["since"] == "2026-10-13"
    with pytest.raises(UsageError):
        h.run(since=dt.date(2026, 10, 15), messages=msgs)
