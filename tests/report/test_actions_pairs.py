"""Member actions joined by one integer per (group, member) pair (session 19): a member of
two groups keeps each group's facts apart — a KOC of one group is none of the other's, and a
coupon issued in one group is a reminder there only. Counted by hand."""

from __future__ import annotations

import datetime as dt

import polars as pl

from sqops.report.build import Settings, build_report

from .conftest import frame

D = dt.date
AS_OF = D(2027, 1, 10)


def test_a_member_of_two_groups_gets_each_groups_action():
    # k: 5 messages on each of 7 days in g1 (a KOC there: 7 active days, 35 messages) and
    # one message in g2; m2: one message in each group. cp9: k's coupon in g2, cp8: m2's in
    # g1, neither on a paid order.
    msgs = [(f"2027-01-{d:02d} 10:{i:02d}", "g1", "k") for d in range(1, 8) for i in range(5)]
    msgs += [
        ("2027-01-09 10:00", "g2", "k"),
        ("2027-01-09 11:00", "g1", "m2"),
        ("2027-01-09 12:00", "g2", "m2"),
    ]
    tables = {
        "messages": frame("ts, group_id, member_id", msgs),
        "orders": frame(
            "order_id, ts, group_id, member_id, amount, status, coupon_id",
            [("o1", "2027-01-09 13:00", "g1", "m2", "10", "paid", None)],
        ),
        "coupons": frame(
            "coupon_id, member_id, ts, group_id",
            [("cp9", "k", "2027-01-02 10:00", "g2"), ("cp8", "m2", "2027-01-02 10:00", "g1")],
        ),
    }
    settings = Settings(day0={"g1": D(2026, 12, 1), "g2": D(2026, 12, 1)})
    report = build_report(tables, settings=settings, as_of=AS_OF)
    t = report.actions.table
    got = {
        (r["group_id"], r["member_id"]): (r["koc"], r["unused_coupons"], r["action"])
        for r in t.iter_rows(named=True)
    }
    assert got == {
        ("g1", "k"): (True, 0, "koc_care"),
        ("g1", "m2"): (False, 1, "coupon_reminder"),
        ("g2", "k"): (False, 1, "coupon_reminder"),
        ("g2", "m2"): (False, 0, "none"),
    }
    counts = report.to_dict()["actions"]["counts"]
    assert counts["g1"]["koc_care"] == 1 and counts["g1"]["coupon_reminder"] == 1
    assert counts["g2"]["coupon_reminder"] == 1 and counts["g2"]["none"] == 1
    assert counts["g2"]["koc_care"] == 0


def test_kocs_count_each_groups_referrals_and_activity_apart(h):
    # as-of 12-31: the KOC window is 12-02..12-31. a and b speak once on each of 7 days in
    # g1 (7 active days, 7 messages: a KOC needs a referral then); b invites n3 into g1, a
    # invites n2 into g2 only — a referral of g2, not of g1 — and a speaks in g2 once
    rows = [("2026-12-01 09:00", g, m, "join", None) for g in ("g1", "g2") for m in ("a", "b")]
    rows += [
        ("2026-12-10 09:00", "g2", "n2", "join", "a"),
        ("2026-12-11 09:00", "g1", "n3", "join", "b"),
    ]
    mem = h.frame("ts, group_id, member_id, event, inviter_id", rows)
    msgs = [(f"2026-12-{d:02d} 10:00", "g1", m) for d in range(20, 27) for m in ("a", "b")]
    msgs += [("2026-12-20 11:00", "g2", "a")]
    r = h.run(D(2026, 12, 31), messages=h.frame("ts, group_id, member_id", msgs), members=mem)
    from sqops.report.kpis import koc_table

    assert r.prepared is not None
    got = koc_table(r.prepared).with_columns(pl.col("group_id", "member_id").cast(pl.String))
    assert got.rows() == [("g1", "b", 7, 7, 1)]
    # members on 12-31: g1 a, b, n3; g2 a, b, n2
    assert h.nd(r, "koc_share", "g1") == (1, 3)
    assert h.nd(r, "koc_share", "g2") == (0, 3)
