"""``--fail-under``: the verdict is the report library's (the command only prints it)."""

from __future__ import annotations

from types import SimpleNamespace as NS

from sqops.report.verdict import failing_kpis


def _group(gid: str, current: str | None, statuses: dict[str, str]) -> NS:
    kpis = [NS(name=n, status=s) for n, s in statuses.items()]
    return NS(group_id=gid, current_stage=current, stage=lambda name: NS(kpis=kpis))


def test_only_current_stage_kpis_at_the_threshold_fail() -> None:
    report = NS(
        groups=[
            _group("g1", "activation", {"speaking_rate": "warn", "d7_retention": "bad"}),
            _group("g2", "activation", {"speaking_rate": "good", "d7_retention": "no_data"}),
            _group("g3", None, {"speaking_rate": "bad"}),  # not started: no current stage
        ]
    )
    assert failing_kpis(report, "bad") == [("g1", "d7_retention")]
    assert failing_kpis(report, "warn") == [("g1", "speaking_rate"), ("g1", "d7_retention")]
