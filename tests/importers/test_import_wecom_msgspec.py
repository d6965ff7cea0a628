"""WeCom chat archives (JSON Lines) read a line at a time by msgspec
(:func:`sqops.importers.wecom._frame`) give exactly what the per-line Python code gives
(``_jsonvec.ENABLED = False``), on files written byte by byte: keys twice (Python keeps the
last), keys spelled with escapes (``"\\u0066rom"``), the read keys nested in other objects or
inside texts, values of every JSON type where a text or a number is read, integers past 64
bits, escapes and lone surrogates in texts, blank and white-space lines, CRLF, a byte-order
mark, lines that are not objects or not JSON, group-details records among the messages, zones
other than UTC; whole and streamed in chunks.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from _import_checks import same_import
from sqops.errors import SqopsError
from sqops.importers import _jsonvec, import_files


def _run(path: Path, tz: str):
    try:
        return import_files("wecom", [path], tz=tz)
    except SqopsError as exc:
        return ("error", str(exc), [(str(p.where), p.text.get("en")) for p in exc.problems])


def _both(path: Path, tz: str, *, streamed: bool) -> tuple[object, object, int]:
    """(the import as it runs, the per-line Python import, rows added in bulk)."""
    bulk: list[int] = []
    add = _jsonvec.add_messages

    def counting(ctx, frame):
        bulk.append(frame.height)
        add(ctx, frame)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_jsonvec, "add_messages", counting)
        if streamed:  # past WHOLE_BELOW: from the file, a few lines a chunk
            mp.setattr(_jsonvec, "WHOLE_BELOW", 0)
            mp.setattr(_jsonvec, "CHUNK", 300)
        fast = _run(path, tz)
        mp.setattr(_jsonvec, "ENABLED", False)
        slow = _run(path, tz)
    return fast, slow, sum(bulk)


# --------------------------------------------------------------------------- writing lines


def _key(name: str, spelling: int) -> str:
    """``name`` as a JSON key: plain, or with a letter written as an escape."""
    if spelling == 0 or not name:
        return json.dumps(name)
    i = spelling % len(name)
    return '"' + name[:i] + f"\\u{ord(name[i]):04x}" + name[i + 1 :] + '"'


_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=6
) | st.sampled_from(
    ["你好", "", "多行\n第二行", "😀 👩🏻\u200d⚖️", '"from":"x"', "\\", "wmA", "recall"]
)
#: a raw JSON text with escapes a writer may use (\\u for any character, pairs, a lone one)
_ESCAPED = st.sampled_from(
    ['"\\u4f60\\u597d"', '"\\ud83d\\ude00"', '"a\\ud800b"', '"\\ude00"', '"x\\"y"', '"\\/\\t"']
)
_ANY = st.one_of(
    st.none().map(json.dumps),
    st.booleans().map(json.dumps),
    st.integers(-(2**70), 2**70).map(json.dumps),
    st.sampled_from(["1797732000000", "1797732000", "-5", "10000000000000", "1.5", "1e3"]),
    st.floats(allow_nan=False, allow_infinity=False).map(json.dumps),
    _TEXT.map(lambda t: json.dumps(t, ensure_ascii=False)),
    _ESCAPED,
    st.just('["x"]'),
    st.just('{"content":"嵌套","from":"wmZ","msgid":"n1"}'),
    st.just("NaN"),
)
#: a body as exports write it (a text escaped or not), and one of any shape
_BODY = st.tuples(_TEXT, st.sampled_from([False] * 4 + [True])).map(
    lambda t: json.dumps({"content": t[0]}, ensure_ascii=t[1])
)
_ODD_BODY = st.one_of(
    _ESCAPED.map(lambda e: '{"content":' + e + "}"),
    _ANY.map(lambda v: '{"content":' + v + "}"),
    st.just('{"content":"a","content":"b"}'),
    st.just('{"title":"活动","link_url":"https://x"}'),
    st.just('{"content":"x","from":"wmZ"}'),
    st.just("{}"),
    _ANY,
)
_NORMAL: dict[str, st.SearchStrategy[str]] = {
    "msgid": st.integers(0, 30).map(lambda i: json.dumps(f"m{i}")) | st.just('""'),
    "action": st.sampled_from(['"send"'] * 6 + ['"recall"', '"switch"', '""']),
    "from": st.sampled_from(['"wmA"', '"woB"', '"staff1"', '"张三"'] * 2 + ['""']),
    "roomid": st.sampled_from(['"wrR1"', '"wrR2"'] * 4 + ['""']),
    "msgtime": st.one_of(
        st.integers(1797732000000, 1797742000000).map(str),
        st.integers(1797732000000, 1797742000000).map(str),
        st.sampled_from(["1797732000", "-5", "10000000000000"]),
    ),
    "msgtype": st.sampled_from(
        ['"text"', '"text"', '"markdown"', '"link"', '"news"', '"image"', '"revoke"', '"x"']
    ),
    "text": _BODY,
    "markdown": _BODY,
    "link": st.just('{"title":"活动","link_url":"https://x"}') | _BODY,
}


@st.composite
def _record(draw) -> str:
    """One line: a message's keys, each sometimes missing, of another JSON value, written
    twice or with an escape; extra keys; sometimes not a message at all."""
    kind = draw(st.integers(0, 40))
    if kind == 0:
        return draw(st.sampled_from(["", "   ", "\t", "\u3000", "\x0c"]))  # blank to Python
    if kind == 1:
        return draw(st.sampled_from(['{"msgid":"x" broken', "[1, 2]", '"text"', "5", "{}"]))
    if kind == 2:  # group details among the messages
        return (
            '{"group_chat":{"chat_id":"wrR1","owner":"staff1","member_list":[{"userid":"wmA",'
            '"type":2,"join_time":1797732000,"join_scene":1}]}}'
        )
    pairs: list[tuple[str, str]] = []
    odd = draw(st.sampled_from([0.0] * 6 + [0.1, 0.4]))
    for name, value in _NORMAL.items():
        roll = draw(st.floats(0, 1))
        if roll < odd / 3 or (name in ("markdown", "link") and roll < 0.7):
            continue
        other = _ODD_BODY if name in ("text", "markdown", "link") else _ANY
        raw = draw(other) if roll < 2 * odd / 3 else draw(value)
        spelling = draw(st.integers(0, 3)) if draw(st.floats(0, 1)) < odd / 2 else 0
        pairs.append((_key(name, spelling), raw))
        if draw(st.floats(0, 1)) < odd / 3:  # twice: the last wins
            pairs.append((_key(name, draw(st.integers(0, 3))), draw(st.one_of(value, _ANY))))
    if draw(st.floats(0, 1)) < max(odd, 0.05):
        extra = draw(st.sampled_from(["tolist", "revoke", "member_list", "group_chat", "t"]))
        pairs.append((json.dumps(extra), draw(_ANY)))
    if draw(st.booleans()):
        pairs = draw(st.permutations(pairs))
    sep = draw(st.sampled_from([":", ": "]))
    return "{" + ",".join(f"{k}{sep}{v}" for k, v in pairs) + "}"


@st.composite
def _archive(draw) -> bytes:
    lines = draw(st.lists(_record(), min_size=2, max_size=25))
    lines[0] = (
        '{"msgid":"first","action":"send","from":"wmA","roomid":"wrR1","msgtime":1797732000000,"msgtype":"text","text":{"content":"hi"}}'
    )
    lines.insert(1, lines[0].replace("first", "second"))  # (a JSON Lines file)
    end = draw(st.sampled_from(["\n", "\r\n"]))
    text = end.join(lines) + draw(st.sampled_from([end, "", end + end]))
    bom = b"\xef\xbb\xbf" if draw(st.integers(0, 9)) == 0 else b""
    return bom + text.encode("utf-8")


_TZ = st.sampled_from(["Asia/Shanghai", "Europe/London", "America/New_York", "UTC"])


@given(data=_archive(), tz=_TZ, streamed=st.booleans())
@example(
    data=(
        b'{"msgid":"a","action":"send","\\u0066rom":"alice","from":"bob","roomid":"r",'
        b'"msgtime":1797732000000,"msgtype":"text","text":{"content":"x"}}\n'
        b'{"msgid":"b","action":"send","from":"carol","roomid":"r","msgtime":1797732001000,'
        b'"msgtype":"text","text":{"content":"y"}}\n'
    ),
    tz="UTC",
    streamed=False,
)
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_wecom_lines_as_the_python_code(tmp_path_factory, data, tz, streamed):
    path = tmp_path_factory.mktemp("wecom") / "archive.jsonl"
    path.write_bytes(data)
    fast, slow, _ = _both(path, tz, streamed=streamed)
    same_import(fast, slow)


# --------------------------------------------------------------------------- by hand


def _line(msgid: str, sender: str, ms: int, text: str = "x", extra: str = "") -> str:
    return (
        f'{{"msgid":"{msgid}","action":"send","from":"{sender}"{extra},"roomid":"wrR1",'
        f'"msgtime":{ms},"msgtype":"text","text":{{"content":"{text}"}}}}'
    )


@pytest.mark.parametrize("streamed", [False, True])
def test_a_key_written_with_an_escape_is_the_same_key(tmp_path, streamed):
    """``"\\u0066rom"`` is ``from``: of the two, Python keeps the last (``bob``); polars'
    reader kept the first (``alice``) and the byte counts that checked it did not see the
    escaped one (main at 620fac3 wrote ``alice``)."""
    first = _line("a", "alice", 1797732000000).replace('"from"', '"\\u0066rom"')
    first = first.replace('"roomid"', '"from":"bob","roomid"')
    p = tmp_path / "a.jsonl"
    p.write_text(first + "\n" + _line("b", "carol", 1797732001000) + "\n", encoding="utf-8")
    fast, slow, bulk = _both(p, "Asia/Shanghai", streamed=streamed)
    same_import(fast, slow)
    # two lines, two messages: a by bob (the last of its two from keys), b by carol
    assert fast.tables["messages"]["member_id"].to_list() == ["bob", "carol"]
    assert bulk == 2


def test_an_odd_line_leaves_the_rest_of_its_chunk_in_bulk(tmp_path):
    """A line msgspec does not read as a message (a number where a text is read, an integer
    past 64 bits, a body that is not an object, NaN, a blank line of U+3000, a record without
    msgid) is
    the Python code's; the other lines of its chunk stay in bulk."""
    lines = [_line(f"m{i}", "wmA", 1797732000000 + i * 1000) for i in range(10)]
    lines[2] = lines[2].replace('"from":"wmA"', '"from":5')  # Python: member "5"
    lines[4] = lines[4].replace("1797732004000", "1" + "0" * 22)  # orjson: a float
    lines[5] = lines[5].replace('{"content":"x"}', '"x"')  # a text, not an object: no content
    lines[6] = lines[6].replace("1797732006000", "NaN")  # Python: cannot read msgtime
    lines[7] = "\u3000"  # blank to Python
    lines[8] = lines[8].replace('"msgid":"m8"', '"msg":"m8"')  # neither kind of record
    p = tmp_path / "a.jsonl"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    fast, slow, bulk = _both(p, "Asia/Shanghai", streamed=False)
    same_import(fast, slow)
    assert bulk == 4  # lines 1, 2, 4 and 10 (m0, m1, m3, m9): the other six are Python's
    msgs = fast.tables["messages"]
    assert msgs["msg_id"].to_list() == ["m0", "m1", "m2", "m3", "m5", "m9"]
    assert msgs.filter(msgs["msg_id"] == "m2")["member_id"].to_list() == ["5"]
    assert msgs.filter(msgs["msg_id"] == "m5")["content"].to_list() == [None]
    # m4: its msgtime a float past the range read (skipped), m6: NaN (skipped), line 9
    assert [p.where.line for p in fast.problems] == [5, 7, 9]


