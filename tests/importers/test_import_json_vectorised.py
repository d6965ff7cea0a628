"""The vectorised JSON readers (:mod:`sqops.importers._jsonvec`) give exactly what the
per-item Python code gives: the same tables, problems and counts, for exports mixing the
common messages with every odd item the Python code handles (and chunks polars must not read).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import polars as pl
import pytest

from _import_checks import same_import
from sqops.errors import InputError
from sqops.importers import _jsonvec, import_files

FIX = Path(__file__).parent / "fixtures"


def _both(monkeypatch, fmt: str, paths: list[Path], **kw):
    """(vectorised result, Python result, rows the vectorised path added in bulk)."""
    bulk: list[int] = []
    add = _jsonvec.add_messages

    def counting(ctx, frame):
        bulk.append(frame.height)
        add(ctx, frame)

    monkeypatch.setattr(_jsonvec, "add_messages", counting)
    fast = import_files(fmt, paths, **kw)
    monkeypatch.setattr(_jsonvec, "ENABLED", False)
    slow = import_files(fmt, paths, **kw)
    monkeypatch.setattr(_jsonvec, "ENABLED", True)
    return fast, slow, sum(bulk)


def _wecom_record(rnd: random.Random, i: int) -> str:
    """One line of a chat archive: mostly ordinary messages, and every odd kind."""
    sender = rnd.choice(["wmAAA", "wmBBB", "woCCC", "XiaoLin", "张三", ""])
    rec: dict[str, object] = {
        "msgid": f"m{rnd.randrange(10**6)}" if rnd.random() > 0.02 else "m1",
        "action": "send",
        "from": sender,
        "roomid": rnd.choice(["wrRoom1", "wrRoom2"]),
        "msgtime": 1797732000000 + i * 61_001,
        "msgtype": "text",
        "text": {"content": rnd.choice(["你好", "ok", "", "多行\n第二行", "👩🏻\u200d⚖️"])},
    }
    kind = rnd.randrange(40)
    if kind == 0:
        rec["action"] = "recall"
    elif kind == 1:
        rec = {"msgid": f"s{i}", "action": "switch", "time": 1, "user": "XiaoLin"}
    elif kind == 2:
        rec["roomid"] = ""
    elif kind == 3:
        rec["msgtime"] = 1797732000 + i  # seconds
    elif kind == 4:
        rec["msgtime"] = -5
    elif kind == 5:
        rec["msgtype"] = "link"
        rec["link"] = {"title": "", "link_url": "http://x"}
    elif kind == 6:
        rec["msgtype"] = "markdown"
        rec["markdown"] = {"content": "**粗体**"}
        del rec["text"]
    elif kind == 7:
        rec["msgtype"] = rnd.choice(["image", "weapp", "news", "revoke", "unknown"])
        del rec["text"]
    elif kind == 8:
        rec["msgid"] = ""
    elif kind == 9:
        rec["msgtime"] = 10**13  # past the range read in bulk
    line = json.dumps(rec, ensure_ascii=False)
    return line


@pytest.mark.parametrize("tz", ["Asia/Shanghai", "America/New_York", "UTC"])
def test_wecom_json_lines_as_the_python_code(monkeypatch, tmp_path, tz):
    rnd = random.Random(tz)
    lines = [_wecom_record(rnd, i) for i in range(3000)]
    lines[1500] = '{"msgid": 5, "action": "send", "from": true}'  # its chunk: the Python code
    lines[2000] = '{"msgid": "x" broken'
    lines[2100] = ""
    lines[2500] = lines[2500].replace('"msgid"', '"msgid_"')  # not a WeCom record
    p = tmp_path / "archive.jsonl"
    p.write_text("\r\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(_jsonvec, "CHUNK", 20_000)
    fast, slow, bulk = _both(monkeypatch, "wecom", [p], tz=tz)
    same_import(fast, slow)
    # most messages went in bulk (not the odd ones, a sixth have no sender, nor the chunks
    # of the three bad lines)
    assert bulk > 1500


def test_wecom_chunks_with_odd_bytes_are_read_by_python(monkeypatch, tmp_path):
    base = '{"msgid":"a%d","action":"send","from":"wmA","roomid":"r","msgtime":1797732000000,"msgtype":"text","text":{"content":"x"}}'
    lines = [base % i for i in range(6)]
    lines[1] = lines[1].replace('"from":"wmA"', '"from":1.0')  # a number polars makes "1"
    lines[2] = lines[2] + "\r" + base % 99  # a lone CR: two lines to Python
    lines[3] = lines[3].replace('"msgid":"a3"', '"msgid":"a3","msgid":"b3"')  # Python: the last
    lines[4] = lines[4].replace('"x"', '"\\ud83d\\ude00"')  # escaped surrogates: Python's
    p = tmp_path / "odd.jsonl"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(_jsonvec, "CHUNK", 1)  # one line a chunk
    fast, slow, bulk = _both(monkeypatch, "wecom", [p])
    same_import(fast, slow)
    assert bulk == 2  # lines 1 and 6 (index 0 and 5)
    ids = set(fast.tables["messages"]["msg_id"].to_list())
    assert {"b3", "a99"} <= ids and "a3" not in ids  # (counted by hand from the lines above)
    assert "1.0" in fast.tables["messages"]["member_id"].to_list()


def test_wecom_fixture_as_the_python_code(monkeypatch):
    fast, slow, _ = _both(
        monkeypatch, "wecom", [FIX / "wecom_messages.jsonl", FIX / "wecom_group.json"]
    )
    same_import(fast, slow)


def test_stamp_is_ts_text(monkeypatch):
    """``_t`` and ``ts`` of the bulk path are ``_instant`` and ``ts_text`` of the Python path,
    milliseconds and zones with daylight saving time included."""
    from sqops.data.scalars import epoch_value, get_tz, ts_text

    values = [0, 1, 999_999_999, 1_797_732_000, 1_797_732_000_123, 1_797_732_000_001,
              1_710_054_000_000, 1_730_613_600_000, 100_000_000_000, 4_294_967_295_999,
              5_600_000_000, 5_600_000_000_123, 1_500]  # fmt: skip
    rnd = random.Random(5)  # and random milliseconds and seconds, 1970-2106
    values += [rnd.randrange(10**11 + 1, 4_294_967_296_000) for _ in range(300)]
    values += [rnd.randrange(0, 10**11) for _ in range(300)]
    for zone in ("Asia/Shanghai", "America/New_York", "Europe/London", "Australia/Lord_Howe"):
        frame = pl.DataFrame({"v": values}).select(_us=_jsonvec.epoch_us(pl.col("v")), _odd=False)
        got = _jsonvec.with_stamp(frame, zone).select("_t", "ts", "_us")
        for v, (t_, ts_, us_) in zip(values, got.rows(), strict=True):
            if us_ is None:  # past 2^32 s in milliseconds: left to Python
                assert v >= 4_294_967_296_000
                continue
            dt = epoch_value(v, get_tz(zone))
            assert dt is not None
            assert (t_, ts_) == (dt.timestamp(), ts_text(dt)), (zone, v)


def _telegram_message(rnd: random.Random, i: int) -> object:
    """One item of a chat's ``messages``: mostly ordinary, and every odd kind."""
    who = rnd.randrange(6)
    msg: dict[str, object] = {
        "id": i,
        "type": "message",
        "date": "2026-12-10T10:00:00",
        "date_unixtime": str(1796868000 + i * 37),
        "from": ["Lin", "Ana", "  Ben  ", "林\u200b小", "Cleo", "Dan"][who],
        "from_id": f"user{who}",
        "text": rnd.choice(["Hi", "", "多行\n第二行", "ok"]),
    }
    kind = rnd.randrange(60)
    if kind == 0:
        return rnd.choice([None, 5, "text", ["a"]])
    if kind == 1:
        msg.update(type="service", action="invite_members", actor="Ana", actor_id="user1")
        msg["members"] = [f"New {i}"]
    elif kind == 2:
        msg["text"] = ["see ", {"type": "link", "text": "http://x"}, 5]
    elif kind == 3:
        del msg["from_id"]
    elif kind == 4:
        msg["from_id"] = 1000 + who
    elif kind == 5:
        msg["from"] = rnd.choice(["", None, 7])
    elif kind == 6:
        msg["id"] = rnd.choice([f"s{i}", True, 2**70, "", None])
    elif kind == 7:
        msg["date_unixtime"] = rnd.choice([None, 1796868000 + i, "17968680001234567890", "x"])
    elif kind == 8:
        del msg["date_unixtime"]
    elif kind == 9:
        msg["media_type"] = rnd.choice(["sticker", "voice_message", "unknown", 3])
        msg["file"] = "f"
    elif kind == 10:
        msg["photo"] = "p.jpg"
    elif kind == 11:
        msg[rnd.choice(["poll", "location_information", "contact_information", "file"])] = {}
    elif kind == 12:
        msg["reply_to_message_id"] = rnd.choice([i - 1, f"{i}", 2**64])
    elif kind == 13:
        msg["type"] = rnd.choice(["unsupported", None])
    elif kind == 14:
        msg["id"] = max(i - 3, 0)  # a duplicate id
    return msg


