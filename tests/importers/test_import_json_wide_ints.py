"""Integers past 64 bits in the JSON exports (issue #19, session 14): an id such as
``123456789012345678901234`` or ``-9223372036854775809`` comes out exactly as its digits.

orjson reads an integer past 64 bits (from 2**64 up, below -2**63) as a float, so sqops wrote
``tg:1.2345678901234569e+23`` — a wrong id, silently. Every JSON text is now read by msgspec
first (integers of any width exact); what msgspec refuses by orjson where its value holds no
float of that size, else by the standard library (:func:`sqops.importers._base.json_loads`,
:func:`sqops.importers._jsonvec.parse_bytes`). Each reader writes an id read as a number as
``str()`` of it, so an exact integer is its digits; a time that large is out of the calendar
and its item is skipped with the reader's reason (``cannot read the date`` …), as before.

The expected values below are the digits written into each hand-made file.
"""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _import_checks import same_import
from sqops.errors import InputError
from sqops.importers import _base, _jsonvec, import_files

BIG = "123456789012345678901234"  # > 2**64 (24 digits)
B64 = "18446744073709551616"  # 2**64: the first integer orjson reads as a float
TOP = "18446744073709551615"  # 2**64 - 1: orjson's last integer (unchanged)
NEG = "-9223372036854775809"  # -2**63 - 1: the first negative one orjson reads as a float


def _import(fmt: str, path: Path, *, fast: bool = True):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_jsonvec, "ENABLED", fast)
        return import_files(fmt, [path], tz="Asia/Shanghai")


def _rows(result, table: str, *cols: str) -> set[tuple]:
    """The rows of ``cols`` (each row once in these files: compared as a set)."""
    rows = result.tables[table].select(cols).rows()
    assert len(set(rows)) == len(rows)
    return set(rows)


def _problems(result) -> list[tuple[str, str | None]]:
    return [(str(p.where.key or p.where.line), p.text.get("en")) for p in result.problems]


def _both(fmt: str, path: Path):
    """The bulk import (structs or columns) and the per-item one: the same result."""
    fast, slow = _import(fmt, path), _import(fmt, path, fast=False)
    same_import(fast, slow)
    return fast


# --------------------------------------------------------------------------- the decoders


@pytest.mark.parametrize("text", [BIG, B64, NEG, "-" + BIG, "9" * 400, "-" + "9" * 300])
def test_json_loads_keeps_every_integer(text):
    doc = '{"id": ' + text + ', "ids": [1, ' + text + "]}"
    want = {"id": int(text), "ids": [1, int(text)]}
    for given_ in (doc, doc.encode()):
        got = _base.json_loads(given_)
        assert got == want and type(got["id"]) is int
    assert _jsonvec.parse_bytes(doc.encode()) == want
    # (what orjson gives: a float for these, an error past a float's range)
    try:
        assert type(orjson.loads(doc)["id"]) is float
    except orjson.JSONDecodeError:
        assert len(text) > 300


def test_orjson_integers_and_floats_unchanged():
    doc = '{"a": ' + TOP + ', "b": -9223372036854775808, "c": 1e19, "d": 1.5, "e": -0.0}'
    got = _base.json_loads(doc)
    assert got == orjson.loads(doc)
    assert [type(got[k]) for k in "abcde"] == [int, int, float, float, float]


def test_exact_orjson_refuses_its_wide_floats():
    # what msgspec refuses goes to orjson; a float of 2**63 or more there may be an integer
    # orjson widened, so the standard library reads the text (exact either way)
    assert _base.exact_orjson("[" + B64 + "]") is _base.EXACT_WIDE
    assert _base.exact_orjson('{"a": [{"b": ' + NEG + "}]}") is _base.EXACT_WIDE
    assert _base.exact_orjson("[1e19]") is _base.EXACT_WIDE  # (json: the same float)
    assert _base.exact_orjson("[" + TOP + ", 9.2e18, -9.2e18]") == [int(TOP), 9.2e18, -9.2e18]
    assert _base.exact_orjson("[NaN]") is _base.EXACT_REFUSED  # (orjson refuses it)


