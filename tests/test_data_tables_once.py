"""Reading makes each per-row value once (``sqops.data.tables``): the engagement checking
pass converts every time and tests every event once (not once per aggregate that uses
them), and the messages' ``question_text`` selects and strips the chat text once. The
values are those of the hand-counted tables below.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import sqops.data.tables as tables_mod
from sqops.data.tables import read_tables

MESSAGES = {
    "ts": [dt.datetime(2026, 12, 1, 9, m) for m in range(5)],
    "group_id": ["g1"] * 5,
    "member_id": ["a", "b", "a", "b", "a"],
    "content": [" 怎么用？ ", "好的", "  ", "ok?", "\u3000谢谢\u3000"],
    "reply_to": [None, None, 7, None, 9],
}

# engagement, 5 rows: row 3 an unknown event, row 5 no time; rows 1, 2, 4 valid
ENGAGEMENT = {
    # (the fourth: 15:30 UTC, local day 2026-12-03)
    "ts": [
        *(
            dt.datetime(2026, 12, d, h, m)
            for d, h, m in ((1, 9, 30), (1, 9, 40), (1, 9, 50), (3, 23, 30))
        ),
        None,
    ],
    "member_id": ["a", "b", "a", "b", "a"],
    "event": ["open", "open", "share", "click", "open"],
    "post_id": ["p1", "p1", "p1", "p2", "p1"],
    "group_id": ["g1"] * 5,
}


def _folder(tmp_path: Path) -> Path:
    pl.DataFrame(MESSAGES).write_parquet(tmp_path / "messages.parquet")
    pl.DataFrame(ENGAGEMENT).write_parquet(tmp_path / "engagement.parquet")
    return tmp_path


def test_the_checking_pass_converts_each_time_and_tests_each_event_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[pl.LazyFrame] = []
    checked = tables_mod._checked

    def spy(checks: pl.LazyFrame) -> tuple[Any, ...]:
        seen.append(checks)
        return checked(checks)

    monkeypatch.setattr(tables_mod, "_checked", spy)
    monkeypatch.setattr(tables_mod, "DIRECT", frozenset({"engagement"}))
    monkeypatch.setattr(tables_mod, "EARLY_AFTER", 99)  # (the pass at the table's turn)
    eng = read_tables(_folder(tmp_path))["engagement"]
    assert type(eng._narrow).__name__ == "_View"  # (read directly)
    (checks,) = seen
    plan = checks.explain()
    # (written inside each aggregate, the conversion was made 5 times a row, the test twice)
    assert plan.count("replace_time_zone") == 1
    assert plan.count("is_in") == 1
    rows, dirty, rejected, lo, hi, last, opens, clicks, joins = checks.collect().row(0)
    assert (rows, dirty, rejected) == (5, 0, 2)
    utc = dt.UTC
    assert (lo, hi) == (
        dt.datetime(2026, 12, 1, 1, 30, tzinfo=utc),
        dt.datetime(2026, 12, 3, 15, 30, tzinfo=utc),
    )
    assert last == dt.date(2026, 12, 3) == eng.last_day
    assert (opens, clicks, joins) == (2, 1, 0)  # (the open without a time not counted)
    assert eng.event_types == frozenset({"open", "click"})
    assert eng.reject_counts == {"bad_event": 1, "bad_time": 1}


@pytest.mark.parametrize("hold", [0, 1 << 30], ids=["on disk", "held"])
def test_question_text_selects_and_strips_the_text_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hold: int
) -> None:
    made: list[pl.LazyFrame] = []
    annotate = tables_mod._annotate

    def spy(name: str, *args: Any, **kwargs: Any) -> pl.LazyFrame:
        out = annotate(name, *args, **kwargs)
        if name == "messages":
            made.append(out)
        return out

    monkeypatch.setattr(tables_mod, "_annotate", spy)
    msgs = read_tables(_folder(tmp_path), hold=hold)["messages"]
    assert made
    for annotated in made:
        # (the empty test once wrapped the selection and strip, made twice a row)
        assert annotated.explain().count('then(col("content"))') == 1
    got = msgs.frame.select("_row", "question_text").collect()
    assert got["question_text"].to_list() == ["怎么用？", None, None, "ok?", "谢谢"]


def test_held_types_and_roles_give_their_rejected_text_from_the_column(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The held copy, and since session 18 the copy on disk, take ``msg_type`` and ``role``
    as read: a rejected row's text as read is the column's own cell (stripped), not a second,
    ``_orig_`` column made for every row."""
    made: list[pl.LazyFrame] = []
    annotate = tables_mod._annotate

    def spy(name: str, *args: Any, **kwargs: Any) -> pl.LazyFrame:
        out = annotate(name, *args, **kwargs)
        made.append(out)
        return out

    monkeypatch.setattr(tables_mod, "_annotate", spy)
    cells = dict(MESSAGES, ts=[None, *MESSAGES["ts"][1:3], None, MESSAGES["ts"][4]])
    cells["msg_type"] = [" Text ", "text", "IMAGE", "\u3000Voice", "text"]
    cells["role"] = ["Member ", "member", "staff", None, "member"]
    (tmp_path / "held").mkdir()
    (tmp_path / "disk").mkdir()
    got = {}
    for hold, where in ((1 << 30, "held"), (0, "disk")):
        pl.DataFrame(cells).write_parquet(tmp_path / where / "messages.parquet")
        made.clear()
        got[where] = read_tables(tmp_path / where, hold=hold)["messages"]
        names = made[-1].collect_schema().names()
        assert ("_orig_msg_type" in names, "_orig_role" in names) == (False, False)
    held, disk = got["held"], got["disk"]
    assert held.rejected.equals(disk.rejected)
    assert held.rejected.select("_row", "msg_type", "role").rows() == [
        (1, "Text", "Member"),
        (4, "Voice", None),
    ]
    assert held.frame.collect().equals(disk.frame.collect())


