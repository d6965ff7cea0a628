"""The copy held in memory takes ``msg_type`` and ``role`` as read (``RAW_FEW``): codes of
the texts as read, each distinct text stripped and lowered once; and the coded columns (ids,
names) cast as read, their codes proved clean afterwards (else made again from stripped
cells). The same tables as the copy on disk (every cell stripped and lowered), from Parquet
as the benchmark's data, for valid and rejected rows, padded, blank, upper-case and non-text
cells.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sqops.data.tables as tables_mod
from _held_checks import IN_MEMORY, ON_DISK, held_equals_disk, types_and_roles
from _held_checks import same_tables as _same
from sqops.data.tables import Tables, read_tables


def test_types_and_roles_as_read_from_parquet(tmp_path: Path) -> None:
    folder = types_and_roles(tmp_path / "pq")  # (the cells and what they give: there)
    held = read_tables(folder, hold=IN_MEMORY)
    _same(held, read_tables(folder, hold=ON_DISK))
    m = held["messages"]
    assert m._narrow is None  # (held in memory)
    got = m.frame.collect()
    assert got["_row"].to_list() == [1, 2, 3, 6, 7]
    assert got["msg_type"].to_list() == ["text", "text", None, "image", None]
    assert got["role"].to_list() == ["member", "staff", None, "bot", None]
    rej = m.rejected
    assert rej["_row"].to_list() == [4, 5]
    assert rej["_reason"].to_list() == ["empty_id", "bad_time"]
    assert rej["msg_type"].to_list() == ["Image", None]
    assert rej["role"].to_list() == ["Bot", "member"]
    assert held["staff"].frame.collect()["role"].to_list() == ["staff"]


def test_integer_types_and_a_second_pass_over_times(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # msg_type and role as integers in a CSV's place: Parquet integers, read as their text;
    # row 3's time (slashes) is not the sampled format: the general parser's second pass
    # annotates the rows again, with the types and roles as read
    monkeypatch.setattr(tables_mod, "_SAMPLE", 2)
    monkeypatch.setattr(tables_mod, "HELD_BATCH", 2)
    folder = tmp_path / "pq"
    folder.mkdir()
    pl.DataFrame(
        {
            "ts": ["2026-12-01 09:00:00", "2026-12-01 10:00:00", "2026/12/01 11:00", "bad"],
            "group_id": ["g1"] * 4,
            "member_id": ["a", "b", "c", "d"],
            "msg_type": [1, 2, 1, 3],
            "role": [" Staff", "MEMBER ", " Bot ", " X "],
        }
    ).write_parquet(folder / "messages.parquet")
    held = read_tables(folder, hold=IN_MEMORY)
    _same(held, read_tables(folder, hold=ON_DISK))
    got = held["messages"].frame.collect()
    assert got["msg_type"].to_list() == ["1", "2", "1"]
    assert got["role"].to_list() == ["staff", "member", "bot"]
    rej = held["messages"].rejected
    assert rej["_row"].to_list() == [4]
    assert (rej["msg_type"].to_list(), rej["role"].to_list()) == (["3"], ["X"])


_TYPES = [
    None,
    "",
    " ",
    "\t",
    "text",
    "Text",
    " text ",
    "IMAGE\n",
    "system",
    "图片 ",
    "\u3000voice",
]
_ROLES = [None, "", "  ", "member", "Member", " staff", "BOT ", "\u00a0bot"]


_GROUPS = ["g1", "g2", " g2", "g1\t"]
_MEMBERS = ["a", "b", None, " a", "b\t", "", "  ", "\u3000c"]


def test_held_equals_disk_for_any_types_and_roles(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # each example's ids padded or not row by row, none in its first ``tidy`` rows (there
    # stripped, an empty one null: padding first met in a later batch, or nowhere): across
    # the examples the copy of ids as read is both kept and made again from stripped cells
    # (counted by a spy on _Held.make), always equal to the copy on disk
    taken = {"kept": 0, "again": 0}
    real = tables_mod._Held.make

    def spy(cls: type, *args: object, **kwargs: object) -> object:
        coded = bool(kwargs.get("clean", args[3] if len(args) > 3 else ()))
        try:
            got = real(*args, **kwargs)  # type: ignore[arg-type]
        except tables_mod._Padded:
            taken["again"] += 1
            raise
        taken["kept"] += coded
        return got

    monkeypatch.setattr(tables_mod._Held, "make", classmethod(spy))
    monkeypatch.setattr(tables_mod, "PADDED_SAMPLE", 0)  # (the copy cast as read tried)

    @settings(
        max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(
        rows=st.lists(
            st.tuples(
                st.sampled_from([dt.datetime(2026, 12, 1, 9), dt.datetime(2026, 12, 2, 23), None]),
                st.sampled_from(_MEMBERS),
                st.sampled_from(_TYPES),
                st.sampled_from(_ROLES),
                st.sampled_from(_GROUPS),
            ),
            min_size=1,
            max_size=12,
        ),
        batch=st.integers(1, 5),
        tidy=st.integers(0, 12),
    )
    def check(
        rows: list[tuple[dt.datetime | None, str | None, str | None, str | None, str]],
        batch: int,
        tidy: int,
    ) -> None:
        def ids(i: int, cell: str | None) -> str | None:
            return (cell.strip() or None) if i < tidy and cell is not None else cell

        folder = tmp_path_factory.mktemp("r")
        pl.DataFrame(
            {
                "ts": [r[0] for r in rows],
                "group_id": [ids(i, r[4]) for i, r in enumerate(rows)],
                "member_id": [ids(i, r[1]) for i, r in enumerate(rows)],
                "msg_id": list(range(len(rows))),
                "msg_type": [r[2] for r in rows],
                "role": [r[3] for r in rows],
            },
            schema_overrides={
                "ts": pl.Datetime("us"),
                "group_id": pl.String,
                "member_id": pl.String,
                "msg_type": pl.String,
                "role": pl.String,
            },
        ).write_parquet(folder / "messages.parquet")
        held_equals_disk(folder, batch)

    check()
    assert taken["kept"] and taken["again"], taken


def test_a_padded_id_stops_the_copy_at_its_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 10 messages in batches of 2, the 3rd's member id " b" padded (in the 2nd batch): the
    # copy of ids as read stops at that batch (2 batches marked, not 5 and the closing
    # empty one) and is made again from stripped cells — the same tables as on disk
    t = dt.datetime(2026, 12, 1, 9)
    marked: list[int] = []
    real = tables_mod._Marks.mark

    def spy(self: tables_mod._Marks, batch: pl.DataFrame) -> None:
        if self.codes:  # (the copy of ids as read; the one from stripped cells marks nothing)
            marked.append(batch.height)
        real(self, batch)

    monkeypatch.setattr(tables_mod._Marks, "mark", spy)
    monkeypatch.setattr(tables_mod, "HELD_BATCH", 2)
    monkeypatch.setattr(tables_mod, "PADDED_SAMPLE", 2)  # (" b", the 3rd, not in it)
    members = ["a", "a", " b", "c", "d", "e", "f", "g", "h", "i"]
    pl.DataFrame(
        {"ts": [t] * 10, "group_id": ["g1"] * 10, "member_id": members, "msg_id": range(10)}
    ).write_parquet(tmp_path / "messages.parquet")
    held = read_tables(tmp_path, hold=IN_MEMORY)
    assert marked == [2, 2]
    assert held["messages"].frame.collect()["member_id"].cast(pl.String)[2] == "b"
    _same(held, read_tables(tmp_path, hold=ON_DISK))


def _three_messages_two_members(folder: Path) -> Path:
    """A Parquet folder of 3 messages (a, b, c) and 2 members' joins (a, b) in group g1."""
    t = dt.datetime(2026, 12, 1, 9)
    folder.mkdir()
    pl.DataFrame(
        {"ts": [t] * 3, "group_id": ["g1"] * 3, "member_id": ["a", "b", "c"], "msg_id": [1, 2, 3]}
    ).write_parquet(folder / "messages.parquet")
    pl.DataFrame(
        {"ts": [t] * 2, "group_id": ["g1"] * 2, "member_id": ["a", "b"], "event": ["join"] * 2}
    ).write_parquet(folder / "members.parquet")
    return folder


