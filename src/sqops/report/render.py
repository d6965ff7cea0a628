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
from sqops.render.output import json_text
from sqops.render.words import WORDS
from sqops.report.advice import BASIS_NOTE
from sqops.report.build import Kpi, Report

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


def fmt_value(k: Kpi) -> str:
    if k.value is None:
        return "—"
    if not KPI[k.name].is_rate:
        return f"{k.value:,.2f}"
    return f"{k.value * 100:.1f}%"


def fmt_target(name: str, v: float | None) -> str:
    if v is None:
        return "—"
    return f"{v * 100:g}%" if KPI[name].is_rate else f"{v:,.2f}"


def fmt_num(v: float | None) -> str:
    if v is None:
        return "—"
    return f"{int(v)}" if float(v).is_integer() else f"{v:,.2f}"


def kpi_status(k: Kpi, lang: str) -> str:
    s = STATUS_LABELS[k.status].get(lang)
    if k.status == "unavailable" and k.needs:
        s += f" ({w('needs', lang, n='; '.join(k.needs))})"
    return s


# ------------------------------------------------------------------ JSON
def to_json(report: Report, adherence: AdherenceDoc | None = None, *, views: bool = False) -> str:
    """The report as JSON; with ``views`` the lists, cohorts and chart series the HTML shows
    (``report.views``: 3.5 s more at 10 M messages, so asked for); with ``adherence``
    (``adh.to_dict(lang, detail=False)``) its plan-against-practice section, the last member,
    composed in the one dump."""
    doc = report.to_dict()
    if views:
        doc["views"] = report.views.to_dict()
    if adherence is not None:
        doc["adherence"] = adherence
    return json_text(doc) + "\n"


# ------------------------------------------------------------------ Markdown
def _kpi_rows(kpis: list[Kpi], lang: str) -> list[list[object]]:
    return [
        [
            md.Md(f"{md.escape(KPI[k.name].label.get(lang))} {md.code(k.name)}"),
            fmt_value(k),
            fmt_num(k.numerator),
            fmt_num(k.denominator),
            fmt_target(k.name, k.target),
            fmt_target(k.name, k.floor),
            kpi_status(k, lang),
        ]
        for k in kpis
    ]


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
    L += [f"# {title}", ""]
    L += [
        f"{w('as_of', lang)} **{report.as_of.isoformat()}** · {w('tz', lang)} {md.escape(report.tz)} · "
        f"{w('groups_n', lang, n=len(report.groups))}",
        "",
    ]
    L += [f"> {md.escape(BASIS_NOTE[report.basis].get(lang))}", ""]
    hdr = [w(k, lang) for k in ("kpi", "value", "num", "den", "target", "floor", "status")]
    L += [f"## {w('fleet', lang)}", ""]
    L += md.table(hdr, _kpi_rows(report.fleet_shown, lang)) + [""]
    for g in report.groups:
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
        for s in g.stages:
            if s.status == "not_started":
                continue
            L += [f"### {STAGE[s.stage].label.get(lang)} · {w('kpis', lang)}", ""]
            L += md.table(hdr, _kpi_rows(s.kpis, lang)) + [""]
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
    L += _actions_md(report, lang)
    L += [f"## {w('dq', lang)}", ""]
    q = quality_lines(report, lang)
    L += md.table(quality_header(lang), [r for r, _ in q]) + [""]
    notes = [n for _, ns in q for n in ns]
    L += [f"- {md.escape(n)}" for n in notes]
    L.append(f"- {md.escape(w('staff', lang, n=report.data_quality['staff_ids']))}")
    return "\n\n".join(["\n".join(L).rstrip(), *(x.rstrip("\n") for x in sections)]) + "\n"


def _actions_md(report: Report, lang: str) -> list[str]:
    """The member actions per group (``report/actions.py``)."""
    from sqops.report.actions import NOTE, TITLE, summary

    header, rows = summary(report, lang)
    return (
        [f"## {TITLE.get(lang)}", "", md.escape(NOTE.get(lang)), ""] + md.table(header, rows) + [""]
    )


def _actions_terminal(report: Report, console: Any) -> None:
    from sqops.render.console import Table, Text
    from sqops.report.actions import NOTE, TITLE, summary

    header, rows = summary(report, report.lang)
    t = Table(title=TITLE.get(report.lang), title_justify="left")
    for i, h in enumerate(header):
        t.add_column(h, justify="left" if i == 0 else "right")
    for r in rows:
        t.add_row(*(str(c) for c in r))
    console.print(t)
    console.print(Text(NOTE.get(report.lang), style="dim"))


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


def print_terminal(report: Report, console: Any) -> None:
    """A compact view: stages with coloured status, current-stage KPIs, top advice, data quality."""
    from sqops.render.console import Table, Text

    lang = report.lang
    title = w("title", lang) + (f" — {report.community}" if report.community else "")
    console.print(Text(title, style="bold"))
    console.print(
        Text(
            f"{w('as_of', lang)} {report.as_of.isoformat()} · {report.tz} · "
            f"{w('groups_n', lang, n=len(report.groups))}"
        )
    )
    console.print(Text(BASIS_NOTE[report.basis].get(lang), style="dim"))

    def st(status: str | None) -> Text:
        if status is None:
            return Text("—")
        return Text(STATUS_LABELS[status].get(lang), style=_STYLE.get(status, ""))

    def kpi_table(kpis: list[Kpi], caption: str) -> Table:
        t = Table(title=caption, title_justify="left")
        for h in ("kpi", "value", "num", "den", "target", "floor", "status"):
            t.add_column(w(h, lang), justify="right" if h not in ("kpi", "status") else "left")
        for k in kpis:
            t.add_row(
                KPI[k.name].label.get(lang),
                fmt_value(k),
                fmt_num(k.numerator),
                fmt_num(k.denominator),
                fmt_target(k.name, k.target),
                fmt_target(k.name, k.floor),
                st(k.status),
            )
        return t

    if len(report.groups) > 1:
        console.print(kpi_table(report.fleet_shown, w("fleet", lang)))
    for g in report.groups:
        cur = STAGE[g.current_stage].label.get(lang) if g.current_stage else w("none", lang)
        head = f"{w('group', lang)} {g.group_id}{' ' + g.name if g.name else ''} · {w('day', lang, n=g.lifecycle_day)} · {w('current', lang)}: {cur}"
        t = Table(title=head, title_justify="left", title_style="bold")
        for h in ("stage", "status", "window", "health"):
            t.add_column(w(h, lang))
        for s in g.stages:
            t.add_row(
                STAGE[s.stage].label.get(lang),
                st(s.status),
                f"{s.window[0] or '—'} → {s.window[1] or '…'}",
                st(s.health),
            )
        console.print(t)
        if g.current_stage:
            console.print(kpi_table(g.stage(g.current_stage).kpis, f"{cur} · {w('kpis', lang)}"))
        for a in g.advice[:3]:
            console.print(
                Text(f"• {KPI[a.kpi].label.get(lang)}: {a.text.get(lang)}", style=_STYLE[a.status])
            )
    _actions_terminal(report, console)
    t = Table(title=w("dq", lang), title_justify="left")
    # the terminal leaves out the file column (QUALITY_COLUMNS[1]): paths are long
    for i, h in enumerate(quality_header(lang)):
        if i != 1:
            t.add_column(h, justify="left" if i == 0 else "right")
    q = quality_lines(report, lang)
    for row, _ in q:
        t.add_row(*(str(c) for i, c in enumerate(row) if i != 1))
    console.print(t)
    for _, notes in q:
        for n in notes:
            console.print(Text(f"• {n}", style="yellow"))