@pytest.mark.parametrize("tz", ["Asia/Shanghai", "Europe/London"])
def test_telegram_as_the_python_code(monkeypatch, tmp_path, tz):
    rnd = random.Random(tz)
    chats = [
        {
            "name": name,
            "type": "private_supergroup",
            "id": 1500 + n,
            "messages": [_telegram_message(rnd, i) for i in range(1500)],
        }
        for n, name in enumerate(["Skin Lab", "护肤 群"])
    ]
    account = {"about": "", "chats": {"about": "", "list": chats}}
    p = tmp_path / "result.json"
    p.write_text(json.dumps(account, ensure_ascii=False), encoding="utf-8")
    single = tmp_path / "chat.json"
    single.write_text(json.dumps(chats[0], ensure_ascii=False), encoding="utf-8")
    fast, slow, bulk = _both(monkeypatch, "telegram", [p, single], tz=tz)
    same_import(fast, slow)
    assert bulk > 2000  # of 3,000 items, about a quarter odd (counted by the generator's kinds)


def test_telegram_fixtures_as_the_python_code(monkeypatch):
    for name in ("telegram_chat", "telegram_full", "telegram_account", "telegram_no_from_id"):
        fast, slow, _ = _both(monkeypatch, "telegram", [FIX / f"{name}.json"])
        same_import(fast, slow)


