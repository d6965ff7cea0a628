"""The vectorised readers (issue #19) read what the row-by-row ones read: the same cells,
the same rows, the same problems — only faster."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sqops.errors import InputError
from sqops.importers import import_files, wechat
from sqops.importers._base import read_csv, read_csv_frame, read_text

# --------------------------------------------------------------------------- CSV cells

_PIECES = st.sampled_from(
    ["a", "中文", " ", ",", ";", "\t", '"', '""', "\n", "\r\n", "x y", "=1", "", "\u3000", "\x1c"]
)
_TEXTS = st.lists(_PIECES, min_size=1, max_size=40).map("".join)


def _frame_rows(frame):
    return [
        (r["_line"], [r[f"c{i}"] for i in range(r["_n"])]) for r in frame.rows.iter_rows(named=True)
    ]


def _read(fn, text):
    try:
        return fn(text, "t.csv")
    except InputError as exc:
        return ("error", str(exc), exc.where)


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_csv_frame_has_the_cells_read_csv_has(text):
    want = _read(read_csv, text)
    got = _read(read_csv_frame, text)
    if isinstance(want, tuple) or isinstance(got, tuple):
        assert got == want
        return
    assert got is not None  # (None only for NUL, a lone CR, a huge field)
    assert (got.header, got.header_line) == (want.header, want.header_line)
    assert _frame_rows(got) == want.rows


def test_csv_frame_on_a_hand_made_file():
    text = 'h1,h2\n\n"a\nb",c\n  ,  \nd,"e""f"\r\ng\n'
    frame = read_csv_frame(text, "t.csv")
    assert frame is not None and frame.header == ["h1", "h2"]
    # line 2 blank, line 3-4 one record, line 5 only spaces (blank), line 6 CRLF, line 7
    assert _frame_rows(frame) == [(3, ["a\nb", "c"]), (6, ["d", 'e"f']), (7, ["g"])]
    assert read_csv_frame("a,b\rc,d\n", "t.csv") is None  # a lone CR: the row-by-row way


# --------------------------------------------------------------------------- chatlog CSV


def _row_by_row(path, display, text=None, **_):
    """csv_frames saying "read it row by row" (the path of today)."""
    return read_text(path, display) if text is None else text


_CHATLOG = (
    "Time,SenderName,Sender,TalkerName,Talker,Content\n"
    '2026-12-03 19:00:00,,,护肤群,g@chatroom,"""阿青""邀请""Mia""加入了群聊"\n'  # notice
    "2026-12-03 19:00:00,Mia ,wxid_mia,护肤群,g@chatroom,[图片]\n"  # same second: after it
    '2026-12-03 19:01:00,\u200e阿青,wxid_qing, 护肤群 ,g@chatroom,"说 ""你好""\n第二行"\n'
    "2026-12-03T19:02,阿青,wxid_qing,护肤群,g@chatroom,![图片](http://x/y.png)\n"
    "2026-12-03 19:03:00,Mia,wxid_mia,护肤群,g@chatroom,[链接|标题](http://x)\n"
    "2026-12-03 19:04:00,Mia,wxid_mia,护肤群,g@chatroom\n"  # too few columns
    "2026-12-03 25:00:00,Mia,wxid_mia,护肤群,g@chatroom,坏时间\n"  # bad time
    "2026-12-03 19:05:00+08:00,Mia,wxid_mia,护肤群,g@chatroom,带时区\n"  # per row, read
    "1890-05-01 12:00:00,Old,wxid_old,护肤群,g@chatroom,很久以前\n"  # local mean time
    '2026-12-03 19:06:00,系统消息,x,护肤群,g@chatroom,"""Bo""加入了群聊"\n'  # notice
)


def _import(tmp_path, text, *, bulk: bool, monkeypatch, **kw):
    p = tmp_path / "chat.csv"
    p.write_text(text, encoding="utf-8")
    if not bulk:
        monkeypatch.setattr(wechat, "csv_frames", _row_by_row)
    try:
        return import_files("wechat-chatlog", [p, p] if kw.pop("twice", False) else [p], **kw)
    finally:
        monkeypatch.undo()


@pytest.mark.parametrize("kw", [{}, {"tz": "Europe/London"}, {"twice": True, "group_id": "G"}])
def test_chatlog_csv_bulk_equals_row_by_row(tmp_path, monkeypatch, kw):
    fast = _import(tmp_path, _CHATLOG, bulk=True, monkeypatch=monkeypatch, **dict(kw))
    slow = _import(tmp_path, _CHATLOG, bulk=False, monkeypatch=monkeypatch, **dict(kw))
    for name, frame in slow.tables.items():
        assert fast.tables[name].equals(frame), name
    assert fast.counts == slow.counts
    assert [(p.code, p.where, p.text) for p in fast.problems] == [
        (p.code, p.where, p.text) for p in slow.problems
    ]


