"""Every KPI of spec §2 on small hand-built tables; expectations worked out by hand.

Group g1 has day 0 (D0) = 2026-12-01 (from the settings, as an SOP's groups[].launched_on).
Day index n is 2026-12-01 + n days. s1 is staff (as the SOP's roles[].members).
"""

from __future__ import annotations

import datetime as dt

import pytest

from sqops.data.membership import post_opens
from sqops.data.tables import prepare_tables

D = dt.date


# ------------------------------------------------------------------ launch: W = 12-01..12-07
def test_join_rate(h):
    msgs = h.frame("ts, group_id, member_id", [("2026-12-01 10:00", "g1", "a")])
    mem = h.frame("ts, group_id, member_id, event", [
        ("2026-12-01 10:00", "g1", "a", "invited"),
        ("2026-12-01 11:00", "g1", "a", "join"),      # a: joined after the invitation → yes
        ("2026-12-02 10:00", "g1", "b", "invited"),
        ("2026-12-08 10:00", "g1", "b", "join"),      # b: joined after day e (12-07) → no
        ("2026-12-03 09:00", "g1", "c", "join"),
        ("2026-12-03 10:00", "g1", "c", "invited"),   # c: the join came before the invitation → no
        ("2026-11-30 10:00", "g1", "d", "invited"),   # d: invited before W → not counted
        ("2026-12-02 10:00", "g1", "s1", "invited"),  # staff → not counted
        ("2026-12-02 10:00", "g1", "e", "invited"),   # e: first invitation in W is 12-02
        ("2026-12-03 10:00", "g1", "e", "join"),      #    joined after it → yes
        ("2026-12-04 10:00", "g1", "e", "invited"),
    ])  # fmt: skip
    r = h.run(D(2026, 12, 10), messages=msgs, members=mem)
    # invited in W: a, b, c, e (4); joined at/after the first invitation by 12-07: a, e (2)
    assert h.nd(r, "join_rate") == (2, 4)
    assert h.kpi(r, "join_rate").value == pytest.approx(0.5)
    assert h.kpi(r, "join_rate").status == "good"


def test_join_rate_keeps_each_group_s_members_apart(h):
    # the invitations and joins are matched by one integer per (group, member): a member
    # invited to g1 who joined g2 only has not joined g1
    msgs = h.frame("ts, group_id, member_id", [
        ("2026-12-01 10:00", "g1", "a"), ("2026-12-01 10:00", "g2", "z"),
    ])  # fmt: skip
    mem = h.frame("ts, group_id, member_id, event", [
        ("2026-12-01 10:00", "g1", "a", "invited"),
        ("2026-12-01 11:00", "g2", "a", "join"),      # a joined the other group
        ("2026-12-01 10:00", "g1", "b", "invited"),
        ("2026-12-01 12:00", "g1", "b", "join"),      # b joined g1 → yes
        ("2026-12-01 10:00", "g2", "b", "invited"),   # b not in g2
    ])  # fmt: skip
    r = h.run(D(2026, 12, 10), messages=msgs, members=mem)
    assert h.nd(r, "join_rate", "g1") == (1, 2)
    assert h.nd(r, "join_rate", "g2") == (0, 1)


def _launch_members(h):
    return h.frame("ts, group_id, member_id, event, member_name", [
        ("2026-12-01 09:00", "g1", "a", "join", "aa"),
        ("2026-12-01 18:00", "g1", "a", "leave", None),    # joins and leaves the same day
        ("2026-12-02 09:00", "g1", "b", "join", "bb"),
        ("2026-12-02 09:00", "g1", "c", "join", "cc"),
        ("2026-12-09 09:00", "g1", "c", "leave", None),    # leaves after day e (12-07)
        ("2026-12-03 09:00", "g1", "x", "leave", None),    # a leave without a join
        ("2026-12-04 09:00", "g1", "a", "profile_complete", None),
    ])  # fmt: skip


