"""Hostile .xlsx files (#20 "Reading tables"): not a zip, empty, decompression bombs.

Each is refused with an InputError naming the file (exit 2 from the CLI), never a
CalamineError traceback nor a process killed at the memory limit. The bombs are built small
with ``zipfile`` (what matters is what they declare and how they inflate).
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import pytest

from sqops.data import xlsxsafe
from sqops.data.tables import read_tables
from sqops.data.xlsxsafe import MAX_XLSX_RATIO, check_xlsx
from sqops.errors import InputError
from sqops.importers import import_files


def _not_zip(path: Path) -> Path:
    path.write_bytes(b"ts,group_id,member_id\n2026-12-01 10:00,g1,a\n")
    return path


def _empty(path: Path) -> Path:
    path.write_bytes(b"")
    return path


@pytest.mark.parametrize("make", [_not_zip, _empty])
def test_report_refuses_an_xlsx_that_is_not_a_zip(cli, tmp_path, make) -> None:
    make(tmp_path / "messages.xlsx")
    r = cli("report", tmp_path, "--lang", "en")
    assert r.exit_code == 2, r.output
    assert "messages.xlsx" in r.output and "Traceback" not in r.output
    assert "Excel" in r.output


@pytest.mark.parametrize("make", [_not_zip, _empty])
def test_read_tables_and_import_name_the_file(tmp_path, make) -> None:
    path = make(tmp_path / "messages.xlsx")
    with pytest.raises(InputError) as exc:
        read_tables(tmp_path)
    assert exc.value.where is not None and "messages.xlsx" in str(exc.value.where.file)
    orders = make(tmp_path / "orders.xlsx")
    with pytest.raises(InputError) as exc:
        import_files("youzan", [orders])
    assert "orders.xlsx" in str(exc.value.where.file)
    assert path.exists()


def test_import_cli_refuses_a_broken_xlsx(cli, tmp_path) -> None:
    src = _not_zip(tmp_path / "orders.xlsx")
    r = cli("import", "youzan", src, "-o", tmp_path / "out", "--lang", "zh")
    assert r.exit_code == 2, r.output
    assert "orders.xlsx" in r.output and "Excel" in r.output and "Traceback" not in r.output


def _deflated(path: Path, name: str, size: int) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open(name, "w", force_zip64=True) as part:
            block = b"<si><t>a</t></si>" * 4096
            left = size
            while left > 0:
                part.write(block[:left])
                left -= len(block)
    return path


def test_a_part_inflating_past_the_ratio_is_refused(tmp_path, monkeypatch) -> None:
    # 20 MiB of one repeated string: deflates about 1000 times (the bound is 200)
    path = _deflated(tmp_path / "messages.xlsx", "xl/sharedStrings.xml", 20 << 20)
    with pytest.raises(InputError) as exc:
        check_xlsx(path, "messages.xlsx")
    assert "xl/sharedStrings.xml" in exc.value.text.en
    assert "decompression bomb" in exc.value.text.en and "解压炸弹" in exc.value.text.zh
    assert str(MAX_XLSX_RATIO) in exc.value.text.en
    with pytest.raises(InputError):
        read_tables(tmp_path)


def test_the_total_declared_size_is_checked_before_inflating(tmp_path, monkeypatch) -> None:
    path = tmp_path / "messages.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for i in range(3):
            zf.writestr(f"xl/worksheets/sheet{i}.xml", b"x" * (1 << 16))
    monkeypatch.setattr(xlsxsafe, "MAX_XLSX_UNCOMPRESSED", 100_000)

    def no_inflating(*a, **k):
        raise AssertionError("inflated before checking the declared sizes")

    monkeypatch.setattr(zipfile.ZipFile, "open", no_inflating)
    with pytest.raises(InputError) as exc:
        check_xlsx(path, "messages.xlsx")
    assert "sheet1.xml" in exc.value.text.en


def test_a_part_that_lies_about_its_size_is_refused(tmp_path) -> None:
    # a shared-strings part declaring 1 KiB that inflates to 20 MiB: patch the size its
    # central directory entry declares (what readers go by) to 1024
    path = _deflated(tmp_path / "messages.xlsx", "xl/sharedStrings.xml", 20 << 20)
    data = bytearray(path.read_bytes())
    entry = data.rindex(b"PK\x01\x02")  # the central entry of the last part
    assert struct.unpack_from("<I", data, entry + 24)[0] == 20 << 20
    struct.pack_into("<I", data, entry + 24, 1024)
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(path) as zf:
        assert zf.getinfo("xl/sharedStrings.xml").file_size == 1024
    with pytest.raises(InputError) as exc:
        check_xlsx(path, "messages.xlsx")
    assert exc.value.where is not None and exc.value.where.file == "messages.xlsx"


def test_a_real_workbook_passes(tmp_path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.active.append(["ts", "group_id", "member_id"])
    wb.active.append(["2026-12-01 10:00", "g1", "a"])
    wb.save(tmp_path / "messages.xlsx")
    check_xlsx(tmp_path / "messages.xlsx", "messages.xlsx")


def test_import_refuses_a_bomb_before_reading(tmp_path) -> None:
    path = _deflated(tmp_path / "orders.xlsx", "xl/sharedStrings.xml", 20 << 20)
    with pytest.raises(InputError) as exc:
        import_files("youzan", [path])
    assert "decompression bomb" in exc.value.text.en
    assert str(exc.value.where.file).endswith("orders.xlsx")


def _real_bomb(path: Path) -> Path:
    """A workbook calamine reads (openpyxl's), its sheet padded with one 20 MiB cell:
    inflating about 1000 times."""
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.active.append(["ts", "group_id", "member_id", "member_name"])
    wb.active.append(["2026-12-01 10:00", "g1", "a", "小林"])
    src = path.with_suffix(".src.xlsx")
    wb.save(src)
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                cell = b'<row r="3"><c r="A3" t="inlineStr"><is><t>' + b"a" * (20 << 20)
                data = data.replace(b"</sheetData>", cell + b"</t></is></c></row></sheetData>")
            zout.writestr(info.filename, data)
    src.unlink()
    return path


def test_a_real_workbook_bomb_is_refused_before_calamine(tmp_path, monkeypatch) -> None:
    import fastexcel

    path = _real_bomb(tmp_path / "messages.xlsx")
    assert path.stat().st_size < 200_000

    def no_reading(*a, **k):
        raise AssertionError("calamine opened a bomb")

    monkeypatch.setattr(fastexcel, "read_excel", no_reading)
    with pytest.raises(InputError) as exc:
        read_tables(tmp_path)
    assert "decompression bomb" in exc.value.text.en
    with pytest.raises(InputError) as exc:
        import_files("youzan", [path])
    assert "decompression bomb" in exc.value.text.en
