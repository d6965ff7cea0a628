"""JSON exports read a slice of their messages at a time (:mod:`sqops.importers._jsonstream`:
a Telegram single-chat export, a DiscordChatExporter JSON, a chatlog JSON array past 256 MiB,
and past 1 GiB, which the whole reading refuses) give exactly what the whole reading gives:
the fixtures and documents written byte by byte, cut into slices of every size; the cut
landing inside a text or a nested array; keys after the array; a key written twice; bytes that
are not UTF-8; invalid JSON (the whole reading's error); a file over the 1 GiB limit.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from _import_checks import same_import
from importers.test_import_json_msgspec import _SETTINGS, _TZ, _chatlog, _discord, _run, _telegram
from sqops.errors import InputError
from sqops.importers import _base, _jsonstream, import_files

FIXTURES = Path(__file__).parent / "fixtures"


def _sliced(fmt: str, path: Path, tz: str, block: int) -> tuple[object, int]:
    """The import with every document read in slices of about ``block`` bytes, and how many
    slices were read."""
    count = 0
    slices = _jsonstream.slices

    def counted(lay, decoder):
        nonlocal count
        for piece in slices(lay, decoder):
            count += 1
            yield piece

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_jsonstream, "STREAM_BYTES", -1)
        mp.setattr(_jsonstream, "BLOCK", block)
        mp.setattr(_jsonstream, "slices", counted)
        got = _run(fmt, path, tz)
    return got, count


def _same(fmt: str, path: Path, tz: str, block: int) -> int:
    whole = _run(fmt, path, tz)
    sliced, count = _sliced(fmt, path, tz, block)
    same_import(sliced, whole)
    return count


@pytest.mark.parametrize(
    ("fmt", "name"),
    [
        ("telegram", "telegram_chat.json"),
        ("discord", "discord.json"),
        ("wechat-chatlog", "wechat_chatlog.json"),
    ],
)
@pytest.mark.parametrize("tz", ["Asia/Shanghai", "Europe/London"])
def test_the_fixtures_in_slices_of_every_size(fmt: str, name: str, tz: str) -> None:
    path = FIXTURES / name
    counts = {_same(fmt, path, tz, block) for block in (1, 40, 150, 333, 1000, 1 << 20)}
    assert max(counts) > 3 and min(counts) == 1  # (many slices, and one)


def test_a_document_not_read_in_slices_is_read_whole() -> None:
    """An old single-chat export without ``type`` is read whole (a whole-account export is
    read in slices since session 18: test_import_json_large)."""
    for name in ("telegram_no_from_id.json",):
        whole = _run("telegram", FIXTURES / name, "Asia/Shanghai")
        sliced, count = _sliced("telegram", FIXTURES / name, "Asia/Shanghai", 100)
        same_import(sliced, whole)
        assert count == 0


_BLOCK = st.integers(1, 600)


@pytest.mark.fuzz
@_SETTINGS
@given(_telegram(), _TZ, _BLOCK)
def test_telegram_in_slices_as_whole(tmp_path_factory, doc, tz, block):
    p = tmp_path_factory.mktemp("tg") / "result.json"
    p.write_bytes(doc)
    _same("telegram", p, tz, block)


@pytest.mark.fuzz
@_SETTINGS
@given(_discord(), _TZ, _BLOCK)
def test_discord_in_slices_as_whole(tmp_path_factory, doc, tz, block):
    p = tmp_path_factory.mktemp("dc") / "export.json"
    p.write_bytes(doc)
    _same("discord", p, tz, block)


@pytest.mark.fuzz
@_SETTINGS
@given(_chatlog(), _TZ, _BLOCK)
def test_chatlog_in_slices_as_whole(tmp_path_factory, doc, tz, block):
    p = tmp_path_factory.mktemp("cl") / "chatlog.json"
    p.write_bytes(doc)
    whole = _run("wechat-chatlog", p, tz)
    assume(
        whole != ("KeyError",)
    )  # (the whole dict reading's known failure: test_import_json_msgspec)
    sliced, _ = _sliced("wechat-chatlog", p, tz, block)
    same_import(sliced, whole)


def _tg(*messages: str, after: str = "") -> bytes:
    body = ",\n  ".join(messages)
    return (
        '{\n "name": "Skin Lab",\n "type": "private_supergroup",\n "id": 15,\n'
        f' "messages": [\n  {body}\n ]{after}\n}}\n'
    ).encode()


def _msg(i: int, text: str = '"hi"') -> str:
    return (
        f'{{"id": {i}, "type": "message", "date": "2026-12-10T10:0{i % 10}:00", '
        f'"date_unixtime": "{1796868000 + i}", "from": "Ana", "from_id": "user{i % 3}", '
        f'"text": {text}}}'
    )


def test_cuts_inside_texts_and_nested_arrays_are_not_taken(tmp_path: Path) -> None:
    """A text holding ``}, {`` and a text that is a list of objects: the separator pattern
    is found inside them, and such a cut never decodes — every block size gives the whole."""
    doc = _tg(
        _msg(1, '"a}, {b"'),
        _msg(2, '["x", {"type": "bold", "text": "y"}, {"type": "plain", "text": "}, {"}]'),
        _msg(3, '"\\"}, {\\""'),
        _msg(4),
    )
    p = tmp_path / "result.json"
    p.write_bytes(doc)
    for block in (*range(1, 120), *range(120, len(doc) + 2, 7)):
        _same("telegram", p, "Asia/Shanghai", block)


@pytest.mark.parametrize(
    "text",
    ['"\\ud83d"', '"a\\udc00b"', "NaN", "Infinity", '[{"type": "bold", "text": "\\ud800"}]'],
)
def test_values_msgspec_refuses_are_read_as_whole(tmp_path: Path, text: str) -> None:
    """A lone surrogate escape (a text cut inside an emoji) or NaN, in a slice after the
    first: msgspec refuses it, the whole reading's later parsers read it — so do the slices."""
    doc = _tg(*(_msg(i) for i in range(1, 4)), _msg(4, text), _msg(5))
    p = tmp_path / "result.json"
    p.write_bytes(doc)
    for block in (1, 60, 400, 1 << 20):
        assert _same("telegram", p, "Asia/Shanghai", block) > 0


@pytest.mark.parametrize("depth", [900, 1020, 1022, 1100])
def test_nesting_is_refused_where_the_whole_reading_refuses_it(tmp_path: Path, depth: int) -> None:
    """A slice is decoded as deep as its items lie in the document: the parsers' nesting
    limits refuse the same documents."""
    deep = "[" * depth + "1" + "]" * depth
    doc = _tg(_msg(1), _msg(2, deep), _msg(3))
    p = tmp_path / "result.json"
    p.write_bytes(doc)
    for block in (50, 1 << 20):
        _same("telegram", p, "Asia/Shanghai", block)


def test_items_indented_alike_at_every_depth(tmp_path: Path) -> None:
    """An exporter that indents nested objects as its items (every object on a line of its
    own, at the same indentation): its separators are tried first and fail inside a nested
    list; the comma at the array's own level (brackets counted outside texts, escaped
    quotes too) is taken instead."""
    nested = (
        '["x",\n  {"type": "bold", "text": "a \\"}, {\\" b"},\n  {"type": "plain", "text": "y"}]'
    )
    doc = _tg(_msg(1), _msg(2, nested), _msg(3), _msg(4, nested), _msg(5))
    p = tmp_path / "result.json"
    p.write_bytes(doc)
    for block in (*range(1, 60), 200, 400, 1 << 20):
        _same("telegram", p, "Asia/Shanghai", block)


def test_the_top_level_commas() -> None:
    """The commas at the array's own level, against the items Python's json finds."""
    import json

    items = [{"a": [1, {"b": "},{"}]}, 'x\\"y,', [[], {}], {"c": "\\"}, 3]
    text = ",".join(json.dumps(i) for i in items).encode()
    commas = _jsonstream._top_commas(text).tolist()
    pieces = [text[a + 1 : b] for a, b in zip([-1, *commas], [*commas, len(text)], strict=True)]
    assert [json.loads(x) for x in pieces] == items


def test_a_file_without_line_ends_is_checked_in_blocks(tmp_path: Path) -> None:
    """The pre-check of a file's UTF-8 and keys reads a block at a time, cut before a
    character, also when the file has no line end (a minified chatlog array)."""
    items = [
        f'{{"seq": {i}, "time": "2026-12-03T10:00:00+08:00", "talker": "98765@chatroom", '
        f'"sender": "wxid_{i % 3}", "senderName": "阿青😀", "type": 1, "content": "你好 messages"}}'
        for i in range(60)
    ]
    p = tmp_path / "chatlog.json"
    p.write_bytes(("[" + ",".join(items) + "]").encode())
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_jsonstream, "BLOCK", 101)
        assert _jsonstream._plain(p, None)
        assert _jsonstream._plain(p, "content") is False  # (60 keys "content")
    for block in (1, 101, 999):
        assert _same("wechat-chatlog", p, "Asia/Shanghai", block) > 0


