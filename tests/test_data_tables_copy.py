"""The copy on disk made as the held one is (session 18): ``msg_type`` and ``role`` written as
the codes of their texts as read, each distinct text stripped and lowered once; the coded
columns (ids, names) cast as read, the file's distinct codes proved clean afterwards (else
the copy made again from stripped cells); the rejected rows' text as read; the scans of the
copy (``frame``, ``where_in``) give the texts back.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import sqops.data.tables as tables_mod
from _held_checks import IN_MEMORY, ON_DISK, types_and_roles
from _held_checks import same_tables as _same
from sqops.data.tables import read_tables

T = dt.datetime(2026, 12, 1, 9)


def _messages(folder: Path, **columns: list) -> Path:
    folder.mkdir()
    n = len(next(iter(columns.values())))
    base = {"ts": [T] * n, "group_id": ["g1"] * n, "member_id": [f"m{i}" for i in range(n)]}
    pl.DataFrame({**base, "msg_id": list(range(1, n + 1)), **columns}).write_parquet(
        folder / "messages.parquet"
    )
    return folder


def _messages_writes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    """The columns stripped (``clean``) at each write of the messages' copy, as they come."""
    written: list[tuple[str, ...]] = []
    real = tables_mod._Copy.written.__func__  # type: ignore[attr-defined]

    def counted(cls: type, path: Path, coded: tuple[str, ...], clean: list[str], *a: object):
        if path.name == "messages.parquet":
            written.append(tuple(clean))
        return real(cls, path, coded, clean, *a)

    monkeypatch.setattr(tables_mod._Copy, "written", classmethod(counted))
    return written


def test_types_and_roles_written_as_codes(tmp_path: Path) -> None:
    # padded, blank, upper-case cells; row 4 rejected (empty id) with its cells as read,
    # stripped; row 5 rejected (no time)
    folder = types_and_roles(tmp_path / "pq")
    disk = read_tables(folder, hold=ON_DISK)
    m = disk["messages"]
    assert m._narrow is not None  # (on disk)
    stored = pl.read_parquet(m._narrow.copy.path)
    assert stored.schema["msg_type"] == stored.schema["role"] == pl.UInt32
    got = m.frame.collect()
    assert got["_row"].to_list() == [1, 2, 3, 6, 7]
    assert got["msg_type"].to_list() == ["text", "text", None, "image", None]
    assert got["role"].to_list() == ["member", "staff", None, "bot", None]
    assert m.rejected["_row"].to_list() == [4, 5]
    assert m.rejected["msg_type"].to_list() == ["Image", None]
    assert m.rejected["role"].to_list() == ["Bot", "member"]
    # the scan with a filter on the stored codes gives the same rows
    assert_frame_equal(
        m.where_in("member_id", ["a", "f"]).collect(), got.filter(pl.col("_row").is_in([1, 6]))
    )
    _same(read_tables(folder, hold=IN_MEMORY), disk)