def test_chatlog_csv_hand_counted(tmp_path, monkeypatch):
    r = _import(tmp_path, _CHATLOG, bulk=True, monkeypatch=monkeypatch)
    m = r.tables["messages"]
    # 10 data rows: 2 skipped (too few columns line 8, bad time line 9); 8 messages, of which
    # 2 notices (system), Mia's [图片] image, 阿青's ![图片] image, Mia's link
    assert (m.height, r.counts["skipped"]) == (8, 2)
    by_type = m.group_by("msg_type").len().sort("msg_type").rows()
    assert by_type == [("image", 2), ("link", 1), ("system", 2), ("text", 3)]
    # the 1890 time: Shanghai's local mean time has seconds, so the text is in UTC
    assert m.filter(member_id="wxid_old")["ts"].item() == "1890-05-01T03:54:17Z"
    # the notice at 19:00:00 comes before Mia's image of the same second (file order)
    assert m["member_id"].to_list()[1:3] == ["system", "wxid_mia"]
    # the names: trimmed, the direction mark gone; the chat's name trimmed
    assert sorted(set(m["member_name"].drop_nulls())) == ["Mia", "Old", "阿青"]
    assert set(m["group_name"]) == {"护肤群"}
    assert r.tables["members"]["member_id"].to_list() == ["wxid_mia", "name:Bo"]


# --------------------------------------------------------------------------- WeChatMsg CSV

_MSG = (
    "localId,TalkerId,Type,SubType,IsSender,CreateTime,Status,StrContent,StrTime,Remark,NickName,Sender\n"
    '1,g@chatroom,10000,0,0,1764763200,2,"""阿青""邀请""Mia""加入了群聊",,,,\n'  # notice
    "2,g@chatroom,1,0,0,1764763200,2, 早 ,,,Mia,wxid_mia\n"  # text, same second as the notice
    "3,g@chatroom,3,0,1,1764763260,2,img,,,Qing,wxid_qing\n"  # image sent by the exporter
    "4,g@chatroom,49,6,0,1764763320000,2,a.pdf,,备注名,Mia,wxid_mia\n"  # file, milliseconds
    "5,g@chatroom,49,57,1,1764763380,2,引用,,,,\n"  # a quote by the exporter, no Sender
    "6,g@chatroom,x,0,0,1764763440,2,坏类型,,,Mia,wxid_mia\n"  # bad type
    "7,g@chatroom,1,0,0,,2,用 StrTime,2026-12-03 20:05:00,,Mia,wxid_mia\n"  # per row, read
    "8,,1,0,0,1764763560,2,没有群,,,Mia,wxid_mia\n"  # no group
    "9,g@chatroom,1,0,0,1764763620,2,没有发送者,,,Mia,\n"  # no sender
    "2,g@chatroom,1,0,0,1764763680,2,重复 id,,,Mia,wxid_mia\n"  # localId 2 again
)


def _import_msg(tmp_path, text, *, bulk: bool, monkeypatch, **kw):
    p = tmp_path / "msg.csv"
    p.write_text(text, encoding="utf-8")
    if not bulk:
        monkeypatch.setattr(wechat, "csv_frames", _row_by_row)
    try:
        return import_files("wechat-msg", [p], **kw)
    finally:
        monkeypatch.undo()


@pytest.mark.parametrize("kw", [{}, {"tz": "America/New_York", "self_name": "Qing"}])
def test_wechat_msg_bulk_equals_row_by_row(tmp_path, monkeypatch, kw):
    fast = _import_msg(tmp_path, _MSG, bulk=True, monkeypatch=monkeypatch, **kw)
    slow = _import_msg(tmp_path, _MSG, bulk=False, monkeypatch=monkeypatch, **kw)
    for name, frame in slow.tables.items():
        assert fast.tables[name].equals(frame), name
    assert fast.counts == slow.counts
    assert [(p.code, p.where, p.text) for p in fast.problems] == [
        (p.code, p.where, p.text) for p in slow.problems
    ]


def test_wechat_msg_hand_counted(tmp_path, monkeypatch):
    r = _import_msg(tmp_path, _MSG, bulk=True, monkeypatch=monkeypatch)
    m = r.tables["messages"]
    # 10 rows: 3 skipped (bad type, no group, no sender); 7 read, the repeated localId 2
    # dropped as a duplicate: 6 messages
    assert (r.counts["skipped"], r.counts["duplicate_messages"], m.height) == (3, 1, 6)
    assert m["msg_type"].to_list() == ["system", "text", "image", "file", "text", "text"]
    # the exporter's quote has no sender: "self" (--self-name would name it)
    assert m["member_id"].to_list()[4] == "self"
    assert m["ts"].to_list()[3] == "2025-12-03T20:02:00+08:00"  # from milliseconds
    assert m["member_name"].to_list()[1:4] == ["Mia", "Qing", "备注名"]
    assert r.tables["members"]["member_id"].to_list() == ["wxid_mia"]


