"""A JSON export read in slices past the whole reading's 1 GiB (made small here, as in
``test_import_json_slices``) names a syntax error as the whole reading names it: the same
message (Python's ``json``), at the same line and column — in characters, as an editor and
the whole reading count them, not in bytes (session 19, #19 item 2). Chinese text before the
error makes the two differ; a document on one line puts the error's line start before the
slice; an error early in an array longer than the longest slice is named, not taken for an
item too long to cut.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from importers.test_import_json_large import _account, _tg_chat
from importers.test_import_json_msgspec import _run
from sqops.importers import _base, _jsonstream

_TZ = "Asia/Shanghai"


def _past_limit(fmt: str, path: Path, block: int, max_slice: int | None = None) -> object:
    """The import with the whole reading's limit at 100 bytes (so only slices can read it)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_base, "MAX_BYTES", 100)
        mp.setattr(_jsonstream, "STREAM_BYTES", 50)
        mp.setattr(_jsonstream, "BLOCK", block)
        if max_slice is not None:
            mp.setattr(_jsonstream, "MAX_SLICE", max_slice)
        return _run(fmt, path, _TZ)


def _item(i: int) -> str:
    return json.dumps(
        {
            "seq": 1000 + i,
            "time": f"2026-12-01T10:{i % 60:02d}:00+08:00",
            "talker": "98765@chatroom",
            "talkerName": "护肤交流群",
            "sender": f"wxid_{i % 7}",
            "senderName": f"用户{i % 7}",
            "type": 1,
            "content": f"消息 {i} 今天的精华用了吗？😀",
        },
        ensure_ascii=False,
    )


def _chatlog(items: list[str], sep: str = ",\n    ") -> str:
    return '{\n  "talker": "98765@chatroom",\n  "items": [\n    ' + sep.join(items) + "\n  ]\n}\n"


#: ways of breaking item 25 of 60 (or the array's end): (name, items → items)
_BREAKS = {
    "comma missing": lambda its: [*its[:24], its[24] + " " + its[25], *its[26:]],
    "colon missing": lambda its: [*its[:25], its[25].replace('"type":', '"type"', 1), *its[26:]],
    "value cut": lambda its: [*its[:25], its[25].replace('"type": 1', '"type": tru', 1), *its[26:]],
    "quote missing": lambda its: [*its[:25], its[25].replace('"用户', "用户", 1), *its[26:]],
    "brace missing": lambda its: [*its[:25], its[25][:-1], *its[26:]],
    "comma at the end": lambda its: [*its[:-1], its[-1] + ","],
    "last item cut": lambda its: [*its[:-1], its[-1][:-1]],
}


@pytest.mark.parametrize("broken", sorted(_BREAKS))
@pytest.mark.parametrize("sep", [",\n    ", ", "], ids=["lines", "one-line"])
@pytest.mark.parametrize("block", [300, 1000, 1 << 20])
def test_chatlog_items_error_past_the_limit_is_the_whole_readings(
    tmp_path: Path, broken: str, sep: str, block: int
) -> None:
    items = _BREAKS[broken]([_item(i) for i in range(60)])
    p = tmp_path / "chatlog.json"
    p.write_text(_chatlog(items, sep), encoding="utf-8")
    whole = _run("wechat-chatlog", p, _TZ)
    assert whole[0] == "error" and "JSON" in whole[2][0][1]
    # (columns in characters: Chinese text before the error, where bytes would differ)
    assert _past_limit("wechat-chatlog", p, block) == whole


@pytest.mark.parametrize("block", [200, 700])
def test_whole_account_error_past_the_limit_is_the_whole_readings(
    tmp_path: Path, block: int
) -> None:
    msgs = [
        json.dumps(
            {
                "id": i,
                "type": "message",
                "date": "2026-12-10T10:00:00",
                "from": "李雷",
                "from_id": f"user{i % 3}",
                "text": f"第 {i} 条：早上好☀️",
            },
            ensure_ascii=False,
        )  # fmt: skip
        for i in range(1, 30)
    ]
    bad = [*msgs[:17], msgs[17] + msgs[18], *msgs[19:]]  # (a comma missing)
    for chats in (
        (_tg_chat(11, "private_supergroup", *msgs), _tg_chat(12, "private_group", *bad)),
        (_tg_chat(11, "private_supergroup", *bad),),
    ):
        p = tmp_path / "result.json"
        p.write_text(_account(*chats), encoding="utf-8")
        whole = _run("telegram", p, _TZ)
        assert whole[0] == "error"
        assert _past_limit("telegram", p, block) == whole


def test_an_early_error_in_a_long_array_is_named_not_too_long(tmp_path: Path) -> None:
    """An error in the first window of an array longer than the longest slice: every cut
    after it fails, so the window grew to the longest slice and the error was "a stretch
    over N MiB"; now it is the whole reading's. A real item longer than that is still
    refused so."""
    items = [_item(i) for i in range(200)]
    items[3] = items[3] + " " + items[4]
    del items[4]
    p = tmp_path / "chatlog.json"
    p.write_text(_chatlog(items), encoding="utf-8")
    whole = _run("wechat-chatlog", p, _TZ)
    assert whole[0] == "error"
    assert _past_limit("wechat-chatlog", p, 1000, max_slice=4000) == whole
    long = json.dumps({"seq": 1, "content": "长" * 3000}, ensure_ascii=False)
    p.write_text(_chatlog([_item(0), long, _item(1)]), encoding="utf-8")
    got = _past_limit("wechat-chatlog", p, 1000, max_slice=4000)
    assert got[0] == "error" and "cannot be read in slices" in got[2][0][1]


def test_a_byte_not_utf8_before_the_error_names_its_line(tmp_path: Path) -> None:
    items = [_item(i) for i in range(40)]
    items[30] = items[30] + " " + items[31]
    del items[31]
    data = _chatlog(items).encode().replace("用户3".encode(), b"\xff\xfe3", 1)
    p = tmp_path / "chatlog.json"
    p.write_bytes(data)
    got = _past_limit("wechat-chatlog", p, 100_000)
    line = data[: data.index(b"\xff")].count(b"\n") + 1
    assert got[0] == "error"
    assert [t for _, t in got[2]] == ["is not UTF-8"]
    assert f"line={line}, col=None" in got[2][0][0]


@pytest.mark.parametrize("block", [300, 2000, 100_000])
def test_a_byte_not_utf8_past_the_limit_names_its_own_line(tmp_path: Path, block: int) -> None:
    """A stray byte in a text far into a slice: "is not UTF-8" at the byte's line, not at the
    slice's first line."""
    data = _chatlog([_item(i) for i in range(40)]).encode()
    data = data.replace("消息 33 ".encode(), b"\xff 33 ", 1)
    p = tmp_path / "chatlog.json"
    p.write_bytes(data)
    got = _past_limit("wechat-chatlog", p, block)
    line = data[: data.index(b"\xff")].count(b"\n") + 1
    assert got[0] == "error" and [t for _, t in got[2]] == ["is not UTF-8"]
    assert f"line={line}, col=None" in got[2][0][0]