def test_json_loads_when_msgspec_refuses(monkeypatch):
    # a text msgspec refuses and orjson reads (none is known: nesting depth, say) is read
    # by orjson when exact, else by json; a lone surrogate escape is U+FFFD as before
    import msgspec

    def refuse(text):
        raise msgspec.DecodeError("refused")

    monkeypatch.setattr(_base, "_DECODE_ANY", refuse)
    assert _base.json_loads('{"id": ' + BIG + "}") == {"id": int(BIG)}
    assert _base.json_loads('{"id": 7, "f": 2.5}') == {"id": 7, "f": 2.5}
    assert _base.json_loads('["\\ud800", ' + NEG + "]") == ["\ufffd", int(NEG)]
    monkeypatch.setattr(_jsonvec, "_DECODE_ANY", refuse)
    assert _jsonvec.parse_bytes(b'{"id": ' + B64.encode() + b"}") is _jsonvec.NOT_READ
    assert _jsonvec.parse_bytes(b'{"id": 7}') == {"id": 7}


# JSON texts of every kind, written with escapes, odd spacing and numbers of any width
_KEY = st.sampled_from(["id", "a", "\u00e9", "😀", "id"])
_LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.integers(-(2**64), 2**64),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=6),
)
_VALUE = st.recursive(
    _LEAF,
    lambda kids: st.lists(kids, max_size=4) | st.lists(st.tuples(_KEY, kids), max_size=4),
    max_leaves=12,
)


def _write(value, ascii_: bool, spaced: bool) -> str:
    """``value`` as JSON text; a list of pairs is an object (a key may repeat)."""
    sep = ", " if spaced else ","
    if isinstance(value, list) and value and all(isinstance(v, tuple) for v in value):
        return "{" + sep.join(
            json.dumps(k, ensure_ascii=ascii_) + (": " if spaced else ":") + _write(v, ascii_, spaced)
            for k, v in value
        ) + "}"  # fmt: skip
    if isinstance(value, list):
        return "[" + sep.join(_write(v, ascii_, spaced) for v in value) + "]"
    if isinstance(value, float):
        return repr(value) if spaced else format(value, ".17g")
    return json.dumps(value, ensure_ascii=ascii_)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_VALUE, st.booleans(), st.booleans())
def test_json_loads_is_json_loads(value, ascii_, spaced):
    # the reference: the standard library (every integer exact, the last of two equal keys,
    # floats correctly rounded); msgspec and orjson agree with it wherever orjson's integer
    # is not widened to a float
    text = _write(value, ascii_, spaced)
    want = _typed(json.loads(text))
    assert _typed(_base.json_loads(text)) == want
    assert _typed(_base.json_loads(text.encode())) == want
    assert _typed(_jsonvec.parse_bytes(text.encode())) == want
    got = _base.exact_orjson(text)
    assert got is _base.EXACT_WIDE or _typed(got) == want


def _typed(value):
    """``value`` with each number beside its type (``2**64 == float(2**64)`` in Python: an
    integer widened to an equal float would compare equal)."""
    if isinstance(value, list):
        return [_typed(v) for v in value]
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    return (type(value).__name__, value)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=6))
def test_bytes_in_a_text_refused_as_orjson_refuses_them(raw):
    # a text's bytes not UTF-8 (surrogates, overlong forms, past U+10FFFF): msgspec refuses
    # the document where orjson does, so the decoding policy still reads it
    doc = b'{"a": "' + raw.replace(b'"', b"").replace(b"\\", b"") + b'"}'
    got = _jsonvec.parse_bytes(doc)
    try:
        assert got == orjson.loads(doc)
    except orjson.JSONDecodeError:
        assert got is _jsonvec.NOT_READ


# --------------------------------------------------------------------------- the exports


def _tg_messages() -> str:
    return ",".join(
        [
            '{"id": 1, "type": "message", "date_unixtime": "1796868000", "from": "Ana",'
            ' "from_id": "user1", "text": "hi"}',
            '{"id": ' + B64 + ', "type": "message", "date_unixtime": "1796868060", "from": "Ben",'
            ' "from_id": ' + BIG + ', "text": "big", "reply_to_message_id": ' + NEG + "}",
            '{"id": 3, "type": "message", "date_unixtime": ' + BIG + ', "from": "Ana",'
            ' "from_id": "user1", "text": "when"}',
        ]
    )


