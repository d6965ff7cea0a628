"""The HTML report: one offline file, escaped user text, charts as SVG with text; checked in Chromium."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from tests.browser.conftest import chromium_or_fail

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "skincare"
EVIL = "<img src=x onerror=alert(1)>"


def _data(tmp_path: Path) -> tuple[Path, Path]:
    d = tmp_path / "data"
    d.mkdir()
    rows = ["ts,group_id,member_id,member_name,content"]
    rows.append(f'2026-11-01 10:00,g1,evil,"{EVIL}",hi')  # silent since: in the recall list
    rows += [
        f"2026-12-{day:02d} 2{k}:00,g1,a,小林,早安" for day in range(1, 13) for k in range(4)
    ]  # a: a KOC
    rows.append("2026-12-05 09:00,g1,b,阿青,<script>alert(2)</script>")
    (d / "messages.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    sop = tmp_path / "sop.yaml"
    sop.write_text(
        "version: 1\ncommunity: {name: '测试<b>社群</b>', platform: wechat, language: zh}\n"
        f"groups:\n  - {{id: g1, name: '{EVIL}', launched_on: 2026-11-01}}\n",
        encoding="utf-8",
    )
    return d, sop


def test_html_is_offline_escaped_and_has_charts(cli, tmp_path):
    d, sop = _data(tmp_path)
    out = tmp_path / "r.html"
    r = cli("report", d, "--sop", sop, "-f", "html", "-o", out)
    assert r.exit_code == 0, r.stderr
    html = out.read_text(encoding="utf-8")
    assert EVIL not in html and "<script" not in html and "<b>社群" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert not re.search(r"(src|href)=\"?(https?:)?//", html)  # nothing fetched from the network
    assert html.count("<svg") == 4  # daily, KPIs (one group), heatmap, pyramid
    assert "<text" in html and "发言人数" in html  # chart text kept as text (browser fonts)
    assert len(html.encode()) < 1_000_000
    again = tmp_path / "r2.html"
    cli("report", d, "--sop", sop, "-f", "html", "-o", again)
    assert again.read_bytes() == out.read_bytes()  # deterministic


@pytest.mark.browser
def test_html_in_headless_chromium(cli, tmp_path):
    chromium = chromium_or_fail()  # (a failure, not a skip, without the browser)
    d, sop = _data(tmp_path)
    out = tmp_path / "r.html"
    assert cli("report", d, "--sop", sop, "-f", "html", "-o", out).exit_code == 0
    base = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--user-data-dir=" + str(tmp_path / "prof"),
    ]
    dom = subprocess.run(
        [*base, "--dump-dom", out.as_uri()], capture_output=True, text=True, timeout=120
    ).stdout
    assert "<img" not in dom and "onerror" not in dom.replace("onerror=alert(1)&gt;", "")
    assert "&lt;img src=x onerror=alert(1)&gt;" in dom  # shown as text
    assert "社群健康报告" in dom and "<svg" in dom
    shot = tmp_path / "shot.png"
    subprocess.run(
        [*base, "--window-size=1200,1600", f"--screenshot={shot}", out.as_uri()],
        capture_output=True,
        timeout=120,
    )
    assert shot.exists() and shot.stat().st_size > 10_000


@pytest.mark.skipif(not (EXAMPLE / "data" / "messages.csv").exists(), reason="no example data")
def test_example_html_under_one_megabyte(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    out = tmp_path / "skincare.html"
    r = cli(
        "report",
        "examples/skincare/data",
        "--sop",
        "examples/skincare/sop.yaml",
        "-f",
        "html",
        "-o",
        out,
    )
    assert r.exit_code == 0, r.stderr
    size = out.stat().st_size
    assert 50_000 < size < 1_000_000


@pytest.mark.parametrize("days", [1, 2, 9])
def test_html_for_a_few_days_of_data(cli, tmp_path, caplog, days):
    # one day alone once made matplotlib widen the axis to years and complain on stderr
    # (warnings are errors in this suite; its locator's complaints go to logging)
    rows = "".join(f"2026-12-{d:02d} 10:00,g1,m{d}\n" for d in range(1, days + 1))
    (tmp_path / "messages.csv").write_text("ts,group_id,member_id\n" + rows, encoding="utf-8")
    out = tmp_path / "r.html"
    r = cli("report", tmp_path, "--format", "html", "-o", out, "--lang", "en")
    assert r.exit_code == 0, r.stderr
    assert "Locator" not in caplog.text and "Locator" not in r.stderr
    html = out.read_text(encoding="utf-8")
    ticks = set(re.findall(r">(\d\d-\d\d)<", html))  # the daily chart's date ticks
    assert "12-01" in ticks
    assert ticks <= {f"12-{d:02d}" for d in range(1, days + 1)}
