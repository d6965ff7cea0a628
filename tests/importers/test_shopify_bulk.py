"""The Shopify orders export read in bulk (polars, ``Context.add_orders``) gives what the
row-by-row reading gives: the same tables, counts and problems, on random exports with every
kind of row (continuation rows, unpaid and unknown statuses, times without offsets or out of
range, odd amounts, buyers by phone or name only, non-ASCII e-mails, short rows)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _import_checks import import_bulk_or_by_row, ragged_csv, same_import
from sqops.importers import shopify

_HEADER = [
    "Name", "Email", "Financial Status", "Paid at", "Total", "Discount Code", "Created at",
    "Cancelled at", "Customer ID", "Phone", "Billing Name",
]  # fmt: skip
_TIMES = [
    "", "2026-12-01 10:00:00 +0800", "2026-12-01T23:59:59-05:30", "2026-12-01 10:00:00 +0860",
    "2026-12-01 10:00:00 -0000", "2026-12-01 10:00:00+1500", "2026-12-01 10:00", "2026/12/1 9:30",
    "2026-02-30 10:00:00 +0800", "1890-01-01 00:00:00 +0000", "2026-12-01 10:00:00 +08:00",
]  # fmt: skip
_VALUES = [
    ["#1001", "#1002", "#1003", "", " #1004 "],
    ["", "Ana@Example.com", "İnci@x.com", "bo@x.com ", "ΣΑ@x.gr"],
    ["paid", "PAID", "refunded", "voided", "pending", "", "weird", "partially_refunded"],
    _TIMES,
    ["10", "10.50", "¥1,299.00", "-5", "abc", "", "1e3", "1000000000000", "0"],
    ["", "WELCOME10"],
    _TIMES,
    ["", "2026-12-02"],
    ["", "c1"],
    ["", "+86 138 0000 0001", "'13800000001", "12"],
    ["", "阿青"],
]
_ROW = st.tuples(*(st.sampled_from(v) for v in _VALUES), st.integers(0, 11))


def _text(rows) -> str:
    return ragged_csv(_HEADER, rows)


def _import(tmp_path, text, *, bulk: bool, **kw):
    return import_bulk_or_by_row(
        shopify, "shopify", tmp_path / "orders_export.csv", text, bulk=bulk, **kw
    )


@pytest.mark.fuzz
@settings(max_examples=150, deadline=None)
@given(st.lists(_ROW, max_size=14), st.sampled_from([{}, {"group_id": "G"}, {"twice": True}]))
def test_shopify_bulk_is_row_by_row(tmp_path_factory, rows, kw):
    tmp_path = tmp_path_factory.mktemp("shop")
    text = _text(rows)
    same_import(
        _import(tmp_path, text, bulk=True, **dict(kw)), _import(tmp_path, text, bulk=False, **kw)
    )


def test_shopify_bulk_hand_counted(tmp_path):
    text = (
        "Name,Email,Financial Status,Paid at,Total,Phone\n"
        "#1,Ana@X.com,paid,2026-12-01 10:00:00 +0800,10.50,\n"  # bulk
        "#1,Ana@X.com,,,,\n"  # continuation: merged
        "#2,,paid,2026-12-01 11:00:00 +0800,20,+86 138 0000 0001\n"  # by its phone
        "#3,bo@x.com,pending,,5,\n"  # unpaid
        "#4,cy@x.com,paid,2026-12-01 12:00,7,\n"  # naive time: row by row (local)
        "#5,dd@x.com,weird,2026-12-01 12:00:00 +0800,7,\n"  # unknown status: skipped
    )
    fast = _import(tmp_path, text, bulk=True)
    same_import(fast, _import(tmp_path, text, bulk=False))
    orders = fast.tables["orders"]
    # #1 10.50 (Ana, lower-cased), #2 by phone, #4 local time; #3 unpaid, #5 skipped
    assert orders["order_id"].to_list() == ["#1", "#2", "#4"]
    assert orders["member_id"].to_list() == ["ana@x.com", "tel:+8613800000001", "cy@x.com"]
    assert orders["ts"].to_list()[0] == "2026-12-01T10:00:00+08:00"
    assert fast.counts["merged_rows"] == 1 and fast.counts["skipped_unpaid"] == 1
    assert fast.counts["skipped"] == 1
