"""Triage and roll-ups (spec §3): which groups need attention first, and KPIs by attribute.

* **Triage** (always computed): per group, the health of its *current stage* — ``bad`` and
  ``warn`` (how many of the stage's KPIs are at those statuses), ``shortfall`` (the largest
  relative gap below target among them) and ``worst_kpi`` (the KPI that gives it), with the
  field's advice for that KPI as the one next action. Order: more ``bad`` first, then more
  ``warn``, then the larger ``shortfall``, then ``group_id``.
* **Roll-ups** (``--by ATTR``): for each value of a group attribute (the SOP's
  ``groups[].vars`` or a ``--groups`` CSV column), the pooled KPIs of its groups
  (Σ numerators / Σ denominators, judged like the fleet's) and how many of them are good,
  warn or bad. Groups without the attribute form the value null.

Edges (docs/report.md, "Triage and roll-ups"): a group with no current stage (the as-of day
is before its launch) has 0 bad, 0 warn, shortfall 0 and no health (``unrated``); a KPI with
no target (``aov`` unless the SOP sets one), no data, unavailable or not started counts in
neither bad nor warn and gives no shortfall; a target of 0 cannot scale a gap, so a KPI that
misses it (only a lower-is-better one can) gives its absolute gap ``value − 0``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqops.domain.kpis import KPI
from sqops.errors import UsageError
from sqops.i18n import T

if TYPE_CHECKING:
    from sqops.report import schema as S
    from sqops.report.build import GroupReport, Kpi, Report

#: the terminal and Markdown show this many triage rows, then one summary line (HTML and
#: JSON: every group)
TRIAGE_TOP = 20
#: a group's health: the worst judged status of its current stage's KPIs; ``unrated`` when
#: none is judged (no current stage, or every KPI without target, data or input)
HEALTHS: tuple[str, ...] = ("bad", "warn", "good", "unrated")
#: the file name of a roll-up value's Markdown (``-o DIR/``) is cut to this many characters
_NAME_MAX = 80


def gap(k: Kpi) -> float | None:
    """How far a KPI at ``warn`` or ``bad`` is below its target, relative to the target:
    (target − value) / target, or (value − target) / target when lower is better; the
    absolute gap when the target is 0. None for any other status."""
    if k.status not in ("warn", "bad") or k.value is None or k.target is None:
        return None
    v = round(k.value, 9)  # (the rounding status_of judges by)
    d = v - k.target if KPI[k.name].lower_is_better else k.target - v
    if d <= 0:
        return None
    return d / k.target if k.target > 0 else d


@dataclass(frozen=True)
class TriageEntry:
    """One group's place in the triage."""

    rank: int
    group_id: str
    group_name: str | None
    current_stage: str | None
    bad: int
    warn: int
    shortfall: float
    worst_kpi: str | None
    health: str  # one of HEALTHS

    @property
    def next_action(self) -> T | None:
        """The field's advice for the worst KPI (none when nothing is below target)."""
        return KPI[self.worst_kpi].advice if self.worst_kpi else None

    def to_dict(self, lang: str) -> S.TriageDoc:
        action = self.next_action
        return {
            "rank": self.rank,
            "group_id": self.group_id,
            "group_name": self.group_name,
            "current_stage": self.current_stage,
            "bad": self.bad,
            "warn": self.warn,
            "shortfall": round(self.shortfall, 4),
            "worst_kpi": self.worst_kpi,
            "health": self.health,
            "next_action": action.get(lang) if action else None,
        }


def _entry(g: GroupReport) -> TriageEntry:
    kpis = g.stage(g.current_stage).kpis if g.current_stage else []
    bad = sum(k.status == "bad" for k in kpis)
    warn = sum(k.status == "warn" for k in kpis)
    worst: str | None = None
    shortfall = 0.0
    for k in kpis:  # (registry order: the first of equal gaps wins)
        x = gap(k)
        if x is not None and x > shortfall:
            worst, shortfall = k.name, x
    judged = any(k.status in ("good", "warn", "bad") for k in kpis)
    health = "bad" if bad else "warn" if warn else "good" if judged else "unrated"
    return TriageEntry(0, g.group_id, g.name, g.current_stage, bad, warn, shortfall, worst, health)


def build_triage(groups: Sequence[GroupReport]) -> list[TriageEntry]:
    """Every group, worst first: more bad, more warn, larger shortfall, then group id."""
    entries = sorted(
        (_entry(g) for g in groups),
        key=lambda e: (-e.bad, -e.warn, -round(e.shortfall, 9), e.group_id),
    )
    return [dataclasses.replace(e, rank=i) for i, e in enumerate(entries, 1)]


def health_counts(healths: Iterable[str]) -> dict[str, int]:
    """How many of ``healths`` are each of :data:`HEALTHS` (every one a key)."""
    out = dict.fromkeys(HEALTHS, 0)
    for h in healths:
        out[h] += 1
    return out


