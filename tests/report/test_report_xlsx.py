"""``sqops report --format xlsx`` and ``--lists FILE.xlsx``: every workbook read back (openpyxl).

The data (as-of 2027-01-10, the last day in it): five members speak in g1 on 2026-12-01; only
小林 (a) speaks again, on as-of. The other four carry hostile nicknames and have been silent
for 40 days (2026-12-01 → 2027-01-01 is 31 days, + 9 = 40 ≥ 30): the recall list, oldest
silence first then by member id: b, c, d, e. One paid order of a: 99.50 on 2027-01-05.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest

NICKS = {
    "b": '=HYPERLINK("http://x","y")',
    "c": "+86 138 0000 0000",
    "d": "-1+1",
    "e": "@SUM(1)",
}


def _csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _data(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    lines = ["ts,group_id,member_id,member_name,msg_type", "2026-12-01 10:00,g1,a,小林,text"]
    lines += [f"2026-12-01 10:0{i},g1,{m},{_csv_cell(n)},text" for i, (m, n) in enumerate(NICKS.items(), 1)]  # fmt: skip
    lines.append("2027-01-10 09:00,g1,a,小林,text")
    (d / "messages.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (d / "orders.csv").write_text(
        "order_id,ts,member_id,amount\no1,2027-01-05 10:00,a,99.5\n", encoding="utf-8"
    )
    return d


def _book(path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(path.read_bytes()))


def _rows(ws) -> list[list[object]]:
    return [[c.value for c in r] for r in ws.iter_rows(min_row=2)]


@pytest.fixture
def books(cli, tmp_path):
    data = _data(tmp_path)
    out = {}
    for lang in ("zh", "en"):
        report, lists = tmp_path / f"r-{lang}.xlsx", tmp_path / f"lists-{lang}.xlsx"
        r = cli("report", data, "--lang", lang, "-o", report, "--lists", lists)
        assert r.exit_code == 0, r.stderr
        out[lang] = (report, lists)
    return data, out


def test_sheets_and_headers_in_the_report_language(books):
    _, out = books
    zh = _book(out["zh"][0])
    assert zh.sheetnames[:5] == ["分诊", "全部群", "各群指标", "建议", "成员动作汇总"]
    assert {"数据质量", "召回名单", "KOC名单", "RFM分群", "成员金字塔", "成员动作"} <= set(
        zh.sheetnames
    )
    en = _book(out["en"][0])
    assert en.sheetnames[:5] == ["Triage", "Fleet", "Group KPIs", "Advice", "Action counts"]
    assert {"Data quality", "recall", "koc", "rfm", "pyramid", "actions"} <= set(en.sheetnames)
    assert [c.value for c in zh["召回名单"][1]] == ["群ID", "群名称", "成员ID", "成员昵称", "最后发言日", "沉默天数"]  # fmt: skip
    assert [c.value for c in en["recall"][1]] == ["group_id", "group_name", "member_id", "member_name", "last_spoken", "days_silent"]  # fmt: skip
    assert [c.value for c in zh["分诊"][1]][:3] == ["排名", "群ID", "群名称"]
    for ws in (*zh.worksheets, *en.worksheets):
        assert ws.freeze_panes == "A2", ws.title
        assert len(ws.title) <= 31


def test_recall_list_numbers_dates_and_hostile_names(books):
    _, out = books
    for book in (_book(out["zh"][0]), _book(out["zh"][1])):  # the report's sheet = the list's
        ws = book["召回名单"]
        rows = _rows(ws)
        assert [r[2] for r in rows] == ["b", "c", "d", "e"]
        assert [r[3] for r in rows] == list(NICKS.values())  # exact text, no apostrophe
        for r in ws.iter_rows(min_row=2):
            assert r[3].data_type == "s"
            assert r[4].is_date and r[4].value == dt.datetime(2026, 12, 1)
            assert r[4].number_format == "yyyy-mm-dd"
            assert (r[5].value, r[5].data_type) == (40, "n")


def test_money_and_rates_are_numbers_with_formats(books):
    _, out = books
    book = _book(out["en"][0])
    rfm = book["rfm"]
    header = [c.value for c in rfm[1]]
    row = rfm[2]
    money = row[header.index("monetary")]
    assert (money.value, money.data_type, money.number_format) == (99.5, "n", "#,##0.00")
    assert row[header.index("recency_days")].value == 5  # 2027-01-05 → 01-10
    fleet = book["Fleet"]
    header = [c.value for c in fleet[1]]
    kpis = {r[header.index("kpi_id")].value: r for r in fleet.iter_rows(min_row=2)}
    # speaking rate: the activation window is day indexes 7..29 from day 0 = 2026-12-01, i.e.
    # 2026-12-08..12-30, when none of the five members spoke: 0 of 5 (a number, not "0.0%")
    sr = kpis["speaking_rate"]
    value, num, den = (sr[header.index(h)] for h in ("value", "numerator", "denominator"))
    assert (num.value, den.value) == (0, 5)
    assert (value.value, value.data_type, value.number_format) == (0, "n", "0.0%")
    assert sr[header.index("target")].number_format == "0.0%"
    # the same value in the group's sheet, with its group column to filter on
    gk = book["Group KPIs"]
    gh = [c.value for c in gk[1]]
    row = next(r for r in gk.iter_rows(min_row=2) if r[gh.index("kpi_id")].value == "speaking_rate")
    assert row[0].value == "g1" and row[gh.index("value")].value == 0
    assert (row[gh.index("numerator")].value, row[gh.index("denominator")].value) == (0, 5)


def test_byte_identical_across_runs(cli, books, tmp_path):
    data, out = books
    again, lists = tmp_path / "again.xlsx", tmp_path / "lists-again.xlsx"
    r = cli("report", data, "--lang", "zh", "-o", again, "--lists", lists)
    assert r.exit_code == 0, r.stderr
    assert again.read_bytes() == out["zh"][0].read_bytes()
    assert lists.read_bytes() == out["zh"][1].read_bytes()
    # the date of the workbook is the as-of day, not the clock
    assert _book(again).properties.created == dt.datetime(2027, 1, 10)


def test_lists_folder_keeps_the_csvs(cli, tmp_path):
    data = _data(tmp_path)
    r = cli(
        "report",
        data,
        "--lang",
        "zh",
        "-f",
        "md",
        "-o",
        tmp_path / "r.md",
        "--lists",
        tmp_path / "lists",
    )
    assert r.exit_code == 0, r.stderr
    assert (tmp_path / "lists" / "recall.csv").exists()


def test_lists_workbook_onto_an_input_is_refused(cli, tmp_path):
    data = _data(tmp_path)
    (data / "orders.csv").unlink()
    orders = tmp_path / "orders.xlsx"  # an input table given as a workbook
    wb = openpyxl.Workbook()
    wb.active.append(["order_id", "ts", "member_id", "amount"])
    wb.active.append(["o1", "2027-01-05 10:00", "a", 99.5])
    wb.save(orders)
    before = orders.read_bytes()
    ok = cli("report", data, "--orders", orders, "-o", tmp_path / "r.xlsx")
    assert ok.exit_code == 0, ok.stderr
    r = cli("report", data, "--orders", orders, "-o", tmp_path / "r2.xlsx", "--lists", orders)
    assert r.exit_code == 2
    assert "orders.xlsx" in r.stderr
    assert orders.read_bytes() == before
    r = cli("report", data, "--orders", orders, "-o", orders)
    assert r.exit_code == 2 and orders.read_bytes() == before


def test_stdout_pipe_gets_the_bytes_a_terminal_a_usage_error(cli, tmp_path, monkeypatch):
    data = _data(tmp_path)
    r = cli("report", data, "-f", "xlsx", "--lang", "en")
    assert r.exit_code == 0, r.stderr
    assert r.stdout_bytes[:2] == b"PK"  # a zip: the workbook itself
    assert _book_bytes(r.stdout_bytes).sheetnames[0] == "Triage"

    import sys

    from sqops.cli.route import route
    from sqops.errors import UsageError

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdout", Tty())
    with pytest.raises(UsageError, match="-o FILE.xlsx"):
        route("xlsx", None, ["table", "md", "xlsx"])


def _book_bytes(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_by_attribute_adds_a_rollup_sheet(cli, tmp_path):
    data = _data(tmp_path)
    groups = tmp_path / "stores.csv"
    groups.write_text("id,city\ng1,上海\n", encoding="utf-8")
    out = tmp_path / "r.xlsx"
    r = cli("report", data, "--groups", groups, "--by", "city", "--lang", "zh", "-o", out)
    assert r.exit_code == 0, r.stderr
    book = _book(out)
    assert book.sheetnames[4] == "按city汇总"
    rows = _rows(book["按city汇总"])
    # one value, 上海, with the one group g1
    assert [r[:2] for r in rows] == [["上海", 1]]
    assert sum(rows[0][2:6]) == 1  # g1 is counted once: good, warn, bad or unrated
