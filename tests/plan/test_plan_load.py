"""Per-person load (issue #21 item 8): who posts, pushes in 10 minutes, ``--by owner``.

Every expected number is counted by hand in the comment next to it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest

from sqops.errors import SopError
from sqops.lint import lint_text
from sqops.plan import LOAD_WINDOW, build_plan, busy_windows, responsible
from sqops.plan import formats as F
from sqops.sop import load_sop, parse_sop

D = dt.date(2026, 10, 1)

HEAD = """\
version: 1
community: {{name: 测试社群, platform: wechat, launched_on: 2026-10-01}}
roles:
  - {{role: owner, name: 小林, members: [wx_lin]}}
  - {{role: admin, members: [wx_zhou]}}
  - {{role: content, name: 小苏, members: [wx_su]}}
  - {{role: support, members: [wx_he, wx_qi], response_hours: 4}}
rules:
  forbidden: [广告]
{rules}cadence:
  daily:
{items}groups:
{groups}"""

MORNING = '    - {id: am, time: "08:30", title: 早安, kind: activation, owner: content}\n'


def sop_text(items: str = MORNING, n_groups: int = 6, rules: str = "", extra: str = "") -> str:
    groups = "".join(f"  - {{id: g{i}, name: 群{i}}}\n" for i in range(1, n_groups + 1))
    return HEAD.format(rules=rules, items=items, groups=groups + extra)


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "sop.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def plan_of(tmp_path: Path, text: str, days: int = 1):
    return build_plan(load_sop(write(tmp_path, text)), start=D, days=days, lang="zh")


def at(hh: int, mm: int, day: int = 1) -> dt.datetime:
    return dt.datetime(2026, 10, day, hh, mm)


# ------------------------------------------------------------------ the window
def test_window_is_ten_minutes():
    assert dt.timedelta(minutes=10) == LOAD_WINDOW


def test_exactly_the_limit_is_not_flagged():
    # 5 pushes in [09:00, 09:10): exactly the limit of 5 → nothing
    pushes = [(at(9, m), f"g{m}", "am") for m in (0, 2, 4, 6, 9)]
    assert busy_windows("小苏", pushes, 5) == []


def test_one_over_the_limit_is_flagged():
    # 6 pushes in [09:00, 09:10) (09:09 twice) → one window of 6 from 09:00 to 09:10
    pushes = [(at(9, m), f"g{i}", "am") for i, m in enumerate((0, 2, 4, 6, 9, 9))]
    (w,) = busy_windows("小苏", pushes, 5)
    assert (w.person, w.start, w.end, w.pushes) == ("小苏", at(9, 0), at(9, 10), 6)
    assert w.groups == ("g0", "g1", "g2", "g3", "g4", "g5")


def test_09_00_and_09_10_are_not_the_same_ten_minutes():
    # 3 at 09:00 + 3 at 09:10: [09:00, 09:10) holds 3, [09:10, 09:20) holds 3 → nothing
    pushes = [(at(9, 0), f"a{i}", "x") for i in range(3)]
    pushes += [(at(9, 10), f"b{i}", "y") for i in range(3)]
    assert busy_windows("p", pushes, 5) == []


def test_09_00_and_09_09_are_the_same_ten_minutes():
    # 3 at 09:00 + 3 at 09:09: [09:00, 09:10) holds 6 > 5
    pushes = [(at(9, 0), f"a{i}", "x") for i in range(3)]
    pushes += [(at(9, 9), f"b{i}", "y") for i in range(3)]
    (w,) = busy_windows("p", pushes, 5)
    assert (w.start, w.pushes, len(w.groups)) == (at(9, 0), 6, 6)


def test_flagged_windows_do_not_overlap():
    # 6 at 09:00, 1 at 09:05, 6 at 09:12 (limit 5):
    # [09:00, 09:10) holds 6 + 1 = 7 → flagged; the scan goes on at 09:12 (first push ≥ 09:10):
    # [09:12, 09:22) holds 6 → flagged. Two windows, not one per push.
    pushes = [(at(9, 0), f"a{i}", "x") for i in range(6)]
    pushes += [(at(9, 5), "a0", "y")]
    pushes += [(at(9, 12), f"c{i}", "z") for i in range(6)]
    got = [(w.start, w.end, w.pushes) for w in busy_windows("p", pushes, 5)]
    assert got == [(at(9, 0), at(9, 10), 7), (at(9, 12), at(9, 22), 6)]


def test_window_across_midnight():
    # 3 at 23:55 on the 1st and 3 at 00:04 on the 2nd: [23:55, 00:05) holds 6
    pushes = [(at(23, 55), f"a{i}", "x") for i in range(3)]
    pushes += [(at(0, 4, day=2), f"b{i}", "y") for i in range(3)]
    (w,) = busy_windows("p", pushes, 5)
    assert (w.start, w.end, w.pushes) == (at(23, 55), at(0, 5, day=2), 6)


# ------------------------------------------------------------------ who is responsible
@pytest.mark.parametrize(
    ("person", "role", "vars_", "expected"),
    [
        ("阿明", "content", {"owner": "阿强"}, "阿明"),  # 1. the item's person: wins
        (None, "owner", {"owner": "阿强"}, "阿强"),  # 2. the group names its owner
        (None, None, {"owner": "阿强"}, "阿强"),  # 2. no role: the group's owner
        (None, "content", {"owner": "阿强"}, "小苏"),  # 3. another role: the role's name
        (None, "owner", {}, "小林"),  # 3. no vars.owner: the owner role's name
        (None, "owner", {"owner": "  "}, "小林"),  # an empty vars.owner is not set
        (None, "admin", {}, "wx_zhou"),  # 3. no name, one member: that member
        (None, "support", {}, "support"),  # 3. no name, two members: the role as a team
        (None, "events", {}, None),  # 4. no such role: nobody
        (None, None, {}, None),  # 4. no role, no group owner: nobody
    ],
)
def test_responsible_precedence(person, role, vars_, expected):
    sop = parse_sop(sop_text(), "sop.yaml").sop
    assert responsible(sop, person, role, vars_) == expected


# ------------------------------------------------------------------ in the plan
def test_five_groups_at_0830_are_not_flagged(tmp_path):
    # 小苏 posts 早安 at 08:30 in 5 groups: 5 pushes, the limit is 5 → no window
    plan = plan_of(tmp_path, sop_text(n_groups=5))
    assert plan.load is not None and plan.load.limit == 5 and plan.load.windows == []


def test_six_groups_at_0830_are_flagged_each_day(tmp_path):
    # 6 groups × 早安 at 08:30 by 小苏 → 6 pushes in [08:30, 08:40) on each of the 2 days
    plan = plan_of(tmp_path, sop_text(n_groups=6), days=2)
    assert plan.load is not None
    got = [(w.person, w.start, w.pushes, w.groups) for w in plan.load.windows]
    groups = ("g1", "g2", "g3", "g4", "g5", "g6")
    assert got == [("小苏", at(8, 30), 6, groups), ("小苏", at(8, 30, day=2), 6, groups)]
    assert all(o.responsible == "小苏" for gp in plan.groups for o in gp.occurrences)


def test_limit_from_the_sop(tmp_path):
    # the same 6 pushes under a limit of 6 → nothing
    text = sop_text(n_groups=6, rules="  max_pushes_per_person_10min: 6\n")
    assert plan_of(tmp_path, text).load.windows == []


def test_review_items_are_not_pushes(tmp_path):
    # 5 groups × (早安 08:30 + 复盘 08:35, both 小苏): 5 pushes + 5 reviews → 5, not flagged
    items = MORNING + '    - {id: rv, time: "08:35", title: 复盘, kind: review, owner: content}\n'
    assert plan_of(tmp_path, sop_text(items, n_groups=5)).load.windows == []


def test_two_times_in_the_same_ten_minutes(tmp_path):
    # 3 groups × (09:00 + 09:09) by 小苏 = 6 pushes in [09:00, 09:10) → flagged
    items = (
        '    - {id: a, time: "09:00", title: A, kind: activation, owner: content}\n'
        '    - {id: b, time: "09:09", title: B, kind: activation, owner: content}\n'
    )
    (w,) = plan_of(tmp_path, sop_text(items, n_groups=3)).load.windows
    assert (w.start, w.pushes, w.groups) == (at(9, 0), 6, ("g1", "g2", "g3"))
    # 09:00 + 09:10 → [09:00, 09:10) holds 3, [09:10, 09:20) holds 3: nothing
    items = items.replace("09:09", "09:10")
    assert plan_of(tmp_path, sop_text(items, n_groups=3)).load.windows == []


def test_a_group_that_names_its_owner_takes_the_owner_items(tmp_path):
    # 午间 (owner role) in 6 groups; g6 names its owner 阿强:
    # 小林 posts in g1..g5 = 5 (not over), 阿强 in g6 = 1
    items = '    - {id: noon, time: "12:00", title: 午间, kind: activation, owner: owner}\n'
    text = sop_text(items, n_groups=5, extra="  - {id: g6, name: 群6, vars: {owner: 阿强}}\n")
    plan = plan_of(tmp_path, text)
    assert plan.load.windows == []
    who = {gp.group.id: gp.occurrences[0].responsible for gp in plan.groups}
    assert who == {
        "g1": "小林",
        "g2": "小林",
        "g3": "小林",
        "g4": "小林",
        "g5": "小林",
        "g6": "阿强",
    }


def test_limit_is_validated():
    for bad in ("0", "-1", "'many'"):
        with pytest.raises(SopError):
            parse_sop(sop_text(rules=f"  max_pushes_per_person_10min: {bad}\n"), "sop.yaml")


# ------------------------------------------------------------------ every format
def test_every_format_shows_the_flag(tmp_path):
    plan = plan_of(tmp_path, sop_text(n_groups=6))
    sentence = "小苏 在 2026-10-01 08:30–08:40 要发 6 条（6 个群），超过每人 10 分钟上限 5 条"
    md = F.to_markdown(plan, "zh")
    assert "## ⚠️ 人员负荷" in md and sentence in md
    html = F.to_html(plan, "zh")
    assert 'id="load"' in html and sentence in html
    data = json.loads(F.to_json(plan, "zh"))
    assert data["load"] == {
        "limit": 5,
        "windows": [
            {
                "person": "小苏",
                "start": "2026-10-01T08:30",
                "end": "2026-10-01T08:40",
                "pushes": 6,
                "groups": ["g1", "g2", "g3", "g4", "g5", "g6"],
                "item_ids": ["am"],
                "text": sentence,
            }
        ],
    }
    rows = list(csv.DictReader(io.StringIO(F.to_csv(plan, "en").lstrip("\ufeff"))))
    assert len(rows) == 6 and all(
        "more than the limit of 5 per person" in r["conflicts"] for r in rows
    )
    ics = F.to_ics(plan, "en").decode("utf-8").replace("\r\n ", "")
    assert ics.count("pushes in 2026-10-01 08:30") == 6  # in each group's event
    # a one-group file of -o DIR/ keeps the windows with that group's pushes
    single = F.single_group(plan, plan.groups[0])
    assert single.load is not None and len(single.load.windows) == 1


def test_no_flag_no_section(tmp_path):
    plan = plan_of(tmp_path, sop_text(n_groups=2))
    assert "人员负荷" not in F.to_markdown(plan, "zh")
    assert 'id="load"' not in F.to_html(plan, "zh")


def test_cli_warns_on_the_terminal_and_in_the_summary(cli, tmp_path):
    r = cli("plan", write(tmp_path, sop_text(n_groups=6)), "--days", "1", "--lang", "en")
    assert r.exit_code == 0, r.output
    assert "Per-person load" in r.stdout and "小苏 has 6 pushes" in r.stdout
    assert "1 per-person load warning(s)" in r.stderr


# ------------------------------------------------------------------ --by owner
BY_OWNER = (
    '    - {id: am, time: "08:30", title: 早安, kind: activation, owner: content}\n'
    '    - {id: noon, time: "12:00", title: 午间, kind: activation, owner: owner}\n'
    '    - {id: misc, time: "15:00", title: 杂项, kind: activation}\n'
)


def by_owner_sop(tmp_path: Path) -> Path:
    # g1, g2 and g3 (g3 names its owner 阿强); 杂项 has no role: nobody in g1/g2, 阿强 in g3
    extra = "  - {id: g3, name: 群3, vars: {owner: 阿强}}\n"
    return write(tmp_path, sop_text(BY_OWNER, n_groups=2, extra=extra))


def test_by_owner_markdown(cli, tmp_path):
    r = cli("plan", by_owner_sop(tmp_path), "--days", "1", "--by", "owner", "-f", "md")
    assert r.exit_code == 0, r.output
    md = r.stdout
    # people sorted by name, nobody last: 小林 (午间 g1, g2), 小苏 (早安 ×3), 阿强 (g3: 午间, 杂项)
    heads = [line for line in md.splitlines() if line.startswith("## ")]
    assert heads == ["## 小林", "## 小苏", "## 阿强", "## （未指定负责人）"]
    assert "| 08:30 | 群1 (g1) | 早安 | 促活 |" in md
    assert "- 2 条安排，其中推送 2 条" in md  # 小林: g1 and g2
    assert md.count("| 15:00 |") == 3  # 杂项: g1, g2 (nobody) and g3 (阿强)


def test_by_owner_csv_and_json(cli, tmp_path):
    sop = by_owner_sop(tmp_path)
    r = cli("plan", sop, "--days", "1", "--by", "owner", "-f", "csv", "--lang", "en")
    rows = list(csv.DictReader(io.StringIO(r.stdout.lstrip("\ufeff"))))
    got = [(x["person"], x["time"], x["group_id"], x["title"]) for x in rows]
    assert got == [
        ("小林", "12:00", "g1", "午间"),
        ("小林", "12:00", "g2", "午间"),
        ("小苏", "08:30", "g1", "早安"),
        ("小苏", "08:30", "g2", "早安"),
        ("小苏", "08:30", "g3", "早安"),
        ("阿强", "12:00", "g3", "午间"),
        ("阿强", "15:00", "g3", "杂项"),
        ("", "15:00", "g1", "杂项"),
        ("", "15:00", "g2", "杂项"),
    ]
    r = cli("plan", sop, "--days", "1", "--by", "owner", "-f", "json")
    data = json.loads(r.stdout)
    assert [(p["person"], p["pushes"], len(p["items"])) for p in data["people"]] == [
        ("小林", 2, 2),
        ("小苏", 3, 3),
        ("阿强", 2, 2),
        (None, 2, 2),
    ]
    assert data["load"] == {"limit": 5, "windows": []}


def test_by_owner_html_and_terminal(cli, tmp_path):
    sop = by_owner_sop(tmp_path)
    r = cli("plan", sop, "--days", "1", "--by", "owner", "-f", "html", "--lang", "en")
    assert r.exit_code == 0 and "<h2>小苏</h2>" in r.stdout and "(nobody responsible)" in r.stdout
    r = cli("plan", sop, "--days", "1", "--by", "owner", "--lang", "en")
    assert r.exit_code == 0 and "Schedule · by owner" in r.stdout and "小苏 · 3 item(s)" in r.stdout


def test_by_owner_one_file_per_person(cli, tmp_path):
    out = tmp_path / "people"
    r = cli("plan", by_owner_sop(tmp_path), "--days", "1", "--by", "owner", "-o", f"{out}/")
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == ["_nobody.md", "小林.md", "小苏.md", "阿强.md"]
    text = (out / "阿强.md").read_text(encoding="utf-8")
    assert "## 阿强" in text and "## 小苏" not in text
    r = cli(
        "plan", by_owner_sop(tmp_path), "--days", "1", "--by", "owner", "-f", "ics", "-o", f"{out}/"
    )
    assert r.exit_code == 0, r.output
    ics = (out / "阿强.ics").read_text(encoding="utf-8")
    # 午间 and 杂项 in g3, his only group (the third event is the all-day 国庆节 of 2026-10-01)
    assert "SUMMARY:午间" in ics and "SUMMARY:杂项" in ics and ics.count("BEGIN:VEVENT") == 3
    # 小苏 posts in g1, g2 and g3: three events, prefixed with their group
    ics = (out / "小苏.ics").read_text(encoding="utf-8")
    assert [x for x in ics.splitlines() if x.startswith("SUMMARY:[")] == [
        "SUMMARY:[群1] 早安",
        "SUMMARY:[群2] 早安",
        "SUMMARY:[群3] 早安",
    ]


# ------------------------------------------------------------------ lint
def lint_findings(text: str) -> list[tuple[str, int | None, int | None]]:
    res = lint_text(text, "sop.yaml", Path("."))
    return [(f.rule, f.where.line, f.where.col) for f in res.findings if f.rule == "person-load"]


def test_lint_flags_the_item_with_file_line_col():
    # 早安 (line 12 of the file: the cadence item) in 6 groups by 小苏 → one finding there
    text = sop_text(n_groups=6)
    assert text.splitlines()[11].lstrip().startswith("- {id: am")
    assert lint_findings(text) == [("person-load", 12, 7)]
    res = lint_text(text, "sop.yaml", Path("."))
    (f,) = [f for f in res.findings if f.rule == "person-load"]
    assert f.severity == "warning"
    assert "小苏 has 6 pushes in the 10 minutes from 08:30" in f.text.en


def test_lint_is_quiet_at_the_limit_and_when_the_work_is_shared():
    assert lint_findings(sop_text(n_groups=5)) == []  # 5 pushes: exactly the limit
    items = '    - {id: noon, time: "12:00", title: 午间, kind: activation, owner: owner}\n'
    text = sop_text(items, n_groups=5, extra="  - {id: g6, name: 群6, vars: {owner: 阿强}}\n")
    assert lint_findings(text) == []  # 小林 5 + 阿强 1


def test_lint_counts_items_in_the_same_ten_minutes():
    items = (
        '    - {id: a, time: "09:00", title: A, kind: activation, owner: content}\n'
        '    - {id: b, time: "09:09", title: B, kind: activation, owner: content}\n'
    )
    # 3 groups × 2 items = 6 in [09:00, 09:10): one finding, on A (line 12)
    assert lint_findings(sop_text(items, n_groups=3)) == [("person-load", 12, 7)]
    assert lint_findings(sop_text(items.replace("09:09", "09:10"), n_groups=3)) == []


def test_lint_lifecycle_items_of_one_launch_day():
    # 6 groups launched the same day: the day-1 welcome (admin: wx_zhou) 6 times at 09:00
    text = sop_text(MORNING.replace("owner: content", "owner: support"), n_groups=6).replace(
        "groups:\n",
        '  lifecycle:\n    - {id: w, day: 1, time: "09:00", title: 欢迎, kind: activation, owner: admin}\n'
        "groups:\n",
    )
    got = lint_findings(text)
    # 早安 (support team, 6 groups) on line 12 and 欢迎 (wx_zhou, 6 groups) on line 14
    assert got == [("person-load", 12, 7), ("person-load", 14, 7)]