# ------------------------------------------------------------------ roll-ups
@dataclass(frozen=True)
class Rollup:
    """One value of a ``--by`` attribute: its groups, their health, their pooled KPIs."""

    value: str | None  # None: the groups without the attribute
    group_ids: tuple[str, ...]
    good: int
    warn: int
    bad: int
    unrated: int
    kpis: list[Kpi]

    @property
    def groups(self) -> int:
        return len(self.group_ids)

    @property
    def kpis_shown(self) -> list[Kpi]:
        """The KPIs a reader is shown: those of stages some of its groups has started."""
        return [k for k in self.kpis if k.status != "not_started"]

    def to_dict(self) -> S.RollupDoc:
        return {
            "value": self.value,
            "groups": self.groups,
            "good": self.good,
            "warn": self.warn,
            "bad": self.bad,
            "unrated": self.unrated,
            "group_ids": list(self.group_ids),
            "kpis": [k.to_dict() for k in self.kpis],
        }


def known_attributes(group_vars: Mapping[str, Mapping[str, str]]) -> list[str]:
    """Every attribute some group has, sorted."""
    return sorted({a for v in group_vars.values() for a in v})


def check_attributes(by: Sequence[str], group_vars: Mapping[str, Mapping[str, str]]) -> None:
    """A :class:`UsageError` for a ``--by`` attribute that no group has (with a "did you
    mean" when one is close, and the attributes there are)."""
    known = known_attributes(group_vars)
    for attr in by:
        if attr in known:
            continue
        from sqops.errors import did_you_mean

        hint = did_you_mean(attr, known)
        msg = T("--by {a}：没有哪个群有这个属性", "--by {a}: no group has this attribute").format(
            a=attr
        )
        if hint:
            msg = msg + T("，你是不是想写 “{h}”？", "; did you mean '{h}'?").format(h=hint)
        if known:
            msg = msg + T("（已知属性：{k}）", " (attributes: {k})").format(k=", ".join(known))
        else:
            msg = msg + T(
                "（群属性来自 SOP 的 groups[].vars 或 --groups 的 CSV 列）",
                " (group attributes come from the SOP's groups[].vars or the columns of --groups FILE)",
            )
        raise UsageError(msg)


def build_rollups(
    by: Sequence[str],
    groups: Sequence[GroupReport],
    triage: Sequence[TriageEntry],
    group_vars: Mapping[str, Mapping[str, str]],
    pool: Callable[[Collection[str]], list[Kpi]],
) -> dict[str, list[Rollup]]:
    """Per attribute of ``by`` (in the order given, each once), its values sorted with null
    last; ``pool(group_ids)`` gives the pooled KPIs of those groups."""
    check_attributes(by, group_vars)
    health = {e.group_id: e.health for e in triage}
    out: dict[str, list[Rollup]] = {}
    for attr in dict.fromkeys(by):
        members: dict[str | None, list[str]] = {}
        for g in groups:
            members.setdefault(group_vars.get(g.group_id, {}).get(attr), []).append(g.group_id)
        rows: list[Rollup] = []
        for value in sorted(members, key=lambda v: (v is None, v or "")):
            ids = tuple(sorted(members[value]))
            n = health_counts(health[i] for i in ids)
            rows.append(
                Rollup(value, ids, n["good"], n["warn"], n["bad"], n["unrated"], pool(set(ids)))
            )
        out[attr] = rows
    return out


# ------------------------------------------------------------------ one file per value
def file_stem(attr: str, value: str | None) -> str:
    """The file name (without suffix) of one value's report under ``-o DIR/``: ``ATTR-VALUE``
    (letters, digits — Chinese too — ``_ . -`` kept, anything else ``_``, at most 80
    characters), ``no-ATTR`` for the groups without the attribute."""
    if value is None:
        return _safe(f"no-{attr}")
    return _safe(f"{attr}-{value}")


def _safe(text: str) -> str:
    from sqops.render.output import file_stem as safe_stem

    return safe_stem(text, _NAME_MAX)


def scoped(report: Report, attr: str, rollup: Rollup) -> Report:
    """The report of one roll-up value: its groups, ranked again among themselves, and its
    pooled KPIs in the place of the fleet's (``scope`` names the attribute and value)."""
    ids = set(rollup.group_ids)
    keep = [e for e in report.triage if e.group_id in ids]
    return dataclasses.replace(
        report,
        groups=[g for g in report.groups if g.group_id in ids],
        fleet=rollup.kpis,
        triage=[dataclasses.replace(e, rank=i) for i, e in enumerate(keep, 1)],
        rollups={},
        scope=(attr, rollup.value),
        channels=report.channels.only(ids) if report.channels else None,
        coverage={g: c for g, c in report.coverage.items() if g in ids},
        service=report.service.only(ids) if report.service else None,
    )


__all__ = [
    "HEALTHS",
    "TRIAGE_TOP",
    "Rollup",
    "TriageEntry",
    "build_rollups",
    "build_triage",
    "check_attributes",
    "file_stem",
    "gap",
    "health_counts",
    "known_attributes",
    "scoped",
]