def test_with_iso_stamp_is_parse_ts(monkeypatch):
    """Every text ``with_iso_stamp`` reads gives ``parse_ts``'s instant and ``ts_text``'s text;
    what it leaves to Python includes every text ``parse_ts`` refuses."""
    from sqops.data.scalars import get_tz, parse_ts, ts_text

    texts = [
        "2026-12-03T19:00:00+08:00", "2026-12-03 19:00:00", "2026-12-03T19:00:00.1+08:00",
        "2026-12-03T19:00:00.1234+05:30", "2026-12-03T19:00:00.0004Z", "2026-12-03T19:00:00-00:00",
        "2026-12-03T19:00:00.000+08:00", "2026-03-08T02:30:00", "2026-11-01T01:30:00",
        "2026-03-29T01:30:00", "2026-10-25T01:30:00", "2026-02-30T10:00:00", "2026-12-03T24:00:00",
        "2026-12-03T19:00:00+14:01", "2026-12-03T19:00:00+05:60", "2026-12-03T19:00:00-14:00",
        "1969-12-31T23:59:59Z", "1970-01-01T00:00:00Z", "9998-12-31T23:59:59Z", " 2026-12-03T19:00:00",
        "2026-12-03T19:00:00.1234567+08:00", "2026-12-03T19:00+08:00", "1796295810", "",
        "2026-12-03T19:00:00,5+08:00", "2026-12-03T19:00:00+0800", "2026-12-03T19:00:59.999999Z",
        "2150-07-01T12:00:00", "2150-07-01T12:00:00.5-04:00", "1970-01-01T00:00:00",
    ]  # fmt: skip
    for zone in ("Asia/Shanghai", "America/New_York", "Europe/London"):
        frame = pl.DataFrame({"s": texts, "_odd": False})
        got = _jsonvec.with_iso_stamp(frame, "s", zone).select("_t", "ts", odd="_odd")
        for text, (t_, ts_, odd_) in zip(texts, got.rows(), strict=True):
            dt = parse_ts(text, get_tz(zone))
            if odd_:
                continue
            assert dt is not None, (zone, text)
            assert (t_, ts_) == (dt.timestamp(), ts_text(dt)), (zone, text)
        # the common forms are read here, not left to Python
        assert not any(got["odd"][:3]), zone
    # a column of local times only, and one of aware times only
    for only in (["2026-12-03 19:00:00", "2026-03-08T02:30:00"], ["2026-12-03T19:00:00Z"]):
        got = _jsonvec.with_iso_stamp(pl.DataFrame({"s": only, "_odd": False}), "s", "UTC")
        dt = parse_ts(only[0], get_tz("UTC"))
        assert dt is not None
        assert got.row(0, named=True)["ts"] == ts_text(dt)


