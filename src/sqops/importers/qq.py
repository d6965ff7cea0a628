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

import itertools
import re
from datetime import datetime
from pathlib import Path
from typing import Any, cast

import polars as pl

from sqops.data.scalars import clean
from sqops.errors import InputError, Location
from sqops.i18n import T
from sqops.importers._base import BAD_TIME, SYSTEM_ID, Context, name_id, norm_name
from sqops.importers._text import (
    PY_SPACE,
    WS,
    Capture,
    Carry,
    Lines,
    bare,
    clean_column,
    local_times,
)
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
    """Read one export: ordinary messages as polars columns (:mod:`sqops.importers._text`),
    the rare parts (system messages, unreadable or misplaced sender lines, text between a
    header and the next message) by :class:`_PyLines`, the per-line reader, with the same
    results."""
    lines = Lines(path, display)
    reader = _Fast(ctx, display, path.stem)
    for part in lines.parsed(_parse):
        reader.block(part, final=False)
    reader.block(None, final=True)
    if not reader.seen_sender and not reader.seen_header:
        raise InputError(
            T(
                "不是 QQ 消息管理器导出：没有“消息对象”表头，也没有“日期 时间 昵称(QQ号)”格式的行",
                "not a QQ message manager export: no 消息对象 header and no 'date time name(QQ)' line",
            ),
            Location(file=display, line=1),
        )


class _PyLines:
    """The per-line reader, for the parts :class:`_Fast` leaves to Python."""

    def __init__(self, ctx: Context, display: str) -> None:
        self.ctx, self.display = ctx, display
        self.cap = Capture(ctx)
        self.group: str | None = None
        self.seen_header = self.seen_sender = False
        self.current: dict[str, Any] | None = None

    def segment(
        self, rows: list[tuple[int, str]], group: str | None, seen_header: bool, some: bool
    ) -> None:
        """Lines from a boundary (header, separator, sender or damaged sender line) to the
        next, in the state the reader is in before them."""
        self.cap.key = rows[0][0]
        self.group, self.seen_header = group, seen_header
        self.current = {"skip": True, "body": []} if some else None
        for n, raw in rows:
            self._line(n, raw)
        self._flush()

    def _flush(self) -> None:
        if self.current is None:
            return
        body = "\n".join(self.current["body"]).strip("\n")
        _emit(cast(Context, self.cap), self.current, body)
        self.current = None

    def _line(self, n: int, raw: str) -> None:
        ctx, display = self.ctx, self.display
        line = clean(raw).rstrip()
        h = _HEADER.match(line.strip()) if line.lstrip().startswith("消息") else None
        if h:
            self._flush()
            self.seen_header = True
            if h.group(1) == "消息对象":
                self.group = h.group(2).strip() or None
            return
        if line[:1] == "=" and set(line.strip()) <= {"="}:
            self._flush()
            return
        m = _SENDER.match(line)
        if m:
            ts = _ts(m, ctx)
            where = Location(file=display, line=n)
            if ts is None:
                self._flush()
                ctx.skip(where, BAD_TIME.format(v=line[:40]))
                self.current = {"skip": True, "body": []}
                return
            self._flush()
            self.seen_sender = True
            if self.group is None:
                ctx.skip(
                    where,
                    T("消息出现在“消息对象”之前", "message before any 消息对象 (chat) header"),
                )
                self.current = {"skip": True, "body": []}
                return
            who, mid = _who(m.group("who"))
            self.current = {
                "ts": ts,
                "group": self.group,
                "name": who,
                "id": mid,
                "line": n,
                "where": where,
                "body": [],
            }
            return
        if self.current is not None and line[:1].isdigit() and _LOOSE_DATE.match(line):
            # looks like a sender line but is not one: a damaged line
            self._flush()
            ctx.skip(
                Location(file=display, line=n), T("无法读取的发送者行", "unreadable sender line")
            )
            self.current = {"skip": True, "body": []}
            return
        if self.current is None:
            if (
                line.strip()
                and self.seen_header
                and self.group is not None
                and not line.startswith("消息记录")
            ):
                ctx.skip(
                    Location(file=display, line=n),
                    T("第一条消息之前的无法识别的行", "unrecognised line before the first message"),
                )
            return
        self.current["body"].append(raw.rstrip("\r"))


