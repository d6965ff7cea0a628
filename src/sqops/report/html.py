"""A single-file HTML report: offline (no CDN, no script), Chinese-ready, every user text escaped.

Rendered from ``sqops/render/templates/report.html.j2`` (the shared layout and stylesheet,
autoescape on), so group names, nicknames and post titles can never become markup; the
charts are matplotlib SVGs (their text escaped by matplotlib) inlined as they are. What the
page shows beyond the KPIs (lists, cohorts, chart series) comes from ``report.views``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqops.domain.kpis import KPI
from sqops.domain.stages import STAGE
from sqops.domain.status import STATUS_LABELS
from sqops.i18n import T
from sqops.render.words import WORDS
from sqops.report.advice import BASIS_NOTE
from sqops.report.build import GroupReport, Kpi, Report
from sqops.report.channels import LABELS as CH
from sqops.report.coverage import LABELS as COV
from sqops.report.coverage import gap_text
from sqops.report.lists import SEGMENT_LABELS
from sqops.report.render import (
    ROLLUP_COLUMNS,
    TRIAGE_COLUMNS,
    channel_cells,
    channel_header,
    fleet_heading,
    fmt_num,
    fmt_target,
    fmt_value,
    history_cells,
    history_header,
    quality_header,
    quality_lines,
    rollup_cells,
    rollup_value,
    scope_title,
    triage_cells,
    tw,
    w,
    window_notes,
)

if TYPE_CHECKING:
    from sqops.render.html import Section

H: dict[str, T] = {
    "charts_daily": T("每日发言人数与成员数", "Daily speakers vs members"),
    "charts_kpis": T(
        "各阶段指标与目标（竖线为目标）", "Each stage's KPIs against target (tick = target)"
    ),
    "heatmap": T(
        "活跃时段：星期 × 小时（全部群）", "When members talk: weekday × hour (all groups)"
    ),
    "pyramid": T("成员金字塔（截至日，全部群）", "Member pyramid (on the as-of day, all groups)"),
    "cohort": T(
        "按入群周的留存（第 k 周仍在群的比例）",
        "Weekly join cohorts: share still in the group k weeks later",
    ),
    "cohort_week": T("入群周", "join week"),
    "size": T("人数", "size"),
    "recall": T("召回名单（沉默 ≥ 30 天）", "Recall list (silent ≥ 30 days)"),
    "koc": T("KOC 名单", "KOCs"),
    "rfm": T("RFM 客户分群", "RFM segments of buyers"),
    "bottom": T("每周打开率最低的 20% 内容", "Weakest 20% of posts each week (open rate)"),
    "member": T("成员", "member"),
    "name": T("昵称", "name"),
    "last": T("最后发言", "last spoke"),
    "days": T("沉默天数", "days silent"),
    "never": T("从未发言", "never"),
    "active_days": T("活跃天数", "active days"),
    "messages": T("消息数", "messages"),
    "referrals": T("邀请入群", "referrals"),
    "segment": T("分群", "segment"),
    "count": T("人数", "buyers"),
    "more": T(
        "另有 {n} 行，完整名单请用 --lists 导出 CSV",
        "{n} more rows: export the full list with --lists",
    ),
    "post": T("内容", "post"),
    "week": T("周", "week"),
    "opens": T("打开", "opens"),
    "rate": T("打开率", "open rate"),
    "none": WORDS["none"],
    "fleet_note": T("合计 = 各群分子之和 / 分母之和", "pooled = Σ numerators / Σ denominators"),
    "no_charts": T(
        "群太多，这里只画前 12 个群的图；用 --group 单独查看本群。",
        "Charts are drawn for the first 12 groups only; use --group to see this one.",
    ),
}
CHART_LABELS: dict[str, T] = {
    "members": T("成员数", "members"),
    "speakers": T("发言人数", "speakers"),
    "no_data": T("暂无可显示的指标", "no KPI to show yet"),
    "kpi_axis": T("数值（%）", "value (%)"),
    "hour": T("小时", "hour"),
    "messages": T("消息数", "messages"),
    "pyr_koc": T("KOC", "KOC"),
    "pyr_active": T("30 天内活跃", "active in 30 days"),
    "pyr_silent": T("沉默", "silent"),
}


def to_html(report: Report, sections: Sequence[Section] = ()) -> str:
    """The report as one offline HTML page (``templates/report.html.j2``); ``sections``
    (e.g. ``sqops.adherence.render.html_section(adh, lang)``) are parts of the page, after
    the data quality, rendered in the same pass."""
    from sqops.render.html import render, safe
    from sqops.report.charts import render_all
    from sqops.report.summary import summary_view

    lang = report.lang
    labels = {k: v.get(lang) for k, v in CHART_LABELS.items()}
    labels.update({f"stage_{k}": v.label.get(lang) for k, v in STAGE.items()})
    labels.update({f"kpi_{k}": v.label.get(lang) for k, v in KPI.items()})
    svg = render_all(report, labels)
    charts = {
        "fleet_daily": safe(svg.get("fleet_daily", "")),
        "daily": {k: safe(v) for k, v in svg["daily"].items()},
        "kpis": {k: safe(v) for k, v in svg["kpis"].items()},
        "heatmap": safe(svg["heatmap"]),
        "pyramid": safe(svg["pyramid"]),
    }
    q = quality_lines(report, lang)
    keys = ("fleet", "group", "stage", "status", "window", "health", "kpis", "advice")

    def group_line(g: GroupReport) -> str:
        cur = STAGE[g.current_stage].label.get(lang) if g.current_stage else w("none", lang)
        return (
            f"{w('day', lang, n=g.lifecycle_day)} · {w('current', lang)}: {cur} · "
            f"{w('members_today', lang)}: {g.members_today}"
        )

    return render(
        "report.html.j2",
        sections=list(sections),
        lang=lang,
        report=report,
        v=report.views,
        title=w("title", lang) + (f" — {report.community}" if report.community else ""),
        as_of_line=f"{w('as_of', lang)} {report.as_of.isoformat()} · {w('tz', lang)} "
        f"{report.tz} · {w('groups_n', lang, n=len(report.groups))}",
        basis=BASIS_NOTE[report.basis].get(lang),
        t={k: w(k, lang) for k in (*keys, "no_advice", "dq")},
        h={k: v.get(lang) for k, v in H.items()},
        fleet=report.fleet_shown,
        charts=charts,
        kpi_head=[w(k, lang) for k in ("kpi", "value", "num", "den", "target", "floor", "status")]
        + history_header(report, lang),
        hist=lambda k: history_html(k, report),
        group_line=group_line,
        status_label=lambda s: STATUS_LABELS[s].get(lang),
        kpi_label=lambda n: KPI[n].label.get(lang),
        stage_label=lambda s: STAGE[s].label.get(lang),
        segment_label=lambda s: SEGMENT_LABELS[s].get(lang),
        more=lambda n: H["more"].format(n=n).get(lang),
        fv=fmt_value,
        fn=fmt_num,
        ft=fmt_target,
        dq_head=quality_header(lang),
        dq_rows=[file_name_only(r) for r, _ in q],
        dq_notes=[n for _, ns in q for n in ns],
        **_triage_context(report),
        gap_text=lambda gaps: gap_text(gaps, lang),
        **_channels_and_coverage(report),
        service=_service_html(report, lang),
        actions=_actions(report, lang),
        summary=summary_view(report),
        window_notes=window_notes(lang),
        tones=HISTORY_CLASS,
    )


def file_name_only(row: list[object]) -> list[object]:
    """A data-quality row with its file as the file's name alone: the page is shared, the
    folder it was read from on the operator's computer is not (Markdown and JSON keep it)."""
    from pathlib import PurePosixPath

    return [row[0], PurePosixPath(str(row[1])).name, *row[2:]]