def _discord_message(rnd: random.Random, i: int) -> object:
    who = rnd.randrange(5)
    msg: dict[str, object] = {
        "id": str(10**17 + i),
        "type": rnd.choice(["Default", "Reply", None]),
        "timestamp": rnd.choice(
            [
                f"2026-12-03T{i % 24:02d}:{i % 60:02d}:00.{i % 1000:03d}+00:00",
                f"2026-12-03T{i % 24:02d}:00:00+08:00",
                f"2026-12-03 10:{i % 60:02d}:00",
            ]
        ),  # fmt: skip
        "content": rnd.choice(["hi", "", "多行\n第二行", None]),
        "author": {
            "id": str(500 + who),
            "name": f"user{who}",
            "nickname": rnd.choice(["", None, "阿 青"]),
            "isBot": who == 4,
        },  # fmt: skip
    }
    kind = rnd.randrange(50)
    if kind == 0:
        return rnd.choice([None, "x", 3])
    if kind == 1:
        msg["type"] = rnd.choice(
            ["GuildMemberJoin", "ChannelPinnedMessage", "ThreadStarterMessage", 7]
        )
    elif kind == 2:
        msg["attachments"] = [{"fileName": rnd.choice(["a.png", "b.mp4", "c.txt"])}]
    elif kind == 3:
        msg[rnd.choice(["stickers", "embeds"])] = [{}]
    elif kind == 4:
        msg["timestamp"] = rnd.choice(["soon", None, 1796295810, "2026-02-30T10:00:00+00:00"])
    elif kind == 5:
        msg["author"] = rnd.choice([{}, {"id": ""}, {"id": 5, "name": "n"}, None])
    elif kind == 6:
        msg["reference"] = rnd.choice([{"messageId": str(i - 1)}, {"messageId": 5}, {}, None, []])
    elif kind == 7:
        msg["id"] = rnd.choice([5, "", None])
    elif kind == 8:
        msg["content"] = rnd.choice([0, ["x"]])
    return msg


def test_discord_json_as_the_python_code(monkeypatch, tmp_path):
    rnd = random.Random(3)
    data = {
        "guild": {"id": "9001", "name": "Glow"},
        "channel": {"id": "42", "name": "general"},
        "messages": [_discord_message(rnd, i) for i in range(3000)],
    }
    p = tmp_path / "export.json"
    p.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    for tz in ("Asia/Shanghai", "America/New_York"):
        fast, slow, bulk = _both(monkeypatch, "discord", [p, FIX / "discord.json"], tz=tz)
        same_import(fast, slow)
        assert bulk > 2000  # of 3,000 items, about a sixth odd (the generator's kinds)


