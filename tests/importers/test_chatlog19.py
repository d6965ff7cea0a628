"""wechat-chatlog CSV, session 19 (chat8, #19 item 2): the notices' messages are read in bulk
(the system as sender, the role "bot", their text kept) and only their joins and leaves one by
one (``_chatlog_notice``), in file order with the rows the bulk does not read; the chat's id
and name of one text in every row are that text stripped (no column), the senders' names
mapped from their cells as written (each distinct cell once: the system's names told by
Python's strip), no filter when every row is read in bulk — the same tables, counts, problems
as the row-by-row reading (differential, Hypothesis: padded, blank and system
senders, several chats or one, type codes and "is self" flags, short rows and bad times; in
memory, spilled, with ``--group-id``/``--self-name`` and in another zone)."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sqops.errors import SqopsError

_TIME = st.sampled_from(
    [
        "2026-12-03 19:00:{s:02d}",
        "2026-12-03 19:00:{s:02d}",
        "2026-12-03 19:{s:02d}",
        " 2026-12-03 19:00:{s:02d}",
        "2026-12-03T19:00:{s:02d}+08:00",
        "2026-12-03 25:00:{s:02d}",
        "1890-05-01 12:00:{s:02d}",
        "2026-03-08 02:30:{s:02d}",  # (New York skips it)
        "2026-11-01 01:30:{s:02d}",  # (New York passes it twice)
        "x",
    ]
)
#: notices as WeChat writes them, and texts no notice pattern reads
_NOTICE = st.sampled_from(
    [
        '"{a}"邀请"{b}"加入了群聊',
        '"{b}"通过扫描"{a}"分享的二维码加入群聊',
        '"{a}"将"{b}"移出了群聊',
        '"{b}"退出了群聊',
        '你邀请"{b}、{a}"加入了群聊',
        '"{a}"邀请你和"{b}"加入了群聊',
        "撤回了一条消息",
        "[图片]",
        " [链接|标题](http://x) ",
        "",
    ]
)
_PERSON = st.sampled_from(["Mia", "Bo", "阿梅", "你", " Mia "])
_SENDER_NAME = st.sampled_from(
    ["", " ", "Mia", " Mia ", "Bo", "\u200e阿青", "系统消息", " 系统消息 ", "System", "system\u3000",
     "\x1cBo", "你"]
)  # fmt: skip
_SENDER = st.sampled_from(["", " ", "wxid_mia", " wxid_bo", "wxid_bo", "\u3000"])
_TALKER = st.sampled_from(["g1@chatroom", " g1@chatroom ", "g2@chatroom", "", " "])
_TALKER_NAME = st.sampled_from(["护肤群", " 护肤群 ", "", "Glow\u200b"])


@st.composite
def _export(draw: st.DrawFn) -> str:
    """A chatlog CSV: a chat's id and name one text in every row or drawn per row, the
    optional columns Type and IsSelf sometimes there, short rows sometimes."""
    extra = draw(st.sets(st.sampled_from(["Type", "IsSelf"]), max_size=2))
    header = ["Time", "SenderName", "Sender", "TalkerName", "Talker", "Content", *sorted(extra)]
    talker = draw(_TALKER) if draw(st.booleans()) else None
    talker_name = draw(_TALKER_NAME) if draw(st.booleans()) else None
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    for i in range(draw(st.integers(1, 12))):
        cells = {
            "Time": draw(_TIME).format(s=i // 2),
            "SenderName": draw(_SENDER_NAME),
            "Sender": draw(_SENDER),
            "TalkerName": draw(_TALKER_NAME) if talker_name is None else talker_name,
            "Talker": draw(_TALKER) if talker is None else talker,
            "Content": draw(_NOTICE).format(a=draw(_PERSON), b=draw(_PERSON)),
            "Type": draw(st.sampled_from(["", "", " ", "1", "10000"])),
            "IsSelf": draw(st.sampled_from(["", "0", "1", "true"])),
        }
        row = [cells[c] for c in header]
        if draw(st.integers(0, 9)) == 0:  # a short row
            row = row[: draw(st.integers(1, len(row)))]
        w.writerow(row)
    return out.getvalue()


def _chat(folder, text: str, **opts):  # type: ignore[no-untyped-def]
    """``text`` written as a chatlog CSV in ``folder`` and imported."""
    from sqops.importers import import_files

    (folder / "chat.csv").write_text(text, encoding="utf-8")
    return import_files("wechat-chatlog", [folder / "chat.csv"], **opts)


def _seen(run) -> object:  # type: ignore[no-untyped-def]
    """What ``run()`` (an import) gives: each table (held or spilled) as its rows, the
    counts and the problems — or the name of its refusal (no row at all)."""
    try:
        result = run()
    except SqopsError as exc:
        return type(exc).__name__
    try:
        names = sorted(set(result.tables) | set(result.spilled))
        return (
            {n: result.table(n).rows() for n in names},
            result.counts,
            [(p.code, p.where, p.text) for p in result.problems],
        )
    finally:
        result.close()


def _equal_row_by_row(run) -> None:  # type: ignore[no-untyped-def]
    """``run()`` (a chatlog import) read in bulk and row by row: the same tables, counts
    and problems, or the same refusal. (Not the aliases at the end: for a frame the reader
    did not alias, the context records only those of the names it resolves, and all with
    ``--self-name`` — what the tables show.)"""
    from sqops.importers import wechat
    from sqops.importers._base import read_text

    fast = _seen(run)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(wechat, "csv_frames", lambda p, d, t=None, **_: read_text(p, d))
        assert fast == _seen(run)


_OPTS = st.sampled_from(
    [{}, {"group_id": "G1"}, {"self_name": "Mia"}, {"memory_limit": 1}, {"tz": "America/New_York"}]
)


@settings(max_examples=250, deadline=None)
@given(_export(), _OPTS)
@example(
    "Time,SenderName,Sender,TalkerName,Talker,Content\n"
    '2026-12-03 19:00:00,,,群,g1@chatroom,"""Mia""邀请""Bo""加入了群聊"\n'
    '2026-12-03 19:00:00, 系统消息 ,x,群,g1@chatroom,"""Bo""邀请""Zoe""加入了群聊"\n'
    "2026-12-03 19:00:00,Bo,wxid_bo,群,g1@chatroom,早\n",
    {},
)
@example(  # (a notice read row by row between two in bulk: a type code, a bad time)
    "Time,SenderName,Sender,TalkerName,Talker,Content,Type\n"
    '2026-12-03 19:00:00,,,群,g1@chatroom,"""Mia""邀请""Bo""加入了群聊",\n'
    '2026-12-03 19:00:00,,,群,g1@chatroom,"""Bo""邀请""Zoe""加入了群聊",10000\n'
    '2026-12-03 19:00,,,群,g1@chatroom,"""Zoe""邀请""Al""加入了群聊",\n'
    '2026-12-03 25:00:00,,,群,g1@chatroom,"""Al""退出了群聊",\n'
    "2026-12-03 19:00:01,Bo,wxid_bo,群,g1@chatroom,早,\n",
    {"memory_limit": 1},
)
def test_chatlog_bulk_equals_row_by_row(tmp_path_factory, export, opts):
    """Notices in bulk and notices read one by one (a type code, an "is self" flag), padded,
    blank and system senders, one chat or several, short rows and bad times: the bulk gives
    the row-by-row reading's tables (the members' order by file order among equal times),
    counts and problems — also spilled, with ``--group-id`` or ``--self-name``, and
    in another zone."""
    tmp = tmp_path_factory.mktemp("chat8")
    _equal_row_by_row(lambda: _chat(tmp, export, **opts))


