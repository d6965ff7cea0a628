"""Discord, as exported by DiscordChatExporter (``discord``): JSON or CSV.

* JSON: ``guild {id, name}``, ``channel {id, name}``, ``messages[]`` with ``id``, ``type``
  (``Default``, ``Reply``, ``GuildMemberJoin``, ...), ``timestamp`` (ISO with offset),
  ``content``, ``author {id, name, nickname, isBot}``, ``attachments``, ``stickers``,
  ``reference {messageId}``. ``group_id`` is the guild id (joins are guild-wide; several
  channels of one server are one community); in direct messages, the channel id.
* CSV: ``AuthorID, Author, Date, Content, Attachments, Reactions``. The CSV carries no
  server id: the group id is ``--group-id``, else the file name without extension. A join
  shows as the content ``Joined the server.``.

``GuildMemberJoin`` → a ``join`` (channel ``join``); bots get ``role`` = bot.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import msgspec
import numpy as np
import polars as pl

from sqops.data.scalars import clean, parse_ts
from sqops.errors import InputError, Location
from sqops.i18n import T
from sqops.importers import _jsonstream as stream
from sqops.importers import _jsonvec as vec
from sqops.importers._base import (
    BAD_TIME,
    NOT_A_MESSAGE,
    PY_SPACES,
    SYSTEM_ID,
    Context,
    CsvFrame,
    CsvTable,
    _char_class,
    by_distinct,
    csv_frames,
    exact_seconds,
    name_or_null_expr,
    obj_at,
    read_bytes,
    read_csv,
    read_text,
    starts_like_json,
)

_IMAGE_EXT = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp")
_VIDEO_EXT = (".mp4", ".mov", ".webm", ".mkv")
_AUDIO_EXT = (".mp3", ".ogg", ".wav", ".m4a", ".opus")
JOIN_TEXT = "Joined the server."
#: message types that are ordinary messages (any other one: the per-item code decides)
_PLAIN_TYPES = ("Default", "Reply")
_MEDIA_KEYS = ("attachments", "stickers", "embeds")  # (what _media_type reads)
_SYSTEM_TYPES = {
    "ChannelPinnedMessage",
    "ThreadCreated",
    "ChannelNameChange",
    "ChannelIconChange",
    "RecipientAdd",
    "RecipientRemove",
    "Call",
    "GuildMemberJoin",
}


def _attachment_type(names: list[str]) -> str:
    n = names[0].strip().lower().split("?")[0]
    if n.endswith(_IMAGE_EXT):
        return "image"
    if n.endswith(_VIDEO_EXT):
        return "video"
    if n.endswith(_AUDIO_EXT):
        return "voice"
    return "file"


#: what the CSV shows for Discord's system messages (DiscordChatExporter's fallback content)
SYSTEM_TEXTS = frozenset(
    {
        "Added a recipient.",
        "Removed a recipient.",
        "Changed the channel name.",
        "Changed the channel icon.",
        "Pinned a message.",
        "Started a thread.",
    }
)
_CALL = re.compile(r"^Started a call that lasted \d+ minutes?\.$")
# DiscordChatExporter's CSV writer now writes dates as ISO 8601 ("o"); older versions wrote them
# in the exporter's culture ("g": short date + short time, local time): 12/20/2026 10:00 AM
# (en-US), 20/12/2026 10:00 (en-GB), 2026/12/20 10:00 (zh-CN)
_CULTURE = re.compile(
    r"^(?P<date>[0-9]{1,4}[./-][0-9]{1,2}[./-][0-9]{1,4})[,\s]+(?:(?P<ap0>上午|下午)\s*)?"
    r"(?P<time>[0-9]{1,2}[:.][0-9]{2}(?:[:.][0-9]{2})?)(?:\s*(?P<ap>[AaPp]\.?\s?[Mm]\.?|上午|下午))?$"
)


def _date_reader(ctx: Context, display: str, cells: list[str]):
    """A parser for the Date column: ISO 8601 as is; culture formats with the day/month order
    decided by the whole column (as for WhatsApp), with a note when no date decides it. (The
    WhatsApp reader's date code is imported only when a culture date is met: an export of
    ISO dates, the exporter's default, does without its module.)"""
    dates, ap_en = [], False
    matched = []
    for raw in cells:
        s = clean(raw).strip()
        if parse_ts(s, ctx.tz) is not None:
            continue
        m = _CULTURE.match(s)
        if m:
            matched.append(m)
    if matched:  # (imported once: an import statement per date cost ~1 µs each)
        from sqops.importers.whatsapp import _split_date

        for m in matched:
            with contextlib.suppress(ValueError):
                dates.append(_split_date(m.group("date")))
            ap_en = ap_en or (m.group("ap") or "").upper() in ("AM", "PM")
    if dates:
        from sqops.importers.whatsapp import date_order

        order = date_order(dates, ap_en, ctx, display)
    else:
        order = "ymd"

    #: the WhatsApp reader's ``_ts``, imported at the first culture date (an import statement
    #: run per row cost ~1 µs each: 0.25-0.55 CPU-s on 400 k culture dates)
    culture_ts: list[Callable[..., Any]] = []

    def parse(raw: str):
        s = clean(raw).strip()
        ts = parse_ts(s, ctx.tz)
        if ts is not None:
            return ts
        m = _CULTURE.match(s)
        if not m:
            return None
        if not culture_ts:
            from sqops.importers.whatsapp import _ts

            culture_ts.append(_ts)
        return culture_ts[0](m, order, ctx)

    return parse


def read(path: Path, display: str, ctx: Context, *, name: str, options: Any = None) -> None:
    with vec.gc_paused():
        _read(path, display, ctx)


class _Author(msgspec.Struct, gc=False):
    id: Any = None
    name: Any = None
    nickname: Any = None
    isBot: Any = None


class _Ref(msgspec.Struct, gc=False):
    messageId: Any = None


class _Msg(msgspec.Struct, gc=False):
    """The fields of a message that :func:`_message` reads (``Any``: every value reaches its
    checks; the nested objects as structs, a document where one is not an object is read the
    orjson way)."""

    id: Any = None
    type: Any = None
    timestamp: Any = None
    content: Any = None
    author: _Author | None = None
    reference: _Ref | None = None
    attachments: Any = None
    stickers: Any = None
    embeds: Any = None


class _Export(msgspec.Struct, gc=False):
    messages: list[_Msg]
    guild: Any = None
    channel: Any = None


_DECODER = msgspec.json.Decoder(_Export)
_KEYS = vec.struct_keys(_Msg)


def _fast(ctx: Context, display: str, raw: bytes) -> bool:
    """A DiscordChatExporter JSON decoded into structs (:func:`vec.decode_doc`) and read in
    bulk; False, with nothing added, where it is read the orjson way."""
    got = vec.decoded_for_bulk(ctx, raw, _DECODER)
    if got is None:
        return False
    doc = got[1]
    data = {"guild": doc.guild, "channel": doc.channel, "messages": []}
    items = vec.Structs(doc.messages, _KEYS)
    try:
        items.check([doc.guild, doc.channel])
        _json(ctx, display, data, items)
    except vec.Fallback:
        return False
    return True


def _read(path: Path, display: str, ctx: Context) -> None:
    if starts_like_json(path) is False and getattr(ctx.tz, "key", None):
        _csv(ctx, display, path, None)  # (a CSV: its bytes read once, neither parsed nor decoded)
        return
    lay = stream.layout(path, display, "messages") if stream.large(path) else None
    if lay is not None and lay.head is not None:  # (its messages in slices)
        _json(ctx, display, {**lay.head, "messages": lay})
        return
    raw = read_bytes(path, display)
    if _fast(ctx, display, raw):
        return
    data = vec.parse_bytes(raw)
    del raw
    if type(data) is dict:  # (a JSON object: the text starts with "{")
        _json(ctx, display, data)
        return
    text = read_text(path, display)
    if text.lstrip()[:1] == "{":
        _json(ctx, display, vec.load_json(text, display))
    else:
        _csv(ctx, display, path, text)


def _json(ctx: Context, display: str, data: Any, structs: vec.Structs | None = None) -> None:
    """The export; ``structs``: its messages decoded by msgspec (:func:`_fast`: raises
    :class:`vec.Fallback` before adding anything when they must be read the orjson way)."""
    if not isinstance(data, dict) or not isinstance(data.get("messages"), list | stream.Layout):
        raise InputError(
            T(
                "不是 DiscordChatExporter JSON：缺少 messages 列表",
                "not a DiscordChatExporter JSON: no messages list",
            ),
            Location(file=display, line=1),
        )
    guild = obj_at(data, "guild")
    channel = obj_at(data, "channel")
    gid = str(guild.get("id") or "")
    group = gid if gid and gid != "0" else str(channel.get("id") or "")
    if not group:
        raise InputError(
            T("缺少 guild.id 与 channel.id", "lacks guild.id and channel.id"),
            Location(file=display, key="guild"),
        )
    group = f"discord:{group}"
    zone = vec.zone_of(ctx)

    def some(items: list[Any] | vec.Structs, first: int = 0) -> None:
        """The messages ``items`` (from item ``first`` of the export's on)."""
        if zone is not None:
            _bulk(ctx, display, group, items, zone, first)
            return
        if isinstance(items, vec.Structs):
            raise vec.Fallback
        for i, msg in enumerate(items):
            _message(ctx, display, group, first + i, msg)

    messages = data["messages"] if structs is None else structs
    if isinstance(messages, stream.Layout):
        stream.each(messages, _Msg if zone is not None else None, _KEYS, some)
    else:
        some(messages)


def _message(ctx: Context, display: str, group: str, i: int, msg: Any) -> None:
    """One item of ``messages``."""
    where = Location(file=display, key=f"messages[{i}]")
    if not isinstance(msg, dict):
        ctx.skip(where, NOT_A_MESSAGE)
        return
    ts = parse_ts(str(msg.get("timestamp") or ""), ctx.tz)
    author = obj_at(msg, "author")
    aid = str(author.get("id") or "")
    if ts is None:
        ctx.skip(where, T("无法读取 timestamp", "cannot read the timestamp"))
        return
    if not aid:
        ctx.skip(where, T("缺少 author.id", "lacks author.id"))
        return
    name = author.get("nickname") or author.get("name")
    mtype = str(msg.get("type") or "Default")
    if mtype == "GuildMemberJoin":
        ctx.member_event(
            ts=ts,
            group_id=group,
            event="join",
            member_id=aid,
            member_name=str(name) if name else None,
            channel="join",
        )
        ctx.count("notices")
    if mtype in _SYSTEM_TYPES:
        ctx.message(
            ts=ts,
            group_id=group,
            member_id=SYSTEM_ID,
            msg_id=str(msg.get("id") or "") or None,
            msg_type="system",
            content=mtype,
            role="bot",
        )
        return
    content = str(msg.get("content") or "")
    msg_type = _media_type(msg, content)
    ref = obj_at(msg, "reference")
    ctx.message(
        ts=ts,
        group_id=group,
        member_id=aid,
        msg_id=str(msg.get("id") or "") or None,
        member_name=str(name) if name else None,
        msg_type=msg_type,
        content=content or None,
        reply_to=str(ref["messageId"]) if ref.get("messageId") else None,
        role="bot" if author.get("isBot") else None,
    )


def _media_type(msg: dict[str, Any], content: str) -> str:
    """A message's type from its stickers, attachments and embeds (``text`` without)."""
    raw_atts = msg.get("attachments")
    atts = [
        str(a.get("fileName") or "") or "file"
        for a in (raw_atts if isinstance(raw_atts, list) else [])
        if isinstance(a, dict)
    ]
    if msg.get("stickers"):
        return "sticker"
    if atts and not content:
        return _attachment_type(atts)
    if msg.get("embeds") and not content.strip(" "):
        return "link"
    return "text"


def _bulk(
    ctx: Context,
    display: str,
    group: str,
    messages: list[Any] | vec.Structs,
    zone: str,
    first: int = 0,
) -> None:
    """The messages of the export (from its item ``first`` on): the ordinary ones (of a
    ``Default`` or ``Reply`` type, text ids, an ISO time; the type of those with attachments,
    stickers or embeds by :func:`_media_type`) as one frame read a field at a time, every
    other item by :func:`_message`, in order. Decoded by msgspec (``vec.Structs``): the items
    the Python code reads are checked (:meth:`vec.Structs.check_items`) before anything is
    added."""
    n = len(messages)
    odd = vec.Odd(n)
    item: Callable[[int], Any]
    if isinstance(messages, vec.Structs):
        structs: vec.Structs | None = messages
        item, field = messages.item, messages.field
        media_of = tuple(map(field, _MEDIA_KEYS))

        def obj(i: int) -> dict[str, Any]:  # (what _media_type reads)
            got = dict(zip(_MEDIA_KEYS, (m[i] for m in media_of), strict=True))
            messages.check(got.values())
            return got

        author = messages.objects(field("author"), _Author, odd)
        ref = messages.objects(field("reference"), _Ref, odd, optional=True)
    else:
        structs = None
        items = vec.dicts(messages, odd)
        if items is None:  # no item is an object
            for i, msg in enumerate(messages):
                _message(ctx, display, group, first + i, msg)
            return

        def field(key: str) -> list[Any]:
            return vec.field(items, key)

        def obj(i: int) -> dict[str, Any]:
            return items[i]

        item = messages.__getitem__
        media_of = tuple(map(field, _MEDIA_KEYS))
        author = vec.objects(field("author"), odd)
        ref = vec.objects(field("reference"), odd, optional=True)
    text = (str, type(None))
    s_type = pl.String()
    raw_content = field("content")
    content = vec.typed(raw_content, text, s_type, odd, "content")
    # a message's type from its attachments, stickers and embeds (when it has one of them)
    has = [pl.Series(list(map(bool, values)), dtype=pl.Boolean) for values in media_of]
    media = (has[0] | has[1] | has[2]).arg_true().to_list()
    kinds = pl.repeat("text", n, eager=True, dtype=pl.String).alias("msg_type")
    if media:
        kinds = kinds.scatter(
            media,
            [_media_type(obj(i), c if type(c := raw_content[i]) is str else "") for i in media],
        )
    names = _names(author, odd)
    frame = pl.DataFrame(
        [
            vec.typed(vec.sub(author, "id"), (str,), s_type, odd, "aid"),
            vec.typed(field("id"), text, s_type, odd, "mid").fill_null(""),
            vec.typed(field("timestamp"), (str,), s_type, odd, "when"),
            content.fill_null(""),
            names,
            vec.typed(
                vec.sub(author, "isBot"), (bool, type(None)), pl.Boolean(), odd, "bot"
            ).fill_null(False),
            vec.truthy_text(vec.sub(ref, "messageId"), odd, "reply"),
            kinds,
            vec.typed(field("type"), text, s_type, odd, "_type"),
        ]
    ).with_columns(odd.series())
    mtype = pl.col("_type")
    frame = frame.with_columns(
        _odd=pl.col("_odd")
        | (pl.col("aid") == "")
        | (mtype.is_not_null() & (mtype != "") & ~mtype.is_in(_PLAIN_TYPES))
    ).drop("_type")
    frame = vec.with_iso_stamp(frame, "when", zone).select(
        "_t",
        "ts",
        group_id=pl.lit(group),
        member_id=pl.col("aid"),
        msg_id=pl.when(pl.col("mid") != "").then(pl.col("mid")),
        member_name=vec.norm_names(pl.col("name")),
        msg_type=pl.col("msg_type"),
        content=pl.when(pl.col("content") != "").then(pl.col("content")),
        reply_to=pl.col("reply"),
        role=pl.when(pl.col("bot")).then(pl.lit("bot")),
        _odd=pl.col("_odd"),
    )
    odd_rows = vec.odd_rows(frame["_odd"])
    if structs is not None:
        structs.check_items(odd_rows)
    vec.feed(ctx, frame, odd_rows, lambda i: _message(ctx, display, group, first + i, item(i)))


def _names(author: list[Any], odd: vec.Odd) -> pl.Series:
    """``nickname or name or None`` of each author (a true one that is not a text: odd)."""
    nick, plain = vec.sub(author, "nickname"), vec.sub(author, "name")
    texts = {str, type(None)}
    if not (set(map(type, nick)) <= texts and set(map(type, plain)) <= texts):
        return vec.truthy_text([k or m for k, m in zip(nick, plain, strict=True)], odd, "name")
    nk, nm = pl.Series(nick, dtype=pl.String), pl.Series(plain, dtype=pl.String)
    either = pl.when(nk.is_not_null() & (nk != "")).then(nk).otherwise(nm)
    return pl.select(name=pl.when(either != "").then(either)).to_series()


def _csv(ctx: Context, display: str, path: Path, text: str | None) -> None:
    zone = getattr(ctx.tz, "key", None)
    # (from the bytes: polars' CSV reader reads the quoted cells DiscordChatExporter writes;
    # the file is read again when a text only told it from JSON)
    if zone:
        source: Iterator[CsvFrame] | str = csv_frames(
            path,
            display,
            data=read_bytes(path, display),
            columns=lambda t: _csv_columns(t, display),
        )
    else:
        source = read_text(path, display) if text is None else text
    if isinstance(source, str):  # what only the row-by-row reading reads as it does today
        _csv_rows(ctx, display, path, read_csv(source, display))
        return
    assert zone is not None
    frames = list(source)
    _csv_bulk(ctx, display, path, frames, zone)


def _csv_columns(table: CsvTable, display: str) -> tuple[int, int | None, int, int, int | None]:
    """The columns AuthorID, Author, Date, Content, Attachments (an error without the first,
    the third or the fourth)."""
    ia, iname, idate, icontent = (table.index(k) for k in ("AuthorID", "Author", "Date", "Content"))
    iatt = table.index("Attachments")
    if ia is None or idate is None or icontent is None:
        raise InputError(
            T(
                "不是 DiscordChatExporter CSV：表头应为 AuthorID, Author, Date, Content, Attachments, Reactions",
                "not a DiscordChatExporter CSV: expected the header AuthorID, Author, Date, Content, Attachments, Reactions",
            ),
            Location(file=display, line=table.header_line),
        )
    return ia, iname, idate, icontent, iatt


def _csv_rows(ctx: Context, display: str, path: Path, table: CsvTable) -> None:
    """The CSV row by row (the whole reading when the text is not read in bulk)."""
    ia, iname, idate, icontent, iatt = _csv_columns(table, display)
    parse = _date_reader(ctx, display, [c[idate] for _, c in table.rows if len(c) > idate])
    row = _row_reader(ctx, f"discord:{path.stem}", parse, ia, iname, idate, icontent, iatt)
    for line, cells in table.rows:
        row(Location(file=display, line=line), cells)


def _system(content: str) -> tuple[bool, str] | None:
    """What the per-row code makes of a Content cell that is a notice: (a join, the system
    message's content — ``GuildMemberJoin`` for a join, the stripped text for a system text
    or a call); None for a member's message."""
    s = content.strip()
    if s == JOIN_TEXT:
        return True, "GuildMemberJoin"
    if s in SYSTEM_TEXTS or _CALL.match(s):
        return False, s
    return None


def _member_type(cells: list[str], content: str, iatt: int | None) -> str:
    """A member's message's type: the first attachment's when the content is blank."""
    atts = [
        a
        for a in (cells[iatt].split(",") if iatt is not None and iatt < len(cells) else [])
        if a.strip()
    ]
    return _attachment_type(atts) if atts and not content.strip() else "text"


def _cell_name(cells: list[str], iname: int | None) -> str:
    """The Author cell, stripped ("" without one)."""
    return cells[iname].strip() if iname is not None and iname < len(cells) else ""


def _join(ctx: Context, group: str, ts: Any, aid: str, name: str) -> None:
    """A join's member event (its system message apart) and its count."""
    ctx.member_event(
        ts=ts,
        group_id=group,
        event="join",
        member_id=aid,
        member_name=name or None,
        channel="join",
    )
    ctx.count("notices")


def _row_reader(
    ctx: Context,
    group: str,
    parse: Callable[[str], Any],
    ia: int,
    iname: int | None,
    idate: int,
    icontent: int,
    iatt: int | None,
) -> Callable[[Location, list[str]], None]:
    """The per-row code: one row of the CSV (``cells``) at ``where``."""
    need = max(ia, idate, icontent) + 1

    def row(where: Location, cells: list[str]) -> None:
        if len(cells) < need:
            ctx.skip(where, T("列数不足", "too few columns"))
            return
        ts = parse(cells[idate])
        aid = cells[ia].strip()
        if ts is None:
            ctx.skip(
                where,
                BAD_TIME.format(v=cells[idate][:40]),
            )
            return
        if not aid:
            ctx.skip(where, T("缺少 AuthorID", "lacks AuthorID"))
            return
        name = _cell_name(cells, iname)
        content = cells[icontent]
        system = _system(content)
        if system is not None:
            joined, text = system
            if joined:
                _join(ctx, group, ts, aid, name)
            ctx.message(
                ts=ts,
                group_id=group,
                member_id=SYSTEM_ID,
                msg_type="system",
                content=text,
                role="bot",
            )
            return
        ctx.message(
            ts=ts,
            group_id=group,
            member_id=aid,
            member_name=name.split("#")[0] or None,
            msg_type=_member_type(cells, content, iatt),
            content=content or None,
        )

    return row


#: the contents the per-row code reads as a join or a system message (and a call's start)
_NOT_PLAIN = [JOIN_TEXT, *sorted(SYSTEM_TEXTS)]
#: a cell whose content, stripped (Python's white space), is empty, one of
#: :data:`_NOT_PLAIN` or starts as a call's notice: the bulk leaves it to the per-row code
_NOT_PLAIN_CELL = (
    f"^{_char_class(PY_SPACES)}*(?:$|(?:{'|'.join(map(re.escape, _NOT_PLAIN))})"
    f"{_char_class(PY_SPACES)}*$|Started a call)"
)
#: ``YYYY-MM-DD HH:MM`` (no seconds): read as with ``:00``, as ``fromisoformat`` reads it
_MINUTES = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}$"


