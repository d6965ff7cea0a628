"""Phone-first HTML: the report, plan (by group, by owner) and adherence pages measured in
headless Chromium at a phone's width (390 × 844, mobile viewport) and a laptop's (1366 × 900).

Each page is opened as shipped (its CSP forbids scripts; the measuring expression runs through
the DevTools protocol, outside the page). What is measured, for every page and width:

* the layout viewport is the window's width (``<meta name="viewport">`` works; without it a
  phone lays the page out 980 px wide and shrinks it);
* the page never scrolls sideways (``scrollWidth`` ≤ the width);
* every table's last column is on screen, or the table scrolls inside its own box far enough
  to bring it there (the box itself on screen);
* the report's summary (``#summary``) ends inside the first screen, and chart text is at least
  9 px tall on the phone.

``SQOPS_UPDATE_SCREENSHOTS=1`` also writes the screenshots of docs/img/.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tests.browser.cdp import Browser
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SKINCARE = EXAMPLES / "skincare"
DOCS_IMG = ROOT / "docs" / "img"
PHONE, DESKTOP = (390, 844), (1366, 900)
#: chart text no smaller than this on the phone (the issue saw ~5 px)
MIN_CHART_PX = 9.0

#: measured in the page; returns JSON (see the module's docstring)
PROBE = r"""
(() => {
  const W = window.innerWidth, H = window.innerHeight;
  const out = {width: W, height: H, scrollWidth: document.documentElement.scrollWidth,
               summary: null, tables: [], minChartPx: null};
  const s = document.getElementById("summary");
  if (s) { const r = s.getBoundingClientRect(); out.summary = {top: r.top, bottom: r.bottom}; }
  const box = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === "auto" || o === "scroll") return p;
    }
    return null;
  };
  document.querySelectorAll("table").forEach((t, i) => {
    const row = t.rows[0];
    if (!row) return;
    const last = row.cells[row.cells.length - 1].getBoundingClientRect();
    const b = box(t), br = b && b.getBoundingClientRect();
    const onScreen = last.right <= W + 0.5;
    const scrolls = !!b && br.right <= W + 0.5 && br.left >= -0.5 &&
      b.scrollWidth - b.clientWidth >= last.right - br.right - 1;
    out.tables.push({i, cls: t.className, head: row.cells[0].textContent.trim().slice(0, 20),
                     lastRight: Math.round(last.right), ok: onScreen || scrolls});
  });
  document.querySelectorAll("svg.chart text").forEach((t) => {
    const m = t.getScreenCTM();
    if (!m || !t.textContent.trim()) return;
    const px = parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
    if (out.minChartPx === null || px < out.minChartPx) out.minChartPx = Math.round(px * 10) / 10;
  });
  return out;
})()
"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The example's report (with --compare prev), plan and adherence pages."""
    from typer.testing import CliRunner

    from sqops.cli import app

    out = tmp_path_factory.mktemp("pages")
    data, sop = str(SKINCARE / "data"), str(SKINCARE / "sop.yaml")
    runs = {
        "report": ["report", data, "--sop", sop, "--compare", "prev"],
        "plan": ["plan", sop, "--days", "30"],
        "plan-people": ["plan", sop, "--days", "7", "--by", "owner"],
        "adherence": ["adherence", data, "--sop", sop, "--since", "2027-01-01"],
    }
    paths = {}
    for name, args in runs.items():
        path = out / f"{name}.html"
        r = CliRunner().invoke(app, [*args, "-f", "html", "-o", str(path)])
        assert r.exit_code == 0, r.output
        paths[name] = path
    return paths


def measure(browser: Browser, path: Path, size: tuple[int, int], shot: Path | None = None):
    tab = browser.open(path.as_uri(), *size)
    try:
        m = tab.evaluate(PROBE)
        if shot is not None:
            tab.screenshot(shot)
        return m
    finally:
        tab.close()


@pytest.mark.parametrize("page", ["report", "plan", "plan-people", "adherence"])
@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_page_fits_the_screen(browser, pages, page, size, tmp_path):
    shot = tmp_path / f"{page}.png"
    m = measure(browser, pages[page], size, shot)
    width, height = size
    assert m["width"] == width, "the page is not laid out at the device width (viewport meta?)"
    assert m["scrollWidth"] <= width, f"the page scrolls sideways: {m['scrollWidth']} px"
    assert m["tables"], "no table measured"
    hidden = [t for t in m["tables"] if not t["ok"]]
    assert not hidden, f"tables whose last column can't be reached: {hidden}"
    if page == "report":
        assert m["summary"] is not None
        assert m["summary"]["bottom"] <= height, f"summary ends below the first screen: {m}"
        assert m["minChartPx"] is not None
        if size == PHONE:
            assert m["minChartPx"] >= MIN_CHART_PX, f"chart text of {m['minChartPx']} px"
    assert shot.stat().st_size > 5_000  # something was drawn
    if os.environ.get("SQOPS_UPDATE_SCREENSHOTS") == "1" and page != "plan-people":
        from PIL import Image  # (matplotlib's dependency)

        DOCS_IMG.mkdir(exist_ok=True)
        kind = "phone" if size == PHONE else "desktop"
        with Image.open(shot) as im:  # a 96-colour palette: a third of the bytes, same look
            im.convert("RGB").quantize(96).save(DOCS_IMG / f"{page}-{kind}.png", optimize=True)


def test_the_measure_sees_a_page_that_does_not_fit(browser, tmp_path):
    # the control: a page without the viewport meta and a bare wide table must fail each check
    cells = "".join(f"<td>column{i}</td>" for i in range(40))
    bare = tmp_path / "bare.html"
    bare.write_text(f"<!DOCTYPE html><table><tr>{cells}</tr></table>", encoding="utf-8")
    m = measure(browser, bare, PHONE)
    assert m["width"] == 980 or m["scrollWidth"] > PHONE[0]  # a phone's default 980 px layout
    assert [t["ok"] for t in m["tables"]] == [False]
    boxed = tmp_path / "boxed.html"
    boxed.write_text(
        '<!DOCTYPE html><meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<div style="overflow-x:auto"><table><tr>{cells}</tr></table></div>',
        encoding="utf-8",
    )
    m = measure(browser, boxed, PHONE)
    assert m["width"] == PHONE[0] and m["scrollWidth"] == PHONE[0]
    assert [t["ok"] for t in m["tables"]] == [True]  # out of sight, but scrolls in its box
