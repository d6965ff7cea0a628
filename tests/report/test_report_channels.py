"""Channels (渠道, spec §3) on a small hand-built table; every count worked out by hand.

as-of = 2027-01-15, so the retention cohort is first joins on or before as-of − 7 = 01-08 and
the 30-day cohort first joins on or before as-of − 29 = 2026-12-17. The join day is day 1:
retention looks at leaves on days 1..7 (join..join+6), speaking and buying at days 1..30
(join..join+29). s1 is staff.
"""

from __future__ import annotations

import csv
import datetime as dt
import json

import pytest

from sqops.report.channels import Ratio
from sqops.report.render import to_json, to_markdown

D = dt.date
AS_OF = D(2027, 1, 15)


def _tables(h):
    members = h.frame("ts, group_id, member_id, event, channel", [
        ("2026-12-01 09:00", "g1", "a", "join", "poster"),
        ("2026-12-07 10:00", "g1", "a", "leave", None),    # a: leaves on day 7 → not retained
        ("2026-12-01 09:00", "g1", "b", "join", "poster"),
        ("2026-12-08 10:00", "g1", "b", "leave", None),    # b: leaves on day 8 → retained
        ("2026-12-02 08:00", "g1", "c", "leave", None),    # c: a leave BEFORE the first join
        ("2026-12-02 09:00", "g1", "c", "join", "qr"),     #    (same day) → not after it
        ("2026-12-20 09:00", "g1", "c", "join", "ad"),     #    a later join: channel ignored
        ("2026-12-03 09:00", "g1", "d", "join", ""),       # d: empty channel → (none)
        ("2026-12-20 09:00", "g1", "e", "join", "poster"),  # e: after 12-17, on/before 01-08
        ("2027-01-09 09:00", "g1", "f", "join", "poster"),  # f: after 01-08 → joins only
        ("2026-12-17 09:00", "g1", "g", "join", "qr"),     # g: exactly as-of − 29
        ("2026-12-24 09:00", "g1", "g", "leave", None),    #    day 8 → retained
        ("2027-01-08 09:00", "g1", "k", "join", "ad"),     # k: exactly as-of − 7
        ("2027-01-14 09:00", "g1", "k", "leave", None),    #    day 7 → not retained
        ("2026-12-01 09:00", "g1", "s1", "join", "poster"),  # staff → nowhere
        ("2026-12-01 09:00", "g2", "p", "join", "poster"),  # p (g2): stays, speaks, no order
    ])  # fmt: skip
    messages = h.frame("ts, group_id, member_id, msg_type", [
        ("2026-12-30 10:00", "g1", "b", "text"),     # b: day 30 of 12-01 → spoke
        ("2026-12-01 10:00", "g1", "c", "text"),     # c: the day before its join → not after it
        ("2026-12-04 10:00", "g1", "d", "system"),   # d: a system message never counts
        ("2027-01-15 10:00", "g1", "g", "text"),     # g: day 30 of 12-17 → spoke
        ("2026-12-01 10:00", "g1", "s1", "text"),    # staff
        ("2026-12-02 10:00", "g2", "p", "text"),     # p: spoke in g2
    ])  # fmt: skip
    orders = h.frame("order_id, ts, member_id, amount, group_id, status", [
        ("o1", "2026-12-01 10:00", "a", "10", "g1", "paid"),      # a: join day → bought
        ("o2", "2026-12-31 10:00", "b", "10", "g1", "paid"),      # b: day 31 → too late
        ("o3", "2026-12-05 10:00", "c", "10", "g1", "paid"),      # c: day 4 → bought
        ("o4", "2027-01-15 10:00", "g", "10", "g1", "refunded"),  # g: not paid → no
        ("o5", "2026-12-10 10:00", "b", "10", "g2", "paid"),      # b: counted for g2, not g1
    ])  # fmt: skip
    return {"messages": messages, "members": members, "orders": orders}


def _row(rows, channel):
    return next(r for r in rows if r.channel == channel)


