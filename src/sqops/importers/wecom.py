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
import re
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import islice, repeat
from operator import attrgetter
from pathlib import Path
from typing import Annotated, Any, NamedTuple

import msgspec
import polars as pl
from msgspec import UNSET, UnsetType

from sqops.data.scalars import epoch_value
from sqops.errors import InputError, Location
from sqops.i18n import T
from sqops.importers import _jsonvec as vec
from sqops.importers._base import (
    SYSTEM_ID,
    Context,
    json_loads,
    json_problem,
    obj_at,
    read_text,
    split_lines,
)

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
    if _read_fast(path, display, ctx):
        return
    text = read_text(path, display)
    stripped = text.strip()
    if not stripped:
        raise InputError(T("文件是空的", "the file is empty"), Location(file=display, line=1))
    # a whole-file JSON document (member details) or JSON Lines (either kind)
    try:
        whole = json_loads(stripped)
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
                records.append((Location(file=display, line=n), json_loads(raw)))
            except json.JSONDecodeError as exc:
                records.append((Location(file=display, line=n), exc))
    staff: dict[str, str | None] = {}
    recognised = False
    for where, rec in records:
        recognised = _record(ctx, where, rec, staff) or recognised
    if not records or not recognised:
        raise _not_wecom(display)
    for uid in sorted(staff):
        ctx.staff(uid, staff[uid] or "staff")


def _not_wecom(display: str) -> InputError:
    return InputError(
        T(
            "不是企业微信会话存档或客户群详情：没有 msgid 或 member_list",
            "not a WeCom chat archive or group details: no msgid or member_list",
        ),
        Location(file=display, line=1),
    )


def _record(ctx: Context, where: Location, rec: Any, staff: dict[str, str | None]) -> bool:
    """One record (a parsed line or item, or its JSON error); whether it is a WeCom one."""
    if isinstance(rec, json.JSONDecodeError):
        ctx.skip(where, json_problem(rec))
        return False
    if not isinstance(rec, dict):
        ctx.skip(where, T("不是 JSON 对象", "not a JSON object"))
        return False
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
        return False
    return True


def _line(ctx: Context, where: Location, raw: str, staff: dict[str, str | None]) -> bool:
    """One line of JSON Lines, as :func:`read` reads it."""
    try:
        rec: Any = json_loads(raw)
    except json.JSONDecodeError as exc:
        rec = exc
    return _record(ctx, where, rec, staff)


# --------------------------------------------------------------------------- vectorised
# Each line is decoded by msgspec into a struct of the fields read: msgspec reads a line as
# Python's json does where it reads it at all (the last of two equal keys, escaped keys, texts,
# integers; :mod:`sqops.importers._jsonvec`), and refuses what the struct's types do not allow
# (a number where a text is read, an integer past 64 bits, a lone surrogate escape, NaN, a line
# that is not an object): such a line, a blank one, a record without ``msgid`` and one with
# ``group_chat``/``member_list`` are read by the Python code (``_odd``), the rest in bulk.


class _Body(msgspec.Struct, gc=False):
    content: str | None = None


_INT64 = Annotated[int, msgspec.Meta(ge=-(1 << 63), le=(1 << 63) - 1)]


class _Rec(msgspec.Struct, gc=False, rename={"sender": "from"}):
    msgid: str | UnsetType = UNSET
    action: str | None = None
    sender: str | None = None
    roomid: str | None = None
    msgtime: _INT64 | None = None
    msgtype: str | None = None
    text: _Body | None = None
    markdown: _Body | None = None
    group_chat: msgspec.Raw | UnsetType = UNSET
    member_list: msgspec.Raw | UnsetType = UNSET


_DECODE = msgspec.json.Decoder(_Rec).decode
_REFUSED = _Rec()  # (a line msgspec does not read: no msgid, so the Python code's)
_S: pl.DataType = pl.String()
_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")


