"""``--groups stores.csv``: one row per group (or store) sharing the SOP.

Columns: ``id`` (required), ``name``, ``launched_on``; every other column becomes
``group.vars.<column>`` in scripts. Chinese headers are accepted too (群ID / 群名 / 建群日期).
The file may be UTF-8 (with or without BOM) or GB18030/GBK, as Excel on Chinese Windows
writes it. Errors name the row (1 = first data row) and the column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from pathlib import Path

from sqops.data.decode import decode_bytes
from sqops.data.scalars import parse_date
from sqops.errors import DataError, InputError, Location, UsageError
from sqops.i18n import T
from sqops.plan._model import GroupInfo

MAX_BYTES = 20 * 1024 * 1024
MAX_GROUPS = 100_000

HEADER_ALIASES: dict[str, str] = {
    "id": "id",
    "group_id": "id",
    "store_id": "id",
    "群id": "id",
    "群编号": "id",
    "门店id": "id",
    "门店编号": "id",
    "name": "name",
    "group_name": "name",
    "store_name": "name",
    "群名": "name",
    "群名称": "name",
    "门店": "name",
    "门店名称": "name",
    "launched_on": "launched_on",
    "launch_date": "launched_on",
    "建群日期": "launched_on",
    "开群日期": "launched_on",
}

_VAR_RE = re.compile(r"^[A-Za-z_\u4e00-\u9fff][\w\u4e00-\u9fff]*$")


def parse_groups_csv(text: str, display: str) -> list[GroupInfo]:
    """Groups from CSV text; raises :class:`DataError` naming the row and column."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = next(reader)
    except StopIteration:
        raise DataError(
            T("{f} 是空文件", "{f} is empty").format(f=display), Location(file=display)
        ) from None
    except csv.Error as exc:
        raise DataError(
            T("CSV 格式错误：{e}", "malformed CSV: {e}").format(e=exc),
            Location(file=display, line=1),
        ) from None
    cols: list[str] = []
    for raw in header:
        name = raw.strip()
        cols.append(HEADER_ALIASES.get(name.lower(), name))
    if "id" not in cols:
        raise DataError(
            T(
                "{f} 缺少 id 列（群或门店的编号）；读到的列：{c}",
                "{f} has no id column (the group's or store's id); columns found: {c}",
            ).format(f=display, c=", ".join(h.strip() for h in header) or "-"),
            Location(file=display, line=1),
        )
    for i, c in enumerate(cols):
        if not c:
            raise DataError(
                T("第 {n} 列没有列名", "column {n} has no name").format(n=i + 1),
                Location(file=display, line=1),
            )
        if cols.index(c) != i:
            raise DataError(
                T("列名 “{c}” 重复", "duplicate column '{c}'").format(c=c),
                Location(file=display, line=1),
            )
        if c not in ("id", "name", "launched_on") and not _VAR_RE.match(c):
            raise DataError(
                T(
                    "列名 “{c}” 不能用作脚本变量（只能用字母、数字、下划线或汉字，且不以数字开头）",
                    "column '{c}' cannot be a script variable (letters, digits, _ or Chinese, not starting with a digit)",
                ).format(c=c),
                Location(file=display, line=1),
            )
    out: list[GroupInfo] = []
    seen: dict[str, int] = {}
    row_no = 0
    try:
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            row_no += 1
            where = Location(file=display, row=row_no)
            if len(values) > len(cols):
                raise DataError(
                    T(
                        "这一行有 {n} 个值，但表头只有 {m} 列",
                        "this row has {n} values but the header has {m} columns",
                    ).format(n=len(values), m=len(cols)),
                    where,
                )
            rec = {c: (values[i].strip() if i < len(values) else "") for i, c in enumerate(cols)}
            gid = rec["id"]
            if not gid:
                raise DataError(
                    T("id 为空", "empty id"), Location(file=display, row=row_no, key="id")
                )
            if gid in seen:
                raise DataError(
                    T("id “{i}” 与第 {r} 行重复", "id '{i}' repeats row {r}").format(
                        i=gid, r=seen[gid]
                    ),
                    Location(file=display, row=row_no, key="id"),
                )
            seen[gid] = row_no
            launched: dt.date | None = None
            if rec.get("launched_on"):
                launched = parse_date(rec["launched_on"])
                if launched is None:
                    raise DataError(
                        T(
                            "launched_on “{v}” 不是日期（写成 2026-10-01 或 2026/10/1）",
                            "launched_on '{v}' is not a date (write 2026-10-01 or 2026/10/1)",
                        ).format(v=rec["launched_on"]),
                        Location(file=display, row=row_no, key="launched_on"),
                    )
            vars_ = {c: v for c, v in rec.items() if c not in ("id", "name", "launched_on")}
            out.append(GroupInfo(gid, rec.get("name") or gid, launched, vars_, where))
            if len(out) > MAX_GROUPS:
                raise DataError(
                    T("群太多（上限 {m}）", "too many groups (limit {m})").format(m=MAX_GROUPS),
                    where,
                )
    except csv.Error as exc:
        raise DataError(
            T("CSV 格式错误：{e}", "malformed CSV: {e}").format(e=exc),
            Location(file=display, row=row_no + 1),
        ) from None
    if not out:
        raise DataError(
            T("{f} 没有任何群", "{f} lists no group").format(f=display), Location(file=display)
        )
    return out


def read_groups_csv(path: str | Path, default_launch: dt.date | None = None) -> list[GroupInfo]:
    """Read ``--groups FILE``; a row without ``launched_on`` takes ``default_launch``."""
    p = Path(path)
    display = p.as_posix()
    try:
        if p.stat().st_size > MAX_BYTES:
            raise InputError(
                T("{f} 太大（上限 {m} MB）", "{f} is too large (limit {m} MB)").format(
                    f=display, m=MAX_BYTES // 2**20
                ),
                Location(file=display),
            )
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(
            T("无法读取 {f}：{e}", "cannot read {f}: {e}").format(f=display, e=exc.strerror),
            Location(file=display),
        ) from None
    groups = parse_groups_csv(decode_bytes(data, display)[0], display)
    if default_launch is not None:
        groups = [
            g if g.launched_on else GroupInfo(g.id, g.name, default_launch, g.vars, g.where)
            for g in groups
        ]
    return groups


def unknown_group(group_id: str, known: Sequence[str]) -> UsageError:
    """The error for ``--group ID`` naming no group of the plan: a "did you mean" when one is
    close, else the first 20 ids of ``known``."""
    from sqops.errors import did_you_mean

    hint = did_you_mean(group_id, known)
    return UsageError(
        T("没有 id 为 “{g}” 的群", "no group with id '{g}'").format(g=group_id)
        + (
            T("，你是不是想写 “{h}”？", "; did you mean '{h}'?").format(h=hint)
            if hint
            else T("；可选：{a}", "; groups: {a}").format(a=", ".join(list(known)[:20]))
        )
    )
