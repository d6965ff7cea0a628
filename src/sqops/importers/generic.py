"""Any other shop or tool (``generic``): a CSV or .xlsx plus a column map (``--columns map.yaml``).

.. code-block:: yaml

    table: orders            # messages | members | staff | orders
    columns:                 # canonical column: the header in your file
      order_id: 单号
      ts: 支付时间
      member_id: 客户编号
      amount: 实付金额
      status: 状态
    values:                  # optional: your values → canonical values, per column
      status: {已支付: paid, 已退款: refunded, 已关闭: cancelled}
    defaults:                # optional: a constant for a column the file lacks
      group_id: 微店-1

Every required column of the table must come from ``columns`` or ``defaults``. Unknown
keys are errors with their line. The map is a :class:`sqops.data.columns.ColumnMap`, read by
:func:`sqops.data.columns.read_import_map`. ``ts`` is read like the report reads it (ISO 8601, ``Y/M/D H:M``,
epoch s/ms), naive times in ``--tz``; ``amount`` accepts ``¥1,299.00``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from sqops.data.columns import ColumnMap, value_sets
from sqops.data.scalars import parse_amount, parse_ts
from sqops.domain.tables import TABLE
from sqops.errors import InputError, Location, UsageError
from sqops.i18n import T
from sqops.importers._base import (
    BAD_TIME,
    Context,
    CsvFrame,
    CsvTable,
    bulk_and_rare,
    bulk_ts_text_expr,
    by_distinct,
    csv_frames,
    in_years,
    instant_expr,
    local_to_utc,
    naive_body_in,
    naive_text_expr,
    parsed_expr,
    read_csv,
    shown_name_expr,
    zone_offset,
)
from sqops.importers.youzan import load_table


def read(path: Path, display: str, ctx: Context, *, name: str, options: Any = None) -> None:
    cmap: ColumnMap | None = options
    if cmap is None:
        raise UsageError(
            T(
                "generic 格式需要 --columns 列映射文件",
                "the generic format needs a column map: --columns map.yaml",
            )
        )
    excel = path.suffix.lower() in (".xlsx", ".xlsm", ".xls")
    zone = getattr(ctx.tz, "key", None)
    if cmap.table == "messages" and not excel and zone:
        source = csv_frames(path, display, columns=lambda t: _columns(t, cmap, display).values())
        if not isinstance(source, str):
            idx: dict[str, int] | None = None
            for frame in source:
                idx = idx or _columns(frame.table(), cmap, display)
                _messages_bulk(frame, idx, cmap, display, ctx, zone)
            return
        table = read_csv(source, display)
    else:
        table = load_table(path, display)
    idx = _columns(table, cmap, display)
    for line, cells in table.rows:
        where = Location(file=display, row=line) if excel else Location(file=display, line=line)
        _row(ctx, where, cells, idx, cmap)


def _columns(table: CsvTable, cmap: ColumnMap, display: str) -> dict[str, int]:
    """Canonical column → its position in the file; an error naming the headers missing."""
    idx: dict[str, int] = {}
    missing = []
    for canon, header in cmap.columns.items():
        i = table.index(header)
        if i is None:
            missing.append(header)
        else:
            idx[canon] = i
    if missing:
        raise InputError(
            T(
                "表头缺少列映射（{m}）中的列：{c}",
                "the header lacks columns named in the column map ({m}): {c}",
            ).format(m=cmap.file, c=", ".join(missing)),
            Location(file=display, line=table.header_line),
        )
    return idx


def _row(
    ctx: Context, where: Location, cells: list[str], idx: dict[str, int], cmap: ColumnMap
) -> None:
    """One row, the row-by-row way."""
    required = TABLE[cmap.table].required
    rec: dict[str, str] = dict(cmap.defaults)
    for canon, i in idx.items():
        v = cells[i].strip() if i < len(cells) else ""
        if v:
            rec[canon] = cmap.values.get(canon, {}).get(v, v)
    empty = [c for c in required if not rec.get(c)]
    if empty:
        ctx.skip(
            where,
            T("必需列为空：{c}", "required column(s) empty: {c}").format(c=", ".join(empty)),
        )
        return
    enums = value_sets(cmap.table)
    bad = [c for c in enums if c in rec and rec[c] not in enums[c]]
    if bad:
        c = bad[0]
        ctx.skip(
            where,
            T(
                "{c} 的值 “{v}” 不合法（可在 values 中映射）",
                "{c} value '{v}' is not valid (map it under values)",
            ).format(c=c, v=rec[c]),
        )
        return
    ts = parse_ts(rec["ts"], ctx.tz) if "ts" in rec else None
    if "ts" in required and ts is None:
        ctx.skip(where, BAD_TIME.format(v=rec["ts"]))
        return
    if cmap.table == "orders":
        amount = parse_amount(rec["amount"])
        if amount is None or amount < 0:
            ctx.skip(
                where,
                T("无法读取金额 “{v}”", "cannot read the amount '{v}'").format(v=rec["amount"]),
            )
            return
        assert ts is not None
        ctx.order(
            order_id=rec["order_id"],
            ts=ts,
            member_id=rec["member_id"],
            amount=amount,
            status=rec.get("status", "paid"),
            group_id=rec.get("group_id"),
            coupon_id=rec.get("coupon_id"),
        )
    elif cmap.table == "messages":
        assert ts is not None
        ctx.message(
            ts=ts,
            group_id=rec["group_id"],
            member_id=rec["member_id"],
            msg_id=rec.get("msg_id"),
            member_name=rec.get("member_name"),
            msg_type=rec.get("msg_type", "text"),
            content=rec.get("content"),
            reply_to=rec.get("reply_to"),
            role=rec.get("role"),
        )
    elif cmap.table == "members":
        assert ts is not None
        ctx.member_event(
            ts=ts,
            group_id=rec["group_id"],
            event=rec["event"],
            member_id=rec["member_id"],
            member_name=rec.get("member_name"),
            inviter_id=rec.get("inviter_id"),
            channel=rec.get("channel"),
        )
    else:
        ctx.staff(rec["member_id"], rec.get("role"), rec.get("name"))


def _messages_bulk(
    frame: CsvFrame, idx: dict[str, int], cmap: ColumnMap, display: str, ctx: Context, zone: str
) -> None:
    """A messages table: rows with every required value, valid values and a time read as
    :func:`naive_ts_expr` reads it in bulk, the others by :func:`_row`, in file order."""
    rows = frame.rows

    def value(canon: str) -> pl.Expr:
        """The row's value as :func:`_row` puts it in ``rec`` (null: not there)."""
        default = cmap.defaults.get(canon)
        fallback = pl.lit(default, dtype=pl.String)
        i = idx.get(canon)
        if i is None or f"c{i}" not in rows.columns:
            return fallback
        raw = frame.strip(pl.col(f"c{i}"))
        mapping = cmap.values.get(canon, {})
        v = raw.replace(mapping) if mapping else raw
        return pl.when(raw.fill_null("") != "").then(v).otherwise(fallback)

    # the values of the file's columns, stripped (and mapped) once, kept for both queries
    kept = {c: f"_v_{c}" for c, i in idx.items() if f"c{i}" in rows.columns}

    def val(canon: str) -> pl.Expr:
        return pl.col(kept[canon]) if canon in kept else value(canon)

    spec = TABLE["messages"]
    ok = pl.lit(True)
    for c in spec.required:
        ok = ok & (val(c).fill_null("") != "")
    for c, allowed in value_sets("messages").items():
        ok = ok & (val(c).is_null() | val(c).is_in(sorted(allowed)))
    rows = _kept_values(frame, rows, idx, cmap, kept)
    # (times written without seconds: read as they are, not copied with ":00" first)
    body, seconds = (
        naive_body_in(rows, val("ts")) if "ts" in kept else (naive_text_expr(val("ts")), "")
    )
    rows = (
        rows.lazy()
        .with_columns(body.alias("_body"), ok.alias("_ok"))
        .with_columns(parsed_expr(pl.col("_body"), seconds).alias("_naive"))
        .collect()
    )
    rows = in_years(rows, "_naive")
    offset = zone_offset(zone, rows["_naive"])
    rows = rows.with_columns(local_to_utc(pl.col("_naive"), zone, offset).alias("_utc"))
    rows = rows.with_columns((pl.col("_ok") & pl.col("_utc").is_not_null()).alias("_bulk"))
    good = rows.filter(pl.col("_bulk"))
    ts = bulk_ts_text_expr(good["_naive"], pl.col("_body"), pl.col("_utc"), zone, offset, seconds)
    messages = (
        good.lazy()
        .select(
            instant_expr(pl.col("_utc")).alias("_t"),
            ts.alias("ts"),
            val("group_id").alias("group_id"),
            val("member_id").alias("member_id"),
            val("msg_id").alias("msg_id"),
            by_distinct(good, val("member_name"), shown_name_expr).alias("member_name"),
            val("msg_type").fill_null("text").alias("msg_type"),
            val("content").alias("content"),
            val("reply_to").alias("reply_to"),
            val("role").alias("role"),
        )
        .collect()
    )
    bulk_and_rare(
        ctx, rows, messages, display, lambda where, cells: _row(ctx, where, cells, idx, cmap)
    )


