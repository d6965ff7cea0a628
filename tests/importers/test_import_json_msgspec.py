"""The JSON documents decoded by msgspec into structs (:func:`sqops.importers._jsonvec.decode_doc`:
Telegram single-chat exports, DiscordChatExporter JSON, chatlog JSON arrays) give exactly what
the per-item Python code gives (``_jsonvec.ENABLED = False``) on documents written byte by byte:
keys twice (Python keeps the last), values of every JSON type where a text or a number is
expected, missing fields, texts beyond the BMP, integers past 64 bits (orjson reads them as
floats: such a document is read the orjson way), bytes that are not UTF-8 in a field no reader
reads (orjson refuses the document: the decoding policy reads it).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from _import_checks import same_import
from sqops.errors import SqopsError
from sqops.importers import _jsonvec, import_files

# --------------------------------------------------------------------------- writing JSON
# An object is a list of (key, raw JSON) pairs, so that a key can be written twice.

Pairs = list[tuple[str, str]]


def _obj(pairs: Pairs) -> str:
    return "{" + ",".join(f"{json.dumps(k)}:{v}" for k, v in pairs) + "}"


def _j(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=8
) | st.sampled_from(["Hi", "", "多行\n第二行", "😀 👩🏻\u200d⚖️", "𠀋𡈽", " 阿 青 "])
#: a value of any JSON type (raw), incl. integers past 64 bits and deep-ish nesting
_ANY = st.one_of(
    st.none().map(_j),
    st.booleans().map(_j),
    st.integers(-(2**70), 2**70).map(_j),
    st.floats(allow_nan=False, allow_infinity=False).map(_j),
    _TEXT.map(_j),
    st.lists(_TEXT, max_size=2).map(_j),
    st.dictionaries(st.sampled_from(["text", "type", "id"]), _TEXT, max_size=2).map(_j),
)


@st.composite
def _fields(draw, normal: dict[str, st.SearchStrategy[str]], odd: float = 0.15) -> Pairs:
    """An object's pairs: each field its normal value (raw JSON), sometimes missing, another
    JSON value or written twice; sometimes an unknown key, in random order."""
    pairs: Pairs = []
    for key, value in normal.items():
        roll = draw(st.floats(0, 1))
        if roll < odd / 3:
            continue  # missing
        if roll < 2 * odd / 3:
            pairs.append((key, draw(_ANY)))
        else:
            pairs.append((key, draw(value)))
        if draw(st.floats(0, 1)) < odd / 3:
            pairs.append((key, draw(st.one_of(value, _ANY))))  # twice: the last wins
    if draw(st.floats(0, 1)) < odd:
        pairs.append((draw(st.sampled_from(["extra", "Time", "reactions", "n"])), draw(_ANY)))
    return draw(st.permutations(pairs)) if draw(st.booleans()) else pairs


def _run(fmt: str, path: Path, tz: str):
    """The import's result, or its error (the message and the problems it lists)."""
    try:
        return import_files(fmt, [path], tz=tz)
    except SqopsError as exc:
        return ("error", str(exc), [(str(p.where), p.text.get("en")) for p in exc.problems])
    except KeyError:
        # the chatlog reader of orjson's dicts (not this change's) fails when the most common
        # set of keys lacks a field another item has (reported, issue #19 session 11)
        return ("KeyError",)


def _both(fmt: str, path: Path, tz: str) -> tuple[object, object, int]:
    """(the import with msgspec where it decodes, the per-item import, whether msgspec's
    structs were read to the end: 1 or 0)."""
    used: list[bool] = []
    decode = _jsonvec.decode_doc

    def counting(data, decoder):
        got = decode(data, decoder)
        used.append(got is not None)
        return got

    def fallback(self, *args):
        used.append(False)
        Exception.__init__(self, *args)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_jsonvec, "decode_doc", counting)
        mp.setattr(_jsonvec.Fallback, "__init__", fallback)
        fast = _run(fmt, path, tz)
        mp.setattr(_jsonvec, "ENABLED", False)
        slow = _run(fmt, path, tz)
    return fast, slow, int(bool(used) and all(used))