#: the form DiscordChatExporter writes its dates in: ``YYYY-MM-DDTHH:MM:SS.fff±HH:MM``
_COMMON_ISO = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}[+-][0-9]{2}:[0-9]{2}$"
)
#: the bytes of a text of that form, each within ``_ISO_LOW + _ISO_SPAN`` (unsigned: a
#: byte below wraps past it): a digit, a separator itself, the offset's sign (``+``, ``,``
#: or ``-``: a comma is told apart after)
_ISO_LOW = np.frombuffer(b"0000-00-00T00:00:00.000+00:00", dtype=np.uint8)
_ISO_SPAN = np.frombuffer(b"9999-99-99T99:99:99.999-99:99", dtype=np.uint8) - _ISO_LOW
#: the days of each month of a common year (index: the month's two digits; none: 0)
_MONTH_DAYS = np.zeros(100, dtype=np.int32)
_MONTH_DAYS[1:13] = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
#: texts read at a time (their bytes and numbers stay in the cache)
_ISO_ROWS = 1 << 16


class _IsoParts(NamedTuple):
    """What :func:`_common_iso` reads of each text."""

    #: microseconds after 1970 (UTC) — of the wall time as polars' ``strptime`` reads it (a
    #: second 60: the next minute's first) less the offset; any value where not ``valid``
    us: np.ndarray
    #: a date and clock ``strptime`` reads (month, day of the month, hour, minute, second)
    valid: np.ndarray
    #: what ``with_iso_stamp`` leaves to the per-row code: not valid, before 1970, the year
    #: 9999, an offset past ±14:00 or with 60 minutes or more, a second 60
    odd: np.ndarray
    #: a fraction ``.000`` (``ts_text`` writes none)
    bare: np.ndarray
    #: an offset of ±00:00 (``ts_text`` writes ``+00:00``)
    utc: np.ndarray


