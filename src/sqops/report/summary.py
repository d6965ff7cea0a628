"""The report's one-screen summary (the top of the HTML page, read first on a phone).

Three parts, each taken from what the report already computed:

* **attention** — the groups whose current stage is ``bad`` or ``warn``, in the triage's
  order (``report.triage``), the first :data:`SUMMARY_TOP`; how many more there are;
* **actions** — the next action (the field's advice for the worst KPI) of the first
  :data:`SUMMARY_TOP` of those groups: the three most important things to do;
* **changes** — with ``--compare``: the fleet KPIs whose change is significant (``up`` /
  ``down`` by the two-proportion test of spec §3), coloured by whether it is an improvement.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqops.domain.kpis import KPI
from sqops.domain.stages import STAGE
from sqops.i18n import T

if TYPE_CHECKING:
    import datetime as dt

    from sqops.report.build import Kpi, Report
    from sqops.report.triage import TriageEntry

#: how many groups and actions the summary names
SUMMARY_TOP = 3

WORDS: dict[str, T] = {
    "title": T("一屏摘要", "At a glance"),
    "attention": T("需要关注的群", "Groups needing attention"),
    "all_good": T("没有群低于目标。", "No group is below target."),
    "more": T(
        "另有 {n} 个群需要关注，见下方分诊表。", "{n} more group(s) need attention: see the triage."
    ),
    "worst": T("最差：{k}，低于目标 {g}", "worst: {k}, {g} below target"),
    "counts": T("不达标 {b} · 预警 {w}", "bad {b} · warn {w}"),
    "actions": T("最重要的三件事", "The three most important actions"),
    "changes": T("与 {d} 相比的显著变化（合计）", "Significant changes since {d} (pooled)"),
    "no_changes": T("与 {d} 相比没有显著变化。", "No significant change since {d}."),
}


@dataclass(frozen=True)
class Summary:
    """What the summary shows, in order (see the module's docstring)."""

    attention: tuple[TriageEntry, ...]
    more: int
    actions: tuple[tuple[TriageEntry, T], ...]
    changes: tuple[Kpi, ...]
    compared_with: dt.date | None


def build_summary(report: Report) -> Summary:
    """The summary of ``report`` (nothing new is computed: triage, advice and comparison)."""
    needing = [e for e in report.triage if e.health in ("bad", "warn")]
    top = needing[:SUMMARY_TOP]
    actions = tuple((e, a) for e in top if (a := e.next_action) is not None)
    changes: tuple[Kpi, ...] = ()
    if report.compared_with is not None:
        changes = tuple(
            k
            for k in report.fleet_shown
            if k.previous is not None and k.previous.change in ("up", "down")
        )
    return Summary(tuple(top), len(needing) - len(top), actions, changes, report.compared_with)


def summary_view(report: Report) -> dict[str, object]:
    """The summary as text for ``report.html.j2``: headings, lines and CSS tones."""
    from sqops.report.render import health_label

    lang = report.lang
    s = build_summary(report)

    def word(key: str, **kw: object) -> str:
        t = WORDS[key]
        return (t.format(**kw) if kw else t).get(lang)

    def group(e: TriageEntry) -> str:
        return e.group_id + (f" {e.group_name}" if e.group_name else "")

    attention = []
    for e in s.attention:
        stage = STAGE[e.current_stage].label.get(lang) if e.current_stage else ""
        detail = word("counts", b=e.bad, w=e.warn)
        if e.worst_kpi:
            kpi = KPI[e.worst_kpi].label.get(lang)
            detail += " · " + word("worst", k=kpi, g=f"{e.shortfall * 100:.1f}%")
        attention.append((e.health, health_label(e.health, lang), group(e), stage, detail))
    day = s.compared_with.isoformat() if s.compared_with else ""
    return {
        "title": word("title"),
        "calm": not s.attention,
        "attention_title": word("attention"),
        "attention": attention,
        "all_good": word("all_good"),
        "more": word("more", n=s.more) if s.more else "",
        "actions_title": word("actions"),
        "actions": [
            (group(e), KPI[e.worst_kpi or ""].label.get(lang) if e.worst_kpi else "", a.get(lang))
            for e, a in s.actions
        ],
        "compared": s.compared_with is not None,
        "changes_title": word("changes", d=day),
        "no_changes": word("no_changes", d=day),
        "changes": [
            (
                KPI[k.name].label.get(lang),
                k.previous.text(k.name, lang) if k.previous else "",
                k.previous.tone(k.name) if k.previous else "neutral",
            )
            for k in s.changes
        ],
    }
