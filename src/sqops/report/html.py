"""A single-file HTML report: offline (no CDN, no script), Chinese-ready, every user text escaped.

Rendered with a Jinja2 environment whose autoescape is on, so group names, nicknames and post
titles can never become markup; the charts are matplotlib SVGs (their text escaped by
matplotlib) inlined as they are.
"""

from __future__ import annotations

from typing import Any

import jinja2
from markupsafe import Markup

from sqops.domain.kpis import KPI
from sqops.domain.stages import STAGE
from sqops.domain.status import STATUS_LABELS
from sqops.i18n import T
from sqops.report.advice import BASIS_NOTE
from sqops.report.build import Report
from sqops.report.lists import SEGMENT_LABELS, build_lists, cohort_retention
from sqops.report.render import (
    fmt_num,
    fmt_target,
    fmt_value,
    quality_header,
    quality_lines,
    w,
)

LIST_ROWS = 30

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
    "none": T("无", "none"),
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

CSS = """
:root{--good:#2e7d32;--warn:#f9a825;--bad:#c62828;--muted:#78909c}
*{box-sizing:border-box}
body{font-family:"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC",
"WenQuanYi Zen Hei",system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#212121;background:#fafafa;line-height:1.5}
main{max-width:1080px;margin:0 auto;padding:24px}
h1{font-size:1.6rem;margin:.2em 0}h2{border-bottom:2px solid #e0e0e0;padding-bottom:.2em;margin-top:2em}
h3{margin-top:1.4em}
.meta{color:var(--muted)}.note{background:#fff8e1;border-left:4px solid var(--warn);padding:.5em .8em}
table{border-collapse:collapse;width:100%;margin:.6em 0;background:#fff;font-size:.92rem}
th,td{border:1px solid #e0e0e0;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f5f5f5}td.n{text-align:right;font-variant-numeric:tabular-nums}
.st{display:inline-block;padding:0 .5em;border-radius:3px;font-size:.85rem;white-space:nowrap}
.st-good,.st-complete{background:#e8f5e9;color:var(--good)}.st-warn{background:#fff8e1;color:#8d6e00}
.st-bad{background:#ffebee;color:var(--bad)}.st-in_progress{background:#e3f2fd;color:#1565c0}
.st-unavailable,.st-no_data,.st-not_started,.st-no_target{background:#eceff1;color:var(--muted)}
.chart{width:100%;height:auto;max-width:100%}
figure{margin:.8em 0;background:#fff;border:1px solid #e0e0e0;padding:8px}figcaption{font-weight:600;margin-bottom:4px}
.advice li{margin:.3em 0}.grid{display:grid;grid-template-columns:1fr 1fr;gap:12px}
@media (max-width:800px){.grid{grid-template-columns:1fr}}
"""