def test_keys_after_the_array(tmp_path: Path) -> None:
    """Keys after the array, one an array itself (a later exporter's): its "]" is not taken
    for the messages' end."""
    for after in (
        ',\n "messageCount": 2,\n "extra": [1, [2, "]"]]',
        ', "x": [[],[],[],[],[],[],[],[],[],[],[]]',
    ):
        doc = _tg(_msg(1), _msg(2), _msg(3, '"messages"'), after=after)
        p = tmp_path / "result.json"
        p.write_bytes(doc)
        for block in (1, 50, 500):
            assert _same("telegram", p, "Asia/Shanghai", block) > 0


@pytest.mark.parametrize("key", ['"messages"', '"messa\\u0067es"'])
def test_the_key_twice_is_read_whole(tmp_path: Path, key: str) -> None:
    """``messages`` written twice (the second maybe with an escape): decoders keep the
    last; the file is read whole."""
    doc = _tg(_msg(1), after=f",\n {key}: [" + _msg(2) + "]")
    p = tmp_path / "result.json"
    p.write_bytes(doc)
    whole = import_files("telegram", [p])
    assert whole.counts["messages"] == 1
    sliced, count = _sliced("telegram", p, "Asia/Shanghai", 50)
    same_import(sliced, whole)
    assert count == 0