def _two(m: np.ndarray, i: int) -> np.ndarray:
    """The numbers of the two digits at ``i`` and ``i + 1`` of each row of bytes ``m``
    (Int32: every number below is, but the microseconds)."""
    return (m[:, i] - 48).astype(np.int32) * 10 + (m[:, i + 1] - 48)


def _iso_block(m: np.ndarray) -> _IsoParts | None:
    """:func:`_common_iso` of texts as the rows of bytes ``m`` (29 each); None when one is
    not of the form."""
    if bool(((m - _ISO_LOW) > _ISO_SPAN).any()) or bool((m[:, 23] == 44).any()):
        return None
    year = _two(m, 0) * 100 + _two(m, 2)
    month, day = _two(m, 5), _two(m, 8)
    hour, minute, second = _two(m, 11), _two(m, 14), _two(m, 17)
    frac = _two(m, 20) * 10 + (m[:, 22] - 48)
    oh, om = _two(m, 24), _two(m, 27)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    valid = (
        (day >= 1)
        & (day <= _MONTH_DAYS[month] + (leap & (month == 2)))
        & (hour <= 23)
        & (minute <= 59)
        & (second <= 60)
    )
    # the days after 1970-01-01 of the (proleptic Gregorian) date: years from March on, in
    # eras of 400 years (146,097 days)
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    days = era * 146_097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719_468
    minutes = oh * 60 + om
    minutes = np.where(m[:, 23] == 45, -minutes, minutes)
    seconds = days.astype(np.int64) * 86_400 + (hour * 3_600 + minute * 60 + second - minutes * 60)
    us = seconds * 1_000_000 + frac * 1_000
    odd = ~valid | (us < 0) | (year == 9999) | (om >= 60) | (oh * 60 + om > 14 * 60)
    return _IsoParts(us, valid, odd | (second == 60), frac == 0, minutes == 0)