TEMPLATE = """<!DOCTYPE html>
<html lang="{{ 'zh-CN' if lang == 'zh' else 'en' }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>{{ title }}</title>
<style>{{ css }}</style>
</head>
<body><main>
<h1>{{ title }}</h1>
<p class="meta">{{ as_of_line }}</p>
<p class="note">{{ basis }}</p>

{% macro status(s) %}<span class="st st-{{ s }}">{{ status_label(s) }}</span>{% endmacro %}
{% macro kpi_table(kpis) %}
<table><thead><tr>{% for h in kpi_head %}<th>{{ h }}</th>{% endfor %}</tr></thead><tbody>
{% for k in kpis %}<tr><td>{{ kpi_label(k.name) }} <code>{{ k.name }}</code></td><td class="n">{{ fv(k) }}</td>
<td class="n">{{ fn(k.numerator) }}</td><td class="n">{{ fn(k.denominator) }}</td>
<td class="n">{{ ft(k.name, k.target) }}</td><td class="n">{{ ft(k.name, k.floor) }}</td>
<td>{{ status(k.status) }}{% if k.needs %} <small>{{ k.needs | join('; ') }}</small>{% endif %}</td></tr>
{% endfor %}</tbody></table>
{% endmacro %}

<h2>{{ t.fleet }}</h2>
<p class="meta">{{ h.fleet_note }}</p>
{{ kpi_table(fleet) }}
{% if charts.fleet_daily %}<figure><figcaption>{{ h.charts_daily }} · {{ t.fleet }}</figcaption>{{ charts.fleet_daily }}</figure>{% endif %}

{% for g in groups %}
<h2>{{ t.group }} {{ g.group_id }}{% if g.name %} · {{ g.name }}{% endif %}</h2>
<p class="meta">{{ g.line }}</p>
<table><thead><tr><th>{{ t.stage }}</th><th>{{ t.status }}</th><th>{{ t.window }}</th><th>{{ t.health }}</th></tr></thead><tbody>
{% for s in g.stages %}<tr><td>{{ stage_label(s.stage) }}{% if s.stage == g.current_stage %} ◀{% endif %}</td>
<td>{{ status(s.status) }}</td><td>{{ s.window[0] or '—' }} → {{ s.window[1] or '…' }}</td>
<td>{% if s.health %}{{ status(s.health) }}{% else %}—{% endif %}</td></tr>{% endfor %}
</tbody></table>
{% for s in g.stages if s.status != 'not_started' %}
<h3>{{ stage_label(s.stage) }} · {{ t.kpis }}</h3>
{{ kpi_table(s.kpis) }}
{% endfor %}
<h3>{{ t.advice }}</h3>
{% if g.advice %}<ul class="advice">{% for a in g.advice %}<li>{{ status(a.status) }} <b>{{ kpi_label(a.kpi) }}</b>：{{ a.text }}</li>{% endfor %}</ul>
{% else %}<p>{{ t.no_advice }}</p>{% endif %}
{% if g.group_id in charts.daily %}
<figure><figcaption>{{ h.charts_daily }}</figcaption>{{ charts.daily[g.group_id] }}</figure>
<figure><figcaption>{{ h.charts_kpis }}</figcaption>{{ charts.kpis[g.group_id] }}</figure>
{% else %}<p class="meta">{{ h.no_charts }}</p>{% endif %}
{% endfor %}

<h2>{{ h.heatmap }}</h2>
<figure>{{ charts.heatmap }}</figure>
<div class="grid">
<figure><figcaption>{{ h.pyramid }}</figcaption>{{ charts.pyramid }}</figure>
<div>
<h3>{{ h.rfm }}</h3>
{% if rfm %}<table><thead><tr><th>{{ h.segment }}</th><th>{{ h.count }}</th></tr></thead><tbody>
{% for label, n in rfm %}<tr><td>{{ label }}</td><td class="n">{{ n }}</td></tr>{% endfor %}</tbody></table>
{% else %}<p>{{ h.none }}</p>{% endif %}
</div></div>

<h2>{{ h.cohort }}</h2>
{% if cohort %}<table><thead><tr><th>{{ h.cohort_week }}</th><th>{{ h.size }}</th>{% for k in cohort_weeks %}<th>{{ k }}</th>{% endfor %}</tr></thead><tbody>
{% for row in cohort %}<tr><td>{{ row[0] }}</td><td class="n">{{ row[1] }}</td>{% for c in row[2:] %}<td class="n">{{ c }}</td>{% endfor %}</tr>{% endfor %}
</tbody></table>{% else %}<p>{{ h.none }}</p>{% endif %}

<h2>{{ h.recall }}</h2>
{% if recall %}<table><thead><tr><th>{{ t.group }}</th><th>{{ h.member }}</th><th>{{ h.name }}</th><th>{{ h.last }}</th><th>{{ h.days }}</th></tr></thead><tbody>
{% for r in recall %}<tr><td>{{ r[0] }}</td><td>{{ r[1] }}</td><td>{{ r[2] or '' }}</td><td>{{ r[3] or h.never }}</td><td class="n">{{ r[4] if r[4] is not none else '—' }}</td></tr>{% endfor %}
</tbody></table>{% if recall_more %}<p class="meta">{{ recall_more }}</p>{% endif %}{% else %}<p>{{ h.none }}</p>{% endif %}

<h2>{{ h.koc }}</h2>
{% if koc %}<table><thead><tr><th>{{ t.group }}</th><th>{{ h.member }}</th><th>{{ h.name }}</th><th>{{ h.active_days }}</th><th>{{ h.messages }}</th><th>{{ h.referrals }}</th></tr></thead><tbody>
{% for r in koc %}<tr><td>{{ r[0] }}</td><td>{{ r[1] }}</td><td>{{ r[2] or '' }}</td><td class="n">{{ r[3] }}</td><td class="n">{{ r[4] }}</td><td class="n">{{ r[5] }}</td></tr>{% endfor %}
</tbody></table>{% else %}<p>{{ h.none }}</p>{% endif %}

{% if bottom %}<h2>{{ h.bottom }}</h2>
<table><thead><tr><th>{{ t.group }}</th><th>{{ h.week }}</th><th>{{ h.post }}</th><th>{{ h.opens }}</th><th>{{ h.rate }}</th></tr></thead><tbody>
{% for r in bottom %}<tr><td>{{ r[0] }}</td><td>{{ r[1] }}</td><td>{{ r[2] }}</td><td class="n">{{ r[3] }}</td><td class="n">{{ r[4] }}</td></tr>{% endfor %}
</tbody></table>{% endif %}

<h2>{{ t.dq }}</h2>
<table><thead><tr>{% for x in dq_head %}<th>{{ x }}</th>{% endfor %}</tr></thead><tbody>
{% for row in dq_rows %}<tr>{% for c in row %}<td{% if loop.index > 2 %} class="n"{% endif %}>{{ c }}</td>{% endfor %}</tr>{% endfor %}
</tbody></table>
<ul>{% for n in dq_notes %}<li>{{ n }}</li>{% endfor %}</ul>
</main></body></html>
"""