def test_profile_completion_rate(h):
    # b renames to 上海-小b in chat (a last known name matching the pattern); c keeps "cc"
    msgs = h.frame("ts, group_id, member_id, member_name", [
        ("2026-12-02 10:00", "g1", "b", "bb"),
        ("2026-12-05 10:00", "g1", "b", "上海-小b"),
        ("2026-12-05 10:00", "g1", "c", "cc"),
        ("2026-12-08 10:00", "g1", "c", "南京-c"),  # renamed after day e: too late
    ])  # fmt: skip
    r = h.run(D(2026, 12, 10), pattern="^[^-]+-.+$", messages=msgs, members=_launch_members(h))
    # joined in W: a, b, c (3); complete by 12-07: a (event), b (name) → 2
    assert h.nd(r, "profile_completion_rate") == (2, 3)


def test_profile_completion_without_pattern_counts_events_only(h):
    msgs = h.frame("ts, group_id, member_id", [("2026-12-02 10:00", "g1", "b")])
    r = h.run(D(2026, 12, 10), messages=msgs, members=_launch_members(h))
    assert h.nd(r, "profile_completion_rate") == (1, 3)


def test_profile_completion_unavailable_without_events_or_pattern(h):
    msgs = h.frame("ts, group_id, member_id", [("2026-12-02 10:00", "g1", "b")])
    mem = h.frame("ts, group_id, member_id, event", [("2026-12-01 09:00", "g1", "a", "join")])
    k = h.kpi(h.run(D(2026, 12, 10), messages=msgs, members=mem), "profile_completion_rate")
    assert (k.available, k.value, k.status) == (False, None, "unavailable")
    assert "members: profile_complete" in k.needs


def test_first_week_retention(h):
    msgs = h.frame("ts, group_id, member_id", [("2026-12-02 10:00", "g1", "b")])
    r = h.run(D(2026, 12, 10), messages=msgs, members=_launch_members(h))
    # joined in W: a, b, c; a left the same day (not retained); c left after 12-07 (retained)
    assert h.nd(r, "first_week_retention") == (2, 3)


def test_presence_intervals_edges(h):
    msgs = h.frame("ts, group_id, member_id, msg_type", [
        ("2026-12-02 10:00", "g1", "b", "text"),
        ("2026-12-06 10:00", "g1", "a", "text"),   # a speaks on a day they were not present
        ("2026-12-03 10:00", "g1", "y", "system"),  # a join notice: never makes y a member
        ("2026-12-03 11:00", "g1", "z", "text"),    # z: not in members at all → from D0
    ])  # fmt: skip
    r = h.run(D(2026, 12, 10), messages=msgs, members=_launch_members(h))
    pres = {(m, s, e) for _, m, s, e in r.prepared.presence.iter_rows()}
    from sqops.data.membership import to_int

    d = lambda day: to_int(D(2026, 12, day))  # noqa: E731
    assert pres == {
        ("a", d(1), d(1)),   # join + leave the same day
        ("a", d(6), d(6)),   # the day a spoke
        ("b", d(2), d(10)),  # open to as-of
        ("c", d(2), d(9)),
        ("x", d(1), d(3)),   # leave without join: from D0 to the leave day
        ("z", d(1), d(10)),  # message only: from D0
    }  # fmt: skip
    assert r.basis == "membership"


# ------------------------------------------------------------------ activation: W = 12-08..as-of
def _activation(h):
    msgs = h.frame("ts, group_id, member_id, msg_type, role", [
        ("2026-12-09 10:00", "g1", "a", "text", None),
        ("2026-12-11 10:00", "g1", "b", "system", None),   # system: not speaking
        ("2026-12-15 10:00", "g1", "d", "text", None),      # d: no member events → from D0
        ("2026-12-15 10:00", "g1", "s1", "text", None),     # staff (SOP)
        ("2026-12-16 10:00", "g1", "s2", "text", "staff"),  # staff (role column)
        ("2026-12-16 10:00", "g1", "e", "system", None),    # e: system only → not a member
    ])  # fmt: skip
    mem = h.frame("ts, group_id, member_id, event", [
        ("2026-12-01 09:00", "g1", "a", "join"),
        ("2026-12-10 09:00", "g1", "b", "join"),
        ("2026-12-12 09:00", "g1", "b", "leave"),
        ("2026-12-05 09:00", "g1", "f", "leave"),  # present 12-01..12-05 only: not in W
    ])  # fmt: skip
    return msgs, mem


def test_speaking_rate_excludes_staff_and_system(h):
    msgs, mem = _activation(h)
    r = h.run(D(2026, 12, 20), messages=msgs, members=mem)
    # members in W (12-08..12-20): a, b, d; speakers: a, d
    assert h.nd(r, "speaking_rate") == (2, 3)
    assert r.groups[0].current_stage == "activation"


