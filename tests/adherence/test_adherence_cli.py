"""``sqops adherence``: wiring, exit codes, every format, schema, escaping, golden files.

Golden files live in tests/adherence/golden/; regenerate them with
``SQOPS_UPDATE_GOLDEN=1 pytest tests/adherence`` and review the diff.
"""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import jsonschema
import pytest
from tests.conftest import EXAMPLES

from sqops.render.output import json_text

GOLDEN = Path(__file__).parent / "golden"

SOP = """\
version: 1
community: {name: "测试<社群>", platform: wechat, timezone: Asia/Shanghai, language: zh, launched_on: 2026-10-01}
roles:
  - {role: content, name: 小苏, members: [s1]}
rules:
  quiet_hours: "22:00-08:00"
  max_posts_per_day: 3
cadence:
  daily:
    - {id: morning, time: "08:30", title: "早安<b>", kind: activation}
    - {id: perk, time: "20:00", title: 今晚福利, kind: conversion}
  weekly:
    - {id: flash, weekday: wed, time: "19:30", title: 周三秒杀, kind: conversion}
groups:
  - {id: g1, name: 上海群}
  - {id: g2, name: "杭州|群"}
"""

MESSAGES = """\
ts,group_id,member_id,msg_type
2026-10-13 08:40:00,g1,m1,text
2026-10-13 20:10:00,g1,m1,text
2026-10-13 20:20:00,g1,m2,text
2026-10-14 19:40:00,g1,m2,text
2026-10-14 21:00:00,g1,m3,text
2026-10-15 20:05:00,g1,m1,text
2026-10-13 09:00:00,g2,m7,text
2026-10-14 12:00:00,g2,m8,text
"""

POSTS = """\
post_id,ts,group_id,kind,title
a1,2026-10-13 08:29:00,g1,activation,早安<b>
a2,2026-10-13 20:45:00,g1,conversion,今晚福利
a3,2026-10-14 08:31:00,g1,activation,早安<b>
a4,2026-10-14 19:28:00,g1,conversion,周三秒杀
a5,2026-10-14 20:00:00,g1,conversion,今晚福利
a6,2026-10-14 23:10:00,g1,conversion,"<script>alert(1)</script>"
a7,2026-10-15 08:30:00,g1,activation,早安<b>
b1,2026-10-13 08:30:00,g2,activation,早安<b>
b2,2026-10-14 08:30:00,g2,activation,早安<b>
b3,2026-10-14 20:00:00,g2,conversion,今晚福利
"""

