"""The vectorised text readers (WhatsApp, QQ; issue #19 item 2): the pieces they share give
what the Python functions give, and a file read in small blocks (a message cut by a block's
end, a chat header in the next block) reads as in one piece."""

from __future__ import annotations

from datetime import datetime

import polars as pl
import pytest

import sqops.importers._text as text
from sqops.data.scalars import clean, get_tz, ts_text
from sqops.importers import import_files
from sqops.importers._base import _instant

WHATSAPP = (
    "31/12/2026, 21:15 - Ana: hello\n"
    "31/12/2026, 21:16 - Bea: first line\n"
    "second line\n"
    "\n"
    "third line after a blank one\n"
    "31/12/2026, 21:17 - Ana added Carla\n"
    "31/12/2026, 21:18 - : nameless\n"
    "31/12/2026, 21:19 - Carla: <Media omitted>\n"
)

QQ = (
    "消息分组:我的QQ群\n"
    "================\n"
    "消息对象:一群\n"
    "================\n"
    "\n"
    "2026-12-01 20:15:03 小林(10001)\n"
    "大家好\n"
    "\n"
    "2026-12-01 下午8:16:10 阿青<qing@example.com>\n"
    "[图片]\n"
    "\n"
    "================\n"
    "消息对象:二群\n"
    "================\n"
    "\n"
    "2026-12-02 09:00:00 系统消息(10000)\n"
    "小林 邀请 小红 加入了本群\n"
    "\n"
    "2026-12-02 09:01:00 小红(10003)\n"
    "谢谢\n"
    "第二行\n"
)


def _rows(result, table: str) -> list[dict]:
    return result.tables[table].to_dicts()


@pytest.mark.parametrize("block", [1 << 26, 40, 7])
def test_whatsapp_in_small_blocks_reads_as_in_one(tmp_path, monkeypatch, block):
    monkeypatch.setattr(text, "BLOCK", block)
    p = tmp_path / "WhatsApp Chat with Club.txt"
    p.write_text(WHATSAPP, encoding="utf-8")
    r = import_files("whatsapp", [p], tz="UTC")
    msgs = _rows(r, "messages")
    # 5 start lines, each one message (the "added" line a system message); Bea's body is
    # her 4 lines joined, the blank one kept inside
    assert [m["member_id"] for m in msgs] == [
        "name:Ana", "name:Bea", "system", "name:", "name:Carla",
    ]  # fmt: skip
    by_ts = {m["ts"][11:16]: m for m in msgs}
    assert by_ts["21:16"]["content"] == "first line\nsecond line\n\nthird line after a blank one"
    assert by_ts["21:17"]["member_id"] == "system"
    # an empty sender name stays an empty name, as Context.message keeps it
    assert by_ts["21:18"]["member_id"] == "name:" and by_ts["21:18"]["member_name"] == ""
    assert by_ts["21:19"]["msg_type"] == "other" and by_ts["21:19"]["content"] is None
    assert by_ts["21:15"]["ts"] == "2026-12-31T21:15:00+00:00"
    # the join of Carla, invited by Ana
    assert [(e["member_id"], e["event"], e["inviter_id"]) for e in _rows(r, "members")] == [
        ("name:Carla", "join", "name:Ana")
    ]


@pytest.mark.parametrize("block", [1 << 26, 50, 9])
def test_qq_in_small_blocks_reads_as_in_one(tmp_path, monkeypatch, block):
    monkeypatch.setattr(text, "BLOCK", block)
    p = tmp_path / "qq.txt"
    p.write_text(QQ, encoding="utf-8")
    r = import_files("qq", [p])
    msgs = [
        (m["group_id"], m["member_id"], m["msg_type"], m["content"]) for m in _rows(r, "messages")
    ]
    # two messages in 一群, a system message and one message in 二群 (the header in between
    # switches the chat); 小红's body is two lines
    assert msgs == [
        ("一群", "10001", "text", "大家好"),
        ("一群", "qing@example.com", "image", None),
        ("二群", "system", "system", "小林 邀请 小红 加入了本群"),
        ("二群", "10003", "text", "谢谢\n第二行"),
    ]
    assert _rows(r, "messages")[1]["ts"] == "2026-12-01T20:16:10+08:00"  # 下午8 is 20
    assert [(e["group_id"], e["event"]) for e in _rows(r, "members")] == [("二群", "join")]
    assert r.problems == []


def test_line_numbers_with_cr_line_ends(tmp_path):
    # old Mac line ends (CR only) and CRLF count as Python's split_lines counts them: the
    # damaged start is line 3
    p = tmp_path / "chat.txt"
    p.write_bytes(b"1/2/26, 10:00 - Ana: hi\r\n1/2/26, 10:01 - Bea: yo\r1/2/26 10:02 oops\rmore\n")
    r = import_files("whatsapp", [p])
    assert [(x.where.line, x.code) for x in r.problems if x.code != "note"] == [(3, "unreadable")]
    assert len(_rows(r, "messages")) == 2