def test_channels_per_group_by_hand(h):
    r = h.run(AS_OF, **_tables(h))
    ch = r.channels
    assert ch is not None and ch.available and ch.needs == []
    g1 = ch.groups["g1"]
    # most joins first; ad and (none) tie on 1 join: by name, the empty channel last
    assert [x.channel for x in g1] == ["poster", "qr", "ad", None]
    poster = _row(g1, "poster")
    # joins: a, b, e, f (s1 is staff) = 4
    # retained: cohort a, b, e (f joined after 01-08); a left on day 7 → 2 of 3
    # 30 days: cohort a, b (e joined after 12-17); spoke: b (12-30 is day 30) → 1 of 2;
    # bought: a (o1 on the join day); b's o2 is day 31 and o5 is g2's → 1 of 2
    assert poster.joins == 4
    assert poster.retained_7d == Ratio(2, 3)
    assert poster.spoke_30d == Ratio(1, 2)
    assert poster.bought_30d == Ratio(1, 2)
    qr = _row(g1, "qr")
    # joins: c (first join 12-02 qr; the 12-20 ad join is not its first), g = 2
    # retained: c (its leave came before the join), g (left on day 8) → 2 of 2
    # spoke: g (01-15 is day 30); c spoke only the day before → 1 of 2
    # bought: c (o3); g's order is refunded → 1 of 2
    assert (qr.joins, qr.retained_7d, qr.spoke_30d, qr.bought_30d) == (
        2,
        Ratio(2, 2),
        Ratio(1, 2),
        Ratio(1, 2),
    )
    ad = _row(g1, "ad")
    # k joined 01-08 (= as-of − 7: in the retention cohort) and left on day 7 → 0 of 1;
    # too late for the 30-day cohort → 0 / 0, no value
    assert (ad.joins, ad.retained_7d, ad.spoke_30d, ad.bought_30d) == (
        1,
        Ratio(0, 1),
        Ratio(0, 0),
        Ratio(0, 0),
    )
    assert ad.spoke_30d.value is None
    none = _row(g1, None)
    # d: empty channel; stayed; only a system message; no order
    assert (none.joins, none.retained_7d, none.spoke_30d, none.bought_30d) == (
        1,
        Ratio(1, 1),
        Ratio(0, 1),
        Ratio(0, 1),
    )
    g2 = ch.groups["g2"]
    assert [(x.channel, x.joins, x.retained_7d, x.spoke_30d, x.bought_30d) for x in g2] == [
        ("poster", 1, Ratio(1, 1), Ratio(1, 1), Ratio(0, 1))
    ]


def test_channels_fleet_pools_numerators_and_denominators(h):
    ch = h.run(AS_OF, **_tables(h)).channels
    assert ch is not None
    poster = _row(ch.fleet, "poster")
    # g1's 4 joins + g2's p: retained 2/3 + 1/1, spoke 1/2 + 1/1, bought 1/2 + 0/1
    assert poster.joins == 5
    assert (poster.retained_7d, poster.spoke_30d, poster.bought_30d) == (
        Ratio(3, 4),
        Ratio(2, 3),
        Ratio(1, 3),
    )
    assert poster.retained_7d.value == pytest.approx(0.75)
    assert [x.channel for x in ch.fleet] == ["poster", "qr", "ad", None]


def test_channels_json(h):
    doc = json.loads(to_json(h.run(AS_OF, **_tables(h))))
    ch = doc["channels"]
    assert ch["available"] is True and ch["needs"] == []
    assert sorted(ch["groups"]) == ["g1", "g2"]
    assert ch["fleet"][0] == {
        "channel": "poster",
        "joins": 5,
        "retained_7d": {"numerator": 3, "denominator": 4, "value": 0.75},
        "spoke_30d": {"numerator": 2, "denominator": 3, "value": 0.6667},
        "bought_30d": {"numerator": 1, "denominator": 3, "value": 0.3333},
    }
    assert ch["fleet"][-1]["channel"] is None
    assert ch["groups"]["g1"][2]["spoke_30d"] == {"numerator": 0, "denominator": 0, "value": None}