def test_participation_rate_with_attribution(h):
    msgs, mem = _activation(h)
    eng = h.frame("ts, member_id, event, group_id", [
        ("2026-12-09 10:00", "a", "participate", "g1"),
        ("2026-12-11 10:00", "b", "participate", None),   # no group: b is present in g1 that day
        ("2026-12-05 10:00", "d", "participate", "g1"),   # before W
        ("2026-12-09 10:00", "s1", "participate", "g1"),  # staff
        ("2026-12-09 10:00", "q", "participate", None),   # q is in no group: unattributed
    ])  # fmt: skip
    r = h.run(D(2026, 12, 20), messages=msgs, members=mem, engagement=eng)
    assert h.nd(r, "participation_rate") == (2, 3)
    assert r.prepared.unattributed["engagement"] == 1


def test_content_open_rate(h):
    msgs, mem = _activation(h)
    posts = h.frame("post_id, ts, group_id", [
        ("p1", "2026-12-09 20:00", "g1"),
        ("p2", "2026-12-15 10:00", "g1"),
        ("p0", "2026-12-03 10:00", "g1"),  # before W
    ])  # fmt: skip
    eng = h.frame("ts, member_id, event, post_id", [
        ("2026-12-10 19:00", "a", "open", "p1"),
        ("2026-12-10 19:30", "a", "open", "p1"),   # the same member twice → once
        ("2026-12-11 21:00", "b", "open", "p1"),   # 49 h after the post → too late
        ("2026-12-15 11:00", "d", "open", "p2"),
        ("2026-12-15 11:00", "s1", "open", "p2"),  # staff
        ("2026-12-03 11:00", "a", "open", "p0"),
    ])  # fmt: skip
    r = h.run(D(2026, 12, 20), messages=msgs, members=mem, posts=posts, engagement=eng)
    # p1: 1 opener / members on 12-09 (a, d) = 2; p2: 1 / members on 12-15 (a, d) = 2
    assert h.nd(r, "content_open_rate") == (2, 4)
    # the openers per post, as the adherence section reads them too: computed once per
    # staff set and as-of day and kept on the tables
    tables = prepare_tables({"messages": msgs, "posts": posts, "engagement": eng})
    opened = post_opens(tables, {"s1"}, D(2026, 12, 20))
    assert sorted(opened.iter_rows()) == [("p0", 1), ("p1", 1), ("p2", 1)]
    assert post_opens(tables, ["s1"], D(2026, 12, 20)) is opened
    earlier = post_opens(tables, {"s1"}, D(2026, 12, 10))  # p2 not yet posted
    assert sorted(earlier.iter_rows()) == [("p0", 1), ("p1", 1)]
    assert sorted(post_opens(tables, set(), D(2026, 12, 20)).iter_rows())[-1] == ("p2", 2)
    assert post_opens(prepare_tables({"messages": msgs}), {"s1"}, D(2026, 12, 20)) is None


# ------------------------------------------------------------------ monetisation
def _shop(h):
    # speakers-only basis: a, b, c present from D0
    msgs = h.frame("ts, group_id, member_id", [
        ("2026-12-02 10:00", "g1", "a"), ("2026-12-02 10:00", "g1", "b"), ("2026-12-02 10:00", "g1", "c"),
    ])  # fmt: skip
    orders = h.frame("order_id, ts, member_id, amount, group_id, status, coupon_id", [
        ("o1", "2027-01-02 10:00", "a", "100", "g1", "paid", "k1"),
        ("o1", "2027-01-02 10:00", "a", "100", "g1", "paid", "k1"),  # duplicate id: once
        ("o2", "2027-01-03 10:00", "b", "50", "g1", "refunded", "k2"),  # refund: not paid
        ("o3", "2026-12-20 10:00", "c", "30", "g1", "paid", None),      # before W
        ("o4", "2027-01-05 10:00", "a", "20", None, None, None),        # no group, no status: g1, paid
        ("o5", "2027-01-05 10:00", "s1", "999", "g1", "paid", None),    # staff
        ("o6", "2027-01-06 10:00", "x", "10", "g1", "paid", None),      # not a member
        ("o7", "2027-01-11 10:00", "c", "40", "g1", "paid", "k5"),      # after as-of
    ])  # fmt: skip
    coupons = h.frame("coupon_id, member_id, ts, group_id", [
        ("k1", "a", "2027-01-01 09:00", "g1"),  # used on o1 → used
        ("k2", "b", "2027-01-02 09:00", "g1"),  # used on a refunded order → not used
        ("k3", "c", "2026-12-25 09:00", "g1"),  # issued before W
        ("k4", "c", "2027-01-08 09:00", "g1"),  # never used
        ("k5", "c", "2027-01-09 09:00", "g1"),  # used after as-of → not by day e
    ])  # fmt: skip
    return msgs, orders, coupons