@pytest.mark.parametrize(("hold_from", "held"), [(0, True), (3, True), (4, False)])
def test_copies_held_only_from_so_many_messages(tmp_path: Path, hold_from: int, held: bool) -> None:
    # 3 messages, 2 members (Parquet: rows from the metadata): the messages' copy held from
    # 3 messages on; from 4, on disk, the members' (a few MB at 1 M messages) still held —
    # the same tables either way
    folder = _three_messages_two_members(tmp_path / "pq")
    got = read_tables(folder, hold=IN_MEMORY, hold_from=hold_from)
    assert (got["messages"]._narrow is None) is held
    assert got["members"]._narrow is None
    _same(got, read_tables(folder, hold=ON_DISK))


def test_the_report_holds_copies_from_two_million_messages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the report CLI asks read_tables for copies in memory from HOLD_FROM_ROWS messages
    from typer.testing import CliRunner

    from sqops.cli import app

    asked: dict[str, object] = {}
    real = tables_mod.read_tables

    def spy(*args: object, **kwargs: object) -> Tables:
        asked.update(kwargs)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(tables_mod, "read_tables", spy)
    r = CliRunner().invoke(app, ["report", "examples/skincare/data", "-f", "json"])
    assert r.exit_code == 0, r.output
    assert asked["hold_from"] == tables_mod.HOLD_FROM_ROWS == 2_000_000
    assert isinstance(asked["hold"], int) and asked["hold"] > 0