def _common_iso(texts: pl.Series) -> _IsoParts | None:
    """The parts of ``texts`` when every one has the form of :data:`_COMMON_ISO` (29 ASCII
    bytes, each within its place's range), read from their bytes, a block of them at a time;
    None otherwise."""
    if texts.null_count() or not bool((texts.str.len_bytes() == 29).all()):
        return None
    blocks = []
    for at in range(0, texts.len(), _ISO_ROWS):
        raw = texts.slice(at, _ISO_ROWS).str.join("").item()
        if not raw.isascii():
            return None
        block = _iso_block(np.frombuffer(raw.encode("ascii"), dtype=np.uint8).reshape(-1, 29))
        if block is None:
            return None
        blocks.append(block)
    return _IsoParts(*(np.concatenate(part) for part in zip(*blocks, strict=True)))


def common_iso_stamp(frame: pl.DataFrame, text: str, zone: str) -> pl.DataFrame:
    """:func:`_jsonvec.with_iso_stamp` of ``frame`` — ``_us``, ``ts``, ``_odd`` and ``_t``
    of the texts in column ``text`` —, the same columns, cheaper when every text has the
    form of :data:`_COMMON_ISO`: its parts are then at fixed places, read from the texts'
    bytes by numpy (:func:`_common_iso`: the date's days by arithmetic, the date and clock
    checked as polars' ``strptime`` checks them, an invalid one null), every time carries
    its offset (no local time to place in ``zone``), and ``ts`` is the text itself where it
    already is what ``ts_text`` writes (a fraction other than ``.000``, an offset other than
    ``±00:00``). Any other text (no fraction, six digits, ``Z``, a space, none):
    ``with_iso_stamp`` itself."""
    texts = frame[text]
    parts = _common_iso(texts) if frame.height else None
    if parts is None:
        return vec.with_iso_stamp(frame, text, zone)
    us = pl.Series("_us", parts.us, dtype=pl.Int64)
    if not parts.valid.all():  # (what strptime does not read: null)
        us = us.scatter(np.flatnonzero(~parts.valid), None)
    ts = texts.alias("ts")
    other = np.flatnonzero(parts.bare | parts.utc)
    if len(other):  # those rows' ts as with_iso_stamp writes it
        w = pl.col("w")
        fixed = pl.DataFrame(
            {"w": texts.gather(other), "bare": parts.bare[other], "utc": parts.utc[other]}
        ).select(
            pl.concat_str(
                [
                    w.str.slice(0, 19),
                    pl.when(pl.col("bare")).then(pl.lit("")).otherwise(w.str.slice(19, 4)),
                    pl.when(pl.col("utc")).then(pl.lit("+00:00")).otherwise(w.str.slice(23, 6)),
                ]
            )
        )
        ts = ts.scatter(other, fixed.to_series())  # (a copy: ``frame`` is not changed)
    return frame.with_columns(
        us,
        ts,
        (frame["_odd"] | pl.Series(parts.odd)).alias("_odd"),
        exact_seconds(us.fill_null(0)).alias("_t"),
    )