_TZ = st.sampled_from(["Asia/Shanghai", "Europe/London", "America/New_York"])
_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --------------------------------------------------------------------------- Telegram

_TG_MESSAGE = {
    "id": st.integers(0, 10**6).map(_j),
    "type": st.sampled_from(["message", "message", "message", "service"]).map(_j),
    "date": st.just(_j("2026-12-10T10:00:00")),
    "date_unixtime": st.integers(1796868000, 1796968000).map(lambda v: _j(str(v))),
    "from": st.sampled_from(["Lin", "Ana", "  Ben  ", "林\u200b小", "😀"]).map(_j),
    "from_id": st.sampled_from(["user1", "user2", "user3", "channel9"]).map(_j),
    "text": st.one_of(
        _TEXT.map(_j),
        st.just(_j(["see ", {"type": "link", "text": "http://x"}, 5])),
    ),
    "reply_to_message_id": st.integers(0, 10**6).map(_j),
    "media_type": st.sampled_from(["sticker", "voice_message", "video_file"]).map(_j),
    "photo": st.just(_j("p.jpg")),
    "action": st.sampled_from(["invite_members", "remove_members", "create_group"]).map(_j),
    "actor": st.sampled_from(["Ana", "Lin"]).map(_j),
    "actor_id": st.sampled_from(["user1", "user2"]).map(_j),
    "members": st.just(_j(["New", "Ana"])),
}
#: the fields every ordinary message has; the others now and then
_TG_OPTIONAL = ("reply_to_message_id", "media_type", "photo", "action", "actor", "actor_id",
                "members")  # fmt: skip


@st.composite
def _tg_message(draw) -> str:
    keep = {k: v for k, v in _TG_MESSAGE.items() if k not in _TG_OPTIONAL or draw(st.booleans())}
    return _obj(draw(_fields(keep)))


@st.composite
def _telegram(draw) -> bytes:
    messages = draw(st.lists(_tg_message(), min_size=1, max_size=25))
    top: Pairs = [
        ("name", _j(draw(st.sampled_from(["Skin Lab", "护肤 群", "😀"])))),
        ("type", _j(draw(st.sampled_from(["private_supergroup", "public_supergroup"])))),
        ("id", draw(st.sampled_from([_j(1500000001), _j("x"), _j(2**70)]))),
        ("messages", "[" + ",\n".join(messages) + "]"),
    ]
    return _obj(draw(st.permutations(top))).encode()


@pytest.mark.fuzz
@_SETTINGS
@given(_telegram(), _TZ)
def test_telegram_structs_as_the_python_code(tmp_path_factory, doc, tz):
    p = tmp_path_factory.mktemp("tg") / "result.json"
    p.write_bytes(doc)
    fast, slow, _ = _both("telegram", p, tz)
    same_import(fast, slow)


# --------------------------------------------------------------------------- Discord

_AUTHOR = {
    "id": st.sampled_from(["501", "502", "503", ""]).map(_j),
    "name": st.sampled_from(["user1", "user2", "阿青"]).map(_j),
    "nickname": st.sampled_from(["", "阿 青", "😀"]).map(_j),
    "isBot": st.booleans().map(_j),
}


@st.composite
def _dc_message(draw) -> str:
    fields = {
        "id": st.integers(10**17, 10**17 + 10**6).map(lambda v: _j(str(v))),
        "type": st.sampled_from(
            ["Default", "Reply", "GuildMemberJoin", "ChannelPinnedMessage"]
        ).map(_j),
        "timestamp": st.sampled_from(
            ["2026-12-03T10:00:00.123+00:00", "2026-12-03T10:00:00+08:00", "2026-12-03 10:00"]
        ).map(_j),
        "content": _TEXT.map(_j),
        "author": _fields(_AUTHOR).map(_obj),
        "attachments": st.sampled_from([[], [{"fileName": "a.png"}], [{"fileName": 5}]]).map(_j),
        "stickers": st.sampled_from([[], [{}]]).map(_j),
        "embeds": st.sampled_from([[], [{}], {}]).map(_j),
    }
    if draw(st.booleans()):
        fields["reference"] = st.sampled_from([{"messageId": "9"}, {"messageId": 5}, {}, None]).map(
            _j
        )
    return _obj(draw(_fields(fields, odd=0.1)))