def _chatlog_item(rnd: random.Random, i: int) -> object:
    who = rnd.randrange(5)
    item: dict[str, object] = {
        "seq": 1000 + i,
        "time": rnd.choice(
            [f"2026-12-03T{i % 24:02d}:{i % 60:02d}:00+08:00", f"2026-12-03 10:{i % 60:02d}:05"]
        ),
        "talker": rnd.choice(["98765@chatroom", "12345@chatroom"]),
        "talkerName": rnd.choice(["护肤交流群", " 群\u200b二 ", ""]),
        "sender": f"wxid_{who}",
        "senderName": rnd.choice(["阿青", "Mia  Li", "", "大卫"]),
        "isSelf": who == 0,
        "type": 1,
        "subType": 0,
        "content": rnd.choice(
            ["欢迎", "", "[图片]", "![图片](http://x)", "[链接|标题](u)", "多行\n二"]
        ),
    }
    kind = rnd.randrange(40)
    if kind == 0:
        return rnd.choice([None, "x", 5])
    if kind == 1:
        item.update(type=10000, sender="", senderName="", content='"阿青"邀请"Mia"加入了群聊')
    elif kind == 2:
        item["time"] = rnd.choice([1796295810, "soon", None, "2026-02-30 10:00:00", "1796295810"])
    elif kind == 3:
        del item["talker"]
    elif kind == 4:
        item["sender"] = rnd.choice(["", None, 5])
    elif kind == 5:
        item["Time"] = "2026-12-03T11:00:00+08:00"  # the same field twice: Python keeps the last
    elif kind == 6:
        del item["type"]
        item["senderName"] = rnd.choice(["系统消息", "Mia"])
    elif kind == 7:
        item["type"] = rnd.choice([49, "3", "x", 43.0, None])
        item["subType"] = rnd.choice([6, 57, "5", None])
    elif kind == 8:
        item["seq"] = rnd.choice(["", None, 12.5, "abc"])
    elif kind == 9:
        item["isSelf"] = rnd.choice(["1", "TRUE", 1, "no"])
        item["sender"] = rnd.choice(["", "wxid_0"])
    return item


@pytest.mark.parametrize("lines", [False, True])
def test_chatlog_json_as_the_python_code(monkeypatch, tmp_path, lines):
    rnd = random.Random(7)
    items = [_chatlog_item(rnd, i) for i in range(2500)]
    p = tmp_path / ("chat.jsonl" if lines else "chat.json")
    if lines:
        text = "\n".join(json.dumps(x, ensure_ascii=False) for x in items if isinstance(x, dict))
        p.write_text(text + '\n{"broken": \n', encoding="utf-8")
    else:
        p.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    fast, slow, bulk = _both(
        monkeypatch, "wechat-chatlog", [p, FIX / "wechat_chatlog.json"], tz="Asia/Shanghai"
    )
    same_import(fast, slow)
    assert bulk > 1500  # of 2,500 items, about a quarter odd (the generator's kinds)


@pytest.mark.parametrize(
    ("fmt", "files"),
    [
        ("wecom", ["wecom_messages.jsonl"]),
        ("telegram", ["telegram_chat.json"]),
        ("discord", ["discord.json"]),
        ("wechat-chatlog", ["wechat_chatlog.json"]),
    ],
)
def test_group_id_and_self_name_as_the_python_code(monkeypatch, fmt, files):
    """``--group-id`` and ``--self-name`` apply to the bulk rows as to the others."""
    paths = [FIX / f for f in files]
    fast, slow, bulk = _both(monkeypatch, fmt, paths, group_id="g1", self_name="阿青")
    same_import(fast, slow)
    assert set(fast.tables["messages"]["group_id"]) == {"g1"}
    assert bulk > 0 or fmt == "wecom"  # (the WeCom fixture's bad lines make it Python's)


