"""Chatlog JSON past 256 MiB read a part at a time, and past 1 GiB, which the whole reading
refuses (#19 item 2, session 18): JSON Lines a block of lines at a time
(:func:`sqops.importers.wechat._chatlog_lines`) give exactly what the whole text gives — the
fixture's items and lines written by hand, blocks of every size; lines that are not JSON
(their problems first, as the whole reading lists them), blank lines, CR LF and lone CR,
U+2028 inside a text (``str.splitlines`` breaks it as the whole reading does), a byte-order
mark; a file not UTF-8 is read whole; past 1 GiB a NUL or a byte not UTF-8 names its line.
The thresholds are made small here, as in ``test_import_json_slices``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from _import_checks import same_import
from importers.test_import_json_msgspec import _CHATLOG, _SETTINGS, _TZ, _fields, _obj, _run
from importers.test_import_json_slices import _same as _same_slices
from importers.test_import_json_slices import _sliced
from sqops.errors import InputError
from sqops.importers import _base, _jsonstream, _jsonvec, import_files

FIXTURES = Path(__file__).parent / "fixtures"


def _in_blocks(path: Path, tz: str, block: int) -> tuple[object, int]:
    """The chatlog import with every file past 0 bytes read a part at a time, JSON Lines in
    blocks of about ``block`` bytes; and how many blocks were read."""
    count = 0
    chunks = _jsonvec.chunks

    def counted(*args, **kwargs):
        nonlocal count
        for piece in chunks(*args, **kwargs):
            count += 1
            yield piece

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_jsonstream, "STREAM_BYTES", -1)
        mp.setattr(_jsonvec, "CHUNK", block)
        mp.setattr(_jsonvec, "chunks", counted)
        got = _run("wechat-chatlog", path, tz)
    return got, count


def _same(path: Path, tz: str, block: int) -> int:
    whole = _run("wechat-chatlog", path, tz)
    parts, count = _in_blocks(path, tz, block)
    same_import(parts, whole)
    return count


def _fixture_lines() -> list[str]:
    items = json.loads((FIXTURES / "wechat_chatlog.json").read_text(encoding="utf-8"))
    return [json.dumps(item, ensure_ascii=False) for item in items]


def _write(tmp_path: Path, text: str | bytes, name: str = "chatlog.jsonl") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode() if isinstance(text, str) else text)
    return p


@pytest.mark.parametrize("tz", ["Asia/Shanghai", "Europe/London"])
def test_the_fixture_as_json_lines_in_blocks_of_every_size(tmp_path: Path, tz: str) -> None:
    p = _write(tmp_path, "\n".join(_fixture_lines()) + "\n")
    counts = {_same(p, tz, block) for block in (1, 40, 150, 333, 1000, 1 << 20)}
    assert max(counts) > 3 and min(counts) == 1


def test_odd_lines_in_blocks(tmp_path: Path) -> None:
    """Lines that are not JSON (one in the middle of a block, one at its end), blank lines,
    items that are no message, CR LF, a lone CR, U+2028 and U+0085 in a text, a byte-order
    mark: the same rows, problems (the lines not JSON first) and line numbers."""
    lines = _fixture_lines()
    lines[3] = lines[3][:-1]  # (a syntax error)
    lines.insert(6, "   ")
    lines.insert(8, "[1, 2]")
    lines.insert(9, '{"time": "2026-12-03T10:00:00+08:00"}')
    lines[10] = lines[10].replace("，", "\u2028").replace("？", "\u0085")
    text = "\ufeff" + "\r\n".join(lines[:12]) + "\r" + "\n".join(lines[12:]) + "\n{oops\n"
    p = _write(tmp_path, text)
    whole = import_files("wechat-chatlog", [p], tz="Asia/Shanghai")
    assert whole.counts["skipped"] >= 4
    # (blocks of 3 bytes at least: vec.chunks drops the mark from the first block)
    for block in (*range(3, 90, 7), 200, 400, 1 << 20):
        _same(p, "Asia/Shanghai", block)


def test_no_line_read_is_the_whole_readings_error(tmp_path: Path) -> None:
    for text in ('{"a": 1}\n{"b": 2}\n', "{oops\n{\n", '{"x": 1}\n\n{"time": 1}\n'):
        p = _write(tmp_path, text)
        whole = _run("wechat-chatlog", p, "Asia/Shanghai")
        for block in (1, 5, 1000):
            parts, count = _in_blocks(p, "Asia/Shanghai", block)
            assert count > 0
            same_import(parts, whole)


def test_a_line_break_before_the_first_brace_only(tmp_path: Path) -> None:
    """``\\n{`` only in the white space before the document: one object (the whole reading
    strips that space first), not JSON Lines — read as the whole reading reads it."""
    p = _write(tmp_path, '\n\n{"items": [' + ", ".join(_fixture_lines()) + "]}")
    parts, count = _in_blocks(p, "Asia/Shanghai", 100)
    assert count == 0
    same_import(parts, _run("wechat-chatlog", p, "Asia/Shanghai"))


def test_bytes_not_utf8_are_read_whole(tmp_path: Path) -> None:
    p = _write(tmp_path, "\n".join(_fixture_lines()).encode("gb18030"))
    parts, count = _in_blocks(p, "Asia/Shanghai", 100)
    assert count == 0
    same_import(parts, _run("wechat-chatlog", p, "Asia/Shanghai"))
    p = _write(tmp_path, "\n".join(_fixture_lines()[:3]) + "\n{\x00}\n")
    parts, count = _in_blocks(p, "Asia/Shanghai", 100)
    assert count == 0 and parts[0] == "error"
    assert parts == _run("wechat-chatlog", p, "Asia/Shanghai")


def test_json_lines_past_the_whole_readings_limit(tmp_path: Path) -> None:
    """Past the 1 GiB limit (made small here) JSON Lines are read in blocks, every line;
    a NUL or a byte not UTF-8 there is an error naming its line."""
    lines = _fixture_lines() * 4
    p = _write(tmp_path, "\n".join(lines) + "\n")
    expected = import_files("wechat-chatlog", [p], tz="Asia/Shanghai")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_base, "MAX_BYTES", 100)
        mp.setattr(_jsonstream, "STREAM_BYTES", 50)
        mp.setattr(_jsonvec, "CHUNK", 300)
        same_import(import_files("wechat-chatlog", [p], tz="Asia/Shanghai"), expected)
        for bad, said in ((b"\x00", "NUL character"), (b"\xff", "not UTF-8")):
            data = ("\n".join(lines[:20]) + "\n").encode() + b'{"a": "' + bad + b'"}\n'
            p.write_bytes(data + ("\n".join(lines[20:]) + "\n").encode())
            with pytest.raises(InputError, match=said) as err:
                import_files("wechat-chatlog", [p], tz="Asia/Shanghai")
            assert err.value.problems[0].where.line == 21


_LINE_END = st.sampled_from(["\n", "\r\n", "\r", "\n\n", "\u2028", "\n  \n"])


@st.composite
def _json_lines(draw) -> bytes:
    lines = draw(
        st.lists(
            _fields(_CHATLOG, odd=0.1).map(_obj)
            | st.sampled_from(["{oops", "[1]", "{}", '"text"', '{"time": 1, "talker": 2']),
            min_size=2,
            max_size=25,
        )
    )
    lines[0] = _obj(draw(_fields(_CHATLOG, odd=0.1)))  # (a text starting with "{")
    text = "".join(line + draw(_LINE_END) for line in lines[:-1]) + lines[-1]
    return (text + draw(st.sampled_from(["", "\n"]))).encode()


@pytest.mark.fuzz
@_SETTINGS
@given(_json_lines(), _TZ, st.integers(1, 600))
def test_json_lines_in_blocks_as_whole(tmp_path_factory, doc, tz, block):
    p = tmp_path_factory.mktemp("cl") / "chatlog.jsonl"
    p.write_bytes(doc)
    _same(p, tz, block)


# --------------------------------------------------------------------------- under "items"


def _object(lines: list[str], key: str = "items", before: str = "", after: str = "") -> str:
    body = ",\n    ".join(lines)
    return f'{{\n  "talker": "98765@chatroom",{before}\n  "{key}": [\n    {body}\n  ]{after}\n}}\n'


@pytest.mark.parametrize("key", ["items", "messages", "data"])
@pytest.mark.parametrize("tz", ["Asia/Shanghai", "Europe/London"])
def test_the_fixture_under_a_key_in_slices_of_every_size(tmp_path: Path, key: str, tz: str):
    p = _write(tmp_path, _object(_fixture_lines(), key), "chatlog.json")
    counts = {
        _same_slices("wechat-chatlog", p, tz, block) for block in (1, 40, 150, 333, 1000, 1 << 20)
    }
    assert max(counts) > 3 and min(counts) == 1


def test_odd_items_and_keys_around_the_list(tmp_path: Path) -> None:
    """Items that are no message or lack a field, a value msgspec refuses, keys after the
    list (one an array), the list's key written in another case, or a key of another list
    name holding no list before it: the same as the whole reading, in slices."""
    lines = _fixture_lines()
    lines[2] = "[1, 2]"
    lines[4] = '{"time": "2026-12-03T10:00:00+08:00", "content": "\\ud83d"}'
    lines[6] = lines[6].replace('"seq": ', '"seq": 1e400, "x": ')
    for before, after in (
        ("", ',\n  "total": 12,\n  "more": [1, [2, "]"]]'),
        ('\n  "data": "none",\n  "Messages": null,', ""),
    ):
        p = _write(tmp_path, _object(lines, before=before, after=after), "chatlog.json")
        for block in (1, 60, 400, 1 << 20):
            assert _same_slices("wechat-chatlog", p, "Asia/Shanghai", block) > 0


@pytest.mark.parametrize(
    "before",
    [
        '\n  "Items": [],',  # (another spelling holding a list first: the whole reading's)
        '\n  "items": [],',  # (the key twice)
        '\n  "x": "\\u0069tems",',  # (an escaped letter: a key could be spelled so)
    ],
)
def test_an_object_the_slices_cannot_prove_is_read_whole(tmp_path: Path, before: str) -> None:
    p = _write(tmp_path, _object(_fixture_lines(), before=before), "chatlog.json")
    sliced, count = _sliced("wechat-chatlog", p, "Asia/Shanghai", 100)
    assert count == 0
    same_import(sliced, _run("wechat-chatlog", p, "Asia/Shanghai"))


def test_an_object_with_lines_starting_with_a_brace_is_json_lines(tmp_path: Path) -> None:
    """Items written at the line's start: the whole reading takes the text for JSON Lines
    (every line then fails), and so does the reading in parts."""
    text = '{"items": [\n' + ",\n".join(_fixture_lines()) + "\n]}\n"
    p = _write(tmp_path, text, "chatlog.json")
    whole = _run("wechat-chatlog", p, "Asia/Shanghai")
    for block in (1, 100, 1 << 20):
        parts, count = _in_blocks(p, "Asia/Shanghai", block)
        assert count > 0
        same_import(parts, whole)


def test_invalid_json_under_items_is_the_whole_readings_error(tmp_path: Path) -> None:
    lines = _fixture_lines()
    text = _object(lines).replace(lines[5] + ",", lines[5], 1)  # (a comma missing)
    p = _write(tmp_path, text, "chatlog.json")
    whole = _run("wechat-chatlog", p, "Asia/Shanghai")
    assert whole[0] == "error"
    for block in (1, 100, 400):
        sliced, _ = _sliced("wechat-chatlog", p, "Asia/Shanghai", block)
        assert sliced == whole
    p = _write(tmp_path, _object(lines).encode("gb18030"), "chatlog.json")
    sliced, count = _sliced("wechat-chatlog", p, "Asia/Shanghai", 100)
    assert count == 0
    same_import(sliced, _run("wechat-chatlog", p, "Asia/Shanghai"))


def test_items_past_the_whole_readings_limit(tmp_path: Path) -> None:
    """Past the 1 GiB limit (made small here) the list under ``items`` is read in slices;
    a missing comma there is the whole reading's error, at its line and column (characters:
    the items hold Chinese text)."""
    lines = _fixture_lines() * 3
    p = _write(tmp_path, _object(lines), "chatlog.json")
    expected = import_files("wechat-chatlog", [p], tz="Asia/Shanghai")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_base, "MAX_BYTES", 100)
        mp.setattr(_jsonstream, "STREAM_BYTES", 50)
        mp.setattr(_jsonstream, "BLOCK", 300)
        same_import(import_files("wechat-chatlog", [p], tz="Asia/Shanghai"), expected)
        broken = [*lines[:20], lines[20] + " " + lines[21], *lines[22:]]  # (no comma)
        p.write_text(_object(broken), encoding="utf-8")
        with pytest.raises(InputError) as err:
            import_files("wechat-chatlog", [p], tz="Asia/Shanghai")
        problem = err.value.problems[0]
        assert problem.text.get("en") == "JSON syntax error: Expecting ',' delimiter"
        assert problem.where.line == 4 + 20
        assert len(lines[20]) < len(lines[20].encode())
        assert problem.where.col == 6 + len(lines[20])  # (characters, as the whole reading)
    assert _run("wechat-chatlog", p, "Asia/Shanghai")[2] == [
        (str(problem.where), problem.text.get("en"))
    ]


# --------------------------------------------------------------------------- whole account


def _tg_msg(i: int, text: str = '"hi"') -> str:
    return (
        f'{{"id": {i}, "type": "message", "date": "2026-12-10T10:0{i % 10}:00", '
        f'"date_unixtime": "{1796868000 + i}", "from": "Ana", "from_id": "user{i % 3}", '
        f'"text": {text}}}'
    )


def _tg_chat(cid: int, kind: str, *messages: str, fields: str | None = None) -> str:
    body = ",\n     ".join(messages)
    own = fields if fields is not None else f'"name": "chat {cid}", "type": "{kind}", "id": {cid}, '
    return f'{{{own}"messages": [\n     {body}\n    ]}}'


def _account(*chats: str, left: str = "", extra: str = "") -> str:
    return (
        '{\n "about": "Here is the data you requested.",\n "personal_information": {"user_id": 1},'
        f'{extra}\n "chats": {{\n  "about": "chats",\n  "list": [\n   '
        + ",\n   ".join(chats)
        + f'\n  ]\n }},\n "left_chats": {{"about": "left", "list": [{left}]}}\n}}\n'
    )


@pytest.mark.parametrize("name", ["telegram_full.json", "telegram_account.json"])
def test_whole_account_fixtures_in_slices_of_every_size(name: str) -> None:
    """Each group's messages in slices, in turn; the chats that are not groups skipped and
    noted as before (their messages never read)."""
    counts = {
        _same_slices("telegram", FIXTURES / name, "Asia/Shanghai", block)
        for block in (1, 7, 40, 150, 333, 1 << 20)
    }
    assert min(counts) > 0


def test_whole_account_texts_that_look_like_structure(tmp_path: Path) -> None:
    """Texts holding brackets, ``"messages": [``, escaped quotes and runs of backslashes,
    a chat whose type comes after its messages, a personal chat and a left group: the same
    as the whole reading, whatever the block (the scan of the brackets is cut anywhere)."""
    tricky = [
        _tg_msg(1, '"] } ], \\"messages\\": [ {"'),
        _tg_msg(2, '"a \\\\\\\\\\" b \\\\\\\\"'),
        _tg_msg(3, '["x", {"type": "bold", "text": "]]}}"}]'),
        _tg_msg(4, '"\\\\"'),
    ]
    doc = _account(
        _tg_chat(10, "personal_chat", _tg_msg(9)),
        _tg_chat(11, "private_supergroup", *tricky),
        _tg_chat(12, "", _tg_msg(5), _tg_msg(6), fields='"name": "late", "id": 12, ')[:-1]
        + ', "type": "private_group"}',
        left=_tg_chat(13, "private_group", _tg_msg(7)),
    )
    p = _write(tmp_path, doc, "result.json")
    whole = import_files("telegram", [p], tz="Asia/Shanghai")
    assert whole.counts["messages"] == 7 and whole.counts["skipped_chats"] == 1
    for block in (*range(1, 40), 97, 400, 1 << 20):
        assert _same_slices("telegram", p, "Asia/Shanghai", block) > 0


@pytest.mark.parametrize(
    "shape",
    [
        "twice",  # (a chat's messages written twice: the last counts)
        "elsewhere",  # (an array under "messages" as deep elsewhere: not a chat's)
        "gb18030",
        "broken",
    ],
)
def test_whole_account_exports_the_slices_cannot_prove_are_read_whole(
    tmp_path: Path, shape: str
) -> None:
    chat = _tg_chat(11, "private_supergroup", _tg_msg(1), _tg_msg(2))
    extra = ""
    if shape == "twice":
        chat = chat[:-1] + ', "messages": [' + _tg_msg(3) + "]}"
    if shape == "elsewhere":
        extra = '\n "contacts": {"list": [{"messages": [1, 2]}]},'
    doc = _account(chat, extra=extra)
    if shape == "broken":
        doc = doc.replace("]}\n  ]", "}\n  ]", 1)  # (a chat's "]" missing)
    data = doc.encode("gb18030" if shape == "gb18030" else "utf-8")
    if shape == "gb18030":
        data = data.replace(b"Ana", "阿青".encode("gb18030"))
    p = _write(tmp_path, data, "result.json")
    sliced, count = _sliced("telegram", p, "Asia/Shanghai", 50)
    assert count == 0
    same_import(sliced, _run("telegram", p, "Asia/Shanghai"))


def test_invalid_json_in_a_chats_messages(tmp_path: Path) -> None:
    """A comma missing between two messages of the second group: the whole reading's error
    within 1 GiB; past it (made small here) the slices' error at its line and column."""
    msgs = [_tg_msg(i) for i in range(1, 9)]
    good = _account(_tg_chat(11, "private_supergroup", *msgs), _tg_chat(12, "private_group", *msgs))
    p = _write(tmp_path, good, "result.json")
    expected = import_files("telegram", [p], tz="Asia/Shanghai")
    bad = good[: good.rindex(msgs[4])] + good[good.rindex(msgs[4]) :].replace(
        msgs[4] + ",", msgs[4], 1
    )
    p = _write(tmp_path, bad, "result.json")
    whole = _run("telegram", p, "Asia/Shanghai")
    assert whole[0] == "error"
    for block in (1, 100, 400):
        assert _sliced("telegram", p, "Asia/Shanghai", block)[0] == whole
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_base, "MAX_BYTES", 100)
        mp.setattr(_jsonstream, "STREAM_BYTES", 50)
        mp.setattr(_jsonstream, "BLOCK", 300)
        p = _write(tmp_path, good, "result.json")
        same_import(import_files("telegram", [p], tz="Asia/Shanghai"), expected)
        p = _write(tmp_path, bad, "result.json")
        with pytest.raises(InputError) as err:
            import_files("telegram", [p], tz="Asia/Shanghai")
        problem = err.value.problems[0]
        assert problem.text.get("en") == "JSON syntax error: Expecting ',' delimiter"
        line = bad[: bad.rindex(msgs[5])].count("\n") + 1
        assert (problem.where.line, problem.where.col) == (line, 6)
    assert whole[2] == [(str(problem.where), problem.text.get("en"))]