AS_OF_MON = D(2027, 1, 10)  # day 40: monetisation W = 12-31..01-10


def test_conversion_rate(h):
    msgs, orders, coupons = _shop(h)
    r = h.run(AS_OF_MON, messages=msgs, orders=orders, coupons=coupons)
    assert r.basis == "speakers"
    assert r.groups[0].current_stage == "monetisation"
    # members in W: a, b, c; buyers among them with a paid order in W: a
    assert h.nd(r, "conversion_rate") == (1, 3)


def test_aov_counts_paid_orders_whoever_placed_them(h):
    msgs, orders, coupons = _shop(h)
    r = h.run(AS_OF_MON, messages=msgs, orders=orders, coupons=coupons)
    # paid in W, non-staff: o1 100, o4 20, o6 10 → 130 / 3
    assert h.nd(r, "aov") == (130, 3)
    assert h.kpi(r, "aov").status == "no_target"
    q = {t["table"]: t for t in r.data_quality["tables"]}
    assert q["orders"]["duplicates"] == 1 and q["orders"]["first_duplicate_rows"] == [2]
    assert q["orders"]["after_as_of"] == 1


def test_coupon_usage_rate(h):
    msgs, orders, coupons = _shop(h)
    r = h.run(AS_OF_MON, messages=msgs, orders=orders, coupons=coupons)
    # issued in W: k1, k2, k4, k5 (k3 before W); used by day e on a paid order: k1
    assert h.nd(r, "coupon_usage_rate") == (1, 4)


def test_coupon_usage_unavailable_without_coupon_column(h):
    msgs, orders, coupons = _shop(h)
    r = h.run(AS_OF_MON, messages=msgs, orders=orders.drop("coupon_id"), coupons=coupons)
    k = h.kpi(r, "coupon_usage_rate")
    assert (k.available, k.value, k.needs) == (False, None, ["orders.coupon_id"])


# ------------------------------------------------------------------ retention
AS_OF_RET = D(2027, 3, 11)  # day 100: W = day 90 (03-01) .. 03-11


def test_weekly_active_rate_one_block(h):
    msgs = h.frame("ts, group_id, member_id", [
        ("2026-12-02 10:00", "g1", "a"), ("2026-12-02 10:00", "g1", "b"),
        ("2026-12-02 10:00", "g1", "c"), ("2026-12-02 10:00", "g1", "d"),
        ("2027-03-06 10:00", "g1", "a"),  # in the block 03-05..03-11
        ("2027-03-04 10:00", "g1", "b"),  # in 02-26..03-04: that block starts before W
    ])  # fmt: skip
    r = h.run(AS_OF_RET, messages=msgs)
    # one block fits: speakers a (1) / members on 03-11: a, b, c, d (4)
    assert h.nd(r, "weekly_active_rate") == (1, 4)


def test_weekly_active_rate_two_blocks(h):
    msgs = h.frame("ts, group_id, member_id", [
        ("2026-12-02 10:00", "g1", "a"), ("2026-12-02 10:00", "g1", "b"),
        ("2027-03-18 10:00", "g1", "a"),  # block 03-12..03-18
        ("2027-03-10 10:00", "g1", "a"),  # block 03-05..03-11
        ("2027-03-11 10:00", "g1", "b"),
    ])  # fmt: skip
    r = h.run(D(2027, 3, 18), messages=msgs)  # day 107: W = 03-01..03-18
    assert h.nd(r, "weekly_active_rate") == (3, 4)


