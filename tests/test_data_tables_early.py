"""The checking pass of a Parquet table read without a copy (engagement) is made in a thread
while the tables before it are read, once the messages are (``sqops.data.tables._Early``):
the tables are the same as when it is made at the table's turn, in every case — valid as it
is, rows to reject, a cell the copy changes (the copy then made at its turn), an error in it
or in a table before it (the error of the first table in order, as before), and the pass is
made once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import sqops.data.tables as tables_mod
from sqops.data.tables import read_tables
from sqops.errors import DataError

MESSAGES = {
    "ts": [dt.datetime(2026, 12, 1, 9), dt.datetime(2026, 12, 1, 10)],
    "group_id": ["g1", "g1"],
    "member_id": ["a", "b"],
}
# engagement, 4 rows: all valid (two opens of p1, a click and an open of p2)
VALID = {
    "ts": [
        dt.datetime(2026, 12, 1, 9, 30),
        dt.datetime(2026, 12, 1, 9, 40),
        dt.datetime(2026, 12, 2, 23, 30),
        dt.datetime(2026, 12, 1, 10),
    ],
    "member_id": ["a", "b", "b", "c"],
    "event": ["open", "open", "click", "open"],
    "post_id": ["p1", "p1", "p2", "p2"],
    "group_id": ["g1", "g1", "g1", "g1"],
}


def _with(**cells: list[object]) -> dict[str, list[object]]:
    return {**VALID, **cells}


CASES = {
    "valid": VALID,
    # row 2's event is unknown, row 4 has no member: 2 rows rejected, read without a copy
    "rejects": _with(event=["open", "share", "click", "open"], member_id=["a", "b", "b", None]),
    # row 3's member has a space after it: the copy is made (at the table's turn)
    "padded": _with(member_id=["a", "b", "b ", "c"]),
    # upper case events: the copy lower-cases them
    "upper": _with(event=["OPEN", "open", "click", "open"]),
    # a date alone instead of a time: not read without a copy
    "dates": _with(ts=[dt.date(2026, 12, 1)] * 4),
}


#: a table read between the messages and engagement (the pass starts once the messages are read)
MEMBERS = {
    "ts": [dt.datetime(2026, 11, 30, 9)],
    "group_id": ["g1"],
    "member_id": ["a"],
    "event": ["join"],
}


def _folder(tmp: Path, engagement: dict[str, list[object]], messages=None) -> Path:
    tmp.mkdir()
    pl.DataFrame(messages or MESSAGES).write_parquet(tmp / "messages.parquet")
    pl.DataFrame(MEMBERS).write_parquet(tmp / "members.parquet")
    pl.DataFrame(engagement).write_parquet(tmp / "engagement.parquet")
    return tmp


def _passes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The threads the checking passes were made in."""
    made: list[str] = []
    checked = tables_mod._checked

    def counted(checks: pl.LazyFrame):
        import threading

        made.append(threading.current_thread().name)
        return checked(checks)

    monkeypatch.setattr(tables_mod, "_checked", counted)
    return made


def _same(a, b) -> None:
    assert a.columns == b.columns
    assert_frame_equal(a.frame.collect(), b.frame.collect())
    assert_frame_equal(a.rejected, b.rejected)
    assert (a.rows_read, a.duplicates, a.event_types, a.last_day) == (
        b.rows_read,
        b.duplicates,
        b.event_types,
        b.last_day,
    )
    assert type(a._narrow) is type(b._narrow)


@pytest.mark.parametrize("case", sorted(CASES))
def test_early_pass_gives_the_same_table(tmp_path, monkeypatch, case) -> None:
    folder = _folder(tmp_path / "d", CASES[case])
    made = _passes(monkeypatch)
    early = read_tables(folder)
    threads = list(made)
    made.clear()
    monkeypatch.setattr(tables_mod, "_start_early", lambda *a: {})
    at_its_turn = read_tables(folder)
    _same(early["engagement"], at_its_turn["engagement"])
    _same(early["messages"], at_its_turn["messages"])
    _same(early["members"], at_its_turn["members"])
    if case == "dates":  # (the file is not read without a copy: no pass at all)
        assert threads == made == []
    else:  # one pass, made in the thread, taken at the table's turn
        assert threads == ["sqops-read-early"]
        assert made == ["MainThread"]


