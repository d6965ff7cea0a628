"""Hostile CSV and JSON Lines tables (#20 "Reading tables"): CR-only line ends, a duplicated
header, a ragged row, a broken JSON line, a huge header line."""

from __future__ import annotations

from pathlib import Path

import pytest

from sqops.data.decode import MAX_QUOTED
from sqops.data.tables import read_tables
from sqops.errors import InputError, SqopsError

HEAD = "ts,group_id,member_id,member_name"
ROWS = ["2026-12-01 10:00,g1,a,小林", "2026-12-02 10:00,g1,b,阿青"]


def _names(t) -> list[str]:
    return t["messages"].frame.collect()["member_name"].to_list()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
@pytest.mark.parametrize("sep", [",", "\t"])
def test_cr_only_line_ends_are_read(tmp_path: Path, encoding: str, sep: str) -> None:
    ext = "csv" if sep == "," else "tsv"
    text = "\r".join([HEAD, *ROWS]).replace(",", sep) + "\r"
    (tmp_path / f"messages.{ext}").write_bytes(text.encode(encoding))
    assert _names(read_tables(tmp_path)) == ["小林", "阿青"]


def test_crlf_still_read(tmp_path: Path) -> None:
    (tmp_path / "messages.csv").write_bytes("\r\n".join([HEAD, *ROWS]).encode())
    assert _names(read_tables(tmp_path)) == ["小林", "阿青"]


@pytest.mark.parametrize(
    "head", ["ts,group_id,member_id,member_id", "ts,group_id,member_id, member_id"]
)
def test_a_duplicated_header_is_an_error_naming_the_column(tmp_path: Path, head: str) -> None:
    (tmp_path / "messages.csv").write_text(f"{head}\n2026-12-01 10:00,g1,a,b\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_tables(tmp_path)
    assert "'member_id' twice" in exc.value.text.en and "member_id" in exc.value.text.zh
    assert exc.value.where.file is not None and exc.value.where.file.endswith("messages.csv")


def test_a_ragged_row_is_reported_with_its_row_and_line(tmp_path: Path) -> None:
    rows = [*ROWS, "2026-12-03 10:00,g1,c,小雨,extra", "2026-12-04 10:00,g1,d,小明"]
    (tmp_path / "messages.csv").write_text("\n".join([HEAD, *rows]) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_tables(tmp_path)
    assert (exc.value.where.line, exc.value.where.row) == (4, 3)
    assert "data row 3 (line 4) has 5 cells" in exc.value.text.en


def test_a_ragged_row_in_a_gbk_file_too(tmp_path: Path) -> None:
    rows = [*ROWS, "2026-12-03 10:00,g1,c,小雨,extra"]
    (tmp_path / "messages.csv").write_bytes(("\n".join([HEAD, *rows]) + "\n").encode("gbk"))
    with pytest.raises(InputError) as exc:
        read_tables(tmp_path)
    assert (exc.value.where.line, exc.value.where.row) == (4, 3)


def test_a_broken_json_line_is_reported_with_its_line(tmp_path: Path, cli) -> None:
    ok = '{"ts":"2026-12-01 10:00","group_id":"g1","member_id":"a"}'
    (tmp_path / "messages.jsonl").write_text(
        f'{ok}\n{ok}\n{{"ts":"2026-12-01 10:00","group_id":\n{ok}\n', encoding="utf-8"
    )
    with pytest.raises(InputError) as exc:
        read_tables(tmp_path)
    assert exc.value.where.line == 3 and "line 3 is not valid JSON" in exc.value.text.en
    r = cli("report", tmp_path, "--lang", "en")
    assert r.exit_code == 2 and "messages.jsonl" in r.output and "line 3" in r.output


def test_a_huge_header_line_makes_a_short_error(tmp_path: Path, cli) -> None:
    (tmp_path / "messages.csv").write_text("x" * 5_000_000 + ",y\n1,2\n", encoding="utf-8")
    with pytest.raises(SqopsError) as exc:
        read_tables(tmp_path)
    assert len(exc.value.render("en")) < MAX_QUOTED + 500
    r = cli("report", tmp_path, "--lang", "zh")
    assert r.exit_code == 2 and len(r.output) < 2000


def test_a_huge_duplicated_column_name_is_quoted_short(tmp_path: Path) -> None:
    name = "m" * 1_000_000
    (tmp_path / "messages.csv").write_text(
        f"ts,group_id,{name},{name}\n1,2,3,4\n", encoding="utf-8"
    )
    with pytest.raises(InputError) as exc:
        read_tables(tmp_path)
    assert len(exc.value.render("zh")) < MAX_QUOTED + 500


@pytest.mark.parametrize("table", ["messages", "x" * 200_000])
def test_a_huge_key_in_a_column_map_makes_a_short_error(tmp_path: Path, table: str) -> None:
    import time

    from sqops.data.columns import read_column_maps

    key = "k" * 200_000
    path = tmp_path / "map.yaml"
    # (an explicit key: YAML's implicit keys stop at 1,024 characters)
    path.write_text(f"? {table}\n: ? {key}\n  : ts\n", encoding="utf-8")
    t = time.perf_counter()
    with pytest.raises(SqopsError) as exc:
        read_column_maps(path)
    assert time.perf_counter() - t < 5
    assert len(exc.value.render("en")) < MAX_QUOTED * 2 + 500
    assert "unknown" in exc.value.render("en") or "no column" in exc.value.render("en")


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_its_bom_is_refused_not_read_as_garbage_names(
    tmp_path: Path, encoding: str
) -> None:
    (tmp_path / "messages.csv").write_bytes(("\n".join([HEAD, *ROWS]) + "\n").encode(encoding))
    with pytest.raises(InputError) as exc:
        read_tables(tmp_path)
    assert "NUL" in exc.value.text.en and "UTF-16" in exc.value.text.zh
    assert exc.value.where.line == 1


def test_an_explicit_encoding_that_does_not_fit_names_the_line(tmp_path: Path) -> None:
    rows = [*ROWS, "2026-12-03 10:00,g1,c,小雨"]
    (tmp_path / "messages.csv").write_bytes(("\n".join([HEAD, *rows]) + "\n").encode("gb18030"))
    with pytest.raises(InputError) as exc:
        read_tables(tmp_path, encoding="utf-16")
    assert exc.value.where.line is not None
    (tmp_path / "messages.csv").write_bytes(
        ("\n".join([HEAD, *ROWS]) + "\n").encode("utf-8") + "x,y,z,小雨\n".encode("gb18030")
    )
    with pytest.raises(InputError) as exc:
        read_tables(tmp_path, encoding="ascii")
    assert exc.value.where.line == 2