def test_channels_unavailable_without_the_column_or_the_table(h):
    t = _tables(h)
    without_col = t["members"].drop("channel")
    for tables in (
        {"messages": t["messages"], "members": without_col},
        {"messages": t["messages"]},
    ):
        r = h.run(AS_OF, **tables)
        assert r.channels is not None
        assert (r.channels.available, r.channels.needs) == (False, ["members.channel"])
        assert r.channels.fleet == [] and r.channels.groups == {}
        doc = json.loads(to_json(r))["channels"]
        assert doc == {"available": False, "needs": ["members.channel"], "fleet": [], "groups": {}}
        assert "members" in to_markdown(r) and "channel" in to_markdown(r)


def test_channels_group_without_joins_has_an_empty_list(h):
    msgs = h.frame("ts, group_id, member_id", [("2026-12-02 10:00", "g2", "x")])
    mem = h.frame("ts, group_id, member_id, event, channel", [
        ("2026-12-01 09:00", "g1", "a", "join", "qr"),
    ])  # fmt: skip
    ch = h.run(D(2026, 12, 10), messages=msgs, members=mem).channels
    assert ch is not None
    # a joined 12-01, as-of − 7 = 12-03: in the retention cohort, not in the 30-day one
    assert [(x.channel, x.joins, x.retained_7d, x.spoke_30d) for x in ch.groups["g1"]] == [
        ("qr", 1, Ratio(1, 1), Ratio(0, 0))
    ]
    assert ch.groups["g2"] == []


def test_channels_markdown_and_csv(h, tmp_path):
    from sqops.report.export import write_lists

    r = h.run(AS_OF, **_tables(h))
    text = to_markdown(r)
    assert "## Channels" in text
    assert "| poster | 5 | 75.0% (3/4) | 66.7% (2/3) | 33.3% (1/3) |" in text
    assert "| g1 | (none) | 1 | 100.0% (1/1) | 0.0% (0/1) | 0.0% (0/1) |" in text
    assert "| g1 | ad | 1 | 0.0% (0/1) | — (0/0) | — (0/0) |" in text
    write_lists(r, tmp_path)
    with open(tmp_path / "channels.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][:4] == ["scope", "group_id", "channel", "joins"]
    assert rows[1] == ["fleet", "", "poster", "5", "3", "4", "0.75", "2", "3", "0.6667"] + [
        "1",
        "3",
        "0.3333",
    ]
    # fleet rows (4 channels), then g1's (4) and g2's (1)
    assert [x[0] for x in rows[1:]] == ["fleet"] * 4 + ["group"] * 5
    assert rows[-1][:4] == ["group", "g2", "poster", "1"]
    zh = h.run(AS_OF, **_tables(h))
    zh.lang = "zh"
    assert "## 渠道" in to_markdown(zh) and "（未标注）" in to_markdown(zh)


def test_only_some_groups_pools_their_rows_alone():
    # g1: a (2 joins, retained 1/2), None (1 join); g2: a (1 join, retained 1/1), b (3 joins)
    from sqops.report.channels import ChannelRow, Channels, Ratio

    def row(c, j, r):
        return ChannelRow(c, j, Ratio(*r), Ratio(0, 0), Ratio(0, 0))

    ch = Channels(
        True,
        [],
        [],
        {
            "g1": [row("a", 2, (1, 2)), row(None, 1, (0, 1))],
            "g2": [row("b", 3, (3, 3)), row("a", 1, (1, 1))],
            "g3": [row("c", 9, (9, 9))],
        },
    )
    part = ch.only({"g1", "g2"})
    assert list(part.groups) == ["g1", "g2"]
    # a: 2 + 1 = 3 joins, retained (1 + 1) / (2 + 1); b: 3; None last among equals
    assert [(r.channel, r.joins, r.retained_7d) for r in part.fleet] == [
        ("a", 3, Ratio(2, 3)),
        ("b", 3, Ratio(3, 3)),
        (None, 1, Ratio(0, 1)),
    ]