def test_telegram_single_chat(tmp_path):
    p = tmp_path / "result.json"
    p.write_text(
        '{"name": "Skin Lab", "type": "private_supergroup", "id": ' + BIG
        + ', "messages": [' + _tg_messages() + "]}"
    )  # fmt: skip
    got = _both("telegram", p)
    g = f"tg:{BIG}"
    # message 1 as always; message 2: its id, its sender (an older export's numeric from_id
    # is user<digits>) and its reply all exact; message 3's date is no time (skipped)
    assert _rows(got, "messages", "group_id", "member_id", "msg_id", "reply_to") == {
        (g, "user1", f"{g}:1", None),
        (g, f"user{BIG}", f"{g}:{B64}", f"{g}:{NEG}"),
    }
    assert _problems(got) == [("messages[2]", "cannot read the date")]


def test_telegram_whole_account(tmp_path):
    p = tmp_path / "result.json"
    p.write_text(
        '{"chats": {"list": [{"name": "Skin Lab", "type": "private_supergroup", "id": ' + NEG
        + ', "messages": [' + _tg_messages() + "]}]}}"
    )  # fmt: skip
    got = _both("telegram", p)
    g = f"tg:{NEG}"
    assert _rows(got, "messages", "group_id", "member_id", "msg_id", "reply_to") == {
        (g, "user1", f"{g}:1", None),
        (g, f"user{BIG}", f"{g}:{B64}", f"{g}:{NEG}"),
    }
    assert _problems(got) == [("chats.list[0].messages[2]", "cannot read the date")]


def test_discord(tmp_path):
    # DiscordChatExporter writes ids as texts; a hand edit or another tool may write numbers
    p = tmp_path / "export.json"
    p.write_text(
        '{"guild": {"id": ' + BIG + ', "name": "G"}, "channel": {"id": "5", "name": "c"},'
        ' "messages": [{"id": "1", "type": "Default", "timestamp": "2026-12-03T10:00:00+08:00",'
        ' "content": "hi", "author": {"id": "42", "name": "Ana"}}, {"id": ' + B64
        + ', "type": "Reply", "timestamp": "2026-12-03T10:01:00+08:00", "content": "big",'
        ' "author": {"id": ' + BIG + ', "name": "Ben"}, "reference": {"messageId": ' + NEG
        + "}}]}"
    )  # fmt: skip
    got = _both("discord", p)
    g = f"discord:{BIG}"
    assert _rows(got, "messages", "group_id", "member_id", "msg_id", "reply_to") == {
        (g, "42", "1", None),
        (g, BIG, B64, NEG),
    }
    assert _problems(got) == []


def test_chatlog_array(tmp_path):
    p = tmp_path / "chatlog.json"
    p.write_text(
        '[{"seq": 1, "time": "2026-12-03T10:00:00+08:00", "talker": "1@chatroom", "sender":'
        ' "wxid_1", "senderName": "A", "type": 1, "content": "hi"}, {"seq": ' + B64
        + ', "time": "2026-12-03T10:01:00+08:00", "talker": "1@chatroom", "sender": ' + BIG
        + ', "senderName": "B", "type": 1, "content": "big"}, {"seq": 3, "time":'
        ' "2026-12-03T10:02:00+08:00", "talker": ' + NEG + ', "sender": "wxid_1",'
        ' "senderName": "A", "type": ' + BIG + ', "content": "x"}]'
    )  # fmt: skip
    got = _both("wechat-chatlog", p)
    # the third's type code is no WeChat type: "other", without content (orjson's float
    # made it no code at all: a text "x")
    assert _rows(got, "messages", "group_id", "member_id", "msg_id", "msg_type", "content") == {
        (NEG, "wxid_1", "3", "other", None),
        ("1@chatroom", "wxid_1", "1", "text", "hi"),
        ("1@chatroom", BIG, B64, "text", "big"),
    }