@pytest.mark.parametrize(
    "s",
    [
        "plain ascii",
        "\u200eAna\u200f: hola\u00a0ok\u202f9:15\u2007x",
        "e\u0301 combining",  # NFC composes it
        "\u1100\u1161 jamo",  # Hangul jamo compose
        "\u212b angstrom",  # NFC replaces it
        "e\u200e\u0301 mark inside a pair",
        "李雷 👩🏻\u200d⚖️",
        "\ufeffbom",
    ],
)
def test_clean_column_is_clean(s):
    assert text.clean_column(pl.Series([s, "x"])).to_list() == [clean(s), "x"]


def test_the_nfc_table_is_this_pythons():
    assert tuple(text._nfc_ranges()) == text._NFC_RANGES


@pytest.mark.parametrize(
    ("tz", "when", "ok"),
    [
        ("Asia/Shanghai", (2026, 12, 31, 21, 15, 0), True),
        ("Asia/Kathmandu", (2026, 1, 1, 0, 0, 59), True),  # +05:45
        ("America/New_York", (2026, 7, 4, 12, 0, 0), True),  # -04:00
        ("Europe/London", (2026, 3, 29, 1, 30, 0), False),  # the hour that does not exist
        ("Europe/London", (2026, 10, 25, 1, 30, 0), False),  # the hour that happens twice
        ("Asia/Shanghai", (1890, 5, 1, 12, 0, 0), False),  # local mean time +08:05:43
        ("Asia/Shanghai", (999, 5, 1, 12, 0, 0), False),  # a three-digit year
    ],
)
def test_local_times_as_python_or_left_to_it(tz, when, ok):
    df = pl.DataFrame([when], schema=["y", "mo", "d", "hh", "mi", "ss"], orient="row")
    out = text.local_times(df, get_tz(tz)).row(0, named=True)
    assert out["valid"] and out["ok"] == ok
    if ok:
        dt = datetime(*when, tzinfo=get_tz(tz))
        assert (out["_t"], out["ts"]) == (_instant(dt), ts_text(dt))


def test_local_times_knows_invalid_dates():
    df = pl.DataFrame(
        [(2026, 2, 29, 0, 0, 0), (2024, 2, 29, 23, 59, 59), (2026, 4, 31, 0, 0, 0),
         (2026, 1, 1, 24, 0, 0), (0, 1, 1, 0, 0, 0)],
        schema=["y", "mo", "d", "hh", "mi", "ss"],
        orient="row",
    )  # fmt: skip
    # only 2024 is a leap year; April has 30 days; hour 24 and year 0 are no times
    assert text.local_times(df, get_tz("UTC")).get_column("valid").to_list() == [
        False, True, False, False, False,
    ]  # fmt: skip


def test_a_file_that_is_not_utf8_is_read_as_before(tmp_path):
    p = tmp_path / "qq.txt"
    p.write_bytes(QQ.encode("gb18030"))
    r = import_files("qq", [p])
    assert r.counts["messages"] == 4


def test_a_missing_file_says_so(tmp_path):
    from sqops.errors import InputError

    with pytest.raises(InputError) as exc:
        import_files("whatsapp", [tmp_path / "nope.txt"])
    assert "not found" in str(exc.value.text.en)


@pytest.mark.parametrize(
    ("fmt", "name", "content"),
    [("whatsapp", "WhatsApp Chat with Club.txt", WHATSAPP), ("qq", "qq.txt", QQ)],
)
def test_a_large_file_is_parsed_again_block_by_block(tmp_path, monkeypatch, fmt, name, content):
    # a file over KEEP bytes is checked block by block, then read again block by block (its
    # parsed blocks are not kept): the same tables as a file read in one piece
    p = tmp_path / name
    p.write_text(content, encoding="utf-8")
    whole = import_files(fmt, [p], tz="UTC")
    monkeypatch.setattr(text, "KEEP", 0)
    monkeypatch.setattr(text, "BLOCK", 30)
    again = import_files(fmt, [p], tz="UTC")
    assert again.counts == whole.counts and again.problems == whole.problems
    for table in whole.tables:
        assert again.tables[table].equals(whole.tables[table])
    # (the 5 WhatsApp start lines and the 4 QQ sender lines are one message each)
    assert again.counts["messages"] == {"whatsapp": 5, "qq": 4}[fmt]


@pytest.mark.parametrize("day", ["2026-12-01", "2026/12/1"])  # usual prefix, and another
def test_qq_senders_split_as_the_python_reader_splits_them(tmp_path, day):
    senders = ["甲(12345)", "乙<b@c.d>", "丙(１２３４５)", "丁 (123)", "戊(٣1234)"]
    lines = ["消息对象:群"]
    for i, who in enumerate(senders):
        lines += [f"{day} 20:15:0{i} {who}", f"第{i}条"]
    p = tmp_path / "qq.txt"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    msgs = _rows(import_files("qq", [p]), "messages")
    # the number in brackets is the id (Python's \d: full-width and Arabic-Indic digits too);
    # three digits are no QQ number, so "丁 (123)" is a name
    assert [(m["member_id"], m["member_name"]) for m in msgs] == [
        ("12345", "甲"),
        ("b@c.d", "乙"),
        ("１２３４５", "丙"),
        ("name:丁 (123)", "丁 (123)"),
        ("٣1234", "戊"),
    ]
    assert msgs[0]["ts"] == "2026-12-01T20:15:00+08:00" and msgs[4]["content"] == "第4条"
