"""A sparse column of integers (``reply_to`` of a Parquet file) in a typed copy: made text
only for the rows that have one (``_Held.make``) or as the copy is written, not cast cell by
cell in the copy's query (at 10 M messages the cast of every cell, nulls too, cost ~0.26
CPU-s); the rejected rows' cells as text too. The same tables as from a CSV of the same
cells, held in memory or on disk, in batches of any size; and the texts of the few-valued
columns' codes (``words``) read up to the largest code, whatever other texts the codes
between belong to."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

import sqops.data.tables as tables_mod
from _held_checks import IN_MEMORY, ON_DISK, held_equals_disk, same_tables
from sqops.data.tables import read_tables

T0 = dt.datetime(2026, 12, 1, 9)
#: the rejected rows' columns a CSV gives as the Parquet file does (not its times, read as text)
AS_CSV = ["_row", "_reason", "group_id", "member_id", "msg_type", "content", "reply_to"]


def _as_csv(rejected: pl.DataFrame) -> pl.DataFrame:
    return rejected.select(c for c in AS_CSV if c in rejected.columns)


def _messages(
    folder: Path,
    replies: list[int | None],
    members: list[str | None],
    content: list[str | None] | None = None,
) -> Path:
    """Parquet messages (and the same cells as a CSV beside, ``csv/``): row i at 09:i."""
    n = len(replies)
    frame = pl.DataFrame(
        {
            "ts": [T0 + dt.timedelta(minutes=i) for i in range(n)],
            "group_id": ["g1"] * n,
            "member_id": members,
            "msg_type": ["Text", " image", "TEXT", "system"][:n] + ["text"] * max(0, n - 4),
            "content": content or ["why?" if i % 3 == 0 else "ok" for i in range(n)],
            "reply_to": pl.Series(replies, dtype=pl.Int64),
        },
        schema_overrides={"member_id": pl.String},
    )
    folder.mkdir()
    frame.write_parquet(folder / "messages.parquet")
    (folder / "csv").mkdir()
    frame.write_csv(folder / "csv" / "messages.csv", datetime_format="%Y-%m-%d %H:%M:%S")
    return folder


def test_replies_as_integers_are_made_text_where_set(tmp_path: Path) -> None:
    # rows 1-6: a reply to 7, none, to -1 (rejected: no member), none (rejected), to 2**62,
    # none; in batches of 2 the rejected rows fall in the second batch
    folder = _messages(
        tmp_path / "d", [7, None, -1, None, 2**62, None], ["a", "b", None, None, "e", "f"]
    )
    seen: list[pl.Schema] = []
    make = tables_mod._Held.make.__func__  # type: ignore[attr-defined]

    def spy(cls: type, annotated: pl.LazyFrame, *args: object, **kw: object) -> object:
        seen.append(annotated.collect_schema())
        return make(cls, annotated, *args, **kw)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(tables_mod._Held, "make", classmethod(spy))
        mp.setattr(tables_mod, "HELD_BATCH", 2)
        held = read_tables(folder, hold=IN_MEMORY)
    # the copy's query keeps the integers (no cast of every cell)
    assert seen and seen[0]["reply_to"] == pl.Int64
    disk = read_tables(folder, hold=ON_DISK)
    same_tables(held, disk)
    msgs = held["messages"]
    got = msgs.frame.collect()
    assert got.schema["reply_to"] == pl.String
    assert got["reply_to"].to_list() == ["7", None, "4611686018427387904", None]
    assert msgs.rejected["_row"].to_list() == [3, 4]
    assert msgs.rejected.schema["reply_to"] == pl.String
    assert msgs.rejected["reply_to"].to_list() == ["-1", None]
    # as from the same cells in a CSV (text, stripped)
    csv = read_tables(folder / "csv", hold=IN_MEMORY)["messages"]
    assert_frame_equal(got, csv.frame.collect())
    assert_frame_equal(_as_csv(msgs.rejected), _as_csv(csv.rejected))


@pytest.mark.parametrize("hold", [IN_MEMORY, ON_DISK])
def test_no_row_rejected_keeps_the_replies_text(tmp_path: Path, hold: int) -> None:
    # no rejected row: the (empty) rejected rows have the reply as text all the same
    folder = _messages(tmp_path / "d", [None, 1, None], ["a", "b", "c"])
    msgs = read_tables(folder, hold=hold)["messages"]
    assert msgs.rejected.height == 0
    assert msgs.rejected.schema["reply_to"] == pl.String
    assert msgs.frame.collect()["reply_to"].to_list() == [None, "1", None]
    csv = read_tables(folder / "csv", hold=hold)["messages"]
    assert_frame_equal(_as_csv(msgs.rejected), _as_csv(csv.rejected))


#: chat texts: questions padded (ASCII and ideographic spaces), a blank one, none
QUESTIONS = [
    " 怎么用？ ",
    "好的",
    "  ",
    "ok?",
    "\u3000谢谢\u3000",
    "",
    "?",
    "\t为什么?\n",
    "\u3000",
]


def test_held_question_texts_are_stripped_where_kept(tmp_path: Path) -> None:
    # rows 1-6: a padded question, no question, a blank reply (kept for its reply_to, no
    # text), a question rejected (no member), a reply in ideographic spaces, a question
    # with a tab and a newline; the held copy's query selects the text as read (no strip
    # of every cell), the copy strips the kept ones
    folder = _messages(
        tmp_path / "d",
        [None, None, 1, None, 2, None],
        ["a", "b", "c", None, "e", "f"],
        [" 怎么用？ ", "好的", "  ", "why?", "\u3000谢谢\u3000", "\t为什么?\n"],
    )
    seen: list[pl.LazyFrame] = []
    make = tables_mod._Held.make.__func__  # type: ignore[attr-defined]

    def spy(cls: type, annotated: pl.LazyFrame, *args: object, **kw: object) -> object:
        seen.append(annotated)
        return make(cls, annotated, *args, **kw)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(tables_mod._Held, "make", classmethod(spy))
        mp.setattr(tables_mod, "HELD_BATCH", 2)
        held = read_tables(folder, hold=IN_MEMORY)
    assert seen and "strip_chars" not in seen[0].explain()
    same_tables(held, read_tables(folder, hold=ON_DISK))
    got = held["messages"].frame.select("_row", "question_text", "reply_to").collect()
    assert got.rows() == [
        (1, "怎么用？", None),
        (2, None, None),
        (3, None, "1"),
        (5, "谢谢", "2"),
        (6, "为什么?", None),
    ]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    rows=st.lists(
        st.tuples(
            st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1)),
            st.sampled_from(["a", "b", None]),
            st.sampled_from(QUESTIONS),
        ),
        min_size=1,
        max_size=9,
    ),
    batch=st.integers(1, 4),
)
def test_replies_held_as_on_disk_and_from_csv(
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[tuple[int | None, str | None, str]],
    batch: int,
) -> None:
    base = tmp_path_factory.mktemp("sparse")
    folder = _messages(
        base / "d", [r for r, _, _ in rows], [m for _, m, _ in rows], [q for _, _, q in rows]
    )
    held_equals_disk(folder, batch)
    if all(m is None for _, m, _ in rows):
        return  # (no valid row: the same error both ways, as held_equals_disk checked)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(tables_mod, "HELD_BATCH", batch)
        held = read_tables(folder, hold=IN_MEMORY)
    csv = read_tables(folder / "csv", hold=IN_MEMORY)
    assert_frame_equal(held["messages"].frame.collect(), csv["messages"].frame.collect())
    assert_frame_equal(_as_csv(held["messages"].rejected), _as_csv(csv["messages"].rejected))


def test_words_of_codes_among_other_columns_texts(tmp_path: Path) -> None:
    # the few-valued columns share one set of codes: the staff's roles and the members'
    # events are given codes between and after the messages' types and roles; each column's
    # texts are read up to its largest code, those of the codes between it does not have
    # never looked up
    folder = tmp_path / "d"
    folder.mkdir()
    pl.DataFrame(
        {
            "ts": [T0 + dt.timedelta(minutes=i) for i in range(5)],
            "group_id": ["g1"] * 5,
            "member_id": ["a", "b", "c", "d", "e"],
            "msg_type": ["Voice", "zzz-new", "VOICE ", None, "link"],
            "role": ["Helper", "helper", " ", "owner", "x-role"],
        }
    ).write_parquet(folder / "messages.parquet")
    pl.DataFrame({"member_id": ["s", "t"], "role": ["Captain", "voice"]}).write_parquet(
        folder / "staff.parquet"
    )
    pl.DataFrame(
        {
            "ts": [T0] * 3,
            "group_id": ["g1"] * 3,
            "member_id": ["a", "b", "c"],
            "event": ["join", "LEAVE", "join"],
        }
    ).write_parquet(folder / "members.parquet")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(tables_mod, "HELD_BATCH", 2)
        held = read_tables(folder, hold=IN_MEMORY)
    same_tables(held, read_tables(folder, hold=ON_DISK))
    got = held["messages"].frame.collect()
    assert got["msg_type"].to_list() == ["voice", "zzz-new", "voice", None, "link"]
    assert got["role"].to_list() == ["helper", "helper", None, "owner", "x-role"]
    assert held["staff"].frame.collect()["role"].to_list() == ["captain", "voice"]
    assert held["members"].frame.collect()["event"].to_list() == ["join", "leave", "join"]
