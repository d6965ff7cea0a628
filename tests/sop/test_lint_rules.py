"""Each lint rule fires on a file that breaks it, and stays quiet on a good file."""

from __future__ import annotations

from pathlib import Path

import pytest

from sqops.lint import lint_text
from sqops.lint.rules import RULES

GOOD = (Path(__file__).parent / "data" / "good.yaml").read_text(encoding="utf-8")


def findings(text: str, tmp_path: Path | None = None) -> list[tuple[str, str, int | None]]:
    res = lint_text(text, "sop.yaml", tmp_path or Path("."))
    return [(f.rule, f.severity, f.where.line) for f in res.findings]


def test_good_file_is_clean() -> None:
    assert findings(GOOD) == []


def sub(old: str, new: str) -> str:
    assert old in GOOD, old
    return GOOD.replace(old, new, 1)


# (rule id, bad text, expected severity, expected line)
CASES = [
    (
        "posts-per-day",
        sub(
            '    - {time: "12:00", title: 午间话题, kind: activation, owner: content}\n',
            "".join(
                f'    - {{time: "{h:02d}:15", title: t{h}, kind: activation, owner: content}}\n'
                for h in range(9, 13)
            ),
        ),
        "warning",
        16,
    ),
    (
        "posts-per-day",
        sub(
            '    - {time: "12:00", title: 午间话题, kind: activation, owner: content}\n',
            "".join(
                f'    - {{time: "{h:02d}:15", title: t{h}, kind: activation, owner: content}}\n'
                for h in range(8, 20)
            ),
        ),
        "error",
        16,
    ),
    (
        "quiet-hours",
        sub('time: "20:00", title: 今晚福利', 'time: "22:30", title: 今晚福利'),
        "error",
        20,
    ),
    (
        "quiet-hours",
        sub("countdown_days: 2,", 'countdown_days: 2, countdown_time: "07:00",'),
        "error",
        33,
    ),
    (
        "content-mix",
        sub(
            "kind: conversion, owner: content, script: perk",
            "kind: brand, owner: content, script: perk",
        ),
        "warning",
        16,
    ),
    (
        "role-owner",
        sub("  - {role: owner, name: 小林, members: [wx_lin]}\n", "").replace(
            "owner: owner", "owner: admin"
        ),
        "error",
        8,
    ),
    (
        "role-admin-support",
        sub("  - {role: admin, name: 小周, members: [wx_zhou]}\n", "").replace(
            "owner: admin", "owner: owner"
        ),
        "warning",
        8,
    ),
    ("support-response", sub(", response_hours: 12", ""), "warning", 12),
    ("support-response", sub("response_hours: 12", "response_hours: 48"), "warning", 12),
    (
        "owner-role",
        sub(
            "title: 午间话题, kind: activation, owner: content",
            "title: 午间话题, kind: activation, owner: events",
        ),
        "warning",
        19,
    ),
    (
        "welcome",
        sub(
            '    - {day: 1, time: "09:00", title: 欢迎与群规, kind: activation, owner: admin, script: welcome}\n',
            "",
        ).replace(
            "  welcome: \"欢迎来到{{ community.name }}！群规：{{ rules.forbidden | join('、') }}。\"\n",
            "",
        ),
        "warning",
        29,
    ),
    (
        "welcome",
        sub("群规：{{ rules.forbidden | join('、') }}。", "很高兴见到你。").replace(
            "欢迎与群规", "欢迎新朋友"
        ),
        "warning",
        30,
    ),
    (
        "first-topic",
        sub(
            '    - {day: 3, time: "20:30", title: 第一次话题, kind: activation, owner: content}\n',
            "",
        ),
        "info",
        29,
    ),
    ("goal-metric", sub("metric: speaking_rate", "metric: speak_rate"), "error", 7),
    ("goal-smart", sub(", target: 0.3, by: 2027-03-01", ""), "warning", 7),
    ("goal-smart", sub("target: 0.3", "target: 30"), "warning", 7),
    ("kpi-range", GOOD + "kpis:\n  speaking_rate: {target: 0.1, floor: 0.2}\n", "warning", 40),
    ("kpi-range", GOOD + "kpis:\n  churn_rate: {target: 0.2, floor: 0.1}\n", "warning", 40),
    ("column-map", GOOD + "columns:\n  orders: {amount: 金额, ammount: 实付}\n", "error", 40),
    (
        "max-members",
        sub("  platform: wechat\n", "  platform: wechat\n  max_members: 800\n"),
        "error",
        5,
    ),
    (
        "same-minute",
        sub('time: "12:00", title: 午间话题', 'time: "08:30", title: 午间话题'),
        "warning",
        19,
    ),
    ("same-minute", sub('{day: 3, time: "20:30"', '{day: 3, time: "20:00"'), "warning", 31),
    ("monthly-review", sub("kind: review, owner: owner", "kind: brand, owner: owner"), "info", 27),
    ("forbidden-empty", sub("  forbidden: [广告, 刷屏]\n", "  forbidden: []\n"), "warning", 14),
    ("group-id", GOOD + "groups:\n  - {id: g1}\n  - {id: g1}\n", "error", 41),
    # 小苏 posts 早安 (line 18) at 08:30 in 6 groups: 6 > 5 pushes in 10 minutes
    (
        "person-load",
        GOOD + "groups:\n" + "".join(f"  - {{id: g{i}}}\n" for i in range(6)),
        "warning",
        18,
    ),
    (
        "item-id",
        sub('{time: "08:30", title: 早安', '{id: x, time: "08:30", title: 早安').replace(
            '{time: "12:00", title: 午间话题', '{id: x, time: "12:00", title: 午间话题'
        ),
        "error",
        19,
    ),
    ("script-missing", sub("script: perk}", "script: perks}"), "error", 20),
    (
        "script-syntax",
        sub('perk: "今晚 {{ item.time }} 有福利。"', 'perk: "今晚 {{ item.time } 有福利。"'),
        "error",
        36,
    ),
    (
        "script-variable",
        sub('perk: "今晚 {{ item.time }} 有福利。"', 'perk: "今晚 {{ itme.time }} 有福利。"'),
        "error",
        36,
    ),
    (
        "script-variable",
        sub('perk: "今晚 {{ item.time }} 有福利。"', 'perk: "今晚 {{ community.nmae }} 有福利。"'),
        "error",
        36,
    ),
    (
        "script-render",
        sub('perk: "今晚 {{ item.time }} 有福利。"', 'perk: "{{ item.__class__ }}"'),
        "error",
        36,
    ),
    (
        "script-render",
        sub('perk: "今晚 {{ item.time }} 有福利。"', "perk: \"{{ 'x' * 100000000 }}\""),
        "error",
        36,
    ),
    (
        "script-variable",
        sub('morning: "早上好，今天是{{ date | zh_date }}。"', 'morning: "{{ campaign.title }}"'),
        "error",
        35,
    ),
    ("script-unused", GOOD + "  unused: hello\n", "info", 39),
    # a festival name with the festival set switched off: the calendar does not know it
    (
        "day-name",
        sub("script: morning}", "script: morning, only_on: [qixi]}")
        + "calendar: {festivals: none}\n",
        "error",
        18,
    ),
    ("country", sub("platform: wechat", "platform: wechat\n  country: XQ"), "error", 5),
]


