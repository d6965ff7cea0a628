"""The docs say what the code does: every script variable, filter, plan option and format."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from sqops.plan.scripts import CONTEXT_VARS, FILTERS, en_date, money, zh_date

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS_MD = (ROOT / "docs" / "scripts.md").read_text(encoding="utf-8")
PLAN_MD = (ROOT / "docs" / "plan.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(CONTEXT_VARS))
def test_every_context_variable_is_documented(name):
    assert f"| `{name}` |" in SCRIPTS_MD


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_every_filter_is_documented(name):
    assert f"| `{name}` |" in SCRIPTS_MD


def test_documented_filter_examples_hold():
    d = dt.date(2026, 12, 12)
    assert f"→ {zh_date(d)} |" in SCRIPTS_MD and zh_date(d) == "12月12日 周六"
    assert f"→ {en_date(d)} |" in SCRIPTS_MD and en_date(d) == "Sat 12 Dec"
    assert f"→ {money(1299)} |" in SCRIPTS_MD


def test_every_plan_option_and_format_is_documented(cli):
    r = cli("plan", "--help")
    options = set(re.findall(r"(--[a-z][a-z-]+)", r.stdout)) - {"--help"}
    assert options >= {
        "--start",
        "--days",
        "--group",
        "--groups",
        "--format",
        "--output",
        "--force",
        "--lang",
    }
    for opt in options:
        assert f"`{opt}" in PLAN_MD or f"`-o`, `{opt}`" in PLAN_MD, opt
    from sqops.plan.formats import FORMATS

    for fmt in FORMATS:
        assert f"- **{fmt}**" in PLAN_MD, fmt


def test_example_stores_csv_plans(cli, tmp_path):
    out = tmp_path / "stores.json"
    r = cli(
        "plan",
        ROOT / "examples/skincare/sop.yaml",
        "--groups",
        ROOT / "examples/skincare/stores.csv",
        "--days",
        "7",
        "-o",
        out,
    )
    assert r.exit_code == 0, r.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [g["id"] for g in data["groups"]] == ["s001", "s002", "s003", "s004"]
    assert data["groups"][0]["vars"] == {"city": "上海", "manager": "王店长"}
