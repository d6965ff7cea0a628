"""Lint checks scripts with the plan's own script context: every variable the plan gives a
script is lint-clean, and what lints clean renders (issue #18, part 3)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqops.lint import lint_text
from sqops.plan import build_plan
from sqops.sop import parse_sop

GOOD = (Path(__file__).parents[1] / "sop" / "data" / "good.yaml").read_text(encoding="utf-8")

IDS = GOOD.replace(
    "countdown_days: 2, script: sale}",
    "countdown_days: 2, script: sale, countdown_script: cd}",
).replace(
    '  sale: "{{ campaign.title }}开始了！"\n',
    '  sale: "{{ campaign.title }}开始了！（{{ campaign.id }} / {{ item.id }}）"\n'
    '  cd: "{{ campaign.id }} {{ item.id }} {{ item.title }} {{ countdown }}"\n',
)


def _script_findings(text: str) -> list[str]:
    res = lint_text(text, "sop.yaml", Path("."))
    return [f"{f.rule}: {f.text.en}" for f in res.findings if f.rule.startswith("script-")]


def test_campaign_id_and_item_id_lint_clean_and_render() -> None:
    assert _script_findings(IDS) == []
    loaded = parse_sop(IDS, "sop.yaml", Path("."))
    plan = build_plan(loaded, start=dt.date(2026, 12, 10), days=3, lang="zh")
    scripts = {o.item_id: o.script for o in plan.groups[0].occurrences if o.script_name}
    cid = next(o.campaign_id for o in plan.groups[0].occurrences if o.source == "campaign")
    assert cid is not None and cid.startswith("campaign-")
    assert scripts[cid] == f"双十二开始了！（{cid} / {cid}）"
    assert scripts[f"{cid}-cd1"] == f"{cid} {cid}-cd1 距双十二还有 1 天 1"


def test_a_field_the_plan_lacks_is_still_a_lint_error() -> None:
    bad = IDS.replace("{{ campaign.id }}", "{{ campaign.city }}", 1)
    found = _script_findings(bad)
    assert len(found) == 1 and found[0].startswith("script-variable: ")
    assert "campaign.city" in found[0]


GROUPS = """\
version: 1
community: {name: x, platform: wechat, launched_on: 2026-12-01}
cadence:
  daily:
    - {time: "10:00", title: a, script: s}
scripts:
  s: "{{ vars.store }}"
groups:
  - {id: g1, vars: {store: A}}
  - {id: g2, launched_on: 2026-12-05, vars: {}}
"""


def test_scripts_are_checked_for_every_group_the_plan_renders_for() -> None:
    found = _script_findings(GROUPS)
    assert found == [
        "script-variable: script 's': vars.store is undefined (vars has no 'store') (group g2)"
    ]
    fixed = GROUPS.replace("vars: {}}", "vars: {store: B}}")
    assert _script_findings(fixed) == []
    plan = build_plan(
        parse_sop(fixed, "sop.yaml", Path(".")), start=dt.date(2026, 12, 1), days=7, lang="en"
    )
    assert [o.script for o in plan.groups[1].occurrences] == ["B"] * 3