def test_weekly_active_unavailable_until_a_block_fits(h):
    msgs = h.frame("ts, group_id, member_id", [("2026-12-02 10:00", "g1", "a")])
    r = h.run(D(2027, 3, 3), messages=msgs)  # day 92: no full block inside 03-01..03-03
    k = h.kpi(r, "weekly_active_rate")
    assert (k.value, k.status, k.available) == (None, "unavailable", False)
    assert k.needs == ["retention: a full 7-day block (from day 97, day index 96)"]
    f = next(k for k in r.fleet if k.name == "weekly_active_rate")
    assert (f.status, f.available) == ("unavailable", False)
    # day 96: the block as-of−6..as-of = days 90..96 fits
    r = h.run(D(2027, 3, 7), messages=msgs)
    assert h.nd(r, "weekly_active_rate") == (0, 1)


def test_weekly_active_rate_leaver_counts_in_neither(h):
    """Spec §2 (retention): a speaker who left before a block's last day counts in neither
    the numerator nor the denominator of that block."""
    msgs = h.frame("ts, group_id, member_id", [
        ("2027-03-12 10:00", "g1", "a"),  # block 03-12..03-18: a speaks, still there on 03-18
        ("2027-03-13 10:00", "g1", "b"),  # b speaks, leaves 03-15: before the last day 03-18
        ("2027-03-06 10:00", "g1", "b"),  # block 03-05..03-11: b speaks, present on 03-11
        ("2027-03-06 10:00", "g1", "c"),  # c speaks, leaves 03-11 = the last day: present
    ])  # fmt: skip
    mem = h.frame("ts, group_id, member_id, event", [
        ("2026-12-01 09:00", "g1", "a", "join"),
        ("2026-12-01 09:00", "g1", "b", "join"),
        ("2026-12-01 09:00", "g1", "c", "join"),
        ("2026-12-01 09:00", "g1", "d", "join"),       # d never speaks
        ("2027-03-11 20:00", "g1", "c", "leave"),
        ("2027-03-15 20:00", "g1", "b", "leave"),
    ])  # fmt: skip
    r = h.run(D(2027, 3, 18), messages=msgs, members=mem)  # W = 03-01..03-18: two blocks
    # block 03-12..03-18: members on 03-18: a, d (2); speakers among them: a (1) — b left
    # block 03-05..03-11: members on 03-11: a, b, c, d (4); speakers among them: b, c (2)
    # (the old count took b in the first block's numerator too: 4 / 6)
    assert h.nd(r, "weekly_active_rate") == (3, 6)


def test_repurchase_rate(h):
    msgs = h.frame("ts, group_id, member_id", [("2026-12-02 10:00", "g1", "a")])
    orders = h.frame("order_id, ts, member_id, amount, group_id, status", [
        ("o1", "2026-12-05 10:00", "a", "10", "g1", "paid"),
        ("o2", "2027-02-05 10:00", "a", "10", "g1", "paid"),      # a: two days → repeat buyer
        ("o3", "2027-01-05 10:00", "b", "10", "g1", "paid"),
        ("o4", "2027-01-05 18:00", "b", "10", "g1", "paid"),      # b: two orders, one day
        ("o5", "2027-01-05 10:00", "c", "10", "g1", "paid"),
        ("o6", "2027-01-09 10:00", "c", "10", "g1", "refunded"),  # refund does not count
    ])  # fmt: skip
    r = h.run(AS_OF_RET, messages=msgs, orders=orders)
    assert h.nd(r, "repurchase_rate") == (1, 3)


def test_churn_and_dormant(h):
    msgs = h.frame("ts, group_id, member_id", [
        ("2027-03-05 10:00", "g1", "a"),  # a spoke in the last 30 days
        ("2027-01-05 10:00", "g1", "b"),  # b silent since January
        ("2027-01-05 10:00", "g1", "c"),
        ("2027-03-10 10:00", "g1", "s1"),
    ])  # fmt: skip
    mem = h.frame("ts, group_id, member_id, event", [
        ("2026-12-01 09:00", "g1", "a", "join"),
        ("2026-12-01 09:00", "g1", "b", "join"),
        ("2026-12-01 09:00", "g1", "c", "join"),
        ("2027-03-05 09:00", "g1", "c", "leave"),  # c leaves inside 03-01..03-11
        ("2027-02-20 09:00", "g1", "d", "join"),   # d: present since 02-20, not every day since 02-10
        ("2027-02-01 09:00", "g1", "e", "join"),
        ("2027-02-25 09:00", "g1", "e", "leave"),  # e left before f = 03-01
    ])  # fmt: skip
    r = h.run(AS_OF_RET, messages=msgs, members=mem)
    # churn: f = day 90 = 03-01; members on f: a, b, c, d (4); left in f..as-of: c
    assert h.nd(r, "churn_rate") == (1, 4)
    assert h.kpi(r, "churn_rate").status == "bad"  # 0.25 > floor 0.15 (lower is better)
    # dormant: present every day 02-10..03-11: a, b (c left, d joined late); silent: b
    assert h.nd(r, "dormant_rate") == (1, 2)
    assert h.kpi(r, "dormant_rate").status == "good"  # 0.5 <= target 0.5