def test_chatlog_json_lines(tmp_path):
    p = tmp_path / "chatlog.json"
    p.write_text(
        '{"seq": 1, "time": "2026-12-03T10:00:00+08:00", "talker": "1@chatroom", "sender":'
        ' "wxid_1", "type": 1, "content": "hi"}\n{"seq": ' + BIG + ', "time":'
        ' "2026-12-03T10:01:00+08:00", "talker": "1@chatroom", "sender": "wxid_2", "type": 1,'
        ' "content": "big"}\n'
    )  # fmt: skip
    got = _both("wechat-chatlog", p)
    assert _rows(got, "messages", "member_id", "msg_id") == {("wxid_1", "1"), ("wxid_2", BIG)}


def _wecom_lines() -> str:
    return (
        "\n".join(
            [
                '{"msgid": "m1", "action": "send", "from": "wmA", "roomid": "wr1", "msgtime":'
                ' 1797732000000, "msgtype": "text", "text": {"content": "hi"}}',
                '{"msgid": ' + B64 + ', "action": "send", "from": ' + BIG + ', "roomid": "wr1",'
                ' "msgtime": 1797732060000, "msgtype": "text", "text": {"content": "big"}}',
                '{"msgid": "m3", "action": "send", "from": "wmA", "roomid": ' + NEG + ', "msgtime":'
                ' 1797732120000, "msgtype": "text", "text": {"content": "room"}}',
                '{"msgid": "m4", "action": "send", "from": "wmA", "roomid": "wr1", "msgtime": '
                + BIG
                + ', "msgtype": "text", "text": {"content": "t"}}',
            ]
        )
        + "\n"
    )


def test_wecom_archive(tmp_path):
    # the lines msgspec's structs refuse (a number where a text is read, a time past 64
    # bits) are read by the per-line code, whose json_loads keeps the digits: the same as
    # the whole file read by that code (_both)
    p = tmp_path / "archive.jsonl"
    p.write_text(_wecom_lines())
    got = _both("wecom", p)
    assert _rows(got, "messages", "group_id", "member_id", "msg_id", "content") == {
        (NEG, "wmA", "m3", "room"),
        ("wr1", "wmA", "m1", "hi"),
        ("wr1", BIG, B64, "big"),
    }
    assert _problems(got) == [("4", "cannot read msgtime")]


def test_wecom_archive_in_chunks(tmp_path, monkeypatch):
    # streamed in chunks (a file past WHOLE_BELOW): each chunk's odd lines the same way
    p = tmp_path / "archive.jsonl"
    p.write_text(_wecom_lines() * 3)
    whole = _import("wecom", p)
    monkeypatch.setattr(_jsonvec, "WHOLE_BELOW", 0)
    monkeypatch.setattr(_jsonvec, "CHUNK", 300)
    same_import(_import("wecom", p), whole)
    assert ("wr1", BIG, B64) in _rows(whole, "messages", "group_id", "member_id", "msg_id")


def test_wecom_group_details(tmp_path):
    p = tmp_path / "group.json"
    p.write_text(
        '{"group_chat": {"chat_id": ' + BIG + ', "owner": "XiaoLin", "member_list": [{"userid": '
        + B64 + ', "type": 2, "join_time": 1797732000, "join_scene": 2, "invitor": {"userid": '
        + NEG + '}}, {"userid": "wmZ", "type": 2, "join_time": ' + BIG + ', "join_scene": 1}]}}'
    )  # fmt: skip
    got = _both("wecom", p)
    assert _rows(got, "members", "group_id", "member_id", "inviter_id", "channel") == {
        (BIG, B64, NEG, "link"),
    }
    assert _problems(got) == [("member_list[1]", "cannot read join_time")]


