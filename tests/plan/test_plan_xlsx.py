"""``sqops plan --format xlsx``: the workbook read back (openpyxl).

Two stores, one daily item at 08:30, two days from 2026-10-01 (国庆节): 2 × 2 = 4 items;
s1 launched 2026-10-01 (day 1, 2), s2 on 2026-10-02 (nothing on 10-01, day 1 on 10-02): 3.
"""

from __future__ import annotations

import datetime as dt
import io

import openpyxl

BODY = """\
groups:
  - {id: s1, name: 上海店, launched_on: 2026-10-01}
  - {id: s2, name: "杭州店", launched_on: 2026-10-02}
cadence:
  daily:
    - {id: am, time: "08:30", title: "=HYPERLINK(\\"http://x\\",\\"y\\")", kind: activation, owner: content}
"""


def _book(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_plan_workbook(cli, write_sop, tmp_path):
    sop = write_sop(BODY)
    out = tmp_path / "plan.xlsx"
    r = cli("plan", sop, "--start", "2026-10-01", "--days", "2", "--lang", "zh", "-o", out)
    assert r.exit_code == 0, r.stderr
    book = _book(out.read_bytes())
    assert book.sheetnames == ["排期", "上海店", "杭州店"]
    ws = book["排期"]
    header = [c.value for c in ws[1]]
    assert header[:6] == ["群ID", "群名称", "日期", "时间", "星期", "建群第几天"]
    rows = list(ws.iter_rows(min_row=2))
    # s1 on 10-01 and 10-02 (days 1, 2); s2 from its launch, 10-02 (day 1)
    assert [(r[0].value, r[2].value.date(), r[5].value) for r in rows] == [
        ("s1", dt.date(2026, 10, 1), 1),
        ("s1", dt.date(2026, 10, 2), 2),
        ("s2", dt.date(2026, 10, 2), 1),
    ]
    for row in rows:
        assert row[2].is_date and row[2].number_format == "yyyy-mm-dd"
        assert row[3].value == dt.time(8, 30) and row[3].number_format == "hh:mm"
        assert row[5].data_type == "n"
        title = row[header.index("事项")]
        assert (title.value, title.data_type) == ('=HYPERLINK("http://x","y")', "s")
    assert [len(list(book[n].iter_rows(min_row=2))) for n in ("上海店", "杭州店")] == [2, 1]
    assert all(w.freeze_panes == "A2" for w in book.worksheets)
    # the same SOP and options: the same bytes (dated the plan's first day)
    again = tmp_path / "again.xlsx"
    r = cli("plan", sop, "--start", "2026-10-01", "--days", "2", "--lang", "zh", "-o", again)
    assert again.read_bytes() == out.read_bytes()
    assert book.properties.created == dt.datetime(2026, 10, 1)


def test_plan_workbook_english_and_by_owner(cli, write_sop, tmp_path):
    sop = write_sop(BODY)
    r = cli("plan", sop, "--start", "2026-10-01", "--days", "2", "--lang", "en", "-f", "xlsx")
    assert r.exit_code == 0, r.stderr
    book = _book(r.stdout_bytes)
    assert book.sheetnames == ["Schedule", "上海店", "杭州店"]
    assert [c.value for c in book["Schedule"][1]][:4] == ["group_id", "group_name", "date", "time"]
    out = tmp_path / "owner.xlsx"
    r = cli("plan", sop, "--start", "2026-10-01", "--days", "2", "--lang", "en", "--by", "owner", "-o", out)  # fmt: skip
    assert r.exit_code == 0, r.stderr
    book = _book(out.read_bytes())
    # one person (the content role's 小苏) has all three items: no per-person sheet needed
    assert book.sheetnames == ["By owner"]
    rows = list(book["By owner"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == ["小苏"] * 3
    assert rows[0][1] == dt.datetime(2026, 10, 1) and rows[0][2] == dt.time(8, 30)
