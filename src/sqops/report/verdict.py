"""``--fail-under``: which current-stage KPIs fail a report at a threshold (for CI and cron)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqops.report.build import Report

#: the threshold → the KPI statuses that fail it
FAILING: dict[str, frozenset[str]] = {
    "bad": frozenset({"bad"}),
    "warn": frozenset({"bad", "warn"}),
}


def failing_kpis(report: Report, threshold: str) -> list[tuple[str, str]]:
    """``(group_id, kpi)`` of every current-stage KPI at ``threshold`` (``bad``; ``warn``: warn
    or bad), in the report's order; empty: the report passes."""
    statuses = FAILING[threshold]
    return [
        (g.group_id, k.name)
        for g in report.groups
        if g.current_stage
        for k in g.stage(g.current_stage).kpis
        if k.status in statuses
    ]


#: how many failing KPIs the message names before "… and N more"
SHOWN = 5


def failing_message(hit: list[tuple[str, str]], threshold: str, lang: str) -> str:
    """The ``--fail-under`` line: how many current-stage KPIs fail, the first :data:`SHOWN`
    as ``group/KPI label`` in the message's language, then "… and N more"."""
    from sqops.domain.kpis import KPI
    from sqops.i18n import T

    sep = "、" if lang == "zh" else ", "
    parts = [f"{g}/{KPI[k].label.get(lang)}" for g, k in hit[:SHOWN]]
    if len(hit) > SHOWN:
        parts.append(T("…… 另有 {n} 个", "… and {n} more").format(n=len(hit) - SHOWN).get(lang))
    return (
        T(
            "--fail-under {s}：{n} 个当前阶段指标未达标（{x}）",
            "--fail-under {s}: {n} current-stage KPI(s) at that status ({x})",
        )
        .format(s=threshold, n=len(hit), x=sep.join(parts))
        .get(lang)
    )
