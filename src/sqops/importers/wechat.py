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

from sqops.data.decode import NUL_CHARACTER
from sqops.data.offsets import fixed_offset
from sqops.data.scalars import clean, clean_name, epoch_value, parse_ts
from sqops.errors import InputError, Location, Problem
from sqops.i18n import T
from sqops.importers import _base
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
    if stream.large(path) and _chatlog_large(path, display, ctx):
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


#: CreateTime as the bulk reads it: epoch seconds of 9 or 10 digits, the first not 0 (the
#: least 9-digit and 10-digit value), or milliseconds of 13 digits starting with 1 (exactly
#: the milliseconds a float divides) — told by the cell's length and the value of its int
#: cast: a sign or a leading zero takes a byte and gives no digit (the value is then below
#: the least of its length), white space or anything else makes the cast null
_LEAST = {9: 10**8, 10: 10**9, 13: 10**12}


def _type_text(text: str) -> str | None:
    """The msg_type :func:`_msg_row` gives a Type cell (``"49"``: the sub-type's, below);
    None when it reads no code (the row is skipped)."""
    code = _int(text.strip())
    return None if code is None else "49" if code == 49 else wechat_type(code, None)


def _app_text(text: str) -> str:
    """The msg_type :func:`_msg_row` gives an app message (Type 49) of this SubType cell."""
    return wechat_type(49, _int(text.strip()))


def _text_map(source: pl.Expr, keys: list[str], fn: Callable[[str], str | None]) -> pl.Expr:
    """``fn`` of each text of ``source``, whose texts are among ``keys`` (distinct, not null):
    each text's place among them (a cast to an Enum of them), then ``fn``'s value there;
    null where ``source`` is null."""
    values = pl.Series([fn(k) for k in keys], dtype=pl.String)
    return pl.lit(values).gather(source.cast(pl.Enum(keys), strict=False).to_physical())