def test_bytes_not_utf8_are_read_whole(tmp_path: Path) -> None:
    """A chatlog array in GB18030: the whole reading's decoding policy reads it."""
    doc = (
        '[\n{"seq": 1, "time": "2026-12-03T10:00:00+08:00", "talker": "98765@chatroom", '
        '"sender": "wxid_0", "senderName": "阿青", "type": 1, "content": "你好"}\n]\n'
    ).encode("gb18030")
    p = tmp_path / "chatlog.json"
    p.write_bytes(doc)
    sliced, count = _sliced("wechat-chatlog", p, "Asia/Shanghai", 50)
    same_import(sliced, _run("wechat-chatlog", p, "Asia/Shanghai"))
    assert count == 0


def test_invalid_json_is_the_whole_readings_error(tmp_path: Path) -> None:
    """A missing comma between two items far into the array: the same error, at the same
    place, as the whole reading gives."""
    doc = _tg(*(_msg(i) for i in range(1, 6))).replace(b'"}},\n  {"id": 4', b'"}}\n  {"id": 4')
    doc = doc.replace(b'"hi"},\n  {"id": 4', b'"hi"}\n  {"id": 4')
    p = tmp_path / "result.json"
    p.write_bytes(doc)
    whole = _run("telegram", p, "Asia/Shanghai")
    assert whole[0] == "error"
    for block in (1, 100, 400):
        sliced, _ = _sliced("telegram", p, "Asia/Shanghai", block)
        assert sliced == whole


def test_past_the_whole_readings_limit(tmp_path: Path) -> None:
    """Past the 1 GiB limit (made small here) a single-chat export is read in slices, every
    message, so is a whole-account export (refused before session 18); an array broken
    there is an error naming the line."""
    doc = _tg(*(_msg(i) for i in range(1, 40)))
    p = tmp_path / "result.json"
    p.write_bytes(doc)
    expected = import_files("telegram", [p])
    whole_full = import_files("telegram", [FIXTURES / "telegram_full.json"])
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_base, "MAX_BYTES", 100)
        mp.setattr(_jsonstream, "STREAM_BYTES", 50)
        mp.setattr(_jsonstream, "BLOCK", 300)
        same_import(import_files("telegram", [p]), expected)
        full = FIXTURES / "telegram_full.json"
        same_import(import_files("telegram", [full]), whole_full)
        broken = doc.replace(b'"hi"},\n  {"id": 30', b'"hi"}\n  {"id": 30')
        assert broken != doc
        p.write_bytes(broken)
        with pytest.raises(InputError) as err:
            import_files("telegram", [p])
        problem = err.value.problems[0]
        # (the whole reading's error: item 30's line and column, a "," expected before it)
        assert problem.text.get("en") == "JSON syntax error: Expecting ',' delimiter"
        assert (problem.where.line, problem.where.col) == (5 + 30, 3)
    whole = _run("telegram", p, "Asia/Shanghai")
    assert whole[2] == [(str(problem.where), problem.text.get("en"))]