def _ids_folder(tmp_path: Path, group: list[str | None], member: list[str | None]) -> Path:
    t = dt.datetime(2026, 12, 1, 9)
    folder = tmp_path / "ids"
    folder.mkdir()
    n = len(group)
    pl.DataFrame(
        {
            "ts": [t] * (n - 1) + [None],  # (the last row: rejected, unreadable time)
            "group_id": group,
            "member_id": member,
            "msg_id": list(range(1, n + 1)),
            "member_name": ["Ann", " Bo", None, "Cy"][:n],
        },
        schema_overrides={"ts": pl.Datetime("us")},
    ).write_parquet(folder / "messages.parquet")
    return folder


@pytest.mark.parametrize(
    ("group", "member", "padded", "rows", "rejected"),
    [
        # clean ids (the name " Bo" is padded: stripped as every cell is)
        (["g1", "g1", "g2", "g2"], ["a", "b", "c", "d"], True, [1, 2, 3], [4]),
        (["g1", "g1", "g2", "g2"], ["a", "b", "c", "d"], False, [1, 2, 3], [4]),
        # " g1 " stripped: row 2 in g1 with row 1; "" and "  " are empty ids (rejected)
        (["g1", " g1 ", "g2", "g2"], ["a", "b", "", "d"], False, [1, 2], [3, 4]),
        (["g1", "g1", "g2", "g2"], ["a", "  ", "c", "d"], False, [1, 3], [2, 4]),
        # padded only in the rejected row
        (["g1", "g1", "g2", "g2 "], ["a", "b", "c", "d"], False, [1, 2, 3], [4]),
    ],
)
def test_coded_columns_cast_as_read(
    tmp_path: Path,
    group: list[str | None],
    member: list[str | None],
    padded: bool,
    rows: list[int],
    rejected: list[int],
) -> None:
    folder = _ids_folder(tmp_path, group, member)
    if not padded:  # (the name " Bo" stripped in the file: every coded cell clean as read)
        df = pl.read_parquet(folder / "messages.parquet")
        df.with_columns(pl.col("member_name").str.strip_chars()).write_parquet(
            folder / "messages.parquet"
        )
    held = read_tables(folder, hold=IN_MEMORY)
    _same(held, read_tables(folder, hold=ON_DISK))
    m = held["messages"]
    assert m.frame.collect()["_row"].to_list() == rows
    assert m.rejected["_row"].to_list() == rejected
    got = m.frame.collect()
    assert (
        got["group_id"].cast(pl.String).str.strip_chars().to_list()
        == got["group_id"].cast(pl.String).to_list()
    )