def _msg_bulk(
    frame: CsvFrame, col: dict[str, int | None], display: str, ctx: Context, zone: str
) -> None:
    """The rows of a WeChatMsg CSV: messages and notices (epoch seconds or milliseconds in
    CreateTime, a type code, a sender or the exporter's flag) in bulk — a notice's joins and
    leaves by :func:`_msg_notice` —, every other row by :func:`_msg_row`, in file order."""
    width = len(frame.header)
    need = min(width, max(i for i in col.values() if i is not None) + 1)
    rows = frame.rows

    def raw(key: str) -> pl.Expr | None:
        i = col[key]
        return pl.col(f"c{i}") if i is not None and f"c{i}" in rows.columns else None

    # one aggregate: the text columns of one text in every row — one chat's TalkerId, a
    # Remark never filled — (that text stripped, a constant: no column stripped), the
    # longest IsSender, the distinct Type texts, and whether every localId is an integer
    # (polars' int cast reads a sign and ASCII digits only: no white space to strip)
    few = [k for k in ("TalkerId", "Remark") if raw(k) is not None]
    flag, type_cell, ids = raw("IsSender"), raw("Type"), raw("localId")
    facts = (
        rows.lazy()
        .select(
            *(
                e
                for k in few
                for e in (
                    raw(k).null_count().alias(f"{k}.n"),  # type: ignore[union-attr]
                    raw(k).min().alias(f"{k}.lo"),  # type: ignore[union-attr]
                    raw(k).max().alias(f"{k}.hi"),  # type: ignore[union-attr]
                )
            ),
            (pl.lit(0) if flag is None else flag.str.len_bytes().max()).alias("flag"),
            (
                pl.lit([], dtype=pl.List(pl.String))
                if type_cell is None
                else type_cell.unique().implode()
            ).alias("types"),
            (
                pl.lit(False)
                if ids is None
                else (ids.is_null() | ids.cast(pl.Int64, strict=False).is_not_null()).all()
            ).alias("ids"),
        )
        .collect()
        .row(0, named=True)
    )
    one = {
        k: str(facts[f"{k}.lo"]).strip()
        for k in few
        if not facts[f"{k}.n"] and facts[f"{k}.lo"] is not None
        if facts[f"{k}.lo"] == facts[f"{k}.hi"]
    }

    def cell(key: str) -> pl.Expr:
        """The stripped cell ("" when the column is missing or the row short)."""
        if key in one:
            return pl.lit(one[key], dtype=pl.String)
        r = raw(key)
        if r is None:
            return pl.lit("", dtype=pl.String)
        # (a column without a null, a cell past a short row's end, is not filled: no copy)
        return (
            frame.strip(r).fill_null("")
            if rows[r.meta.output_name()].null_count()
            else frame.strip(r)
        )

    # the codes read as they are: CreateTime by its digits (any other spelling: the row-by-row
    # way); Type and SubType each distinct text once, as _msg_row reads it; IsSender compared
    # with "1" — one byte at most: as stripped; else a flag holding a "1" that is not "1"
    # (" 1", "1 ") is the row-by-row way's
    ct = raw("CreateTime")
    utc: pl.Expr = pl.lit(None, dtype=pl.Datetime("us", "UTC"))
    if ct is not None:
        length, epoch = ct.str.len_bytes(), ct.cast(pl.Int64, strict=False)
        seconds = ((length == 9) & (epoch >= _LEAST[9])) | ((length == 10) & (epoch >= _LEAST[10]))
        millis = (length == 13) & epoch.is_between(_LEAST[13], 2 * _LEAST[13] - 1)
        utc = (
            pl.when(seconds)
            .then(epoch * 1_000_000)
            .when(millis)
            .then(epoch * 1_000)
            .cast(pl.Datetime("us", "UTC"))
        )
    msg_type: pl.Expr = pl.lit(None, dtype=pl.String)
    types = [t for t in facts["types"] if t is not None]
    if type_cell is not None and types:
        msg_type = _text_map(type_cell, types, _type_text)
        if any(_type_text(t) == "49" for t in types):  # (app messages: their sub-type's)
            sub_cell = raw("SubType")
            app = pl.lit(_app_text(""), dtype=pl.String)
            if sub_cell is not None:
                subs = rows.lazy().select(sub_cell.unique()).collect().to_series()
                app = _text_map(sub_cell, subs.drop_nulls().to_list(), _app_text)
            msg_type = pl.when(msg_type == "49").then(app).otherwise(msg_type)
    is_self = pl.lit(False) if flag is None else flag == "1"
    flag_ok = pl.lit(True)
    if (facts["flag"] or 0) > 1:
        assert flag is not None
        flag_ok = is_self | ~flag.str.contains("1", literal=True)
    sender = pl.col("_sender")
    # (a notice's sender is the system's, whoever the row names: its message is read in
    # bulk, its members' joins and leaves row by row — _msg_notice)
    member = (
        pl.when(pl.col("_type") == "system")
        .then(pl.lit(SYSTEM_ID))
        .when(sender != "")
        .then(sender)
        .when(pl.col("_self"))
        .then(pl.lit(SELF_ID))
    )
    group = cell("TalkerId") if "TalkerId" in one else pl.col("_group")
    bulk = (
        (pl.col("_n") >= need)
        & pl.col("_utc").is_not_null()
        & pl.col("_type").is_not_null()
        & pl.col("_flag_ok")
        & (group != "")
        & pl.col("_member").is_not_null()
    )
    rows = (
        rows.lazy()
        .with_columns(
            utc.alias("_utc"),
            msg_type.alias("_type"),
            cell("Sender").alias("_sender"),
            is_self.alias("_self"),
            flag_ok.alias("_flag_ok"),
            *(() if "TalkerId" in one else (cell("TalkerId").alias("_group"),)),
        )
        .with_columns(member.alias("_member"))
        .with_columns(bulk.alias("_bulk"))
        .collect()
    )
    # (the bulk rows' columns are not copied: each query below filters what it reads)
    good = rows.lazy().filter(pl.col("_bulk"))
    system = pl.col("_type") == "system"

    # each distinct speaker of the bulk rows once (sets: the order they are recorded in says
    # nothing): the aliases the row-by-row way records — the exporter's id ("is self" rows
    # with a sender), the nickname, the name shown (which Context.finish would otherwise
    # look for in every row again) — and the names shown, mapped once; the names' cells as
    # written among the keys (stripped once distinct), a constant group or Remark not
    def written(key: str) -> pl.Expr:
        r = raw(key)
        return pl.lit("", dtype=pl.String) if r is None else r

    def stripped_name(k: pl.Expr) -> pl.Expr:
        return shown_name_expr(frame.strip(k))

    shown_name: Callable[[pl.Expr], pl.Expr] = shown_name_expr
    if "Remark" not in one:  # (the name shown: the remark, else the nickname)
        remark, nick = frame.strip(written("Remark")), frame.strip(written("NickName"))
        shown = pl.when(remark != "").then(remark).otherwise(nick)
    elif one["Remark"]:
        shown = pl.lit(one["Remark"], dtype=pl.String)
    else:  # (no remark: the nickname's cell as written, stripped by the mapping)
        shown, shown_name = written("NickName"), stripped_name
    fixed = bool(ctx.group_id) or "TalkerId" in one  # (one group for every row)
    who = pl.lit(ctx.group_id, dtype=pl.String) if ctx.group_id else group
    keys = [
        pl.col("_member"),
        (pl.col("_self") & (sender != "")).alias("_own"),
        *(() if fixed else (who.alias("_g"),)),
        *(c for k in ("NickName", "Remark") if (c := raw(k)) is not None and k not in one),
    ]
    # (with the times' first and last (naive UTC) and whether one has a fraction of a
    # second, in one aggregate, not the column: the zone's one offset over them, their
    # wall-clock days — ts looked up —, and no per-row check ts_text_expr needs not make)
    naive = pl.col("_utc").dt.replace_time_zone(None)
    speakers, times = pl.collect_all(
        [
            good.filter(~system).select(keys).unique(),
            good.select(
                naive.min().alias("low"),
                naive.max().alias("high"),
                (naive.dt.microsecond() != 0).any().alias("fraction"),
            ),
        ]
    )
    if fixed:
        speakers = speakers.with_columns(who.alias("_g"))
    name = by_distinct(speakers, shown, shown_name)
    nickname = frame.strip(written("NickName"))
    for g, m, n, own_id in speakers.select("_g", "_member", nickname, "_own").iter_rows():
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
    low, high, fraction = times.row(0)
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
        group.alias("group_id"),
        pl.col("_member").alias("member_id"),
        (ids if facts["ids"] and ids is not None else cell("localId")).alias("msg_id"),
        pl.when(~system).then(name).alias("member_name"),
        pl.col("_type").alias("msg_type"),
        pl.when(pl.col("_type").is_in(["text", "link", "system"]))
        .then(cell("StrContent"))
        .alias("content"),
        pl.when(system).then(pl.lit("bot")).alias("role"),
    ).collect()
    # in file order: the rows the bulk does not read (by _msg_row; the bulk messages before
    # each added as one run) and the notices it does (their joins and leaves: _msg_notice)
    cells_of = [c for c in rows.columns if c[0] == "c" and c[1:].isdigit()]
    odd = (
        rows.lazy()
        .with_columns(
            pl.col("_bulk").cum_sum().alias("_before"),
            (pl.col("_bulk") & system).alias("_notice"),
        )
        .filter(~pl.col("_bulk") | pl.col("_notice"))
        .select("_line", "_n", "_before", "_notice", *cells_of)
        .collect()
    )
    runs = ctx.message_runs(messages, aliased=True)
    done = 0
    for line, n, before, notice, *rest in odd.iter_rows():
        cells = rest[:n]
        if notice:
            _msg_notice(ctx, cells, col)
            continue
        if before > done:
            runs.add(before - done)
            done = before
        _msg_row(ctx, Location(file=display, line=line), cells, col, width)
    runs.add(messages.height - done)
    runs.close()


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