def _spied(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What reaches the chatlog reader's one-by-one functions, in order: ``row LINE`` for
    ``_chatlog_row``, ``notice TIME`` for ``_chatlog_notice``; then ``finish N``: the
    frames and rows of messages the context holds at its end."""
    from sqops.importers import _base, wechat

    seen: list[str] = []
    row, notice, finish = wechat._chatlog_row, wechat._chatlog_notice, _base.Context.finish

    def kept(self):  # type: ignore[no-untyped-def]
        seen.append(f"finish {len(self._bulk) + len(self.rows['messages'])}")
        return finish(self)

    def counted(ctx, where, rec):  # type: ignore[no-untyped-def]
        seen.append(f"row {where.line}")
        row(ctx, where, rec)

    def noticed(ctx, rec):  # type: ignore[no-untyped-def]
        seen.append(f"notice {rec['time']}")
        notice(ctx, rec)

    monkeypatch.setattr(wechat, "_chatlog_row", counted)
    monkeypatch.setattr(wechat, "_chatlog_notice", noticed)
    monkeypatch.setattr(_base.Context, "finish", kept)
    return seen


def test_notices_read_in_bulk_and_their_members_in_file_order(tmp_path, monkeypatch):
    """Hand-counted: the two notices' messages come from the bulk (no row reaches
    _chatlog_row; on the code before, both did), their joins from _chatlog_notice in file
    order — the later line's join after the earlier one's at the same second — and the
    messages frame is the reader's one frame (no row added one by one)."""
    text = (
        "Time,SenderName,Sender,TalkerName,Talker,Content\n"
        '2026-12-03 19:00:00,,,护肤群,g1@chatroom,"""Mia""邀请""Zoe""加入了群聊"\n'
        "2026-12-03 19:00:00,Mia,wxid_mia,护肤群,g1@chatroom,早\n"
        '2026-12-03 19:00:00, 系统消息 ,x,护肤群,g1@chatroom,"""Bo""加入了群聊"\n'
        "2026-12-03 19:00:01,Bo,wxid_bo,护肤群,g1@chatroom,欢迎\n"
    )
    seen = _spied(monkeypatch)
    result = _chat(tmp_path, text)
    assert seen == ["notice 2026-12-03 19:00:00", "notice 2026-12-03 19:00:00", "finish 1"]
    shown = ["member_id", "member_name", "msg_type", "role", "content", "group_name"]
    assert result.tables["messages"].select(shown).rows() == [
        ("system", None, "system", "bot", '"Mia"邀请"Zoe"加入了群聊', "护肤群"),
        ("wxid_mia", "Mia", "text", None, "早", "护肤群"),
        ("system", None, "system", "bot", '"Bo"加入了群聊', "护肤群"),
        ("wxid_bo", "Bo", "text", None, "欢迎", "护肤群"),
    ]
    assert result.tables["members"].select("member_name", "member_id", "inviter_id").rows() == [
        ("Zoe", "name:Zoe", "wxid_mia"),
        ("Bo", "wxid_bo", None),
    ]
    assert result.counts["notices"] == 2
    assert not result.problems


