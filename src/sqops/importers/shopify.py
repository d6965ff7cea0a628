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

import numpy as np
import polars as pl

from sqops.data.scalars import MAX_AMOUNT, MAX_OFFSET
from sqops.errors import InputError, Location
from sqops.i18n import T
from sqops.importers._base import (
    Context,
    CsvFrame,
    CsvTable,
    by_distinct,
    cell_expr_getter,
    cell_getter,
    csv_frames,
    header_key,
    id_runs,
    in_years,
    instant_expr,
    is_large,
    naive_text_in,
    name_id,
    order_time_and_amount,
    parsed_expr,
    read_csv,
    read_text,
    where_empty,
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


#: the columns read
_KEYS = (
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


def read(path: Path, display: str, ctx: Context, *, name: str, options: Any = None) -> None:
    if not is_large(path):  # (a larger file is refused by read_text, as before)
        source = csv_frames(
            path, display, columns=lambda t: _columns(t, display).values(), whole=True
        )
        if not isinstance(source, str):
            frame = next(source)
            if _header_ok(frame.table()):
                col = _columns(frame.table(), display)
                unknown = _bulk(ctx, display, frame, col)
                _notes(ctx, display, unknown)
                return
    text = read_text(path, display)
    table = read_csv(text, display)
    table.find_header("Name", "Financial Status")
    col = _columns(table, display)
    cell = cell_getter(col)
    done: set[str] = set()
    unknown = 0
    for line, cells in table.rows:
        unknown += _row(ctx, Location(file=display, line=line), cells, cell, done)
    _notes(ctx, display, unknown)


def _header_ok(table: CsvTable) -> bool:
    """Whether the first row is the header (:meth:`CsvTable.find_header` would keep it)."""
    keys = {header_key(h) for h in table.header}
    return all(header_key(n) in keys for n in ("Name", "Financial Status"))


def _columns(table: CsvTable, display: str) -> dict[str, int | None]:
    col = {k: table.index(k) for k in _KEYS}
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
    return col


class _Seen:
    """The ``done`` of :func:`_row` for one row of the bulk reading: whether an earlier row
    of the order was read (computed for every row at once); adding is done there too."""

    def __init__(self, seen: bool) -> None:
        self.seen = seen

    def __contains__(self, oid: object) -> bool:
        return self.seen

    def add(self, oid: str) -> None:
        pass


def _row(ctx: Context, where: Location, cells: list[str], cell: Any, done: Any) -> int:
    """One row, the row-by-row way; 1 when it is an order without a buyer."""
    oid = cell(cells, "Name")
    if not oid:
        ctx.skip(where, T("Name（订单号）为空", "empty Name (order number)"))
        return 0
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
        return 0
    if oid in done:
        ctx.count("merged_rows")
        return 0
    if raw not in STATUS:
        ctx.skip(
            where,
            T("未知的 Financial Status “{s}”", "unknown Financial Status '{s}'").format(s=raw),
        )
        return 0
    status = STATUS[raw]
    done.add(oid)
    if status is None:
        ctx.count("skipped_unpaid")
        return 0
    if cell(cells, "Cancelled at") and status == "paid":
        status = "cancelled"
    when = cell(cells, "Paid at") or cell(cells, "Created at")
    got = order_time_and_amount(ctx, where, when, cell(cells, "Total"))
    if got is None:
        return 0
    ts, amount = got
    member = buyer_id(cell, cells)
    unknown = 0
    if not member:
        member = UNKNOWN_BUYER + oid
        unknown = 1
    ctx.order(
        order_id=oid,
        ts=ts,
        member_id=member,
        amount=amount,
        status=status,
        coupon_id=cell(cells, "Discount Code") or None,
    )
    return unknown


def _notes(ctx: Context, display: str, unknown: int) -> None:
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


#: the cells :func:`buyer_id` reads
_BUYER = ("Email", "Customer ID", "Phone", "Billing Phone", "Shipping Phone", "Billing Name")
#: a time with its offset as the export writes it (``2026-12-20 10:15:03 +0800``): read in
#: bulk (:func:`sqops.data.scalars.parse_ts` reads these with ``fromisoformat``)
_OFFSET_TS = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9] ?"
    r"[+-][0-9]{2}:?[0-9]{2}$"
)
_PLAIN_AMOUNT = r"^[0-9]+(?:\.[0-9]+)?$"
#: what follows the wall-clock time in :data:`_OFFSET_TS` (its 19 first characters)
_OFFSET_TAIL = r"^ ?[+-][0-9]{2}:?[0-9]{2}$"