def _triage_context(report: Report) -> dict[str, object]:
    """What the page's triage (every group) and ``--by`` roll-up tables show."""
    lang = report.lang
    return {
        "triage_title": tw("triage", lang),
        "triage_note": tw("triage_note", lang),
        "triage_head": [tw(c, lang) for c in TRIAGE_COLUMNS],
        "triage_rows": [(e.health, triage_cells(e, lang)) for e in report.triage],
        "scope_title": scope_title(report, lang),
        "fleet_title": fleet_heading(report, lang),
        "rollup_head": [tw(c, lang) for c in ROLLUP_COLUMNS],
        "rollups": [
            (
                tw("rollup", lang, a=attr),
                [
                    (
                        rollup_cells(r, lang),
                        tw("pooled", lang, a=attr, v=rollup_value(r.value, lang)),
                        r.kpis_shown,
                    )
                    for r in rows
                ],
            )
            for attr, rows in report.rollups.items()
        ],
    }


def _channels_and_coverage(report: Report) -> dict[str, object]:
    """The channels section and the coverage table, as text cells (``report.html.j2``)."""
    lang = report.lang
    ch = report.channels
    return {
        "ch_t": {k: v.get(lang) for k, v in CH.items()},
        "ch": ch,
        "ch_head": channel_header(lang),
        "ch_fleet": [channel_cells(r, lang) for r in ch.fleet] if ch else [],
        "ch_groups": [
            [g, *channel_cells(r, lang)] for g, rs in (ch.groups.items() if ch else ()) for r in rs
        ],
        "cov_title": COV["title"].get(lang),
        "cov_head": [COV[k].get(lang) for k in ("group", "first_day", "last_day", "gaps")],
        "cov_rows": [
            [
                g,
                c.first_day.isoformat(),
                c.last_day.isoformat(),
                ", ".join(f"{a}..{b}" for a, b in c.gaps) or COV["no_gaps"].get(lang),
            ]
            for g, c in report.coverage.items()
        ],
    }


