"""Youzan (有赞) order export (``youzan``), ``.xlsx`` or CSV.

Columns (matched by name, in any order; the first present alias wins):

==============  ==========================================================
order_id        订单号
ts              买家付款时间, else 订单创建时间 (local time, read in ``--tz``)
amount          订单实付金额 / 订单实付金额(元) / 实付金额 (``¥1,299.00`` is read)
member_id       买家ID / 会员ID / 客户ID / 粉丝ID / buyer id / 买家手机号, else
                ``name:`` + 买家昵称
coupon_id       优惠券码名称 / 优惠券名称 / 优惠码
group_id        归属店铺 / 归属门店 (a store is a group in S2B2C set-ups)
status          订单状态, mapped by :data:`STATUS`
==============  ==========================================================

An item-level export repeats an order on several rows: the first row of each 订单号 is kept.
Orders not paid yet (待付款, 等待买家付款) are counted as ``skipped_unpaid`` and left out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from sqops.data.scalars import MAX_AMOUNT
from sqops.errors import InputError, Location
from sqops.i18n import T
from sqops.importers._base import (
    Context,
    CsvFrame,
    CsvTable,
    bulk_ts_text_expr,
    by_distinct,
    cell_expr_getter,
    cell_getter,
    csv_frames,
    header_key,
    id_runs,
    in_years,
    instant_expr,
    is_large,
    local_to_utc,
    naive_text_in,
    name_id,
    order_time_and_amount,
    parsed_expr,
    read_csv,
    read_text,
    read_xlsx,
    where_empty,
    zone_offset,
)

STATUS: dict[str, str | None] = {
    "交易成功": "paid",
    "已付款": "paid",
    "已支付": "paid",
    "待发货": "paid",
    "已发货": "paid",
    "待收货": "paid",
    "已完成": "paid",
    "部分退款": "paid",
    "待成团": "paid",
    "已成团": "paid",
    "已退款": "refunded",
    "退款成功": "refunded",
    "全额退款": "refunded",
    "退款中": "paid",
    "等待商家发货": "paid",
    "商家已发货": "paid",
    "买家已签收": "paid",
    "交易完成": "paid",
    "待接单": "paid",
    "已接单": "paid",
    "已申请退款": "paid",
    "退款完成": "refunded",
    "已全额退款": "refunded",
    "已关闭": "cancelled",
    "交易关闭": "cancelled",
    "已取消": "cancelled",
    "订单关闭": "cancelled",
    "待付款": None,
    "等待买家付款": None,
    "待支付": None,
}
COLUMNS: dict[str, tuple[str, ...]] = {
    "order_id": ("订单号", "订单编号"),
    "status": ("订单状态",),
    "created": ("订单创建时间", "下单时间", "创建时间"),
    "paid_at": ("买家付款时间", "付款时间", "支付时间"),
    "amount": (
        "订单实付金额",
        "订单实付金额(元)",
        "订单实付金额（元）",
        "实付金额",
        "实付金额(元)",
    ),
    "coupon": ("优惠券码名称", "优惠券名称", "优惠码", "优惠券"),
    "buyer_id": (
        "买家ID",
        "买家id",
        "buyer id",
        "buyer_id",
        "会员ID",
        "客户ID",
        "粉丝ID",
        "买家手机号",
    ),
    "buyer_name": ("买家昵称", "买家", "粉丝昵称"),
    "shop": ("归属店铺", "归属门店", "店铺名称"),
}


def load_table(path: Path, display: str) -> CsvTable:
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        return read_xlsx(path, display)
    text = read_text(path, display)
    return read_csv(text, display)


def read(path: Path, display: str, ctx: Context, *, name: str, options: Any = None) -> None:
    excel = path.suffix.lower() in (".xlsx", ".xlsm", ".xls")
    zone = getattr(ctx.tz, "key", None)
    if not excel and zone and not is_large(path):  # (a larger file: read_text refuses it)
        source = csv_frames(
            path, display, columns=lambda t: _columns(t, display).values(), whole=True
        )
        if not isinstance(source, str):
            frame = next(source)
            keys = {header_key(h) for h in frame.header}
            if all(header_key(n) in keys for n in ("订单号", "订单状态")):
                _bulk(ctx, display, frame, _columns(frame.table(), display), zone)
                return
    table = load_table(path, display)
    table.find_header("订单号", "订单状态")
    col = _columns(table, display)
    cell = cell_getter(col)
    seen: set[str] = set()
    for line, cells in table.rows:
        where = Location(file=display, line=line) if not excel else Location(file=display, row=line)
        _row(ctx, where, cells, cell, seen)


def _columns(table: CsvTable, display: str) -> dict[str, int | None]:
    col = {k: table.index(*aliases) for k, aliases in COLUMNS.items()}
    missing = [COLUMNS[k][0] for k in ("order_id", "status", "amount") if col[k] is None]
    if col["created"] is None and col["paid_at"] is None:
        missing.append("订单创建时间/买家付款时间")
    if col["buyer_id"] is None and col["buyer_name"] is None:
        missing.append("买家昵称/buyer id")
    if missing:
        raise InputError(
            T(
                "不是有赞订单导出：表头缺少 {c}", "not a Youzan order export: the header lacks {c}"
            ).format(c=", ".join(missing)),
            Location(file=display, line=table.header_line),
        )
    return col


def _row(ctx: Context, where: Location, cells: list[str], cell: Any, seen: set[str]) -> None:
    """One row, the row-by-row way (``seen``: the orders already read or left unpaid)."""
    oid = cell(cells, "order_id").lstrip("'")
    if not oid:
        ctx.skip(where, T("订单号为空", "empty 订单号 (order id)"))
        return
    if oid in seen:
        ctx.count("merged_rows")
        return
    raw_status = cell(cells, "status")
    if raw_status not in STATUS:
        ctx.skip(
            where,
            T("未知的订单状态 “{s}”", "unknown 订单状态 (status) '{s}'").format(s=raw_status),
        )
        return
    status = STATUS[raw_status]
    if status is None:
        seen.add(oid)
        ctx.count("skipped_unpaid")
        return
    when = cell(cells, "paid_at") or cell(cells, "created")
    got = order_time_and_amount(ctx, where, when, cell(cells, "amount"))
    if got is None:
        return
    ts, amount = got
    buyer = cell(cells, "buyer_id")
    member = (
        buyer
        if buyer
        else (name_id(cell(cells, "buyer_name")) if cell(cells, "buyer_name") else "")
    )
    if not member:
        ctx.skip(
            where,
            T(
                "没有买家（买家ID 与买家昵称都为空）",
                "no buyer (buyer id and 买家昵称 are empty)",
            ),
        )
        return
    seen.add(oid)
    ctx.order(
        order_id=oid,
        ts=ts,
        member_id=member,
        amount=amount,
        status=status,
        group_id=cell(cells, "shop") or None,
        coupon_id=cell(cells, "coupon") or None,
    )


#: an amount the bulk reads as :func:`sqops.data.scalars.parse_amount` does: digits with
#: thousands commas or none, decimals, an optional ¥ (the other spellings: row by row)
_PLAIN_AMOUNT = r"^[¥￥]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?$"


def _plain_amount(amount: pl.Expr) -> pl.Expr:
    """A :data:`_PLAIN_AMOUNT` text as a float; null for any other text."""
    return pl.when(amount.str.contains(_PLAIN_AMOUNT)).then(
        amount.str.replace_all(r"[¥￥,]", "").cast(pl.Float64, strict=False)
    )


def _name_key(nickname: pl.Expr) -> pl.Expr:
    """The member id :func:`_row` gives a buyer known by ``nickname`` only (:func:`name_id`;
    null for an empty one: no buyer)."""
    return pl.when(nickname != "").then(nickname.map_elements(name_id, return_dtype=pl.String))


def _bulk(
    ctx: Context, display: str, frame: CsvFrame, col: dict[str, int | None], zone: str
) -> None:
    """The rows of an export read as one frame. An order whose first row has a known status,
    a time read as :func:`naive_ts_expr` reads it, a plain amount and a buyer (an id, else a
    nickname) is added in bulk (:meth:`Context.add_orders`) — or counted, when unpaid —, and
    its other rows are counted as merged. The rows of every other order id (whether a row of it is read decides
    whether the next is merged) go to :func:`_row` in file order. (In bulk, only each order's
    first row is read past its order id: those rows are taken into a frame of their own; a
    row sent to :func:`_row` is read whole.)"""
    rows = frame.rows

    cell = cell_expr_getter(rows, col, frame.strip)

    rows = (  # (lazy: an eager query copies first every column polars read in chunks)
        rows.lazy()
        .with_columns(cell("order_id").str.strip_chars_start("'").alias("_oid"))
        .collect()
    )
    used = [f"c{i}" for i in sorted({i for i in col.values() if i is not None})]
    oid = pl.col("_oid")
    start, runs = id_runs(rows, oid)  # (start: a row that starts a run of one id)
    # each order's rows one after another (as exports write them): its first row is the
    # run's first, else the first of its id anywhere
    firsts = start if runs is not None else oid.is_first_distinct()
    # (a lazy filter: an eager one copies every text of the cells kept)
    first = (
        rows.lazy()
        .with_row_index("_i")
        .filter(firsts & (oid != ""))
        .select("_i", "_oid", *(c for c in used if c in rows.columns))
        .collect()
    )
    raw = cell("status")
    mapped = raw.replace_strict(
        {k: v for k, v in STATUS.items() if v is not None}, default=None, return_dtype=pl.String
    )
    unpaid = raw.is_in([k for k, v in STATUS.items() if v is None])
    amount = cell("amount")
    nickname = cell("buyer_name")
    first = (
        first.lazy()
        .with_columns(
            mapped.alias("_status"),
            unpaid.alias("_unpaid"),
            cell("paid_at").alias("_when"),
            # (once per distinct amount: prices repeat)
            by_distinct(first, amount, _plain_amount, pl.Float64()).alias("_amount"),
            cell("buyer_id").alias("_member"),
            cell("shop").alias("_shop"),
            cell("coupon").alias("_coupon"),
        )
        .collect()
    )
    # a buyer known by nickname only: name_id of each distinct nickname (on those rows alone)
    first = where_empty(
        first,
        "_member",
        lambda few: by_distinct(few, nickname, _name_key).fill_null(""),
    )
    # the time: 买家付款时间, else (on those rows alone) 订单创建时间
    first = where_empty(first, "_when", lambda few: cell("created"))
    # (the time texts, each stripped once above, checked once: most are written as read)
    body = naive_text_in(first, pl.col("_when"))
    first = (
        first.lazy()
        .with_columns(body.alias("_body"))
        .with_columns(parsed_expr(pl.col("_body")).alias("_naive"))
        .drop("_when")
        .collect()
    )
    first = in_years(first, "_naive")
    offset = zone_offset(zone, first["_naive"])
    ok = pl.col("_unpaid") | (
        pl.col("_status").is_not_null()
        & pl.col("_utc").is_not_null()
        & pl.col("_amount").is_not_null()
        & (pl.col("_amount") < MAX_AMOUNT)
        & (pl.col("_member") != "")
    )
    first = (
        first.lazy()
        .with_columns(local_to_utc(pl.col("_naive"), zone, offset).alias("_utc"))
        .with_columns(ok.alias("_lead"))  # (the lead rows: their orders are read in bulk)
        .collect()
    )
    lead = first.lazy().filter(pl.col("_lead"))  # (lazy: an eager filter copies the texts)
    at, oids = (lead.select(c).collect().to_series() for c in ("_i", "_oid"))
    if runs is not None:  # the rows of an order with a lead row: its run's rows
        run = np.cumsum(rows.lazy().select(start).collect().to_series().to_numpy()) - 1
        lead_run = np.zeros(runs, dtype=bool)
        lead_run[run[at.to_numpy()]] = True
        simple = pl.Series(lead_run[run])
    else:  # (one hash set, not a window)
        simple = rows.lazy().select(oid.is_in(oids.implode())).collect().to_series()
    n_simple = int(simple.sum())
    n_unpaid = int(first.select((pl.col("_lead") & pl.col("_unpaid")).sum()).item())
    good = lead.filter(~pl.col("_unpaid"))
    naive = good.select("_naive").collect().to_series()
    ts = bulk_ts_text_expr(naive, pl.col("_body"), pl.col("_utc"), zone, offset)
    orders = good.select(
        instant_expr(pl.col("_utc")).alias("_t"),
        ts.alias("ts"),
        pl.col("_oid").alias("order_id"),
        pl.col("_member").alias("member_id"),
        pl.col("_amount").alias("amount"),
        pl.col("_status").alias("status"),
        pl.col("_shop").alias("group_id"),
        pl.col("_coupon").alias("coupon_id"),
    ).collect()
    # the rows of the other orders, in file order; the bulk orders are added at once: an
    # order id gives one order at most, so a file's orders are distinct and neither
    # finish's dedupe (across files) nor its sort (time, order id) depends on the order
    # they were added in within the file
    cells_of = [f"c{i}" for i in range(len(frame.rows.columns)) if f"c{i}" in rows.columns]
    get = cell_getter(col)
    seen: set[str] = set()
    rare = rows.lazy().select("_line", "_n", *cells_of).filter(~simple).collect()
    for r in rare.iter_rows():
        line, n = r[0], r[1]
        _row(ctx, Location(file=display, line=line), list(r[2 : 2 + n]), get, seen)
    if n_simple > len(at):
        ctx.count("merged_rows", n_simple - len(at))
    if n_unpaid:
        ctx.count("skipped_unpaid", n_unpaid)
    ctx.add_orders(orders)