def _msg_ts(
    ctx: Context, cells: list[str], cell: Callable[[list[str], str], str]
) -> datetime | None:
    """A row's time: CreateTime (epoch seconds or milliseconds), else StrTime."""
    ct = cell(cells, "CreateTime")
    ts = epoch_value(ct, ctx.tz) if ct.isdigit() else None
    return parse_ts(cell(cells, "StrTime") or ct, ctx.tz) if ts is None else ts


def _msg_notice(ctx: Context, cells: list[str], col: dict[str, int | None]) -> None:
    """The joins and leaves of a notice whose message the bulk read (:func:`add_notice`
    with the time, chat and text :func:`_msg_row` reads)."""
    cell = cell_getter(col)
    ts = _msg_ts(ctx, cells, cell)
    assert ts is not None  # (the bulk read its time)
    add_notice(ctx, ts, cell(cells, "TalkerId"), cell(cells, "StrContent"))


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
    ts = _msg_ts(ctx, cells, cell)
    ct = cell(cells, "CreateTime")
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


def _placeholder_types(rows: pl.DataFrame, content: pl.Expr, default: str | None = None) -> pl.Expr:
    """:func:`placeholder_type_expr` of ``content`` over ``rows`` (``default`` where it is
    none): matched once per distinct text that may be a placeholder (a few in an export:
    ``[图片]``...). Each text then compared with the few of those that have a type (at most
    :data:`_FEW_TYPED`: a number per row, then one gather of the types), or, for more, looked
    up by its place among them — a cast to an Enum of them; a text not among them is none."""
    maybe = content.str.contains(_MAYBE_PLACEHOLDER)
    texts = rows.lazy().select(content.filter(maybe).unique()).collect().to_series().drop_nulls()
    types = pl.select(_placeholder_of(pl.lit(texts))).to_series()
    typed = [(t, ty) for t, ty in zip(texts.to_list(), types.to_list(), strict=True) if ty]
    if not typed:
        return pl.lit(default, pl.String)
    if len(typed) > _FEW_TYPED:
        known = pl.Series([t for t, _ in typed], dtype=pl.String)
        found = pl.lit(pl.Series([ty for _, ty in typed], dtype=pl.String)).gather(
            content.cast(pl.Enum(known), strict=False).to_physical()
        )
        return found if default is None else found.fill_null(default)
    names = [default, *sorted({ty for _, ty in typed})]
    at: pl.Expr = pl.lit(0, pl.UInt32)
    for t, ty in typed:
        at = pl.when(content == t).then(pl.lit(names.index(ty), pl.UInt32)).otherwise(at)
    return pl.lit(pl.Series(names, dtype=pl.String)).gather(at)


