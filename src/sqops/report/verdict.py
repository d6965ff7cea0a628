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
