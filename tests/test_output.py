"""Writing outputs: atomic, with ordinary permissions, and safe for spreadsheets."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from sqops.errors import UsageError
from sqops.output import atomic_write_text, csv_text, excel_safe


def test_new_file_gets_umask_mode(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "a.txt", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.txt").stat().st_mode) == 0o644


def test_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    p = tmp_path / "b.txt"
    p.write_text("old")
    p.chmod(0o640)
    atomic_write_text(p, "new")
    assert p.read_text() == "new"
    assert stat.S_IMODE(p.stat().st_mode) == 0o640
    assert [f.name for f in tmp_path.iterdir()] == ["b.txt"]  # no temporary file left behind


def test_unwritable_place_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(UsageError):
        atomic_write_text(tmp_path / "file" / "inside.txt", "x")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd", "'+cmd"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=x", "'\t=x"),
        ("-12.5", "-12.5"),
        ("+86", "+86"),
        ("普通文本", "普通文本"),
        (None, ""),
    ],
)
def test_excel_safe(value: object, expected: str) -> None:
    assert excel_safe(value) == expected


def test_csv_text_has_bom_and_crlf() -> None:
    text = csv_text(["名字", "备注"], [['=HYPERLINK("x")', "a,b"]])
    assert text == '\ufeff名字,备注\r\n"\'=HYPERLINK(""x"")","a,b"\r\n'
