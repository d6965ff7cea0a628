"""``sqops adherence --format xlsx`` (and its sheets in ``sqops report --sop -o x.xlsx``).

The case of test_adherence_cli (counted by hand there): g1 planned 7 = 5 on time, 1 late,
1 missed, 1 unplanned post, 7 posts; g2 planned 5 = 3 on time, 2 missed; the fleet 12.
"""

from __future__ import annotations

import datetime as dt
import io
import textwrap
from pathlib import Path

import openpyxl
import pytest

from .test_adherence_cli import ENGAGEMENT, MESSAGES, POSTS, SOP


@pytest.fixture
def case(tmp_path: Path) -> tuple[Path, Path]:
    data = tmp_path / "data"
    data.mkdir()
    (data / "messages.csv").write_text(MESSAGES, encoding="utf-8")
    (data / "posts.csv").write_text(POSTS, encoding="utf-8")
    (data / "engagement.csv").write_text(ENGAGEMENT, encoding="utf-8")
    sop = tmp_path / "sop.yaml"
    sop.write_text(textwrap.dedent(SOP), encoding="utf-8")
    return data, sop


def _book(path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(path.read_bytes()))


def test_adherence_workbook(cli, case, tmp_path):
    data, sop = case
    out = tmp_path / "a.xlsx"
    r = cli("adherence", data, "--sop", sop, "-o", out)  # (the SOP's language: zh)
    assert r.exit_code == 0, r.stderr
    book = _book(out)
    assert book.sheetnames == ["执行率", "各负责人", "条目效果", "内容配比", "社群生物钟"]
    ws = book["执行率"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["群ID", "群名称", "天数", "计划"]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    g1 = rows["g1"]
    cells = {h: c for h, c in zip(header, g1, strict=True)}
    assert [cells[h].value for h in ("计划", "准时", "迟发", "漏发", "计划外", "推送")] == [7, 5, 1, 1, 1, 7]  # fmt: skip
    rate = cells["准时执行率"]
    assert rate.value == pytest.approx(5 / 7) and rate.number_format == "0.0%"
    assert cells["计划"].data_type == "n"
    assert cells["群名称"].value == "上海群"
    fleet = rows["全部群"]
    assert fleet[header.index("计划")].value == 12
    items = book["条目效果"]
    ih = [c.value for c in items[1]]
    first = next(items.iter_rows(min_row=2))
    assert first[ih.index("条目")].value == "早安<b>"  # text as it is (nothing to escape in a cell)
    clock = book["社群生物钟"]
    assert [c.value for c in next(clock.iter_rows(min_row=2))][0] == dt.time(0, 0)
    assert all(w.freeze_panes == "A2" for w in book.worksheets)
    again = tmp_path / "b.xlsx"
    assert cli("adherence", data, "--sop", sop, "-o", again).exit_code == 0
    assert again.read_bytes() == out.read_bytes()


def test_report_workbook_ends_with_the_adherence_sheets(cli, case, tmp_path):
    data, sop = case
    out = tmp_path / "r.xlsx"
    r = cli("report", data, "--sop", sop, "--lang", "en", "-o", out)
    assert r.exit_code == 0, r.stderr
    names = _book(out).sheetnames
    assert names[0] == "Triage"
    assert names[-5:] == ["Execution", "By person", "Cadence items", "Content mix", "Community clock"]  # fmt: skip
