"""What the pushes did: replies within 2 h, opens within 48 h, medians, bottom 20%, the clock."""

from __future__ import annotations

import datetime as dt

import pytest


def test_replies_within_two_hours(h):
    messages = h.frame(
        "ts, group_id, member_id, msg_type, role",
        [
            (
                "2026-10-12 08:30:00",
                "g1",
                "m1",
                "text",
                "member",
            ),  # same second as the post: not after it
            ("2026-10-12 09:00:00", "g1", "m1", "text", "member"),  # counts
            ("2026-10-12 09:10:00", "g1", "s1", "text", None),  # staff (SOP roles)
            ("2026-10-12 09:15:00", "g1", "b1", "text", "bot"),  # bot (role column)
            ("2026-10-12 09:20:00", "g1", "m2", "system", None),  # system message
            ("2026-10-12 10:30:00", "g1", "m2", "image", None),  # exactly 2 h: counts
            ("2026-10-12 10:30:01", "g1", "m3", "text", None),  # after 2 h
            ("2026-10-12 09:30:00", "g2", "m4", "text", None),  # another group
        ],
    )
    adh = h.run(messages=messages, posts=h.posts(("p1", "2026-10-12 08:30:00")))
    row = adh.group("g1").rows.row(0, named=True)
    assert (row["post_id"], row["replies_2h"]) == ("p1", 2)
    assert adh.group("g1").scope.item("morning").median_replies == 2
    # without engagement there are no opens
    assert row["opens_48h"] is None
    assert adh.opens_available is False
    assert adh.group("g1").scope.item("morning").median_opens is None


def test_opens_within_48_hours(h):
    engagement = h.frame(
        "ts, member_id, event, post_id",
        [
            ("2026-10-12 08:00:00", "m5", "open", "p1"),  # before the post
            ("2026-10-12 09:30:00", "m1", "open", "p1"),
            ("2026-10-12 10:30:00", "m1", "open", "p1"),  # same member again
            ("2026-10-14 08:30:00", "m2", "open", "p1"),  # exactly 48 h
            ("2026-10-14 08:31:00", "m3", "open", "p1"),  # after 48 h
            ("2026-10-12 09:30:00", "s1", "open", "p1"),  # staff
            ("2026-10-12 09:30:00", "m4", "click", "p1"),  # not an open
            ("2026-10-12 09:30:00", "m6", "open", "p9"),  # another post
        ],
    )
    adh = h.run(
        messages=h.msgs(("2026-10-12 10:00", "m1")),
        posts=h.posts(("p1", "2026-10-12 08:30:00")),
        engagement=engagement,
        as_of=dt.date(2026, 10, 14),
    )
    assert adh.opens_available is True
    rows = adh.group("g1").rows
    assert rows.filter(rows["post_id"] == "p1")["opens_48h"].to_list() == [2]
    assert adh.group("g1").scope.item("morning").median_opens == 2


def test_median_per_item_over_its_matched_posts_and_the_fleet(h):
    # g1: morning posts drawing 1 and 3 replies; g2: one drawing 10 (and an unplanned post
    # drawing 5, which does not count for the item)
    rows = []
    for day, n, g in (("12", 1, "g1"), ("13", 3, "g1"), ("12", 10, "g2")):
        rows += [(f"2026-10-{day} 09:{i:02d}:00", g, f"m{i}", "text") for i in range(n)]
    rows += [(f"2026-10-12 15:{i + 1:02d}:00", "g2", f"m{i}", "text") for i in range(5)]
    posts = h.frame(
        "post_id, ts, group_id",
        [("a", "2026-10-12 08:30:00", "g1"), ("b", "2026-10-13 08:30:00", "g1"),
         ("c", "2026-10-12 08:30:00", "g2"), ("d", "2026-10-12 15:00:00", "g2")],
    )  # fmt: skip
    adh = h.run(messages=h.frame("ts, group_id, member_id, msg_type", rows), posts=posts)
    assert adh.group("g1").scope.item("morning").median_replies == 2  # median of 1, 3
    assert adh.group("g2").scope.item("morning").median_replies == 10
    assert adh.fleet.item("morning").median_replies == 3  # median of 1, 3, 10 (posts pooled)
    rows_g2 = adh.group("g2").rows
    assert rows_g2.select("post_id", "status", "replies_2h").rows() == [
        ("c", "on_time", 10),
        ("d", "unplanned", 5),
    ]
    c = adh.fleet.counts
    # g1 covers 10-12 and 10-13 (2 planned, 2 done); g2 covers 10-12 only (1 planned, done)
    assert (c.planned, c.on_time, c.late, c.missed, c.unplanned, c.posts) == (3, 3, 0, 0, 1, 4)
    assert adh.fleet.item("morning").matched_posts == 3


FIVE = """\
cadence:
  daily:
    - {id: i09, time: "09:00", title: 早间, kind: activation}
    - {id: i11, time: "11:00", title: 上午, kind: activation}
    - {id: i13, time: "13:00", title: 午间, kind: brand}
    - {id: i19, time: "19:00", title: 傍晚, kind: conversion}
    - {id: i20, time: "20:00", title: 晚间, kind: conversion}
"""
#: member messages per day at HH:10, by hour
PER_HOUR = {9: 0, 11: 1, 13: 2, 19: 3, 20: 4}