def _tail_values() -> dict[str, pl.Expr]:
    """What :func:`_bulk` reads of the text ``k`` after a time's 19 first characters: whether
    it is an offset (``ok``), its signed ``minutes``, whether those are an offset ``parse_ts``
    takes (``in_range``) and the offset as ``ts_text`` writes it (``shown``)."""
    off = pl.col("k").str.strip_chars(" ")
    sign = pl.when(off.str.starts_with("-")).then(pl.lit(-1)).otherwise(pl.lit(1))
    hh = off.str.slice(1, 2).cast(pl.Int64, strict=False)
    mm = off.str.slice(-2).cast(pl.Int64, strict=False)
    minutes = hh * 60 + mm
    shown = pl.when((sign < 0) & (minutes > 0)).then(pl.lit("-")).otherwise(pl.lit("+"))
    return {
        "ok": pl.col("k").str.contains(_OFFSET_TAIL),
        "minutes": sign * minutes,
        "in_range": (mm < 60) & (minutes <= int(MAX_OFFSET.total_seconds()) // 60),
        "shown": pl.concat_str(
            shown,
            (minutes // 60).cast(pl.String).str.zfill(2),
            pl.lit(":"),
            (minutes % 60).cast(pl.String).str.zfill(2),
        ),
    }


def _plain_amount(total: pl.Expr) -> pl.Expr:
    """A :data:`_PLAIN_AMOUNT` text as a float; null for any other text."""
    return pl.when(total.str.contains(_PLAIN_AMOUNT)).then(total.cast(pl.Float64, strict=False))


def _ascii_buyer(email: pl.Expr) -> pl.Expr:
    """An ASCII e-mail lower-cased (the bulk's buyer id); null for any other text."""
    return pl.when((email != "") & email.str.contains(r"^[\x00-\x7f]*$")).then(
        email.str.to_lowercase()
    )


def _per_distinct(
    frame: pl.DataFrame, key: pl.Expr, values: dict[str, pl.Expr]
) -> dict[str, pl.Expr]:
    """Each of ``values`` (expressions of a column ``k``) computed once per distinct text of
    ``key`` in ``frame`` (one ``unique``), as expressions over ``frame``: a constant when
    every row has one text (an export's one offset), else the value at the text's place
    among the distinct ones."""
    keys = frame.lazy().select(key.unique().alias("k")).collect().drop_nulls()
    table = keys.select(**values)
    if keys.height <= 1:
        return {
            n: pl.lit(table[n][0] if keys.height else None, dtype=table[n].dtype) for n in values
        }
    places = key.cast(pl.Enum(keys["k"]), strict=False).to_physical()
    return {n: pl.lit(table[n]).gather(places) for n in values}


def _bulk(ctx: Context, display: str, frame: CsvFrame, col: dict[str, int | None]) -> int:
    """The rows of an export read as one frame: every order's first row whose time carries
    its offset, whose Total is a plain number and whose buyer is an ASCII e-mail is added in
    bulk (:meth:`Context.add_orders`); continuation rows and unpaid orders are counted; every
    other row goes to :func:`_row` (told whether its order was seen before), in file order.
    Returns the orders without a buyer. (In bulk, only an order's first rows — the
    candidates — are read past their Name and Financial Status: their cells are taken into a
    frame of their own, and the times, amounts and buyers computed there; a row sent to
    :func:`_row` is read whole.)"""
    rows = frame.rows

    cell = cell_expr_getter(rows, col, frame.strip)

    oid = cell("Name")
    raw = cell("Financial Status")
    lower = by_distinct(
        rows, raw, lambda e: e.map_elements(str.lower, return_dtype=pl.String)
    ).fill_null("")
    rows = (
        rows.lazy()
        .with_columns(oid.alias("_oid"), lower.alias("_raw"))
        .with_columns(((pl.col("_oid") != "") & pl.col("_raw").is_in(list(STATUS))).alias("_valid"))
        .collect()
    )
    valid_i = pl.col("_valid").cast(pl.Int32)
    start, runs = id_runs(rows, pl.col("_oid"))
    if runs is not None:  # each order's rows one after another (as exports write them):
        # the valid rows before a row less those before its order's first row
        before = valid_i.cum_sum() - valid_i
        seen_expr = before - pl.when(start).then(before).forward_fill() > 0
    else:
        seen_expr = valid_i.cum_sum().over("_oid") - valid_i > 0
    rows = rows.with_columns(seen_expr.alias("_seen"))
    has_oid, seen, valid = pl.col("_oid") != "", pl.col("_seen"), pl.col("_valid")
    mapped = pl.col("_raw").replace_strict(
        {k: v for k, v in STATUS.items() if v is not None}, default=None, return_dtype=pl.String
    )
    kinds = (  # (lazy: an eager query copies first every column polars read in chunks)
        rows.lazy()
        .select(
            (has_oid & seen).alias("merged"),
            (valid & ~seen & mapped.is_null()).alias("unpaid"),
            (valid & ~seen & mapped.is_not_null()).alias("candidate"),
        )
        .collect()
    )
    merged, unpaid, candidate = (kinds[c].to_numpy() for c in kinds.columns)
    at = np.flatnonzero(candidate)
    used = [f"c{i}" for i in sorted({i for i in col.values() if i is not None})]
    # (a lazy filter: an eager one, or a gather, copies every text of the cells kept)
    sub = (
        rows.lazy()
        .select("_oid", "_raw", *(c for c in used if c in rows.columns))
        .filter(pl.Series(candidate))
        .collect()
    )
    status = (
        pl.when((cell("Cancelled at") != "") & (mapped == "paid"))
        .then(pl.lit("cancelled"))
        .otherwise(mapped)
    )
    paid_at = cell("Paid at")
    sub = (
        sub.lazy()
        .with_columns(
            paid_at.alias("_w"),
            status.alias("_status"),
            # (amounts and buyers read once per distinct text: they repeat)
            by_distinct(sub, cell("Total"), _plain_amount, pl.Float64()).alias("_amount"),
            by_distinct(sub, cell("Email"), _ascii_buyer).alias("_member"),
        )
        .collect()
    )
    # (Paid at, else — on those rows alone — Created at)
    sub = where_empty(sub, "_w", lambda few: cell("Created at"))
    # the time: its 19 first characters (the wall-clock time) and the offset after them,
    # checked and read once per distinct offset (an export has one or two)
    when = pl.col("_w")
    tail = _per_distinct(sub, when.str.slice(19), _tail_values())
    clock = pl.when(tail["ok"]).then(when.str.slice(0, 19))
    body = naive_text_in(sub, clock)
    # (naive_text_in gives back the very expression it was given when every time is written
    # YYYY-MM-DD HH:MM:SS — its contract, tested —; else the whole text is checked)
    if body is not clock:
        body = naive_text_in(
            sub, pl.when(when.str.contains(_OFFSET_TS)).then(when).str.slice(0, 19)
        )
    sub = (
        sub.lazy()
        .with_columns(body.alias("_body"))
        .with_columns(parsed_expr(pl.col("_body")).alias("_naive"))
        .collect()
    )
    sub = in_years(sub, "_naive")
    # the other buyers (no ASCII e-mail): buyer_id of each distinct set of buyer cells
    buyer_keys = pl.concat_str([cell(k) for k in _BUYER], separator="\x00")
    no_member = pl.col("_member").is_null()
    # (lazy: an eager filter or query copies every text of the frame first)
    combos = (
        sub.lazy()
        .filter(no_member)
        .with_columns(*(cell(k).alias(k) for k in _BUYER))  # (a missing cell: "" in each row)
        .select(_BUYER)
        .unique(maintain_order=True)
        .collect()
    )
    unknown_bulk = pl.lit(False)
    if combos.height:
        by = cell_getter({k: i for i, k in enumerate(_BUYER)})
        keys = ["\x00".join(c) for c in combos.iter_rows()]
        buyers = [buyer_id(by, list(c)) for c in combos.iter_rows()]
        # (their keys made on their rows alone, put in place in a column of nulls)
        lacking = sub.lazy().select(pl.arg_where(no_member)).collect().to_series()
        found = (
            sub.lazy()
            .filter(no_member)
            .with_columns(  # (a missing cell: "" in each row)
                buyer_keys.replace_strict(keys, buyers, default=None, return_dtype=pl.String).alias(
                    "_key"
                )
            )
            .select("_key")
            .collect()
            .to_series()
        )
        nulls = pl.repeat(None, sub.height, dtype=pl.String, eager=True)
        unknown_bulk = pl.col("_buyer") == ""
        sub = (
            sub.lazy()
            .with_columns(nulls.scatter(lacking, found).alias("_buyer"))
            .with_columns(
                pl.when(pl.col("_member").is_not_null())
                .then(pl.col("_member"))
                .when(unknown_bulk)
                .then(pl.lit(UNKNOWN_BUYER) + pl.col("_oid"))
                .otherwise(pl.col("_buyer"))
                .alias("_member"),
                unknown_bulk.fill_null(False).alias("_unknown"),
            )
            .collect()
        )
        unknown_bulk = pl.col("_unknown")
    utc = (pl.col("_naive") - pl.duration(minutes=tail["minutes"])).dt.replace_time_zone("UTC")
    sub = (
        sub.lazy()
        .with_columns(utc.alias("_utc"))
        .with_columns(
            (
                pl.col("_utc").is_not_null()
                & tail["in_range"]
                & pl.col("_amount").is_not_null()
                & (pl.col("_amount") < MAX_AMOUNT)
                & pl.col("_member").is_not_null()
            ).alias("_bulk")
        )
        .collect()
    )
    n_merged, n_unpaid = int(merged.sum()), int(unpaid.sum())
    if n_merged:
        ctx.count("merged_rows", n_merged)
    if n_unpaid:
        ctx.count("skipped_unpaid", n_unpaid)
    orders = (
        sub.lazy()
        .filter(pl.col("_bulk"))
        .select(
            instant_expr(pl.col("_utc")).alias("_t"),
            pl.concat_str(
                pl.col("_body").str.slice(0, 10),
                pl.lit("T"),
                pl.col("_body").str.slice(11),
                tail["shown"],
            ).alias("ts"),
            pl.col("_oid").alias("order_id"),
            pl.col("_member").alias("member_id"),
            pl.col("_amount").alias("amount"),
            pl.col("_status").alias("status"),
            cell("Discount Code").alias("coupon_id"),
        )
        .collect()
    )
    bulk = sub["_bulk"].to_numpy()
    unknown = int(sub.select((pl.col("_bulk") & unknown_bulk).sum()).item())
    # the other rows (not merged, not unpaid, not added in bulk), in file order; the bulk
    # orders are added at once: an order id is the first row of one order only, so the
    # orders of a file are distinct, and neither finish's dedupe (across files) nor its
    # sort (time, order id) depends on the order they were added in within the file
    other = ~merged & ~unpaid
    other[at[bulk]] = False
    cells_of = [f"c{i}" for i in range(len(frame.rows.columns)) if f"c{i}" in rows.columns]
    rare = rows.lazy().select("_line", "_n", "_seen", *cells_of).filter(pl.Series(other)).collect()
    get = cell_getter(col)
    for r in rare.iter_rows():
        line, n, was_seen = r[0], r[1], r[2]
        cells = list(r[3 : 3 + n])
        unknown += _row(ctx, Location(file=display, line=line), cells, get, _Seen(was_seen))
    ctx.add_orders(orders)
    return unknown


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