#: :func:`_placeholder_types` compares each text with at most this many placeholders
_FEW_TYPED = 4


def _chatlog_bulk(
    frame: CsvFrame, idx: dict[str, int], display: str, ctx: Context, zone: str
) -> None:
    """The rows of a chatlog CSV: ordinary messages and notices (a time read as
    :func:`naive_ts_expr` reads it, no type code nor "is self" flag) in bulk — a notice's
    joins and leaves by :func:`_chatlog_notice` —, every other row by :func:`_chatlog_row`,
    in file order."""
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
    content, name_cell = col("content"), col("sender_name")
    # the chat's id and name when one text in every row (one chat: most exports) — told by
    # their least and greatest text (_base._one_value), not hashed —, that text stripped: a
    # constant, no column
    cells = {k: f"c{idx[k]}" for k in ("talker", "talker_name") if k in idx}
    cells = {k: c for k, c in cells.items() if c in rows.columns}
    same = _base._one_value(rows, list(cells.values()))
    one = {k: same[c] for k, c in cells.items() if c in same}
    talker = pl.lit(one["talker"].strip()) if "talker" in one else pl.col("_talker")
    # the senders' names each distinct cell once, as written (the names shown and the
    # system's, stripped once each: no column stripped)
    names = rows.lazy().select(name_cell.unique()).collect()
    system_names = [
        k for k in names.to_series().drop_nulls().to_list() if k.strip() in _SYSTEM_NAMES
    ]
    # (lazy: polars computes an expression used twice once; the stripped cells are kept)
    rows = (
        rows.lazy()
        .with_columns(
            naive_text_in(frame.rows, col("time")).alias("_body"),
            # (matched once per distinct text: placeholders repeat)
            _placeholder_types(frame.rows, content, "text").alias("_type"),
            frame.strip(col("sender")).alias("_sender"),
            *(() if "talker" in one else (frame.strip(col("talker")).alias("_talker"),)),
        )
        .with_columns(parsed_expr(pl.col("_body")).alias("_naive"))
        .collect()
    )
    rows = in_years(rows, "_naive")
    sender = pl.col("_sender")
    # (a notice: no sender, or the system's name — its message in bulk, its members' joins
    # and leaves one by one, _chatlog_notice)
    system = (sender.fill_null(empty) == "") | (
        name_cell.is_in(system_names) if system_names else pl.lit(False)
    )
    offset = zone_offset(zone, rows["_naive"])
    utc = local_to_utc(pl.col("_naive"), zone, offset)
    bulk = (
        (pl.col("_n") >= need)
        & pl.col("_utc").is_not_null()
        & (talker.fill_null(empty) != "")
        & (col("type").fill_null(empty) == "")
        & ~col("is_self").fill_null(empty).str.to_lowercase().is_in(["1", "true"])
    )
    rows = (
        rows.lazy()
        .with_columns(utc.alias("_utc"), system.alias("_system"))
        .with_columns(bulk.alias("_bulk"))
        .collect()
    )
    is_bulk, is_system = pl.col("_bulk"), pl.col("_system")
    every = bool(rows["_bulk"].all())  # (then no filter copies the columns)
    good = rows.lazy() if every else rows.lazy().filter(is_bulk)
    ts = bulk_ts_text_expr(
        rows["_naive"] if every else rows.select(pl.col("_naive").filter(is_bulk)).to_series(),
        pl.col("_body"),
        pl.col("_utc"),
        zone,
        offset,
    )
    group_name = (
        pl.lit(pl.select(clean_name_expr(frame.strip(pl.lit(one["talker_name"])))).item())
        if "talker_name" in one
        # (each distinct name stripped and cleaned: not every row's name stripped first)
        else by_distinct(rows, col("talker_name"), lambda e: clean_name_expr(frame.strip(e)))
    )
    messages = good.select(
        instant_expr(pl.col("_utc")).alias("_t"),
        ts.alias("ts"),
        talker.alias("group_id"),
        pl.when(is_system).then(pl.lit(SYSTEM_ID)).otherwise(sender).alias("member_id"),
        col("seq").alias("msg_id"),
        # (norm_name strips: the cells as written, each distinct one mapped once)
        pl.when(~is_system)
        .then(by_distinct(names, name_cell, name_or_null_expr))
        .alias("member_name"),
        pl.when(is_system).then(pl.lit("system")).otherwise(pl.col("_type")).alias("msg_type"),
        pl.when(is_system | pl.col("_type").is_in(["text", "link"])).then(content).alias("content"),
        pl.when(is_system).then(pl.lit("bot")).alias("role"),
        group_name.alias("group_name"),
    ).collect()
    # in file order: the rows the bulk does not read (by _chatlog_row; the bulk messages
    # before each added as one run) and the notices it does (their joins and leaves)
    keys = list(idx)
    odd = (
        rows.lazy()
        .with_columns(is_bulk.cum_sum().alias("_before"), (is_bulk & is_system).alias("_notice"))
        .filter(~is_bulk | pl.col("_notice"))
        .select("_line", "_n", "_before", "_notice", "_naive", *(col(k).alias(k) for k in keys))
        .collect()
    )
    runs = ctx.message_runs(messages)
    done = 0
    for r in odd.iter_rows(named=True):
        if r["_notice"]:
            _chatlog_notice(ctx, r)
            continue
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


