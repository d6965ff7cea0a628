"""The shop and Discord CSV readers of session 16 (csv6) against the row-by-row reading:
Shopify's times read through their offsets once per distinct text (every time written
``YYYY-MM-DD HH:MM:SS`` and one or several offsets, good and bad ones), Youzan's orders whose
rows follow one another (their first rows and merged rows from the runs of an id) or not —
the same tables, counts and problems — with hand-counted cases."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _import_checks import import_bulk_or_by_row, ragged_csv, same_import
from sqops.importers import shopify, youzan

_SHOP_HEADER = [
    "Name",
    "Email",
    "Financial Status",
    "Paid at",
    "Total",
    "Created at",
    "Cancelled at",
]
#: what follows a wall-clock time: offsets parse_ts reads, out of range, and no offset
_TAILS = [" +0800", "+08:00", " -0530", "-00:00", " +1400", "+1401", " +0860", "Z", "", " +08",
          "+0800 ", " +08:00", "\u00a0+0800"]  # fmt: skip
_CLOCKS = [
    "2026-12-01 10:00:00",
    "2026-12-31 23:59:59",
    "2026-03-08 02:30:00",
    "1969-12-31 23:00:00",
]


def _shop_import(tmp_path, text, *, bulk: bool, **kw):
    path = tmp_path / "orders_export.csv"
    return import_bulk_or_by_row(shopify, "shopify", path, text, bulk=bulk, **kw)


_SHOP_ROW = st.tuples(
    st.sampled_from(["#1", "#2", "#3", "#4"]),
    st.sampled_from(["a@x.com", "B@X.com", ""]),
    st.sampled_from(["paid", "refunded", "pending", "voided", ""]),
    st.sampled_from(_CLOCKS),
    st.sampled_from(_TAILS),
    st.sampled_from(["10", "12.50", "abc"]),
    st.sampled_from(["", "2026-12-02"]),
)


def _shop_text(rows, *, paid: bool) -> str:
    # every time written YYYY-MM-DD HH:MM:SS, in Paid at or (when empty) Created at
    cells = [
        (oid, email, status, clock + tail if paid else "", total, clock + tail, cancelled)
        for oid, email, status, clock, tail, total, cancelled in rows
    ]
    return ragged_csv(_SHOP_HEADER, [(*c, len(_SHOP_HEADER)) for c in cells])


@pytest.mark.fuzz
@settings(max_examples=120, deadline=None)
@given(
    st.lists(_SHOP_ROW, min_size=1, max_size=12),
    st.booleans(),
    st.sampled_from(["Asia/Shanghai", "America/New_York", "UTC"]),
)
def test_shopify_offsets_per_distinct_text(tmp_path_factory, rows, paid, tz):
    tmp_path = tmp_path_factory.mktemp("shop6")
    text = _shop_text(rows, paid=paid)
    same_import(
        _shop_import(tmp_path, text, bulk=True, tz=tz),
        _shop_import(tmp_path, text, bulk=False, tz=tz),
    )


def test_shopify_two_offsets_hand_counted(tmp_path):
    text = (
        "Name,Email,Financial Status,Paid at,Total\n"
        "#1,a@x.com,paid,2026-12-01 10:00:00 +0800,10\n"
        "#2,b@x.com,paid,2026-12-01 10:00:00 -05:00,20\n"
        "#3,c@x.com,paid,2026-12-01 10:00:00 +0860,30\n"  # minutes past 59: row by row, skipped
        "#4,d@x.com,paid,2026-12-01 10:00:00 -0000,40\n"
    )
    fast = _shop_import(tmp_path, text, bulk=True)
    same_import(fast, _shop_import(tmp_path, text, bulk=False))
    orders = fast.tables["orders"].sort("order_id")
    assert orders["order_id"].to_list() == ["#1", "#2", "#4"]
    assert orders["ts"].to_list() == [
        "2026-12-01T10:00:00+08:00",
        "2026-12-01T10:00:00-05:00",
        "2026-12-01T10:00:00+00:00",
    ]
    assert fast.counts["skipped"] == 1


def test_shopify_short_rows_without_buyer_cells(tmp_path):
    # the buyer columns in the header, no data row reaching them: every order has no buyer
    text = (
        "Name,Financial Status,Total,Paid at,Email,Customer ID,Phone\n"
        "#1,paid,10,2026-12-01 10:00:00 +0800\n"
        "#2,paid,12,2026-12-01 11:00:00 +0800\n"
        "#3,paid,14,2026-12-01 12:00:00 +0800\n"
    )
    fast = _shop_import(tmp_path, text, bulk=True)
    same_import(fast, _shop_import(tmp_path, text, bulk=False))
    orders = fast.tables["orders"]
    assert orders["member_id"].to_list() == ["unknown:#1", "unknown:#2", "unknown:#3"]
    assert fast.counts["unknown_buyers"] == 3


_YZ_HEADER = ["订单号", "订单状态", "买家付款时间", "订单实付金额", "买家昵称", "买家ID"]
_YZ_ROW = st.tuples(
    st.sampled_from(["E1", "E2", "E3", "'E4", ""]),
    st.sampled_from(["交易成功", "已退款", "待付款", "奇怪"]),
    st.sampled_from(["2026-12-20 10:00:00", "2026-12-20 10:00", "", "2026-03-08 02:30:00"]),
    st.sampled_from(["88", "¥1,299.00", "abc"]),
    st.sampled_from(["小红", ""]),
    st.sampled_from(["yz_1", ""]),
)


def _yz_import(tmp_path, text, *, bulk: bool, **kw):
    return import_bulk_or_by_row(youzan, "youzan", tmp_path / "orders.csv", text, bulk=bulk, **kw)


@pytest.mark.fuzz
@settings(max_examples=120, deadline=None)
@given(
    st.lists(_YZ_ROW, max_size=14),
    st.booleans(),
    st.sampled_from(["Asia/Shanghai", "America/New_York", "Europe/London"]),
)
def test_youzan_orders_in_runs_or_not(tmp_path_factory, rows, in_runs, tz):
    tmp_path = tmp_path_factory.mktemp("yz6")
    if in_runs:  # each order's rows one after another (the runs of an id)
        rows = sorted(rows, key=lambda r: r[0].lstrip("'"))
    text = ragged_csv(_YZ_HEADER, [(*r, len(_YZ_HEADER)) for r in rows])
    same_import(
        _yz_import(tmp_path, text, bulk=True, tz=tz), _yz_import(tmp_path, text, bulk=False, tz=tz)
    )


@pytest.mark.parametrize("interleaved", [False, True])
def test_youzan_runs_hand_counted(tmp_path, interleaved):
    rows = [
        "E1,交易成功,2026-12-20 10:00:00,88,小红,yz_1",  # bulk
        "E1,交易成功,2026-12-20 10:00:00,88,小红,yz_1",  # merged
        "E2,待付款,2026-12-20 11:00:00,88,小红,yz_1",  # unpaid
        "E2,交易成功,2026-12-20 11:00:00,88,小红,yz_1",  # merged (its first row counted)
        "E3,交易成功,,88,小红,yz_1",  # no time: skipped, row by row
        "E3,交易成功,2026-12-20 12:00:00,12,小红,yz_2",  # the order's next row: read
    ]
    if interleaved:  # (E1's second row after E3's: the first rows by their ids)
        rows = [rows[0], rows[2], rows[3], rows[4], rows[5], rows[1]]
    text = "订单号,订单状态,买家付款时间,订单实付金额,买家昵称,买家ID\n" + "\n".join(rows) + "\n"
    fast = _yz_import(tmp_path, text, bulk=True)
    same_import(fast, _yz_import(tmp_path, text, bulk=False))
    orders = fast.tables["orders"]
    assert sorted(orders["order_id"].to_list()) == ["E1", "E3"]
    assert orders.filter(orders["order_id"] == "E3")["amount"].to_list() == [12.0]
    assert fast.counts["merged_rows"] == 2 and fast.counts["skipped_unpaid"] == 1
    assert fast.counts["skipped"] == 1


def test_naive_text_in_gives_back_the_same_expression_for_standard_times():
    """Shopify's bulk reading takes its fast way when :func:`naive_text_in` gives back the
    very expression it was given (every time ``YYYY-MM-DD HH:MM:SS``): that contract, held."""
    import polars as pl

    from sqops.importers._base import naive_text_in

    std = pl.DataFrame({"t": ["2026-12-01 10:00:00", None, "2027-01-31 23:59:59"]})
    e = pl.col("t")
    assert naive_text_in(std, e) is e
    odd = pl.DataFrame({"t": ["2026-12-01 10:00:00", "2026-12-01T10:00:00"]})
    assert naive_text_in(odd, e) is not e
