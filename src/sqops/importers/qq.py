"""QQ message manager (消息管理器) text export (``qq``).

Layout::

    消息记录（此消息记录为文本格式，不支持重新导入）
    ================================================================
    消息分组:我的QQ群
    ================================================================
    消息对象:抗老精华交流群
    ================================================================

    2026-12-01 20:15:03 小林(10001)
    大家好

    2026-12-01 下午8:16:10 阿青<qing@example.com>
    [图片]

A sender line is ``date time name(QQ号)`` or ``name<email>`` (24-hour, or 12-hour with
上午/下午/AM/PM before or after the time). Bodies may span several lines. ``系统消息`` lines
carry joins and leaves. One file may hold several 消息对象 (groups); the group id is its name
(the file name without extension before any 消息对象 header).
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

from sqops.data.scalars import clean
from sqops.errors import InputError, Location
from sqops.i18n import T
from sqops.importers._base import BAD_TIME, SYSTEM_ID, Context, name_id, read_text, split_lines
from sqops.importers.wechat import placeholder_type

_SENDER = re.compile(
    r"^(?P<date>[0-9]{4}[-/][0-9]{1,2}[-/][0-9]{1,2})\s+"
    r"(?:(?P<ap1>上午|下午|凌晨|中午|晚上|AM|PM)\s*)?"
    r"(?P<time>[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?)"
    r"(?:\s*(?P<ap2>上午|下午|AM|PM))?"
    r"\s+(?P<who>.+?)\s*$",
    re.IGNORECASE,
)
_LOOSE_DATE = re.compile(r"^[0-9]{4}[-/][0-9]{1,2}[-/][0-9]{1,2}\s+\S*[0-9]{1,2}:[0-9]{2}")
_ID = re.compile(r"^(?P<name>.*?)\s*(?:\((?P<qq>\d{4,12})\)|<(?P<email>[^<>\s]+)>)$")
_HEADER = re.compile(r"^(消息分组|消息对象)\s*[:：]\s*(.*)$")

_Q = "\"“”「」'‘’"
_PLAIN = rf"[{_Q}]?(.+?)(?:\((\d+)\))?[{_Q}]?"
_SYSTEM_NOTICES: list[tuple[re.Pattern[str], str, str | None]] = [
    (re.compile(rf"^{_PLAIN}\s*邀请\s*{_PLAIN}\s*加入了?本群"), "join/a-b", "invite"),
    (
        re.compile(rf"^{_PLAIN}\s*通过扫描\s*{_PLAIN}\s*分享的二维码加入了?本群"),
        "join/b-a",
        "qrcode",
    ),
    (re.compile(rf"^{_PLAIN}\s*(?:已经)?加入了?本群"), "join/b", None),
    (re.compile(rf"^{_PLAIN}\s*(?:被管理员|被群主)移出了?本群"), "leave/b", "removed"),
    (re.compile(rf"^{_PLAIN}\s*将\s*{_PLAIN}\s*移出了?本群"), "leave/a-b", "removed"),
    (re.compile(rf"^{_PLAIN}\s*(?:退出|离开)了?本群"), "leave/b", "left"),
]


def _ts(m: re.Match[str], ctx: Context) -> datetime | None:
    y, mo, d = (int(x) for x in re.split(r"[-/]", m.group("date")))
    parts = [int(x) for x in m.group("time").split(":")]
    hh, mi, ss = parts[0], parts[1], parts[2] if len(parts) > 2 else 0
    ap = (m.group("ap1") or m.group("ap2") or "").upper()
    if ap:
        if not 1 <= hh <= 12 and not (ap in ("凌晨",) and hh == 0):
            return None
        if ap in ("PM", "下午", "晚上") and hh < 12:
            hh += 12
        elif ap in ("AM", "上午", "凌晨") and hh == 12:
            hh = 0
        elif ap == "中午" and hh < 11:
            hh += 12
    try:
        return datetime(y, mo, d, hh, mi, ss, tzinfo=ctx.tz)
    except ValueError:
        return None


def _who(text: str) -> tuple[str, str | None]:
    """``小林(10001)`` → (小林, 10001); ``阿青<a@b.c>`` → (阿青, a@b.c); ``小林`` → (小林, None)."""
    m = _ID.match(text)
    if not m:
        return text.strip(), None
    return m.group("name").strip(), m.group("qq") or m.group("email")


def read(path: Path, display: str, ctx: Context, *, name: str, options: Any = None) -> None:
    text = read_text(path, display)
    lines = split_lines(text)
    group: str | None = path.stem  # until a 消息对象 header names the chat
    current: dict[str, Any] | None = None
    seen_header = seen_sender = False

    def flush() -> None:
        nonlocal current
        if current is None:
            return
        body = "\n".join(current["body"]).strip("\n")
        _emit(ctx, current, body)
        current = None

    for n, raw in enumerate(lines, 1):
        line = clean(raw).rstrip()
        h = _HEADER.match(line.strip()) if line.lstrip().startswith("消息") else None
        if h:
            flush()
            seen_header = True
            if h.group(1) == "消息对象":
                group = h.group(2).strip() or None
            continue
        if line[:1] == "=" and set(line.strip()) <= {"="}:
            flush()
            continue
        m = _SENDER.match(line)
        if m:
            ts = _ts(m, ctx)
            where = Location(file=display, line=n)
            if ts is None:
                flush()
                ctx.skip(where, BAD_TIME.format(v=line[:40]))
                current = {"skip": True, "body": []}
                continue
            flush()
            seen_sender = True
            if group is None:
                ctx.skip(
                    where,
                    T("消息出现在“消息对象”之前", "message before any 消息对象 (chat) header"),
                )
                current = {"skip": True, "body": []}
                continue
            who, mid = _who(m.group("who"))
            current = {
                "ts": ts,
                "group": group,
                "name": who,
                "id": mid,
                "line": n,
                "where": where,
                "body": [],
            }
            continue
        if current is not None and line[:1].isdigit() and _LOOSE_DATE.match(line):
            # looks like a sender line but is not one: a damaged line
            flush()
            ctx.skip(
                Location(file=display, line=n), T("无法读取的发送者行", "unreadable sender line")
            )
            current = {"skip": True, "body": []}
            continue
        if current is None:
            if (
                line.strip()
                and seen_header
                and group is not None
                and not line.startswith("消息记录")
            ):
                ctx.skip(
                    Location(file=display, line=n),
                    T("第一条消息之前的无法识别的行", "unrecognised line before the first message"),
                )
            continue
        current["body"].append(raw.rstrip("\r"))
    flush()
    if not seen_sender and not seen_header:
        raise InputError(
            T(
                "不是 QQ 消息管理器导出：没有“消息对象”表头，也没有“日期 时间 昵称(QQ号)”格式的行",
                "not a QQ message manager export: no 消息对象 header and no 'date time name(QQ)' line",
            ),
            Location(file=display, line=1),
        )


def _emit(ctx: Context, cur: dict[str, Any], body: str) -> None:
    if cur.get("skip"):
        return
    name, mid, ts, group = cur["name"], cur["id"], cur["ts"], cur["group"]
    if name == "系统消息" or mid == "10000":
        ctx.message(
            ts=ts, group_id=group, member_id=SYSTEM_ID, msg_type="system", content=body, role="bot"
        )
        _notices(ctx, ts, group, body)
        return
    member_id = mid or name_id(name)
    ctx.message(
        ts=ts,
        group_id=group,
        member_id=member_id,
        member_name=name or None,
        msg_type=placeholder_type(body) or "text",
        content=body if not placeholder_type(body) else None,
    )


def _notices(ctx: Context, ts: datetime, group: str, body: str) -> None:
    for line in body.splitlines():
        text = line.strip()
        for pattern, kind, channel in _SYSTEM_NOTICES:
            m = pattern.match(text)
            if not m:
                continue
            event, _, roles = kind.partition("/")
            g = m.groups()
            # each _PLAIN contributes (name, qq)
            first = (g[0], g[1])
            second = (g[2], g[3]) if len(g) >= 4 else None
            if roles == "a-b" and second:
                member, inviter = second, (first if event == "join" else None)
            elif roles == "b-a" and second:
                member, inviter = first, second
            else:
                member, inviter = first, None
            ctx.member_event(
                ts=ts,
                group_id=group,
                event=event,
                member_id=member[1],
                member_name=member[0],
                inviter_id=inviter[1] if inviter else None,
                inviter_name=inviter[0] if inviter and not inviter[1] else None,
                channel=channel,
            )
            ctx.count("notices")
            break