def _chatlog_notice(ctx: Context, rec: dict[str, Any]) -> None:
    """The joins and leaves of a notice whose message the bulk read (:func:`add_notice`
    with the time, chat and text :func:`_chatlog_row` reads: the time the bulk parsed,
    ``_naive``, is the wall-clock time :func:`parse_ts` reads in that text, which it gives
    in the zone as it is — the bulk read its instant, so the zone has that time)."""
    ts = rec["_naive"].replace(tzinfo=ctx.tz)
    add_notice(ctx, ts, str(rec["talker"]).strip(), str(rec["content"] or ""))


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
        unread: list[Problem] = []
        numbers = _read_lines(ctx, display, text.splitlines(), 1, items, unread)
        ctx.problems += unread

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
    if items and not _chatlog_read(ctx, items, where):
        raise InputError(_NO_CHATLOG_MESSAGE, Location(file=display, line=1))


def _chatlog_read(ctx: Context, items: list[Any], where: Callable[[int], Location]) -> int:
    """Items of a chatlog JSON added; how many have a time and a talker."""
    zone = vec.zone_of(ctx)
    if zone is not None:
        return _chatlog_json_bulk(ctx, items, where, zone)
    return sum(_chatlog_item(ctx, where(i), item) for i, item in enumerate(items))