def _read_fast(path: Path, display: str, ctx: Context) -> bool:
    """Chat-archive JSON Lines read in chunks (:mod:`sqops.importers._jsonvec`); False
    (nothing read) when the file is not UTF-8 JSON Lines of objects or the zone is not one
    polars knows: :func:`read` reads it.

    Two threads beside this one: the UTF-8 check of the file (a big one: nothing is added
    before it has passed) and the polars half of each chunk's frame, while this thread
    decodes the next chunk (msgspec holds the interpreter; polars lets it go)."""
    zone = vec.zone_of(ctx)
    if zone is None:
        return False
    try:
        size = path.stat().st_size
    except OSError:
        return False
    data: bytes | None = None
    if size <= vec.WHOLE_BELOW:
        data = read_text(path, display).encode("utf-8")
    if not _json_lines(vec.head(path, data)):
        return False
    staff: dict[str, str | None] = {}
    recognised = False
    with ThreadPoolExecutor(2, thread_name_prefix="sqops-wecom") as pool:
        # (another encoding, or none: the decoding policy's)
        utf8: Future[bool] | None = None if data is not None else pool.submit(vec.utf8_file, path)
        held: deque[_Chunk] = deque()
        for line, piece in vec.chunks(path, data):
            if b"\x00" in piece:
                read_text(path, display)  # refused as the whole file would be (NUL, size)
            held.append(_prepare(pool, piece, line, zone))
            if len(held) > 1:
                if utf8 is not None and not utf8.result():
                    return False
                utf8 = None
                recognised = _add(ctx, display, held.popleft(), staff) or recognised
        if utf8 is not None and not utf8.result():
            return False
        while held:
            recognised = _add(ctx, display, held.popleft(), staff) or recognised
    if not recognised:
        raise _not_wecom(display)
    for uid in sorted(staff):
        ctx.staff(uid, staff[uid] or "staff")
    return True


def _json_lines(head: str) -> bool:
    """Whether the text starting with ``head`` is JSON Lines of objects: its first value is an
    object followed by more (so the whole text is not one JSON document)."""
    stripped = head.strip()
    if not stripped.startswith("{"):
        return False
    try:
        _, end = json.JSONDecoder().raw_decode(stripped)
    except (json.JSONDecodeError, RecursionError):
        return False
    return bool(stripped[end:].strip())


class _Chunk(NamedTuple):
    """A chunk read: its lines, and its frame being finished by polars (None: the Python
    code reads ``piece``)."""

    piece: bytes
    first_line: int
    lines: list[bytes]
    frame: Future[pl.DataFrame] | None


def _prepare(pool: ThreadPoolExecutor, piece: bytes, first_line: int, zone: str) -> _Chunk:
    lines = piece.split(b"\n")
    if lines and not lines[-1]:
        lines.pop()
    df = _columns(piece, lines)
    frame = None if df is None else pool.submit(_frame, df, zone)
    return _Chunk(piece if df is None else b"", first_line, lines, frame)


def _add(ctx: Context, display: str, chunk: _Chunk, staff: dict[str, str | None]) -> bool:
    """The records of one chunk; whether one of them is a WeCom record."""
    lines, first_line = chunk.lines, chunk.first_line
    if chunk.frame is None:  # the Python code, line by line
        recognised = False
        for n, raw in enumerate(split_lines(chunk.piece.decode("utf-8")), first_line):
            if raw.strip():
                recognised = _line(ctx, Location(file=display, line=n), raw, staff) or recognised
        return recognised
    frame = chunk.frame.result()
    odd = vec.odd_rows(frame["_odd"])
    links = (frame["msg_type"] == "link") & ~frame["_odd"]
    if links.any():  # a link's text: its title or address
        at = links.arg_true()
        texts = []
        for i in at.to_list():
            rec = json_loads(lines[i])
            texts.append(_content(rec, str(rec.get("msgtype") or ""), "link"))
        frame = frame.with_columns(frame["content"].scatter(at, texts))
    for uid in (
        frame.filter(pl.col("_staff") & ~pl.col("_odd"))
        .get_column("member_id")
        .unique(maintain_order=True)
        .to_list()
    ):
        staff.setdefault(uid, None)
    recognised = len(odd) < frame.height

    def on_odd(i: int) -> None:
        nonlocal recognised
        # (the CR of a CR LF is no part of the line, as split_lines splits it: a string left
        # open is "Unterminated string", not "Invalid control character"; a chunk holds no
        # other CR, see _columns)
        raw = lines[i].decode("utf-8").removesuffix("\r")
        if raw.strip():  # (a blank line is no record, as in the Python code)
            where = Location(file=display, line=first_line + i)
            recognised = _line(ctx, where, raw, staff) or recognised

    vec.feed(ctx, frame, odd, on_odd)
    return recognised


