"""Shopify orders CSV (``shopify``), as Admin → Orders → Export writes it.

One row per line item: the first row of an order (``Name`` such as ``#1001``) carries
``Email``, ``Financial Status``, ``Paid at``, ``Total``, ``Discount Code``; the continuation
rows repeat ``Name`` (and usually ``Email``) with the other order columns empty.

* ``order_id`` = Name, ``member_id`` = Email (lower-cased; else ``Customer ID``/``Id``),
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
    decode,
    order_time_and_amount,
    read_bytes,
    read_csv,
)

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
    text, _ = decode(read_bytes(path, display), display)
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
        "Id",
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
        member = cell(cells, "Email").lower() or cell(cells, "Customer ID") or ""
        if not member:
            ctx.skip(where, T("没有买家（Email 为空）", "no buyer (Email is empty)"))
            continue
        ctx.order(
            order_id=oid,
            ts=ts,
            member_id=member,
            amount=amount,
            status=status,
            coupon_id=cell(cells, "Discount Code") or None,
        )
