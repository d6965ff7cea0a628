"""What a notification says: a day's plan items per person, or a report's failing KPIs per
group, as a :class:`~sqops.notify.message.Digest` (platform-neutral; escaped later)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqops.i18n import T
from sqops.notify.message import Digest, Entry, Section, shorten

if TYPE_CHECKING:
    from sqops.plan import Occurrence, Plan
    from sqops.report.build import Report
    from sqops.sop.model import Sop

WEEKDAYS = (
    T("周一", "Mon"),
    T("周二", "Tue"),
    T("周三", "Wed"),
    T("周四", "Thu"),
    T("周五", "Fri"),
    T("周六", "Sat"),
    T("周日", "Sun"),
)
UNASSIGNED = T("未指派", "unassigned")


def day_label(day: dt.date, lang: str) -> str:
    return f"{day.isoformat()} {WEEKDAYS[day.weekday()].get(lang)}"


# ------------------------------------------------------------------ (a) the plan of a day


def who_posts(occ: Occurrence, sop: Sop, lang: str) -> str:
    """Who an item is for, as shown: the person who posts it in its group (the plan's one
    resolution, ``sqops.plan.load.responsible``: the item's ``person:``, the group's
    ``vars.owner``, the owner role's name), the role's label and, when the person is the
    role's, the role's members' chat ids; ``未指派`` without anyone."""
    from sqops.plan import ROLE_NAMES

    role = sop.role(occ.owner) if occ.owner else None
    label = ROLE_NAMES[occ.owner].get(lang) if occ.owner in ROLE_NAMES else occ.owner
    person = occ.responsible or occ.person
    name = person or label or UNASSIGNED.get(lang)
    extra = [label] if label and label != name else []
    if role is not None and role.members and person in (None, role.name, *role.members):
        extra.append(", ".join(role.members))
    if not extra:
        return name
    return f"{name}（{' · '.join(extra)}）" if lang == "zh" else f"{name} ({' · '.join(extra)})"


def _role_rank(sop: Sop) -> dict[str, int]:
    return {r.role: i for i, r in enumerate(sop.roles)}


def plan_digest(
    plan: Plan,
    sop: Sop,
    day: dt.date,
    lang: str,
    *,
    persons: Sequence[str] = (),
) -> Digest:
    """The items of ``day`` grouped per person (persons in the SOP's role order, unassigned
    last; items by time, then group order), each with time, group, title and its script
    shortened to :data:`~sqops.notify.message.SCRIPT_CHARS` characters. ``persons``: keep only
    the people whose shown name contains one of these."""
    rank = _role_rank(sop)
    names = {g.group.id: g.group.name for g in plan.groups}
    order = {g.group.id: i for i, g in enumerate(plan.groups)}
    items = sorted(
        (o for g in plan.groups for o in g.occurrences if o.date == day),
        key=lambda o: (o.time, order[o.group_id], *o.sort_key()[2:]),
    )
    by_person: dict[str, list[Occurrence]] = {}
    person_rank: dict[str, tuple[int, str]] = {}
    for o in items:
        who = who_posts(o, sop, lang)
        by_person.setdefault(who, []).append(o)
        r = rank.get(o.owner or "", len(rank)) if (o.owner or o.person) else len(rank) + 1
        person_rank[who] = min(person_rank.get(who, (r, who)), (r, who))
    sections = []
    for who in sorted(by_person, key=lambda w: person_rank[w]):
        if persons and not any(p in who for p in persons):
            continue
        entries = [
            Entry(
                o.time.strftime("%H:%M"),
                f"{names.get(o.group_id, o.group_id)} · {o.title}",
                shorten(o.script) if o.script else None,
            )
            for o in by_person[who]
        ]
        sections.append(Section(who, entries))
    title = T("{c} · {d} 运营安排", "{c} · plan for {d}").format(
        c=plan.community, d=day_label(day, lang)
    )
    empty = T("这一天没有安排。", "Nothing is planned for this day.")
    return Digest(title.get(lang), sections, empty.get(lang))


# ------------------------------------------------------------------ (b) a report's failing KPIs


def failing_groups(report: Report, threshold: str) -> list[tuple[str, list[str]]]:
    """``(group_id, [kpi, ...])`` of every group with a failing current-stage KPI
    (``sqops.report.verdict.failing_kpis``), worst first: in the report's triage order."""
    from sqops.report.verdict import failing_kpis

    out: dict[str, list[str]] = {}
    for gid, kpi in failing_kpis(report, threshold):
        out.setdefault(gid, []).append(kpi)
    rank = {e.group_id: e.rank for e in report.triage}
    return sorted(out.items(), key=lambda kv: (rank.get(kv[0], len(rank) + 1), kv[0]))


def kpi_digest(
    report: Report, groups: Sequence[tuple[str, list[str]]], lang: str, threshold: str = "warn"
) -> Digest:
    """The KPIs of ``groups``, in the order given (one section a group): each KPI's value,
    target and status. The one place the report notification is formatted; ``threshold``
    only words the empty message."""
    from sqops.domain.stages import STAGE
    from sqops.report.build import label
    from sqops.report.render import fmt_target, fmt_value, kpi_status

    by_id = {g.group_id: g for g in report.groups}
    sections = []
    for gid, kpis in groups:
        g = by_id[gid]
        stage = STAGE[g.current_stage].label.get(lang) if g.current_stage else ""
        head = T("{n}（{i}）· 第 {d} 天 · {s}", "{n} ({i}) · day {d} · {s}").format(
            n=g.name or gid, i=gid, d=g.lifecycle_day, s=stage
        )
        entries = []
        for name in kpis:
            k = g.kpi(name)
            text = T("{v}，目标 {t}，{s}", "{v}, target {t}, {s}").format(
                v=fmt_value(k), t=fmt_target(name, k.target), s=kpi_status(k, lang)
            )
            entries.append(Entry(label(name, lang), text.get(lang)))
        sections.append(Section(head.get(lang), entries))
    who = report.community or T("社群", "community").get(lang)
    title = T("{c} · {d} 未达标指标", "{c} · KPIs off target on {d}").format(
        c=who, d=report.as_of.isoformat()
    )
    empty = (
        T("没有不达标的当前阶段指标。", "No current-stage KPI is bad.")
        if threshold == "bad"
        else T("当前阶段指标都已达标。", "Every current-stage KPI is on target.")
    )
    return Digest(title.get(lang), sections, empty.get(lang))