@pytest.mark.parametrize("hold", [0, 1 << 30], ids=["on disk", "held"])
def test_the_local_time_is_made_once_for_the_time_and_the_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hold: int
) -> None:
    """The bounded local wall-clock time (a ``when`` over the year range) is made once a row
    and the UTC time and the local day are both made of it: written inside each, it was made
    twice a row (the copy, the engagement checking pass and the engagement's own frame)."""
    made: list[pl.LazyFrame] = []
    annotate = tables_mod._annotate
    seen: list[pl.LazyFrame] = []
    checked = tables_mod._checked

    def spy(name: str, *args: Any, **kwargs: Any) -> pl.LazyFrame:
        out = annotate(name, *args, **kwargs)
        made.append(out)
        return out

    def spy_checked(checks: pl.LazyFrame) -> tuple[Any, ...]:
        seen.append(checks)
        return checked(checks)

    monkeypatch.setattr(tables_mod, "_annotate", spy)
    monkeypatch.setattr(tables_mod, "_checked", spy_checked)
    monkeypatch.setattr(tables_mod, "EARLY_AFTER", 99)  # (the pass at the table's turn)
    tabs = read_tables(_folder(tmp_path), hold=hold)
    assert made and seen
    eng = tabs["engagement"]
    assert type(eng._narrow).__name__ == "_View"
    plans = [lf.explain() for lf in (*made, *seen, eng.frame.select("ts", "day"))]
    for plan in plans:
        assert plan.count("is_between") == 1
        assert plan.count('when(col("ts")') == 1
    utc = dt.UTC
    got = tabs["messages"].frame.select("ts", "day").collect()
    assert got["ts"].to_list() == [dt.datetime(2026, 12, 1, 1, m, tzinfo=utc) for m in range(5)]
    assert got["day"].to_list() == [dt.date(2026, 12, 1)] * 5
    got = eng.frame.select("ts", "day").collect()
    assert got["ts"].to_list() == [
        dt.datetime(2026, 12, 1, 1, 30, tzinfo=utc),
        dt.datetime(2026, 12, 1, 1, 40, tzinfo=utc),
        dt.datetime(2026, 12, 3, 15, 30, tzinfo=utc),
    ]
    assert got["day"].to_list() == [dt.date(2026, 12, 1)] * 2 + [dt.date(2026, 12, 3)]
