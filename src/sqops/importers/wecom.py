"""WeCom (企业微信) exports (``wecom``).

* Chat archive (会话内容存档) messages, as JSON Lines (one decrypted message a line):
  ``msgid``, ``action`` (send | recall | switch), ``from``, ``roomid``, ``msgtime`` (ms),
  ``msgtype`` and a body object named after the type (``text: {content}``). Only group
  messages (non-empty ``roomid``) are imported; private chats and ``switch`` records are
  counted and left out. A ``recall`` is kept as a system message.
* Customer-group details (客户群详情, ``externalcontact/groupchat/get``): a JSON object with
  ``group_chat`` (or a list of them, or JSON Lines): ``chat_id``, ``owner``, ``admin_list``
  and ``member_list`` entries with ``userid``, ``type`` (1 internal, 2 external),
  ``join_time`` (s), ``join_scene`` (1 invited directly, 2 via link, 3 via QR code) and
  ``invitor.userid``. Each member becomes a ``join`` with its inviter and channel.

Staff: internal members (``type`` 1; in messages, senders whose id does not start with
``wm``/``wo`` — WeCom's prefix for external users) go to the ``staff`` table, the group owner
as ``owner`` and admins as ``admin``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqops.data.scalars import epoch_value
from sqops.errors import InputError, Location
from sqops.i18n import T
from sqops.importers._base import JSON_SYNTAX, SYSTEM_ID, Context, obj_at, read_text, split_lines

MSG_TYPES = {
    "text": "text",
    "markdown": "text",
    "image": "image",
    "voice": "voice",
    "video": "video",
    "emotion": "sticker",
    "file": "file",
    "link": "link",
    "weapp": "miniprogram",
    "news": "link",
    "sphfeed": "link",
    "revoke": "system",
    "agree": "system",
    "disagree": "system",
}
JOIN_SCENES = {1: "invite", 2: "link", 3: "qrcode"}


def is_external(user_id: str) -> bool:
    return user_id.startswith(("wm", "wo"))


def read(path: Path, display: str, ctx: Context, *, name: str, options: Any = None) -> None:
    text = read_text(path, display)
    stripped = text.strip()
    if not stripped:
        raise InputError(T("文件是空的", "the file is empty"), Location(file=display, line=1))
    # a whole-file JSON document (member details) or JSON Lines (either kind)
    try:
        whole = json.loads(stripped)
    except json.JSONDecodeError:
        whole = None
    records: list[tuple[Location, Any]]
    if whole is not None:
        items = whole if isinstance(whole, list) else [whole]
        records = [
            (Location(file=display, key=f"[{i}]" if isinstance(whole, list) else None), x)
            for i, x in enumerate(items)
        ]
    else:
        records = []
        for n, raw in enumerate(split_lines(text), 1):
            if not raw.strip():
                continue
            try:
                records.append((Location(file=display, line=n), json.loads(raw)))
            except json.JSONDecodeError as exc:
                records.append((Location(file=display, line=n), exc))
    staff: dict[str, str | None] = {}
    for where, rec in records:
        if isinstance(rec, json.JSONDecodeError):
            ctx.skip(where, JSON_SYNTAX.format(m=rec.msg))
            continue
        if not isinstance(rec, dict):
            ctx.skip(where, T("不是 JSON 对象", "not a JSON object"))
            continue
        if "group_chat" in rec or "member_list" in rec:
            _group(ctx, where, rec.get("group_chat", rec), staff)
        elif "msgid" in rec:
            _message(ctx, where, rec, staff)
        else:
            ctx.skip(
                where,
                T(
                    "既不是会话存档消息（msgid）也不是客户群详情（group_chat）",
                    "neither an archived message (msgid) nor group details (group_chat)",
                ),
            )
    recognised = any(
        isinstance(r, dict) and ("msgid" in r or "group_chat" in r or "member_list" in r)
        for _, r in records
    )
    if not records or not recognised:
        raise InputError(
            T(
                "不是企业微信会话存档或客户群详情：没有 msgid 或 member_list",
                "not a WeCom chat archive or group details: no msgid or member_list",
            ),
            Location(file=display, line=1),
        )
    for uid in sorted(staff):
        ctx.staff(uid, staff[uid] or "staff")


def _message(
    ctx: Context, where: Location, rec: dict[str, Any], staff: dict[str, str | None]
) -> int:
    action = rec.get("action", "send")
    if action == "switch":
        ctx.count("skipped_switch")
        return 1
    room = str(rec.get("roomid") or "")
    if not room:
        ctx.count("skipped_private")
        return 1
    sender = str(rec.get("from") or "")
    mt = rec.get("msgtime")
    ts = epoch_value(mt, ctx.tz)
    if ts is None:
        ctx.skip(where, T("无法读取 msgtime", "cannot read msgtime"))
        return 1
    if not sender:
        ctx.skip(where, T("缺少 from", "lacks from"))
        return 1
    msgtype = str(rec.get("msgtype") or "")
    if action == "recall":
        msg_type = "system"
    else:
        msg_type = MSG_TYPES.get(msgtype, "other")
    content = None
    body = rec.get(msgtype)
    if msg_type == "text" and isinstance(body, dict):
        content = str(body.get("content") or "") or None
    elif msg_type == "link" and isinstance(body, dict):
        content = str(body.get("title") or body.get("link_url") or "") or None
    internal = not is_external(sender)
    if internal and msg_type != "system":
        staff.setdefault(sender, None)
    ctx.message(
        ts=ts,
        group_id=room,
        member_id=sender if msg_type != "system" else SYSTEM_ID,
        msg_id=str(rec.get("msgid")) or None,
        msg_type=msg_type,
        content=content,
        role=("staff" if internal else None) if msg_type != "system" else "bot",
    )
    return 1


def _group(ctx: Context, where: Location, chat: Any, staff: dict[str, str | None]) -> int:
    if not isinstance(chat, dict) or not chat.get("chat_id"):
        ctx.skip(where, T("客户群详情缺少 chat_id", "group details lack chat_id"))
        return 0
    room = str(chat["chat_id"])
    owner = str(chat.get("owner") or "")
    if owner:
        staff[owner] = "owner"
    admins = chat.get("admin_list")
    for adm in admins if isinstance(admins, list) else []:
        if isinstance(adm, dict) and adm.get("userid"):
            staff.setdefault(str(adm["userid"]), "admin")
            if staff[str(adm["userid"])] is None:
                staff[str(adm["userid"])] = "admin"
    members = chat.get("member_list")
    if not isinstance(members, list):
        ctx.skip(where, T("客户群详情缺少 member_list", "group details lack member_list"))
        return 0
    for i, m in enumerate(members):
        loc = Location(
            file=where.file,
            line=where.line,
            key=f"{where.key or ''}member_list[{i}]" if where.line is None else None,
        )
        if not isinstance(m, dict) or not m.get("userid"):
            ctx.skip(loc, T("成员缺少 userid", "member lacks userid"))
            continue
        uid = str(m["userid"])
        jt = m.get("join_time")
        ts = epoch_value(jt, ctx.tz)
        if ts is None:
            ctx.skip(loc, T("无法读取 join_time", "cannot read join_time"))
            continue
        if m.get("type") == 1:
            staff.setdefault(uid, None)
        invitor = obj_at(m, "invitor")
        name = m.get("group_nickname") or m.get("name") or None
        ctx.member_event(
            ts=ts,
            group_id=room,
            event="join",
            member_id=uid,
            member_name=str(name) if name else None,
            inviter_id=str(invitor.get("userid")) if invitor.get("userid") else None,
            channel=JOIN_SCENES.get(m["join_scene"])
            if isinstance(m.get("join_scene"), int)
            else None,
        )
    return 1