def _five_days(h):
    msgs, posts = [], []
    for day in range(12, 17):  # 2026-10-12 .. 10-16, working days
        for hour, n in PER_HOUR.items():
            posts.append((f"p{day}-{hour:02d}", f"2026-10-{day} {hour:02d}:00:00", "g1"))
            msgs += [
                (f"2026-10-{day} {hour:02d}:10:{k:02d}", "g1", f"m{k}", "text") for k in range(n)
            ]
    return h.run(
        h.sop(FIVE),
        messages=h.frame("ts, group_id, member_id, msg_type", msgs),
        posts=h.frame("post_id, ts, group_id", posts),
    )


def test_bottom_twenty_percent_by_median_replies(h):
    adh = _five_days(h)
    scope = adh.group("g1").scope
    # windows (t, t+2h]: i09 sees nothing (11:10 is past 11:00); i19 sees 19:10 and 20:10
    med = {i.item_id: i.median_replies for i in scope.items}
    assert med == {"i09": 0, "i11": 1, "i13": 2, "i19": 7, "i20": 4}
    # silence after pushes: i09 drew no reply after any of its 5 posts
    assert {i.item_id: i.silent_share for i in scope.items} == {
        "i09": 1.0, "i11": 0.0, "i13": 0.0, "i19": 0.0, "i20": 0.0,
    }  # fmt: skip
    # 5 items ranked -> floor(5 x 0.2) = 1 flagged: the lowest
    assert [i.item_id for i in scope.items if i.bottom] == ["i09"]
    assert [i.item_id for i in scope.items] == ["i09", "i11", "i13", "i19", "i20"]  # by time


def test_community_clock_and_the_suggestion_to_move(h):
    adh = _five_days(h)
    clock = adh.group("g1").scope.clock
    by_h = {r.hour: r for r in clock.hours}
    assert len(clock.hours) == 24
    assert by_h[20].member_messages == 20  # 4 a day x 5 days
    assert by_h[20].member_share == pytest.approx(0.4)
    assert by_h[9].member_share == pytest.approx(0.0)
    assert by_h[9].staff_share == pytest.approx(0.2)
    assert by_h[3].staff_share == pytest.approx(0.0)
    assert by_h[19].median_replies == 7
    assert (by_h[9].silent_share, by_h[11].silent_share, by_h[3].silent_share) == (1.0, 0.0, None)
    assert clock.top_hours == [13, 19, 20]
    # i09: 0% of member messages in its hour (< 1/24) and median 0 < median of items (2)
    assert [(s.item_id, s.to_hours) for s in clock.suggestions] == [("i09", [13, 19, 20])]


def test_top_hours_leave_out_the_quiet_hours(h):
    # members talk most at 23:00, inside 22:00-08:00: it is never suggested
    msgs = [(f"2026-10-12 23:{k:02d}:00", "g1", f"m{k}", "text") for k in range(9)]
    msgs += [
        ("2026-10-12 12:00:00", "g1", "m1", "text"),
        ("2026-10-12 13:00:00", "g1", "m1", "text"),
    ]
    adh = h.run(messages=h.frame("ts, group_id, member_id, msg_type", msgs))
    assert adh.group("g1").scope.clock.top_hours == [12, 13]


def test_items_with_few_posts_are_not_ranked(h):
    # one post per item: nothing to rank (at least 5 matched posts are needed)
    adh = h.run(
        h.sop(FIVE),
        messages=h.msgs(("2026-10-12 09:30", "m1")),
        posts=h.posts(("p1", "2026-10-12 09:00:00"), ("p2", "2026-10-12 11:00:00")),
    )
    assert not any(i.bottom for i in adh.group("g1").scope.items)
    assert adh.group("g1").scope.clock.suggestions == []


def test_ties_of_the_median_are_broken_by_the_mean(h):
    # replies per day (5 days): i09 0,0,0,5,5 (median 0, mean 2); i11 0 every day (median 0,
    # mean 0). Both have median 0; the lower mean (i11) is the one flagged.
    per_day = {9: [0, 0, 0, 5, 5], 11: [0] * 5, 13: [2] * 5, 19: [3] * 5, 20: [4] * 5}
    msgs, posts = [], []
    for k, day in enumerate(range(12, 17)):
        for hour, counts in per_day.items():
            posts.append((f"p{day}-{hour:02d}", f"2026-10-{day} {hour:02d}:00:00", "g1"))
            n = counts[k]
            msgs += [
                (f"2026-10-{day} {hour:02d}:10:{j:02d}", "g1", f"m{j}", "text") for j in range(n)
            ]
    msgs.append(("2026-10-16 23:00:00", "g1", "m1", "text"))
    adh = h.run(
        h.sop(FIVE),
        messages=h.frame("ts, group_id, member_id, msg_type", msgs),
        posts=h.frame("post_id, ts, group_id", posts),
    )
    items = {i.item_id: i for i in adh.group("g1").scope.items}
    assert (items["i09"].median_replies, items["i09"].mean_replies) == (0, 2)
    assert (items["i11"].median_replies, items["i11"].mean_replies) == (0, 0)
    assert [i for i, it in items.items() if it.bottom] == ["i11"]
    assert items["i09"].silent_share == pytest.approx(3 / 5)
