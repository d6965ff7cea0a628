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
keys are errors with their line. ``ts`` is read like the report reads it (ISO 8601, ``Y/M/D H:M``,
epoch s/ms), naive times in ``--tz``; ``amount`` accepts ``¥1,299.00``.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqops.data.scalars import parse_amount, parse_ts
from sqops.domain.tables import IMPORTED_TABLES, TABLE
from sqops.errors import InputError, Location, UsageError, display_path
from sqops.i18n import T
from sqops.importers._base import Context
from sqops.importers.youzan import load_table


def _enums(table: str) -> dict[str, frozenset[str]]:
    """Columns whose values must be canonical, per table (staff roles are free text)."""
    return {c: frozenset(v) for c, v in TABLE[table].values.items()}


@dataclass
class ColumnMap:
    table: str
    columns: dict[str, str]
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    file: str = ""


def _err(
    display: str, positions: Any, path: tuple[Any, ...], text: T, key: bool = False
) -> InputError:
    try:
        line, col = positions.of_key(path) if key else positions.of_value(path)
    except Exception:  # a path the YAML does not have: point at the file
        return InputError(text, Location(file=display, line=1))
    return InputError(text, Location(file=display, line=line, col=col))


def load_map(path: Path) -> ColumnMap:
    """Read and check a column map; every mistake names its line."""
    from sqops.sop.yamlsafe import load_yaml, read_source

    display = display_path(path)
    text = read_source(path, display)
    data, pos = load_yaml(text, display)
    if not isinstance(data, dict):
        raise InputError(
            T(
                "列映射文件应为一个映射（table/columns）",
                "a column map must be a mapping (table/columns)",
            ),
            Location(file=display, line=1),
        )
    for k in data:
        if k not in ("table", "columns", "values", "defaults"):
            close = difflib.get_close_matches(
                str(k), ["table", "columns", "values", "defaults"], n=1
            )
            hint = (
                T("（是否想写 {c}？）", " (did you mean {c}?)").format(c=close[0])
                if close
                else T("", "")
            )
            raise _err(
                display,
                pos,
                (k,),
                T("未知的键 “{k}”", "unknown key '{k}'").format(k=k) + hint,
                key=True,
            )
    table = data.get("table")
    if table not in IMPORTED_TABLES:
        raise _err(
            display,
            pos,
            ("table",),
            T("table 应为 {a} 之一", "table must be one of {a}").format(
                a=", ".join(IMPORTED_TABLES)
            ),
        )
    required, optional = TABLE[table].required, TABLE[table].optional
    allowed = (*required, *optional)
    columns = data.get("columns")
    if not isinstance(columns, dict) or not columns:
        raise _err(
            display,
            pos,
            ("columns",) if "columns" in data else (),
            T(
                "columns 应为“规范列: 你的表头”的映射",
                "columns must map canonical column → your header",
            ),
        )
    for section in ("columns", "values", "defaults"):
        sec = data.get(section) or {}
        if not isinstance(sec, dict):
            raise _err(
                display,
                pos,
                (section,),
                T("{s} 应为映射", "{s} must be a mapping").format(s=section),
            )
        for k in sec:
            if k not in allowed:
                close = difflib.get_close_matches(str(k), allowed, n=1)
                hint = (
                    T("（是否想写 {c}？）", " (did you mean {c}?)").format(c=close[0])
                    if close
                    else T("", "")
                )
                raise _err(
                    display,
                    pos,
                    (section, k),
                    T(
                        "{t} 表没有列 “{k}”；可用：{a}",
                        "table {t} has no column '{k}'; use one of: {a}",
                    ).format(t=table, k=k, a=", ".join(allowed))
                    + hint,
                    key=True,
                )
    defaults = {str(k): str(v) for k, v in (data.get("defaults") or {}).items()}
    missing = [c for c in required if c not in columns and c not in defaults]
    if missing:
        raise _err(
            display,
            pos,
            ("columns",),
            T("缺少必需列 {c} 的映射", "no mapping for the required column(s) {c}").format(
                c=", ".join(missing)
            ),
        )
    values: dict[str, dict[str, str]] = {}
    for k, mapping in (data.get("values") or {}).items():
        if not isinstance(mapping, dict):
            raise _err(
                display,
                pos,
                ("values", k),
                T("values.{k} 应为映射", "values.{k} must be a mapping").format(k=k),
            )
        values[str(k)] = {str(a): str(b) for a, b in mapping.items()}
        for a, b in values[str(k)].items():
            if k in _enums(table) and b not in _enums(table)[k]:
                raise _err(
                    display,
                    pos,
                    ("values", k, a),
                    T(
                        "“{b}” 不是合法的 {k}；可用：{a}",
                        "'{b}' is not a valid {k}; use one of: {a}",
                    ).format(b=b, k=k, a=", ".join(sorted(_enums(table)[k]))),
                )
    return ColumnMap(
        str(table), {str(k): str(v) for k, v in columns.items()}, values, defaults, display
    )


def read(path: Path, display: str, ctx: Context, *, name: str, options: Any = None) -> None:
    cmap: ColumnMap | None = options
    if cmap is None:
        raise UsageError(
            T(
                "generic 格式需要 --columns 列映射文件",
                "the generic format needs a column map: --columns map.yaml",
            )
        )
    table = load_table(path, display)
    excel = path.suffix.lower() in (".xlsx", ".xlsm", ".xls")
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
    required = TABLE[cmap.table].required
    for line, cells in table.rows:
        where = Location(file=display, row=line) if excel else Location(file=display, line=line)
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
            continue
        enums = _enums(cmap.table)
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
            continue
        ts = parse_ts(rec["ts"], ctx.tz) if "ts" in rec else None
        if "ts" in required and ts is None:
            ctx.skip(
                where, T("无法读取时间 “{v}”", "cannot read the time '{v}'").format(v=rec["ts"])
            )
            continue
        if cmap.table == "orders":
            amount = parse_amount(rec["amount"])
            if amount is None or amount < 0:
                ctx.skip(
                    where,
                    T("无法读取金额 “{v}”", "cannot read the amount '{v}'").format(v=rec["amount"]),
                )
                continue
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