ENGAGEMENT = """\
ts,member_id,event,post_id
2026-10-13 09:00:00,m1,open,a1
2026-10-13 10:00:00,m2,open,a1
2026-10-14 09:00:00,m1,open,a3
2026-10-14 19:50:00,m2,open,a4
"""


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


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("SQOPS_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}; run with SQOPS_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


def test_without_sop_exits_2_with_a_clear_message(cli, case):
    data, _ = case
    r = cli("adherence", data, "--lang", "en")
    assert r.exit_code == 2
    assert r.stderr.strip() == (
        "error: the adherence check needs the SOP file (--sop), e.g. sqops adherence DATA --sop sop.yaml"
    )


def test_json_numbers_by_hand(cli, case):
    data, sop = case
    r = cli("adherence", data, "--sop", sop, "--format", "json")
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    jsonschema.validate(doc, json.loads(cli("schema", "adherence").stdout))
    assert doc["schema_version"] == 1
    assert doc["basis"] == "posts" and doc["opens_available"] is True
    g1 = doc["groups"][0]
    assert g1["group_id"] == "g1" and g1["name"] == "上海群"
    # g1 covers 10-13..10-15 (data ends 10-15 20:05, so that day's 20:00 perk is due):
    # 10-13 morning a1 on time (-1), perk a2 late (+45); 10-14 morning a3 on time, flash a4
    # on time (-2), perk a5 on time, a6 unplanned (23:10, quiet); 10-15 morning a7, perk missed
    assert g1["counts"] == {
        "planned": 7, "on_time": 5, "late": 1, "early": 0, "missed": 1, "unplanned": 1,
        "posts": 7, "not_due": 0, "not_checkable": 0, "done": 6, "on_time_rate": 0.7143, "done_rate": 0.8571,
        "unplanned_share": 0.1429,
    }  # fmt: skip
    assert [(r["item_id"], r["status"]) for r in g1["rows"] if r["day"] == "2026-10-14"] == [
        ("morning", "on_time"), ("flash", "on_time"), ("perk", "on_time"), (None, "unplanned"),
    ]  # fmt: skip
    d = g1["discipline"]
    assert (d["quiet_posts"], d["quiet_conversion"]) == (1, 1)
    assert d["quiet_list"][0]["post_id"] == "a6"
    assert d["over_days"] == [{"group_id": "g1", "day": "2026-10-14", "posts": 4}]
    # replies in (t, t + 2 h]: a1 (10-13 08:29) -> 08:40; a2 (20:45) -> none (20:10, 20:20
    # are before it); a4 (10-14 19:28) -> 19:40, 21:00; a5 (20:00) -> 21:00
    replies = {r["post_id"]: r["replies_2h"] for r in g1["rows"] if r["post_id"]}
    assert replies == {"a1": 1, "a2": 0, "a3": 0, "a4": 2, "a5": 1, "a6": 0, "a7": 0}
    opens = {r["post_id"]: r["opens_48h"] for r in g1["rows"] if r["post_id"]}
    assert (opens["a1"], opens["a3"], opens["a4"], opens["a2"]) == (2, 1, 1, 0)
    g2 = doc["groups"][1]
    # g2 covers 10-13..10-14 and its data ends 10-14 20:00, so that day's 20:00 perk is due:
    # planned morning x2, perk x2, flash (Wed 10-14); b3 at 20:00 is 30 min from flash but
    # 0 from perk, so it is the perk; the 10-13 perk and the flash are missed
    assert (g2["counts"]["planned"], g2["counts"]["on_time"], g2["counts"]["missed"]) == (5, 3, 2)
    assert [(r["item_id"], r["status"]) for r in g2["rows"] if r["day"] == "2026-10-14"] == [
        ("morning", "on_time"), ("flash", "missed"), ("perk", "on_time"),
    ]  # fmt: skip
    assert doc["fleet"]["counts"]["planned"] == 12


def test_every_format_and_output_files(cli, case, tmp_path):
    data, sop = case
    for fmt, suffix in (("md", "md"), ("json", "json"), ("html", "html")):
        out = tmp_path / f"adh.{suffix}"
        r = cli("adherence", data, "--sop", sop, "-o", out, "--lang", "en")
        assert r.exit_code == 0, r.stderr
        assert out.exists()
        assert "written to" in r.stderr and "7 planned" not in r.stderr
        assert "2 group(s), 12 planned" in r.stderr
        text = out.read_text(encoding="utf-8")
        if fmt == "html":
            assert text.startswith("<!DOCTYPE html>")
            assert "<script>" not in text and "&lt;script&gt;" in text
            assert "早安&lt;b&gt;" in text and "测试&lt;社群&gt;" in text
            assert "http://" not in text and "https://" not in text  # offline
            assert 'class="s-missed"' in text and 'class="s-late"' in text
        if fmt == "md":
            assert "杭州\\|群" in text
            assert "<script>" not in text
    r = cli("adherence", data, "--sop", sop, "-o", tmp_path / "x.txt")
    assert r.exit_code == 2 and "--format" in r.stderr
    r = cli("adherence", data, "--sop", sop, "--format", "table", "-o", tmp_path / "x.md")
    assert r.exit_code == 2


def test_terminal_table(cli, case):
    data, sop = case
    r = cli("adherence", data, "--sop", sop, "--lang", "en")
    assert r.exit_code == 0, r.stderr
    assert "Plan against practice · 测试<社群>" in r.stdout
    assert "g1 上海群" in r.stdout and "Fleet" in r.stdout
    assert "1 push(es) inside the quiet hours 22:00-08:00 (1 of them conversion)" in r.stdout


def test_zh_is_the_sops_language(cli, case):
    data, sop = case
    r = cli("adherence", data, "--sop", sop, "--format", "md")
    assert r.exit_code == 0
    assert r.stdout.startswith("# 计划执行检查 — 测试\\<社群\\>")
    assert "准时执行率" in r.stdout
    assert "计划 12 条" in r.stderr


def test_fail_under(cli, case):
    data, sop = case
    assert cli("adherence", data, "--sop", sop, "--fail-under", "0.5", "-f", "json").exit_code == 0
    r = cli("adherence", data, "--sop", sop, "--fail-under", "0.9", "-f", "json", "--lang", "en")
    assert r.exit_code == 1
    assert "on-time rate 66.7% is below --fail-under 90.0%" in r.stderr
    assert cli("adherence", data, "--sop", sop, "--fail-under", "2").exit_code == 2


def test_bad_options_exit_2(cli, case):
    data, sop = case
    r = cli("adherence", data, "--sop", sop, "--as-of", "2026-13-01", "--lang", "en")
    assert r.exit_code == 2 and "--as-of '2026-13-01' is not a date" in r.stderr
    r = cli("adherence", data, "--sop", sop, "--group", "g9", "--lang", "en")
    assert r.exit_code == 2 and "no group with id 'g9'" in r.stderr
    r = cli("adherence", data, "--sop", sop, "--tolerance", "-5", "--lang", "en")
    assert r.exit_code == 2 and "--tolerance must be 0..720" in r.stderr
    r = cli("adherence", data.parent / "nope", "--sop", sop, "--lang", "en")
    assert r.exit_code == 2 and "no such data folder" in r.stderr


def test_as_of_and_group_and_tolerance(cli, case):
    data, sop = case
    r = cli("adherence", data, "--sop", sop, "-f", "json", "--as-of", "2026-10-13", "--group", "g1")
    doc = json.loads(r.stdout)
    assert doc["as_of"] == "2026-10-13"
    assert [g["group_id"] for g in doc["groups"]] == ["g1"]
    assert doc["groups"][0]["counts"]["planned"] == 2
    r = cli("adherence", data, "--sop", sop, "-f", "json", "--tolerance", "60", "--group", "g1")
    assert json.loads(r.stdout)["groups"][0]["counts"]["late"] == 0


def test_output_is_deterministic_and_matches_golden(cli, case, tmp_path):
    data, sop = case
    outs = {}
    for fmt in ("md", "html", "json"):
        texts = [
            cli("adherence", data, "--sop", sop, "-f", fmt, "--lang", "en").stdout for _ in range(2)
        ]
        assert texts[0] == texts[1]
        outs[fmt] = texts[0]
    _golden("case.en.md", outs["md"])
    _golden("case.en.html", outs["html"])
    _golden("case.zh.md", cli("adherence", data, "--sop", sop, "-f", "md", "--lang", "zh").stdout)


def test_schema_command_lists_adherence(cli):
    r = cli("schema", "adherence")
    assert r.exit_code == 0
    doc = json.loads(r.stdout)
    jsonschema.Draft202012Validator.check_schema(doc)
    assert doc["$schema"].endswith("2020-12/schema")
    assert doc["properties"]["schema_version"]["const"] == 1


def test_the_skincare_example(cli, tmp_path):
    r = cli(
        "adherence", EXAMPLES / "skincare" / "data", "--sop", EXAMPLES / "skincare" / "sop.yaml",
        "-f", "json", "--lang", "en",
    )  # fmt: skip
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    jsonschema.validate(doc, json.loads(cli("schema", "adherence").stdout))
    assert [g["group_id"] for g in doc["groups"]] == ["g01", "g02", "g03"]
    for scope in [doc["fleet"], *doc["groups"]]:
        c = scope["counts"]
        assert c["planned"] == c["on_time"] + c["late"] + c["early"] + c["missed"]
        assert c["posts"] == c["done"] + c["unplanned"]
        assert c["planned"] > 0 and c["on_time"] > 0
    assert doc["opens_available"] is True
    assert sum(g["counts"]["planned"] for g in doc["groups"]) == doc["fleet"]["counts"]["planned"]


def test_report_with_sop_carries_the_section(cli, case):
    data, sop = case
    r = cli("report", data, "--sop", sop, "-f", "md", "--lang", "en")
    assert r.exit_code == 0, r.stderr
    assert "\n## Plan against practice — 测试\\<社群\\>\n" in r.stdout
    assert "| Fleet | 5 | 12 | 8 | 1 | 0 | 3 | 1 | 10 | 66.7% | 75.0% |" in r.stdout
    r = cli("report", data, "--sop", sop, "-f", "md", "--no-adherence")
    assert "计划执行检查" not in r.stdout and r.exit_code == 0
    r = cli("report", data, "--sop", sop, "-f", "json")
    doc = json.loads(r.stdout)
    jsonschema.validate(doc, json.loads(cli("schema", "report").stdout))
    assert doc["adherence"]["fleet"]["counts"]["planned"] == 12
    assert "rows" not in doc["adherence"]["groups"][0]
    # the section is spliced into the report's text: the same text as dumping it all at once
    assert r.stdout == json_text(doc) + "\n"
    r = cli("report", data, "--sop", sop, "-f", "html")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.count('<section class="sqops-adh">') == 1
    assert r.stdout.index('<section class="sqops-adh">') < r.stdout.index("</main>")
    r = cli("report", data, "-f", "md")  # no SOP: no plan to check
    assert "计划执行检查" not in r.stdout and "Plan against practice" not in r.stdout


def test_report_goes_on_when_the_section_cannot_run(cli, case, tmp_path):
    data, sop = case
    other = tmp_path / "other.yaml"
    other.write_text(
        sop.read_text(encoding="utf-8").replace("id: g1", "id: x1").replace("id: g2", "id: x2"),
        encoding="utf-8",
    )
    r = cli("report", data, "--sop", other, "-f", "md", "--lang", "en")
    assert r.exit_code == 0, r.stderr
    assert "plan against practice skipped: no group to check" in r.stderr


def test_every_option_is_documented(cli):
    import re

    doc = (Path(__file__).resolve().parents[2] / "docs" / "adherence.md").read_text(
        encoding="utf-8"
    )
    help_text = cli("adherence", "--help").stdout
    options = set(re.findall(r"(--[a-z][a-z-]+)", help_text)) - {"--help"}
    assert {"--sop", "--as-of", "--group", "--tolerance", "--format", "--fail-under"} <= options
    for opt in sorted(options):
        assert f"`{opt}" in doc, opt


def test_terminal_lists_at_most_30_groups_in_detail(h):
    from sqops.adherence import to_renderables

    # 32 groups; g00 and g01 posted their 08:30 on time, the others did not
    rows = [("2026-10-12 10:00:00", f"g{i:02d}", "m1") for i in range(32)]
    posts = [(f"p{i}", "2026-10-12 08:30:00", f"g{i:02d}") for i in range(2)]
    adh = h.run(
        messages=h.frame("ts, group_id, member_id", rows),
        posts=h.frame("post_id, ts, group_id", posts),
    )
    texts = [str(getattr(r, "plain", "")) for r in to_renderables(adh, "en")]
    blocks = [t for t in texts if t.startswith("group ")]
    assert len(blocks) == 30
    assert "group g00" not in blocks and "group g01" not in blocks  # the best are left out
    assert texts[-1].startswith("only the 30 groups with the lowest on-time rate")
    assert "2 more" in texts[-1]
