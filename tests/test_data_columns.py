"""Column maps: one model for ``report --columns``, the SOP's ``columns:`` and ``import generic``."""

from __future__ import annotations

from pathlib import Path

import pytest

from sqops.data.columns import ColumnMap, ColumnProblem, read_column_maps, read_import_map
from sqops.errors import InputError


def test_the_model_checks_canonical_names_and_values() -> None:
    m = ColumnMap(table="orders", columns={"order_id": "单号", "ts": "时间"})
    assert m.missing == ["member_id", "amount"]
    with pytest.raises(ColumnProblem) as exc:
        ColumnMap(table="orders", columns={"tss": "时间"})
    assert exc.value.path == ("columns", "tss") and exc.value.key
    assert "did you mean ts?" in exc.value.text.en
    with pytest.raises(ColumnProblem) as exc:
        ColumnMap(table="orders", columns={"ts": "t"}, values={"status": {"已付": "payed"}})
    assert exc.value.path == ("values", "status", "已付")
    assert exc.value.text.en.startswith("'payed' is not a valid status")


def test_report_and_import_maps_share_the_check(tmp_path: Path) -> None:
    report_map = tmp_path / "r.yaml"
    report_map.write_text("columns:\n  messages: {ts: 时间, tss: x}\n", encoding="utf-8")
    import_map = tmp_path / "i.yaml"
    import_map.write_text("table: messages\ncolumns: {ts: 时间, tss: x}\n", encoding="utf-8")
    with pytest.raises(InputError) as a:
        read_column_maps(report_map)
    with pytest.raises(InputError) as b:
        read_import_map(import_map)
    assert a.value.problems[0].text == b.value.problems[0].text
    assert a.value.problems[0].where.key == "messages.tss"
    assert (b.value.problems[0].where.line, b.value.problems[0].where.col) == (2, 19)


def test_report_map_reads_every_table(tmp_path: Path) -> None:
    p = tmp_path / "m.yaml"
    p.write_text("posts: {post_id: 编号}\ncoupons: {coupon_id: 券}\n", encoding="utf-8")
    maps = read_column_maps(p)
    assert {t: m.columns for t, m in maps.items()} == {
        "posts": {"post_id": "编号"},
        "coupons": {"coupon_id": "券"},
    }


def test_sop_columns_are_checked_with_their_line(cli, tmp_path: Path) -> None:
    (tmp_path / "messages.csv").write_text(
        "时间,group_id,member_id\n2026-12-01 10:00,g1,a\n", encoding="utf-8"
    )
    sop = tmp_path / "sop.yaml"
    sop.write_text(
        "version: 1\ncommunity: {name: t, platform: wechat, language: en}\n"
        "columns:\n  messages: {tss: 时间}\n",
        encoding="utf-8",
    )
    for command in ("report", "adherence"):
        r = cli(command, tmp_path, "--sop", sop)
        assert r.exit_code == 2, r.stderr
        assert r.stderr.startswith(
            f"{sop.as_posix()}:4:14: error: table messages has no column 'tss'"
        ), r.stderr
    # lint finds it at the same place, with the same words (rule column-map)
    r = cli("lint", sop, "--lang", "en")
    assert r.exit_code == 1
    assert f"{sop.as_posix()}:4:14: error column-map table messages has no column 'tss'" in (
        r.stdout
    ), r.stdout
    sop.write_text(sop.read_text(encoding="utf-8").replace("tss", "ts"), encoding="utf-8")
    assert cli("report", tmp_path, "--sop", sop, "-f", "json").exit_code == 0
    assert "column-map" not in cli("lint", sop, "--lang", "en").stdout
