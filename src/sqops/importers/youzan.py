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

from sqops.errors import InputError, Location
from sqops.i18n import T
from sqops.importers._base import (
    Context,
    CsvTable,
    cell_getter,
    name_id,
    order_time_and_amount,
    read_csv,
    read_text,
    read_xlsx,
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
    table = load_table(path, display)
    table.find_header("订单号", "订单状态")
    excel = path.suffix.lower() in (".xlsx", ".xlsm", ".xls")
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

    cell = cell_getter(col)

    seen: set[str] = set()
    for line, cells in table.rows:
        where = Location(file=display, line=line) if not excel else Location(file=display, row=line)
        oid = cell(cells, "order_id").lstrip("'")
        if not oid:
            ctx.skip(where, T("订单号为空", "empty 订单号 (order id)"))
            continue
        if oid in seen:
            ctx.count("merged_rows")
            continue
        raw_status = cell(cells, "status")
        if raw_status not in STATUS:
            ctx.skip(
                where,
                T("未知的订单状态 “{s}”", "unknown 订单状态 (status) '{s}'").format(s=raw_status),
            )
            continue
        status = STATUS[raw_status]
        if status is None:
            seen.add(oid)
            ctx.count("skipped_unpaid")
            continue
        when = cell(cells, "paid_at") or cell(cells, "created")
        got = order_time_and_amount(ctx, where, when, cell(cells, "amount"))
        if got is None:
            continue
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
            continue
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
