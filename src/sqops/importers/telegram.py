"""Telegram Desktop JSON export (``telegram``): one chat (``result.json`` with ``messages``)
or the full-account export (``chats.list``, plus ``left_chats.list``).

Only group chats are imported (types ``private_group``, ``private_supergroup``,
``public_supergroup``); other chats are counted as ``skipped_chats``. ``group_id`` is
``tg:<chat id>``; ``member_id`` is ``from_id`` (``user123``); ``msg_id`` and ``reply_to`` are
``tg:<chat id>:<message id>`` (Telegram numbers messages per chat). Service messages become member
events: ``invite_members`` (inviter = actor), ``join_group_by_link`` (inviter = ``inviter``),
``join_group_by_request``, ``remove_members`` (leave; removing oneself = left) and
``create_group`` (the creator and the listed members join). Service messages name members,
not ids: a name is resolved to the id seen with it in the chat, else ``name:<name>``.
Times: ``date_unixtime`` when present (exact), else ``date`` read in ``--tz``.

A message without ``from_id`` (older exports, channels posting into a group) gets the id
derived from its ``from`` name (``name:<name>``, noted once per file); older exports' numeric
``from_id`` ``123`` is ``user123`` as newer ones write it. A single-chat JSON without ``type``
is read as a group (noted); the chats of a whole-account export that are not groups are
skipped with one note naming their types.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
import polars as pl

from sqops.data.scalars import clean_name, epoch_value, parse_ts
from sqops.errors import InputError, Location
from sqops.i18n import T
from sqops.importers import _base
from sqops.importers import _jsonstream as stream
from sqops.importers import _jsonvec as vec
from sqops.importers._base import (
    NOT_A_MESSAGE,
    SYSTEM_ID,
    Context,
    name_id,
    read_bytes,
    read_text,
)

GROUP_TYPES = ("private_group", "private_supergroup", "public_supergroup")
_MEDIA = {
    "voice_message": "voice",
    "audio_file": "voice",
    "video_file": "video",
    "video_message": "video",
    "animation": "video",
    "sticker": "sticker",
}


def text_of(value: Any) -> str:
    """``text``: a string, or a list of strings and ``{"type": ..., "text": ...}`` parts."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(
            p if isinstance(p, str) else str(p.get("text", ""))
            for p in value
            if isinstance(p, str | dict)
        )
    return ""


def _telegram_messages(messages: list[Any]) -> bool:
    """Whether a ``messages`` list looks like Telegram's (each item has ``date``/``date_unixtime``;
    an empty list is Telegram's too)."""
    items = [m for m in messages[:20] if isinstance(m, dict)]
    return all("date" in m or "date_unixtime" in m for m in items)