# --------------------------------------------------------------------------- past 256 MiB
# A chatlog JSON that starts with "{" is JSON Lines (one message object a line) when a line
# of it past the first starts with "{", else one object holding the list (_read_chatlog_json
# tells them so). Past stream.STREAM_BYTES JSON Lines are read a block of lines at a time,
# the object's list in slices, exactly as the whole text would be read, and past the whole
# reading's 1 GiB too (it refused them).

#: the keys under which a chatlog object holds its list (any case: the first that holds one)
_LIST_KEYS = ("items", "messages", "data")


def _chatlog_large(path: Path, display: str, ctx: Context) -> bool:
    """A chatlog JSON past :data:`stream.STREAM_BYTES` that starts with ``{``, read a part at a
    time: JSON Lines by :func:`_chatlog_lines`, an object holding its list under one of
    :data:`_LIST_KEYS` in slices (:mod:`._jsonstream`, the key given); False, with nothing
    read, when it is read whole (another start; within 1 GiB, a text not plain UTF-8 — the
    decoding policy's — or an object whose list is not found as the slices need it, or is
    not the one the whole reading takes)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(1 << 16)
        size = path.stat().st_size
    except OSError:
        return False
    body = head.removeprefix(b"\xef\xbb\xbf")
    brace = len(head) - len(body.lstrip(_base._ASCII_SPACES))
    if head[brace : brace + 1] != b"{":
        return False
    past = size > _base.MAX_BYTES
    if not past and not stream.plain_utf8(path):
        return False
    if _finds(path, b"\n{", brace):
        with vec.gc_paused():
            _chatlog_lines(path, display, ctx, past=past)
        return True
    for key in _LIST_KEYS:
        lay = stream.layout(path, display, key)
        if lay is None or lay.head is None:
            continue
        # (the list the whole reading takes: the first key of these names holding one)
        taken = next(
            (k for k, v in lay.head.items() if k.lower() in _LIST_KEYS
             and (isinstance(v, list) or k == key)),
            None,
        )  # fmt: skip
        if taken != key:
            return False
        with vec.gc_paused():
            _chatlog_slices(lay, display, ctx)
        return True
    return False


def _finds(path: Path, needle: bytes, start: int) -> bool:
    """Whether ``needle`` (two bytes) is in the file at ``path`` past byte ``start``, read
    :data:`vec.CHUNK` bytes at a time (stops at the first)."""
    at, carry = 0, b""
    with path.open("rb") as fh:
        while block := fh.read(vec.CHUNK):
            buf = carry + block
            if buf.find(needle, max(start - at + len(carry), 0)) >= 0:
                return True
            at += len(block)
            carry = block[-1:]
    return False


def _chatlog_lines(path: Path, display: str, ctx: Context, *, past: bool) -> None:
    """Chatlog JSON Lines read a block of whole lines at a time (:func:`vec.chunks`, as
    WeCom's archives are read), each block's lines as :func:`_read_chatlog_json` reads the
    whole text's: split by ``str.splitlines`` (a block ends at a LF, so its lines are the
    whole text's, numbered on), each decoded alone, its items added (the bulk frame per
    block). The lines that are not JSON are listed before the items' problems, as the whole
    reading lists them; none read with a time and a talker is the whole reading's error.
    ``past``: a file past the whole reading's 1 GiB, whose UTF-8 was not checked first — a
    NUL or a byte not UTF-8 is an error naming its line."""
    start = len(ctx.problems)
    unread: list[Problem] = []
    read = good = 0
    line = 1  # (the first line of the block, as str.splitlines numbers them)
    ends = 0  # (the LFs before the block: a NUL's line, as the decoding policy names it)
    for _, piece in vec.chunks(path):
        text = _block_text(piece, ends, display) if past else piece.decode("utf-8")
        ends += piece.count(b"\n")
        del piece
        items: list[Any] = []
        lines = text.splitlines()
        del text
        numbers = _read_lines(ctx, display, lines, line, items, unread)
        line += len(lines)
        del lines
        if items:
            good += _chatlog_read(ctx, items, _lines_at(display, numbers))
            read += len(items)
    if not read:  # (the whole reading adds its empty list)
        good = _chatlog_read(ctx, [], _lines_at(display, []))
    ctx.problems[start:start] = unread
    if read and not good:
        raise InputError(_NO_CHATLOG_MESSAGE, Location(file=display, line=1))


def _read_lines(
    ctx: Context,
    display: str,
    lines: list[str],
    first: int,
    items: list[Any],
    unread: list[Problem],
) -> list[int]:
    """The JSON lines of a chatlog text (``first``: the number of the first) decoded into
    ``items``, the problems of those that are not JSON into ``unread`` (counted as skipped);
    the number of each item's line."""
    import json

    numbers: list[int] = []
    for n, raw in enumerate(lines, first):
        if not raw.strip():
            continue
        try:
            items.append(_loads(raw))
            numbers.append(n)
        except json.JSONDecodeError as exc:
            ctx.skip(Location(file=display, line=n), json_problem(exc))
            unread.append(ctx.problems.pop())
    return numbers


def _lines_at(display: str, numbers: list[int]) -> Callable[[int], Location]:
    """The place of item ``i`` of a block: its line (``numbers``)."""
    return lambda i: Location(file=display, line=numbers[i])


def _block_text(piece: bytes, ends: int, display: str) -> str:
    """A block of a file past 1 GiB as text; a NUL, or a byte not UTF-8, is an error at its
    line (``ends``: the LFs before the block; a LF is never inside a character)."""
    if b"\x00" in piece:
        at = piece.index(b"\x00")
        where = Location(file=display, line=ends + piece.count(b"\n", 0, at) + 1)
        raise InputError(NUL_CHARACTER, where)
    try:
        return piece.decode("utf-8")
    except UnicodeDecodeError as exc:
        where = Location(file=display, line=ends + piece.count(b"\n", 0, exc.start) + 1)
        raise InputError(stream.NOT_UTF8, where) from None
