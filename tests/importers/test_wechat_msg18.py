"""wechat-msg, session 18 (wmsg7, #19 item 2): the notices' messages are read in bulk (the
system as sender, the role "bot", their text kept) and only their joins and leaves row by row
(``_msg_notice``), in file order with the rows the bulk does not read; a TalkerId or Remark
of one text in every row is that text stripped (no column stripped), the names' cells
stripped once distinct, Type and SubType once per distinct text, IsSender of one byte at most
compared as it is — the same tables, counts, problems and aliases as the row-by-row reading
(differential, Hypothesis: notices and padded rows of the same second in several chats, in
memory and spilled; headers without the optional columns, in any order, short rows)."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from .test_wechat_msg_codes import _rows_one_by_one
from .test_wechat_msg_tail import _aliases_of, _equal_row_by_row_with_aliases

_HEAD = (
    "localId,TalkerId,Type,SubType,IsSender,CreateTime,Status,StrContent,StrTime,Remark,"
    "NickName,Sender\n"
)
#: notices as WeChat writes them, and texts no notice pattern reads
_NOTICE = st.sampled_from(
    [
        '"""{a}""邀请""{b}""加入了群聊"',
        '"""{b}""通过扫描""{a}""分享的二维码加入群聊"',
        '"""{a}""将""{b}""移出了群聊"',
        '"""{b}""退出了群聊"',
        '"你邀请""{b}、{a}""加入了群聊"',
        '"""{a}""邀请你和""{b}""加入了群聊"',
        '" ""{b}""加入了群聊 "',
        "撤回了一条消息",
        "",
    ]
)
_NAME = st.sampled_from(["Mia", "Bo", "阿梅", "你", " Mia "])
_TYPE = st.sampled_from(["10000", "10000", "10002", " 10000", "10000 ", "1", "3", "49"])
_SUB = st.sampled_from(["0", "", "57", " 0"])
_SENDER = st.sampled_from(["", "wxid_mia", "wxid_bo", " wxid_bo"])
_FLAG = st.sampled_from(["0", "1", "1 "])


@st.composite
def _row(draw: st.DrawFn) -> str:
    i = draw(st.integers(0, 60))
    group = draw(st.sampled_from(["g1@chatroom", "g2@chatroom", " g1@chatroom", ""]))
    when = draw(st.sampled_from(["176476{:04d}", "176476{:04d}000", " 176476{:04d}", "x"]))
    text = draw(_NOTICE).format(a=draw(_NAME), b=draw(_NAME))
    nick = draw(_NAME)
    return (
        f"{i},{group},{draw(_TYPE)},{draw(_SUB)},{draw(_FLAG)},{when.format(i // 3)},2,"
        f"{text},2025-12-03 20:00:00,,{nick},{draw(_SENDER)}"
    )


@settings(max_examples=150, deadline=None)
@given(
    st.lists(_row(), min_size=1, max_size=14),
    st.sampled_from(
        [
            {},
            {"group_id": "G1"},
            {"self_name": "Mia"},
            {"memory_limit": 1},
            {"tz": "America/New_York"},
        ]
    ),
)
@example(
    [
        '1,g1@chatroom, 10000,0,0,1764760000,2,"""Mia""邀请""Bo""加入了群聊",,,,',
        '2,g1@chatroom,10000,0,0,1764760000,2,"""Bo""邀请""Zoe""加入了群聊",,,,',
        "3,g1@chatroom,1,0,0,1764760000,2,早,,,Bo,wxid_bo",
    ],
    {},
)
def test_notices_in_bulk_equal_row_by_row(tmp_path_factory, rows, opts):
    """Bulk notices, notices read row by row (padded codes) and messages of the same second
    in several chats: the tables (the members' order by file order among equal times), the
    counts, the problems and the aliases at the end are those of the row-by-row reading —
    also when every message is spilled to disk (``memory_limit``)."""
    from sqops.importers import import_files, wechat
    from sqops.importers._base import read_text

    tmp = tmp_path_factory.mktemp("wmsg7")
    (tmp / "msg.csv").write_text(_HEAD + "\n".join(rows) + "\n", encoding="utf-8")

    def run():  # type: ignore[no-untyped-def]
        return import_files("wechat-msg", [tmp / "msg.csv"], **opts)

    def both():  # type: ignore[no-untyped-def]
        fast = _aliases_of(run)
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(wechat, "csv_frames", lambda p, d, t=None, **_: read_text(p, d))
            return fast, _aliases_of(run)

    (fast, fast_aliases), (slow, slow_aliases) = both()
    assert fast_aliases == slow_aliases
    if isinstance(slow, str) or isinstance(fast, str):  # (no row at all: both refuse alike)
        assert fast == slow
        return
    names = set(slow.tables) | set(slow.spilled)
    assert names == set(fast.tables) | set(fast.spilled)
    for name in names:
        assert fast.table(name).equals(slow.table(name)), name
    assert fast.counts == slow.counts
    assert [(p.code, p.where, p.text) for p in fast.problems] == [
        (p.code, p.where, p.text) for p in slow.problems
    ]
    fast.close()
    slow.close()


