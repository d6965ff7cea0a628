"""The report as an Excel workbook (``--format xlsx``) and the lists as one (``--lists FILE.xlsx``).

Only assembly: the figures are the model's (:class:`~sqops.report.build.Report`), the lists
those of :func:`sqops.report.export.list_tables` (the CSVs' rows), the words those of the
Markdown (``report/render.py``); :mod:`sqops.render.xlsx` writes the cells.

Sheets, in order: triage; the fleet's KPIs; one KPI sheet of every group (a group column to
filter on, not a sheet per group: one filter shows one group, or every group's ``bad`` KPIs);
advice; ``--by`` roll-ups; member action counts; service and staff; data quality and
coverage; then the lists; then plan against practice (``--sop``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqops.domain.kpis import KPI
from sqops.domain.stages import STAGE
from sqops.domain.status import STATUS_LABELS
from sqops.i18n import T
from sqops.render.xlsx import Cell, Column, Sheet, workbook_bytes

if TYPE_CHECKING:
    from sqops.report.build import Kpi, Report
    from sqops.report.export import ListTable

#: the sheets' names (Excel's limit: 31 characters)
SHEETS: dict[str, T] = {
    "triage": T("分诊", "Triage"),
    "fleet": T("全部群", "Fleet"),
    "group_kpis": T("各群指标", "Group KPIs"),
    "advice": T("建议", "Advice"),
    "rollup": T("按{a}汇总", "By {a}"),
    "actions_summary": T("成员动作汇总", "Action counts"),
    "service": T("客服响应", "Service"),
    "staff": T("客服人员", "Staff answers"),
    "dq": T("数据质量", "Data quality"),
    "coverage": T("数据覆盖", "Data coverage"),
}
#: the sheet of each list (its CSV's stem in English)
LIST_SHEETS: dict[str, T] = {
    "recall": T("召回名单", "recall"),
    "koc": T("KOC名单", "koc"),
    "rfm": T("RFM分群", "rfm"),
    "pyramid": T("成员金字塔", "pyramid"),
    "activity_heatmap": T("活跃时段", "activity_heatmap"),
    "bottom_posts": T("低打开内容", "bottom_posts"),
    "channels": T("渠道", "channels"),
    "unanswered": T("未回复提问", "unanswered"),
    "actions": T("成员动作", "actions"),
}
#: list columns that are rates (0..1, shown as %) or money (2 decimals); the rest by value
PERCENT_COLUMNS = frozenset({"open_rate", "retained_7d", "spoke_30d", "bought_30d"})
MONEY_COLUMNS = frozenset({"monetary"})
#: words of these sheets that the Markdown has no table header for
X: dict[str, T] = {
    "kpi_id": T("指标ID", "kpi_id"),
    "stage_status": T("阶段状态", "stage status"),
    "advice": T("建议", "advice"),
    "members_today": T("当前成员", "members now"),
    "day": T("建群第几天", "lifecycle day"),
}


def created(report: Report) -> dt.datetime:
    """The workbook's date: the report's as-of day (never the clock: the same bytes)."""
    return dt.datetime.combine(report.as_of, dt.time())


def _ids(lang: str) -> list[Column]:
    from sqops.report.export import headers

    return [Column(h) for h in headers(["group_id", "group_name"], lang)]


def _kpi_cells(k: Kpi, lang: str) -> list[object]:
    from sqops.report.render import kpi_status

    rate = KPI[k.name].is_rate
    unit = "percent" if rate else "money"
    part = "int" if rate else "money"
    return [
        KPI[k.name].label.get(lang),
        k.name,
        Cell(k.value, unit),
        Cell(k.numerator, part),
        Cell(k.denominator, part if rate else "int"),
        Cell(k.target, unit),
        Cell(k.floor, unit),
        kpi_status(k, lang),
    ]


def _kpi_columns(lang: str) -> list[Column]:
    from sqops.report.render import w

    return [
        Column(w("kpi", lang)),
        Column(X["kpi_id"].get(lang)),
        *(Column(w(c, lang), "number") for c in ("value", "num", "den", "target", "floor")),
        Column(w("status", lang)),
    ]


def report_sheets(report: Report) -> list[Sheet]:
    """The report's own sheets (without the lists)."""
    from sqops.report.render import quality_header, quality_lines, tw, w

    lang = report.lang
    names = {g.group_id: g.name for g in report.groups}
    out: list[Sheet] = []
    # triage: every group (the Markdown's first rows and its summary line, all of them here)
    cols = [Column(tw("rank", lang), "int"), *_ids(lang)]
    cols += [Column(tw(c, lang)) for c in ("current", "health")]
    cols += [Column(tw("bad", lang), "int"), Column(tw("warn", lang), "int")]
    cols += [Column(tw("shortfall", lang), "percent")]
    cols += [Column(tw(c, lang)) for c in ("worst", "action")]
    from sqops.report.render import health_label

    rows: list[list[object]] = []
    for e in report.triage:
        action = e.next_action
        rows.append(
            [
                e.rank,
                e.group_id,
                e.group_name,
                STAGE[e.current_stage].label.get(lang) if e.current_stage else w("none", lang),
                health_label(e.health, lang),
                e.bad,
                e.warn,
                e.shortfall if e.worst_kpi else None,
                KPI[e.worst_kpi].label.get(lang) if e.worst_kpi else None,
                action.get(lang) if action else None,
            ]
        )
    out.append(Sheet(SHEETS["triage"].get(lang), cols, rows))
    # the fleet's KPIs, then every group's started stages in one sheet
    out.append(
        Sheet(
            SHEETS["fleet"].get(lang),
            [Column(w("stage", lang)), *_kpi_columns(lang)],
            [[STAGE[k.stage].label.get(lang), *_kpi_cells(k, lang)] for k in report.fleet_shown],
        )
    )
    cols = [*_ids(lang), Column(X["day"].get(lang), "int"), Column(w("stage", lang))]
    cols += [Column(X["stage_status"].get(lang)), *_kpi_columns(lang)]
    rows = []
    for g in report.groups:
        for s in g.stages:
            if s.status == "not_started":
                continue
            head = [g.group_id, g.name, g.lifecycle_day, STAGE[s.stage].label.get(lang)]
            head.append(STATUS_LABELS[s.status].get(lang))
            rows += [[*head, *_kpi_cells(k, lang)] for k in s.kpis]
    out.append(Sheet(SHEETS["group_kpis"].get(lang), cols, rows))
    cols = [*_ids(lang), Column(w("kpi", lang)), Column(w("status", lang))]
    cols.append(Column(X["advice"].get(lang)))
    rows = [
        [
            g.group_id,
            g.name,
            KPI[a.kpi].label.get(lang),
            STATUS_LABELS[a.status].get(lang),
            a.text.get(lang),
        ]
        for g in report.groups
        for a in g.advice
    ]
    out.append(Sheet(SHEETS["advice"].get(lang), cols, rows))
    out += _rollup_sheets(report)
    from sqops.report.actions import summary

    header, counts = summary(report, lang)
    out.append(
        Sheet(
            SHEETS["actions_summary"].get(lang),
            [Column(header[0]), *(Column(h, "int") for h in header[1:])],
            counts,
        )
    )
    out += _service_sheets(report, names)
    q = quality_lines(report, lang)
    kinds = ["text", "text", *["int"] * 6]
    out.append(
        Sheet(
            SHEETS["dq"].get(lang),
            [Column(h, k) for h, k in zip(quality_header(lang), kinds, strict=True)],
            [r for r, _ in q],
        )
    )
    if report.coverage:
        from sqops.report.coverage import LABELS as COV

        cols = [Column(COV["group"].get(lang)), Column(COV["first_day"].get(lang), "date")]
        cols += [Column(COV["last_day"].get(lang), "date"), Column(COV["gaps"].get(lang))]
        rows = [
            [
                g,
                c.first_day,
                c.last_day,
                ", ".join(f"{a}..{b}" for a, b in c.gaps) or COV["no_gaps"].get(lang),
            ]
            for g, c in report.coverage.items()
        ]
        out.append(Sheet(SHEETS["coverage"].get(lang), cols, rows))
    return out