@st.composite
def _discord(draw) -> bytes:
    messages = draw(st.lists(_dc_message(), min_size=1, max_size=25))
    top: Pairs = [
        ("guild", _j(draw(st.sampled_from([{"id": "9001"}, {"id": 2**70}, {}])))),
        ("channel", _j({"id": "42"})),
        ("messages", "[" + ",\n".join(messages) + "]"),
    ]
    return _obj(draw(st.permutations(top))).encode()


@pytest.mark.fuzz
@_SETTINGS
@given(_discord(), _TZ)
def test_discord_structs_as_the_python_code(tmp_path_factory, doc, tz):
    p = tmp_path_factory.mktemp("dc") / "export.json"
    p.write_bytes(doc)
    fast, slow, _ = _both("discord", p, tz)
    same_import(fast, slow)


# --------------------------------------------------------------------------- chatlog

_CHATLOG = {
    "seq": st.integers(1000, 10**9).map(_j),
    "time": st.sampled_from(
        ["2026-12-03T10:00:00+08:00", "2026-12-03 10:01:05", "2026-12-03T10:02:00Z", "soon"]
    ).map(_j),
    "talker": st.sampled_from(["98765@chatroom", "12345@chatroom", " "]).map(_j),
    "talkerName": st.sampled_from(["护肤交流群", " 群\u200b二 ", ""]).map(_j),
    "isChatRoom": st.booleans().map(_j),
    "sender": st.sampled_from(["wxid_0", "wxid_1", ""]).map(_j),
    "senderName": st.sampled_from(["阿青", "Mia  Li", "", "系统消息"]).map(_j),
    "isSelf": st.booleans().map(_j),
    "type": st.sampled_from([1, 1, 3, 49, 10000]).map(_j),
    "subType": st.sampled_from([0, 6, 57]).map(_j),
    "content": st.one_of(
        _TEXT, st.sampled_from(['"阿青"邀请"Mia"加入了群聊', "[图片]", "![x](u)"])
    ).map(_j),
}


@st.composite
def _chatlog(draw) -> bytes:
    items = draw(st.lists(_fields(_CHATLOG, odd=0.1).map(_obj), min_size=1, max_size=25))
    return ("[\n" + ",\n".join(items) + "\n]").encode()


@pytest.mark.fuzz
@_SETTINGS
@given(_chatlog(), _TZ)
def test_chatlog_structs_as_the_python_code(tmp_path_factory, doc, tz):
    p = tmp_path_factory.mktemp("cl") / "chatlog.json"
    p.write_bytes(doc)
    fast, slow, used = _both("wechat-chatlog", p, tz)
    if fast == ("KeyError",):  # (the orjson way's failure: the structs never fail so)
        assert not used
        assume(False)
    same_import(fast, slow)


# --------------------------------------------------------------------------- by hand


def _tg_doc(*messages: str, chat_id: str = "1500000001") -> bytes:
    return (
        '{"name": "Skin Lab", "type": "private_supergroup", "id": ' + chat_id + ', "messages": ['
        + ",".join(messages) + "]}"
    ).encode()  # fmt: skip


_TG_OK = (
    '{"id": 1, "type": "message", "date_unixtime": "1796868000", "from": "Ana",'
    ' "from_id": "user1", "text": "hi"}'
)