# ----------------------------------------------------------------- vectorised reading

#: _HEADER, _SENDER (up to the sender: the rest of the line is who) and _LOOSE_DATE for
#: polars, with Python's ``\s``
_F_HEADER = rf"^{WS}*(?P<hk>消息分组|消息对象){WS}*[:：]{WS}*(?P<hv>.*)$"
_F_SENDER = (
    r"(?i)^(?P<head>(?P<y>[0-9]{4})[-/](?P<mo>[0-9]{1,2})[-/](?P<d>[0-9]{1,2})"
    rf"{WS}+(?:(?P<ap1>上午|下午|凌晨|中午|晚上|AM|PM){WS}*)?"
    r"(?P<hh>[0-9]{1,2}):(?P<mi>[0-9]{2})(?::(?P<ss>[0-9]{2}))?"
    rf"(?:{WS}*(?P<ap2>上午|下午|AM|PM))?{WS}+)"
)
_F_SENDER_BARE = bare(_F_SENDER)
#: the sender prefix most exports write (24-hour clock, two-digit parts), whose parts are at
#: fixed places (where _F_SENDER's groups find them)
_F_PLAIN_HEAD = r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} $"
_PLAIN_PARTS = (("y", 0, 4), ("mo", 5, 2), ("d", 8, 2), ("hh", 11, 2), ("mi", 14, 2), ("ss", 17, 2))
#: _ID for polars (the number in the digits 0–9 only: see _Fast._who)
_F_ID = rf"^(?P<name>.*?){WS}*(?:\((?P<qq>[0-9]{{4,12}})\)|<(?P<email>[^<>\s\x1c-\x1f]+)>)$"
_F_LOOSE = (
    rf"^[0-9]{{4}}[-/][0-9]{{1,2}}[-/][0-9]{{1,2}}{WS}+[^\s\x1c-\x1f]*[0-9]{{1,2}}:[0-9]{{2}}"
)
#: the group of no chat (a 消息对象 header with no name): no text holds a NUL
_NONE = "\x00"


def _parse(block: pl.DataFrame) -> pl.DataFrame:
    """The lines with their cleaned text ``cl`` and what kind of line each is; a sender line's
    date-and-time prefix ``head`` (found by a pattern without groups: its parts are read for
    the boundary lines only, :func:`_parts`)."""
    cl = clean_column(block.get_column("raw")).str.strip_chars_end(PY_SPACE)
    df = block.with_columns(cl.alias("cl"))
    c = pl.col("cl")
    hk = pl.repeat(None, df.height, dtype=pl.String, eager=True)
    hv = hk.clone()
    maybe = cl.str.contains("消息", literal=True)
    if maybe.any():  # (headers: a few lines)
        at = maybe.arg_true()
        found = cl.gather(at).str.extract_groups(_F_HEADER).struct.unnest()
        hk = hk.scatter(at, found.get_column("hk"))
        hv = hv.scatter(at, found.get_column("hv"))
    df = df.with_columns(
        hk.alias("hk"),
        hv.alias("hv"),
        cl.str.extract(_F_SENDER_BARE, 0).alias("head"),
    ).with_columns(
        pl.col("hk").is_not_null().alias("hdr"),
        (pl.col("hk").is_null() & c.str.contains("^=+$")).alias("eq"),
    )
    df = df.with_columns(
        (pl.col("head").is_not_null() & ~pl.col("hdr") & ~pl.col("eq")).alias("snd"),
    )
    return df.with_columns(
        (~pl.col("hdr") & ~pl.col("eq") & ~pl.col("snd") & c.str.contains(_F_LOOSE)).alias("loose"),
    )