def _rollup_sheets(report: Report) -> list[Sheet]:
    from sqops.report.render import ROLLUP_COLUMNS, rollup_cells, rollup_value, tw

    lang = report.lang
    out = []
    for attr, rollups in report.rollups.items():
        cols = [
            Column(tw(c, lang), "text" if c in ("attr_value", "below") else "int")
            for c in ROLLUP_COLUMNS
        ]
        rows: list[list[object]] = []
        for r in rollups:
            below = rollup_cells(r, lang)[-1]  # (the Markdown's cell: KPI value (status); …)
            rows.append(
                [rollup_value(r.value, lang), r.groups, r.good, r.warn, r.bad, r.unrated]
                + [None if below == "—" else below]
            )
        out.append(Sheet(SHEETS["rollup"].format(a=attr).get(lang), cols, rows))
    return out


def _service_sheets(report: Report, names: dict[str, str | None]) -> list[Sheet]:
    from sqops.report.service import WORDS as SW

    svc = report.service
    lang = report.lang
    if svc is None or not svc.available:
        return []
    keys = ("questions", "answered", "in_time", "rate", "median", "unanswered", "pending")
    kinds = ("int", "int", "int", "percent", "number", "int", "int")
    cols = [Column(SW["who"].get(lang)), *_ids(lang)]
    cols += [Column(SW[k].get(lang), kind) for k, kind in zip(keys, kinds, strict=True)]

    def row(scope: str, gid: str | None, c: Any) -> list[object]:
        return [
            scope,
            gid,
            names.get(gid) if gid else None,
            c.questions,
            c.answered,
            c.answered_in_time,
            c.answered_in_time_rate,
            c.median_response_minutes,
            c.unanswered,
            c.pending,
        ]

    rows = [row(SW["fleet"].get(lang), None, svc.fleet)] if svc.fleet else []
    rows += [row(T("群", "group").get(lang), g, c) for g, c in svc.groups.items()]
    out = [Sheet(SHEETS["service"].get(lang), cols, rows)]
    if svc.staff:
        cols = [Column(SW[k].get(lang)) for k in ("staff", "name")]
        cols += [Column(SW["staff_answered"].get(lang), "int")]
        cols += [Column(SW["median"].get(lang), "number")]
        rows = [[s.member_id, s.name, s.answered, s.median_response_minutes] for s in svc.staff]
        out.append(Sheet(SHEETS["staff"].get(lang), cols, rows))
    return out


