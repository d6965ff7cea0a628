"""The CSV format readers of session 17 (fmt6) against the row-by-row reading: Youzan orders
whose buyer is known by nickname only read in bulk (``name_id`` of each distinct nickname) —
the same tables, counts and problems — with hand-counted cases that say which rows still go
the row-by-row way."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _import_checks import import_bulk_or_by_row, ragged_csv, same_import
from sqops.importers import youzan

# ---------------------------------------------------------------- Youzan: buyers by nickname

_YZ_HEADER = [
    "订单号",
    "订单状态",
    "买家付款时间",
    "订单实付金额",
    "买家昵称",
    "买家ID",
    "订单创建时间",
]
#: the time columns an export has: both, the payment's only, the creation's only
_YZ_TIMES = [(2, 6), (2,), (6,)]
#: nicknames as exports write them: padded, phone numbers (``tel:``), invisible marks, CJK
#: and full-width spaces, one that cleans to nothing
_NICKNAMES = ["", "小红", " 小红 ", "Ana  Li", "+86 138 0000 1234", "138-0000-1234", "\u200b",
              "\u3000阿青", "阿青\u00a0", "x\u200dy", "Émile", "E\u0301mile", "  "]  # fmt: skip
_YZ_ROW = st.tuples(
    st.sampled_from(["E1", "E2", "E3", "E4", ""]),
    st.sampled_from(["交易成功", "已退款", "待付款", "奇怪"]),
    st.sampled_from(["2026-12-20 10:00:00", "", "x"]),
    st.sampled_from(["88", "¥1,299.00", "abc"]),
    st.sampled_from(_NICKNAMES),
    st.sampled_from(["", "", "yz_1", " yz_2 "]),
    st.sampled_from(["2026-12-19 09:00:00", "", "2026-12-19 09:00"]),
    st.integers(1, 7),
)


def _yz_import(tmp_path, text, *, bulk: bool, **kw):
    path = tmp_path / "orders.csv"
    return import_bulk_or_by_row(youzan, "youzan", path, text, bulk=bulk, **kw)


@pytest.mark.fuzz
@settings(max_examples=150, deadline=None)
@given(
    st.lists(_YZ_ROW, min_size=1, max_size=12),
    st.sampled_from([{}, {"group_id": "G"}, {"tz": "Europe/London"}]),
    st.sampled_from(_YZ_TIMES),
)
def test_youzan_nickname_buyers_in_bulk(tmp_path_factory, rows, kw, times):
    """Buyers by nickname (the same one on many orders, or each its own) and times in
    买家付款时间, else 订单创建时间 — each of them present or not."""
    tmp_path = tmp_path_factory.mktemp("yz17")
    keep = [i for i in range(len(_YZ_HEADER)) if i in times or i not in (2, 6)]
    header = [_YZ_HEADER[i] for i in keep]
    rows = [(*(r[i] for i in keep), min(r[-1], len(keep))) for r in rows]
    text = ragged_csv(header, rows)
    same_import(
        _yz_import(tmp_path, text, bulk=True, **kw), _yz_import(tmp_path, text, bulk=False, **kw)
    )


def test_youzan_nickname_buyers_hand_counted(tmp_path, monkeypatch):
    text = (
        "订单号,订单状态,买家付款时间,订单实付金额,买家昵称,买家ID\n"
        "E1,交易成功,2026-12-20 10:00:00,88,小红,yz_1\n"  # bulk: buyer id
        "E2,交易成功,2026-12-20 11:00:00,88, 阿青 ,\n"  # bulk: nickname only
        "E2,交易成功,2026-12-20 11:00:00,88, 阿青 ,\n"  # merged
        "E3,交易成功,2026-12-20 12:00:00,5,+86 138 0000 1234,\n"  # bulk: a phone as nickname
        "E4,交易成功,2026-12-20 13:00:00,7,,\n"  # no buyer: row by row, skipped
    )
    seen: list[int] = []
    real = youzan._row

    def spy(ctx, where, cells, cell, done):
        seen.append(where.line)
        return real(ctx, where, cells, cell, done)

    monkeypatch.setattr(youzan, "_row", spy)
    fast = _yz_import(tmp_path, text, bulk=True)
    assert seen == [6]  # (only the order without a buyer reaches the row-by-row code)
    monkeypatch.setattr(youzan, "_row", real)
    same_import(fast, _yz_import(tmp_path, text, bulk=False))
    orders = fast.tables["orders"]
    assert orders["order_id"].to_list() == ["E1", "E2", "E3"]
    assert orders["member_id"].to_list() == ["yz_1", "name:阿青", "tel:+8613800001234"]
    assert fast.counts["merged_rows"] == 1 and fast.counts["skipped"] == 1


# ---------------------------------------------------------------- Discord: the content check

_PIECES = ["", " ", "\u3000", "\x1c", "\x85", "\n", "\t", "\u200b", "x", "Joined the server.",
           "Pinned a message.", "Started a call", "Started a call that lasted 5 minutes.",
           "Changed the channel icon.", "joined the server.", "."]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_PIECES), max_size=4).map("".join), min_size=1))
def test_discord_content_cell_check_is_the_stripped_text(texts):
    """The bulk's one match of a raw Content cell says what the per-row code reads of the
    stripped text (Python's ``strip``: U+001C and U+0085 too): empty, a join or system
    text, or a call's start — the row is left to it."""
    import polars as pl

    from sqops.importers.discord import _NOT_PLAIN, _NOT_PLAIN_CELL

    got = pl.Series(texts, dtype=pl.String).str.contains(_NOT_PLAIN_CELL).to_list()
    want = [
        t.strip() == "" or t.strip() in _NOT_PLAIN or t.strip().startswith("Started a call")
        for t in texts
    ]
    assert got == want


# ---------------------------------------------------------------- Shopify: Paid at, else Created at

_SHOP_ROW = st.tuples(
    st.sampled_from(["#1", "#2", "#3"]),
    st.sampled_from(["a@x.com", ""]),
    st.sampled_from(["paid", "pending", "refunded"]),
    st.sampled_from(["2026-12-01 10:00:00 +0800", "", " 2026-12-01 11:00:00 +0800 ", "x"]),
    st.sampled_from(["10", "abc"]),
    st.sampled_from(["2026-11-30 09:00:00 -0500", "", "2026-11-30 09:00"]),
)


@pytest.mark.fuzz
@settings(max_examples=100, deadline=None)
@given(st.lists(_SHOP_ROW, min_size=1, max_size=10), st.sampled_from([(3, 5), (3,), (5,)]))
def test_shopify_created_at_where_paid_at_is_empty(tmp_path_factory, rows, times):
    """The time of an order: Paid at, else Created at — each column present or not."""
    from sqops.importers import shopify

    tmp_path = tmp_path_factory.mktemp("shop17")
    header = ["Name", "Email", "Financial Status", "Paid at", "Total", "Created at"]
    keep = [i for i in range(len(header)) if i in times or i not in (3, 5)]
    text = ragged_csv([header[i] for i in keep], [(*(r[i] for i in keep), len(keep)) for r in rows])
    path = tmp_path / "orders_export.csv"

    def run(bulk: bool):
        return import_bulk_or_by_row(shopify, "shopify", path, text, bulk=bulk, tz="UTC")

    same_import(run(True), run(False))