def test_wecom_streamed_as_the_python_code(monkeypatch, tmp_path):
    """Past ``WHOLE_BELOW`` the archive is streamed from the file in chunks (a BOM, CRLF and a
    line cut across chunks included); a NUL byte is refused as the whole file would be."""
    rnd = random.Random(11)
    lines = [_wecom_record(rnd, i) for i in range(1200)]
    p = tmp_path / "archive.jsonl"
    p.write_bytes(b"\xef\xbb\xbf" + ("\r\n".join(lines) + "\r\n").encode("utf-8"))
    monkeypatch.setattr(_jsonvec, "WHOLE_BELOW", 0)
    monkeypatch.setattr(_jsonvec, "CHUNK", 7_777)
    fast, slow, bulk = _both(monkeypatch, "wecom", [p], tz="Asia/Shanghai")
    same_import(fast, slow)
    assert bulk > 600
    p.write_bytes(("\n".join(lines[:600]) + "\n\x00\n" + "\n".join(lines[600:])).encode())
    with pytest.raises(InputError) as streamed:
        import_files("wecom", [p])
    monkeypatch.setattr(_jsonvec, "ENABLED", False)
    with pytest.raises(InputError) as whole:
        import_files("wecom", [p])
    assert str(streamed.value) == str(whole.value)


# ----------------------------------------------------------------- read a field at a time


def test_typed_columns_mark_the_odd_items():
    """``typed`` keeps the values of the allowed types and marks the others odd (a boolean is
    not an integer, an integer past 64 bits is the Python code's), each item once."""
    odd = _jsonvec.Odd(6)
    ints = _jsonvec.typed([1, None, True, 2**63, -(2**63), "7"], (int, type(None)), pl.Int64(), odd)
    # kept: 1, None and -2^63 (the least Int64); odd: True, 2^63 and "7" (items 2, 3, 5)
    assert ints.to_list() == [1, None, None, None, -(2**63), None]
    texts = _jsonvec.typed(["a", 5, None, "b", "c", "d"], (str,), pl.String(), odd)
    # odd as well: 5 and None (items 1 and 2; 2 was already)
    assert texts.to_list() == ["a", None, None, "b", "c", "d"]
    assert odd.series().to_list() == [False, True, True, True, False, True]
    assert _jsonvec.Odd(2).series().to_list() == [False, False]  # none marked
    # texts only (built at once): a None where a text is required is odd (item 1)
    odd = _jsonvec.Odd(3)
    assert _jsonvec.typed(["a", None, "b"], (str,), pl.String(), odd).to_list() == ["a", None, "b"]
    assert odd.series().to_list() == [False, True, False]
    # booleans: 1 and "true" are not booleans (items 1 and 2), None is allowed here
    odd = _jsonvec.Odd(4)
    flags = _jsonvec.typed([True, 1, "true", None], (bool, type(None)), pl.Boolean(), odd)
    assert flags.to_list() == [True, None, None, None]
    assert odd.series().to_list() == [False, True, True, False]


def test_truthy_text_and_objects():
    odd = _jsonvec.Odd(5)
    # ``value or None``: "" and 0 and [] are None; a true value that is not a text is odd (3)
    got = _jsonvec.truthy_text(["x", "", 0, 5, []], odd)
    assert got.to_list() == ["x", None, None, None, None]
    assert odd.series().to_list() == [False, False, False, True, False]
    odd = _jsonvec.Odd(4)
    objs = _jsonvec.objects([{"a": 1}, None, [], "s"], odd, optional=True)
    assert objs == [{"a": 1}, {}, {}, {}]  # None is allowed (not odd); [] and "s" are odd
    assert odd.series().to_list() == [False, False, True, True]
    odd = _jsonvec.Odd(3)
    assert _jsonvec.dicts([5, "x", None], odd) is None  # no object at all: the Python code


@pytest.mark.parametrize(
    ("fmt", "name"),
    [
        ("telegram", "telegram_chat.json"),
        ("discord", "discord.json"),
        ("wechat-chatlog", "wechat_chatlog.json"),
    ],
)
def test_json_from_bytes_as_from_the_text(tmp_path, fmt, name):
    """A UTF-8 document is parsed from its bytes; the same export with a byte-order mark, in
    GB18030, or with a value orjson refuses (``NaN``, read by the standard library) is read
    from its decoded text: all give the same tables, and a syntax error the same error."""
    text = (FIX / name).read_text(encoding="utf-8")
    plain = import_files(fmt, [FIX / name], tz="Asia/Shanghai")
    variants = {
        "bom.json": b"\xef\xbb\xbf" + text.encode("utf-8"),
        "gb.json": text.encode("gb18030"),
        "nan.json": text.replace("{", '{"zz_nan": NaN, ', 1).encode("utf-8"),
    }
    for file, data in variants.items():
        p = tmp_path / file
        p.write_bytes(data)
        other = import_files(fmt, [p], tz="Asia/Shanghai")
        assert other.counts == plain.counts, file
        for table, frame in plain.tables.items():
            assert other.tables[table].equals(frame), (file, table)
    broken = tmp_path / "broken.json"
    broken.write_text(text.replace(",", ";", 3), encoding="utf-8")
    with pytest.raises(InputError) as got:
        import_files(fmt, [broken])
    assert "JSON" in str(got.value)
    assert got.value.where.line is not None  # (the standard library's position)