def test_a_padded_id_takes_the_stripped_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the copy cast as read meets " g1 ": made again from stripped cells (two makes);
    # clean ids: one make
    made: list[int] = []
    real = tables_mod._Held.make.__func__  # type: ignore[attr-defined]

    def counted(cls: type, *args: object, **kwargs: object) -> object:
        made.append(1)
        return real(cls, *args, **kwargs)

    monkeypatch.setattr(tables_mod._Held, "make", classmethod(counted))
    monkeypatch.setattr(tables_mod, "PADDED_SAMPLE", 1)  # (" g1 ", the 2nd, not in it)
    padded = _ids_folder(tmp_path, ["g1", " g1 ", "g2", "g2"], ["a", "b", "c", "d"])
    got = read_tables(padded, hold=IN_MEMORY)
    assert len(made) == 2
    assert got["messages"].frame.collect()["group_id"].cast(pl.String).to_list() == [
        "g1",
        "g1",
        "g2",
    ]
    made.clear()
    clean = tmp_path / "c"
    clean.mkdir()
    pl.DataFrame(
        {"ts": [dt.datetime(2026, 12, 1, 9)], "group_id": ["g1"], "member_id": ["a"]}
    ).write_parquet(clean / "messages.parquet")
    read_tables(clean, hold=IN_MEMORY)
    assert len(made) == 1


@pytest.mark.parametrize(("hold_from", "held"), [(30, True), (31, False)])
@pytest.mark.parametrize("sample", [1 << 20, 200])
def test_a_csv_counts_its_rows_by_its_lines_for_hold_from(
    tmp_path: Path, hold_from: int, held: bool, sample: int
) -> None:
    # 29 messages of 92 bytes a line + the header's 83: 30 lines, 2,751 bytes. Over 40 bytes
    # a row the file would be 2,751 // 40 + 1 = 69 rows, held from 31 too; by its lines,
    # read whole, 30: held from 30, not 31. With a 200-byte sample (2 line ends: 83, 175)
    # 2,751 × 2 // 200 + 1 = 28 rows: under both, on disk
    head = "ts,group_id,member_id,msg_id,msg_type,role,content,reply_to,member_name,group_name\n"
    line = "2026-12-01 09:00:00,g1,m1,{:04d},text,member,"
    line += "hello there this is a message about serums,,Ann,\n"
    assert (len(head), len(line.format(0))) == (83, 92)
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "messages.csv").write_text(head + "".join(line.format(i) for i in range(29)))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(tables_mod, "TEXT_SAMPLE_BYTES", sample)
        got = read_tables(folder, hold=IN_MEMORY, hold_from=hold_from)
    assert (got["messages"]._narrow is None) is (held and sample > 200)
    _same(got, read_tables(folder, hold=ON_DISK))


def test_partitioned_messages_with_hold_from_keep_every_copy_on_disk(tmp_path: Path) -> None:
    # messages partitioned by group (not counted): with hold_from the members go to disk too
    t = dt.datetime(2026, 12, 1, 9)
    part = tmp_path / "p" / "messages" / "group_id=g1"
    part.mkdir(parents=True)
    pl.DataFrame({"ts": [t] * 3, "member_id": ["a", "b", "c"], "msg_id": [1, 2, 3]}).write_parquet(
        part / "0.parquet"
    )
    pl.DataFrame(
        {"ts": [t] * 2, "group_id": ["g1"] * 2, "member_id": ["a", "b"], "event": ["join"] * 2}
    ).write_parquet(tmp_path / "p" / "members.parquet")
    got = read_tables(tmp_path / "p", hold=IN_MEMORY, hold_from=1)
    assert got["members"]._narrow is not None
    # without hold_from the members are held as before
    assert read_tables(tmp_path / "p", hold=IN_MEMORY)["members"]._narrow is None


