"""The skincare example runs end to end: plan the SOP, report on its data.

The report must notice exactly the rows `sqops demo` wrote wrong on purpose (docs/demo.md).
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "skincare"


def test_plan_runs_on_the_example(cli):
    result = cli("plan", EXAMPLE / "sop.yaml", "--days", "7", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)


@pytest.mark.skipif(importlib.util.find_spec("sqops.report") is None, reason="no sqops.report yet")
def test_report_runs_on_the_example_and_sees_the_dirty_rows(cli):
    result = cli("report", EXAMPLE / "data", "--sop", EXAMPLE / "sop.yaml", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["as_of"] == "2027-01-28"
    assert [g["group_id"] for g in report["groups"]] == ["g01", "g02", "g03"]
    assert [g["current_stage"] for g in report["groups"]] == [
        "retention",
        "retention",
        "monetisation",
    ]
    tables = {t["table"]: t for t in report["data_quality"]["tables"]}
    assert sum(tables["messages"]["rejected"].values()) == 1  # the impossible timestamp
    assert tables["messages"]["duplicates"] == 1  # the message written twice
    assert sum(tables["orders"]["rejected"].values()) == 1  # the negative amount
    assert tables["orders"]["unattributed"] == 0  # the order without group_id found its group
    for name in ("members", "posts", "engagement", "coupons", "staff"):
        assert sum(tables[name]["rejected"].values()) == 0, name
        assert tables[name]["duplicates"] == 0, name


def test_report_with_the_section_is_composed_not_spliced(cli):
    # `sqops report --sop` gives the report with its adherence section: the library composes
    # the two as data (one dump, one Markdown text, one page) and the CLI gives the same bytes
    from sqops.adherence import compute_adherence
    from sqops.adherence.render import html_section, render_md
    from sqops.data.tables import read_tables
    from sqops.report import render
    from sqops.report.build import Settings, build_report
    from sqops.report.html import to_html
    from sqops.sop.loader import load_sop

    loaded = load_sop(EXAMPLE / "sop.yaml")
    settings = Settings.from_sop(loaded.sop)
    tables = read_tables(EXAMPLE / "data", tz=settings.tz, columns=settings.columns)
    rep = build_report(tables, settings=settings, lang="en")
    adh = compute_adherence(loaded, tables, as_of=rep.as_of, lang="en")
    args = ("report", EXAMPLE / "data", "--sop", EXAMPLE / "sop.yaml", "--lang", "en")
    doc = render.to_json(rep, adh.to_dict("en", detail=False))
    assert cli(*args, "-f", "json").stdout == doc
    md = render.to_markdown(rep, [render_md(adh, "en", level=2)])
    assert cli(*args, "-f", "md").stdout == md
    page = to_html(rep, [html_section(adh, "en")])
    assert cli(*args, "-f", "html").stdout == page
    assert page.count('<section class="sqops-adh">') == 1
    assert page.index('<section class="sqops-adh">') < page.index("</main>")