def _service_html(report: Report, lang: str) -> dict[str, object] | None:
    """The service section's title, lead, tables and notes (``report/service.py``)."""
    from sqops.report.service import WORDS as SW
    from sqops.report.service import service_lines, service_table, staff_table

    svc = report.service
    if svc is None:
        return None
    lead, notes = service_lines(svc, lang)
    names = report.settings.group_names if report.settings else {}
    return {
        "title": SW["title"].get(lang),
        "available": svc.available,
        "lead": lead,
        "table": service_table(svc, lang, names) if svc.available else None,
        "staff": staff_table(svc, lang) if svc.staff else None,
        "no_staff": SW["no_staff_answers"].get(lang),
        "notes": notes,
    }


#: the --compare cell's colour by tone (the status colours of sqops.css)
HISTORY_CLASS = {"good": "st-good", "bad": "st-bad", "neutral": "st-no_data"}


def history_html(k: Kpi, report: Report) -> list[tuple[object, str]]:
    """A KPI's --compare and --trend cells as (content, CSS class): the arrow and delta
    coloured by whether the change is an improvement (the stylesheet's status colours: good,
    bad, muted), the trend as a small inline SVG."""
    from sqops.render.html import safe
    from sqops.report.trend import svg_line

    out: list[tuple[object, str]] = []
    texts = history_cells(k, report)
    if report.compared_with is not None:
        tone = k.previous.tone(k.name) if k.previous else "neutral"
        out.append((texts[0], f"n {HISTORY_CLASS[tone]}"))
    if report.trend is not None:
        out.append((safe(svg_line(k.trend)) if k.trend else "", "spark-cell"))
    return out


def _actions(report: Report, lang: str) -> dict[str, object]:
    """The member actions per group (``report/actions.py``) for the template."""
    from sqops.report.actions import NOTE, TITLE, summary

    header, rows = summary(report, lang)
    return {"title": TITLE.get(lang), "note": NOTE.get(lang), "head": header, "rows": rows}