def test_the_texts_of_the_codes_are_kept_until_read(tmp_path: Path) -> None:
    # polars drops the texts of a named categorical's codes once no data uses them: in a
    # process where nothing else holds one, the texts are still read after the copy is
    # written (without the column that keeps them: "invalid category value")
    folder = _messages(tmp_path / "pq", msg_type=["Text", "image", "Text"], role=["member"] * 3)
    code = textwrap.dedent(
        f"""
        from sqops.data.tables import read_tables
        m = read_tables({str(folder)!r}, hold=0)["messages"]
        print(m.frame.collect()["msg_type"].to_list())
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "['text', 'image', 'text']"


@pytest.mark.parametrize("per_row", [0, 10**9])
@pytest.mark.parametrize("sample", [0, 2000])
@pytest.mark.parametrize(
    ("group", "writes", "rows"),
    [
        (["g1", "g1", "g2"], 1, [1, 2, 3]),
        (["g1", " g1 ", "g2"], 2, [1, 2, 3]),  # (padded: made again from stripped cells)
        (["g1", "", "g2"], 2, [1, 3]),  # (an empty id: rejected, as stripped)
    ],
)
def test_a_padded_id_makes_the_copy_again(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    group: list[str],
    writes: int,
    rows: list[int],
    sample: int,
    per_row: int,
) -> None:
    # without the sample of the first rows (0), a padded or empty group id is met in the
    # written file's codes: the copy is made again from stripped cells; in the sample, the
    # column is stripped from the start (one write), the member ids still cast as read.
    # The codes tested: the file's distinct ones (CODES_PER_ROW 0), or every code of the
    # process's dictionary up to the file's largest (a large CODES_PER_ROW)
    written = _messages_writes(monkeypatch)
    monkeypatch.setattr(tables_mod, "PADDED_SAMPLE", sample)
    monkeypatch.setattr(tables_mod, "CODES_PER_ROW", per_row)
    folder = _messages(tmp_path / "pq", group_id=group, msg_type=["text"] * 3)
    disk = read_tables(folder, hold=ON_DISK)
    clean = group == ["g1", "g1", "g2"]
    if sample and not clean:
        assert written == [("member_id",)]
    else:
        assert len(written) == writes
        assert written[0] == ("group_id", "member_id")
    m = disk["messages"]
    got = m.frame.collect()
    assert got["_row"].to_list() == rows
    assert got["group_id"].cast(pl.String).to_list() == [group[r - 1].strip() for r in rows]
    g1 = m.where_in("group_id", ["g1"]).collect()
    assert_frame_equal(g1, got.filter(pl.col("group_id") == "g1"))
    _same(read_tables(folder, hold=IN_MEMORY), disk)


def test_a_padded_text_of_another_table_is_looked_for_in_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # every code of the process's dictionary up to the file's largest has its text tested:
    # a padded text that something else put there (held here, so that polars keeps it) is
    # among them but in no cell of the file: the copy, cast as read, is written once
    written = _messages_writes(monkeypatch)
    monkeypatch.setattr(tables_mod, "PADDED_SAMPLE", 0)
    monkeypatch.setattr(tables_mod, "CODES_PER_ROW", 10**9)
    found: list[list[int]] = []
    real = tables_mod._padded_codes

    def padded_codes(codes: object) -> pl.Series:
        got = real(codes)
        found.append(got.to_list())
        return got

    monkeypatch.setattr(tables_mod, "_padded_codes", padded_codes)
    other = pl.Series([" g9 "]).cast(pl.Categorical)
    # (texts new to the dictionary: their codes come after the padded one's)
    g1, g2 = f"g1-{tmp_path.name}", f"g2-{tmp_path.name}"
    folder = _messages(tmp_path / "pq", group_id=[g1, g1, g2], msg_type=["text"] * 3)
    disk = read_tables(folder, hold=ON_DISK)
    assert written == [("group_id", "member_id")]
    assert other.to_physical()[0] in found[0]  # (found, then not in the file)
    got = disk["messages"].frame.collect()
    assert got["group_id"].cast(pl.String).to_list() == [g1, g1, g2]
    _same(read_tables(folder, hold=IN_MEMORY), disk)
    del other


def test_a_padded_id_is_not_cast_as_read_again_for_the_zones_own_times(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # (review rv-rep1m7) the sampled times keep one offset, the later ones do not (New
    # York's summer, then winter): the copy is made again with the zone's own conversion.
    # A padded id past the sample was met in the first copy cast as read: the second copy
    # takes stripped cells at once (3 writes, not 4: a whole copy on disk saved)
    written = _messages_writes(monkeypatch)
    monkeypatch.setattr(tables_mod, "PADDED_SAMPLE", 1)
    monkeypatch.setattr(tables_mod, "_SAMPLE", 2)
    folder = tmp_path / "pq"
    folder.mkdir()
    summer, winter = dt.datetime(2026, 7, 1, 9), dt.datetime(2026, 12, 1, 9)
    pl.DataFrame(
        {
            "ts": [summer, summer, winter, winter],
            "group_id": ["g1", "g1", " g1", "g2"],
            "member_id": ["a", "b", "c", "d"],
            "msg_id": [1, 2, 3, 4],
            "msg_type": ["text"] * 4,
        }
    ).write_parquet(folder / "messages.parquet")
    disk = read_tables(folder, hold=ON_DISK, tz="America/New_York")
    assert written == [("group_id", "member_id"), (), ()]
    got = disk["messages"].frame.collect()
    assert got["group_id"].cast(pl.String).to_list() == ["g1", "g1", "g1", "g2"]
    assert got["ts"].dt.hour().to_list() == [13, 13, 14, 14]  # (EDT, then EST)
    _same(read_tables(folder, hold=IN_MEMORY, tz="America/New_York"), disk)