def list_sheets(tables: Sequence[ListTable], lang: str) -> list[Sheet]:
    """One sheet per list, its header the CSV's (Chinese in a zh report)."""
    from sqops.report.export import headers

    out = []
    for t in tables:
        kinds = [
            "percent" if c in PERCENT_COLUMNS else "money" if c in MONEY_COLUMNS else "text"
            for c in t.columns
        ]
        cols = [Column(h, k) for h, k in zip(headers(t.columns, lang), kinds, strict=True)]
        out.append(Sheet(LIST_SHEETS[t.stem].get(lang), cols, t.rows))
    return out


def lists_xlsx(report: Report) -> bytes:
    """``--lists FILE.xlsx``: the lists of ``--lists DIR``, a sheet each."""
    from sqops.report.export import list_tables

    return workbook_bytes(list_sheets(list_tables(report), report.lang), created(report))


def to_xlsx(report: Report, sections: Sequence[Sheet] = ()) -> bytes:
    """``--format xlsx``: the report's sheets, the lists, then ``sections`` (e.g. plan against
    practice: :func:`sqops.adherence.xlsx.adherence_sheets`)."""
    from sqops.report.export import list_tables

    sheets = [*report_sheets(report), *list_sheets(list_tables(report), report.lang), *sections]
    return workbook_bytes(sheets, created(report))
