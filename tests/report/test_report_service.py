"""Service (spec §3): questions, answers, response minutes outside quiet hours, the SLA.

Every expected number is counted by hand from the small tables below (Asia/Shanghai, local
times as written).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from sqops.render.output import csv_text
from sqops.report.build import Settings, build_report
from sqops.report.export import write_lists
from sqops.report.render import to_json, to_markdown
from sqops.report.service import unanswered_rows

from .conftest import frame

AS_OF = dt.date(2026, 12, 10)  # window Q = 2026-11-11 .. 2026-12-10
QUIET = (dt.time(22), dt.time(8))
COLS = "msg_id, ts, group_id, member_id, member_name, msg_type, content, reply_to"

ROWS = [
    # ---- g1
    ("old", "2026-11-10 10:00:00", "g1", "m1", "一一", "text", "在吗?", None),  # before Q
    ("o2", "2026-11-10 10:30:00", "g1", "s1", "阿青", "text", "在", None),
    # Q1: 23:00, quiet 22:00-08:00, answered 08:20 → 20 min (in time)
    ("q1", "2026-12-05 23:00:00", "g1", "m1", "一一", "text", "怎么用？", None),
    ("a1", "2026-12-06 08:20:00", "g1", "s1", "阿青", "text", "这样用", None),
    # Q2: 10:00; the 10:05 system message is no answer; 10:30 is → 30 min (in time)
    ("q2", "2026-12-06 10:00:00", "g1", "m2", "二二", "text", "价格多少?", None),
    ("sy", "2026-12-06 10:05:00", "g1", "s1", "阿青", "system", "阿青 撤回了一条消息?", None),
    ("j1", "2026-12-06 10:06:00", "g1", "m9", "九九", "system", "九九 加入了群聊?", None),
    ("a2", "2026-12-06 10:30:00", "g1", "s1", "阿青", "text", "99 元", None),
    # Q3: replies to staff message a2, no question mark; the next staff message is a
    # scheduled push at 14:00 → 180 min (late: SLA 1 h)
    ("q3", "2026-12-06 11:00:00", "g1", "m3", "三三", "text", "好的", "a2"),
    ("n1", "2026-12-06 13:00:00", "g1", "m1", "一一", "text", "好", None),  # not a question
    ("n2", "2026-12-06 13:30:00", "g1", "m4", "四四", "text", "同意", "q1"),  # replies to a member
    ("sq", "2026-12-06 13:40:00", "g1", "s2", "小周", "text", "大家有问题吗?", None),  # staff
    ("p1", "2026-12-06 14:00:00", "g1", "s2", "小周", "image", "今日福利", None),
    # Q7: no staff message after it in g1: unanswered; from 12-09 15:00 to the end of 12-10,
    # outside quiet hours: 15:00-22:00 (7 h) + 08:00-22:00 (14 h) = 21 h = 1260 min ≥ 60
    ("q7", "2026-12-09 15:00:00", "g1", "m3", "三三", "text", "=发货了吗?", None),
    # Q6: 23:30 on as-of, unanswered; the rest of the day is quiet: 0 min waited < 60, pending
    ("q6", "2026-12-10 23:30:00", "g1", "m2", "二二", "text", "还有货吗？", None),
    ("zz", "2026-12-11 08:30:00", "g1", "s1", "阿青", "text", "有", None),  # after as-of: no answer
    # ---- g2
    ("r1", "2026-12-07 09:00:00", "g2", "m5", "五五", "text", "?", None),  # → 09:10: 10 min
    ("r2", "2026-12-07 09:05:00", "g2", "m6", "六六", "text", "?", None),  # → 09:10: 5 min
    ("b1", "2026-12-07 09:10:00", "g2", "s2", "小周", "text", "来了", None),
    ("r3", "2026-12-07 12:00:00", "g2", "m5", "五五", "text", "？", None),  # → 13:40: 100 (late)
    ("b2", "2026-12-07 13:40:00", "g2", "s2", "小周", "text", "好", None),
    ("r4", "2026-12-08 09:00:00", "g2", "m6", "六六", "text", "?", None),  # → 09:02: 2 min
    ("b3", "2026-12-08 09:02:00", "g2", "s1", "阿青", "text", "嗯", None),
]


def _report(rows=ROWS, cols=COLS, *, staff=("s1", "s2"), quiet=QUIET, sla=1.0, lang="en"):
    settings = Settings(
        staff_ids=frozenset(staff),
        quiet_hours=quiet,
        sla_hours=sla,
        group_names={"g1": "一群"},
    )
    return build_report({"messages": frame(cols, rows)}, settings=settings, as_of=AS_OF, lang=lang)


def test_questions_answers_and_the_sla_per_group_and_pooled():
    svc = _report().service
    assert svc is not None and svc.available
    g1, g2, fleet = svc.groups["g1"], svc.groups["g2"], svc.fleet
    # g1: Q1 (20, in time), Q2 (30, in time), Q3 (180, late), Q7 (unanswered, overdue);
    # Q6 pending (left out); not questions: before Q, system, no '?', reply to a member, staff
    assert (g1.questions, g1.answered, g1.answered_in_time, g1.pending) == (4, 3, 2, 1)
    assert g1.unanswered == 1 and g1.answered_in_time_rate == 2 / 4
    assert g1.median_response_minutes == 30  # of 20, 30, 180
    # g2: 10, 5, 100 (late), 2: 3 of 4 in time; median of 2, 5, 10, 100 = 7.5
    assert (g2.questions, g2.answered, g2.answered_in_time, g2.pending) == (4, 4, 3, 0)
    assert g2.median_response_minutes == 7.5
    # fleet: Σ: 5 in time of 8; pooled median of 2, 5, 10, 20, 30, 100, 180 = 20,
    # not the mean of the groups' medians (30 + 7.5) / 2 = 18.75
    assert fleet is not None
    assert (fleet.questions, fleet.answered, fleet.answered_in_time, fleet.pending) == (8, 7, 5, 1)
    assert fleet.answered_in_time_rate == 5 / 8
    assert fleet.median_response_minutes == 20


def test_per_staff_answers_and_median():
    svc = _report().service
    assert svc is not None
    # s2 wrote the answers of Q3 (180, the push), r1 (10), r2 (5), r3 (100): 4, median 55;
    # s1 those of Q1 (20), Q2 (30), r4 (2): 3, median 20; most answers first
    got = [(s.member_id, s.name, s.answered, s.median_response_minutes) for s in svc.staff]
    assert got == [("s2", "小周", 4, 55.0), ("s1", "阿青", 3, 20.0)]


def test_unanswered_list_oldest_first_neutralised(tmp_path):
    rep = _report()
    assert rep.service is not None
    header, rows = unanswered_rows(rep.service, "en")
    assert header[:3] == ["group_id", "group_name", "member_id"]
    # Q7 (overdue, 1260 min waited) then Q6 (pending, 0 min)
    assert rows == [
        ["g1", "一群", "m3", "三三", "2026-12-09 15:00:00", "=发货了吗?", 1260, "yes"],
        ["g1", "一群", "m2", "二二", "2026-12-10 23:30:00", "还有货吗？", 0, "no"],
    ]
    written = write_lists(rep, tmp_path)
    assert tmp_path / "unanswered.csv" in written
    text = (tmp_path / "unanswered.csv").read_bytes().decode("utf-8-sig")
    assert "'=发货了吗?" in text  # formula-neutralised
    assert text == csv_text(header, rows).lstrip("\ufeff")
    zh_header, _ = unanswered_rows(rep.service, "zh")
    assert zh_header[0] == "群ID" and zh_header[-1] == "已超时"


def test_quiet_minutes_count_in_neither_response_nor_sla():
    rows = [
        # asked 21:30, answered 08:20: 30 + 20 = 50 min outside 22:00-08:00, within a 1 h SLA
        ("q", "2026-12-09 21:30:00", "g1", "m1", "一一", "text", "在吗?", None),
        ("a", "2026-12-10 08:20:00", "g1", "s1", "阿青", "text", "在", None),
        # asked 21:30 on as-of, unanswered: 30 min outside quiet hours by the end of the day
        # (SLA not run out: pending)
        ("p", "2026-12-10 21:30:00", "g1", "m2", "二二", "text", "有人吗?", None),
    ]
    svc = _report(rows).service
    assert svc is not None and svc.fleet is not None
    assert svc.fleet.median_response_minutes == 50
    assert (svc.fleet.questions, svc.fleet.answered_in_time, svc.fleet.pending) == (1, 1, 1)
    assert svc.unanswered["minutes_waiting"].to_list() == [30]
    # without quiet hours: 10 h 50 min = 650 min, late; the 21:30 question waited 150 min,
    # past the 1 h SLA: counted, not in time
    svc = _report(rows, quiet=None).service
    assert svc is not None and svc.fleet is not None
    assert svc.fleet.median_response_minutes == 650
    assert (svc.fleet.questions, svc.fleet.answered_in_time, svc.fleet.pending) == (2, 0, 0)
    assert svc.quiet_hours is None


def test_an_answer_inside_quiet_hours_takes_no_time():
    rows = [
        # asked 23:00, answered 23:30, both inside 22:00-08:00: 0 min, in time
        ("q", "2026-12-09 23:00:00", "g1", "m1", "一一", "text", "在吗?", None),
        ("a", "2026-12-09 23:30:00", "g1", "s1", "阿青", "text", "在", None),
        # asked 07:50, answered 08:05: only 08:00-08:05 counts = 5 min
        ("q2", "2026-12-10 07:50:00", "g1", "m2", "二二", "text", "早?", None),
        ("a2", "2026-12-10 08:05:00", "g1", "s2", "小周", "text", "早", None),
    ]
    svc = _report(rows).service
    assert svc is not None and svc.fleet is not None
    assert [(s.member_id, s.median_response_minutes) for s in svc.staff] == [
        ("s1", 0.0),
        ("s2", 5.0),
    ]
    assert (svc.fleet.questions, svc.fleet.answered_in_time) == (2, 2)
    assert svc.fleet.median_response_minutes == 2.5  # of 0 and 5


def test_missing_content_column_says_what_to_export():
    cols = "msg_id, ts, group_id, member_id, member_name, msg_type"
    rep = _report([r[:6] for r in ROWS], cols)
    svc = rep.service
    assert svc is not None and not svc.available
    assert svc.needs == ["messages.content"] and svc.fleet is None
    doc = rep.to_dict()["service"]
    assert doc["available"] is False and doc["needs"] == ["messages.content"]
    assert doc["fleet"] is None and doc["groups"] == {}
    assert "export messages with the content column" in to_markdown(rep)


def test_no_staff_says_how_to_name_them():
    rep = _report(staff=(), lang="zh")
    svc = rep.service
    assert svc is not None and svc.needs == ["staff"]
    md = to_markdown(rep)
    assert "客服响应" in md and "staff 表" in md


def test_json_shape():
    doc = _report().to_dict()["service"]
    assert doc["window"] == ["2026-11-11", "2026-12-10"]
    assert doc["quiet_hours"] == "22:00-08:00" and doc["sla_hours"] == 1.0
    assert doc["groups"]["g1"] == {
        "questions": 4,
        "answered": 3,
        "answered_in_time": 2,
        "unanswered": 1,
        "pending": 1,
        "answered_in_time_rate": 0.5,
        "median_response_minutes": 30.0,
        "sla_hours": 1.0,
    }
    assert doc["fleet"] is not None and doc["fleet"]["answered_in_time_rate"] == 0.625
    assert [s["member_id"] for s in doc["staff"]] == ["s2", "s1"]
    assert '"service"' in to_json(_report())


def test_settings_from_sop(tmp_path):
    from sqops.sop.loader import load_sop

    base = (
        "version: 1\ncommunity: {name: 测试群, platform: wecom}\nroles:\n"
        "  - {role: support, name: 阿青, members: [s1], response_hours: 4}\n"
        "  - {role: support, name: 阿白, members: [s3], response_hours: 2.5}\n"
        "  - {role: owner, name: 小林, members: [s2], response_hours: 1}\n"
    )
    p = tmp_path / "sop.yaml"
    p.write_text(base, encoding="utf-8")
    s = Settings.from_sop(load_sop(p).sop)
    # the smallest response_hours among the support roles (the owner's 1 h is not support);
    # quiet hours: the SOP's default 22:00-08:00
    assert s.sla_hours == 2.5 and s.quiet_hours == (dt.time(22), dt.time(8))
    p.write_text(base + "rules: {quiet_hours: null}\n", encoding="utf-8")
    assert Settings.from_sop(load_sop(p).sop).quiet_hours is None
    p.write_text("version: 1\ncommunity: {name: 测试群, platform: wecom}\n", encoding="utf-8")
    assert Settings.from_sop(load_sop(p).sop).sla_hours == 24.0
    # without an SOP: no quiet hours, 24 h
    assert (Settings().quiet_hours, Settings().sla_hours) == (None, 24.0)


def test_reply_without_msg_id_column_is_no_question():
    # reply_to holds a msg_id: without the msg_id column nothing can be matched, so only
    # messages with a question mark are questions (g1: Q1, Q2, Q7, Q6 — Q3 drops out)
    cols = "ts, group_id, member_id, member_name, msg_type, content, reply_to"
    svc = _report([r[1:] for r in ROWS], cols).service
    assert svc is not None
    assert (svc.groups["g1"].questions, svc.groups["g1"].pending) == (3, 1)
    assert isinstance(svc.unanswered, pl.DataFrame)


def test_html_and_terminal_show_the_section_escaped():
    from sqops.render.console import Console
    from sqops.report.html import to_html
    from sqops.report.render import print_terminal

    settings = Settings(
        staff_ids=frozenset({"s1", "s2"}),
        quiet_hours=QUIET,
        sla_hours=1.0,
        group_names={"g1": "<b>一群</b>"},
    )
    rep = build_report({"messages": frame(COLS, ROWS)}, settings=settings, as_of=AS_OF)
    html = to_html(rep)
    assert "Service: questions and staff response" in html
    assert "<td>g1 &lt;b&gt;一群&lt;/b&gt;</td>" in html and "<b>一群</b>" not in html
    # the fleet row: 8 questions, 7 answered, 5 in time, 62.5%, median 20.0, 1 overdue, 1 pending
    assert '<td class="n">62.5%</td><td class="n">20.0</td>' in html
    con = Console(width=200, record=True)
    print_terminal(rep, con)
    out = con.export_text()
    assert "SLA 1 h" in out and "62.5%" in out and "小周" in out
    # unavailable: the page says what to export
    rep = _report([r[:6] for r in ROWS], "msg_id, ts, group_id, member_id, member_name, msg_type")
    assert "export messages with the content column" in to_html(rep)
    con = Console(width=200, record=True)
    print_terminal(rep, con)
    assert "export messages with the content column" in con.export_text()


def test_agrees_with_a_minute_by_minute_count_on_random_tables():
    # an independent count: every minute between question and answer checked against the
    # quiet hours one by one (times on whole minutes, so minutes are exact)
    import random
    import statistics

    from sqops.sop.model import TimeRange

    rnd = random.Random(7)
    start = dt.datetime(2026, 11, 1)
    rows = []
    for i in range(400):
        when = start + dt.timedelta(minutes=rnd.randrange(0, 40 * 24 * 60))
        who = rnd.choice(["s1", "s2", "m1", "m2", "m3", "m4"])
        earlier = [r[0] for r in rows]
        rows.append(
            (
                f"x{i}",
                when.strftime("%Y-%m-%d %H:%M:%S"),
                rnd.choice(["g1", "g2", "g3"]),
                who,
                who.upper(),
                "system" if rnd.random() < 0.1 else "text",
                rnd.choice(["在吗?", "好", "怎么买？", "ok", None]),
                rnd.choice(earlier) if earlier and rnd.random() < 0.2 else None,
            )
        )
    for quiet, sla in ((QUIET, 1.0), ((dt.time(9), dt.time(12)), 2.0), (None, 24.0)):
        svc = _report(rows, quiet=quiet, sla=sla).service
        assert svc is not None and svc.fleet is not None
        tr = TimeRange(start=quiet[0], end=quiet[1]) if quiet else None
        end = dt.datetime.combine(AS_OF + dt.timedelta(days=1), dt.time(0))

        def counted(a: dt.datetime, b: dt.datetime, tr=tr) -> int:
            n, t = 0, a
            while t < b:
                n += tr is None or not tr.contains(t.time())
                t += dt.timedelta(minutes=1)
            return n

        msgs = [
            (r[0], dt.datetime.fromisoformat(r[1]), r[2], r[3], r[5], r[6], r[7], k)
            for k, r in enumerate(rows)
        ]
        staff = [m for m in msgs if m[3] in ("s1", "s2")]
        staff_ids = {(m[2], m[0]) for m in staff}
        lo = dt.datetime.combine(AS_OF - dt.timedelta(days=29), dt.time(0))
        per_group: dict[str, list[tuple[bool, int | None, int]]] = {}
        by_staff: dict[str, list[int]] = {}
        for _id, t, g, who, typ, content, reply, _k in msgs:
            if who in ("s1", "s2") or typ == "system" or not lo <= t < end:
                continue
            if not ((content and ("?" in content or "？" in content)) or (g, reply) in staff_ids):
                continue
            later = sorted(
                (m[1], m[7], m[3]) for m in staff if m[2] == g and m[4] != "system" and t < m[1]
            )
            if later:
                mins = counted(t, later[0][0])
                by_staff.setdefault(later[0][2], []).append(mins)
                per_group.setdefault(g, []).append((True, mins, 0))
            else:
                per_group.setdefault(g, []).append((False, None, counted(t, end)))
        all_mins = []
        for g, qs in per_group.items():
            c = svc.groups[g]
            pending = sum(1 for a, _, w in qs if not a and w < sla * 60)
            mins = [m for a, m, _ in qs if a and m is not None]
            in_time = sum(1 for m in mins if m <= sla * 60)
            assert (c.questions, c.answered, c.answered_in_time, c.pending) == (
                len(qs) - pending,
                len(mins),
                in_time,
                pending,
            ), (g, quiet)
            assert c.median_response_minutes == (statistics.median(mins) if mins else None)
            all_mins += mins
        assert svc.fleet.median_response_minutes == statistics.median(all_mins)
        assert {s.member_id: (s.answered, s.median_response_minutes) for s in svc.staff} == {
            k: (len(v), statistics.median(v)) for k, v in by_staff.items()
        }
        # (the draw gives questions of every kind: answered, in time and not, pending)
        assert svc.fleet.answered > 20 and svc.fleet.answered_in_time < svc.fleet.answered


def test_only_some_groups_pools_their_questions_alone():
    # one --by value's file: the fleet of a part is its groups' counts, and its median is over
    # their answered questions (for one group: exactly that group's figures)
    from pathlib import Path

    from sqops.report import Settings, build_report, read_tables
    from sqops.sop import load_sop

    ex = Path(__file__).resolve().parents[2] / "examples" / "skincare"
    settings = Settings.from_sop(load_sop(ex / "sop.yaml").sop)
    rep = build_report(read_tables(ex / "data"), settings=settings)
    svc = rep.service
    assert svc is not None and svc.available
    for g in svc.groups:
        part = svc.only({g})
        assert list(part.groups) == [g]
        assert part.fleet == svc.groups[g]
        assert set(part.unanswered["group_id"].cast(str).to_list()) <= {g}
    both = svc.only(set(svc.groups))
    assert both.fleet == svc.fleet and both.staff == svc.staff


def test_replies_to_staff_before_the_window_and_to_staff_system_messages():
    # a reply's target is any staff message up to as-of (before Q too, system ones too) of
    # the same group; only a non-system staff message in Q answers
    g3 = [
        ("t0", "2026-11-01 09:00:00", "g3", "s1", "阿青", "text", "公告", None),  # before Q
        ("t1", "2026-12-08 10:00:00", "g3", "m7", "七七", "text", "收到", "t0"),  # question
        ("t2", "2026-12-08 10:05:00", "g3", "s1", "阿青", "system", "阿青 置顶了消息", None),
        ("t3", "2026-12-08 10:10:00", "g3", "m8", "八八", "text", "好", "t2"),  # question
        ("t4", "2026-12-08 10:20:00", "g3", "m8", "八八", "text", "嗯", "b1"),  # g2's staff: no
        ("t6", "2026-12-08 10:25:00", "g3", "m7", "七七", "text", " ", "t0"),  # empty: question
        ("t5", "2026-12-08 10:30:00", "g3", "s2", "小周", "text", "在", None),  # the answer
    ]
    svc = _report(ROWS + g3).service
    assert svc is not None
    got = svc.groups["g3"]
    assert (got.questions, got.answered, got.answered_in_time, got.pending) == (3, 3, 3, 0)
    assert got.median_response_minutes == 20  # of 30, 20, 5
    assert svc.groups["g1"].questions == 4 and svc.groups["g2"].questions == 4