def test_integer_longer_than_python_converts_is_a_clear_problem(tmp_path):
    # 4301 digits: msgspec refuses it, orjson too (past a float's range), and Python's json
    # raised a bare ValueError (a traceback); now a problem at its place, like a syntax error
    long_ = "1" * 4301
    with pytest.raises(json.JSONDecodeError, match="more than 4300 digits") as exc:
        _base.json_loads('{"id": ' + long_ + "}")
    assert exc.value.pos == 7
    p = tmp_path / "archive.jsonl"
    p.write_text(
        '{"msgid": "m1", "action": "send", "from": "wmA", "roomid": "wr1", "msgtime":'
        ' 1797732000000, "msgtype": "text", "text": {"content": "hi"}}\n'
        '{"msgid": ' + long_ + ', "from": "wmA", "roomid": "wr1", "msgtime": 1797732000000}\n'
    )
    got = _both("wecom", p)
    assert got.tables["messages"]["msg_id"].to_list() == ["m1"]
    assert _problems(got) == [("2", "JSON syntax error: Number with more than 4300 digits")]
    p = tmp_path / "result.json"
    p.write_text('{"name": "x", "type": "private_group", "id": ' + long_ + ', "messages": []}')
    with pytest.raises(InputError, match="more than 4300 digits") as err:
        import_files("telegram", [p], tz="Asia/Shanghai")
    assert (err.value.where.line, err.value.where.col) == (1, 46)


# --------------------------------------------------------------------------- the structs' check


def test_discord_wide_integer_in_attachments_reads_the_dict_way(tmp_path, monkeypatch):
    # the values _media_type reads are checked before anything is added: a wide integer
    # there sends the document to the dict way (exact since session 14 too)
    fallbacks: list[bool] = []

    def fallback(self, *args):
        fallbacks.append(True)
        Exception.__init__(self, *args)

    monkeypatch.setattr(_jsonvec.Fallback, "__init__", fallback)
    p = tmp_path / "export.json"
    p.write_text(
        '{"guild": {"id": "9", "name": "G"}, "channel": {"id": "5", "name": "c"}, "messages": ['
        '{"id": "1", "type": "Default", "timestamp": "2026-12-03T10:00:00+08:00", "content": "",'
        ' "author": {"id": "42", "name": "Ana"}, "attachments": [{"fileName": ' + BIG + "}]}]}"
    )
    got = _both("discord", p)
    assert fallbacks == [True]
    # the attachment's name is the digits: no image/video/audio extension, a file
    assert _rows(got, "messages", "member_id", "msg_id", "msg_type") == {("42", "1", "file")}


# --------------------------------------------------------------------------- deep texts


def _deep(levels: int, leaf: str) -> str:
    return "[" * levels + leaf + "]" * levels


def test_deep_text_with_a_wide_number_read_as_before(tmp_path):
    # msgspec stops at ~990 levels, orjson at 1024: a text 1000 deep with a wide number
    # (1e19, or an integer orjson widens) is read by orjson, refused as inexact, and read
    # again by json with the room orjson proved enough (it was "nested too deeply" / a
    # RecursionError traceback in the readers of lines)
    for leaf, want in (("1e19", 1e19), (B64, int(B64))):
        got = _base.json_loads('{"x": ' + _deep(1000, leaf) + ', "id": 7}')
        assert got["id"] == 7
        inner = got["x"]
        for _ in range(1000):
            inner = inner[0]
        assert inner == want and type(inner) is type(want)
    p = tmp_path / "archive.jsonl"
    p.write_text(_wecom_lines().splitlines()[0][:-1] + ', "x_meta": ' + _deep(1000, "1e19") + "}\n")
    got = _both("wecom", p)
    assert _rows(got, "messages", "msg_id", "content") == {("m1", "hi")}
    assert _problems(got) == []


