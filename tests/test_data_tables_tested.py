"""One reading's held copies share the test of their codes' texts (``_Tested``): each code of
the process's dictionary is tested once a reading, not again by every later table's copy
(10 M: the members', posts' and coupons' copies tested the messages' ids again, 3.8 M texts
for 2.2 M codes); a padded text found by one table's copy is still looked for in the
later tables' cells; and the dictionary is kept meanwhile (polars gives the codes of a
dictionary no data uses to new texts, which would then pass untested)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

import sqops.data.tables as tables_mod
from _held_checks import IN_MEMORY, ON_DISK, same_tables
from sqops.data.tables import read_tables

T0 = dt.datetime(2026, 12, 1, 9)


def _folder(folder: Path, messages: list[str], members: list[str]) -> Path:
    """Parquet messages and members' joins in group g1 with these member ids."""
    folder.mkdir()
    pl.DataFrame(
        {
            "ts": [T0] * len(messages),
            "group_id": ["g1"] * len(messages),
            "member_id": messages,
            "msg_id": range(len(messages)),
        }
    ).write_parquet(folder / "messages.parquet")
    pl.DataFrame(
        {
            "ts": [T0] * len(members),
            "group_id": ["g1"] * len(members),
            "member_id": members,
            "event": ["join"] * len(members),
        }
    ).write_parquet(folder / "members.parquet")
    return folder


def _spied(monkeypatch: pytest.MonkeyPatch) -> tuple[list[int], list[str]]:
    """The codes whose texts are tested, and the tables whose copy is made (a second time:
    the copy from stripped cells)."""
    tested: list[int] = []
    made: list[str] = []
    real = tables_mod._padded_codes
    make = tables_mod._Held.make.__func__  # type: ignore[attr-defined]

    def padded_codes(codes: object) -> pl.Series:
        tested.extend(pl.Series(codes).to_list())
        return real(codes)

    def counted(cls: type, annotated: pl.LazyFrame, *a: object, **k: object) -> object:
        names = annotated.collect_schema().names()
        made.append("messages" if "msg_id" in names else "members")
        return make(cls, annotated, *a, **k)

    monkeypatch.setattr(tables_mod, "_padded_codes", padded_codes)
    monkeypatch.setattr(tables_mod._Held, "make", classmethod(counted))
    monkeypatch.setattr(tables_mod, "HELD_BATCH", 2)
    monkeypatch.setattr(tables_mod, "PADDED_SAMPLE", 0)
    return tested, made


def test_each_code_is_tested_once_a_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the members' ids are mostly the messages' (their codes already tested): one test of
    # each code over both copies, each copy made once
    ids = [f"{m}-{tmp_path.name}" for m in "abcdef"]
    folder = _folder(tmp_path / "d", ids[:4], [ids[0], ids[2], ids[4], ids[5]])
    tested, made = _spied(monkeypatch)
    held = read_tables(folder, hold=IN_MEMORY)
    assert made == ["messages", "members"]
    assert len(tested) == len(set(tested))
    codes = held["members"].frame.collect()["member_id"].to_physical().to_list()
    assert set(codes) <= set(tested)
    got = held["members"].frame.collect()["member_id"].cast(pl.String).to_list()
    assert got == [ids[0], ids[2], ids[4], ids[5]]
    monkeypatch.setattr(tables_mod, "_padded_codes", tables_mod._padded_codes)
    same_tables(held, read_tables(folder, hold=ON_DISK))


@pytest.mark.parametrize("where", ["members", "both", "neither"])
def test_a_padded_text_the_messages_found_is_looked_for_in_the_members(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    # " x" (padded) among the messages' ids, tested (and found) by their copy: the members'
    # copy, whose codes up to it are not tested again, still finds it in its own cells —
    # made again from stripped cells exactly when one of its cells is padded
    ids = [f"{m}-{tmp_path.name}" for m in "abcd"]
    pad = " " + ids[3]
    messages = [ids[0], pad, ids[1], ids[2]] if where in ("both", "neither") else ids[:3]
    members = [ids[0], ids[1], pad, ids[2]] if where in ("members", "both") else ids[:3]
    if where == "members":  # (the padded text tested by the messages, in none of their cells)
        messages = [*ids[:3], ids[1]]
        other = pl.Series([pad]).cast(pl.Categorical)
    folder = _folder(tmp_path / "d", messages, members)
    tested, made = _spied(monkeypatch)
    held = read_tables(folder, hold=IN_MEMORY)
    again = {"members": ["messages", "members", "members"]}
    again["both"] = ["messages", "messages", "members", "members"]
    again["neither"] = ["messages", "messages", "members"]
    assert made == again[where]
    assert len(tested) == len(set(tested))
    for name in ("messages", "members"):
        got = held[name].frame.collect()["member_id"].cast(pl.String).to_list()
        assert pad not in got
    monkeypatch.setattr(tables_mod, "_padded_codes", tables_mod._padded_codes)
    same_tables(held, read_tables(folder, hold=ON_DISK))
    if where == "members":
        del other


def test_the_dictionary_is_kept_while_the_codes_are_tested() -> None:
    # in a fresh interpreter (no other categorical data alive): texts made categorical and
    # dropped within a reading's test do not give their codes to new texts, which would be
    # below what was tested and pass untested; outside one, polars gives them again
    code = (
        "import gc\n"
        "import polars as pl\n"
        "from sqops.data.tables import _codes_tested\n"
        "def codes(texts):\n"
        "    s = pl.Series(texts).cast(pl.Categorical)\n"
        "    got = s.to_physical().to_list()\n"
        "    del s\n"
        "    gc.collect()\n"
        "    return got\n"
        "with _codes_tested():\n"
        "    a = codes(['a1', 'a2'])\n"
        "    b = codes(['b1', ' b2'])\n"
        "print(a, b, codes(['c1']))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[0, 1] [2, 3] [0]"