def _parts(heads: pl.DataFrame) -> pl.DataFrame:
    """Boundary lines with the parts of a sender line's date and time (``y mo d hh mi ss ap1
    ap2``) and what follows them (``who``), as :data:`_SENDER` captures them from the whole
    line (the pattern ends where ``head`` ends, and what follows does not change its match)."""
    head = heads.get_column("head")
    plain = head.str.contains(_F_PLAIN_HEAD).fill_null(True)
    if plain.all():  # ("2026-12-01 20:15:03 ": each part at its place)
        parts = pl.DataFrame({"head": head}).select(
            *[pl.col("head").str.slice(at, width).alias(name) for name, at, width in _PLAIN_PARTS],
            pl.lit(None, pl.String).alias("ap1"),
            pl.lit(None, pl.String).alias("ap2"),
        )
    else:
        parts = head.str.extract_groups(_F_SENDER).struct.unnest().drop("head")
    return heads.hstack(parts).with_columns(
        pl.when(pl.col("snd"))
        .then(pl.col("cl").str.slice(pl.col("head").str.len_chars()))
        .alias("who"),
        *[pl.col(x).cast(pl.Int64) for x in ("y", "mo", "d", "hh", "mi")],
        pl.col("ss").cast(pl.Int64).fill_null(0),
    )


