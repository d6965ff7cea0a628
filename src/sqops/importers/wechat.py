"""WeChat (微信) exports of the common PC exporters.

* ``wechat-msg``: the WeChatMsg-style CSV, columns ``localId, TalkerId, Type, SubType, IsSender,
  CreateTime, Status, StrContent, StrTime, Remark, NickName, Sender``.
* ``wechat-chatlog``: the chatlog-style CSV or JSON, ``Time, SenderName, Sender, TalkerName,
  Talker, Content`` (JSON: a list of objects with those keys in any case, or JSON Lines).

System notices (邀请/扫码/移出群聊) become member events with the inviter: see
:func:`notice_events`. WeChat notices name people by display name only; a name is resolved
to the sender id seen with it in the same group, else to ``name:<name>``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import msgspec
import polars as pl

from sqops.data.offsets import fixed_offset
from sqops.data.scalars import clean, clean_name, epoch_value, parse_ts
from sqops.errors import InputError, Location
from sqops.i18n import T
from sqops.importers import _jsonstream as stream
from sqops.importers import _jsonvec as vec
from sqops.importers._base import (
    BAD_TIME,
    NOT_A_MESSAGE,
    PY_SPACES,
    SELF_ID,
    SYSTEM_ID,
    Context,
    CsvFrame,
    CsvTable,
    bulk_and_rare,
    bulk_ts_text_expr,
    by_distinct,
    cell_getter,
    clean_name_expr,
    csv_frames,
    in_years,
    instant_expr,
    is_large,
    json_loads,
    json_problem,
    local_to_utc,
    naive_text_in,
    name_or_null_expr,
    parsed_expr,
    peek_text,
    read_bytes,
    read_csv,
    read_text,
    shown_name_expr,
    starts_like_json,
    strip_expr,
    ts_text_expr,
    zone_offset,
)

#: WeChat message type codes (MSG.Type) → msg_type
TYPE_CODES = {
    1: "text",
    3: "image",
    34: "voice",
    42: "other",
    43: "video",
    47: "sticker",
    48: "other",
    49: "link",
    50: "other",
    10000: "system",
    10002: "system",
}
#: sub-types of type 49 (app messages)
APP_SUBTYPES = {6: "file", 33: "miniprogram", 36: "miniprogram", 57: "text", 5: "link", 19: "other"}

_Q = "\"“”「」'‘’"
_N = rf"[{_Q}](.+?)[{_Q}]"  # a quoted name
_NOTICES: list[tuple[re.Pattern[str], str, str | None]] = [
    # (pattern with named groups a = actor/inviter, b = members), event, channel
    (re.compile(rf"^{_N}通过扫描{_N}分享的二维码加入群聊"), "join/qr-b-a", "qrcode"),
    (re.compile(rf"^{_N}通过{_N}的邀请二维码加入群聊"), "join/qr-b-a", "qrcode"),
    (re.compile(rf"^{_N}通过扫描你分享的二维码加入群聊"), "join/qr-self", "qrcode"),
    (re.compile(rf"^你通过扫描{_N}分享的二维码加入群聊"), "join/self-qr", "qrcode"),
    (re.compile(rf"^{_N}邀请{_N}加入了?群聊"), "join/a-b", "invite"),
    (re.compile(rf"^你邀请{_N}加入了?群聊"), "join/self-b", "invite"),
    (re.compile(rf"^{_N}邀请你(?:和{_N})?加入了?群聊"), "join/a-self", "invite"),
    (re.compile(rf"^{_N}加入了?群聊"), "join/b", None),
    (re.compile(r"^你通过扫描二维码加入群聊"), "join/self", "qrcode"),
    (re.compile(rf"^你被{_N}移出了?群聊"), "leave/self", "removed"),
    (re.compile(rf"^{_N}将{_N}移出了?群聊"), "leave/a-b", "removed"),
    (re.compile(rf"^你将{_N}移出了?群聊"), "leave/self-b", "removed"),
    (re.compile(rf"^{_N}(?:已)?退出了?群聊"), "leave/b", "left"),
    (re.compile(r'^"(.+?)" invited "(.+?)" to (?:join )?the group chat'), "join/a-b", "invite"),
    (
        re.compile(
            r'^"(.+?)" joined (?:the )?group chat via (?:the )?QR code (?:shared by|of) "(.+?)"'
        ),
        "join/qr-b-a",
        "qrcode",
    ),
    (re.compile(r'^"(.+?)" removed "(.+?)" from the group chat'), "leave/a-b", "removed"),
    (re.compile(r'^"(.+?)" (?:left|quit) the group chat'), "leave/b", "left"),
]
_SPLIT = re.compile(r"[、，,]\s*|\s+and\s+")


def _names(text: str) -> list[str]:
    return [n.strip(_Q + " ") for n in _SPLIT.split(text) if n.strip(_Q + " ")]


def notice_events(content: str) -> list[tuple[str, str | None, str | None, str | None]]:
    """A system notice → [(event, member name, inviter name, channel)]; [] if not a join/leave.

    Names are raw display names; ``你`` (you) stands for the exporting account.
    """
    text = clean(content).strip()
    for pattern, kind, channel in _NOTICES:
        m = pattern.match(text)
        if not m:
            continue
        event, _, roles = kind.partition("/")
        g = m.groups()
        if roles == "qr-b-a":
            return [(event, b, g[1], channel) for b in _names(g[0])]
        if roles == "qr-self":
            return [(event, b, "你", channel) for b in _names(g[0])]
        if roles == "self-qr":
            return [(event, "你", g[0], channel)]
        if roles == "a-b":
            return [(event, b, g[0] if event == "join" else None, channel) for b in _names(g[1])]
        if roles == "self-b":
            return [(event, b, "你" if event == "join" else None, channel) for b in _names(g[0])]
        if roles == "self":
            return [(event, "你", None, channel)]
        if roles == "a-self":
            others = _names(g[1]) if len(g) > 1 and g[1] else []
            return [(event, b, g[0], channel) for b in ["你", *others]]
        return [(event, b, None, channel) for b in _names(g[0])]
    return []


def add_notice(ctx: Context, ts: datetime, group_id: str, content: str) -> None:
    for event, member, inviter, channel in notice_events(content):
        assert member is not None
        ctx.member_event(
            ts=ts,
            group_id=group_id,
            event=event,
            member_name=member,
            inviter_name=inviter,
            channel=channel,
        )
        ctx.count("notices")


#: what exporters write for non-text messages: ``[图片]``, ``![图片](url)``, ``[链接|title](url)``
_PLACEHOLDERS = {
    "图片": "image",
    "语音": "voice",
    "视频": "video",
    "动画表情": "sticker",
    "表情": "sticker",
    "GIF表情": "sticker",
    "文件": "file",
    "链接": "link",
    "分享": "link",
    "音乐": "link",
    "视频号": "link",
    "视频号直播": "link",
    "小程序": "miniprogram",
    "位置": "other",
    "名片": "other",
    "红包": "other",
    "红包封面": "other",
    "转账": "other",
    "聊天记录": "other",
    "合并转发": "other",
    "笔记": "other",
    "群公告": "other",
    "语音通话": "other",
}
_PLACEHOLDER = re.compile(r"^!?\[([^\]|]+)(?:\|[^\]]*)?\](?:\([^)]*\))?$", re.S)


def placeholder_type(content: str) -> str | None:
    """A message that is only a placeholder → its msg_type: ``[图片]``, ``![图片](http://…)``,
    ``[链接|标题](url)``, ``[文件|名字](url)``… (text around a placeholder stays text)."""
    s = content.strip()
    if not s.startswith(("[", "![")):
        return None
    m = _PLACEHOLDER.match(s)
    return _PLACEHOLDERS.get(m.group(1).strip()) if m else None


def _int(text: str | None) -> int | None:
    try:
        return int(str(text).strip())
    except (TypeError, ValueError):
        return None


def wechat_type(type_code: int | None, sub: int | None) -> str:
    if type_code == 49 and sub in APP_SUBTYPES:
        return APP_SUBTYPES[sub]
    return TYPE_CODES.get(type_code or -1, "other")


# --------------------------------------------------------------------------- entry point


def read(path: Path, display: str, ctx: Context, *, name: str, options: Any = None) -> None:
    if name == "wechat-msg":  # (csv_frames reads the file: its bytes, by polars when it can)
        _read_msg_csv(path, None, display, ctx)
        return
    if _json_array(path):
        lay = stream.layout(path, display, None) if stream.large(path) else None
        if lay is not None:  # (its items in slices)
            with vec.gc_paused():
                _chatlog_slices(lay, display, ctx)
            return
        raw = read_bytes(path, display)
        with vec.gc_paused():
            if _chatlog_fast(ctx, display, raw):
                return
        items = vec.parse_bytes(raw)
        del raw
        if type(items) is list:  # a JSON array in UTF-8: as _read_chatlog_json reads it
            with vec.gc_paused():
                _chatlog_items(items, display, ctx)
            return
    if not is_large(path) and starts_like_json(path) is False:
        _read_chatlog_csv(path, None, display, ctx)
        return
    text = None if is_large(path) else read_text(path, display)
    if (peek_text(path) if text is None else text).lstrip()[:1] in ("[", "{"):
        with vec.gc_paused():
            _read_chatlog_json(read_text(path, display) if text is None else text, display, ctx)
    else:
        _read_chatlog_csv(path, text, display, ctx)


def _json_array(path: Path) -> bool:
    """Whether a file starts with ``[`` (after ASCII white space)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    return head.lstrip(b" \t\r\n")[:1] == b"["


def _read_msg_csv(path: Path, text: str | None, display: str, ctx: Context) -> None:
    zone = getattr(ctx.tz, "key", None)
    source = (
        csv_frames(path, display, text, columns=lambda t: _msg_columns(t).values())
        if zone
        else text or read_text(path, display)
    )
    if isinstance(source, str):  # what only the row-by-row reading reads as it does today
        table = read_csv(source, display)
        col = _msg_columns(table)
        for line, cells in table.rows:
            _msg_row(ctx, Location(file=display, line=line), cells, col, len(table.header))
        return
    assert zone is not None
    columns: dict[str, int | None] | None = None
    for frame in source:
        columns = columns or _msg_columns(frame.table())
        _msg_bulk(frame, columns, display, ctx, zone)


#: type codes as the bulk reads them (other spellings: the row-by-row way)
_CODE = r"^[0-9]{1,9}$"


def _msg_bulk(
    frame: CsvFrame, col: dict[str, int | None], display: str, ctx: Context, zone: str
) -> None:
    """The rows of a WeChatMsg CSV: ordinary messages (epoch seconds or milliseconds in
    CreateTime, numeric type codes, a sender) in bulk, notices and every other row by
    :func:`_msg_row`, in file order."""
    width = len(frame.header)
    need = min(width, max(i for i in col.values() if i is not None) + 1)
    rows = frame.rows

    def raw_cell(key: str) -> pl.Expr:
        i = col[key]
        if i is None or f"c{i}" not in rows.columns:
            return pl.lit("")
        stripped = frame.strip(pl.col(f"c{i}"))
        # (a column without a null, a cell past a short row's end, is not filled: no copy)
        return stripped.fill_null("") if rows[f"c{i}"].null_count() else stripped

    # each text cell the bulk reads stripped once, kept as a column while the bulk is read;
    # the codes (time, type, sub-type, sender flag) read as they are: a cell of digits (or
    # "1") has nothing to strip, and any other one makes its row the row-by-row way's
    used = ["Sender", "TalkerId", "localId", "StrContent", "Remark", "NickName"]

    def cell(key: str) -> pl.Expr:
        return pl.col(f"_{key}")

    def code_cell(key: str) -> pl.Expr:
        i = col[key]
        return pl.col(f"c{i}") if i is not None and f"c{i}" in rows.columns else pl.lit("")

    ct = code_cell("CreateTime")
    seconds = ct.str.contains(r"^[0-9]{9,10}$")
    millis = ct.str.contains(r"^1[0-9]{12}$")  # (exactly the milliseconds a float divides)
    epoch = ct.cast(pl.Int64, strict=False)
    utc = (
        pl.when(seconds)
        .then(epoch * 1_000_000)
        .when(millis)
        .then(epoch * 1_000)
        .cast(pl.Datetime("us", "UTC"))
    )
    type_cell, sub_cell = code_cell("Type"), code_cell("SubType")
    type_ok = type_cell.str.contains(_CODE) & sub_cell.str.contains(r"^[0-9]{0,9}$")
    code = pl.when(type_ok).then(type_cell.cast(pl.Int64, strict=False))
    sub = pl.when(type_ok).then(sub_cell.cast(pl.Int64, strict=False))
    msg_type = (
        pl.when((code == 49) & sub.is_in(list(APP_SUBTYPES)))
        .then(sub.replace_strict(APP_SUBTYPES, default=None, return_dtype=pl.String))
        .otherwise(code.replace_strict(TYPE_CODES, default="other", return_dtype=pl.String))
    )
    is_self = code_cell("IsSender") == "1"
    # (a flag that holds a "1" and is not "1" — " 1", "1 " — is the row-by-row way's)
    flag_ok = is_self | ~code_cell("IsSender").str.contains("1", literal=True)
    sender = cell("Sender")
    member = pl.when(sender != "").then(sender).when(is_self).then(pl.lit(SELF_ID))
    bulk = (
        (pl.col("_n") >= need)
        & pl.col("_utc").is_not_null()
        & pl.col("_type_ok")
        & pl.col("_flag_ok")
        & (pl.col("_group") != "")
        & (pl.col("_type") != "system")
        & pl.col("_member").is_not_null()
    )
    # (lazy: polars computes an expression used twice once)
    stripped = rows.lazy().with_columns(raw_cell(k).alias(f"_{k}") for k in used)
    rows = (
        stripped.with_columns(
            utc.alias("_utc"),
            msg_type.alias("_type"),
            member.alias("_member"),
            cell("TalkerId").alias("_group"),
            type_ok.alias("_type_ok"),
            flag_ok.alias("_flag_ok"),
        )
        .with_columns(bulk.alias("_bulk"))
        .collect()
    )
    # (the bulk rows' columns are not copied: each query below filters what it reads)
    good = rows.lazy().filter(pl.col("_bulk"))
    # each distinct speaker of the bulk rows once (sets: the order they are recorded in says
    # nothing): the aliases the row-by-row way records — the exporter's id ("is self" rows
    # with a sender), the nickname, the name shown (which Context.finish would otherwise
    # look for in every row again) — and the names shown, mapped once
    group = pl.lit(ctx.group_id, dtype=pl.String) if ctx.group_id else pl.col("_group")
    remark, nick = cell("Remark"), cell("NickName")
    shown = pl.when(remark != "").then(remark).otherwise(nick)
    own = (is_self & (sender != "")).alias("_own")
    people = good.select(group.alias("_g"), pl.col("_member"), nick, remark, own).unique()
    speakers = people.collect()
    name = by_distinct(speakers, shown, shown_name_expr)
    for g, m, n, own_id in speakers.select("_g", "_member", nick, "_own").iter_rows():
        if own_id:
            ctx.self_is(g, m)
        ctx.alias(g, n, m)
    ctx.alias_names(  # (the names shown, as Context.finish records a message's name)
        speakers.select(
            pl.col("_g").alias("group_id"),
            name.alias("member_name"),
            pl.col("_member").alias("member_id"),
        )
    )
    # the times' first and last (naive UTC) and whether one has a fraction of a second, in
    # one aggregate (not the column): the zone's one offset over them, their wall-clock
    # days (ts looked up), and no per-row check ts_text_expr needs not make
    naive = pl.col("_utc").dt.replace_time_zone(None)
    low, high, fraction = (
        good.select(
            naive.min().alias("low"),
            naive.max().alias("high"),
            (naive.dt.microsecond() != 0).any().alias("fraction"),
        )
        .collect()
        .row(0)
    )
    offset = days = bounds = None
    if low is not None:
        assert isinstance(low, datetime) and isinstance(high, datetime)
        offset, bounds = fixed_offset(zone, low, high), (low, high)
    if offset is not None:  # (the wall-clock times' first and last day: ts looked up)
        days = ((low + offset).date(), (high + offset).date())
    messages = good.select(
        instant_expr(pl.col("_utc")).alias("_t"),
        ts_text_expr(
            pl.col("_utc"), zone, offset, days, bounds=bounds, fraction=bool(fraction)
        ).alias("ts"),
        pl.col("_group").alias("group_id"),
        pl.col("_member").alias("member_id"),
        cell("localId").alias("msg_id"),
        name.alias("member_name"),
        pl.col("_type").alias("msg_type"),
        pl.when(pl.col("_type").is_in(["text", "link"])).then(cell("StrContent")).alias("content"),
    ).collect()
    bulk_and_rare(
        ctx,
        rows,
        messages,
        display,
        lambda where, cells: _msg_row(ctx, where, cells, col, width),
        aliased=True,
    )


def _msg_columns(table: CsvTable) -> dict[str, int | None]:
    """Field → column of a WeChatMsg CSV header; an :class:`InputError` when it lacks one."""
    col = {
        k: table.index(k)
        for k in (
            "localId",
            "TalkerId",
            "Type",
            "SubType",
            "IsSender",
            "CreateTime",
            "StrContent",
            "StrTime",
            "Remark",
            "NickName",
            "Sender",
        )
    }
    missing = [k for k in ("TalkerId", "Type", "StrContent", "Sender") if col[k] is None]
    if col["CreateTime"] is None and col["StrTime"] is None:
        missing.append("CreateTime/StrTime")
    if missing:
        raise InputError(
            T(
                "不是 WeChatMsg 类 CSV：表头缺少列 {c}",
                "not a WeChatMsg-style CSV: the header lacks {c}",
            ).format(c=", ".join(missing)),
            Location(file=table.display, line=table.header_line),
        )
    return col


def _msg_row(
    ctx: Context, where: Location, cells: list[str], col: dict[str, int | None], width: int
) -> None:
    """One row of a WeChatMsg CSV, the row-by-row way."""
    cell = cell_getter(col)
    if len(cells) < min(width, max(i for i in col.values() if i is not None) + 1):
        ctx.skip(
            where,
            T("列数不足（{n}/{w}）", "too few columns ({n} of {w})").format(n=len(cells), w=width),
        )
        return
    ts = None
    ct = cell(cells, "CreateTime")
    if ct.isdigit():
        ts = epoch_value(ct, ctx.tz)
    if ts is None:
        ts = parse_ts(cell(cells, "StrTime") or ct, ctx.tz)
    type_code = _int(cell(cells, "Type"))
    group = cell(cells, "TalkerId")
    if ts is None or type_code is None or not group:
        if ts is None:
            what, value = "CreateTime/StrTime", ct or cell(cells, "StrTime")
        elif type_code is None:
            what, value = "Type", cell(cells, "Type")
        else:
            what, value = "TalkerId", ""
        ctx.skip(where, T("无法读取 {c}：“{v}”", "cannot read {c}: '{v}'").format(c=what, v=value))
        return
    msg_type = wechat_type(type_code, _int(cell(cells, "SubType")))
    content = cell(cells, "StrContent")
    is_self = cell(cells, "IsSender") == "1"
    sender = cell(cells, "Sender")
    display_name = cell(cells, "Remark") or cell(cells, "NickName")
    if msg_type == "system":
        member_id, role = SYSTEM_ID, "bot"
        add_notice(ctx, ts, group, content)
    else:
        member_id, role = (sender or (SELF_ID if is_self else "")), None
        if is_self and sender:
            ctx.self_is(ctx.group_id or group, sender)
        if not member_id:
            ctx.skip(where, T("没有发送者（Sender 为空）", "no sender (Sender is empty)"))
            return
        ctx.alias(ctx.group_id or group, cell(cells, "NickName"), member_id)
    ctx.message(
        ts=ts,
        group_id=group,
        member_id=member_id,
        msg_id=cell(cells, "localId") or None,
        member_name=display_name if msg_type != "system" else None,
        msg_type=msg_type,
        content=content if msg_type in ("text", "system", "link") else None,
        role=role,
    )


# chatlog keys (lower-cased) → our field
_CHATLOG_KEYS = {
    "time": "time",
    "sendername": "sender_name",
    "sender": "sender",
    "talkername": "talker_name",
    "talker": "talker",
    "content": "content",
    "type": "type",
    "subtype": "subtype",
    "isself": "is_self",
    "seq": "seq",
    "msgid": "seq",
    "messageid": "seq",
    "id": "seq",
}


def _chatlog_row(ctx: Context, where: Location, rec: dict[str, Any]) -> None:
    ts_raw = rec.get("time")
    ts = None
    if isinstance(ts_raw, int | float):
        ts = epoch_value(ts_raw, ctx.tz)
    elif isinstance(ts_raw, str):
        ts = parse_ts(ts_raw, ctx.tz)
    talker = str(rec.get("talker") or "").strip()
    if ts is None:
        ctx.skip(where, BAD_TIME.format(v=ts_raw))
        return
    if not talker:
        ctx.skip(where, T("没有会话（Talker 为空）", "no chat (Talker is empty)"))
        return
    content = str(rec.get("content") or "")
    sender = str(rec.get("sender") or "").strip()
    sender_name = str(rec.get("sender_name") or "").strip()
    type_code = _int(rec.get("type")) if rec.get("type") not in (None, "") else None
    if type_code is not None:
        msg_type = wechat_type(type_code, _int(rec.get("subtype")))
    elif not sender or sender_name in ("系统消息", "system", "System"):
        msg_type = "system"
    else:
        msg_type = placeholder_type(content) or "text"
    if msg_type == "system":
        add_notice(ctx, ts, talker, content)
        member_id, role, sender_name = SYSTEM_ID, "bot", ""
    else:
        is_self = str(rec.get("is_self") or "").lower() in ("1", "true")
        member_id, role = sender or (SELF_ID if is_self else ""), None
        if is_self and sender:
            ctx.self_is(ctx.group_id or talker, sender)
        if not member_id:
            ctx.skip(where, T("没有发送者（Sender 为空）", "no sender (Sender is empty)"))
            return
    ctx.message(
        ts=ts,
        group_id=talker,
        member_id=member_id,
        msg_id=str(rec["seq"]) if rec.get("seq") not in (None, "") else None,
        member_name=sender_name or None,
        msg_type=msg_type,
        content=content if msg_type in ("text", "system", "link") else None,
        role=role,
        group_name=str(rec.get("talker_name") or "").strip() or None,
    )


def _chatlog_columns(table: CsvTable) -> dict[str, int]:
    """Field → column of a chatlog CSV header; an :class:`InputError` when it lacks one."""
    idx: dict[str, int] = {}
    for i, h in enumerate(table.header):
        key = _CHATLOG_KEYS.get(h.replace(" ", "").lower())
        if key and key not in idx:
            idx[key] = i
    names = {"time": "Time", "sender": "Sender", "talker": "Talker", "content": "Content"}
    missing = [names[k] for k in names if k not in idx]
    if missing:
        raise InputError(
            T(
                "不是 chatlog 类 CSV：表头缺少列 {c}（需要 Time, SenderName, Sender, TalkerName, Talker, Content）",
                "not a chatlog-style CSV: the header lacks {c} (expected Time, SenderName, Sender, TalkerName, Talker, Content)",
            ).format(c=", ".join(missing)),
            Location(file=table.display, line=table.header_line),
        )
    return idx


def _too_few(ctx: Context, where: Location, n: int, width: int) -> None:
    ctx.skip(
        where,
        T("列数不足（{n}/{w}）", "too few columns ({n} of {w})").format(n=n, w=width),
    )


def _read_chatlog_csv(path: Path, text: str | None, display: str, ctx: Context) -> None:
    zone = getattr(ctx.tz, "key", None)
    source = (
        csv_frames(path, display, text, columns=lambda t: _chatlog_columns(t).values())
        if zone
        else text or read_text(path, display)
    )
    if isinstance(source, str):  # what only the row-by-row reading reads as it does today
        table = read_csv(source, display)
        idx = _chatlog_columns(table)
        need = max(idx.values()) + 1
        for line, cells in table.rows:
            where = Location(file=display, line=line)
            if len(cells) < need:
                _too_few(ctx, where, len(cells), len(table.header))
                continue
            _chatlog_row(ctx, where, {k: cells[i] for k, i in idx.items()})
        return
    assert zone is not None
    columns: dict[str, int] | None = None
    for frame in source:
        columns = columns or _chatlog_columns(frame.table())
        _chatlog_bulk(frame, columns, display, ctx, zone)


#: senders' names of system notices in chatlog exports
_SYSTEM_NAMES = ("系统消息", "system", "System")
#: :data:`_PLACEHOLDER` for polars (the same match: the content is stripped first)
_PLACEHOLDER_PL = r"(?s)^!?\[([^\]|]+)(?:\|[^\]]*)?\](?:\([^)]*\))?$"


#: the start of a text that may be a placeholder (:data:`PY_SPACES`, then "[" or "!")
_MAYBE_PLACEHOLDER = "^[" + "".join(f"\\x{{{ord(c):X}}}" for c in PY_SPACES) + r"]*[!\[]"


def placeholder_type_expr(content: pl.Expr) -> pl.Expr:
    """:func:`placeholder_type` of every text of ``content`` (null where it is none)."""
    # (only the texts that can be one, starting with "[" or "![" past white space, are
    # matched: the others are masked out first)
    return _placeholder_of(_maybe_placeholder(content))


def _maybe_placeholder(content: pl.Expr) -> pl.Expr:
    """The texts of ``content`` that may be a placeholder (null for the others)."""
    return pl.when(content.str.contains(_MAYBE_PLACEHOLDER)).then(content)


def _placeholder_of(maybe: pl.Expr) -> pl.Expr:
    """:func:`placeholder_type` of texts :func:`_maybe_placeholder` kept."""
    name = strip_expr(strip_expr(maybe).str.extract(_PLACEHOLDER_PL, 1))
    return name.replace_strict(_PLACEHOLDERS, default=None, return_dtype=pl.String)


def _placeholder_types(rows: pl.DataFrame, content: pl.Expr) -> pl.Expr:
    """:func:`placeholder_type_expr` of ``content`` over ``rows``: matched once per distinct
    text that may be a placeholder (a few in an export: ``[图片]``...), then each text looked
    up by its place among those — a cast to an Enum of them; a text not among them is none —
    instead of matched a second time and compared with each of them."""
    texts = (
        rows.lazy().select(_maybe_placeholder(content).alias("k")).unique().collect()["k"]
    ).drop_nulls()
    if not texts.len():
        return pl.lit(None, pl.String)
    types = pl.select(_placeholder_of(pl.lit(texts))).to_series()
    return pl.lit(types).gather(content.cast(pl.Enum(texts), strict=False).to_physical())


def _chatlog_bulk(
    frame: CsvFrame, idx: dict[str, int], display: str, ctx: Context, zone: str
) -> None:
    """The rows of a chatlog CSV: ordinary messages (a sender, a time read as
    :func:`naive_ts_expr` reads it, no type code nor "is self" flag) in bulk, every other
    row by :func:`_chatlog_row`, in file order."""
    need = max(idx.values()) + 1
    width = len(frame.header)
    rows = frame.rows

    def col(key: str) -> pl.Expr:
        return (
            pl.col(f"c{idx[key]}")
            if key in idx and f"c{idx[key]}" in rows.columns
            else pl.lit(None, pl.String)
        )

    empty = pl.lit("")
    content = col("content")
    # (lazy: polars computes an expression used twice once; the stripped cells are kept)
    rows = (
        rows.lazy()
        .with_columns(
            naive_text_in(frame.rows, col("time")).alias("_body"),
            # (matched once per distinct text: placeholders repeat)
            _placeholder_types(frame.rows, content).fill_null("text").alias("_type"),
            frame.strip(col("sender")).alias("_sender"),
            frame.strip(col("sender_name")).alias("_sname"),
            frame.strip(col("talker")).alias("_talker"),
        )
        .with_columns(parsed_expr(pl.col("_body")).alias("_naive"))
        .collect()
    )
    rows = in_years(rows, "_naive")
    sender, sender_name, talker = pl.col("_sender"), pl.col("_sname"), pl.col("_talker")
    offset = zone_offset(zone, rows["_naive"])
    utc = local_to_utc(pl.col("_naive"), zone, offset)
    bulk = (
        (pl.col("_n") >= need)
        & pl.col("_utc").is_not_null()
        & (talker.fill_null(empty) != "")
        & (sender.fill_null(empty) != "")
        & ~sender_name.fill_null(empty).is_in(_SYSTEM_NAMES)
        & (col("type").fill_null(empty) == "")
        & ~col("is_self").fill_null(empty).str.to_lowercase().is_in(["1", "true"])
    )
    rows = rows.lazy().with_columns(utc.alias("_utc")).with_columns(bulk.alias("_bulk")).collect()
    is_bulk = pl.col("_bulk")
    ts = bulk_ts_text_expr(
        rows.select(pl.col("_naive").filter(is_bulk)).to_series(),
        pl.col("_body"),
        pl.col("_utc"),
        zone,
        offset,
    )
    messages = (
        rows.lazy()
        .filter(is_bulk)
        .select(
            instant_expr(pl.col("_utc")).alias("_t"),
            ts.alias("ts"),
            talker.alias("group_id"),
            sender.alias("member_id"),
            col("seq").alias("msg_id"),
            by_distinct(rows, sender_name, name_or_null_expr).alias("member_name"),
            pl.col("_type").alias("msg_type"),
            pl.when(pl.col("_type").is_in(["text", "link"])).then(content).alias("content"),
            # (each distinct name stripped and cleaned: not every row's name stripped first)
            by_distinct(rows, col("talker_name"), lambda e: clean_name_expr(frame.strip(e))).alias(
                "group_name"
            ),
        )
        .collect()
    )
    # the other rows, each with how many bulk rows come before it
    keys = list(idx)
    at = rows.select(pl.arg_where(~pl.col("_bulk"))).to_series()  # (only these are taken)
    rare = (
        rows.select("_line", "_n", *(col(k).alias(k) for k in keys))[at]
        .with_columns(rows["_bulk"].cum_sum().gather(at).alias("_before"))
        .select("_line", "_n", "_before", *keys)
    )
    runs = ctx.message_runs(messages)
    done = 0
    for r in rare.iter_rows(named=True):
        if r["_before"] > done:
            runs.add(r["_before"] - done)
            done = r["_before"]
        where = Location(file=display, line=r["_line"])
        if r["_n"] < need:
            _too_few(ctx, where, r["_n"], width)
            continue
        _chatlog_row(ctx, where, {k: r[k] for k in keys})
    runs.add(messages.height - done)
    runs.close()


def _loads(line: str) -> Any:
    """One JSON line, as ``json.loads`` reads it (:func:`json_loads`: every integer exact)."""
    return json_loads(line)


def _chatlog_item(ctx: Context, where: Location, item: Any) -> int:
    """One item of a chatlog JSON; 1 when it has a time and a talker."""
    if not isinstance(item, dict):
        ctx.skip(where, NOT_A_MESSAGE)
        return 0
    rec = {_CHATLOG_KEYS[k.lower()]: v for k, v in item.items() if k.lower() in _CHATLOG_KEYS}
    if "time" not in rec or "talker" not in rec:
        ctx.skip(where, T("缺少 time 或 talker 字段", "lacks the time or talker field"))
        return 0
    _chatlog_row(ctx, where, rec)
    return 1


_SYSTEM_SENDERS = ("系统消息", "system", "System")


def _chatlog_fields(
    item: Any, plans: dict[tuple[str, ...], tuple[tuple[str, str], ...]]
) -> tuple[Any, ...] | None:
    """An ordinary chatlog message (a text time, a sender, not a notice) as the bulk frame's
    fields, read as :func:`_chatlog_row` reads them; None for any other item. ``plans``: the
    fields of each set of keys seen (exports repeat one set; the last key of a field wins)."""
    if type(item) is not dict:
        return None
    keys = tuple(item)
    plan = plans.get(keys)
    if plan is None:
        plan = tuple((k, _CHATLOG_KEYS[k.lower()]) for k in keys if k.lower() in _CHATLOG_KEYS)
        if len(plans) < 1000:
            plans[keys] = plan
    rec = {f: item[k] for k, f in plan}
    when = rec.get("time")
    if type(when) is not str or "talker" not in rec:
        return None
    talker = str(rec.get("talker") or "").strip()
    if not talker:
        return None
    content = str(rec.get("content") or "")
    sender = str(rec.get("sender") or "").strip()
    sender_name = str(rec.get("sender_name") or "").strip()
    type_code = _int(rec.get("type")) if rec.get("type") not in (None, "") else None
    if type_code is not None:
        msg_type = wechat_type(type_code, _int(rec.get("subtype")))
    elif not sender or sender_name in _SYSTEM_SENDERS:
        return None
    else:
        msg_type = placeholder_type(content) or "text"
    if msg_type == "system":
        return None
    is_self = str(rec.get("is_self") or "").lower() in ("1", "true")
    member_id = sender or (SELF_ID if is_self else "")
    if not member_id:
        return None
    seq = rec.get("seq")
    return (
        when,
        talker,
        member_id,
        str(seq) if seq not in (None, "") else None,
        sender_name or None,
        msg_type,
        content if msg_type in ("text", "link") else None,
        str(rec.get("talker_name") or "").strip() or None,
        sender if is_self and sender else None,
    )


#: an item left to :func:`_chatlog_item` (its row in the bulk frame is a placeholder)
_NOT_BULK = ("", "", "", None, None, "text", None, None, None)


class _ChatlogItem(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    """An item of a chatlog JSON array with the keys the chatlog tool writes (any other key,
    e.g. one of another case, makes the document read the orjson way: the last of the keys
    read as one field wins there); ``Any``: every value reaches the checks; ``time`` and
    ``talker``: ABSENT when missing (:func:`_chatlog_item` asks)."""

    seq: Any = None
    time: Any = vec.ABSENT
    talker: Any = vec.ABSENT
    talkerName: Any = None
    isChatRoom: Any = None
    sender: Any = None
    senderName: Any = None
    isSelf: Any = None
    type: Any = None
    subType: Any = None
    content: Any = None
    contents: Any = None


_CHATLOG_DECODER = msgspec.json.Decoder(list[_ChatlogItem])
_NO_CHATLOG_MESSAGE = T(
    "不是 chatlog 类 JSON：没有一条带 time 和 talker 的消息",
    "not a chatlog-style JSON: no message has time and talker",
)
_CHATLOG_STRUCT_KEYS = vec.struct_keys(_ChatlogItem)
#: the field read → its key in :class:`_ChatlogItem`
_CHATLOG_FIELD_KEY = {
    _CHATLOG_KEYS[k.lower()]: k for k in _CHATLOG_STRUCT_KEYS if k.lower() in _CHATLOG_KEYS
}


def _chatlog_fast(ctx: Context, display: str, raw: bytes) -> bool:
    """A chatlog JSON array decoded into structs (:func:`vec.decode_doc`) and read in bulk;
    False, with nothing added, where it is read the orjson way."""
    got = vec.decoded_for_bulk(ctx, raw, _CHATLOG_DECODER)
    if got is None:
        return False
    zone, structs = got

    def where(i: int) -> Location:
        return Location(file=display, key=f"[{i}]")

    items = vec.Structs(structs, _CHATLOG_STRUCT_KEYS)
    try:
        good = _chatlog_json_bulk(ctx, items, where, zone)
    except vec.Fallback:
        return False
    if len(items) and not good:
        raise InputError(_NO_CHATLOG_MESSAGE, Location(file=display, line=1))
    return True


def _chatlog_json_bulk(
    ctx: Context, items: list[Any] | vec.Structs, where: Callable[[int], Location], zone: str
) -> int:
    """The items of a chatlog JSON: ordinary messages as one frame (times stamped by polars),
    the others by :func:`_chatlog_item`, in order; how many have a time and a talker.
    Decoded by msgspec (``vec.Structs``): the items the Python code reads are checked
    (:meth:`vec.Structs.check_items`) before anything is added."""
    if isinstance(items, vec.Structs):
        bulk = _chatlog_struct_frame(items)
        items.check_items(vec.odd_rows(bulk["_odd"]))
        return _chatlog_feed(ctx, bulk, items.item, where, zone)
    frame = _chatlog_frame(items)
    if frame is None:  # items of many shapes or kinds: read item by item
        plans: dict[tuple[str, ...], tuple[tuple[str, str], ...]] = {}
        rows = [_chatlog_fields(item, plans) for item in items]
        cols = list(zip(*(_NOT_BULK if r is None else r for r in rows), strict=True))
        if not cols:
            cols = [()] * len(_NOT_BULK)
        frame = pl.DataFrame(
            {n: pl.Series(c, dtype=pl.String) for n, c in zip(_BULK_NAMES, cols, strict=True)}
        ).with_columns(_odd=pl.Series([r is None for r in rows], dtype=pl.Boolean))
        del rows, cols  # the frame holds them now
    return _chatlog_feed(ctx, frame, items.__getitem__, where, zone)


def _chatlog_feed(
    ctx: Context,
    frame: pl.DataFrame,
    item: Callable[[int], Any],
    where: Callable[[int], Location],
    zone: str,
) -> int:
    """The bulk rows of ``frame`` stamped and added, the odd ones (``item(i)``) read by
    :func:`_chatlog_item`, in order; how many have a time and a talker."""
    frame = vec.with_iso_stamp(frame, "when", zone)
    selves = frame.filter(~pl.col("_odd") & pl.col("_self").is_not_null())
    for talker, sender in (
        selves.select("group_id", "_self").unique().sort("group_id", "_self").rows()
    ):
        ctx.self_is(ctx.group_id or talker, sender)
    frame = frame.select(
        "_t",
        "ts",
        "group_id",
        "member_id",
        "msg_id",
        member_name=vec.norm_names(pl.col("member_name")),
        msg_type="msg_type",
        content=pl.when(pl.col("content") != "").then(pl.col("content")),
        group_name=vec.distinct_map(pl.col("group_name"), lambda v: clean_name(v) or None),
        _odd="_odd",
    )
    good = 0

    def on_odd(i: int) -> None:
        nonlocal good
        good += _chatlog_item(ctx, where(i), item(i))

    odd = vec.odd_rows(frame["_odd"])
    vec.feed(ctx, frame, odd, on_odd)
    return good + frame.height - len(odd)


_BULK_NAMES = ("when", "group_id", "member_id", "msg_id", "member_name", "msg_type", "content",
               "group_name", "_self")  # fmt: skip


def _chatlog_plan(keys: tuple[str, ...]) -> dict[str, str]:
    """Field → the key it is read from, for an item with ``keys`` (the last one wins)."""
    plan: dict[str, str] = {}
    for k in keys:
        f = _CHATLOG_KEYS.get(k.lower())
        if f is not None:
            plan[f] = k
    return plan


def _chatlog_struct_frame(items: vec.Structs) -> pl.DataFrame:
    """:func:`_chatlog_frame` of items decoded into :class:`_ChatlogItem` structs: each has
    the one key of each field (no shapes to tell apart)."""
    n = len(items)
    odd = vec.Odd(n)

    def get(f: str) -> list[Any]:
        return items.field(_CHATLOG_FIELD_KEY[f]) if f in _CHATLOG_FIELD_KEY else [None] * n

    return _chatlog_columns_frame(get, odd, items.check)


def _chatlog_frame(values: list[Any]) -> pl.DataFrame | None:
    """The bulk frame of :func:`_chatlog_json_bulk` read a field at a time (the fields of
    :func:`_chatlog_fields`, with its results): the items whose keys give the fields as the
    most common set of keys gives them, whose values are of the types read here (texts,
    integer type codes and ids, a boolean ``isSelf``) and that :func:`_chatlog_fields` would
    read as ordinary messages; ``_odd`` for every other item. None when no item is an object
    or the common keys lack the time or the talker."""
    n = len(values)
    odd = vec.Odd(n)
    items = vec.dicts(values, odd)
    if items is None:
        return None
    shapes = Counter(map(tuple, items))
    source = _chatlog_plan(shapes.most_common(1)[0][0])
    if "time" not in source or "talker" not in source:
        return None

    def fits(shape: tuple[str, ...]) -> bool:
        plan = _chatlog_plan(shape)
        return (
            "time" in plan and "talker" in plan and all(source.get(f) == k for f, k in plan.items())
        )

    misfits = {s for s in shapes if not fits(s)}
    if misfits:
        odd.mark([s in misfits for s in map(tuple, items)])

    def get(f: str) -> list[Any]:
        return vec.field(items, source[f]) if f in source else [None] * n

    return _chatlog_columns_frame(get, odd, lambda values: None)


def _chatlog_columns_frame(
    get: Callable[[str], list[Any]], odd: vec.Odd, check: Callable[[list[Any]], None]
) -> pl.DataFrame:
    """The bulk frame of the fields ``get`` gives (``check``: of values read as numbers'
    texts, :meth:`vec.Structs.check`)."""
    text = (str, type(None))
    number = (int, type(None))
    s_type, i_type = pl.String(), pl.Int64()
    seq = get("seq")
    if set(map(type, seq)) <= set(number):
        seq_col = vec.typed(seq, number, i_type, odd).cast(pl.String)
    else:  # texts and numbers: a number's text as str() writes it
        check(seq)
        seq = [str(v) if type(v) is int else v for v in seq]
        seq_col = vec.typed(seq, text, s_type, odd)
    f = pl.DataFrame(
        [
            vec.typed(get("time"), (str,), s_type, odd, "when"),
            vec.typed(get("talker"), text, s_type, odd, "talker"),
            vec.typed(get("talker_name"), text, s_type, odd, "talker_name"),
            vec.typed(get("sender"), text, s_type, odd, "sender"),
            vec.typed(get("sender_name"), text, s_type, odd, "sender_name"),
            vec.typed(get("content"), text, s_type, odd, "content"),
            vec.typed(get("type"), number, i_type, odd, "code"),
            vec.typed(get("subtype"), number, i_type, odd, "sub"),
            vec.typed(get("is_self"), (bool, type(None)), pl.Boolean(), odd, "is_self"),
            seq_col.alias("seq"),
        ]
    ).with_columns(odd.series())
    # the type of each (code, sub) pair, by the function (a few pairs in an export)
    key = pl.concat_str(
        [pl.col("code").cast(pl.String), pl.col("sub").cast(pl.String).fill_null("-")],
        separator=":",
    )
    pairs = f.filter(pl.col("code").is_not_null()).select("code", "sub").unique()
    kinds = {f"{c}:{'-' if s is None else s}": wechat_type(c, s) for c, s in pairs.iter_rows()}
    talker = strip_expr(pl.col("talker").fill_null(""))
    sender = strip_expr(pl.col("sender").fill_null(""))
    sender_name = strip_expr(pl.col("sender_name").fill_null(""))
    content = pl.col("content").fill_null("")
    code = pl.col("code")
    looks_placeholder = strip_expr(content).str.starts_with("[") | strip_expr(
        content
    ).str.starts_with("![")
    placeholder = vec.distinct_map(
        pl.when(code.is_null() & looks_placeholder).then(content), placeholder_type
    )
    msg_type = (
        pl.when(code.is_not_null())
        .then(key.replace_strict(kinds, default=None, return_dtype=pl.String))
        .otherwise(placeholder.fill_null("text"))
    )
    is_self = pl.col("is_self").fill_null(False)
    member = (
        pl.when(sender != "").then(sender).when(is_self).then(pl.lit(SELF_ID)).otherwise(pl.lit(""))
    )
    f = f.with_columns(_type=msg_type, _member=member, _sender=sender)
    mt = pl.col("_type")
    return f.select(
        "when",
        group_id=talker,
        member_id="_member",
        msg_id=pl.when(pl.col("seq") != "").then(pl.col("seq")),
        member_name=pl.when(sender_name != "").then(sender_name),
        msg_type=mt,
        content=pl.when(mt.is_in(["text", "link"])).then(content),
        group_name=pl.when(strip_expr(pl.col("talker_name").fill_null("")) != "").then(
            strip_expr(pl.col("talker_name").fill_null(""))
        ),
        _self=pl.when(is_self & (pl.col("_sender") != "")).then(pl.col("_sender")),
        _odd=pl.col("_odd")
        | (talker == "")
        | (code.is_null() & ((pl.col("_sender") == "") | sender_name.is_in(_SYSTEM_SENDERS)))
        | (mt == "system")
        | (pl.col("_member") == ""),
    )


def _read_chatlog_json(text: str, display: str, ctx: Context) -> None:
    stripped = text.lstrip()
    items: list[Any] = []
    where: Callable[[int], Location]
    if stripped.startswith("{") and "\n{" in stripped.strip():
        # JSON Lines
        import json

        numbers: list[int] = []
        for n, raw in enumerate(text.splitlines(), 1):
            if not raw.strip():
                continue
            try:
                items.append(_loads(raw))
                numbers.append(n)
            except json.JSONDecodeError as exc:
                ctx.skip(
                    Location(file=display, line=n),
                    json_problem(exc),
                )

        def where(i: int) -> Location:
            return Location(file=display, line=numbers[i])

    else:
        data = vec.load_json(text, display)
        if isinstance(data, dict):
            data = next(
                (
                    v
                    for k, v in data.items()
                    if k.lower() in ("items", "messages", "data") and isinstance(v, list)
                ),
                None,
            )
        if not isinstance(data, list):
            raise InputError(
                T(
                    "不是 chatlog 类 JSON：应为消息对象的列表",
                    "not a chatlog-style JSON: expected a list of message objects",
                ),
                Location(file=display, line=1),
            )
        _chatlog_items(data, display, ctx)
        return
    _chatlog_good(ctx, items, where, display)


def _chatlog_slices(lay: stream.Layout, display: str, ctx: Context) -> None:
    """The items of a chatlog JSON array read in slices (:mod:`._jsonstream`), as
    :func:`_chatlog_fast` or :func:`_chatlog_items` read them whole."""
    zone = vec.zone_of(ctx)

    def some(items: list[Any] | vec.Structs, first: int) -> tuple[int, int]:
        def where(i: int) -> Location:
            return Location(file=display, key=f"[{first + i}]")

        if zone is not None:
            return len(items), _chatlog_json_bulk(ctx, items, where, zone)
        if isinstance(items, vec.Structs):
            raise vec.Fallback
        return len(items), sum(_chatlog_item(ctx, where(i), it) for i, it in enumerate(items))

    item = _ChatlogItem if zone is not None else None
    done = stream.each(lay, item, _CHATLOG_STRUCT_KEYS, some)
    if sum(n for n, _ in done) and not sum(good for _, good in done):
        raise InputError(_NO_CHATLOG_MESSAGE, Location(file=display, line=1))


def _chatlog_items(items: list[Any], display: str, ctx: Context) -> None:
    """The items of a chatlog JSON array."""

    def where(i: int) -> Location:
        return Location(file=display, key=f"[{i}]")

    _chatlog_good(ctx, items, where, display)


def _chatlog_good(
    ctx: Context, items: list[Any], where: Callable[[int], Location], display: str
) -> None:
    """Every item of a chatlog JSON; an error when none has a time and a talker."""
    zone = vec.zone_of(ctx)
    if zone is not None:
        good = _chatlog_json_bulk(ctx, items, where, zone)
    else:
        good = sum(_chatlog_item(ctx, where(i), item) for i, item in enumerate(items))
    if items and not good:
        raise InputError(_NO_CHATLOG_MESSAGE, Location(file=display, line=1))