# ------------------------------------------------------------------ propagation
def test_fission_referral_koc(h):
    # as-of 12-31 (day 30): T = 12-02..12-31, its first day 12-02
    rows = [("2026-12-01 09:00", "g1", m, "join", None) for m in ("a", "b", "c", "d")]
    rows += [
        ("2026-12-02 09:00", "g1", "n1", "join", "a"),  # on T's first day: not counted
        ("2026-12-10 09:00", "g1", "n2", "join", "a"),
        ("2026-12-11 09:00", "g1", "n3", "join", "b"),
        ("2026-12-12 09:00", "g1", "n4", "join", "s1"),  # staff inviter: not fission
        ("2026-12-13 09:00", "g1", "n3", "leave", None),
        ("2026-12-14 09:00", "g1", "n3", "join", "b"),  # n3 again: distinct joiners count once
    ]
    mem = h.frame("ts, group_id, member_id, event, inviter_id", rows)
    msgs = [(f"2026-12-{d:02d} 10:00", "g1", "a") for d in range(20, 27)]  # a: 7 days, 7 msgs
    msgs += [
        (f"2026-12-{d:02d} 1{k}:00", "g1", "b") for d in range(20, 26) for k in range(6)
    ]  # b: 6 days, 36
    msgs += [
        (f"2026-12-{d:02d} 1{k}:00", "g1", "c") for d in range(10, 20) for k in range(3)
    ]  # c: 10 days, 30
    r = h.run(D(2026, 12, 31), messages=h.frame("ts, group_id, member_id", msgs), members=mem)
    # members on 12-02: a, b, c, d, n1 (5); joins 12-03..12-31 with a non-staff inviter: n2, n3
    assert h.nd(r, "fission_rate") == (2, 5)
    # members on 12-31: a, b, c, d, n1, n2, n3, n4 (8); inviters among them: a, b
    assert h.nd(r, "referral_rate") == (2, 8)
    # KOC: a (7 days + 2 referrals), c (10 days + 30 messages); b has only 6 days
    assert h.nd(r, "koc_share") == (2, 8)


# ------------------------------------------------------------------ time, stages, fleet
def test_naive_and_offset_times_around_midnight(h):
    msgs = h.frame("ts, group_id, member_id", [
        ("2026-12-01 10:00", "g1", "z"),
        ("2026-12-07T16:10:00Z", "g1", "a"),        # 12-08 00:10 in Shanghai → in W
        ("2026-12-07T23:59:00+08:00", "g1", "b"),   # 12-07 → before W
        ("2026-12-08 00:00:00", "g1", "c"),         # naive = Shanghai midnight → in W
        ("1796572740", "g1", "d"),                  # epoch 2026-12-06T15:59Z = 12-06 23:59 local
    ])  # fmt: skip
    r = h.run(D(2026, 12, 10), messages=msgs)
    # speakers-only: z, a, b, c, d present from D0; speakers in 12-08..12-10: a, c
    assert h.nd(r, "speaking_rate") == (2, 5)


def test_stage_statuses(h):
    msgs = h.frame("ts, group_id, member_id", [("2026-12-02 10:00", "g1", "a")])
    r = h.run(D(2026, 12, 10), messages=msgs)  # day 9
    st = {s.stage: (s.status, s.window) for s in r.groups[0].stages}
    assert st["launch"] == ("complete", (D(2026, 12, 1), D(2026, 12, 7)))
    assert st["activation"] == ("in_progress", (D(2026, 12, 8), D(2026, 12, 10)))
    assert st["monetisation"] == ("not_started", (D(2026, 12, 31), D(2027, 2, 28)))
    assert st["retention"] == ("not_started", (D(2027, 3, 1), None))
    assert st["propagation"][0] == "in_progress"
    assert r.groups[0].current_stage == "activation"
    assert r.groups[0].day_index == 9
    k = h.kpi(r, "conversion_rate")
    assert k.status == "unavailable" and k.needs == ["orders"]  # missing table: never 0
    assert h.kpi(r, "weekly_active_rate").status == "not_started"


