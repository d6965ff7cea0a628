"""The adherence check in every output format: terminal (rich), Markdown, JSON, HTML.

``render_md`` and ``render_html_section`` produce a section that ``sqops report --sop`` can
embed (``level`` sets the heading depth); ``render_html`` wraps the section in a page.
All user text (titles, group names, post titles) is escaped in Markdown tables and HTML.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sqops.adherence._model import STATUS_NAMES, Adherence, GroupAdherence, Scope
from sqops.adherence.views import Cell
from sqops.domain.stages import lifecycle_day
from sqops.i18n import WEEKDAYS, T
from sqops.render import markdown as md
from sqops.render.output import json_text
from sqops.render.words import WORDS

if TYPE_CHECKING:
    from sqops.render.html import Section

_W: dict[str, T] = {
    "title": T("计划执行检查", "Plan against practice"),
    "as_of": T("截至", "as of"),
    "since": T("起始", "since"),
    "tz": WORDS["timezone"],
    "tolerance": T("准时容差 ±{m} 分钟", "on-time tolerance ±{m} min"),
    "basis_posts": T("推送来源：posts 表", "posts from: the posts table"),
    "basis_messages": T("推送来源：员工消息", "posts from: staff messages"),
    "fleet": T("全部群", "Fleet"),
    "group": T("群", "group"),
    "days": T("天数", "days"),
    "planned": T("计划", "planned"),
    "posts": T("推送", "posts"),
    "on_time_rate": T("准时执行率", "on-time rate"),
    "done_rate": T("完成率", "done rate"),
    "summary": T("执行率", "Execution"),
    "items": T("各排期条目的效果", "Cadence items: execution and effect"),
    "item": T("条目", "item"),
    "time": WORDS["time"],
    "replies": T("2 小时内回复（中位数）", "replies in 2 h (median)"),
    "opens": T("48 小时内打开（中位数）", "opens in 48 h (median)"),
    "silent": T("推送后 2 小时无人回复", "no reply in 2 h"),
    "bottom": T("末位 20%", "bottom 20%"),
    "bottom_mark": T("建议优化或替换", "review or replace"),
    "discipline": T("执行纪律", "Discipline"),
    "quiet": T(
        "免打扰时段 {q} 内推送 {n} 条（其中转化内容 {c} 条）",
        "{n} push(es) inside the quiet hours {q} ({c} of them conversion)",
    ),
    "no_quiet": T("SOP 没有设置免打扰时段", "the SOP sets no quiet hours"),
    "over": T(
        "推送超过每日上限 {m} 条的天数：{n}（共 {d} 个群日）",
        "days over the limit of {m} posts a day: {n} (of {d} group-days)",
    ),
    "mix": T("内容配比", "Content mix"),
    "kind": WORDS["kind"],
    "target": WORDS["target"],
    "planned_share": T("计划占比", "planned share"),
    "actual_share": T("实际占比", "actual share"),
    "deviation": T("偏差（百分点）", "deviation (points)"),
    "off": T("偏离超过 10 个百分点", "more than 10 points off"),
    "other_kinds": T("其他类型的推送", "posts of other kinds"),
    "clock": T("社群生物钟", "Community clock"),
    "hour": T("时段", "hour"),
    "member_share": T("成员发言占比", "member messages"),
    "staff_share": T("员工推送占比", "staff posts"),
    "top_hours": T("成员最活跃的时段（免打扰时段除外）：{h}", "hours members are most present (outside quiet hours): {h}"),
    "no_top": T("没有成员发言，无法判断活跃时段", "no member messages: active hours unknown"),
    "suggest": T(
        "“{t}”（{time}）所在时段只有 {s} 的成员发言，2 小时内回复中位数 {r}：建议挪到 {to}",
        "'{t}' ({time}): only {s} of member messages fall in its hour and its median replies "
        "in 2 h are {r}; consider moving it to {to}",
    ),
    "no_suggest": T("没有需要挪动时段的条目", "no item needs a new slot"),
    "calendar": T("计划与执行日历", "Planned vs done calendar"),
    "day": T("日期", "day"),
    "unplanned_posts": STATUS_NAMES["unplanned"],
    "legend": T(
        "✓ 准时　+分钟 迟发　−分钟 早发　✗ 漏发　空白 当天无此安排",
        "✓ on time   +min late   −min early   ✗ missed   blank: not planned that day",
    ),
    "legend_internal": T(
        "○ 内部事项（不推送到群），聊天数据无法核对",
        "○ internal item (not pushed to the group): not checkable from chat data",
    ),
    "notes": T("说明", "Notes"),
    "window": T("{a} 至 {b}", "{a} to {b}"),
    "none": WORDS["none"],
    "more_groups": T(
        "上面只列出准时执行率最低的 30 个群；另有 {n} 个群见 md/html/json 输出或用 --group",
        "only the 30 groups with the lowest on-time rate are listed above; {n} more in the "
        "md/html/json output, or use --group",
    ),
}  # fmt: skip
_W |= {
    "people": T("各负责人的执行率", "Execution by person"),
    "person": T("负责人", "person"),
    "groups": T("群数", "groups"),
    "nobody": T("（未指定负责人）", "(nobody responsible)"),
}

#: per-group blocks in the terminal (the worst groups first when there are more)
TERMINAL_GROUPS = 30

_COUNT_KEYS = ("planned", "on_time", "late", "early", "missed", "unplanned", "posts")


def w(key: str, lang: str, **kw: Any) -> str:
    t = _W[key]
    return (t.format(**kw) if kw else t).get(lang)


def _label(key: str, lang: str) -> str:
    return STATUS_NAMES[key].get(lang) if key in STATUS_NAMES else w(key, lang)


def pct(v: float | None, digits: int = 1) -> str:
    return "—" if v is None else f"{v * 100:.{digits}f}%"


def num(v: float | None) -> str:
    if v is None:
        return "—"
    return str(int(v)) if float(v).is_integer() else f"{v:.1f}"


def _hours(hs: list[int]) -> str:
    return ", ".join(f"{h:02d}:00" for h in hs)


def _kind(kind: str, lang: str) -> str:
    from sqops.plan import KIND_NAMES

    if kind in KIND_NAMES:
        return KIND_NAMES[kind].get(lang)
    return T("未知", "unknown").get(lang) if kind == "unknown" else kind


def _count_keys(c: Any) -> tuple[str, ...]:
    """The counts a table shows: ``not_checkable`` only when some item is (chat data)."""
    return (*_COUNT_KEYS[:5], "not_checkable", *_COUNT_KEYS[5:]) if c.not_checkable else _COUNT_KEYS


def _summary_rows(adh: Adherence, lang: str) -> tuple[list[str], list[list[str]]]:
    keys = _count_keys(adh.fleet.counts)
    header = [w("group", lang), w("days", lang)] + [_label(k, lang) for k in keys]
    header += [w("on_time_rate", lang), w("done_rate", lang)]
    rows: list[list[str]] = []

    def row(name: str, days: int, c: Any) -> list[str]:
        return [name, str(days)] + [str(getattr(c, k)) for k in keys] + [
            pct(c.on_time_rate), pct(c.done_rate)
        ]  # fmt: skip

    for g in adh.groups:
        rows.append(row(_gname(g), g.scope.discipline.days, g.counts))
    rows.append(row(w("fleet", lang), adh.fleet.discipline.days, adh.fleet.counts))
    return header, rows


def _people_rows(adh: Adherence, lang: str) -> tuple[list[str], list[list[str]]]:
    """Per person: groups, planned items by outcome and the rates (empty: no planned item)."""
    internal = any(p.not_checkable for p in adh.people)
    keys = ("planned", "on_time", "late", "early", "missed") + (
        ("not_checkable",) if internal else ()
    )
    header = [w("person", lang), w("groups", lang)] + [_label(k, lang) for k in keys]
    header += [w("on_time_rate", lang), w("done_rate", lang)]
    rows = [
        [p.person if p.person is not None else w("nobody", lang), str(p.groups)]
        + [str(getattr(p, k)) for k in keys]
        + [pct(p.on_time_rate), pct(p.done_rate)]
        for p in adh.people
    ]
    return header, rows


def _gname(g: GroupAdherence) -> str:
    return g.group_id if g.name in ("", g.group_id) else f"{g.group_id} {g.name}"


def _item_rows(scope: Scope, lang: str, opens: bool) -> tuple[list[str], list[list[str]]]:
    header = [w("item", lang), w("time", lang), w("planned", lang)]
    internal = scope.counts.not_checkable > 0
    statuses = ("on_time", "late", "early", "missed") + (("not_checkable",) if internal else ())
    header += [_label(k, lang) for k in statuses]
    header += [w("on_time_rate", lang), w("replies", lang), w("silent", lang)]
    if opens:
        header.append(w("opens", lang))
    header.append(w("bottom", lang))
    rows = []
    for i in scope.items:
        r = [f"{i.title} ({i.item_id})", i.time, str(i.planned), str(i.on_time), str(i.late)]
        r += [str(i.early), str(i.missed)] + ([str(i.not_checkable)] if internal else [])
        r += [pct(i.on_time_rate), num(i.median_replies)]
        r.append(pct(i.silent_share, 0))
        if opens:
            r.append(num(i.median_opens))
        r.append("⚠ " + w("bottom_mark", lang) if i.bottom else "")
        rows.append(r)
    return header, rows


def _mix_rows(scope: Scope, lang: str) -> tuple[list[str], list[list[str]]]:
    header = [w(k, lang) for k in ("kind", "target", "planned_share", "actual_share", "posts")]
    header.append(w("deviation", lang))
    rows = []
    for m in scope.discipline.mix:
        dev = "—" if m.deviation is None else f"{m.deviation * 100:+.1f}"
        rows.append(
            [_kind(m.kind, lang), pct(m.target), pct(m.planned_share), pct(m.actual_share),
             str(m.actual_posts), dev + (" ⚠" if m.off else "")]
        )  # fmt: skip
    return header, rows


def _discipline_lines(scope: Scope, lang: str) -> list[str]:
    d = scope.discipline
    out = []
    if d.quiet_hours:
        out.append(w("quiet", lang, q=d.quiet_hours, n=d.quiet_posts, c=d.quiet_conversion))
    else:
        out.append(w("no_quiet", lang))
    out.append(w("over", lang, m=d.max_posts_per_day, n=len(d.over_days), d=d.days))
    if d.other_kinds:
        kinds = ", ".join(f"{_kind(k, lang)} × {n}" for k, n in sorted(d.other_kinds.items()))
        out.append(f"{w('other_kinds', lang)}: {kinds}")
    return out


def _clock_lines(scope: Scope, lang: str) -> list[str]:
    c = scope.clock
    out = [w("top_hours", lang, h=_hours(c.top_hours)) if c.top_hours else w("no_top", lang)]
    for s in c.suggestions:
        out.append(
            w("suggest", lang, t=s.title, time=s.time, s=pct(s.member_share),
              r=num(s.median_replies), to=_hours(s.to_hours))
        )  # fmt: skip
    if c.top_hours and not c.suggestions:
        out.append(w("no_suggest", lang))
    return out


def _header_line(adh: Adherence, lang: str) -> str:
    return " · ".join(
        [
            *([f"{w('since', lang)} {adh.since.isoformat()}"] if adh.since else []),
            f"{w('as_of', lang)} {adh.as_of.isoformat()}",
            f"{w('tz', lang)} {adh.timezone}",
            w("tolerance", lang, m=adh.tolerance_min),
            w("basis_" + adh.basis, lang),
        ]
    )


# ------------------------------------------------------------------ JSON
def to_json(adh: Adherence, lang: str | None = None) -> str:
    return json_bytes(adh, lang).decode("utf-8")


def _dumps(obj: Any) -> str:
    return json_text(obj)


def json_bytes(adh: Adherence, lang: str | None = None) -> bytes:
    """``json_text(adh.to_dict(lang)) + "\\n"`` (:func:`sqops.render.output.json_text`) as UTF-8,
    byte for byte, built one group at a time.

    With every row of every group the document is large (about 290 MB for 10 M messages);
    dumping it in one call holds all the rows as Python objects and the encoder's pieces at
    once. Here only one group's objects live at a time. ``groups`` is the document's last
    member, so the document without groups ends in ``"groups": []\\n}`` and each group, dumped
    alone, is indented by two levels (newlines inside JSON strings are escaped, so every
    newline of a dump is a line break of the layout).
    """
    buf = io.BytesIO()
    head = _dumps(replace(adh, groups=[]).to_dict(lang))
    tail = '"groups": []\n}'
    if not adh.groups or not head.endswith(tail):  # pragma: no cover - layout guard
        return (_dumps(adh.to_dict(lang)) + "\n").encode("utf-8")
    buf.write(head[: -len("[]\n}")].encode("utf-8"))
    buf.write(b"[\n")
    last = len(adh.groups) - 1
    for i, g in enumerate(adh.groups):
        part = "    " + _dumps(g.to_dict()).replace("\n", "\n    ")
        buf.write(part.encode("utf-8"))
        buf.write(b",\n" if i < last else b"\n")
    buf.write(b"  ]\n}\n")
    return buf.getvalue()


# ------------------------------------------------------------------ Markdown
def render_md(adh: Adherence, lang: str | None = None, *, level: int = 1) -> str:
    """The section in Markdown; ``level`` is the depth of its top heading (1 = ``#``)."""
    lang = lang or adh.lang
    h = "#" * level
    L: list[str] = [f"{h} {w('title', lang)} — {md.escape(adh.community)}", ""]
    L += [md.escape(_header_line(adh, lang)), ""]
    for n in adh.notes:
        L.append(f"> {md.escape(n.get(lang))}")
    if adh.notes:
        L.append("")
    L += [f"{h}# {w('summary', lang)}", ""]
    L += md.table(*_summary_rows(adh, lang)) + [""]
    if adh.people:
        L += [f"{h}# {w('people', lang)}", ""]
        L += md.table(*_people_rows(adh, lang)) + [""]
    scopes: list[tuple[str, Scope]] = [(w("fleet", lang), adh.fleet)]
    scopes += [(f"{w('group', lang)} {_gname(g)}", g.scope) for g in adh.groups]
    for name, scope in scopes:
        L += [f"{h}# {md.escape(name)}", ""]
        if scope is not adh.fleet:
            g = next(g for g in adh.groups if g.scope is scope)
            L += [w("window", lang, a=g.first_day.isoformat(), b=g.last_day.isoformat()), ""]
        L += [f"{h}## {w('items', lang)}", ""]
        L += md.table(*_item_rows(scope, lang, adh.opens_available)) + [""]
        L += [f"{h}## {w('discipline', lang)}", ""]
        L += [f"- {md.escape(x)}" for x in _discipline_lines(scope, lang)] + [""]
        L += md.table(*_mix_rows(scope, lang)) + [""]
        L += [f"{h}## {w('clock', lang)}", ""]
        if scope is adh.fleet:
            L += md.table(
                [w("hour", lang), w("member_share", lang), w("staff_share", lang), w("replies", lang),
                 w("silent", lang)],
                [[f"{r.hour:02d}", pct(r.member_share), pct(r.staff_share), num(r.median_replies),
                  pct(r.silent_share, 0)]
                 for r in scope.clock.hours],
            ) + [""]  # fmt: skip
        L += [f"- {md.escape(x)}" for x in _clock_lines(scope, lang)] + [""]
    return "\n".join(L).rstrip() + "\n"


# ------------------------------------------------------------------ HTML
_NUMERIC = re.compile(r"^[+-]?[\d.]+%?( ⚠)?$|^—$")


def _symbol(c: Cell) -> str:
    """✓ on time, ✗ missed, else whole minutes away from zero (30.1 min late: +31′)."""
    sym = {"on_time": "✓", "missed": "✗", "not_checkable": "○"}.get(c.status)
    if sym is None:
        d = c.delta_min
        sym = "?" if d is None else f"{math.copysign(math.ceil(abs(d)), d):+.0f}′"
    return sym


def _html_table(
    t: tuple[list[str], list[list[str]]], classes: list[str] | None = None
) -> tuple[list[str], list[tuple[str, list[tuple[str, bool]]]]]:
    """(header, rows) as the template lays it out: each row (CSS class, [(cell, numeric)])."""
    header, rows = t
    return header, [
        ((classes[i] if classes else ""), [(c, bool(_NUMERIC.match(c))) for c in r])
        for i, r in enumerate(rows)
    ]


def _html_clock(scope: Scope) -> list[tuple[str, str, str, str, str, str, str]]:
    """Per hour: (hour, member bar width px, member share, staff bar width px, staff share,
    median replies, silent share)."""
    return [
        (f"{r.hour:02d}:00", f"{(r.member_share or 0.0) * 300:.0f}", pct(r.member_share),
         f"{(r.staff_share or 0.0) * 300:.0f}", pct(r.staff_share), num(r.median_replies),
         pct(r.silent_share, 0))
        for r in scope.clock.hours
    ]  # fmt: skip


def _html_calendar(g: GroupAdherence, lang: str) -> dict[str, Any]:
    """The planned-vs-done calendar (``views.calendar``) formatted: per day (date and
    weekday, holiday, [(status, tooltip, symbol), all "" when not planned], unplanned count,
    their tooltip)."""
    from sqops.adherence.views import calendar

    cal = calendar(g)
    week = WEEKDAYS["zh" if lang == "zh" else "en"]
    names = {k: v.get(lang) for k, v in STATUS_NAMES.items()}
    days = []
    for d in cal.days:
        cells = [
            ("", "", "") if c is None
            else (c.status, names[c.status] + (f" {c.posted[:5]}" if c.posted else ""), _symbol(c))
            for c in d.cells
        ]  # fmt: skip
        tip = " / ".join(f"{t} {name}" for t, name in d.unplanned)
        day = f"{d.row.day.isoformat()} {week[d.row.day.weekday()]}"
        if g.launched_on is not None and d.row.day >= g.launched_on:
            n = lifecycle_day((d.row.day - g.launched_on).days)
            day += " · " + WORDS["day_n"].format(n=n).get(lang)
        days.append((day, d.row.label, cells, len(d.unplanned) or "", tip))
    return {"items": cal.items, "days": days}


def html_context(adh: Adherence, lang: str, *, level: int) -> dict[str, Any]:
    """What ``adherence_section.html.j2`` shows, formatted in ``lang`` (tables and the
    calendar as plain tuples: a fleet has many thousand cells, and a call in a template costs
    far more than in Python); ``level`` is the depth of the section's top heading (1: h1)."""
    scopes = []
    for g in [None, *adh.groups]:
        scope = adh.fleet if g is None else g.scope
        name = w("fleet", lang) if g is None else f"{w('group', lang)} {_gname(g)}"
        window = (
            ""
            if g is None
            else w("window", lang, a=g.first_day.isoformat(), b=g.last_day.isoformat())
        )
        scopes.append(
            {
                "name": name,
                "anchor": "fleet" if g is None else g.group_id,
                "window": window,
                "items": _html_table(
                    _item_rows(scope, lang, adh.opens_available),
                    ["bottom" if i.bottom else "" for i in scope.items],
                ),
                "discipline": _discipline_lines(scope, lang),
                "mix": _html_table(
                    _mix_rows(scope, lang), ["off" if m.off else "" for m in scope.discipline.mix]
                ),
                "clock_lines": _clock_lines(scope, lang),
                "clock": _html_clock(scope),
                "calendar": None if g is None else _html_calendar(g, lang),
            }
        )  # fmt: skip
    keys = ("summary", "items", "discipline", "clock", "calendar", "legend", "day")
    return {
        "adh": adh,
        "s": {
            "heads": [f"h{min(level + i, 6)}" for i in range(3)],
            "title": w("title", lang),
            "header_line": _header_line(adh, lang),
            "notes": [n.get(lang) for n in adh.notes],
            "t": {k: w(k, lang) for k in (*keys, "unplanned_posts")}
            | (
                {"legend": w("legend", lang) + "　" + w("legend_internal", lang)}
                if adh.fleet.counts.not_checkable
                else {}
            ),
            "summary": _html_table(_summary_rows(adh, lang)),
            "people": _html_table(_people_rows(adh, lang)) if adh.people else None,
            "people_title": w("people", lang),
            "clock_header": [
                w(k, lang) for k in ("hour", "member_share", "staff_share", "replies", "silent")
            ],
            "scopes": scopes,
        },
        "lang": lang,
    }


def html_section(adh: Adherence, lang: str | None = None, *, level: int = 2) -> Section:
    """The section as data for a page (``sqops.report.html.to_html(report, [section])``)."""
    from sqops.render.html import Section

    return Section("adherence_section.html.j2", html_context(adh, lang or adh.lang, level=level))


def render_html_section(adh: Adherence, lang: str | None = None, *, level: int = 2) -> str:
    """The section as an HTML fragment (``templates/adherence_section.html.j2``)."""
    from sqops.render.html import render_section

    return str(render_section(html_section(adh, lang, level=level)))


def render_html(adh: Adherence, lang: str | None = None) -> str:
    """A whole offline page (no scripts, no external resources): ``templates/adherence.html.j2``."""
    from sqops.render.html import render

    lang = lang or adh.lang
    return render("adherence.html.j2", lang=lang, section=html_section(adh, lang, level=1))


# ------------------------------------------------------------------ terminal
_SHORT: dict[str, T] = {
    "planned": T("计划", "plan"),
    "on time": T("准时", "ok"),
    "unplanned": T("计划外", "unpl."),
    "on-time rate": T("准时率", "on-time"),
    "done rate": T("完成率", "done"),
    "replies in 2 h (median)": T("回复/2h", "re/2h"),
    "opens in 48 h (median)": T("打开/48h", "op/48h"),
    "bottom 20%": T("末位", "btm"),
    "no reply in 2 h": T("无回复", "silent"),
    "missed": T("漏发", "miss"),
}


def _short(header: list[str], lang: str) -> list[str]:
    """Shorter column headings for the terminal (keyed by the English heading)."""
    en = {v.get(lang): k for k, v in {**_W, **STATUS_NAMES}.items()}
    out = []
    for h in header:
        key = en.get(h)
        long_en = (_W.get(key) or STATUS_NAMES.get(key) or T(h, h)).en if key else h
        out.append(_SHORT[long_en].get(lang) if long_en in _SHORT else h)
    return out


def to_renderables(adh: Adherence, lang: str | None = None) -> list[Any]:
    """Rich renderables: header, the execution table, the fleet's items, discipline, clock.

    The tables fit the width they are printed at (:class:`sqops.render.console.Fit`); on a
    narrow terminal the items' table puts the time before the item's name and its counts by
    outcome in one column (``ok/late/early/miss``)."""
    from sqops.render.console import Fit, Table, Text, para

    lang = lang or adh.lang
    out: list[Any] = [para(f"{w('title', lang)} · {adh.community}", style="bold")]
    out.append(para(_header_line(adh, lang)))
    for n in adh.notes:
        out.append(para(f"⚠ {n.get(lang)}", style="yellow"))

    def table(
        title: str,
        header: list[str],
        rows: list[list[str]],
        last_bold: bool = False,
        wrap: bool = False,
    ) -> Any:
        t = Table(title=title, title_justify="left")
        for i, hd in enumerate(header):
            if i == 0:  # (the key: a group, person or kind whole; an item's name by words)
                t.add_column(hd, overflow="fold", no_wrap=not wrap)
            else:  # (numbers: one word each; the heading may wrap)
                t.add_column(hd, justify="right")
        for k, r in enumerate(rows):
            style = "bold" if last_bold and k == len(rows) - 1 else ""
            t.add_row(*[Text(c) for c in r], style=style)
        return t

    header, rows = _summary_rows(adh, lang)
    out.append(Fit(table(w("summary", lang), _short(header, lang), rows, last_bold=True)))
    if adh.people:
        header, rows = _people_rows(adh, lang)
        out.append(Fit(table(w("people", lang), _short(header, lang), rows)))
    header, rows = _item_rows(adh.fleet, lang, adh.opens_available)
    rows = [[*r[:-1], "⚠" if r[-1] else ""] for r in rows]
    title = f"{w('items', lang)} · {w('fleet', lang)}"
    short = _short(header, lang)
    m = 3 + len(header) - 7 - (1 if adh.opens_available else 0)  # after the outcomes' columns
    narrow_header = [short[0], short[2], " / ".join(short[3:m]), *short[m:]]
    narrow_rows = [[f"{r[1]} {r[0]}", r[2], "/".join(r[3:m]), *r[m:]] for r in rows]
    out.append(
        Fit(
            table(title, short, rows, wrap=True),
            table(title, narrow_header, narrow_rows, wrap=True),
        )
    )
    out.append(para(f"{w('discipline', lang)} · {w('fleet', lang)}", style="bold"))
    for x in _discipline_lines(adh.fleet, lang):
        out.append(para(f"  • {x}"))
    header, rows = _mix_rows(adh.fleet, lang)
    out.append(Fit(table(w("mix", lang), header, rows)))
    out.append(para(f"{w('clock', lang)} · {w('fleet', lang)}", style="bold"))
    for x in _clock_lines(adh.fleet, lang):
        out.append(para(f"  • {x}"))
    if len(adh.groups) > 1:
        shown = adh.groups
        if len(shown) > TERMINAL_GROUPS:  # the worst first; the files have every group
            shown = sorted(shown, key=lambda g: (g.counts.on_time_rate or 0.0, g.group_id))
            shown = shown[:TERMINAL_GROUPS]
        for g in shown:
            out.append(para(f"{w('group', lang)} {_gname(g)}", style="bold"))
            for x in _discipline_lines(g.scope, lang) + _clock_lines(g.scope, lang):
                out.append(para(f"  • {x}"))
            bottom = [i for i in g.scope.items if i.bottom]
            if bottom:
                names = ", ".join(f"{i.title} ({i.item_id})" for i in bottom)
                out.append(para(f"  • {w('bottom', lang)}: {names}"))
        if len(shown) < len(adh.groups):
            out.append(para(w("more_groups", lang, n=len(adh.groups) - len(shown)), style="dim"))
    return out