def test_a_file_not_utf8_past_the_first_chunk_is_read_by_the_decoding_policy(tmp_path):
    """Streamed from the file, the whole file is checked to be UTF-8 before anything is
    added: GB18030 bytes in a late chunk send the file to the decoding policy, as the
    encoding check of the whole file did (nothing added twice)."""
    lines = [_line(f"m{i}", "wmA", 1797732000000 + i * 1000, "早上好") for i in range(40)]
    text = "\n".join(lines) + "\n" + _line("gb", "wmA", 1797732100000, text="你好") + "\n"
    p = tmp_path / "a.jsonl"
    p.write_bytes(text.encode("gb18030"))
    fast, slow, bulk = _both(p, "Asia/Shanghai", streamed=True)
    same_import(fast, slow)
    assert bulk == 0  # (read by the Python code, decoded as GB18030)
    assert fast.tables["messages"]["content"].to_list()[-1] == "你好"
    assert fast.counts["messages"] == 41


def test_the_bench_archive_goes_in_bulk(tmp_path):
    """The shape ``benchmarks/bench_import.py`` writes: every line in bulk but the link
    texts, which are scattered in from the Python reading of their lines."""
    import sys

    sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
    try:
        from bench_import import make_wecom
    finally:
        sys.path.pop(0)
    p = make_wecom(1200, tmp_path)
    fast, slow, bulk = _both(p, "Asia/Shanghai", streamed=True)
    same_import(fast, slow)
    assert bulk == 1200  # (1,200 lines, all ordinary messages, recalls and links)