def _csv_bulk(ctx: Context, display: str, path: Path, frames: list[CsvFrame], zone: str) -> None:
    """The CSV read in bulk: every row with enough cells, an ISO 8601 date the vectorised
    reading reads as :func:`parse_ts` does and an AuthorID is a message of one frame in file
    order — a member's, or, for a join, a system text or a call, the system's (the few rows
    whose content says so, and the attachment-only rows' types, told by the per-row code's
    own functions: :func:`_system`, :func:`_member_type`); a join's member event is added
    before its message, in the sequence. Every other row goes to the per-row code, in file
    order. The day/month order of culture dates is decided, as today, by every Date cell
    :func:`parse_ts` does not read (the bulk dates are ones it reads)."""
    ia, iname, idate, icontent, iatt = _csv_columns(frames[0].table(), display)
    group = f"discord:{path.stem}"
    need = max(ia, idate, icontent) + 1
    #: per frame: its messages, and the rows read one by one or that are notices (``_ok``:
    #: its message is the frame's ``_before``-th)
    parts: list[tuple[pl.DataFrame, pl.DataFrame]] = []
    rare_dates: list[str] = []
    for frame in frames:
        rows = frame.rows
        if not rows.height:
            continue

        def col(i: int | None, rows: pl.DataFrame = rows) -> pl.Expr:
            return (
                pl.col(f"c{i}")
                if i is not None and f"c{i}" in rows.columns
                else pl.lit(None, pl.String)
            )

        date = col(idate)
        when = rows.with_columns(
            pl.when(date.str.contains(_MINUTES))
            .then(date + ":00")
            .otherwise(date)
            .fill_null("")
            .alias("when"),
            _odd=pl.lit(False),
        ).select("when", "_odd")
        stamp = common_iso_stamp(when, "when", zone)
        aid = frame.strip(col(ia))
        content = col(icontent)
        rows = rows.with_columns(_date_ok=~stamp["_odd"])
        ok = (pl.col("_n") >= need) & pl.col("_date_ok") & (aid.fill_null("") != "")
        flags = (
            rows.lazy()
            .select(
                ok.alias("_ok"),
                # (a content that is, stripped, empty, a join, a system text or a call's
                # start: one anchored match of the cell, not stripped)
                content.fill_null("").str.contains(_NOT_PLAIN_CELL).alias("_special"),
            )
            .collect()
        )
        every = bool(flags["_ok"].all())
        rows = rows.with_columns(flags["_ok"], flags["_special"], stamp["_t"], stamp["ts"])
        # the Date cells the per-row reading's day/month decision sees (all but the bulk's:
        # those parse_ts reads, the decision skips them)
        rare_dates += (  # (lazy, the Date cells alone: an eager filter copies every cell)
            rows.lazy()
            .with_columns(date.alias("_date"))  # (a literal when no row has a Date cell)
            .filter(~pl.col("_date_ok") & (pl.col("_n") > idate))
            .select("_date")
            .collect()
            .get_column("_date")
            .to_list()
        )

        def shown(raw: pl.Expr, frame: CsvFrame = frame) -> pl.Expr:
            return name_or_null_expr(frame.strip(raw).fill_null("").str.split("#").list.first())

        # (the names once per distinct Author cell of the file; the rows taken by a lazy
        # filter, none when every row is a message: an eager one copies every cell)
        lazy = rows.lazy()
        messages = (
            (lazy if every else lazy.filter(pl.col("_ok")))
            .select(
                pl.col("_t"),
                pl.col("ts"),
                pl.lit(group).alias("group_id"),
                aid.alias("member_id"),
                by_distinct(rows, col(iname), shown).alias("member_name"),
                pl.lit("text").alias("msg_type"),
                content.alias("content"),
            )
            .collect()
        )
        # the other rows: those read one by one, and the messages whose content is no plain
        # text (``_before``: the messages before the row)
        ok_col = pl.col("_ok")
        before = pl.int_range(pl.len()) if every else ok_col.cum_sum() - ok_col
        cells_of = [c for c in rows.columns if c.startswith("c") and c[1:].isdigit()]
        others = (
            lazy.with_columns(before.cast(pl.Int64).alias("_before"))
            .filter(~ok_col | pl.col("_special"))
            .select("_line", "_n", "_ok", "_before", *cells_of)
            .collect()
        )
        # (kept as a frame and read a buffer of rows at a time: an export whose every row is
        # read one by one, culture dates, would otherwise be held as Python tuples at once)
        parts.append((_with_notices(messages, others, icontent, iatt), others))
    parse = _date_reader(ctx, display, rare_dates)
    row = _row_reader(ctx, group, parse, ia, iname, idate, icontent, iatt)
    for messages, others in parts:
        runs = ctx.message_runs(messages)
        done = 0
        for r in others.iter_rows():
            line, n, is_message, before = r[:4]
            cells = list(r[4 : 4 + n])
            if is_message:  # (a join: its member event before its message)
                joined = _system(cells[icontent])
                if joined is not None and joined[0]:
                    runs.add(before - done)
                    done = before
                    aid = cells[ia].strip()
                    _join(ctx, group, parse(cells[idate]), aid, _cell_name(cells, iname))
                continue
            runs.add(before - done)
            done = before
            row(Location(file=display, line=line), cells)
        runs.add(messages.height - done)
        runs.close()


