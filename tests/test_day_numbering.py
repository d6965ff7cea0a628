"""One day numbering (spec §2, "Group days and membership"): people read 第 N 天 / day N with
N = day index + 1 (the launch day is day 1) in the plan, the report (Markdown, HTML, terminal)
and scripts' ``{{ day }}``; JSON carries the 0-based index as ``day_index``.

The case of issue #19: for the same day the plan said 第 120 天 and the report 第 119 天.
Launched 2026-08-08, the day 2026-12-05 is day index 119, so 第 120 天 everywhere.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from sqops.domain.stages import lifecycle_day

LAUNCH = dt.date(2026, 8, 8)
DAY = dt.date(2026, 12, 5)
SOP = """\
version: 1
community: {name: 测试社群, platform: wecom, type: refined, timezone: Asia/Shanghai}
groups:
  - {id: g1, name: 一群, launched_on: 2026-08-08}
roles:
  - {role: owner, name: 小林, members: [wx_lin]}
  - {role: content, name: 小内, members: [wx_c]}
cadence:
  daily:
    - {id: am, time: "09:00", title: 早安, kind: activation, owner: content, script: hi}
scripts:
  hi: "第 {{ day }} 天"
"""


def test_lifecycle_day_of_an_index() -> None:
    assert (DAY - LAUNCH).days == 119
    assert [lifecycle_day(i) for i in (0, 1, 119)] == [1, 2, 120]


@pytest.fixture
def case(tmp_path: Path) -> tuple[Path, Path]:
    sop = tmp_path / "sop.yaml"
    sop.write_text(SOP, encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    (data / "messages.csv").write_text(
        "ts,group_id,member_id\n2026-08-08 10:00,g1,a\n2026-12-05 10:00,g1,a\n", encoding="utf-8"
    )
    return sop, data


def test_plan_and_script_say_day_120(cli, case) -> None:
    sop, _ = case
    r = cli("plan", sop, "--start", DAY.isoformat(), "--days", "1", "-f", "json")
    assert r.exit_code == 0, r.output
    occ = json.loads(r.stdout)["groups"][0]["occurrences"][0]
    assert (occ["lifecycle_day"], occ["script"]) == (120, "第 120 天")
    r = cli("plan", sop, "--start", DAY.isoformat(), "--days", "1", "-f", "md", "--lang", "zh")
    assert r.exit_code == 0, r.output
    assert "第 120 天" in r.stdout and "第 119 天" not in r.stdout


@pytest.mark.parametrize("fmt", ["md", "html", "table"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_says_day_120(cli, case, fmt, lang) -> None:
    sop, data = case
    r = cli("report", data, "--sop", sop, "-f", fmt, "--lang", lang, "--no-adherence")
    assert r.exit_code == 0, r.output
    said = "第 120 天" if lang == "zh" else "day 120"
    assert said in r.stdout and ("第 119 天" if lang == "zh" else "day 119") not in r.stdout


def test_report_json_keeps_the_index(cli, case) -> None:
    sop, data = case
    r = cli("report", data, "--sop", sop, "-f", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["groups"][0]["day_index"] == 119


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_adherence_calendar_says_day_120(cli, case, lang) -> None:
    sop, data = case
    r = cli("adherence", data, "--sop", sop, "-f", "html", "--lang", lang)
    assert r.exit_code == 0, r.output
    week = "Sat" if lang == "en" else "周六"
    said = "第 120 天" if lang == "zh" else "day 120"
    assert f"2026-12-05 {week} · {said}" in r.stdout
    assert f"2026-08-08 {week} · {'第 1 天' if lang == 'zh' else 'day 1'}" in r.stdout