def test_the_rows_to_reject_are_as_at_the_tables_turn(tmp_path) -> None:
    td = read_tables(_folder(tmp_path / "d", CASES["rejects"]))["engagement"]
    # rows 2 (event "share") and 4 (no member) set aside, read without a copy
    assert td.first_rejected_rows() == {"bad_event": [2], "empty_id": [4]}
    assert td.valid_rows == 2
    assert td.rejected.schema["member_id"] == tables_mod.ID
    assert isinstance(td._narrow, tables_mod._View)


def test_an_error_in_the_early_table_is_raised_at_its_turn(tmp_path) -> None:
    bad = {k: v for k, v in VALID.items() if k != "event"}  # no event column
    folder = _folder(tmp_path / "d", bad)
    with pytest.raises(DataError) as err:
        read_tables(folder)
    assert "engagement" in err.value.text.en
    assert "event" in err.value.text.en


def test_an_error_in_an_earlier_table_comes_first(tmp_path) -> None:
    # messages without member_id and engagement without event: the messages' error, as when
    # the tables were read one after another
    messages = {k: v for k, v in MESSAGES.items() if k != "member_id"}
    bad = {k: v for k, v in VALID.items() if k != "event"}
    folder = _folder(tmp_path / "d", bad, messages)
    with pytest.raises(DataError) as err:
        read_tables(folder)
    assert "messages" in err.value.text.en
    assert "member_id" in err.value.text.en


def test_an_error_in_a_table_read_beside_the_pass_comes_first(tmp_path) -> None:
    # members (read while engagement's pass runs) without event, engagement without event:
    # the members' error
    folder = _folder(tmp_path / "d", {k: v for k, v in VALID.items() if k != "event"})
    pl.DataFrame({k: v for k, v in MEMBERS.items() if k != "event"}).write_parquet(
        folder / "members.parquet"
    )
    with pytest.raises(DataError) as err:
        read_tables(folder)
    assert "table members lacks" in err.value.text.en


def test_no_pass_when_the_plan_differs(tmp_path, monkeypatch) -> None:
    # a row made for another query is not taken: the pass is made again at the table's turn
    folder = _folder(tmp_path / "d", VALID)
    made = _passes(monkeypatch)
    real = tables_mod._Early.row

    def other_plan(self, checks):
        if self._here():
            return real(self, checks.with_columns(pl.lit(1).alias("_other")))
        return real(self, checks)

    monkeypatch.setattr(tables_mod._Early, "row", other_plan)
    td = read_tables(folder)["engagement"]
    assert made == ["sqops-read-early", "MainThread"]
    assert td.valid_rows == 4


def test_no_thread_for_the_table_read_next(tmp_path, monkeypatch) -> None:
    # messages and engagement alone: engagement is read right after the messages, its pass
    # made at its turn (a thread would only be waited for)
    folder = tmp_path / "d"
    folder.mkdir()
    pl.DataFrame(MESSAGES).write_parquet(folder / "messages.parquet")
    pl.DataFrame(VALID).write_parquet(folder / "engagement.parquet")
    made = _passes(monkeypatch)
    assert read_tables(folder)["engagement"].valid_rows == 4
    assert made == ["MainThread"]


def test_a_file_replaced_before_its_turn_is_checked_again(tmp_path, monkeypatch) -> None:
    # engagement.parquet (4 valid opens) is replaced while the members are read (after its
    # pass in the thread) by 4 rows of the same shape: open, click, click and "share" (not an
    # event: rejected). At its turn the table is the new file's, as without the thread:
    # 1 row rejected, 3 valid, events open and click
    import os
    import threading

    folder = _folder(tmp_path / "d", VALID)
    new = _with(event=["open", "click", "click", "share"])
    real = tables_mod._read_source
    made = _passes(monkeypatch)

    def members_then_replace(p, kind, enc):
        if p.name == "members.parquet" and threading.current_thread() is threading.main_thread():
            for t in threading.enumerate():  # (the thread's pass made on the old file)
                if t.name == "sqops-read-early":
                    t.join()
            pl.DataFrame(new).write_parquet(folder / "engagement.tmp")
            os.replace(folder / "engagement.tmp", folder / "engagement.parquet")
        return real(p, kind, enc)

    monkeypatch.setattr(tables_mod, "_read_source", members_then_replace)
    td = read_tables(folder)["engagement"]
    assert made == ["sqops-read-early", "MainThread"]  # (made again at its turn)
    assert (td.rows_read, td.valid_rows, td.rejected.height) == (4, 3, 1)
    assert td.event_types == frozenset({"open", "click"})
    assert sorted(td.frame.collect()["event"].unique().to_list()) == ["click", "open"]
