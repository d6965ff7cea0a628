"""Shopify orders CSV (``shopify``), as Admin → Orders → Export writes it.

One row per line item: the first row of an order (``Name`` such as ``#1001``) carries
``Email``, ``Financial Status``, ``Paid at``, ``Total``, ``Discount Code``; the continuation
rows repeat ``Name`` (and usually ``Email``) with the other order columns empty.

* ``order_id`` = Name, ``member_id`` = the buyer: Email (lower-cased), else ``Customer ID``,
  else the phone (``Phone``, ``Billing Phone``, ``Shipping Phone`` → ``tel:+<digits>``), else
  ``Billing Name`` (``name:<name>``), else an unknown buyer ``unknown:<Name>`` (POS walk-ins,
  guest orders): the order counts for revenue, order counts and AOV, its buyer is no member
  (no member event carries an ``unknown:`` id), counted as ``unknown_buyers`` with a note.
  ``ts`` = Paid at, else Created at (``2026-12-01 20:15:03 +0800``),
  ``amount`` = Total, ``coupon_id`` = Discount Code, ``group_id`` = ``--group-id`` if given.
* Financial Status: paid, partially_refunded → paid; refunded → refunded; voided →
  cancelled; a non-empty ``Cancelled at`` → cancelled; pending, authorized, expired,
  partially_paid → not paid: counted as ``skipped_unpaid``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqops.errors import InputError, Location
from sqops.i18n import T
from sqops.importers._base import (
    Context,
    cell_getter,
    name_id,
    order_time_and_amount,
    read_csv,
    read_text,
)

#: the member id prefix of an order whose buyer the export does not name; no member event
#: carries it, so such an order counts for revenue and orders but in no member rate
UNKNOWN_BUYER = "unknown:"

STATUS: dict[str, str | None] = {
    "paid": "paid",
    "partially_refunded": "paid",
    "refunded": "refunded",
    "voided": "cancelled",
    "pending": None,
    "authorized": None,
    "expired": None,
    "partially_paid": None,
    "unpaid": None,
}


def read(path: Path, display: str, ctx: Context, *, name: str, options: Any = None) -> None:
    text = read_text(path, display)
    table = read_csv(text, display)
    table.find_header("Name", "Financial Status")
    keys = (
        "Name",
        "Email",
        "Financial Status",
        "Paid at",
        "Created at",
        "Total",
        "Discount Code",
        "Cancelled at",
        "Customer ID",
        "Phone",
        "Billing Phone",
        "Shipping Phone",
        "Billing Name",
    )
    col = {k: table.index(k) for k in keys}
    missing = [k for k in ("Name", "Financial Status", "Total") if col[k] is None]
    if col["Paid at"] is None and col["Created at"] is None:
        missing.append("Paid at/Created at")
    if missing:
        raise InputError(
            T(
                "不是 Shopify 订单 CSV：表头缺少 {c}",
                "not a Shopify orders CSV: the header lacks {c}",
            ).format(c=", ".join(missing)),
            Location(file=display, line=table.header_line),
        )

    cell = cell_getter(col)

    done: set[str] = set()
    unknown = 0
    for line, cells in table.rows:
        where = Location(file=display, line=line)
        oid = cell(cells, "Name")
        if not oid:
            ctx.skip(where, T("Name（订单号）为空", "empty Name (order number)"))
            continue
        raw = cell(cells, "Financial Status").lower()
        if not raw:
            if oid in done:
                ctx.count("merged_rows")  # a continuation row (another line item)
            else:
                ctx.skip(
                    where,
                    T(
                        "订单的第一行没有 Financial Status",
                        "the order's first row has no Financial Status",
                    ),
                )
            continue
        if oid in done:
            ctx.count("merged_rows")
            continue
        if raw not in STATUS:
            ctx.skip(
                where,
                T("未知的 Financial Status “{s}”", "unknown Financial Status '{s}'").format(s=raw),
            )
            continue
        status = STATUS[raw]
        done.add(oid)
        if status is None:
            ctx.count("skipped_unpaid")
            continue
        if cell(cells, "Cancelled at") and status == "paid":
            status = "cancelled"
        when = cell(cells, "Paid at") or cell(cells, "Created at")
        got = order_time_and_amount(ctx, where, when, cell(cells, "Total"))
        if got is None:
            continue
        ts, amount = got
        member = buyer_id(cell, cells)
        if not member:
            member = UNKNOWN_BUYER + oid
            unknown += 1
        ctx.order(
            order_id=oid,
            ts=ts,
            member_id=member,
            amount=amount,
            status=status,
            coupon_id=cell(cells, "Discount Code") or None,
        )
    if unknown:
        ctx.count("unknown_buyers", unknown)
        ctx.note(
            Location(file=display),
            T(
                "{n} 个订单没有买家信息（无 Email、客户 ID、电话或账单姓名，如门店散客）："
                "计入销售额、订单数和客单价，不计入任何成员比例",
                "{n} order(s) have no buyer (no Email, Customer ID, phone or billing name, "
                "e.g. POS walk-ins): they count for revenue, orders and AOV, in no member rate",
            ).format(n=unknown),
        )
        if not ctx.group_id:
            ctx.note(
                Location(file=display),
                T(
                    "没有 --group-id 时，报告按买家所在的群归属订单，无买家的订单无法归属；"
                    "请用 --group-id 指定店铺对应的群",
                    "without --group-id the report gives an order the group its buyer is in, "
                    "and an order with no buyer has none: give the shop's group with --group-id",
                ),
            )


def buyer_id(cell: Any, cells: Any) -> str:
    """The buyer of an order: e-mail, customer id, phone, billing name; ``""`` if none."""
    email = cell(cells, "Email").strip().lower()
    if email:
        return str(email)
    customer = cell(cells, "Customer ID").strip()
    if customer:
        return str(customer)
    for key in ("Phone", "Billing Phone", "Shipping Phone"):
        phone = cell(cells, key).strip().lstrip("'")
        if sum(c.isdigit() for c in phone) >= 7:
            return name_id(phone)
    name = cell(cells, "Billing Name").strip()
    return name_id(name) if name else ""