def _uid(value: Any) -> str | None:
    """A user id as newer exports write it: older exports' number ``123`` is ``user123``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"user{value}"
    return str(value) if value else None


def read(path: Path, display: str, ctx: Context, *, name: str, options: Any = None) -> None:
    with vec.gc_paused():
        _read(path, display, ctx)


class _Msg(msgspec.Struct, gc=False):
    """The fields of a message that :func:`_message` and :func:`_service` read (``Any``:
    every value reaches their checks); those they test the presence of default to ABSENT."""

    id: Any = None
    type: Any = None
    date: Any = None
    date_unixtime: Any = None
    from_: Any = msgspec.field(default=None, name="from")
    from_id: Any = None
    text: Any = None
    reply_to_message_id: Any = None
    media_type: Any = None
    photo: Any = vec.ABSENT
    file: Any = vec.ABSENT
    poll: Any = vec.ABSENT
    location_information: Any = vec.ABSENT
    contact_information: Any = vec.ABSENT
    action: Any = None
    actor: Any = None
    actor_id: Any = None
    members: Any = None
    inviter: Any = None


class _Chat(msgspec.Struct, gc=False):
    """A single-chat export (``result.json`` of one chat)."""

    messages: list[_Msg]
    type: Any = vec.ABSENT
    id: Any = None
    name: Any = None


_DECODER = msgspec.json.Decoder(_Chat)
_KEYS = vec.struct_keys(_Msg)


def _fast(ctx: Context, display: str, raw: bytes) -> bool:
    """A single-chat export of a group decoded into structs (:func:`vec.decode_doc`) and read
    in bulk; False, with nothing added, where it is read the orjson way (another shape, a
    value orjson reads otherwise, no zone polars knows)."""
    got = vec.decoded_for_bulk(ctx, raw, _DECODER)
    if got is None:
        return False
    chat = got[1]
    items = vec.Structs(chat.messages, _KEYS)
    try:
        if chat.type not in GROUP_TYPES:  # (a note or a skip: the orjson way's)
            raise vec.Fallback
        items.check([chat.id])
        _chat(ctx, display, "", {"id": chat.id, "name": chat.name, "type": chat.type}, items)
    except vec.Fallback:
        return False
    return True


def _read(path: Path, display: str, ctx: Context) -> None:
    large = stream.large(path)
    # (a whole-account export is never one chat's: no layout of its "messages" is tried, a
    # search of thousands of ends, each decoded, minutes for a file of 300 MB)
    account_like = large and _account_like(path)
    account = _account(path, display) if account_like else None
    lay = stream.layout(path, display, "messages") if large and not account_like else None
    data: Any
    if account is not None:
        data = account  # (a whole-account export: each chat's messages in slices)
    elif lay is not None and lay.head is not None and "type" in lay.head:
        data = {**lay.head, "messages": lay}  # (one chat's export: its messages in slices)
    else:
        raw = read_bytes(path, display)
        if _fast(ctx, display, raw):
            return
        data = vec.parse_bytes(raw)
        del raw
        if data is vec.NOT_READ:
            data = vec.load_json(read_text(path, display), display)
    chats: list[tuple[str, Any]] = []
    if isinstance(data, dict) and isinstance(data.get("messages"), list | stream.Layout):
        if "type" not in data and not _telegram_messages(data["messages"]):
            raise InputError(
                T(
                    "不是 Telegram Desktop 导出：messages 里的消息没有 date 或 date_unixtime",
                    "not a Telegram Desktop export: its messages have no date or date_unixtime",
                ),
                Location(file=display, line=1),
            )
        if "type" not in data:
            ctx.note(
                Location(file=display, key="type"),
                T(
                    "导出没有会话类型 type，按群聊读取",
                    "the export has no chat type ('type'): read as a group",
                ),
            )
            data = {**data, "type": GROUP_TYPES[0]}
        chats.append(("", data))
        if account is not None:  # (the chats' arrays, not imported, decoded all the same)
            for lay in _layouts(account):
                _decode_unread(lay)
    elif isinstance(data, dict) and isinstance(data.get("chats"), dict):
        for section in ("chats", "left_chats"):
            sec = data.get(section)
            lst = sec.get("list") if isinstance(sec, dict) else None
            if isinstance(lst, list):
                chats.extend((f"{section}.list[{i}].", c) for i, c in enumerate(lst))
    else:
        raise InputError(
            T(
                "不是 Telegram Desktop 导出：JSON 里既没有 messages 也没有 chats.list",
                "not a Telegram Desktop export: the JSON has neither messages nor chats.list",
            ),
            Location(file=display, line=1),
        )
    skipped: dict[str, list[str]] = {}
    for prefix, chat in chats:
        if not isinstance(chat, dict):
            ctx.skip(
                Location(file=display, key=prefix.rstrip(".")),
                T("不是会话对象", "not a chat object"),
            )
            continue
        if chat.get("type") not in GROUP_TYPES:
            if isinstance(chat.get("messages"), stream.Layout):
                _decode_unread(chat["messages"])
            ctx.count("skipped_chats")
            if not prefix:  # the one chat of a single-chat export
                ctx.note(
                    Location(file=display, key="type"),
                    T(
                        "会话类型 {t} 不是群聊，已跳过", "chat type {t} is not a group: skipped"
                    ).format(t=chat.get("type")),
                )
            else:
                label = chat.get("name") if isinstance(chat.get("name"), str) else None
                skipped.setdefault(str(chat.get("type")), []).append(label or prefix.rstrip("."))
            continue
        _chat(ctx, display, prefix, chat)
    if skipped:
        kinds = "; ".join(
            f"{t} ×{len(names)} ({', '.join(names[:3])}{', …' if len(names) > 3 else ''})"
            for t, names in sorted(skipped.items())
        )
        ctx.note(
            Location(file=display, key="chats.list"),
            T(
                "跳过了 {n} 个不是群聊的会话（只导入群聊）：{k}",
                "skipped {n} chat(s) that are not groups (only groups are imported): {k}",
            ).format(n=sum(len(v) for v in skipped.values()), k=kinds),
        )


#: a whole-account export's key of its chats, in the file's first bytes
_CHATS_KEY = re.compile(rb'"chats"[ \t\r\n]*:[ \t\r\n]*\{')


def _account_like(path: Path) -> bool:
    """Whether a file names ``chats`` as an object's key in its first :data:`stream.EDGE`
    bytes (a whole-account export does, before its chats' messages; a single-chat export's
    messages come first): then it is tried as one first (:func:`_account`)."""
    with path.open("rb") as fh:
        return _CHATS_KEY.search(fh.read(stream.EDGE)) is not None


def _account(path: Path, display: str) -> dict[str, Any] | None:
    """A whole-account export with each chat's ``messages`` (in ``chats.list`` and
    ``left_chats.list``) a :class:`stream.Layout`, read in slices in turn, the rest decoded as
    the whole reading decodes it (:func:`stream.nested`'s skeleton): a chat's name, type and
    id are known before its messages are read. None when it is read whole: within 1 GiB, a
    file not plain UTF-8 (the decoding policy's), no such array, a skeleton that is no JSON
    or holds a marker elsewhere than as a chat's messages, or none where the whole reading
    reads it (a ``messages`` key written twice: the last one counts)."""
    with path.open("rb") as fh:
        bom = fh.read(3) == b"\xef\xbb\xbf"
    past = path.stat().st_size > _base.MAX_BYTES
    if bom or (not past and not stream.plain_utf8(path)):
        return None
    got = stream.nested(path, display, "messages", 4)
    if got is None or not got[0]:
        return None
    lays, skeleton = got
    data = stream.decoded(skeleton)
    del skeleton
    if not isinstance(data, dict):
        return None
    marks = {stream.mark(k): lay for k, lay in enumerate(lays)}
    for section in ("chats", "left_chats"):
        sec = data.get(section)
        lst = sec.get("list") if isinstance(sec, dict) else None
        for chat in lst if isinstance(lst, list) else ():
            got_mark = chat.get("messages") if isinstance(chat, dict) else None
            if isinstance(got_mark, str) and got_mark in marks:
                chat["messages"] = marks.pop(got_mark)
    return None if marks else data


def _layouts(account: dict[str, Any]) -> list[stream.Layout]:
    """The chats' messages of a whole-account export that are read in slices."""
    found = []
    for section in ("chats", "left_chats"):
        sec = account.get(section)
        lst = sec.get("list") if isinstance(sec, dict) else None
        for chat in lst if isinstance(lst, list) else ():
            if isinstance(chat, dict) and isinstance(chat.get("messages"), stream.Layout):
                found.append(chat["messages"])
    return found


def _decode_unread(lay: stream.Layout) -> None:
    """The messages of a chat that is not imported (not a group), decoded all the same, a
    slice at a time, and dropped: the whole reading decodes the whole document, so what is
    not JSON there (a comma missing, too deep) is its error here too, never passed over."""
    for _ in stream.slices(lay, _Msg):
        pass


def _chat(
    ctx: Context,
    display: str,
    prefix: str,
    chat: dict[str, Any],
    structs: vec.Structs | None = None,
) -> None:
    """One chat; ``structs``: its messages decoded by msgspec (:func:`_fast`; raises
    :class:`vec.Fallback` before adding anything when they must be read the orjson way)."""
    cid = chat.get("id")
    if cid in (None, ""):
        cid = (
            chat.get("name")
            if isinstance(chat.get("name"), str) and chat["name"]
            else Path(display).stem
        )
    group = f"tg:{cid}"
    title = chat.get("name") if isinstance(chat.get("name"), str) else None
    messages = chat.get("messages") if structs is None else structs
    if not isinstance(messages, list | vec.Structs | stream.Layout):
        ctx.skip(
            Location(file=display, key=f"{prefix}messages"),
            T("缺少 messages 列表", "lacks the messages list"),
        )
        return
    zone = vec.zone_of(ctx)

    def some(items: list[Any] | vec.Structs, first: int = 0) -> int:
        """The messages ``items`` (from item ``first`` of the chat's on)."""
        if zone is not None:
            return _bulk(ctx, display, prefix, group, title, items, zone, first)
        if isinstance(items, vec.Structs):
            raise vec.Fallback
        return sum(
            _message(ctx, display, prefix, group, title, first + i, msg)
            for i, msg in enumerate(items)
        )

    if isinstance(messages, stream.Layout):
        by_name = sum(stream.each(messages, _Msg if zone is not None else None, _KEYS, some))
    else:
        by_name = some(messages)
    if by_name:
        ctx.note(
            Location(file=display, key=f"{prefix}messages"),
            T(
                "{n} 条消息没有 from_id，发送者 id 由名字 from 推得（name:名字）",
                "{n} message(s) have no from_id: the sender's id is derived from the name"
                " 'from' (name:NAME)",
            ).format(n=by_name),
        )


def _message(
    ctx: Context, display: str, prefix: str, group: str, title: str | None, i: int, msg: Any
) -> int:
    """One item of ``messages``; 1 when its sender's id is derived from the name."""
    where = Location(file=display, key=f"{prefix}messages[{i}]")
    if not isinstance(msg, dict):
        ctx.skip(where, NOT_A_MESSAGE)
        return 0
    ts = epoch_value(msg.get("date_unixtime"), ctx.tz)
    if ts is None and isinstance(msg.get("date"), str):
        ts = parse_ts(msg["date"], ctx.tz)
    if ts is None:
        ctx.skip(where, T("无法读取时间 date", "cannot read the date"))
        return 0
    # message ids are per chat: qualify them, so that several chats never collide
    mid = f"{group}:{msg['id']}" if msg.get("id") not in (None, "") else None
    if msg.get("type") == "service":
        _service(ctx, group, ts, mid, msg)
        return 0
    sender = _uid(msg.get("from_id"))
    named = msg.get("from") if isinstance(msg.get("from"), str) else None
    by_name = 0
    if not sender:
        if not named or not named.strip():
            ctx.skip(where, T("既没有 from_id 也没有 from", "has neither from_id nor from"))
            return 0
        sender = name_id(named)
        by_name = 1
    if "photo" in msg:
        msg_type = "image"
    elif isinstance(msg.get("media_type"), str) and msg["media_type"] in _MEDIA:
        msg_type = _MEDIA[msg["media_type"]]
    elif "file" in msg:
        msg_type = "file"
    elif "poll" in msg or "location_information" in msg or "contact_information" in msg:
        msg_type = "other"
    else:
        msg_type = "text"
    content = text_of(msg.get("text"))
    ctx.message(
        ts=ts,
        group_id=group,
        member_id=str(sender),
        msg_id=mid,
        member_name=named,
        msg_type=msg_type,
        content=content or None,
        reply_to=f"{group}:{msg['reply_to_message_id']}"
        if msg.get("reply_to_message_id") is not None
        else None,
        group_name=title,
    )
    return by_name


def _bulk(
    ctx: Context,
    display: str,
    prefix: str,
    group: str,
    title: str | None,
    messages: list[Any] | vec.Structs,
    zone: str,
    first: int = 0,
) -> int:
    """The messages of a chat (from its item ``first`` on): the ordinary ones (an integer id, a ``from_id``, the time in
    ``date_unixtime``; texts and ids are read by :func:`text_of` and :func:`_uid` first) as
    one frame read a field at a time, every other item by :func:`_message`, in order; how
    many senders' ids were derived from the name. Decoded by msgspec (``vec.Structs``): the
    values read that are not texts are checked (:meth:`vec.Structs.check`) before anything
    is added."""
    n = len(messages)
    odd = vec.Odd(n)
    if isinstance(messages, vec.Structs):
        structs: vec.Structs | None = messages
        item: Callable[[int], Any] = messages.item
        field, has_key = messages.field, messages.has
    else:
        structs = None
        items = vec.dicts(messages, odd)
        if items is None:  # no item is an object
            return sum(
                _message(ctx, display, prefix, group, title, first + i, msg)
                for i, msg in enumerate(messages)
            )

        def field(key: str) -> list[Any]:
            return vec.field(items, key)

        def has_key(key: str) -> list[bool]:
            return vec.has_key(items, key)

        item = messages.__getitem__
    text = (str, type(None))
    s_type, i_type, b_type = pl.String(), pl.Int64(), pl.Boolean()
    uid, text_of_ = (_uid, text_of) if structs is None else map(structs.checked, (_uid, text_of))
    from_id = field("from_id")
    if not set(map(type, from_id)) <= set(text):  # (_uid(None) is None)
        from_id = [v if type(v) is str else uid(v) for v in from_id]
    texts = field("text")
    if not set(map(type, texts)) <= set(text):  # (text_of(None) is "": below)
        for i in vec.other_than(texts, str):  # (a few: entity lists)
            texts[i] = text_of_(texts[i])
    frame = pl.DataFrame(
        [
            vec.typed(field("id"), (int,), i_type, odd, "id"),
            vec.typed(field("type"), text, s_type, odd, "type"),
            vec.typed(field("date_unixtime"), (str,), s_type, odd, "unix"),
            vec.typed(from_id, text, s_type, odd, "from_id"),
            vec.typed(field("from"), text, s_type, odd, "from"),
            pl.Series("text", texts, dtype=s_type).fill_null(""),
            vec.typed(field("reply_to_message_id"), (int, type(None)), i_type, odd, "reply"),
            pl.Series("photo", has_key("photo"), dtype=b_type),
            vec.typed(field("media_type"), text, s_type, odd, "media"),
            pl.Series("file", has_key("file"), dtype=b_type),
            pl.Series("poll", has_key("poll"), dtype=b_type),
            pl.Series("location", has_key("location_information"), dtype=b_type),
            pl.Series("contact", has_key("contact_information"), dtype=b_type),
        ]
    ).with_columns(odd.series())
    frame = frame.with_columns(
        other=pl.col("poll") | pl.col("location") | pl.col("contact"),
        _odd=pl.col("_odd")
        | (pl.col("type") != "message").fill_null(True)
        | pl.col("from_id").fill_null("").eq("")
        | (pl.col("from") == "").fill_null(False),
    )
    unix = pl.col("unix")
    us = vec.epoch_us(
        pl.when(unix.str.contains(r"^[0-9]{1,18}$")).then(unix.cast(pl.Int64, strict=False))
    )
    reply = pl.col("reply")
    frame = frame.select(
        _us=us,
        group_id=pl.lit(group),
        member_id=pl.col("from_id"),
        msg_id=pl.lit(f"{group}:") + pl.col("id").cast(pl.String),
        member_name=vec.norm_names(pl.col("from")),
        msg_type=pl.when(pl.col("photo"))
        .then(pl.lit("image"))
        .when(pl.col("media").is_in(list(_MEDIA)))
        .then(pl.col("media").replace_strict(_MEDIA, default=None, return_dtype=pl.String))
        .when(pl.col("file"))
        .then(pl.lit("file"))
        .when(pl.col("other"))
        .then(pl.lit("other"))
        .otherwise(pl.lit("text")),
        content=pl.when(pl.col("text") != "").then(pl.col("text")),
        reply_to=pl.when(reply.is_not_null()).then(pl.lit(f"{group}:") + reply.cast(pl.String)),
        group_name=pl.lit((clean_name(title) or None) if title else None, dtype=pl.String),
        _odd=pl.col("_odd") | us.is_null(),
    )
    frame = vec.with_stamp(frame, zone)
    odd_rows = vec.odd_rows(frame["_odd"])
    if structs is not None:
        structs.check_items(odd_rows)
    by_name = 0

    def on_odd(i: int) -> None:
        nonlocal by_name
        by_name += _message(ctx, display, prefix, group, title, first + i, item(i))

    vec.feed(ctx, frame, odd_rows, on_odd)
    return by_name


def _service(ctx: Context, group: str, ts, mid: str | None, msg: dict[str, Any]) -> None:
    action = msg.get("action")
    actor = msg.get("actor") if isinstance(msg.get("actor"), str) else None
    actor_id = _uid(msg.get("actor_id"))
    if actor and actor_id:
        ctx.alias(ctx.group_id or group, actor, actor_id)
    listed = msg.get("members")
    members = [m for m in listed if isinstance(m, str) and m] if isinstance(listed, list) else []
    ctx.message(
        ts=ts,
        group_id=group,
        member_id=SYSTEM_ID,
        msg_id=mid,
        msg_type="system",
        content=str(action or "") or None,
        role="bot",
    )

    def ev(
        event: str,
        name: str | None,
        member_id: str | None,
        inviter_id: str | None,
        inviter_name: str | None,
        channel: str,
    ) -> None:
        if not (name or member_id):
            return
        ctx.member_event(
            ts=ts,
            group_id=group,
            event=event,
            member_id=member_id,
            member_name=name,
            inviter_id=inviter_id,
            inviter_name=inviter_name,
            channel=channel,
        )
        ctx.count("notices")

    if action == "invite_members":
        for m in members:
            ev("join", m, None, actor_id, None if actor_id else actor, "invite")
    elif action in ("join_group_by_link", "join_group_by_request"):
        inviter = msg.get("inviter") if isinstance(msg.get("inviter"), str) else None
        ev(
            "join",
            actor,
            actor_id,
            None,
            inviter,
            "link" if action == "join_group_by_link" else "request",
        )
    elif action == "remove_members":
        for m in members:
            selfish = actor is not None and m == actor
            ev(
                "leave",
                m,
                actor_id if selfish else None,
                None,
                None,
                "left" if selfish else "removed",
            )
    elif action == "create_group":
        ev("join", actor, actor_id, None, None, "create")
        for m in members:
            if m != actor:
                ev("join", m, None, actor_id, None if actor_id else actor, "create")
