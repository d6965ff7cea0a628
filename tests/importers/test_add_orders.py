"""``Context.add_orders`` adds orders exactly as ``Context.order`` does one at a time: the
same stored rows (sequence numbers included), hence the same orders table, dedupe and counts
after ``finish`` — checked on random orders, added in random mixes of the two ways."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sqops.data.scalars import ts_text
from sqops.importers._base import Context

_TZ = ZoneInfo("Asia/Shanghai")

_ORDER = st.fixed_dictionaries(
    {
        "order_id": st.sampled_from(["#1001", "#1002", "#1003", "Y-9", "订单7"]),
        "ts": st.datetimes(
            min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2026, 12, 31)
        ).map(lambda d: d.replace(tzinfo=_TZ)),
        "member_id": st.sampled_from(["a@x.com", "tel:13800000000", "name:阿青", "c9"]),
        "amount": st.sampled_from([0.0, 1.5, 99.9, 128.0, 0.1 + 0.2]),
        "status": st.sampled_from(["paid", "refunded", "cancelled"]),
        "group_id": st.sampled_from([None, "", "g1", "g2"]),
        "coupon_id": st.sampled_from([None, "", "SAVE10"]),
    }
)


def _frame(orders: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "_t": [o["ts"].timestamp() for o in orders],
            "ts": [ts_text(o["ts"]) for o in orders],
            **{
                c: [o[c] for o in orders]
                for c in ("order_id", "member_id", "amount", "status", "group_id", "coupon_id")
            },
        },
        schema_overrides={"group_id": pl.String, "coupon_id": pl.String, "amount": pl.Float64},
    )


@pytest.mark.fuzz
@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.booleans(), st.lists(_ORDER, max_size=5)), max_size=6),
    st.sampled_from([None, "G"]),
)
def test_add_orders_is_order_row_by_row(steps, group_id):
    one = Context(tz=_TZ, group_id=group_id)
    mixed = Context(tz=_TZ, group_id=group_id)
    for bulk, orders in steps:
        for o in orders:
            one.order(**o)
        if bulk:
            mixed.add_orders(_frame(orders))
        else:
            for o in orders:
                mixed.order(**o)
        one.message(
            ts=dt.datetime(2026, 6, 1, tzinfo=_TZ), group_id="g1", member_id="m"
        )  # (a message between: the sequence goes on across tables)
        mixed.message(ts=dt.datetime(2026, 6, 1, tzinfo=_TZ), group_id="g1", member_id="m")
    assert mixed._all_orders().equals(one._all_orders())
    a, b = one.finish(), mixed.finish()
    assert a.counts == b.counts
    assert a.tables.keys() == b.tables.keys()
    for name, table in a.tables.items():
        assert b.tables[name].equals(table), name


def test_add_orders_hand_made():
    ctx = Context(tz=_TZ)
    when = dt.datetime(2026, 12, 1, 20, 15, tzinfo=_TZ)
    ctx.add_orders(
        pl.DataFrame(
            {
                "_t": [when.timestamp()] * 3,
                "ts": [ts_text(when)] * 3,
                "order_id": ["#1", "#2", "#1"],
                "member_id": ["a", "b", "a"],
                "amount": [10.0, 0.0, 10.0],
                "coupon_id": ["", "X", None],
            }
        )
    )
    got = ctx.finish()
    # three rows, "#1" twice: one duplicate dropped; status "paid" by default; the empty
    # coupon is none; sorted by time then order id
    assert got.counts["duplicate_orders"] == 1
    orders = got.tables["orders"]
    assert orders["order_id"].to_list() == ["#1", "#2"]
    assert orders["status"].to_list() == ["paid", "paid"]
    assert orders["coupon_id"].to_list() == [None, "X"]
    assert orders["ts"].to_list() == ["2026-12-01T20:15:00+08:00"] * 2


def test_add_orders_refuses_an_unknown_status():
    ctx = Context(tz=_TZ)
    frame = _frame(
        [
            {
                "order_id": "#1",
                "ts": dt.datetime(2026, 1, 1, tzinfo=_TZ),
                "member_id": "a",
                "amount": 1.0,
                "status": "pending",
                "group_id": None,
                "coupon_id": None,
            }
        ]
    )
    with pytest.raises(AssertionError):
        ctx.add_orders(frame)