@pytest.mark.parametrize(
    ("rule_id", "text", "severity", "line"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_rule_fires(rule_id: str, text: str, severity: str, line: int) -> None:
    got = findings(text)
    assert (rule_id, severity, line) in got, got
    # and nothing else of error level unless it is that rule
    assert all(r == rule_id or s != "error" for r, s, _ in got), got


def test_every_rule_is_exercised() -> None:
    exercised = {c[0] for c in CASES} | {"yaml-syntax", "schema", "file"}
    assert set(RULES) == exercised


def test_script_file_missing(tmp_path: Path) -> None:
    text = GOOD.replace('perk: "今晚 {{ item.time }} 有福利。"', "perk: scripts/perk.j2")
    assert ("script-missing", "error", 36) in findings(text, tmp_path)


def test_script_file_error_points_into_the_file(tmp_path: Path) -> None:
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "perk.j2").write_text("第一行\n第二行 {{ nope }}\n", encoding="utf-8")
    text = GOOD.replace('perk: "今晚 {{ item.time }} 有福利。"', "perk: scripts/perk.j2")
    res = lint_text(text, "sop.yaml", tmp_path)
    assert [(f.rule, f.where.file, f.where.line) for f in res.findings] == [
        ("script-variable", "scripts/perk.j2", 2)
    ]


def test_disable_comment_on_the_line() -> None:
    bad = GOOD.replace('time: "20:00", title: 今晚福利', 'time: "22:30", title: 今晚福利')
    line = bad.splitlines()[19]
    quiet = bad.replace(line, line + "  # sqops: disable=quiet-hours")
    assert findings(quiet) == []
    other = bad.replace(line, line + "  # sqops: disable=same-minute")
    assert ("quiet-hours", "error", 20) in findings(other)


def test_disable_file_comment_and_option() -> None:
    bad = GOOD.replace("  forbidden: [广告, 刷屏]\n", "  forbidden: []\n")
    assert findings("# sqops: disable-file=forbidden-empty\n" + bad) == []
    res = lint_text(bad, "sop.yaml", Path("."), disabled={"forbidden-empty"})
    assert res.findings == []


def test_block_script_error_line_is_in_the_sop() -> None:
    text = GOOD + "  long: |\n    第一行\n    第二行 {% if %}\n"
    text = text.replace("script: perk}", "script: long}")
    got = findings(text)
    assert ("script-syntax", "error", 41) in got, got


def test_day_name_knows_the_country_and_says_where() -> None:
    # a China community knows 春节 and 七夕; the same items in Singapore know neither
    text = sub("script: morning}", "script: morning, skip_on: [春节], only_on: [qixi, weekday]}")
    assert [f for f in findings(text) if f[0] == "day-name"] == []
    sg = text.replace("platform: wechat", "platform: wechat\n  country: SG")
    res = lint_text(sg, "sop.yaml", Path("."))
    got = [(f.where.line, f.where.col, f.text.en) for f in res.findings if f.rule == "day-name"]
    # line 19 (one more line for country), the items of the flow list: skip_on at col 77
    assert [(line, "'春节'" in t or "'qixi'" in t) for line, _, t in got] == [
        (19, True),
        (19, True),
    ]
    assert all(col is not None and col > 60 for _, col, _ in got)