# --------------------------------------------------------------------------- generic

_GENERIC = (
    "时间,群,成员,昵称,内容,类型\n"
    "2026-12-03 20:00,g1,m1, Ana ,早,文本\n"
    "2026-12-03 20:00,g1,m2,,图,图片\n"  # an image; no name
    "2026-12-03 20:01,,m1,Ana,没有群,文本\n"  # the default group
    "2026-12-03 20:02,g1,,Ana,没有成员,文本\n"  # required member_id empty
    "2026-12-03 20:03,g1,m1,Ana,坏类型,视频号\n"  # not a msg_type
    "2026/12/03 20:05,g1,m3,\u200bCy,斜线日期,\n"  # read per row
    "2026-12-03 20:06,g1,m1,Ana\n"  # short row: no content, msg_type text
)
_GENERIC_MAP = (
    "table: messages\ncolumns:\n  ts: 时间\n  group_id: 群\n  member_id: 成员\n"
    "  member_name: 昵称\n  content: 内容\n  msg_type: 类型\n"
    "values:\n  msg_type: {文本: text, 图片: image}\ndefaults:\n  group_id: 默认群\n"
)


def _import_generic(tmp_path, *, bulk: bool, monkeypatch, **kw):
    from sqops.importers import generic

    (tmp_path / "t.csv").write_text(_GENERIC, encoding="utf-8")
    (tmp_path / "map.yaml").write_text(_GENERIC_MAP, encoding="utf-8")
    if not bulk:
        monkeypatch.setattr(generic, "csv_frames", _row_by_row)
    try:
        return import_files("generic", [tmp_path / "t.csv"], columns=tmp_path / "map.yaml", **kw)
    finally:
        monkeypatch.undo()


@pytest.mark.parametrize("kw", [{}, {"tz": "Europe/London", "group_id": "G"}])
def test_generic_bulk_equals_row_by_row(tmp_path, monkeypatch, kw):
    fast = _import_generic(tmp_path, bulk=True, monkeypatch=monkeypatch, **kw)
    slow = _import_generic(tmp_path, bulk=False, monkeypatch=monkeypatch, **kw)
    for name, frame in slow.tables.items():
        assert fast.tables[name].equals(frame), name
    assert fast.counts == slow.counts
    assert [(p.code, p.where, p.text) for p in fast.problems] == [
        (p.code, p.where, p.text) for p in slow.problems
    ]


def test_generic_hand_counted(tmp_path, monkeypatch):
    r = _import_generic(tmp_path, bulk=True, monkeypatch=monkeypatch)
    m = r.tables["messages"]
    # 7 rows: 2 skipped (no member, 视频号 is no msg_type); 5 messages
    assert (r.counts["skipped"], m.height) == (2, 5)
    assert m["group_id"].to_list() == ["g1", "g1", "g1", "g1", "默认群"]
    assert m["msg_type"].to_list() == ["text", "image", "text", "text", "text"]
    assert m["member_name"].to_list() == ["Ana", None, "Cy", "Ana", "Ana"]


# --------------------------------------------------------------------------- large files


@pytest.mark.parametrize("block", [64, 97, 250, 1000])
@pytest.mark.parametrize("fmt", ["wechat-chatlog", "wechat-msg"])
def test_large_csv_read_in_blocks_equals_at_once(tmp_path, monkeypatch, block, fmt):
    """A file over STREAM_BYTES is read in blocks cut at line ends; a quoted record cut by a
    block's end is read again with the next block: the same tables, counts and problems
    (with the file's line numbers) as reading it at once. Blocks of 64 bytes cut nearly
    every record, multi-line ones included."""
    from sqops.importers import _base

    text = (_CHATLOG if fmt == "wechat-chatlog" else _MSG) * 3
    p = tmp_path / "big.csv"
    p.write_text(text, encoding="utf-8")
    at_once = import_files(fmt, [p])
    monkeypatch.setattr(_base, "STREAM_BYTES", 10)
    monkeypatch.setattr(_base, "BLOCK_BYTES", block)
    assert _base.is_large(p)
    blocks = import_files(fmt, [p])
    for name, frame in at_once.tables.items():
        assert blocks.tables[name].equals(frame), name
    assert blocks.counts == at_once.counts
    assert [(x.code, x.where, x.text) for x in blocks.problems] == [
        (x.code, x.where, x.text) for x in at_once.problems
    ]
