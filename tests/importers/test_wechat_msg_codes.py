"""wechat-msg's bulk reads its code cells (CreateTime, Type, SubType, IsSender) as they are,
not stripped (session 15, wmsg, #19 item 2): a CreateTime with white space, a sign or a
leading zero, or a "1" flag that is not "1", makes its row the row-by-row way's; since
session 18 (wmsg7) each distinct Type and SubType text is read once as the row-by-row way
reads it (padded, signed codes too) — the same tables, counts and problems as the row-by-row
reading (differential, Hypothesis), and exactly those rows read row by row (hand-counted)."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from .test_csvfast3 import _bulk_equals_row_by_row

_HEAD = (
    "localId,TalkerId,Type,SubType,IsSender,CreateTime,Status,StrContent,StrTime,Remark,"
    "NickName,Sender\n"
)
_PAD = st.sampled_from(["", "", "", " ", "\t", "\u3000", "\u00a0", "\x1f", "\x85"])
_TIME = st.sampled_from(
    ["1764763200", "176476320", "0176476320", "+176476320", "1764763200000", "17647632000",
     "2764763200000", "-1764763200", "", "x"]
)  # fmt: skip
_TYPE = st.sampled_from(["1", "3", "49", "10000", "01", "+1", "-1", "", "1234567890", "x"])
_SUB = st.sampled_from(["0", "", "57", "33", "+5", "05", "1234567890", "x"])
_FLAG = st.sampled_from(["0", "1", "", "11", "01", "10", "2"])
_SENDER = st.sampled_from(["wxid_mia", "", " wxid_bo "])


def _rows_one_by_one(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The first cells (localId) of the rows that reach wechat-msg's row-by-row reader
    (``_msg_row``), in the order they reach it."""
    from sqops.importers import wechat

    seen: list[str] = []
    row = wechat._msg_row

    def counted(ctx, where, cells, col, width):  # type: ignore[no-untyped-def]
        seen.append(cells[0])
        row(ctx, where, cells, col, width)

    monkeypatch.setattr(wechat, "_msg_row", counted)
    return seen


@st.composite
def _row(draw: st.DrawFn) -> str:
    def padded(cell: str) -> str:
        return draw(_PAD) + cell + draw(_PAD)

    time, type_, sub, flag = (padded(draw(s)) for s in (_TIME, _TYPE, _SUB, _FLAG))
    sender = draw(_SENDER)
    return f"7,g@chatroom,{type_},{sub},{flag},{time},2,早,,,Mia,{sender}"


@settings(max_examples=150, deadline=None)
@given(st.lists(_row(), min_size=1, max_size=10))
@example(["7,g@chatroom, 1 ,0,1\u3000, 1764763200 ,2,早,,,Mia,"])
@example(["7,g@chatroom,+1,05,01,+176476320,2,早,,,Mia,wxid_mia"])
def test_code_cells_as_they_are_equal_row_by_row(tmp_path_factory, rows):
    """Code cells padded with white space (polars' and Python's only), with signs, leading
    zeros, too many digits, and flags other than 0/1: the bulk gives the row-by-row
    reading's tables, counts and problems."""
    from sqops.importers import import_files, wechat

    tmp = tmp_path_factory.mktemp("wmsg")
    (tmp / "msg.csv").write_text(_HEAD + "\n".join(rows) + "\n", encoding="utf-8")
    _bulk_equals_row_by_row(wechat, lambda: import_files("wechat-msg", [tmp / "msg.csv"]))


def test_padded_code_cells_read_row_by_row(tmp_path, monkeypatch):
    """Only the rows whose CreateTime or IsSender cell is not as the bulk reads it, and the
    row whose Type is no code, reach the row-by-row reader (since session 18 the padded Type
    and SubType are read in bulk as _msg_row reads them, and the notice's message too, its
    join by _msg_notice); each gives the message the bulk rows give."""
    from sqops.importers import import_files

    rows = [
        "1,g@chatroom,1,0,0,1764763200,2,a,,,Mia,wxid_mia",  # bulk
        "2,g@chatroom, 1,0,0,1764763201,2,b,,,Mia,wxid_mia",  # Type padded: bulk
        "3,g@chatroom,+1,0 ,0,1764763202,2,c,,,Mia,wxid_mia",  # "+1", SubType padded: bulk
        "4,g@chatroom,1,0,1\u3000,1764763203,2,d,,,Mia,",  # IsSender "1" padded
        "5,g@chatroom,1,0,0,\t1764763204,2,e,,,Mia,wxid_mia",  # CreateTime padded
        "6,g@chatroom,1,0,1,1764763205,2,f,,,Mia,",  # bulk: the exporter
        "7,g@chatroom,1,0,0 ,1764763206,2,g,,,Mia,wxid_mia",  # "0 ": no "1", bulk
        '8,g@chatroom,10000,0,0,1764763207,2,"""Mia""加入了群聊",,,,',  # a notice
        "9,g@chatroom,01,0,0,01764763209,2,i,,,Mia,wxid_mia",  # CreateTime's leading 0
        "10,g@chatroom,x,0,0,1764763210,2,j,,,Mia,wxid_mia",  # no type code: skipped
    ]
    (tmp_path / "msg.csv").write_text(_HEAD + "\n".join(rows) + "\n", encoding="utf-8")
    seen = _rows_one_by_one(monkeypatch)
    result = import_files("wechat-msg", [tmp_path / "msg.csv"])
    assert seen == ["4", "5", "9", "10"]
    messages = result.tables["messages"].sort("msg_id")
    assert messages["msg_id"].to_list() == ["1", "2", "3", "4", "5", "6", "7", "8", "9"]
    assert messages["member_id"].to_list() == [
        *["wxid_mia"] * 3,
        "self",
        "wxid_mia",
        "self",
        "wxid_mia",
        "system",
        "wxid_mia",
    ]
    assert messages["content"].to_list() == [*"abcdefg", '"Mia"加入了群聊', "i"]
    assert messages["msg_type"].to_list() == [*["text"] * 7, "system", "text"]
    assert messages["role"][7] == "bot"
    assert result.tables["members"]["member_id"].to_list() == ["name:Mia"]  # (Mia: two ids)
    assert result.counts["notices"] == 1
    assert [(p.where.line, p.code) for p in result.problems] == [(11, "unreadable")]
