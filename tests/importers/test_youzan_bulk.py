"""The Youzan order export (CSV) read in bulk gives what the row-by-row reading gives: the
same tables, counts and problems, on random exports with repeated orders whose first row is
or is not readable, unpaid and unknown statuses, odd times and amounts, missing buyers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _import_checks import import_bulk_or_by_row, ragged_csv, same_import
from sqops.importers import youzan

_HEADER = ["订单号", "订单状态", "订单创建时间", "买家付款时间", "订单实付金额", "优惠券码名称",
           "买家昵称", "买家ID", "归属店铺"]  # fmt: skip
_TIMES = ["", "2026-12-20 10:00:00", "2026-12-20T10:01", "2026-12-20 10:00:00+08:00",
          "2026/12/20 10:00", "2026-02-30 10:00:00", "1890-01-01 00:00:00", "2026-03-29 02:30:00",
          "x"]  # fmt: skip
_VALUES = [
    ["E1", "E2", "'E3", "", " E4 ", "E1"],
    ["交易成功", "已退款", "交易关闭", "待付款", "", "奇怪", "退款中"],
    _TIMES,
    _TIMES,
    ["¥1,299.00", "88", "12.50", "1299元", "-1", "", "abc", "1,29", "￥3"],
    ["", "新人券"],
    ["", "小红", "Ana Li"],
    ["", "yz_1", "yz_2"],
    ["", "店A"],
]
_ROW = st.tuples(*(st.sampled_from(v) for v in _VALUES), st.integers(0, 10))


def _text(rows) -> str:
    return ragged_csv(_HEADER, rows)


def _import(tmp_path, text, *, bulk: bool, **kw):
    return import_bulk_or_by_row(youzan, "youzan", tmp_path / "orders.csv", text, bulk=bulk, **kw)


@pytest.mark.fuzz
@settings(max_examples=150, deadline=None)
@given(
    st.lists(_ROW, max_size=14),
    st.sampled_from([{}, {"group_id": "G"}, {"twice": True}, {"tz": "Europe/London"}]),
)
def test_youzan_bulk_is_row_by_row(tmp_path_factory, rows, kw):
    tmp_path = tmp_path_factory.mktemp("yz")
    text = _text(rows)
    same_import(
        _import(tmp_path, text, bulk=True, **dict(kw)), _import(tmp_path, text, bulk=False, **kw)
    )


def test_youzan_bulk_hand_counted(tmp_path):
    text = (
        "订单号,订单状态,买家付款时间,订单实付金额,买家昵称,买家ID\n"
        'E1,交易成功,2026-12-20 10:00:00,"¥1,299.00",小红,yz_1\n'  # bulk
        'E1,交易成功,2026-12-20 10:00:00,"¥1,299.00",小红,yz_1\n'  # merged
        "E2,交易成功,,88,小红,yz_1\n"  # no time: skipped, not seen
        "E2,交易成功,2026-12-20 11:00:00,88,小红,yz_1\n"  # read (row by row)
        "E3,待付款,,5,,yz_2\n"  # unpaid
        "E4,交易成功,2026-12-20 12:00:00,7,阿青,\n"  # buyer by name: row by row
    )
    fast = _import(tmp_path, text, bulk=True)
    same_import(fast, _import(tmp_path, text, bulk=False))
    orders = fast.tables["orders"]
    assert orders["order_id"].to_list() == ["E1", "E2", "E4"]
    assert orders["amount"].to_list() == [1299.0, 88.0, 7.0]
    assert orders["ts"].to_list()[0] == "2026-12-20T10:00:00+08:00"
    assert fast.counts["merged_rows"] == 1 and fast.counts["skipped_unpaid"] == 1
    assert fast.counts["skipped"] == 1
