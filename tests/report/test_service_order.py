"""The service's answers taken in the messages' own order when their times never go back
within a group (session 20, sect9: ``TableData.times_in_order``; the join finds each
question's answer among its group's rows, in their order), sorted by time otherwise. By hand:
groups whose rows come one after another in the file (not in time order overall), two
answers at the same time (the earlier row answers), quiet hours over midnight, a reply to a
staff message as a question; and a file whose times go back within a group (sorted: a
mutant that never sorts takes the later answer and fails)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from sqops.data.tables import read_tables
from sqops.report.build import Settings, build_report

SETTINGS = Settings(
    staff_ids=frozenset({"s1", "s2"}),
    quiet_hours=(dt.time(22), dt.time(8)),
    sla_hours=1.0,
    tz="Asia/Shanghai",
)


def _messages(rows: list[tuple[int, str, str, str, str, str | None]]) -> pl.DataFrame:
    """(msg_id, local time, group, member, content, reply_to) in this order (times without a
    zone: read as the report's, Shanghai's)."""
    return pl.DataFrame(
        {
            "msg_id": [r[0] for r in rows],
            "ts": [dt.datetime.fromisoformat(r[1]) for r in rows],
            "group_id": [r[2] for r in rows],
            "member_id": [r[3] for r in rows],
            "member_name": [r[3].upper() for r in rows],
            "msg_type": ["text"] * len(rows),
            "content": [r[4] for r in rows],
            "reply_to": [r[5] for r in rows],
        },
        schema_overrides={"msg_id": pl.Int64, "ts": pl.Datetime("us")},
    )


# g1's rows, then g2's (earlier times): not in time order overall, in order within each group
ROWS = [
    (1, "2026-12-08 10:00:00", "g1", "m1", "价格?", None),
    (2, "2026-12-08 10:30:00", "g1", "s2", "99", None),  # answers m1 (30 min)
    (3, "2026-12-08 10:30:00", "g1", "s1", "99!", None),  # the same time, a later row: not
    (4, "2026-12-08 21:30:00", "g1", "m2", "在吗?", None),
    (5, "2026-12-09 08:45:00", "g1", "s1", "在", None),  # 30 + 45 = 75 min: late
    (6, "2026-12-09 09:00:00", "g1", "m3", "好", "5"),  # a reply to s1: a question
    (7, "2026-12-09 09:10:00", "g1", "s1", "嗯", None),  # 10 min
    (8, "2026-12-08 08:00:00", "g2", "m1", "怎么买?", None),
    (9, "2026-12-08 08:20:00", "g2", "s1", "链接", None),  # 20 min
    (10, "2026-12-08 23:00:00", "g2", "m4", "还有吗?", None),  # unanswered by the end: late
]


def _service(path: Path, rows: list[tuple[int, str, str, str, str, str | None]], ordered: bool):
    path.mkdir()
    _messages(rows).write_parquet(path / "messages.parquet")
    tables = read_tables(path, hold=1 << 30, tz=SETTINGS.tz)
    assert tables["messages"].times_in_order() is ordered
    rep = build_report(tables, settings=SETTINGS, as_of=dt.date(2026, 12, 10))
    assert rep.service is not None and rep.service.available
    return rep.service


def test_answers_in_the_files_order(tmp_path: Path) -> None:
    svc = _service(tmp_path / "d", ROWS, ordered=True)
    g1, g2 = svc.groups["g1"], svc.groups["g2"]
    assert (g1.questions, g1.answered, g1.answered_in_time, g1.pending) == (3, 3, 2, 0)
    assert g1.median_response_minutes == 30
    assert (g2.questions, g2.answered, g2.answered_in_time, g2.pending) == (2, 1, 1, 0)
    assert g2.median_response_minutes == 20
    assert [(s.member_id, s.answered) for s in svc.staff] == [("s1", 3), ("s2", 1)]
    assert svc.unanswered["member_id"].to_list() == ["m4"]


def test_answers_sorted_when_times_go_back(tmp_path: Path) -> None:
    # g1's answer at 10:20 comes in the file after one at 10:40: the 10:20 one answers m1
    rows = [
        (1, "2026-12-08 10:00:00", "g1", "m1", "价格?", None),
        (2, "2026-12-08 10:40:00", "g1", "s1", "99", None),
        (3, "2026-12-08 10:20:00", "g1", "s2", "98", None),
    ]
    svc = _service(tmp_path / "d", rows, ordered=False)
    g1 = svc.groups["g1"]
    assert (g1.questions, g1.answered, g1.median_response_minutes) == (1, 1, 20)
    assert [(s.member_id, s.answered) for s in svc.staff] == [("s2", 1)]
