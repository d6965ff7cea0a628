"""Every importer, on any input, either returns a result or raises SqopsError — never a
traceback. Hypothesis feeds damaged fixtures, random JSON shapes and random bytes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sqops.errors import SqopsError
from sqops.importers import ImportResult, import_files, write_tables

FIX = Path(__file__).parent / "fixtures"

TEXT_CASES = {
    "wechat-msg": "wechat_msg.csv",
    "wechat-chatlog": "wechat_chatlog.csv",
    "qq": "qq.txt",
    "whatsapp": "WhatsApp Chat with Glow Club.txt",
    "discord": "discord_general.csv",
    "youzan": "youzan_orders.csv",
    "shopify": "shopify_orders.csv",
    "wecom": "wecom_messages.jsonl",
}
JSON_FORMATS = ["telegram", "discord", "wecom", "wechat-chatlog"]

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def run(fmt: str, path: Path) -> None:
    try:
        result = import_files(fmt, [path])
    except SqopsError as exc:
        assert exc.render("en") and exc.render("zh")
        return
    assert isinstance(result, ImportResult)
    for p in result.problems:
        assert p.where.file == path.as_posix()


@pytest.mark.parametrize("fmt", sorted(TEXT_CASES))
@SETTINGS
@given(data=st.data())
def test_damaged_fixture_lines(tmp_path, fmt, data):
    """Replace, drop or duplicate random lines of a good fixture."""
    lines = (FIX / TEXT_CASES[fmt]).read_text(encoding="utf-8-sig").splitlines()
    n = len(lines)
    for _ in range(data.draw(st.integers(1, 4))):
        i = min(data.draw(st.integers(0, n - 1)), len(lines) - 1)
        action = data.draw(st.sampled_from(["replace", "drop", "dup", "cut"]))
        if action == "replace":
            lines[i] = data.draw(st.text(max_size=40))
        elif action == "drop" and len(lines) > 1:
            lines.pop(i)
        elif action == "dup":
            lines.insert(i, lines[i])
        else:
            lines[i] = lines[i][: data.draw(st.integers(0, max(0, len(lines[i]) - 1)))]
    path = tmp_path / TEXT_CASES[fmt].replace("/", "_")
    path.write_text("\n".join(lines), encoding="utf-8")
    run(fmt, path)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "messages",
                    "chats",
                    "list",
                    "type",
                    "id",
                    "date",
                    "date_unixtime",
                    "from_id",
                    "text",
                    "action",
                    "members",
                    "actor",
                    "actor_id",
                    "inviter",
                    "guild",
                    "channel",
                    "author",
                    "timestamp",
                    "content",
                    "attachments",
                    "stickers",
                    "reference",
                    "msgid",
                    "msgtime",
                    "roomid",
                    "from",
                    "msgtype",
                    "group_chat",
                    "chat_id",
                    "member_list",
                    "userid",
                    "join_time",
                    "join_scene",
                    "invitor",
                    "admin_list",
                    "owner",
                    "time",
                    "talker",
                    "sender",
                    "left_chats",
                    "photo",
                    "media_type",
                    "isBot",
                ]
            ),
            children,
            max_size=6,
        )
    ),
    max_leaves=25,
)


@pytest.mark.parametrize("fmt", JSON_FORMATS)
@SETTINGS
@given(value=json_values)
def test_random_json_shapes(tmp_path, fmt, value):
    path = tmp_path / "x.json"
    path.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    run(fmt, path)


@pytest.mark.parametrize("fmt", sorted(TEXT_CASES))
@SETTINGS
@given(blob=st.binary(max_size=300))
def test_random_bytes(tmp_path, fmt, blob):
    path = tmp_path / "blob.txt"
    path.write_bytes(blob)
    run(fmt, path)


@pytest.mark.parametrize("media", [["voice_message"], {"a": 1}, 3, None])
def test_telegram_media_type_of_another_json_type(tmp_path, media):
    # a list as media_type was a TypeError (unhashable) out of a dict lookup
    chat = {
        "name": "群",
        "type": "private_supergroup",
        "id": 1,
        "messages": [
            {"id": 1, "type": "message", "date": "2026-12-01T10:00:00", "from": "A",
             "from_id": "user1", "media_type": media, "text": "hi"},
        ],
    }  # fmt: skip
    path = tmp_path / "result.json"
    path.write_text(json.dumps(chat), encoding="utf-8")
    result = import_files("telegram", [path])
    m = result.tables["messages"]
    assert m["msg_type"].to_list() == ["text"]
    assert m["member_id"].to_list() == ["user1"]


@pytest.mark.parametrize(
    ("fmt", "name", "text"),
    [
        (
            "wechat-chatlog",
            "c.json",
            '[{"Time":"2026-12-01 10:00:00","SenderName":"A","Sender":"wxid_a",'
            '"Talker":"g@chatroom","Content":"bad \\ud800 x"}]',
        ),
        (
            "wechat-chatlog",
            "c.jsonl",
            '{"Time":"2026-12-01 10:00:00","SenderName":"A","Sender":"wxid_a",'
            '"Talker":"g@chatroom","Content":"bad \\ud800 x"}\n'
            '{"Time":"2026-12-01 10:01:00","SenderName":"A","Sender":"wxid_a",'
            '"Talker":"g@chatroom","Content":"\\ud83d\\ude00"}\n',
        ),
        (
            "telegram",
            "t.json",
            '{"name":"G","type":"private_supergroup","id":1,"messages":[{"id":1,'
            '"type":"message","date":"2026-12-01T10:00:00","from":"A","from_id":"user1",'
            '"text":"bad \\ud800 x"}]}',
        ),
        (
            "wecom",
            "w.jsonl",
            '{"msgid":"1","action":"send","from":"u1","tolist":["x"],"roomid":"r1",'
            '"msgtime":1764554400000,"msgtype":"text","text":{"content":"bad \\ud800 x"}}\n',
        ),
        (
            "discord",
            "d.json",
            '{"guild":{"id":"1","name":"G"},"channel":{"id":"2","name":"c"},"messages":[{"id":"3",'
            '"type":"Default","timestamp":"2026-12-01T10:00:00+00:00","content":"bad \\ud800 x",'
            '"author":{"id":"4","name":"A","isBot":false}}]}',
        ),
    ],
)
def test_a_lone_surrogate_escape_is_read_as_the_replacement_character(tmp_path, fmt, name, text):
    # "\ud800" alone is no character (nothing writes it as UTF-8): the import crashed with a
    # UnicodeEncodeError traceback when the table was made; it is read as U+FFFD
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    result = import_files(fmt, [p])
    # (a pair is one character: 😀)
    assert result.tables["messages"]["content"].to_list()[:1] == ["bad \ufffd x"]
    assert result.tables["messages"]["content"].to_list()[1:] in ([], ["\U0001f600"])
    write_tables(result, tmp_path / "out", "parquet")