def test_notices_read_in_bulk_and_their_members_in_file_order(tmp_path, monkeypatch):
    """Hand-counted: the two notices' messages come from the bulk (no row reaches _msg_row;
    on the code before, both did), their joins from _msg_notice in file order — the later
    line's join after the earlier one's at the same second — and the messages frame is the
    reader's one frame (no row added one by one)."""
    from sqops.importers import _base, import_files, wechat

    rows = [
        '1,g1@chatroom,10000,0,0,1764760000,2,"""Mia""邀请""Zoe""加入了群聊",,,,',
        "2,g1@chatroom,1,0,0,1764760000,2,早,,,Mia,wxid_mia",
        '3,g1@chatroom,10002,0,0,1764760000,2,"""Bo""加入了群聊",,,,',
        "4,g1@chatroom,1,0,1,1764760001,2,欢迎,,,Bo,wxid_bo",
    ]
    (tmp_path / "msg.csv").write_text(_HEAD + "\n".join(rows) + "\n", encoding="utf-8")
    seen: list[str] = []
    row, notice = wechat._msg_row, wechat._msg_notice

    def counted(ctx, where, cells, col, width):  # type: ignore[no-untyped-def]
        seen.append("row " + cells[0])
        row(ctx, where, cells, col, width)

    def noticed(ctx, cells, col):  # type: ignore[no-untyped-def]
        seen.append("notice " + cells[0])
        assert not ctx.rows["messages"]  # (no message added one by one)
        notice(ctx, cells, col)

    monkeypatch.setattr(wechat, "_msg_row", counted)
    monkeypatch.setattr(wechat, "_msg_notice", noticed)
    finish = _base.Context.finish
    frames: list[int] = []

    def kept(self):  # type: ignore[no-untyped-def]
        frames.append(len(self._bulk) + len(self.rows["messages"]))
        return finish(self)

    monkeypatch.setattr(_base.Context, "finish", kept)
    result = import_files("wechat-msg", [tmp_path / "msg.csv"])
    assert seen == ["notice 1", "notice 3"]
    assert frames == [1]
    messages = result.tables["messages"]
    assert messages["msg_id"].to_list() == ["1", "2", "3", "4"]
    assert messages["member_id"].to_list() == ["system", "wxid_mia", "system", "wxid_bo"]
    assert messages["role"].to_list() == ["bot", None, "bot", None]
    assert messages["msg_type"].to_list() == ["system", "text", "system", "text"]
    assert messages["member_name"].to_list() == [None, "Mia", None, "Bo"]
    assert messages["content"][2] == '"Bo"加入了群聊'
    members = result.tables["members"]
    assert members["member_name"].to_list() == ["Zoe", "Bo"]
    assert members["member_id"].to_list() == ["name:Zoe", "wxid_bo"]
    assert members["inviter_id"].to_list() == ["wxid_mia", None]
    assert result.counts["notices"] == 2
    assert not result.problems


# ------------------------------------------------- constants, headers, the codes once each

_COLUMNS = (
    "localId", "TalkerId", "Type", "SubType", "IsSender", "CreateTime", "Status",
    "StrContent", "StrTime", "Remark", "NickName", "Sender",
)  # fmt: skip
_OPTIONAL = ("SubType", "IsSender", "Status", "StrTime", "Remark", "NickName", "localId")
_CELLS = {
    "TalkerId": ["g1@chatroom", " g1@chatroom ", "g2@chatroom", ""],
    "Type": ["1", "3", "49", "10000", " 49", "049", "+1", "1_0", "\u0661", "x", "", "0"],
    "SubType": ["0", "", "5", "6", " 57", "057", "33", "x"],
    "IsSender": ["0", "1", "", "1 ", "2"],
    "CreateTime": ["1764763200", "176476320", "0176476320", "1764763200000", "1e9", "x"],
    "Remark": ["", " ", "备注", " Mia "],
    "NickName": ["Mia", " Mia ", "Bo", "", "你"],
    "Sender": ["wxid_mia", "", " wxid_bo", "wxid_bo"],
    "StrContent": ["早", " 早 ", "", '"""Mia""邀请""Bo""加入了群聊"', "[图片]"],
}