def _env() -> jinja2.Environment:
    return jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True
    )


def to_html(report: Report) -> str:
    from sqops.report.charts import render_all

    lang = report.lang
    p = report.prepared
    assert p is not None
    labels = {k: v.get(lang) for k, v in CHART_LABELS.items()}
    labels.update({f"stage_{k}": v.label.get(lang) for k, v in STAGE.items()})
    labels.update({f"kpi_{k}": v.label.get(lang) for k, v in KPI.items()})
    charts = render_all(report, labels)
    charts = {
        "fleet_daily": Markup(charts.get("fleet_daily", "")),
        "daily": {k: Markup(v) for k, v in charts["daily"].items()},
        "kpis": {k: Markup(v) for k, v in charts["kpis"].items()},
        "heatmap": Markup(charts["heatmap"]),
        "pyramid": Markup(charts["pyramid"]),
    }
    lists = build_lists(p)
    hh = {k: v.get(lang) for k, v in H.items()}
    tt = {
        k: w(k, lang)
        for k in (
            "fleet",
            "group",
            "stage",
            "status",
            "window",
            "health",
            "kpis",
            "advice",
            "no_advice",
            "dq",
        )
    }

    recall_rows = lists.recall.rows()
    koc_rows = lists.koc.rows()
    rfm_counts: list[tuple[str, int]] = []
    if lists.rfm.height:
        counts = dict(lists.rfm.group_by("segment").len().iter_rows())
        rfm_counts = [
            (SEGMENT_LABELS[s].get(lang), int(counts[s])) for s in SEGMENT_LABELS if s in counts
        ]
    cohort = cohort_retention(p)
    cohort_rows: list[list[Any]] = []
    weeks: list[str] = []
    if cohort.height:
        weeks = [c[1:] for c in cohort.columns[2:]]
        for row in cohort.iter_rows():
            cohort_rows.append(
                [row[0], row[1], *[("—" if v is None else f"{v * 100:.0f}%") for v in row[2:]]]
            )
    bottom = []
    if lists.bottom_posts.height:
        bp = lists.bottom_posts
        for r in bp.iter_rows(named=True):
            bottom.append(
                [
                    r["group_id"],
                    r["week"],
                    r.get("title") or r["post_id"],
                    r["opens"],
                    f"{r['open_rate'] * 100:.1f}%",
                ]
            )
    q = quality_lines(report, lang)
    groups = []
    for g in report.groups:
        cur = STAGE[g.current_stage].label.get(lang) if g.current_stage else w("none", lang)
        groups.append(
            {
                "group_id": g.group_id,
                "name": g.name,
                "current_stage": g.current_stage,
                "stages": g.stages,
                "advice": [
                    {"kpi": a.kpi, "status": a.status, "text": a.text.get(lang)} for a in g.advice
                ],
                "line": f"{w('day', lang, d=g.day_index)} · {w('current', lang)}: {cur} · {w('members_today', lang)}: {g.members_today}",
            }
        )
    title = w("title", lang) + (f" — {report.community}" if report.community else "")
    more = len(recall_rows) - LIST_ROWS
    return (
        _env()
        .from_string(TEMPLATE)
        .render(
            lang=lang,
            title=title,
            css=Markup(CSS),
            t=tt,
            h=hh,
            as_of_line=f"{w('as_of', lang)} {report.as_of.isoformat()} · {w('tz', lang)} {report.tz} · {w('groups_n', lang, n=len(report.groups))}",
            basis=BASIS_NOTE[report.basis].get(lang),
            fleet=[k for k in report.fleet if k.status != "not_started"],
            groups=groups,
            charts=charts,
            kpi_head=[
                w(k, lang) for k in ("kpi", "value", "num", "den", "target", "floor", "status")
            ],
            status_label=lambda s: STATUS_LABELS[s].get(lang),
            kpi_label=lambda n: KPI[n].label.get(lang),
            stage_label=lambda s: STAGE[s].label.get(lang),
            fv=fmt_value,
            fn=fmt_num,
            ft=fmt_target,
            rfm=rfm_counts,
            cohort=cohort_rows,
            cohort_weeks=weeks,
            recall=recall_rows[:LIST_ROWS],
            recall_more=H["more"].format(n=more).get(lang) if more > 0 else "",
            koc=koc_rows[:LIST_ROWS],
            bottom=bottom[:LIST_ROWS],
            dq_head=quality_header(lang),
            dq_rows=[r for r, _ in q],
            dq_notes=[n for _, ns in q for n in ns],
        )
    )