def test_text_nested_past_every_decoder_is_a_problem_at_its_line(tmp_path):
    # 1100 levels: past msgspec's, orjson's and json's depth — the line is skipped with its
    # number (was a RecursionError traceback in the JSON Lines readers), the other lines read
    with pytest.raises(_base.JSONTooDeep):
        _base.json_loads(_deep(1100, "1"))
    deep = '{"msgid": "m2", "x": ' + _deep(1100, "1") + "}"
    p = tmp_path / "archive.jsonl"
    p.write_text(_wecom_lines().splitlines()[0] + "\n" + deep + "\n")
    got = _both("wecom", p)
    assert _rows(got, "messages", "msg_id", "content") == {("m1", "hi")}
    assert _problems(got) == [("2", "JSON is nested too deeply")]
    p = tmp_path / "chatlog.jsonl"
    p.write_text(
        '{"seq": 1, "time": "2026-12-01T09:00:00+08:00", "talker": "98765@chatroom",'
        ' "sender": "wxid_1", "type": 1, "content": "hi"}\n' + deep + "\n"
    )
    got = _import("wechat-chatlog", p)
    assert _rows(got, "messages", "member_id", "content") == {("wxid_1", "hi")}
    assert _problems(got) == [("2", "JSON is nested too deeply")]
    with pytest.raises(InputError, match="nested too deeply"):
        _base.load_json(_deep(1100, "1"), "deep.json")


def test_long_integer_located_at_the_number_not_a_string_or_float():
    # a run of 5000 digits inside a string (line 1) and in a float's fraction and exponent
    # (line 2) are no integer Python refuses; the 4400-digit id on line 3 is
    text = (
        '{"text": "' + "7" * 5000 + '",\n'
        + ' "f": 1.' + "3" * 5000 + ', "g": 2e' + "4" * 5000 + ",\n"
        + '  "id": -' + "9" * 4400 + "}"
    )  # fmt: skip
    with pytest.raises(json.JSONDecodeError, match="more than 4300 digits") as exc:
        _base.json_loads(text)
    assert (exc.value.lineno, exc.value.colno) == (3, 9)


def test_deep_text_with_a_lone_surrogate_escape_read(tmp_path):
    # json reads a lone surrogate escape 900 levels deep; the walk that makes it U+FFFD took
    # two frames a level and stopped with a RecursionError traceback past ~500 levels
    got = _base.json_loads('{"a": ' + _deep(900, '"\\ud800"') + "}")
    inner = got["a"]
    for _ in range(900):
        inner = inner[0]
    assert inner == "\ufffd"
    p = tmp_path / "archive.jsonl"
    first = _wecom_lines().splitlines()[0]
    p.write_text(first + "\n" + first[:-1] + ', "x": ' + _deep(900, '"\\ud800"') + "}\n")
    got = _import("wecom", p)  # (the second line: m1 again, a duplicate of the first)
    assert _rows(got, "messages", "msg_id", "content") == {("m1", "hi")}
    assert _problems(got) == []


def test_deep_values_in_documents_read_without_a_traceback(tmp_path):
    # a Telegram text and a Discord attachment list nested 900 levels (msgspec reads them):
    # the check for integers past 64 bits walked them recursively (a RecursionError
    # traceback past ~500 levels, before this session too)
    assert _jsonvec.wide(_base.json_loads(_deep(900, "7"))) is False
    assert _jsonvec.wide(_base.json_loads(_deep(900, B64))) is True
    p = tmp_path / "result.json"
    p.write_text(
        '{"name": "G", "type": "private_supergroup", "id": 1, "messages": [{"id": 1, "type":'
        ' "message", "date": "2026-12-01T09:00:00", "date_unixtime": "1796000000", "from":'
        ' "Ana", "from_id": "user1", "text": ' + _deep(900, '"x"') + '}, {"id": 2, "type":'
        ' "message", "date": "2026-12-01T09:01:00", "date_unixtime": "1796000060", "from":'
        ' "Bo", "from_id": "user2", "text": "hi"}]}'
    )
    got = _both("telegram", p)
    assert _rows(got, "messages", "member_id", "msg_id") == {
        ("user1", "tg:1:1"),
        ("user2", "tg:1:2"),
    }
    p = tmp_path / "export.json"
    p.write_text(
        '{"guild": {"id": "1", "name": "G"}, "channel": {"id": "5", "name": "c"}, "messages":'
        ' [{"id": "1", "type": "Default", "timestamp": "2026-12-03T10:00:00+08:00", "content":'
        ' "hi", "author": {"id": "42", "name": "Ana"}, "attachments": '
        + _deep(900, '{"a": "x"}')
        + "}]}"
    )
    got = _both("discord", p)
    assert _rows(got, "messages", "member_id", "content") == {("42", "hi")}
