"""Member actions (spec §3): one row per member present on the as-of day, the first action
that applies, and the SOP's script for it; counted by hand on one small group."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from sqops.errors import SopError
from sqops.lint.run import lint_loaded
from sqops.report.build import Settings, build_report
from sqops.report.export import write_lists
from sqops.sop.loader import parse_sop

D = dt.date
AS_OF = D(2027, 1, 10)

SOP = """\
version: 1
community: {name: 护肤社群, platform: wechat}
scripts:
  recall_dm: "{{ member.name }}，已经 {{ member.days_silent }} 天没见啦（{{ group.name }}）"
  hello: "欢迎！"
actions:
  recall: recall_dm
  welcome_follow_up: hello
"""


def _tables(h):
    msgs = [(f"2027-01-{d:02d} 10:{k:02d}", "g1", "k") for d in range(1, 8) for k in range(5)]
    msgs += [
        ("2026-12-05 10:00", "g1", "wb"),  # wb: silent since 12-05 = 36 days
        ("2026-12-08 10:00", "g1", "r2"),  # r2: silent since 12-08 = 33 days
        ("2027-01-08 10:00", "g1", "c"),  # c: 2 days
        ("2027-01-09 10:00", "g1", "a"),  # a: 1 day
        ("2027-01-09 11:00", "g1", "s1"),  # staff: never a row
    ]
    joins = [("2026-12-01 09:00", "g1", m, "join", None) for m in ("k", "wb", "r2", "c", "gone")]
    joins += [
        ("2026-12-01 09:00", "g1", "old", "join", "老王"),  # never spoke, 40 days ago
        ("2027-01-05 09:00", "g1", "n", "join", None),  # new: as-of − 5
        ("2027-01-03 09:00", "g1", "n8", "join", None),  # as-of − 7: not in the last 7 days
        ("2026-12-20 09:00", "g1", "a", "join", None),
        ("2027-01-01 09:00", "g1", "gone", "leave", None),  # not present on the as-of day
    ]
    orders = [
        ("o1", "2026-12-02 10:00", "wb", "500", "paid", None),
        ("o2", "2026-12-03 10:00", "wb", "500", "paid", None),
        ("o3", "2027-01-09 10:00", "r2", "10", "paid", None),
        ("o4", "2027-01-02 10:00", "c", "100", "paid", "cp1"),  # cp1 used
        ("o5", "2027-01-03 10:00", "c", "100", "refunded", "cp2"),  # cp2: refunded → unused
    ]
    coupons = [
        ("cp1", "c", "2026-12-20 10:00", "g1"),
        ("cp2", "c", "2026-12-21 10:00", "g1"),
        ("cp3", "k", "2026-12-22 10:00", "g1"),  # unused, but k is a KOC first
    ]
    return {
        "messages": h.frame("ts, group_id, member_id", msgs),
        "members": h.frame("ts, group_id, member_id, event, member_name", joins),
        "orders": h.frame(
            "order_id, ts, member_id, amount, status, coupon_id",
            [(o, t, m, a, s, c) for o, t, m, a, s, c in orders],
        ),
        "coupons": h.frame("coupon_id, member_id, ts, group_id", coupons),
    }


def _report(h, lang="zh", sop=SOP):
    settings = Settings(
        staff_ids=frozenset({"s1"}),
        day0={"g1": D(2026, 12, 1)},
        group_names={"g1": "一群"},
        loaded_sop=parse_sop(sop, "sop.yaml") if sop else None,
    )
    return build_report(_tables(h), settings=settings, as_of=AS_OF, lang=lang)


def test_the_first_action_that_applies(h):
    r = _report(h)
    t = r.actions.table
    got = {
        row["member_id"]: (
            row["first_join"] and D.fromordinal(D(1970, 1, 1).toordinal() + row["first_join"]),
            row["days_silent"],
            row["messages_30d"],
            row["rfm_segment"],
            row["koc"],
            row["unused_coupons"],
            row["action"],
        )
        for row in t.iter_rows(named=True)
    }
    # RFM of the three buyers (scores 1, 2, 4 by rank; ties share the average rank):
    # wb R 38 d (1) F 2 (4) M 1000 (4) → R low, F and M high: important to keep;
    # r2 R 1 (4) F 1 (1) M 10 (1) → general to develop; c R 8 (2) F 1 (1) M 100 (2) → general win back
    assert got == {
        # k: 5 messages on each of 7 days → a KOC; its unused coupon cp3 comes second
        "k": (D(2026, 12, 1), 3, 35, None, True, 1, "koc_care"),
        # wb: important to keep and silent 36 days
        "wb": (D(2026, 12, 1), 36, 0, "important_keep", False, 0, "win_back"),
        # old: never spoke, joined 40 days before as-of
        "old": (D(2026, 12, 1), 40, 0, None, False, 0, "recall"),
        # r2: silent 33 days, but not a segment to win back
        "r2": (D(2026, 12, 1), 33, 0, "general_develop", False, 0, "recall"),
        # c: cp1 on a paid order, cp2 only on a refunded one → 1 unused
        "c": (D(2026, 12, 1), 2, 1, "general_win_back", False, 1, "coupon_reminder"),
        # n: first joined 5 days before as-of, never spoke
        "n": (D(2027, 1, 5), 5, 0, None, False, 0, "welcome_follow_up"),
        # n8: joined 7 days before as-of: outside as-of − 6..as-of
        "n8": (D(2027, 1, 3), 7, 0, None, False, 0, "none"),
        "a": (D(2026, 12, 20), 1, 1, None, False, 0, "none"),
    }  # s1 (staff) and gone (left on 01-01) have no row
    # sorted by group, the actions' order, member
    assert t["member_id"].to_list() == ["k", "wb", "old", "r2", "c", "n", "a", "n8"]
    assert r.to_dict()["actions"] == {
        "fleet": {
            "koc_care": 1,
            "win_back": 1,
            "recall": 2,
            "coupon_reminder": 1,
            "welcome_follow_up": 1,
            "none": 2,
        },
        "counts": {
            "g1": {
                "koc_care": 1,
                "win_back": 1,
                "recall": 2,
                "coupon_reminder": 1,
                "welcome_follow_up": 1,
                "none": 2,
            }
        },
    }


def _csv(path):
    text = path.read_text(encoding="utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_actions_csv_zh_labels_and_scripts(h, tmp_path):
    write_lists(_report(h, "zh"), tmp_path)
    rows = _csv(tmp_path / "actions.csv")
    assert rows[0] == [
        "群ID", "群名称", "成员ID", "成员昵称", "首次入群日", "最后发言日", "沉默天数",
        "近30天消息数", "RFM分群", "KOC", "未用券数", "动作", "话术",
    ]  # fmt: skip
    by = {r[2]: r for r in rows[1:]}
    assert by["old"] == [
        "g1", "一群", "old", "老王", "2026-12-01", "", "40", "0", "", "否", "0", "召回",
        "老王，已经 40 天没见啦（一群）",
    ]  # fmt: skip
    # a member without a known name is called by the id in the script
    assert by["r2"][8:] == ["一般发展", "否", "0", "召回", "r2，已经 33 天没见啦（一群）"]
    assert by["k"][9:] == ["是", "1", "KOC 维护", ""]  # no script for koc_care
    assert by["n"][11:] == ["新人跟进", "欢迎！"]
    # every list's headers are Chinese in a zh report, with the group's name
    assert _csv(tmp_path / "recall.csv")[0] == [
        "群ID", "群名称", "成员ID", "成员昵称", "最后发言日", "沉默天数"
    ]  # fmt: skip
    assert _csv(tmp_path / "koc.csv")[1][:4] == ["g1", "一群", "k", ""]
    rfm = _csv(tmp_path / "rfm.csv")
    assert rfm[0][:4] == ["群ID", "群名称", "成员ID", "成员昵称"]
    assert [r[2] for r in rfm[1:]] == ["c", "r2", "wb"]


def test_actions_csv_en_ids(h, tmp_path):
    write_lists(_report(h, "en"), tmp_path)
    rows = _csv(tmp_path / "actions.csv")
    assert rows[0] == [
        "group_id", "group_name", "member_id", "member_name", "first_join", "last_spoken",
        "days_silent", "messages_30d", "rfm_segment", "koc", "unused_coupons", "action", "script",
    ]  # fmt: skip
    by = {r[2]: r for r in rows[1:]}
    assert by["wb"][5:12] == ["2026-12-05", "36", "0", "important_keep", "no", "0", "win_back"]
    assert by["k"][9] == "yes"
    assert _csv(tmp_path / "recall.csv")[0][:2] == ["group_id", "group_name"]


def test_without_actions_map_no_scripts(h, tmp_path):
    write_lists(_report(h, "en", sop=None), tmp_path)
    rows = _csv(tmp_path / "actions.csv")
    assert all(r[12] == "" for r in rows[1:]) and len(rows) == 9


def test_a_script_that_fails_for_a_real_member_is_an_error(h, tmp_path):
    from sqops.errors import TemplateError

    bad = SOP.replace("{{ member.name }}，", "{{ member.last_spoken.year }}，")
    with pytest.raises(TemplateError) as e:
        write_lists(_report(h, "en", sop=bad), tmp_path)
    assert "member old" in e.value.text.en  # (old never spoke: last_spoken is none)


def test_lint_checks_action_scripts():
    text = SOP + "  koc_care: thanks\n"
    text = text.replace("{{ member.name }}，", "{{ member.last_spoken.year }}，")
    found = {(f.rule, f.where.line, f.where.col) for f in lint_loaded(parse_sop(text, "s.yaml"))}
    # line 4: the recall script renders with a sample member who never spoke; line 9: no such script
    assert ("script-variable", 4, 14) in found
    assert ("script-missing", 9, 13) in found
    assert not any(rule == "script-unused" for rule, _, _ in found)


def test_an_unknown_action_name_gets_a_hint():
    with pytest.raises(SopError) as e:
        parse_sop(SOP.replace("  recall: recall_dm", "  recal: recall_dm"), "s.yaml")
    assert "did you mean 'recall'?" in str(e.value.problems[0].text.en)


def test_the_reports_show_the_counts_per_group(h):
    from sqops.render.console import Console
    from sqops.report.html import to_html
    from sqops.report.render import print_terminal, to_markdown

    r = _report(h, "zh")
    # the hand count above: k | wb | old, r2 | c | n | a, n8
    text = to_markdown(r)
    assert "## 成员动作" in text
    assert "| 群 | KOC 维护 | 重点挽回 | 召回 | 用券提醒 | 新人跟进 | 无 |" in text
    assert "| g1 一群 | 1 | 1 | 2 | 1 | 1 | 2 |" in text
    assert "| 全部群 |" not in text  # one group: no total row
    page = to_html(r)
    assert "<h2>成员动作</h2>" in page
    assert '<td>g1 一群</td><td class="n">1</td><td class="n">1</td><td class="n">2</td>' in page
    con = Console(record=True, width=120, color_system=None)
    print_terminal(_report(h, "en"), con)
    out = con.export_text()
    assert "Member actions" in out
    row = next(line for line in out.splitlines() if line.startswith("│ g1 一群"))
    assert [c.strip() for c in row.strip("│ ").split("│")] == [
        "g1 一群",
        "1",
        "1",
        "2",
        "1",
        "1",
        "2",
    ]
