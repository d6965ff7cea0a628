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


def test_report_json_with_the_section_is_the_splice_of_the_two_texts(cli):
    # `sqops report --sop -f json` dumps the section with the report in one pass; the library's
    # attach_to_report splices it into the report's text: both must give the same bytes
    from sqops.adherence import compute_adherence
    from sqops.adherence.render import attach_to_report
    from sqops.data.tables import read_tables
    from sqops.report import render
    from sqops.report.build import Settings, build_report
    from sqops.sop.loader import load_sop

    loaded = load_sop(EXAMPLE / "sop.yaml")
    settings = Settings.from_sop(loaded.sop)
    tables = read_tables(EXAMPLE / "data", tz=settings.tz, columns=settings.columns)
    rep = build_report(tables, settings=settings, lang="en")
    adh = compute_adherence(loaded, tables, as_of=rep.as_of, lang="en")
    spliced = attach_to_report(render.to_json(rep), "json", adh, "en")
    assert render.to_json(rep, {"adherence": adh.to_dict("en", detail=False)}) == spliced
    cli_text = cli(
        "report", EXAMPLE / "data", "--sop", EXAMPLE / "sop.yaml", "-f", "json", "--lang", "en"
    ).stdout
    assert cli_text == spliced