def _with_notices(
    messages: pl.DataFrame, others: pl.DataFrame, icontent: int, iatt: int | None
) -> pl.DataFrame:
    """``messages`` with the fields the per-row code gives those of ``others`` (``_line``,
    ``_n``, ``_ok``, ``_before`` and the cells of rows; those whose ``_ok`` is set: the
    ``_before``-th message each) whose content is a notice — the system's, with a role — or
    blank with an attachment — its type. (Each column changed is taken out of the frame
    first: a column no other frame holds is changed in place, not copied.)"""
    system_at: list[int] = []
    texts: list[str] = []
    typed_at: list[int] = []
    types: list[str] = []
    for r in others.filter(pl.col("_ok")).iter_rows():
        if not r[2]:
            continue
        cells = list(r[4 : 4 + r[1]])
        content = cells[icontent]
        system = _system(content)
        if system is not None:
            system_at.append(r[3])
            texts.append(system[1])
            continue
        kind = _member_type(cells, content, iatt)
        if kind != "text":
            typed_at.append(r[3])
            types.append(kind)
    if not system_at and not typed_at:
        return messages
    order = messages.columns
    kinds = messages.drop_in_place("msg_type")
    if typed_at:
        kinds = kinds.scatter(typed_at, pl.Series(types, dtype=pl.String))
    if not system_at:
        return messages.with_columns(kinds).select(order)
    at = pl.Series(system_at, dtype=pl.Int64)
    role = pl.repeat(None, messages.height, dtype=pl.String, eager=True).alias("role")
    return messages.with_columns(
        messages.drop_in_place("member_id").scatter(at, SYSTEM_ID),
        messages.drop_in_place("member_name").scatter(at, None),
        kinds.scatter(at, "system"),
        messages.drop_in_place("content").scatter(at, pl.Series(texts, dtype=pl.String)),
        role.scatter(at, "bot"),
    ).select(*order, "role")