@pytest.mark.parametrize("streamed", [False, True])
def test_an_odd_line_of_crlf_is_read_without_its_cr(tmp_path, streamed):
    """A line msgspec refuses in a CR LF file is given to the Python code without the CR of
    its line end, as split_lines gives it: line 2, a text left open, is "Unterminated string"
    (with the CR, json reads the CR inside the string: "Invalid control character")."""
    lines = [_line(f"m{i}", "wmA", 1797732000000 + i * 1000) for i in range(3)]
    lines[1] = lines[1][: lines[1].index('"content":"') + len('"content":"x')]  # (open)
    p = tmp_path / "a.jsonl"
    p.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    fast, slow, bulk = _both(p, "Asia/Shanghai", streamed=streamed)
    same_import(fast, slow)
    assert bulk == 2  # m0 and m2; line 2 is the Python code's
    assert [(p.where.line, p.text.get("en")) for p in fast.problems] == [
        (2, "JSON syntax error: Unterminated string starting at")
    ]


def test_a_file_utf8_until_a_late_chunk_adds_nothing_before_its_check(tmp_path):
    """The case the test above names but does not make (its every line is GB18030, so its
    first chunk is not UTF-8 either): 40 ASCII lines (several chunks of 300 bytes, read and
    decoded before the last) and one GB18030 line at the end. The whole-file check fails,
    the file goes to the decoding policy, and the chunks decoded before are not added: 41
    messages, as the Python code reads them, none added in bulk (adding the first chunks
    before the check's answer gives them twice, counted as duplicates)."""
    lines = [_line(f"m{i}", "wmA", 1797732000000 + i * 1000) for i in range(40)]
    text = "\n".join(lines) + "\n" + _line("gb", "wmA", 1797732100000, text="你好") + "\n"
    data = text.encode("gb18030")
    assert data[: -len(lines[0])].isascii() and not data.isascii()  # (only the last line)
    p = tmp_path / "a.jsonl"
    p.write_bytes(data)
    fast, slow, bulk = _both(p, "Asia/Shanghai", streamed=True)
    same_import(fast, slow)
    assert bulk == 0
    assert fast.counts["messages"] == 41
    assert fast.tables["messages"]["content"].to_list()[-1] == "你好"