@pytest.mark.parametrize(("below", "held"), [(2 * 64, True), (2 * 64 - 1, False)])
def test_below_hold_from_the_other_copies_hold_a_few_bytes_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, below: int, held: bool
) -> None:
    # 3 messages (under hold_from 4: on disk), 2 members (estimated 2 x HELD_ROW_BYTES):
    # held only within HELD_BELOW_BYTES, whatever the budget (a small messages table beside
    # a large members table must not hold all of the members) — the same tables either way
    monkeypatch.setattr(tables_mod, "HELD_ROW_BYTES", 64)
    monkeypatch.setattr(tables_mod, "HELD_BELOW_BYTES", below)
    folder = _three_messages_two_members(tmp_path / "pq")
    got = read_tables(folder, hold=IN_MEMORY, hold_from=4)
    assert got["messages"]._narrow is not None
    assert (got["members"]._narrow is None) is held
    _same(got, read_tables(folder, hold=ON_DISK))


def test_a_held_copy_tests_its_codes_without_numpy(tmp_path: Path) -> None:
    # the held copy's test of its ids (_Marks) is polars': a run that holds copies (the
    # report's members, posts... at 1 M messages) does not import numpy (~0.07 CPU-s)
    t = dt.datetime(2026, 12, 1, 9)
    pl.DataFrame(
        {"ts": [t] * 3, "group_id": ["g1"] * 3, "member_id": ["a", "b", "c"], "msg_id": [1, 2, 3]}
    ).write_parquet(tmp_path / "messages.parquet")
    code = (
        "import sys\n"
        "from sqops.data.tables import read_tables\n"
        f"got = read_tables({str(tmp_path)!r}, hold=1 << 40)\n"
        "print(got['messages']._narrow is None, 'numpy' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "False"]


def test_a_padded_text_elsewhere_in_the_dictionary_does_not_stop_a_held_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the texts of every code up to a batch's largest are tested: a padded text something
    # else put in the process's dictionary (held here, so that polars keeps it) is among
    # them but in no cell: the copy of ids as read is made once; a padded cell in a later
    # batch still stops it there (the copy made again from stripped cells). The ids are new
    # to the dictionary (their codes after the padded text's): in a long process, ids that
    # earlier tests left there with codes below it would never have it tested
    t = dt.datetime(2026, 12, 1, 9)
    made: list[int] = []
    real = tables_mod._Held.make.__func__  # type: ignore[attr-defined]

    def counted(cls: type, annotated: pl.LazyFrame, *a: object, **k: object) -> object:
        made.append(1)
        return real(cls, annotated, *a, **k)

    found: list[int] = []
    real_padded = tables_mod._padded_codes

    def padded_codes(codes: object) -> pl.Series:
        got = real_padded(codes)
        found.extend(got.to_list())
        return got

    monkeypatch.setattr(tables_mod._Held, "make", classmethod(counted))
    monkeypatch.setattr(tables_mod, "_padded_codes", padded_codes)
    monkeypatch.setattr(tables_mod, "HELD_BATCH", 2)
    monkeypatch.setattr(tables_mod, "PADDED_SAMPLE", 0)
    other = pl.Series([" g9 "]).cast(pl.Categorical)
    ids = [f"{m}-{tmp_path.name}" for m in "abcd"]
    for members, times in ((ids, 1), ([*ids[:3], " " + ids[3]], 2)):
        made.clear()
        found.clear()
        folder = tmp_path / str(times)
        folder.mkdir()
        pl.DataFrame(
            {"ts": [t] * 4, "group_id": ["g1"] * 4, "member_id": members, "msg_id": range(4)}
        ).write_parquet(folder / "messages.parquet")
        held = read_tables(folder, hold=IN_MEMORY)
        assert len(made) == times
        assert other.to_physical()[0] in found  # (tested, then in no cell)
        got = held["messages"].frame.collect()["member_id"].cast(pl.String).to_list()
        assert got == ids
        _same(held, read_tables(folder, hold=ON_DISK))
    del other