@st.composite
def _export(draw: st.DrawFn) -> str:
    dropped = draw(st.sets(st.sampled_from(_OPTIONAL), max_size=3))
    header = draw(st.permutations([c for c in _COLUMNS if c not in dropped]))
    # a column of one text in every row, or drawn per row
    fixed = {
        k: draw(st.sampled_from(v))
        for k, v in _CELLS.items()
        if k in ("TalkerId", "Remark", "IsSender") and draw(st.booleans())
    }
    plain_ids = draw(st.booleans())  # (every localId an integer as written, or not)
    lines = []
    for i in range(draw(st.integers(1, 10))):
        cells = {k: fixed[k] if k in fixed else draw(st.sampled_from(v)) for k, v in _CELLS.items()}
        ids = [str(i), f" {i}", f"{i}\u3000", f"+{i}", f"0{i}", "", "x", "9" * 20]
        cells |= {"localId": str(i) if plain_ids else draw(st.sampled_from(ids))}
        cells |= {"Status": "2", "StrTime": "2025-12-03 20:00:00"}
        row = [cells[c] for c in header]
        if draw(st.integers(0, 9)) == 0:  # a short row
            row = row[: draw(st.integers(1, len(row)))]
        lines.append(",".join(row))
    return ",".join(header) + "\n" + "\n".join(lines) + "\n"


@settings(max_examples=200, deadline=None)
@given(_export(), st.sampled_from([{}, {"group_id": "G1"}, {"self_name": "Mia"}]))
@example(
    "localId,TalkerId,Type,SubType,IsSender,CreateTime,StrContent,Remark,NickName,Sender\n"
    "1, g1@chatroom ,49,5,1,1764763200,早,,Mia,\n2, g1@chatroom ,49, 57,0,1764763201,x,,Bo,b\n",
    {},
)
def test_constant_columns_and_codes_once_equal_row_by_row(tmp_path_factory, export, opts):
    """Exports whose TalkerId, Remark or IsSender is one text in every row (padded or not)
    or not, optional columns missing, columns in any order, short rows, Type and SubType in
    every spelling Python's int reads or not: the bulk gives the row-by-row reading's tables,
    counts, problems and aliases."""
    from sqops.importers import import_files

    tmp = tmp_path_factory.mktemp("wmsg7c")
    (tmp / "msg.csv").write_text(export, encoding="utf-8")

    def run():  # type: ignore[no-untyped-def]
        return import_files("wechat-msg", [tmp / "msg.csv"], **opts)

    _equal_row_by_row_with_aliases(run)


def test_signed_create_times_read_row_by_row(tmp_path, monkeypatch):
    """A CreateTime polars' int cast reads but the row-by-row way does not take for epoch
    seconds (a sign: 9, 10 and 13 bytes, below the least value of its length) reaches
    _msg_row — StrTime read when there is one, else the row skipped —, never the bulk's
    epoch (which would give 1970-07-28, 1975-09-11 or 1964 for these); a leading zero is
    read either way as the same seconds. The same tables, counts, problems and aliases as
    the row-by-row reading."""
    from sqops.importers import import_files

    times = ["+17960868", "+179608680", "-179608680", "+179608680000", "-179608680000"]
    cells = [(t, s) for t in times for s in ("2026-12-01 09:00:00", "")]
    rows = [f"{i},g1@chatroom,1,0,0,{t},2,早,{s},,Mia,wxid_mia" for i, (t, s) in enumerate(cells)]
    rows.append("20,g1@chatroom,1,0,0,1796086800,2,早,,,Mia,wxid_mia")  # (the bulk's)
    (tmp_path / "msg.csv").write_text(_HEAD + "\n".join(rows) + "\n", encoding="utf-8")

    def run():  # type: ignore[no-untyped-def]
        return import_files("wechat-msg", [tmp_path / "msg.csv"])

    _equal_row_by_row_with_aliases(run)
    seen = _rows_one_by_one(monkeypatch)
    result = run()
    assert seen == [str(i) for i in range(10)]
    assert result.tables["messages"]["ts"].to_list() == ["2026-12-01T09:00:00+08:00"] * 6
    assert [p.where.line for p in result.problems] == [3, 5, 7, 9, 11]