def test_fields_of_other_types_and_shapes_as_the_python_code(monkeypatch, tmp_path):
    """The field-at-a-time readers against the per-item code on what only they could get
    wrong: a value of another type in any field (a name that is a number, ``isBot`` a text,
    a text that is null), and chatlog items of several sets of keys (a field missing, a key
    of another case, extra keys)."""
    rnd = random.Random(19)
    odd_values = [0, 5, "", None, True, [], {}, ["x"], 1.5, 2**64]

    def discord(i: int) -> object:
        msg = _discord_message(rnd, i)
        if isinstance(msg, dict) and rnd.randrange(8) == 0:
            author = msg.get("author")
            target = author if isinstance(author, dict) and rnd.randrange(2) else msg
            target[rnd.choice(["nickname", "name", "isBot", "id", "content", "timestamp",
                               "attachments", "type"])] = rnd.choice(odd_values)  # fmt: skip
        return msg

    def telegram(i: int) -> object:
        msg = _telegram_message(rnd, i)
        if isinstance(msg, dict) and rnd.randrange(8) == 0:
            msg[rnd.choice(["text", "from", "from_id", "media_type", "type", "id",
                            "reply_to_message_id", "photo"])] = rnd.choice(odd_values)  # fmt: skip
        return msg

    def chatlog(i: int) -> object:
        item = _chatlog_item(rnd, i)
        if isinstance(item, dict):
            kind = rnd.randrange(10)
            if kind == 0:
                item.pop(rnd.choice(["content", "senderName", "seq", "isSelf", "talkerName"]))
            elif kind == 1:
                item["CONTENT"] = "另一个键"  # a second key of one field: Python's last one
            elif kind == 2:
                item["extra"] = rnd.choice(odd_values)
            elif kind == 3:
                item[rnd.choice(["talker", "senderName", "subType", "isSelf", "content"])] = (
                    rnd.choice(odd_values)
                )
        return item

    d = tmp_path / "discord.json"
    d.write_text(json.dumps({"guild": {"id": "7"}, "messages": [discord(i) for i in range(2000)]},
                            ensure_ascii=False), encoding="utf-8")  # fmt: skip
    t = tmp_path / "telegram.json"
    t.write_text(json.dumps({"name": "g", "type": "private_group", "id": 3,
                             "messages": [telegram(i) for i in range(2000)]}), encoding="utf-8")  # fmt: skip
    c = tmp_path / "chatlog.json"
    c.write_text(json.dumps([chatlog(i) for i in range(2000)], ensure_ascii=False), "utf-8")
    for fmt, path, least in (
        ("discord", d, 1000),
        ("telegram", t, 1000),
        ("wechat-chatlog", c, 1000),
    ):
        fast, slow, bulk = _both(monkeypatch, fmt, [path], tz="Asia/Shanghai")
        same_import(fast, slow)
        assert bulk > least, fmt  # (most items are still ordinary messages)