def _columns(piece: bytes, lines: list[bytes]) -> pl.DataFrame | None:
    """The fields of a chunk's lines as columns (``_bad``: a line msgspec refused, a record
    without ``msgid``, group details), or None when the whole chunk is the Python code's: a
    lone CR (a line break to Python, not to these lines), an escaped surrogate, a ``msgid``
    key more than msgspec found in the lines it read (a key twice: as with polars' reader of
    the chunk before, these are left to the Python code)."""
    if b"\r" in piece and piece.count(b"\r") != piece.count(b"\r\n"):
        return None
    if _SURROGATE.search(piece):
        return None
    refused = 0  # ("msgid" keys in the lines msgspec refused)
    recs: list[_Rec] = []
    while len(recs) < len(lines):
        try:  # (extend keeps the lines decoded before the one refused)
            recs.extend(map(_DECODE, islice(lines, len(recs), None)))
        except (msgspec.DecodeError, RecursionError):  # (a ValidationError too)
            refused += lines[len(recs)].count(b'"msgid"')
            recs.append(_REFUSED)
    n = len(recs)
    ids: list[Any] = list(map(attrgetter("msgid"), recs))
    missing = ids.count(UNSET)
    if piece.count(b'"msgid"') != n - missing + refused:
        return None
    bad: list[bool] | None = None
    others = [list(map(attrgetter(k), recs)) for k in ("group_chat", "member_list")]
    if missing or any(v.count(UNSET) != n for v in others):
        bad = [
            a is UNSET or b is not UNSET or c is not UNSET
            for a, b, c in zip(ids, *others, strict=True)
        ]
        ids = [None if v is UNSET else v for v in ids]
    return pl.DataFrame(
        [
            pl.Series("msgid", ids, _S),
            _strings(recs, "action"),
            _strings(recs, "sender"),
            _strings(recs, "roomid"),
            pl.Series("msgtime", list(map(attrgetter("msgtime"), recs)), pl.Int64()),
            _strings(recs, "msgtype"),
            _contents(recs, "text"),
            _contents(recs, "markdown"),
            pl.Series("_bad", [False] * n if bad is None else bad, pl.Boolean()),
        ]
    )


def _frame(df: pl.DataFrame, zone: str) -> pl.DataFrame:
    """The messages of a chunk's columns (``_odd``: rows for the Python code), stamped."""
    action = pl.col("action").fill_null("send")
    mt = pl.col("msgtype").fill_null("")
    sender = pl.col("sender").fill_null("")
    room = pl.col("roomid").fill_null("")
    us = vec.epoch_us(pl.col("msgtime"))
    msg_type = (
        pl.when(action == "recall")
        .then(pl.lit("system"))
        .otherwise(mt.replace_strict(MSG_TYPES, default="other", return_dtype=pl.String))
    )
    body = (
        pl.when(mt == "text").then(pl.col("text")).when(mt == "markdown").then(pl.col("markdown"))
    )
    system = msg_type == "system"
    external = sender.str.starts_with("wm") | sender.str.starts_with("wo")
    frame = df.select(
        _us=us,
        group_id=room,
        member_id=pl.when(system).then(pl.lit(SYSTEM_ID)).otherwise(sender),
        msg_id=pl.when(pl.col("msgid") != "").then(pl.col("msgid")),
        msg_type=msg_type,
        content=pl.when((msg_type == "text") & (body != "")).then(body),
        role=pl.when(system).then(pl.lit("bot")).when(~external).then(pl.lit("staff")),
        _staff=~external & ~system,
        _odd=pl.col("_bad")
        | ~action.is_in(["send", "recall"])
        | (room == "")
        | us.is_null()
        | (sender == ""),
    )
    return vec.with_stamp(frame, zone)


def _strings(recs: list[_Rec], name: str) -> pl.Series:
    return pl.Series(name, list(map(attrgetter(name), recs)), _S)


def _contents(recs: list[_Rec], name: str) -> pl.Series:
    """The ``content`` of each record's body ``name`` (null without one)."""
    bodies: list[Any] = list(map(attrgetter(name), recs))
    if bodies.count(None) == len(bodies):
        return pl.Series(name, [None] * len(bodies), _S)
    return pl.Series(name, list(map(getattr, bodies, repeat("content"), repeat(None))), _S)


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
    content = _content(rec, msgtype, msg_type)
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


def _content(rec: dict[str, Any], msgtype: str, msg_type: str) -> str | None:
    """The text of a message: a text's content, a link's title (or address)."""
    body = rec.get(msgtype)
    if msg_type == "text" and isinstance(body, dict):
        return str(body.get("content") or "") or None
    if msg_type == "link" and isinstance(body, dict):
        return str(body.get("title") or body.get("link_url") or "") or None
    return None


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