def _kept_values(
    frame: CsvFrame, rows: pl.DataFrame, idx: dict[str, int], cmap: ColumnMap, kept: dict[str, str]
) -> pl.DataFrame:
    """``rows`` with the ``kept`` columns: each file column's value as ``value`` in
    :func:`_messages_bulk` gives it (stripped, mapped, its default where it is empty). The
    cells are stripped first; the choice between the value and the default is made only in
    the columns that have an empty value (or a null where there is a default): elsewhere the
    value is the stripped (and mapped) cell itself."""
    if not kept:  # (no cell column: rows that were all blank)
        return rows
    rows = (
        rows.lazy()
        .with_columns(frame.strip(pl.col(f"c{idx[c]}")).alias(name) for c, name in kept.items())
        .collect()
    )
    names = list(kept.values())
    empties = (
        rows.lazy()
        .select(
            *((pl.col(n).str.len_bytes() == 0).any().alias(n) for n in names),
            *(pl.col(n).null_count().alias(f"{n}_nulls") for n in names),
        )
        .collect()
        .row(0, named=True)
    )
    todo = []
    for c, name in kept.items():
        raw = pl.col(name)
        mapping = cmap.values.get(c, {})
        v = raw.replace(mapping) if mapping else raw
        default = cmap.defaults.get(c)
        if empties[name] or (default is not None and empties[f"{name}_nulls"]):
            fallback = pl.lit(default, dtype=pl.String)
            todo.append(pl.when(raw.fill_null("") != "").then(v).otherwise(fallback).alias(name))
        elif mapping:
            todo.append(v.alias(name))
    return rows.lazy().with_columns(todo).collect() if todo else rows
