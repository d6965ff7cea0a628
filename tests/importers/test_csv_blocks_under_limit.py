"""Under ``--memory-limit`` a CSV export over an eighth of the limit is read in blocks, as one
over 256 MiB is, whatever its size (session 19, #19 item 2: a 259 MB chatlog CSV, read at
once, peaked at 1,409 MB under a 1G limit). The tables, counts and problems are the ones of
the whole reading, the written files the same bytes; a reader that takes the first frame
only (Shopify, Youzan: orders, never spilled) still reads the file at once."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from importers.test_import_spill import _written
from sqops.importers import _base, _csvfast, import_files

FIX = Path(__file__).parent / "fixtures"
_MAP = """table: messages
columns: {ts: 时间, group_id: 群, member_id: 成员编号, member_name: 昵称, content: 内容, msg_type: 类型}
values:
  msg_type: {文本: text}
"""


def _generic(tmp_path: Path) -> tuple[Path, Path]:
    cmap = tmp_path / "map.yaml"
    cmap.write_text(_MAP, encoding="utf-8")
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(
        [["时间", "群", "成员编号", "昵称", "内容", "类型"]]
        + [
            [f"2026-12-01 {i % 24:02d}:00", "群0", f"m{i % 3}", f"成员{i % 3}", f"早安{i}", "文本"]
            for i in range(300)
        ]
    )
    path = tmp_path / "generic.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path, cmap


def _blocks_read(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    blocks = _base._blocks

    def spy(path, display):
        seen.append(display)
        return blocks(path, display)

    monkeypatch.setattr(_base, "_blocks", spy)
    return seen


def _same_as_whole(results: list, whole, tmp_path: Path) -> None:
    """Each result has the counts and problems of ``whole`` and writes the same bytes."""
    for got in results:
        assert got.counts == whole.counts
        assert [(p.text, p.where, p.code) for p in got.problems] == [
            (p.text, p.where, p.code) for p in whole.problems
        ]
        assert _written(got, tmp_path / "got") == _written(whole, tmp_path / "whole")
        got.close()


@pytest.mark.parametrize("fmt", ["wechat-chatlog", "wechat-msg", "generic"])
@pytest.mark.parametrize("block", [200, 64 << 20])
def test_a_csv_over_an_eighth_of_the_limit_is_read_in_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, block: int
) -> None:
    cmap = None
    if fmt == "generic":
        path, cmap = _generic(tmp_path)
    else:
        path = FIX / ("wechat_chatlog.csv" if fmt == "wechat-chatlog" else "wechat_msg.csv")
    size = path.stat().st_size
    monkeypatch.setattr(_base, "BLOCK_BYTES", block)
    seen = _blocks_read(monkeypatch)
    whole = import_files(fmt, [path], columns=cmap)
    at_share = import_files(fmt, [path], columns=cmap, memory_limit=size * _csvfast.BLOCKS_SHARE)
    assert seen == []  # (no limit, or the file not over its eighth: read at once)
    under = import_files(fmt, [path], columns=cmap, memory_limit=size * _csvfast.BLOCKS_SHARE - 1)
    assert len(seen) == 1
    _same_as_whole([at_share, under], whole, tmp_path)
    assert _csvfast._LIMIT.get() is None  # (the limit is the import's only)


@pytest.mark.parametrize(
    ("fmt", "name"), [("shopify", "shopify_orders.csv"), ("youzan", "youzan_orders.csv")]
)
def test_readers_of_one_frame_read_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, name: str
) -> None:
    seen = _blocks_read(monkeypatch)
    whole = import_files(fmt, [FIX / name])
    bounded = import_files(fmt, [FIX / name], memory_limit=1)
    assert seen == []
    assert bounded.counts == whole.counts
    assert _written(bounded, tmp_path / "b") == _written(whole, tmp_path / "w")


def test_blocks_are_smaller_under_a_small_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Under a limit whose sixteenth is less than 64 MiB the blocks are that sixteenth (a
    block being read takes ~5x its size: 64 MiB blocks under 512M peaked at 748 MB)."""
    rows = (FIX / "wechat_chatlog.csv").read_text(encoding="utf-8").splitlines()
    body = "\n".join(rows[1:]) + "\n"
    path = tmp_path / "chat.csv"
    path.write_text(rows[0] + "\n" + body * (5_000_000 // len(body.encode()) + 1), encoding="utf-8")
    sizes: list[int] = []
    records = _base.fast_records

    def spy(data, *args, **kwargs):
        sizes.append(len(data))
        return records(data, *args, **kwargs)

    monkeypatch.setattr(_base, "fast_records", spy)
    whole = import_files("wechat-chatlog", [path])
    sizes.clear()
    limit = 32 << 20  # (its sixteenth: 2 MiB)
    small = import_files("wechat-chatlog", [path], memory_limit=limit)
    assert len(sizes) >= 3 and max(sizes) <= (2 << 20) + 4096
    assert _csvfast.block_bytes(_base.BLOCK_BYTES) == _base.BLOCK_BYTES  # (no limit: 64 MiB)
    assert small.counts == whole.counts
    assert _written(small, tmp_path / "s") == _written(whole, tmp_path / "w")


@pytest.mark.parametrize(
    ("fmt", "name"),
    [
        ("telegram", "telegram_chat.json"),
        ("telegram", "telegram_full.json"),
        ("discord", "discord.json"),
        ("wechat-chatlog", "wechat_chatlog.json"),
    ],
)
def test_a_json_over_an_eighth_of_the_limit_is_read_in_slices(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, name: str
) -> None:
    """The same for a JSON document: read in slices (:mod:`._jsonstream`) past an eighth of
    the limit, as past 256 MiB (a 200 MB whole-account export under 1G: 1,206 MB read whole,
    520 MB in slices); the same tables."""
    from sqops.importers import _jsonstream

    path = FIX / name
    size = path.stat().st_size
    seen: list[int] = []
    slices = _jsonstream.slices

    def spy(lay, item):
        seen.append(1)
        return slices(lay, item)

    monkeypatch.setattr(_jsonstream, "slices", spy)
    whole = import_files(fmt, [path])
    at_share = import_files(fmt, [path], memory_limit=size * _csvfast.BLOCKS_SHARE)
    assert seen == []
    under = import_files(fmt, [path], memory_limit=size * _csvfast.BLOCKS_SHARE - 1)
    assert seen
    _same_as_whole([at_share, under], whole, tmp_path)


def _late_gbk(path: Path) -> None:
    """ASCII past the first 64 KiB (what csv_frames looks at), then GB18030 rows."""
    head = "Time,SenderName,Sender,TalkerName,Talker,Content\n"
    ascii_rows = "".join(
        f"2026-12-03 10:{i % 60:02d}:00,m{i % 5},wxid_{i % 5},grp,9@chatroom,hello {i}\n"
        for i in range(1500)
    )
    gbk_rows = "".join(
        f"2026-12-03 11:{i % 60:02d}:00,成员{i},wxid_{i},护肤群,9@chatroom,早安 {i}\n"
        for i in range(20)
    )
    path.write_bytes((head + ascii_rows).encode() + gbk_rows.encode("gbk"))


def _lone_cr(path: Path) -> None:
    """A lone carriage return in a quoted cell (and old Mac line ends: _cr_lines)."""
    rows = (FIX / "wechat_chatlog.csv").read_text(encoding="utf-8").splitlines()
    rows.insert(3, '2026-12-03 19:01:20,阿青,wxid_qing,护肤交流群,98765@chatroom,"a\rb"')
    path.write_bytes(("\n".join(rows) + "\n").encode())


def _cr_lines(path: Path) -> None:
    rows = (FIX / "wechat_chatlog.csv").read_text(encoding="utf-8").split("\n")
    path.write_bytes("\r".join(rows).encode())


@pytest.mark.parametrize("make", [_late_gbk, _lone_cr, _cr_lines])
@pytest.mark.parametrize("block", [200, 64 << 20])
def test_what_only_the_whole_reading_reads_is_read_whole_under_a_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make, block: int
) -> None:
    """(review rv-mem8) A file under 256 MiB that the blocks cannot read — GB18030 past its
    first 64 KiB, a lone carriage return — is read at once under a limit as without one: the
    same tables, not "the file stops being UTF-8 part way" / "cannot read this large file in
    blocks" (exit 2) where main imports it."""
    path = tmp_path / "chat.csv"
    make(path)
    monkeypatch.setattr(_base, "BLOCK_BYTES", block)
    whole = import_files("wechat-chatlog", [path], tz="Asia/Shanghai")
    under = import_files("wechat-chatlog", [path], tz="Asia/Shanghai", memory_limit=1 << 10)
    assert whole.counts["messages"] >= 8
    _same_as_whole([under], whole, tmp_path)


def test_a_line_longer_than_a_field_is_read_whole_under_a_limit(tmp_path: Path) -> None:
    """(review rv-mem8) A line of 200 Ki characters in many short cells: the whole reading
    reads it, the blocks refuse it ("an over-long line", exit 2): read at once."""
    rows = (FIX / "wechat_chatlog.csv").read_text(encoding="utf-8").splitlines()
    rows.insert(3, "2026-12-03 19:01:20,阿青,wxid_qing,护肤交流群,98765@chatroom,hi," + "y" * 99)
    rows[3] += ("," + "y" * 99) * 2000
    path = tmp_path / "chat.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    whole = import_files("wechat-chatlog", [path], tz="Asia/Shanghai")
    under = import_files("wechat-chatlog", [path], tz="Asia/Shanghai", memory_limit=1 << 10)
    _same_as_whole([under], whole, tmp_path)
