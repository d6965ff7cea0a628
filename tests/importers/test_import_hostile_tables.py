"""The importers' table reading under hostile input (#20 "Reading tables"): CR-only line ends,
a column the importer reads named twice, a GBK line in a UTF-8 export, a broken .xlsx."""

from __future__ import annotations

from pathlib import Path

import pytest

from sqops.errors import InputError
from sqops.importers import import_files

FIX = Path(__file__).parent / "fixtures"


def _orders(result) -> list[tuple]:
    return [tuple(r) for r in result.tables["orders"].iter_rows()]


def test_cr_only_line_ends_read_as_lines(tmp_path: Path) -> None:
    lf = FIX / "shopify_orders.csv"
    cr = tmp_path / "shopify_orders.csv"
    cr.write_bytes(lf.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r"))
    assert _orders(import_files("shopify", [cr])) == _orders(import_files("shopify", [lf]))


def test_a_column_the_importer_reads_named_twice_is_an_error(tmp_path: Path) -> None:
    text = (FIX / "shopify_orders.csv").read_text(encoding="utf-8")
    head, rest = text.split("\n", 1)
    src = tmp_path / "orders.csv"
    src.write_text(head.replace("Email", "Total", 1) + "\n" + rest, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        import_files("shopify", [src])
    assert "'Total' twice" in exc.value.text.en and "Total" in exc.value.text.zh
    assert exc.value.where.file is not None and exc.value.where.file.endswith("orders.csv")
    assert exc.value.where.line == 1


def test_a_column_no_importer_reads_may_repeat(tmp_path: Path) -> None:
    text = (FIX / "shopify_orders.csv").read_text(encoding="utf-8")
    head, rest = text.split("\n", 1)
    src = tmp_path / "orders.csv"
    src.write_text(head.replace("Shipping Method", "Currency", 1) + "\n" + rest, encoding="utf-8")
    assert _orders(import_files("shopify", [src]))


def test_a_gbk_line_in_a_utf8_export_is_named(tmp_path: Path) -> None:
    lines = (FIX / "youzan_orders.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    assert len(lines) >= 3 and not lines[1].isascii()
    src = tmp_path / "youzan.csv"
    src.write_bytes(
        b"".join(ln.encode("gb18030") if i == 2 else ln.encode() for i, ln in enumerate(lines))
    )
    with pytest.raises(InputError) as exc:
        import_files("youzan", [src])
    assert exc.value.where.line == 3 and "line 3 is not UTF-8" in exc.value.text.en
