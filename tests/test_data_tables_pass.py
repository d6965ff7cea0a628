"""A pass over a copy held in memory (session 20, held9): the repeated ids' rows are dropped
from the held frame once, at reading (their numbers join the rejected rows' gaps), so that
``TableData.frame`` has no filter on ``_row`` and a query's predicates on the held columns
are applied before ``_row`` and the texts are made (``_Held.valid``'s element-wise maps), of
the rows they keep only; ``where_in`` filters the held codes. Every case by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import sqops.data.tables as tables_mod
from _held_checks import IN_MEMORY, ON_DISK
from _held_checks import same_tables as _same
from sqops.data.tables import TableData, read_tables

T0 = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)
N = 12

#: where the rejected rows (a null time) and the repeated ids are, 1-based source rows:
#: (rejected, {a repeated row: the earlier row whose msg_id it takes})
LAYOUTS: dict[str, tuple[tuple[int, ...], dict[int, int]]] = {
    "none": ((), {}),
    "start": ((1,), {3: 2}),  # (row 2 the first held row, row 3 the second)
    "middle": ((6,), {8: 7}),
    "end": ((11,), {12: 10}),
    "both in one place": ((6,), {5: 4, 7: 4}),  # (rows 5, 6, 7 left out)
    "every kind": ((1, 5, 12), {3: 2, 6: 4, 9: 8, 11: 10}),
}


def _messages(folder: Path, rejected: tuple[int, ...], repeated: dict[int, int]) -> Path:
    """``N`` messages, row ``r`` (1-based): time T0 + r minutes (null if rejected), group
    g1 for odd rows and g2 for even, msg_id r (or that of the row it repeats), msg_type
    " Text" / "IMAGE" alternating by threes, reply_to "m<r>" on rows divisible by 4, a
    question (content with "?") on rows divisible by 3 (``question_text``: that content, and
    a reply's), member_name null on row 4."""
    folder.mkdir()
    rows = range(1, N + 1)
    pl.DataFrame(
        {
            "ts": [None if r in rejected else T0 + dt.timedelta(minutes=r) for r in rows],
            "group_id": ["g1" if r % 2 else "g2" for r in rows],
            "member_id": [f"u{r % 5}" for r in rows],
            "member_name": [None if r == 4 else f"n{r % 5}" for r in rows],
            "msg_id": [repeated.get(r, r) for r in rows],
            "msg_type": [" Text" if (r - 1) // 3 % 2 == 0 else "IMAGE" for r in rows],
            "reply_to": [f"m{r}" if r % 4 == 0 else None for r in rows],
            "content": [f"q{r}?" if r % 3 == 0 else f"hello {r}" for r in rows],
        }
    ).write_parquet(folder / "messages.parquet")
    return folder


def _kept(rejected: tuple[int, ...], repeated: dict[int, int]) -> list[int]:
    """The source rows of the frame: neither rejected nor repeating a kept row's id."""
    return [r for r in range(1, N + 1) if r not in rejected and r not in repeated]


def _by_hand(rows: list[int]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "_row": rows,
            "msg_type": ["text" if (r - 1) // 3 % 2 == 0 else "image" for r in rows],
            "reply_to": [f"m{r}" if r % 4 == 0 else None for r in rows],
            "question_text": [
                f"q{r}?" if r % 3 == 0 else f"hello {r}" if r % 4 == 0 else None for r in rows
            ],
            "ts": [T0 + dt.timedelta(minutes=r) for r in rows],
        },
        schema_overrides={"_row": pl.Int64, "ts": pl.Datetime("us", "UTC")},
    )


def _held(folder: Path) -> TableData:
    td = read_tables(folder, hold=IN_MEMORY)["messages"]
    assert td._held is not None and td._held[1] is td.frame
    return td


def _spied(monkeypatch: pytest.MonkeyPatch, rows: bool = False) -> list[int]:
    """The rows each map is made of, call by call: ``_gathered``'s (the texts) and, with
    ``rows``, ``_source_rows``' (``_row``)."""
    seen: list[int] = []
    gathered, source_rows = tables_mod._gathered, tables_mod._source_rows

    def spy_gathered(values: pl.Series, index: pl.Series) -> pl.Series:
        seen.append(index.len())
        return gathered(values, index)

    def spy_rows(gaps: pl.Series, index: pl.Series) -> pl.Series:
        seen.append(index.len())
        return source_rows(gaps, index)

    monkeypatch.setattr(tables_mod, "_gathered", spy_gathered)
    if rows:
        monkeypatch.setattr(tables_mod, "_source_rows", spy_rows)
    return seen


@pytest.mark.parametrize("drops", [0, 64], ids=["a column at a time", "sliced"])
@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_the_held_frame_drops_the_repeated_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str, drops: int
) -> None:
    monkeypatch.setattr(tables_mod, "SLICED_DROPS", drops)
    rejected, repeated = LAYOUTS[layout]
    folder = _messages(tmp_path / "m", rejected, repeated)
    td = _held(folder)
    rows = _kept(rejected, repeated)
    cols = ["_row", "msg_type", "reply_to", "question_text", "ts"]
    assert_frame_equal(td.frame.select(cols).collect(), _by_hand(rows))
    # the repeated rows are not held (their numbers joined the gaps)
    assert td._held is not None and td._held[0].height == len(rows)
    assert td.duplicates == N - len(rejected) - len(rows)
    assert sorted(td.rejected["_row"].to_list()) == list(rejected)
    # a filter before _row: the rows of g2 (even) with a reply, by hand
    got = td.frame.filter((pl.col("group_id") == "g2") & pl.col("reply_to").is_not_null())
    want = [r for r in rows if r % 4 == 0]
    assert got.select("_row").collect()["_row"].to_list() == want
    # the copy on disk (its filter on _row) gives the same table
    _same(read_tables(folder, hold=IN_MEMORY), read_tables(folder, hold=ON_DISK))


def test_the_texts_and_rows_are_made_of_the_rows_a_query_keeps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _spied(monkeypatch, rows=True)
    td = _held(_messages(tmp_path / "m", *LAYOUTS["every kind"]))
    seen.clear()  # (the reading's own queries)
    # rows 2, 4, 7, 8, 10 kept (1, 5, 12 rejected; 3, 6, 9, 11 repeat 2, 4, 8, 10); of
    # them those of g2 after T0 + 5 minutes: 8, 10
    late = (pl.col("group_id") == "g2") & (pl.col("ts") > T0 + dt.timedelta(minutes=5))
    got = td.frame.filter(late).select("_row", "msg_type", "reply_to").collect()
    assert got.rows() == [(8, "text", "m8"), (10, "image", None)]
    # (each of the three maps, _row, msg_type and reply_to, of those 2 rows, chunk by chunk)
    assert sum(seen) == 3 * 2, "the maps were made of rows the filter drops"
    seen.clear()
    assert td.frame.select(pl.col("ts").max()).collect().item() == T0 + dt.timedelta(minutes=10)
    assert not seen  # (a column of the held frame: no map at all)


def test_where_in_on_the_held_codes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _spied(monkeypatch)
    td = _held(_messages(tmp_path / "m", *LAYOUTS["middle"]))
    seen.clear()  # (the reading's own queries)
    # kept rows 1-5, 7, 9-12; names n<r % 5>, row 4's null
    got = td.where_in("member_name", ["n2", "nobody"]).select("_row", "msg_type").collect()
    assert got.rows() == [(2, "text"), (7, "text"), (12, "image")]
    assert sum(seen) == 3  # (msg_type's map of those rows only)
    with_null = td.where_in("member_name", ["n2"], nulls=True).select("_row").collect()
    assert with_null["_row"].to_list() == [2, 4, 7, 12]
    g1 = td.where_in("group_id", ["g1"]).select("_row").collect()["_row"].to_list()
    assert g1 == [1, 3, 5, 7, 9, 11]
    # (the same as the frame's own filter, in the frame's order)
    names = pl.col("member_name").cast(pl.String)
    want = td.frame.filter(names.is_in(["n2"]) | names.is_null()).select("_row").collect()
    assert with_null.equals(want)


def test_times_in_order_over_the_frame_rows_only(tmp_path: Path) -> None:
    """A repeated id's row whose time goes back is not one of ``frame``'s rows: the times
    are in order over the frame (the held copy held it until session 20: not in order)."""
    folder = tmp_path / "m"
    folder.mkdir()
    pl.DataFrame(
        {
            "ts": [T0, T0 + dt.timedelta(minutes=2), T0 + dt.timedelta(minutes=1), None],
            "group_id": ["g1"] * 4,
            "member_id": ["a", "b", "c", "d"],
            "msg_id": [1, 2, 1, 3],  # (row 3 repeats row 1: its time back is dropped)
        }
    ).write_parquet(folder / "messages.parquet")
    td = _held(folder)
    assert td.frame.select("_row").collect()["_row"].to_list() == [1, 2]
    assert td.times_in_order()
    # a time back among the frame's rows is still found
    folder2 = tmp_path / "m2"
    folder2.mkdir()
    pl.DataFrame(
        {
            "ts": [T0, T0 + dt.timedelta(minutes=2), T0 + dt.timedelta(minutes=1)],
            "group_id": ["g1"] * 3,
            "member_id": ["a", "b", "c"],
            "msg_id": [1, 2, 3],
        }
    ).write_parquet(folder2 / "messages.parquet")
    assert not _held(folder2).times_in_order()


def test_a_copy_on_disk_makes_its_texts_of_the_rows_a_query_keeps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copy on disk (``_Copy.scan``): a filter on the stored cells goes into the
    Parquet scan with the repeated ids' one, the texts made of the rows it keeps."""
    seen = _spied(monkeypatch)
    td = read_tables(_messages(tmp_path / "m", *LAYOUTS["every kind"]), hold=ON_DISK)["messages"]
    assert td._narrow is not None and td._held is None
    seen.clear()  # (the reading's own queries)
    # rows 2, 4, 7, 8, 10 kept; of them those after T0 + 5 minutes: 7, 8, 10
    late = pl.col("ts") > T0 + dt.timedelta(minutes=5)
    got = td.frame.filter(late).select("_row", "msg_type").collect()
    assert got.rows() == [(7, "text"), (8, "text"), (10, "image")]
    assert sum(seen) == 3, "the texts were made of rows the filter drops"