@pytest.mark.parametrize("shape", ["personal", "left", "deep", "top-level messages"])
def test_a_chat_not_imported_is_decoded_all_the_same(tmp_path: Path, shape: str) -> None:
    """The messages of a chat that is not imported (not a group, or every chat when the
    export has a top-level ``messages`` list) are decoded all the same: JSON wrong there (a
    comma missing, nesting too deep) is the whole reading's error, never passed over; past
    1 GiB (made small here) it is the slices' error at its line."""
    msgs = [_tg_msg(i) for i in range(1, 5)]
    group = _tg_chat(11, "private_supergroup", *msgs)
    broken = _tg_chat(10, "personal_chat", msgs[0], msgs[1] + " " + msgs[2], msgs[3])
    if shape == "personal":
        doc = _account(broken, group)
    elif shape == "left":
        doc = _account(group, left=broken.replace("personal_chat", "saved_messages"))
    elif shape == "deep":
        doc = _account(_tg_chat(10, "personal_chat", "[" * 3000 + "]" * 3000), group)
    else:
        top = '\n "messages": [' + msgs[0] + '], "type": "private_group",'
        doc = _account(broken.replace("personal_chat", "private_group"), extra=top)
    p = _write(tmp_path, doc, "result.json")
    whole = _run("telegram", p, "Asia/Shanghai")
    assert whole[0] == "error"
    for block in (1, 100, 1 << 20):
        assert _sliced("telegram", p, "Asia/Shanghai", block)[0] == whole
    if shape == "deep":
        return
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_base, "MAX_BYTES", 100)
        mp.setattr(_jsonstream, "STREAM_BYTES", 50)
        mp.setattr(_jsonstream, "BLOCK", 300)
        with pytest.raises(InputError) as err:
            import_files("telegram", [p], tz="Asia/Shanghai")
    problem = err.value.problems[0]
    assert problem.text.get("en") == "JSON syntax error: Expecting ',' delimiter"
    assert problem.where.line == doc[: doc.index(msgs[1] + " ")].count("\n") + 1
    assert whole[2] == [(str(problem.where), problem.text.get("en"))]


def test_a_text_written_as_the_marker_takes_no_array(tmp_path: Path) -> None:
    """A chat whose ``messages`` is a text spelled as :func:`_jsonstream.mark` would give
    (without the nonce) lacks its list, as in the whole reading: it takes no other chat's
    array."""
    fake = _jsonstream._MARK.encode("unicode_escape").decode().replace("\\\\", "\\") + "0"
    chat = '{"name": "fake", "type": "private_group", "id": 9, "messages": "' + fake + '"}'
    msgs = [_tg_msg(i) for i in range(1, 5)]
    p = _write(tmp_path, _account(chat, _tg_chat(11, "private_group", *msgs)), "result.json")
    whole = _run("telegram", p, "Asia/Shanghai")
    assert [str(x.where.key) for x in whole.problems] == ["chats.list[0].messages"]
    for block in (1, 100, 1 << 20):
        assert _same_slices("telegram", p, "Asia/Shanghai", block) > 0