def test_rows_the_bulk_does_not_read_between_notices(tmp_path, monkeypatch):
    """Hand-counted: a notice with a type code and one with a bad time go one by one (the
    second skipped, located), the others in bulk; the members in file order."""
    text = (
        "Time,SenderName,Sender,TalkerName,Talker,Content,Type\n"
        '2026-12-03 19:00:00,,,群,g1@chatroom,"""Mia""邀请""Zoe""加入了群聊",\n'
        '2026-12-03 19:00:00,,,群,g1@chatroom,"""Zoe""邀请""Al""加入了群聊",10000\n'
        '2026-12-03 25:00:00,,,群,g1@chatroom,"""Al""退出了群聊",\n'
        '2026-12-03 19:00:00,,,群,g1@chatroom,"""Al""邀请""Bo""加入了群聊",\n'
    )
    seen = _spied(monkeypatch)
    result = _chat(tmp_path, text)
    notice = "notice 2026-12-03 19:00:00"
    assert seen == [notice, "row 3", "row 4", notice, "finish 2"]
    assert result.tables["members"]["member_name"].to_list() == ["Zoe", "Al", "Bo"]
    assert result.tables["messages"]["msg_type"].to_list() == ["system"] * 3
    assert [(p.where.line, p.text.en) for p in result.problems] == [
        (4, "cannot read the time '2026-12-03 25:00:00'")
    ]


# ---------------------------------------------------------------- placeholder types

_CONTENT = st.sampled_from(
    ["[图片]", " [图片] ", "\u3000![视频](http://127.0.0.1/v)", "[链接|成分表](https://a.cn/a)",
     "[链接|价目](https://a.cn/b)", "[捂脸]", "[图片] 好看吗", "![", "[", "大家好", "", " ",
     "[GIF表情]", "[语音通话]", "\x1c[红包]", "[文件|a.pdf](f)"]
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.one_of(st.none(), _CONTENT), max_size=30),
    st.sampled_from([None, "text"]),
    st.sampled_from([0, 4, 100]),
)
@example(["[图片]", " [链接|a](b)", "[动画表情]", "[文件|x](y)", "hi", None], "text", 4)
@example(["[图片]", " [链接|a](b)", "[动画表情]", "[文件|x](y)", "[位置]", "hi", None], "text", 4)
def test_placeholder_types_compared_or_looked_up(contents, default, few):
    """Each text's type — compared with the few typed placeholders found (at most
    ``_FEW_TYPED``), or looked up among more of them (an Enum) — is :func:`placeholder_type`
    of it, ``default`` where none (a null cell too); ``few`` 0 and 100 force either way on
    the same texts."""
    import polars as pl

    from sqops.importers import wechat

    rows = pl.DataFrame({"c": contents}, schema={"c": pl.String})
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(wechat, "_FEW_TYPED", few)
        types = wechat._placeholder_types(rows, pl.col("c"), default)
    got = rows.with_columns(types.alias("t"))["t"]
    want = [None if c is None else wechat.placeholder_type(c) for c in contents]
    assert got.to_list() == [default if w is None else w for w in want]