@pytest.mark.parametrize(
    ("doc", "structs"),
    [
        # ordinary messages, one written with a key twice (the last id wins: 7)
        (_tg_doc(_TG_OK, _TG_OK.replace('"id": 1,', '"id": 1, "id": 7,')), 1),
        # texts beyond the BMP, escaped and not
        (_tg_doc(_TG_OK.replace('"hi"', '"\\ud83d\\ude00 😀 𠀋"')), 1),
        # an integer past 64 bits (orjson: a float) in a field read: the orjson way
        (_tg_doc(_TG_OK.replace('"id": 1', '"id": 123456789012345678901234567890')), 0),
        (_tg_doc(_TG_OK.replace('"hi"', '["a", {"text": 18446744073709551616}]')), 0),
        # ... in the chat's id
        (_tg_doc(_TG_OK, chat_id="18446744073709551616"), 0),
        # ... in a field no reader reads: orjson reads it as a float, msgspec skips it
        (_tg_doc(_TG_OK.replace('"id": 1', '"n": 18446744073709551616, "id": 1')), 1),
        # a lone surrogate: msgspec refuses it, json reads it as U+FFFD
        (_tg_doc(_TG_OK.replace('"hi"', '"\\udc00"')), 0),
        # a message that is not an object: the orjson way (its skip message)
        (_tg_doc(_TG_OK, "5"), 0),
    ],
)
def test_telegram_documents_by_hand(tmp_path, doc, structs):
    p = tmp_path / "result.json"
    p.write_bytes(doc)
    fast, slow, used = _both("telegram", p, "Asia/Shanghai")
    same_import(fast, slow)
    assert used == structs


def test_bytes_not_utf8_in_a_field_not_read_are_refused(tmp_path):
    # msgspec does not check the texts it skips; orjson refuses the document and the
    # decoding policy reads it (here: GB18030, "护肤" in an unread field)
    doc = _tg_doc(_TG_OK.replace('"id": 1', '"x": "' + "护肤".encode("gb18030").decode("latin-1")
                                 + '", "id": 1'))  # fmt: skip
    raw = doc.decode("utf-8").encode("latin-1")
    assert _jsonvec.decode_doc(raw, __import__("msgspec").json.Decoder()) is None
    p = tmp_path / "result.json"
    p.write_bytes(raw)
    fast, slow, used = _both("telegram", p, "Asia/Shanghai")
    same_import(fast, slow)
    assert used == 0


def test_chatlog_key_of_another_case_is_read_the_orjson_way(tmp_path):
    # "Time" after "time": the per-item code reads the last of the two; the structs know
    # only "time", so the document is read the orjson way
    item = (
        '{"seq": 1, "time": "2026-12-03T10:00:00+08:00", "talker": "1@chatroom",'
        ' "sender": "wxid_1", "senderName": "阿青", "type": 1, "content": "hi"'
    )
    p = tmp_path / "chatlog.json"
    second = item.replace('"seq": 1', '"seq": 2') + ', "Time": "2026-12-04T10:00:00+08:00"}'
    p.write_bytes(("[" + item + "}," + second + "]").encode())
    fast, slow, used = _both("wechat-chatlog", p, "Asia/Shanghai")
    same_import(fast, slow)
    assert used == 0
    assert fast.tables["messages"]["ts"].to_list() == [
        "2026-12-03T10:00:00+08:00",
        "2026-12-04T10:00:00+08:00",
    ]


def test_the_bench_shapes_are_read_as_structs(tmp_path):
    # the shapes of benchmarks/bench_import.py: every document goes the msgspec way
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    try:
        import bench_import as b
    finally:
        sys.path.pop(0)
    for fmt, make in (
        ("telegram", b.make_telegram),
        ("discord", b.make_discord),
        ("wechat-chatlog", b.make_chatlog_json),
    ):
        folder = tmp_path / fmt
        folder.mkdir()
        fast, slow, used = _both(fmt, make(1200, folder), "Asia/Shanghai")
        same_import(fast, slow)
        assert used == 1, fmt


def test_utf8_is_checked_in_blocks_cut_before_a_character():
    text = "a😀护肤é" * 7
    data = text.encode()
    for size in (1, 2, 3, 4, 5, 7, 64):
        assert _jsonvec.utf8_bytes(data, size), size
        for bad in (b"\xff", b"\xed\xa0\x80", b"\xc0\xaf", b"\xe4\xb8", b"\x80\x80\x80\x80\x80"):
            for at in (0, 5, len(data)):
                assert not _jsonvec.utf8_bytes(data[:at] + bad + data[at:], size), (size, bad, at)