class _Fast:
    """Reads the parsed blocks in order; a block's last message waits for the next block."""

    def __init__(self, ctx: Context, display: str, stem: str) -> None:
        self.ctx, self.display = ctx, display
        self.py = _PyLines(ctx, display)
        self.carry = Carry()
        # the state before the next line: group (_NONE: none), a header seen, a message open
        self.group, self.seen_header, self.some = stem, False, False
        self.seen_sender = False
        #: a sender's name → its id (when it has no number) and its normalised form
        self.names: dict[str, tuple[str, str | None]] = {}

    def block(self, part: pl.DataFrame | None, *, final: bool) -> None:
        df = self.carry.take(part)
        if df is None:
            return
        # the reader's state after each line, and before it; the chat as a number: the
        # chat before this frame (0), then each 消息对象 header's in turn
        chat = (df.get_column("hk") == "消息对象").fill_null(False)
        at = chat.arg_true()
        said = df.get_column("hv").gather(at).str.strip_chars(PY_SPACE).to_list()
        names = [self.group, *(x or _NONE for x in said)]
        after = pl.repeat(None, df.height, dtype=pl.UInt32, eager=True)
        after = after.scatter(at, pl.int_range(1, len(at) + 1, dtype=pl.UInt32, eager=True))
        state = pl.when(pl.col("hdr") | pl.col("eq")).then(False).when(pl.col("snd")).then(True)
        df = df.with_columns(
            after.forward_fill().fill_null(0).alias("gc_"),
            (pl.col("hdr").cum_max() | self.seen_header).alias("seen_"),
            state.fill_null(strategy="forward").fill_null(self.some).alias("some_"),
        )
        df = df.with_columns(
            pl.col("gc_").shift(1).fill_null(0).alias("gc"),
            pl.col("seen_").shift(1).fill_null(self.seen_header).alias("seen"),
            pl.col("some_").shift(1).fill_null(self.some).alias("some"),
        ).with_columns((pl.col("loose") & pl.col("some")).alias("loose"))
        df = df.with_columns(
            (pl.col("hdr") | pl.col("eq") | pl.col("snd") | pl.col("loose")).alias("bd")
        ).with_columns(pl.col("bd").cum_sum().alias("seg"))
        k = self.carry.cut(
            df, final=final, drop=("gc_", "seen_", "some_", "gc", "seen", "some", "bd")
        )
        if k < df.height:
            gc, self.seen_header, self.some = df.select("gc", "seen", "some").row(k)
            df = df.slice(0, k)
        else:
            gc, self.seen_header, self.some = df.select("gc_", "seen_", "some_").row(-1)
        self.group = names[gc]
        if not df.is_empty():
            self._read(df, names)

    def _read(self, df: pl.DataFrame, names: list[str]) -> None:
        """Whole segments (each from a boundary line to the next) → the context; ``names``:
        the chats the numbers ``gc`` stand for."""
        bd = df.get_column("bd")
        none = [i for i, x in enumerate(names) if x == _NONE]
        df = df.with_columns(
            (pl.col("bd") & ~pl.col("bd").shift(-1, fill_value=True)).alias("more"),
        )
        # the lines the reader reports: text between a header or separator and a message
        maybe = df.select(
            ~pl.col("bd") & ~pl.col("some") & pl.col("seen") & ~pl.col("gc").is_in(none)
        ).to_series()
        odd_segs = pl.Series("seg", [], dtype=df.schema["seg"])
        if maybe.any():
            odd_segs = (
                df.select("seg", "cl")
                .filter(maybe)
                .filter(
                    (pl.col("cl").str.strip_chars(PY_SPACE) != "")
                    & ~pl.col("cl").str.starts_with("消息记录")
                )
                .get_column("seg")
                .unique()
            )
        heads = df.select("n", "cl", "head", "snd", "loose", "gc", "seen", "some", "seg", "more")
        heads = heads.filter(bd)
        heads = heads.with_columns(pl.Series("g", names).gather(heads.get_column("gc")))
        heads = _times(_parts(heads), self.ctx)
        self.seen_sender = self.seen_sender or bool(
            (heads.get_column("snd") & heads.get_column("valid")).any()
        )
        heads = heads.join(
            self._who(heads.get_column("who")), on="who", how="left", maintain_order="left"
        )
        heads = heads.with_columns(
            (
                pl.col("loose")
                | (
                    pl.col("snd")
                    & (~pl.col("ok") | (pl.col("g") == _NONE) | pl.col("system").fill_null(False))
                )
                | pl.col("seg").is_in(odd_segs.implode())
            ).alias("py")
        )
        slow = heads.filter(pl.col("py"))
        if not slow.is_empty():
            lines = df.select("seg", "n", "raw", "gc", "seen", "some").filter(
                pl.col("seg").is_in(slow.get_column("seg").implode())
            )
            for _, group in itertools.groupby(lines.iter_rows(), key=lambda r: r[0]):
                part = list(group)
                _, _, _, gc, seen, some = part[0]
                g = names[gc]
                self.py.segment([(r[1], r[2]) for r in part], None if g == _NONE else g, seen, some)
            self.seen_sender = self.seen_sender or self.py.seen_sender
        fast = heads.select(
            "n", "_t", "ts", "g", "member_id", "member_name", "seg", "more", "snd", "py"
        ).filter(pl.col("snd") & ~pl.col("py"))
        # the text of each message: the lines after its sender line (seg is sorted: the
        # lines of a segment are together)
        bodies = (
            df.select(pl.col("seg").set_sorted(), "raw")
            .filter(~bd)
            .group_by("seg", maintain_order=True)
            .agg(pl.col("raw"))
        )
        body = (
            fast.select(pl.col("seg").set_sorted())
            .join(
                bodies.with_columns(pl.col("seg").set_sorted()),
                on="seg",
                how="left",
                maintain_order="left",
            )
            .get_column("raw")
            .list.join("\n")
            .fill_null("")
            .str.strip_chars("\n")
        )
        kind = pl.repeat(None, fast.height, dtype=pl.String, eager=True)
        maybe = body.str.strip_chars_start(PY_SPACE).str.contains(r"^!?\[")
        if maybe.any():
            at = maybe.arg_true()
            some = body.gather(at)
            types = {x: placeholder_type(x) for x in some.unique().to_list()}
            kind = kind.scatter(at, some.replace_strict(types, return_dtype=pl.String))
        out = fast.select(
            pl.col("n").alias("_key"),
            "_t",
            "ts",
            pl.col("g").alias("group_id"),
            "member_id",
            "member_name",
            pl.Series("msg_type", kind).fill_null("text"),
            pl.when(pl.Series(kind).is_null())
            .then(pl.Series(body))
            .replace("", None)
            .alias("content"),
            pl.lit(None, pl.String).alias("role"),
        )
        self.py.cap.hand_over(out)

    def _who(self, who: pl.Series) -> pl.DataFrame:
        """The distinct senders as written → ``system`` (a system message), ``member_id``,
        ``member_name``, as :func:`_who` and :func:`_emit` make them: the name and number (or
        e-mail) split here; a sender that ends as one would but that this does not read (a
        number in other digits than 0–9) is split by :func:`_who`; then once per distinct
        name, in Python, its id and normalised form."""
        f = pl.DataFrame({"who": who.drop_nulls().unique()})
        f = f.hstack(f.get_column("who").str.extract_groups(_F_ID).struct.unnest())
        w = pl.col("who")
        odd = pl.col("name").is_null() & (w.str.ends_with(")") | w.str.ends_with(">"))
        f = f.with_columns(
            pl.when(pl.col("name").is_null())
            .then(w)
            .otherwise(pl.col("name"))
            .str.strip_chars(PY_SPACE)
            .alias("name"),
            pl.coalesce("qq", "email").alias("mid"),
            odd.alias("odd"),
        )
        if f.get_column("odd").any():  # (rare: Python's reading)
            rows = [_who(x) for x in f.filter(pl.col("odd")).get_column("who").to_list()]
            at = f.get_column("odd").arg_true()
            f = f.with_columns(
                f.get_column("name").scatter(at, [r[0] for r in rows]),
                f.get_column("mid").scatter(at, [r[1] for r in rows]),
            )
        names = f.get_column("name").unique().to_list()
        for x in names:
            if x not in self.names:
                self.names[x] = (name_id(x), (norm_name(x) or None) if x else None)
        known = pl.DataFrame(
            [(x, *self.names[x]) for x in names],
            schema={"name": pl.String, "nid": pl.String, "member_name": pl.String},
            orient="row",
        )
        f = f.join(known, on="name", how="left")
        return f.select(
            "who",
            ((pl.col("name") == "系统消息") | (pl.col("mid") == "10000"))
            .fill_null(False)
            .alias("system"),
            pl.coalesce("mid", "nid").alias("member_id"),
            "member_name",
        )


def _times(heads: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """``heads`` with ``valid``, ``ok``, ``_t`` and ``ts`` of the sender lines (:func:`_ts`)."""
    hh = pl.col("hh")
    hour: pl.Expr = hh
    marks = heads.select(pl.coalesce("ap1", "ap2")).to_series().drop_nulls().unique()
    if len(marks):
        upper = {v: v.upper() for v in marks.to_list()}  # (Python's, once per distinct mark)
        ap = pl.coalesce("ap1", "ap2").replace_strict(upper, default=None)
        hour = (
            pl.when(ap.is_not_null() & ~hh.is_between(1, 12) & ~((ap == "凌晨") & (hh == 0)))
            .then(None)
            .when(ap.is_in(["PM", "下午", "晚上"]) & (hh < 12))
            .then(hh + 12)
            .when(ap.is_in(["AM", "上午", "凌晨"]) & (hh == 12))
            .then(0)
            .when((ap == "中午") & (hh < 11))
            .then(hh + 12)
            .otherwise(hh)
        )
    times = heads.select("y", "mo", "d", hour.alias("hh"), "mi", "ss")
    times = local_times(times, ctx.tz).select("valid", "ok", "_t", "ts")
    return heads.hstack(times)


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
