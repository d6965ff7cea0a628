"""The report as JSON, Markdown and a rich terminal view (the HTML lives in ``html.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqops.data.tables import REASONS
from sqops.domain.kpis import KPI
from sqops.domain.stages import STAGE
from sqops.domain.status import STATUS_LABELS
from sqops.i18n import T
from sqops.render import markdown as md
from sqops.render.output import json_bytes
from sqops.render.words import WORDS
from sqops.report.advice import BASIS_NOTE
from sqops.report.build import Kpi, Report
from sqops.report.channels import LABELS as CH
from sqops.report.channels import RATES, ChannelRow, Ratio
from sqops.report.coverage import LABELS as COV
from sqops.report.coverage import gap_text
from sqops.report.triage import TRIAGE_TOP, Rollup, TriageEntry, health_counts

if TYPE_CHECKING:
    from sqops.adherence.schema import AdherenceDoc

W: dict[str, T] = {
    "title": T("社群健康报告", "Community health report"),
    "as_of": T("截至", "As of"),
    "tz": WORDS["timezone"],
    "fleet": T("全部群合计", "Fleet"),
    "groups_n": T("{n} 个群", "{n} group(s)"),
    "kpi": T("指标", "KPI"),
    "stage": WORDS["stage"],
    "value": T("数值", "value"),
    "num": T("分子", "numerator"),
    "den": T("分母", "denominator"),
    "target": WORDS["target"],
    "floor": T("底线", "floor"),
    "status": T("状态", "status"),
    "window": T("窗口", "window"),
    "health": T("健康度", "health"),
    "group": T("群", "Group"),
    "day": WORDS["day_n"],
    "current": T("当前阶段", "current stage"),
    "none": WORDS["none"],
    "stages": T("各阶段", "Stages"),
    "kpis": T("指标", "KPIs"),
    "advice": T("建议", "Advice"),
    "no_advice": T("当前没有低于目标的指标。", "No KPI is below target."),
    "dq": T("数据质量", "Data quality"),
    "table": T("表", "table"),
    "rows": T("读取行数", "rows"),
    "valid": T("有效", "valid"),
    "rejected": T("拒绝", "rejected"),
    "dups": T("重复", "duplicates"),
    "after": T("晚于截至日", "after as-of"),
    "unattr": T("无法归群", "unattributed"),
    "rows_of": T("第 {r} 行", "rows {r}"),
    "needs": T("需要：{n}", "needs: {n}"),
    "members_today": T("当前成员", "members now"),
    "staff": T("工作人员 id：{n} 个", "staff ids: {n}"),
}


def w(key: str, lang: str, **kw: Any) -> str:
    t = W[key]
    return (t.format(**kw) if kw else t).get(lang)


def window_notes(lang: str) -> list[str]:
    """The note under each table of stage windows: a stage evaluated over its last days
    (retention, ``StageDef.trailing``) shows only those days (``render.words``)."""
    return [
        WORDS["window_note"].format(stage=s.label.get(lang), n=s.first + 1, d=s.trailing).get(lang)
        for s in STAGE.values()
        if s.trailing is not None
    ]


def fmt_value(k: Kpi) -> str:
    return fmt_kpi_value(k.name, k.value)


def fmt_kpi_value(name: str, value: float | None) -> str:
    if value is None:
        return "—"
    if not KPI[name].is_rate:
        return f"{value:,.2f}"
    return f"{value * 100:.1f}%"


def fmt_target(name: str, v: float | None) -> str:
    if v is None:
        return "—"
    return f"{v * 100:g}%" if KPI[name].is_rate else f"{v:,.2f}"


def fmt_num(v: float | None, name: str | None = None) -> str:
    """A numerator or denominator; ``name`` the KPI's: a money KPI's numerator is money
    (``5,129.00``, as the groups' sums that are seldom whole), other counts are whole."""
    if v is None:
        return "—"
    if name is not None and not KPI[name].is_rate:
        return f"{v:,.2f}"
    return f"{int(v)}" if float(v).is_integer() else f"{v:,.2f}"


def kpi_status(k: Kpi, lang: str) -> str:
    s = STATUS_LABELS[k.status].get(lang)
    if k.status == "unavailable" and k.needs:
        s += f" ({w('needs', lang, n='; '.join(k.needs))})"
    if k.gaps:
        s += f" {gap_text(k.gaps, lang)}"
    return s


# ------------------------------------------------------------------ triage and roll-ups
#: the words of the triage and roll-up tables (report/triage.py computes what they show)
TW: dict[str, T] = {
    "triage": T("分诊：先处理哪些群", "Triage: which groups first"),
    "triage_note": T(
        "按当前阶段排序：不达标指标多的在前，其次预警多的，再按最大相对差距（低于目标多少）。",
        "By current stage: more bad KPIs first, then more warn, then the largest relative gap "
        "below target.",
    ),
    "rank": T("排名", "#"),
    "bad": T("不达标", "bad"),
    "warn": T("预警", "warn"),
    "shortfall": T("最大差距", "shortfall"),
    "worst": T("最差指标", "worst KPI"),
    "action": T("下一步", "next action"),
    "unrated": T("无法评级", "unrated"),
    "more": T("…… 另有 {n} 个群：{parts}", "… and {n} more: {parts}"),
    "rollup": T("按 {a} 汇总", "By {a}"),
    "attr_value": T("取值", "value"),
    "groups": T("群数", "groups"),
    "good": T("达标", "good"),
    "null": T("（未设置）", "(not set)"),
    "below": T("低于目标的合计指标", "pooled KPIs below target"),
    "pooled": T("{a} = {v}：各群合计", "{a} = {v}: pooled"),
    "scope": T("{a} = {v}", "{a} = {v}"),
}
#: a number of groups at a health, for the line after the top rows
HEALTH_COUNT: dict[str, T] = {
    "bad": T("不达标 {n}", "{n} bad"),
    "warn": T("预警 {n}", "{n} warn"),
    "good": T("达标 {n}", "{n} good"),
    "unrated": T("无法评级 {n}", "{n} unrated"),
}
TRIAGE_COLUMNS = (
    "rank",
    "group",
    "current",
    "health",
    "bad",
    "warn",
    "shortfall",
    "worst",
    "action",
)
ROLLUP_COLUMNS = ("attr_value", "groups", "good", "warn", "bad", "unrated", "below")


def tw(key: str, lang: str, **kw: Any) -> str:
    t = TW[key] if key in TW else W[key]
    return (t.format(**kw) if kw else t).get(lang)


def health_label(health: str, lang: str) -> str:
    return tw("unrated", lang) if health == "unrated" else STATUS_LABELS[health].get(lang)


def triage_cells(e: TriageEntry, lang: str) -> list[str]:
    """One triage row as text, in the order of :data:`TRIAGE_COLUMNS`."""
    action = e.next_action
    return [
        str(e.rank),
        e.group_id + (f" {e.group_name}" if e.group_name else ""),
        STAGE[e.current_stage].label.get(lang) if e.current_stage else w("none", lang),
        health_label(e.health, lang),
        str(e.bad),
        str(e.warn),
        f"{e.shortfall * 100:.1f}%" if e.worst_kpi else "—",
        KPI[e.worst_kpi].label.get(lang) if e.worst_kpi else "—",
        action.get(lang) if action else "—",
    ]


def triage_more(entries: Sequence[TriageEntry], lang: str) -> str:
    """The line for the groups after the top rows: how many, and at which health."""
    n = health_counts(e.health for e in entries)
    sep = "、" if lang == "zh" else ", "
    parts = sep.join(HEALTH_COUNT[h].format(n=f"{c:,}").get(lang) for h, c in n.items() if c)
    return tw("more", lang, n=f"{len(entries):,}", parts=parts)


def rollup_value(value: str | None, lang: str) -> str:
    return tw("null", lang) if value is None else value


def rollup_cells(r: Rollup, lang: str) -> list[str]:
    """One roll-up value as text, in the order of :data:`ROLLUP_COLUMNS`."""
    below = [
        f"{KPI[k.name].label.get(lang)} {fmt_value(k)} ({STATUS_LABELS[k.status].get(lang)})"
        for k in r.kpis
        if k.status in ("warn", "bad")
    ]
    return [
        rollup_value(r.value, lang),
        str(r.groups),
        str(r.good),
        str(r.warn),
        str(r.bad),
        str(r.unrated),
        ("; " if lang == "en" else "；").join(below) or "—",
    ]


def scope_title(report: Report, lang: str) -> str:
    """`` · ATTR = VALUE`` after the title of one roll-up value's report, else nothing."""
    if report.scope is None:
        return ""
    a, v = report.scope
    return " · " + tw("scope", lang, a=a, v=rollup_value(v, lang))


def fleet_heading(report: Report, lang: str) -> str:
    """The fleet's heading, or that of one roll-up value's pooled KPIs."""
    if report.scope is None:
        return w("fleet", lang)
    a, v = report.scope
    return tw("pooled", lang, a=a, v=rollup_value(v, lang))


def triage_markdown(report: Report, lang: str) -> list[str]:
    """The triage section: the first :data:`TRIAGE_TOP` groups, then one line for the rest."""
    L = [f"## {tw('triage', lang)}", "", md.escape(tw("triage_note", lang)), ""]
    top = report.triage[:TRIAGE_TOP]
    L += md.table([tw(c, lang) for c in TRIAGE_COLUMNS], [triage_cells(e, lang) for e in top])
    L.append("")
    if len(report.triage) > TRIAGE_TOP:
        L += [md.escape(triage_more(report.triage[TRIAGE_TOP:], lang)), ""]
    return L


def rollups_markdown(report: Report, lang: str) -> list[str]:
    """Per ``--by`` attribute: its values' counts, then each value's pooled KPIs."""
    hdr = [w(k, lang) for k in ("kpi", "value", "num", "den", "target", "floor", "status")]
    L: list[str] = []
    for attr, rows in report.rollups.items():
        L += [f"## {md.escape(tw('rollup', lang, a=attr))}", ""]
        L += md.table([tw(c, lang) for c in ROLLUP_COLUMNS], [rollup_cells(r, lang) for r in rows])
        L.append("")
        for r in rows:
            title = tw("pooled", lang, a=attr, v=rollup_value(r.value, lang))
            L += [f"### {md.escape(title)}", ""]
            L += md.table(hdr, _kpi_rows(r.kpis_shown, lang)) + [""]
    return L


def print_triage(report: Report, console: Any) -> None:
    """The triage as a rich table (worst first, the first :data:`TRIAGE_TOP`); on a narrow
    terminal the next actions follow the table, one numbered line per rank."""
    from sqops.render.console import Fit, Table, para

    lang = report.lang

    def table(action: bool) -> Table:
        t = Table(title=tw("triage", lang), title_justify="left", title_style="bold")
        # (the health is the row's colour here; the next action takes what width is left)
        shown = [
            i for i, c in enumerate(TRIAGE_COLUMNS) if c != "health" and (action or c != "action")
        ]
        for i in shown:
            c = TRIAGE_COLUMNS[i]
            t.add_column(
                tw(c, lang),
                justify="right" if c in ("rank", "bad", "warn", "shortfall") else "left",
                no_wrap=c != "action",
                min_width=24 if c == "action" else None,
                overflow="fold",
            )
        for e in report.triage[:TRIAGE_TOP]:
            cells = triage_cells(e, lang)
            t.add_row(*(cells[i] for i in shown), style=_STYLE.get(e.health, "dim"))
        return t

    actions = [
        para(
            # (zh: no space after the number, where a line would break, leaving "1." alone)
            f"{e.rank}．{tw('action', lang)}：{e.next_action.get(lang)}"
            if lang == "zh"
            else f"{e.rank}. {tw('action', lang)}: {e.next_action.get(lang)}",
            _STYLE.get(e.health, ""),
        )
        for e in report.triage[:TRIAGE_TOP]
        if e.next_action
    ]
    console.print(Fit(table(True), (table(False), actions), key=1))
    if len(report.triage) > TRIAGE_TOP:
        console.print(para(triage_more(report.triage[TRIAGE_TOP:], lang), style="dim"))


def print_rollups(report: Report, console: Any) -> None:
    """Per ``--by`` attribute, a table of its values (counts and pooled KPIs below target)."""
    from sqops.render.console import Fit, Table

    lang = report.lang
    for attr, rows in report.rollups.items():
        t = Table(title=tw("rollup", lang, a=attr), title_justify="left", title_style="bold")
        for c in ROLLUP_COLUMNS:
            t.add_column(
                tw(c, lang),
                justify="left" if c in ("attr_value", "below") else "right",
                overflow="fold",
                no_wrap=c == "attr_value",
            )
        for r in rows:
            t.add_row(*rollup_cells(r, lang))
        console.print(Fit(t))


# ------------------------------------------------------------------ JSON
def to_json(report: Report, adherence: AdherenceDoc | None = None, *, views: bool = False) -> str:
    """The report as JSON; with ``views`` the lists, cohorts and chart series the HTML shows
    (``report.views``: 3.5 s more at 10 M messages, so asked for); with ``adherence``
    (``adh.to_dict(lang, detail=False)``) its plan-against-practice section, the last member,
    composed in the one dump."""
    return to_json_bytes(report, adherence, views=views).decode("utf-8")


def to_json_bytes(
    report: Report, adherence: AdherenceDoc | None = None, *, views: bool = False
) -> bytes:
    """:func:`to_json` as its UTF-8 bytes, made as bytes (what the command line writes to a
    UTF-8 stdout as they are: no text decoded and encoded again, ~0.01 CPU-s at 1 M
    messages at the run's end)."""
    doc = report.to_dict()
    if views:
        doc["views"] = report.views.to_dict()
    if adherence is not None:
        doc["adherence"] = adherence
    return json_bytes(doc) + b"\n"


# ------------------------------------------------------------------ Markdown
def _kpi_rows(kpis: list[Kpi], lang: str, report: Report | None = None) -> list[list[object]]:
    return [
        [
            md.Md(f"{md.escape(KPI[k.name].label.get(lang))} {md.code(k.name)}"),
            fmt_value(k),
            fmt_num(k.numerator, k.name),
            fmt_num(k.denominator),
            fmt_target(k.name, k.target),
            fmt_target(k.name, k.floor),
            kpi_status(k, lang),
            *(history_cells(k, report) if report is not None else []),
        ]
        for k in kpis
    ]


# ------------------------------------------------------------------ --compare, --trend
#: the terminal's colour of a change: an improvement, a worsening, neither
TONE_STYLE = {"good": "bold green", "bad": "bold red", "neutral": "dim"}


def history_header(report: Report, lang: str) -> list[str]:
    """The extra KPI-table columns of --compare ("vs DAY") and --trend ("Trend")."""
    from sqops.report.compare import LABELS as CL
    from sqops.report.trend import LABELS as TL

    out = []
    if report.compared_with is not None:
        out.append(CL["vs"].format(d=report.compared_with.isoformat()).get(lang))
    if report.trend is not None:
        out.append(TL["trend"].get(lang))
    return out


def history_cells(k: Kpi, report: Report) -> list[str]:
    """A KPI's --compare cell (arrow and delta, e.g. ``↑ +3.2 pp``; — without a previous
    value) and --trend cell (a sparkline ▁▂▃▄▅▆▇█)."""
    from sqops.report.trend import sparkline

    out = []
    if report.compared_with is not None:
        out.append(k.previous.text(k.name, report.lang) if k.previous else "—")
    if report.trend is not None:
        out.append(sparkline(k.trend) if k.trend else "")
    return out


def trend_markdown(report: Report, lang: str) -> list[str]:
    """--trend in Markdown: per fleet and group, a compact table of KPI × day (the KPIs with
    at least one point)."""
    from sqops.report.trend import LABELS as TL

    tr = report.trend
    if tr is None:
        return []
    hdr = [w("kpi", lang), *(d.strftime("%m-%d") for d in tr.days)]

    def rows(series: dict[str, list[Any]]) -> list[list[object]]:
        return [
            [
                md.Md(f"{md.escape(KPI[name].label.get(lang))} {md.code(name)}"),
                *(fmt_kpi_value(name, p.value if p else None) for p in s),
            ]
            for name, s in series.items()
            if any(p is not None for p in s)
        ]

    L = [f"## {TL['trend_n'].format(n=len(tr.days)).get(lang)}", ""]
    L += [f"> {md.escape(TL['note'].get(lang))}", ""]
    L += [f"### {w('fleet', lang)}", ""] + md.table(hdr, rows(tr.fleet)) + [""]
    for g in report.groups_detailed:
        r = rows(tr.groups.get(g.group_id, {}))
        if r:
            name = f" {g.name}" if g.name else ""
            L += [f"### {md.escape(w('group', lang) + ' ' + g.group_id + name)}", ""]
            L += md.table(hdr, r) + [""]
    return L


#: the data-quality table's columns, in the order of :func:`quality_lines` rows
QUALITY_COLUMNS = ("table", "file", "rows", "valid", "rejected", "dups", "after", "unattr")


def quality_header(lang: str) -> list[str]:
    """The data-quality table's header ("file" is the same word in both languages)."""
    return [c if c == "file" else w(c, lang) for c in QUALITY_COLUMNS]


def quality_lines(report: Report, lang: str) -> list[tuple[list[object], list[str]]]:
    """Per table: the summary row and the rejected-reason notes."""
    out = []
    for t in report.data_quality["tables"]:
        rej = sum(t["rejected"].values())
        row: list[object] = [
            t["table"],
            t["source"],
            t["rows"],
            t["valid"],
            rej,
            t["duplicates"],
            t["after_as_of"],
            t["unattributed"],
        ]
        notes = []
        for reason, n in t["rejected"].items():
            rows = ", ".join(str(r) for r in t["first_rejected_rows"].get(reason, []))
            notes.append(
                f"{t['table']}: {REASONS[reason].get(lang)} × {n} ({w('rows_of', lang, r=rows)}{'…' if n > 5 else ''})"
            )
        if t["duplicates"]:
            rows = ", ".join(str(r) for r in t["first_duplicate_rows"])
            notes.append(
                f"{t['table']}: {w('dups', lang)} × {t['duplicates']} ({w('rows_of', lang, r=rows)})"
            )
        out.append((row, notes))
    return out


def to_markdown(report: Report, sections: Sequence[str] = ()) -> str:
    """The report in Markdown; ``sections`` (Markdown with ``##`` top headings, e.g.
    ``sqops.adherence.render_md(adh, lang, level=2)``) follow the data quality."""
    lang = report.lang
    L: list[str] = []
    title = w("title", lang) + (f" — {md.escape(report.community)}" if report.community else "")
    title += md.escape(scope_title(report, lang))
    L += [f"# {title}", ""]
    L += [
        f"{w('as_of', lang)} **{report.as_of.isoformat()}** · {w('tz', lang)} {md.escape(report.tz)} · "
        f"{w('groups_n', lang, n=len(report.groups))}",
        "",
    ]
    L += triage_markdown(report, lang)
    L += [f"> {md.escape(BASIS_NOTE[report.basis].get(lang))}", ""]
    hdr = [w(k, lang) for k in ("kpi", "value", "num", "den", "target", "floor", "status")]
    hdr += history_header(report, lang)
    L += [f"## {md.escape(fleet_heading(report, lang))}", ""]
    L += md.table(hdr, _kpi_rows(report.fleet_shown, lang, report)) + [""]
    L += rollups_markdown(report, lang)
    L += [md.escape(n) for n in _groups_cut(report, lang)]
    for g in report.groups_detailed:
        name = f" {g.name}" if g.name else ""
        cur = STAGE[g.current_stage].label.get(lang) if g.current_stage else w("none", lang)
        L += [f"## {md.escape(w('group', lang) + ' ' + g.group_id + name)}", ""]
        L += [
            f"{w('day', lang, n=g.lifecycle_day)} · {w('current', lang)}: **{md.escape(cur)}** · "
            f"{w('members_today', lang)}: {g.members_today}",
            "",
        ]
        L += [f"### {w('stages', lang)}", ""]
        rows: list[list[object]] = []
        for s in g.stages:
            win = f"{s.window[0] or '—'} → {s.window[1] or '…'}"
            health = STATUS_LABELS[s.health].get(lang) if s.health else "—"
            rows.append(
                [STAGE[s.stage].label.get(lang), STATUS_LABELS[s.status].get(lang), win, health]
            )
        L += md.table([w(k, lang) for k in ("stage", "status", "window", "health")], rows) + [""]
        L += [md.escape(n) for n in window_notes(lang)] + [""]
        for s in g.stages:
            if s.status == "not_started":
                continue
            L += [f"### {STAGE[s.stage].label.get(lang)} · {w('kpis', lang)}", ""]
            L += md.table(hdr, _kpi_rows(s.kpis, lang, report)) + [""]
        L += [f"### {w('advice', lang)}", ""]
        if g.advice:
            for a in g.advice:
                L.append(
                    f"- **{md.escape(KPI[a.kpi].label.get(lang))}** "
                    f"({md.escape(STATUS_LABELS[a.status].get(lang))}): {md.escape(a.text.get(lang))}"
                )
        else:
            L.append(w("no_advice", lang))
        L.append("")
    L += trend_markdown(report, lang)
    L += channels_md(report, lang)
    L += _service_md(report, lang)
    L += _actions_md(report, lang)
    L += [f"## {w('dq', lang)}", ""]
    q = quality_lines(report, lang)
    L += md.table(quality_header(lang), [r for r, _ in q]) + [""]
    notes = [n for _, ns in q for n in ns]
    L += [f"- {md.escape(n)}" for n in notes]
    L.append(f"- {md.escape(w('staff', lang, n=report.data_quality['staff_ids']))}")
    L += coverage_md(report, lang)
    return "\n\n".join(["\n".join(L).rstrip(), *(x.rstrip("\n") for x in sections)]) + "\n"


def _service_md(report: Report, lang: str) -> list[str]:
    """The service section (客服响应, ``report/service.py``), or what it needs."""
    from sqops.report.service import WORDS as SW
    from sqops.report.service import service_lines, service_table, staff_table

    svc = report.service
    if svc is None:
        return []
    lead, notes = service_lines(svc, lang)
    L = [f"## {md.escape(SW['title'].get(lang))}", ""]
    if not svc.available:
        return L + [f"> {md.escape(lead)}", ""]
    names = report.settings.group_names if report.settings else {}
    L += [md.escape(lead), ""]
    L += md.table(*service_table(svc, lang, names, report.detailed_ids)) + [""]
    if svc.staff:
        L += md.table(*staff_table(svc, lang)) + [""]
    else:
        L += [md.escape(SW["no_staff_answers"].get(lang)), ""]
    L += [f"- {md.escape(n)}" for n in notes] + [""]
    return L


def _service_terminal(report: Report, console: Any) -> None:
    """The service section in the terminal."""
    from sqops.render.console import Fit, Table, para
    from sqops.report.service import WORDS as SW
    from sqops.report.service import service_lines, service_table, staff_table

    svc = report.service
    if svc is None:
        return
    lang = report.lang
    lead, _ = service_lines(svc, lang)
    if not svc.available:
        console.print(para(f"{SW['title'].get(lang)}: {lead}", style="dim"))
        return
    names = report.settings.group_names if report.settings else {}
    for (header, rows), caption, left in (
        (
            service_table(svc, lang, names, report.detailed_ids),
            f"{SW['title'].get(lang)} · {lead}",
            1,
        ),
        (staff_table(svc, lang), SW["staff_title"].get(lang), 2),
    ):
        if not rows:
            continue
        t = Table(title=caption, title_justify="left")
        for i, h in enumerate(header):
            t.add_column(h, justify="left" if i < left else "right", no_wrap=i == 0)
        for r in rows:
            t.add_row(*r)
        console.print(Fit(t))


def _actions_md(report: Report, lang: str) -> list[str]:
    """The member actions per group (``report/actions.py``)."""
    from sqops.report.actions import NOTE, TITLE, summary

    header, rows = summary(report, lang)
    return (
        [f"## {TITLE.get(lang)}", "", md.escape(NOTE.get(lang)), ""] + md.table(header, rows) + [""]
    )


def _actions_terminal(report: Report, console: Any) -> None:
    from sqops.render.console import Fit, Table, para
    from sqops.report.actions import NOTE, TITLE, summary

    header, rows = summary(report, report.lang)
    t = Table(title=TITLE.get(report.lang), title_justify="left")
    for i, h in enumerate(header):
        t.add_column(h, justify="left" if i == 0 else "right", no_wrap=i == 0)
    for r in rows:
        t.add_row(*(str(c) for c in r))
    console.print(Fit(t))
    console.print(para(NOTE.get(report.lang), style="dim"))


# ------------------------------------------------------------------ terminal
_STYLE = {
    "good": "green",
    "warn": "yellow",
    "bad": "bold red",
    "unavailable": "dim",
    "no_data": "dim",
    "not_started": "dim",
    "no_target": "",
    "in_progress": "cyan",
    "complete": "green",
}


def _groups_cut(report: Report, lang: str) -> list[str]:
    """The line saying that only the worst groups' sections follow (many groups), or none."""
    shown = len(report.groups_detailed)
    if shown == len(report.groups):
        return []
    text = T(
        "以下只列出最需要处理的 {n} 个群的详情（共 {t} 个群；其余见 HTML 或 JSON 报告，或用 --group ID）",
        "Details below for the {n} groups that need attention most (of {t}; the others are in "
        "the HTML and JSON reports, or use --group ID)",
    ).format(n=shown, t=len(report.groups))
    return [text.get(lang), ""]


def print_terminal(report: Report, console: Any, *, lists_dir: str | None = None) -> None:
    """A compact view: stages with coloured status, current-stage KPIs, top advice, data quality.

    Every table fits the console's width (:class:`sqops.render.console.Fit`): at 80 columns
    the KPI tables stack each numerator/denominator under the KPI's name and target/floor in
    one column, the triage lists the next actions under the table. ``lists_dir``: the folder
    ``--lists`` wrote to (the line after the advice says so; without it, how to get them)."""
    from sqops.render.console import Fit, Table, Text, para

    lang = report.lang
    title = w("title", lang) + (f" — {report.community}" if report.community else "")
    console.print(para(title, style="bold"))
    console.print(
        para(
            f"{w('as_of', lang)} {report.as_of.isoformat()} · {report.tz} · "
            f"{w('groups_n', lang, n=len(report.groups))}"
        )
    )
    print_triage(report, console)
    console.print(para(BASIS_NOTE[report.basis].get(lang), style="dim"))

    def st(status: str | None) -> Text:
        if status is None:
            return Text("—")
        return Text(STATUS_LABELS[status].get(lang), style=_STYLE.get(status, ""))

    def kpi_table(kpis: list[Kpi], caption: str) -> Fit:
        return Fit(kpi_wide(kpis, caption), *kpi_narrow(kpis, caption))

    def kpi_wide(kpis: list[Kpi], caption: str) -> Table:
        wide = Table(title=caption, title_justify="left")
        for h in ("kpi", "value", "num", "den", "target", "floor", "status"):
            wide.add_column(
                w(h, lang),
                justify="right" if h not in ("kpi", "status") else "left",
                no_wrap=h == "kpi",
            )
        for i, h in enumerate(history_header(report, lang)):
            wide.add_column(h, no_wrap=trend_column(i))
        for k in kpis:
            wide.add_row(
                KPI[k.name].label.get(lang),
                fmt_value(k),
                fmt_num(k.numerator, k.name),
                fmt_num(k.denominator),
                fmt_target(k.name, k.target),
                fmt_target(k.name, k.floor),
                st(k.status) + (Text(" ⚠", "yellow") if k.gaps else ""),
                *history_texts(k),
            )
        return wide

    def kpi_narrow(kpis: list[Kpi], caption: str) -> list[Table]:
        """Numerator/denominator under the KPI's name, target / floor in one column; the
        narrowest also stacks the --trend sparkline under the --compare change."""
        hist = history_header(report, lang)
        out = []
        for stack in (False, True) if len(hist) == 2 else (False,):
            t = Table(title=caption, title_justify="left")
            t.add_column(KPI_STACK["kpi"].get(lang), no_wrap=True)
            t.add_column(w("value", lang), justify="right", no_wrap=True)
            t.add_column(KPI_STACK["target"].get(lang), justify="right")
            t.add_column(w("status", lang))
            for i, h in enumerate([" / ".join(hist)] if stack else hist):
                t.add_column(h, no_wrap=stack or trend_column(i))
            for k in kpis:
                name = Text(KPI[k.name].label.get(lang))
                if k.numerator is not None or k.denominator is not None:
                    frac = f"{fmt_num(k.numerator, k.name)}/{fmt_num(k.denominator)}"
                    name.append(f"\n{frac}", style="dim")
                cells = history_texts(k)
                t.add_row(
                    name,
                    fmt_value(k),
                    f"{fmt_target(k.name, k.target)}/{fmt_target(k.name, k.floor)}",
                    st(k.status) + (Text(" ⚠", "yellow") if k.gaps else ""),
                    *([Text("\n").join(cells)] if stack else cells),
                )
            out.append(t)
        return out

    def trend_column(i: int) -> bool:
        """The i-th history column is the --trend sparkline (its blanks are missing weeks)."""
        return report.trend is not None and i == (1 if report.compared_with is not None else 0)

    def history_texts(k: Kpi) -> list[Text]:
        cells = [Text(c) for c in history_cells(k, report)]
        if report.compared_with is not None:
            tone = k.previous.tone(k.name) if k.previous else "neutral"
            cells[0].stylize(TONE_STYLE[tone])
        return cells

    if len(report.groups) > 1:
        console.print(kpi_table(report.fleet_shown, w("fleet", lang)))
    print_rollups(report, console)
    advised = False
    for note in _groups_cut(report, lang):
        console.print(para(note, "dim"))
    for g in report.groups_detailed:
        cur = STAGE[g.current_stage].label.get(lang) if g.current_stage else w("none", lang)
        head = f"{w('group', lang)} {g.group_id}{' ' + g.name if g.name else ''} · {w('day', lang, n=g.lifecycle_day)} · {w('current', lang)}: {cur}"
        t = Table(title=head, title_justify="left", title_style="bold")
        for h in ("stage", "status", "window", "health"):
            t.add_column(w(h, lang), no_wrap=h == "stage")
        for s in g.stages:
            t.add_row(
                STAGE[s.stage].label.get(lang),
                st(s.status),
                f"{s.window[0] or '—'} → {s.window[1] or '…'}",
                st(s.health),
            )
        console.print(Fit(t))
        for note in window_notes(lang):
            console.print(para(note, "dim"))
        if g.current_stage:
            console.print(kpi_table(g.stage(g.current_stage).kpis, f"{cur} · {w('kpis', lang)}"))
            print_gaps(g.stage(g.current_stage).kpis, lang, console)
        for a in g.advice[:3]:
            advised = True
            console.print(
                para(f"• {KPI[a.kpi].label.get(lang)}: {a.text.get(lang)}", style=_STYLE[a.status])
            )
    if advised:
        console.print(para(lists_pointer(lang, lists_dir), style="bold"))
    print_channels(report, console)
    _service_terminal(report, console)

    _actions_terminal(report, console)
    t = Table(title=w("dq", lang), title_justify="left")
    # the terminal leaves out the file column (QUALITY_COLUMNS[1]): paths are long
    for i, h in enumerate(quality_header(lang)):
        if i != 1:
            t.add_column(h, justify="left" if i == 0 else "right", no_wrap=i == 0)
    q = quality_lines(report, lang)
    for row, _ in q:
        t.add_row(*(str(c) for i, c in enumerate(row) if i != 1))
    console.print(Fit(t))
    for _, notes in q:
        for n in notes:
            console.print(para(f"• {n}", style="yellow"))

    print_coverage(report, console)


#: the terminal's narrow KPI table: its first column holds numerator/denominator under the
#: name, its target column target / floor
KPI_STACK: dict[str, T] = {
    "kpi": T("指标\n（分子/分母）", "KPI\n(numerator/denominator)"),
    "target": T("目标 / 底线", "target / floor"),
}
#: the line after the advice: where the lists to act on are (the advice names them)
LISTS_POINTER: dict[str, T] = {
    "how": T(
        "要处理的名单（召回、复购、KOC 等）：在本命令后加 --lists 目录，写出 CSV，例如 "
        "sqops report … --lists lists/",
        "Lists to act on (recall, repurchase, KOC …): add --lists DIR to this command to "
        "write them as CSV, e.g. sqops report … --lists lists/",
    ),
    "written": T(
        "要处理的名单（召回、复购、KOC 等）已写入 {d}",
        "Lists to act on (recall, repurchase, KOC …): written to {d}",
    ),
}


def lists_pointer(lang: str, lists_dir: str | None = None) -> str:
    """Where the lists the advice points to are: written to ``lists_dir``, or how to get them."""
    if lists_dir is not None:
        return LISTS_POINTER["written"].format(d=lists_dir).get(lang)
    return LISTS_POINTER["how"].get(lang)


# ------------------------------------------------------------------ channels and coverage
def ratio_cell(r: Ratio) -> str:
    """``89.0% (81/91)``; ``— (0/0)`` when nobody is counted yet."""
    v = r.value
    return f"{'—' if v is None else f'{v * 100:.1f}%'} ({r.numerator}/{r.denominator})"


def channel_header(lang: str) -> list[str]:
    return [CH[k].get(lang) for k in ("channel", "joins", *RATES)]


def channel_cells(row: ChannelRow, lang: str) -> list[str]:
    """The cells of one channel row (the empty channel shown as "(none)")."""
    name = row.channel if row.channel is not None else CH["none"].get(lang)
    return [name, str(row.joins), *(ratio_cell(row.rate(r)) for r in RATES)]


def channels_md(report: Report, lang: str) -> list[str]:
    """The channels section (``## Channels``): the fleet, then one table of every group's."""
    ch = report.channels
    if ch is None:
        return []
    L = [f"## {CH['title'].get(lang)}", ""]
    if not ch.available:
        return [*L, md.escape(CH["unavailable"].get(lang)), ""]
    L += [f"> {md.escape(CH['note'].get(lang))}", ""]
    if not ch.fleet:
        return [*L, CH["empty"].get(lang), ""]
    hdr = channel_header(lang)
    L += [f"### {w('fleet', lang)}", ""]
    L += md.table(hdr, [channel_cells(r, lang) for r in ch.fleet]) + [""]
    only = report.detailed_ids
    rows: list[list[object]] = [
        [g, *channel_cells(r, lang)]
        for g, rs in ch.groups.items()
        if only is None or g in only
        for r in rs
    ]
    L += [f"### {w('group', lang)}", ""]
    return L + md.table([COV["group"].get(lang), *hdr], rows) + [""]


def coverage_md(report: Report, lang: str) -> list[str]:
    """The data-coverage table of every group, under the data quality."""
    if not report.coverage:
        return []
    hdr = [COV[k].get(lang) for k in ("group", "first_day", "last_day", "gaps")]
    rows: list[list[object]] = [
        [
            g,
            c.first_day.isoformat(),
            c.last_day.isoformat(),
            ", ".join(f"{a}..{b}" for a, b in c.gaps) or COV["no_gaps"].get(lang),
        ]
        for g, c in report.coverage.items()
        if report.detailed_ids is None or g in report.detailed_ids
    ]
    return ["", f"### {COV['title'].get(lang)}", "", *md.table(hdr, rows)]


def print_channels(report: Report, console: Any) -> None:
    """The fleet's channels (the groups' are in the Markdown, HTML, JSON and channels.csv)."""
    from sqops.render.console import Fit, Table, para

    lang = report.lang
    ch = report.channels
    if ch is None:
        return
    if not ch.available:
        console.print(para(CH["unavailable"].get(lang), style="dim"))
        return
    if not ch.fleet:
        return
    t = Table(title=f"{CH['title'].get(lang)} · {w('fleet', lang)}", title_justify="left")
    for i, h in enumerate(channel_header(lang)):
        t.add_column(h, justify="left" if i == 0 else "right", no_wrap=i == 0)
    for r in ch.fleet:
        t.add_row(*channel_cells(r, lang))
    console.print(Fit(t))
    console.print(para(CH["note"].get(lang), style="dim"))


def print_gaps(kpis: list[Kpi], lang: str, console: Any) -> None:
    """Under a KPI table: the gaps its ⚠ marks stand for."""
    from sqops.render.console import para

    gaps = sorted({gap for k in kpis for gap in k.gaps})
    if gaps:
        console.print(para(gap_text(gaps, lang), style="yellow"))


def print_coverage(report: Report, console: Any) -> None:
    """The groups whose data has gaps (none printed when none has)."""
    from sqops.render.console import para

    lang = report.lang
    only = report.detailed_ids
    for g, c in report.coverage.items():
        if c.gaps and (only is None or g in only):
            console.print(para(f"• {w('group', lang)} {g}: {gap_text(c.gaps, lang)}", "yellow"))
