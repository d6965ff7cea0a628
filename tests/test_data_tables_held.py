"""Typed copies held in memory (``sqops.data.tables._Held``, ``read_tables(hold=…)``): the
same frame (rows, ``_row``, columns, types, values), rejected rows, duplicates, row counts
and event types as the copy written to disk, for the same file; the copy on disk where the
budget does not cover a table, and for a partitioned run.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sqops.data.tables as tables_mod
from _held_checks import IN_MEMORY, ON_DISK, held_equals_disk
from _held_checks import same_tables as _same
from sqops.data.tables import read_tables
from sqops.errors import DataError

# messages, 8 rows (CSV):
#   1 valid, msg_type "Text" (→ "text"), content without a question mark
#   2 member_id empty → rejected (empty_id)
#   3 time "yesterday" → rejected (bad_time)
#   4 msg_id 101 again (row 1's) → a duplicate
#   5 valid, "why?" → question_text "why?"
#   6 valid, a reply (reply_to 101): question_text its content, "ok"
#   7, 8 valid, role "Staff" (→ "staff") and a system message
MESSAGES_CSV = """ts,group_id,member_id,msg_id,msg_type,role,content,reply_to
2026-12-01 09:00:00,g1,a,101,Text,member,hello,
2026-12-01 09:01:00,g1,,102,text,member,hi,
yesterday,g1,b,103,text,member,hey,
2026-12-01 09:03:00,g1,b,101,text,member,again,
2026-12-01 09:04:00,g1,b,105,text,member, why? ,
2026-12-01 09:05:00,g1,c,106,text,member,ok,101
2026-12-02 10:00:00,g2,s,107,text,Staff,welcome,
2026-12-02 10:01:00,g2,s,108,system,staff,joined,
"""


def _folder(tmp_path: Path, name: str, files: dict[str, str]) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    for fname, text in files.items():
        (folder / fname).write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize("batch", [2, 3, 250_000])
def test_the_copy_held_in_memory_is_the_copy_on_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    monkeypatch.setattr(tables_mod, "HELD_BATCH", batch)  # (batches of 2 and 3 rows too)
    folder = _folder(tmp_path, "d", {"messages.csv": MESSAGES_CSV})
    held = read_tables(folder, hold=IN_MEMORY)
    disk = read_tables(folder, hold=ON_DISK)
    _same(held, disk)
    m = held["messages"]
    assert m._narrow is None and disk["messages"]._narrow is not None  # (memory / disk)
    # 8 read, rows 2 and 3 rejected, row 4 a duplicate: rows 1, 5, 6, 7, 8 valid
    assert (m.rows_read, m.valid_rows, m.duplicates) == (8, 5, 1)
    assert m.reject_counts == {"bad_time": 1, "empty_id": 1}
    got = m.frame.collect()
    assert got["_row"].to_list() == [1, 5, 6, 7, 8]
    assert got["msg_type"].to_list() == ["text", "text", "text", "text", "system"]
    assert got["role"].to_list() == ["member", "member", "member", "staff", "staff"]
    assert got["question_text"].to_list() == [None, "why?", "ok", None, None]
    assert got["reply_to"].to_list() == [None, None, "101", None, None]
    # the rejected rows with their text as read
    assert m.rejected.select("_row", "_reason", "ts").rows() == [
        (2, "empty_id", "2026-12-01 09:01:00"),
        (3, "bad_time", "yesterday"),
    ]
    # a filter on the held frame (the report's questions) and the rows of one group
    assert m.frame.filter(pl.col("role") == "staff").select("_row").collect()["_row"].to_list() == [
        7,
        8,
    ]
    assert m.where_in("group_id", ["g2"]).collect()["_row"].to_list() == [7, 8]


def test_a_table_the_budget_does_not_cover_is_copied_to_disk(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "d", {"messages.csv": MESSAGES_CSV})
    # the estimate: the file's bytes over 40 (the most rows it can have) + 1, × 64 bytes
    size = (folder / "messages.csv").stat().st_size
    need = (size // tables_mod.TEXT_ROW_BYTES + 1) * tables_mod.HELD_ROW_BYTES
    assert read_tables(folder, hold=need - 1)["messages"]._narrow is not None
    assert read_tables(folder, hold=need)["messages"]._narrow is None


def test_a_copy_larger_than_its_bytes_goes_to_disk_as_it_is_made(tmp_path: Path) -> None:
    # 40 messages, each a question of 2,000 characters of 3 bytes (~240 kB of text, held
    # whole as their question texts). The file's estimate (its ~242 kB over 40 bytes a row,
    # + 1, × 64 bytes: ~390 kB) covers that: held. With 4,000 bytes a row assumed, the
    # estimate is 61 rows × 64 bytes (~3.9 kB): the copy passes it in its first batch of 4
    # rows and is made on disk instead — the same tables as the copy on disk
    text = "？" * 2000
    rows = "".join(
        f"2026-12-01 09:{i:02d}:00,g1,m{i % 5},{i},text,member,{text},\n" for i in range(40)
    )
    folder = _folder(
        tmp_path,
        "d",
        {"messages.csv": "ts,group_id,member_id,msg_id,msg_type,role,content,reply_to\n" + rows},
    )
    size = (folder / "messages.csv").stat().st_size
    need = (size // tables_mod.TEXT_ROW_BYTES + 1) * tables_mod.HELD_ROW_BYTES
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(tables_mod, "HELD_ROW_BYTES", 64)
        mp.setattr(tables_mod, "TEXT_ROW_BYTES", 4000)  # (an estimate of ~16 bytes a row)
        mp.setattr(tables_mod, "HELD_BATCH", 4)
        small = read_tables(folder, hold=need)
        assert small["messages"]._narrow is not None  # (on disk: the copy outgrew its bytes)
    _same(small, read_tables(folder, hold=ON_DISK))
    assert small["messages"].valid_rows == 40
    # with the estimate as it is (enough bytes), the same file is held
    assert read_tables(folder, hold=need)["messages"]._narrow is None


def test_the_budget_is_taken_table_by_table(tmp_path: Path) -> None:
    members = "ts,group_id,member_id,event\n2026-12-01 08:00:00,g1,a,join\n"
    folder = _folder(tmp_path, "d", {"messages.csv": MESSAGES_CSV, "members.csv": members})
    rows = {
        n: (folder / f"{n}.csv").stat().st_size // tables_mod.TEXT_ROW_BYTES + 1
        for n in ("messages", "members")
    }
    need = rows["messages"] * tables_mod.HELD_ROW_BYTES
    # enough for the messages only: the members (read after them) go to disk
    got = read_tables(folder, hold=need)
    assert got["messages"]._narrow is None and got["members"]._narrow is not None
    both = need + rows["members"] * tables_mod.HELD_ROW_BYTES
    got = read_tables(folder, hold=both)
    assert got["messages"]._narrow is None and got["members"]._narrow is None
    # messages that do not fit end the budget: the members, which would fit, go to disk too
    got = read_tables(folder, hold=need - 1)
    assert got["messages"]._narrow is not None and got["members"]._narrow is not None


def test_a_budget_of_a_memory_limit() -> None:
    assert tables_mod.held_budget(8 << 30) == 1 << 30  # (an eighth)
    from sqops.cli.commands.report import _held_bytes

    assert _held_bytes(None, 8 << 30, False) == 1 << 30
    assert _held_bytes(4, 8 << 30, False) == 0  # (a partitioned run: the copies on disk)
    assert _held_bytes(None, None, True) == 0


def test_no_valid_row_is_the_same_error(tmp_path: Path) -> None:
    text = "ts,group_id,member_id\nnever,g1,a\n2026-12-01 09:00:00,g1,\n"
    folder = _folder(tmp_path, "d", {"messages.csv": text})
    errors = []
    for hold in (IN_MEMORY, ON_DISK):
        with pytest.raises(DataError) as info:
            read_tables(folder, hold=hold)
        errors.append(str(info.value))
    assert errors[0] == errors[1]
    assert "2 read, 2 rejected" in errors[0]


def test_times_of_another_format_and_an_offset_that_moves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the format sampled from the first two cells reads rows 1-2 and 4; row 3 (slashes) takes
    # the general parser; New York's offset in the sample (December, -5) is not that of row
    # 4 (July, -4): the copy is made again with the zone's own conversion
    monkeypatch.setattr(tables_mod, "_SAMPLE", 2)
    monkeypatch.setattr(tables_mod, "HELD_BATCH", 2)
    text = (
        "ts,group_id,member_id,msg_id\n"
        "2026-12-01 09:00:00,g1,a,1\n"
        "2026-12-01 10:00:00,g1,b,2\n"
        "2026/12/01 11:00,g1,c,3\n"
        "2027-07-01 09:00:00,g1,d,4\n"
    )
    folder = _folder(tmp_path, "d", {"messages.csv": text})
    held = read_tables(folder, tz="America/New_York", hold=IN_MEMORY)
    _same(held, read_tables(folder, tz="America/New_York", hold=ON_DISK))
    ts = held["messages"].frame.collect()["ts"].to_list()
    utc = dt.UTC
    assert ts == [
        dt.datetime(2026, 12, 1, 14, tzinfo=utc),  # 09:00 EST (-5)
        dt.datetime(2026, 12, 1, 15, tzinfo=utc),
        dt.datetime(2026, 12, 1, 16, tzinfo=utc),  # (the general parser)
        dt.datetime(2027, 7, 1, 13, tzinfo=utc),  # 09:00 EDT (-4)
    ]


def test_many_texts_of_a_few_valued_column(tmp_path: Path) -> None:
    # 300 message types: their codes need more than one byte
    rows = [f"2026-12-01 09:00:00,g1,m{i},{i},type{i}" for i in range(300)]
    text = "ts,group_id,member_id,msg_id,msg_type\n" + "\n".join(rows) + "\n"
    folder = _folder(tmp_path, "d", {"messages.csv": text})
    held = read_tables(folder, hold=IN_MEMORY)
    _same(held, read_tables(folder, hold=ON_DISK))
    assert held["messages"].frame.collect()["msg_type"].n_unique() == 300


def test_parquet_tables_held_in_memory(tmp_path: Path) -> None:
    # members and posts from Parquet (rows counted from the file's metadata), engagement read
    # directly: the same tables as on disk
    folder = tmp_path / "pq"
    folder.mkdir()
    t = [dt.datetime(2026, 12, 1, 9, i) for i in range(4)]
    pl.DataFrame(
        {
            "ts": t,
            "group_id": ["g1"] * 4,
            "member_id": ["a", "b", "c", None],
            "msg_id": [1, 2, 3, 4],
        }
    ).write_parquet(folder / "messages.parquet")
    pl.DataFrame(
        {
            "ts": t,
            "group_id": ["g1"] * 4,
            "member_id": ["a", "b", "c", "a"],
            "event": ["join", "JOIN", "leave", "wave"],
        }
    ).write_parquet(folder / "members.parquet")
    held = read_tables(folder, hold=IN_MEMORY)
    _same(held, read_tables(folder, hold=ON_DISK))
    # messages: row 4 has no member; members: row 4's event is unknown
    assert held["messages"].rejected["_row"].to_list() == [4]
    assert held["members"].rejected["_row"].to_list() == [4]
    assert held["members"].event_types == frozenset({"join", "leave"})


_CELLS = {
    "ts": st.sampled_from(
        ["2026-12-01 09:00:00", "2026-12-02 23:30:00", "2026/12/03 08:00", "bad", "", "1764550800"]
    ),
    "group_id": st.sampled_from(["g1", "g2", " g1 ", ""]),
    "member_id": st.sampled_from(["a", "b", " c", ""]),
    "msg_id": st.sampled_from(["1", "2", "3", "x", ""]),
    "msg_type": st.sampled_from(["text", "Image", "SYSTEM", "", " text "]),
    "role": st.sampled_from(["member", "Staff", "", "bot"]),
    "content": st.sampled_from(["hi", "why?", " 好吗？ ", "", "ok"]),
    "reply_to": st.sampled_from(["", "", "", "1", " 2 "]),
}


def _csv_cell(v: str) -> str:
    return f'"{v}"' if v != "" else ""


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    rows=st.lists(st.fixed_dictionaries(_CELLS), min_size=1, max_size=12),
    batch=st.integers(1, 5),
)
def test_held_equals_disk_for_any_cells(
    tmp_path_factory: pytest.TempPathFactory, rows: list[dict[str, str]], batch: int
) -> None:
    cols = list(_CELLS)
    text = (
        ",".join(cols)
        + "\n"
        + "".join(",".join(_csv_cell(r[c]) for c in cols) + "\n" for r in rows)
    )
    folder = tmp_path_factory.mktemp("h")
    (folder / "messages.csv").write_text(text, encoding="utf-8")
    held_equals_disk(folder, batch)


@pytest.mark.parametrize(
    "text",
    [
        # one message type, one role: one code each; one question, no reply
        "ts,group_id,member_id,msg_id,msg_type,role,content,reply_to\n"
        "2026-12-01 09:00:00,g1,a,1,text,member,hi?,\n"
        "2026-12-01 09:01:00,g1,b,2,text,member,ok,\n",
        # no type nor role in any row (no code at all), no question, no reply
        "ts,group_id,member_id,msg_id,msg_type,role,content,reply_to\n"
        "2026-12-01 09:00:00,g1,a,1,,,hi,\n"
        "2026-12-01 09:01:00,g1,b,2,,,ok,\n",
        # one row; and a first row rejected (the only gap)
        "ts,group_id,member_id,msg_type\n2026-12-01 09:00:00,g1,a,text\n",
        "ts,group_id,member_id,msg_type\nx,g1,a,text\n2026-12-01 09:00:00,g1,a,text\n",
        # every row a question and a reply
        "ts,group_id,member_id,msg_id,content,reply_to\n"
        "2026-12-01 09:00:00,g1,a,1,a?,2\n"
        "2026-12-01 09:01:00,g1,b,2,b?,1\n",
    ],
    ids=["one-code", "no-code", "one-row", "first-rejected", "all-sparse"],
)
def test_edges_of_the_compact_form(tmp_path: Path, text: str) -> None:
    folder = _folder(tmp_path, "d", {"messages.csv": text})
    held = read_tables(folder, hold=IN_MEMORY)
    assert held["messages"]._narrow is None
    _same(held, read_tables(folder, hold=ON_DISK))
