"""The statuses a KPI or a stage can have in a report, their order and their labels."""

from __future__ import annotations

from sqops.i18n import T

#: a KPI's status: judged against its target and floor, or why it has no value
KPI_STATUSES: tuple[str, ...] = (
    "good",
    "warn",
    "bad",
    "no_target",
    "no_data",
    "unavailable",
    "not_started",
)
#: a stage's status for a group (see :meth:`sqops.domain.stages.StageDef.status`)
STAGE_STATUSES: tuple[str, ...] = ("not_started", "in_progress", "complete")
#: the judged statuses, worst first: a stage's health is its worst KPI's
STATUS_RANK: dict[str, int] = {"bad": 0, "warn": 1, "good": 2}

STATUS_LABELS: dict[str, T] = {
    "good": T("达标", "good"),
    "warn": T("预警", "warn"),
    "bad": T("不达标", "bad"),
    "no_target": T("无目标", "no target"),
    "no_data": T("无数据", "no data"),
    "unavailable": T("缺数据", "unavailable"),
    "not_started": T("未开始", "not started"),
    "in_progress": T("进行中", "in progress"),
    "complete": T("已完成", "complete"),
}