def test_day0_defaults_to_earliest_day(h):
    msgs = h.frame(
        "ts, group_id, member_id",
        [("2026-12-05 10:00", "g9", "a"), ("2026-12-20 10:00", "g9", "a")],
    )
    r = h.run(None, messages=msgs, day0={})
    assert r.as_of == D(2026, 12, 20)  # the latest day in the data
    assert r.groups[0].day0 == D(2026, 12, 5) and r.groups[0].day_index == 15


def test_fleet_pools_numerators_and_denominators(h):
    msgs = h.frame("ts, group_id, member_id", [
        ("2026-12-02 10:00", "g1", "a"), ("2026-12-02 10:00", "g1", "b"),
        ("2026-12-09 10:00", "g1", "a"),
        ("2026-12-02 10:00", "g2", "c"), ("2026-12-02 10:00", "g2", "d"), ("2026-12-02 10:00", "g2", "e"),
        ("2026-12-09 10:00", "g2", "c"), ("2026-12-09 10:00", "g2", "d"),
    ])  # fmt: skip
    r = h.run(D(2026, 12, 10), messages=msgs)
    assert h.nd(r, "speaking_rate", "g1") == (1, 2)
    assert h.nd(r, "speaking_rate", "g2") == (2, 3)
    assert h.nd(r, "speaking_rate", None) == (3, 5)  # Σ num / Σ den, not the mean of rates
    assert next(k for k in r.fleet if k.name == "speaking_rate").value == pytest.approx(0.6)


def test_status_thresholds():
    from sqops.report.build import status_of

    assert status_of("speaking_rate", 0.30, 0.30, 0.05) == "good"
    assert status_of("speaking_rate", 0.29, 0.30, 0.05) == "warn"
    assert status_of("speaking_rate", 0.05, 0.30, 0.05) == "warn"
    assert status_of("speaking_rate", 0.04, 0.30, 0.05) == "bad"
    assert status_of("churn_rate", 0.05, 0.05, 0.15) == "good"
    assert status_of("churn_rate", 0.10, 0.05, 0.15) == "warn"
    assert status_of("churn_rate", 0.16, 0.05, 0.15) == "bad"
    assert status_of("aov", 120.0, None, None) == "no_target"


def test_order_without_group_goes_to_where_the_member_last_spoke_even_with_group_filter(h):
    # a is in g1 and g2 (speakers-only basis, both from D0); a last spoke in g2 before the
    # order, so the order without group_id is g2's (spec §2) — also when only g1 is reported
    msgs = h.frame("ts, group_id, member_id", [
        ("2026-12-02 10:00", "g1", "a"), ("2026-12-02 10:00", "g1", "b"),
        ("2027-01-04 10:00", "g2", "a"), ("2027-01-03 10:00", "g1", "a"),
    ])  # fmt: skip
    orders = h.frame("order_id, ts, member_id, amount", [("o1", "2027-01-05 10:00", "a", "100")])
    full = h.run(AS_OF_MON, messages=msgs, orders=orders)
    assert h.nd(full, "conversion_rate", "g1") == (0, 2)
    assert h.nd(full, "conversion_rate", "g2") == (1, 1)
    from sqops.report.build import Settings, build_report

    settings = Settings(staff_ids=frozenset({"s1"}), day0={"g1": h.D0, "g2": h.D0})
    only_g1 = build_report(
        {"messages": msgs, "orders": orders}, settings=settings, as_of=AS_OF_MON, groups=["g1"]
    )
    assert [g.group_id for g in only_g1.groups] == ["g1"]
    assert h.nd(only_g1, "conversion_rate", "g1") == (0, 2)  # was (1, 2) when g2 was not built
    only_g2 = build_report(
        {"messages": msgs, "orders": orders}, settings=settings, as_of=AS_OF_MON, groups=["g2"]
    )
    assert h.nd(only_g2, "conversion_rate", "g2") == (1, 1)