def test_seconds_are_divided_as_python_divides():
    """``_t`` is ``int / int`` of the microseconds (correctly rounded) also for milliseconds,
    where multiplying by the reciprocal of 10^6 is off by one unit in the last place (polars'
    ``/ 1e6`` gives 1797732000.0279999 for 1_797_732_000_028_000, Python 1797732000.028)."""
    rnd = random.Random(23)
    values = [rnd.randrange(0, 4_294_967_296_000) * 1000 for _ in range(20_000)]
    values += [rnd.randrange(0, 10**15) for _ in range(20_000)]
    got = _jsonvec._seconds(pl.Series(values, dtype=pl.Int64)).to_list()
    assert got == [v / 1_000_000 for v in values]
    big = [2**53 + 1, 10**17 + 7, 5]  # past 2^53: by Python
    assert _jsonvec._seconds(pl.Series(big, dtype=pl.Int64)).to_list() == [v / 10**6 for v in big]
    pair = pl.Series([1_797_732_000_028_000] * 2)
    assert _jsonvec._seconds(pair).to_list() == [1_797_732_000.028] * 2


def test_with_iso_stamp_on_random_texts_is_parse_ts():
    """Random ISO texts (fractions of every length, offsets valid and not, second 60, days
    and hours out of range, years 1969–9999): every row read in bulk has ``parse_ts``'s
    instant and ``ts_text``'s text; a second 60 (a leap second to polars, the next minute;
    no time to Python) is left to Python."""
    from sqops.data.scalars import get_tz, parse_ts, ts_text

    rnd = random.Random(29)

    def text() -> str:
        y = rnd.choice([1969, 1970, 2026, 2026, 2150, 9998, 9999])
        day = f"{y:04d}-{rnd.randrange(1, 13):02d}-{rnd.choice([1, 15, 28, 29, 30, 31]):02d}"
        clock = (
            f"{rnd.choice([0, 2, 3, 23, 24]):02d}:{rnd.randrange(61):02d}:{rnd.randrange(61):02d}"
        )
        frac = rnd.choice(["", "", ".0", ".000", ".1", ".123", ".0004", ".999999", ".1234567"])
        off = rnd.choice(["", "Z", "+08:00", "-04:00", "-00:00", "+05:30", "+14:00", "-14:01"])
        return f"{day}{rnd.choice('T ')}{clock}{frac}{off}"

    texts = [text() for _ in range(6000)] + ["2026-12-03T19:00:60+08:00", "2026-12-03 19:00:60"]
    for zone in ("Asia/Shanghai", "America/New_York", "Europe/London"):
        got = _jsonvec.with_iso_stamp(pl.DataFrame({"s": texts, "_odd": False}), "s", zone)
        bulk = 0
        for s, (t_, ts_, odd_) in zip(texts, got.select("_t", "ts", "_odd").rows(), strict=True):
            if odd_:
                continue
            bulk += 1
            dt = parse_ts(s, get_tz(zone))
            assert dt is not None, (zone, s)
            assert (t_, ts_) == (dt.timestamp(), ts_text(dt)), (zone, s)
        assert got["_odd"][-2:].to_list() == [True, True]  # second 60: Python's (no time)
        assert bulk > 2000, zone  # (most texts are valid times)


def test_chatlog_item_with_a_key_the_common_items_lack(monkeypatch, tmp_path):
    # the most common keys have no subType; the third item has it and a key the chatlog tool
    # does not write (which sends the document the orjson way): it crashed with a KeyError in
    # the bulk plan. It is read by the per-item code: 3 messages of a, b, c
    doc = tmp_path / "chat.json"
    doc.write_text(
        "["
        '{"seq": 1, "time": "2026-12-03T19:00:00+08:00", "talker": "1@chatroom",'
        ' "sender": "a", "type": 1, "content": "hi"},'
        '{"seq": 2, "time": "2026-12-03T19:01:00+08:00", "talker": "1@chatroom",'
        ' "sender": "b", "type": 1, "content": "yo"},'
        '{"seq": 3, "time": "2026-12-03T19:02:00+08:00", "talker": "1@chatroom",'
        ' "sender": "c", "type": 1, "subType": 0, "content": "hey", "Extra": 1}'
        "]",
        encoding="utf-8",
    )
    fast, slow, _ = _both(monkeypatch, "wechat-chatlog", [doc])
    same_import(fast, slow)
    assert fast.tables["messages"]["member_id"].to_list() == ["a", "b", "c"]
    assert fast.tables["messages"]["content"].to_list() == ["hi", "yo", "hey"]
