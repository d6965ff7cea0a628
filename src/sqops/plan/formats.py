"""A plan as Markdown, CSV, JSON, iCalendar, HTML, or a rich terminal table.

Every writer is a pure function of the plan and the language: same plan → same bytes (no
"now", sorted everything). User text is escaped for the target format (HTML, Markdown) or
neutralised (CSV cells starting with = + - @).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from typing import TYPE_CHECKING, Any

from sqops.domain.stages import STAGE, lifecycle_day, stage_of_index
from sqops.i18n import WEEKDAYS, T
from sqops.plan import views
from sqops.plan._model import (
    KIND_NAMES,
    ROLE_NAMES,
    SOURCE_NAMES,
    Conflict,
    GroupPlan,
    Occurrence,
    Plan,
)
from sqops.plan.load import Load, LoadWindow, PersonDay, by_person
from sqops.render import markdown as md
from sqops.render.output import csv_text, json_text
from sqops.render.words import GROUP_ID, GROUP_NAME, WORDS

if TYPE_CHECKING:  # (the types of the JSON output: sqops.plan.schema)
    from sqops.plan import schema as S

FORMATS: tuple[str, ...] = ("table", "md", "csv", "ics", "json", "html", "xlsx")
EXTENSIONS: dict[str, str] = {
    "md": "md",
    "csv": "csv",
    "ics": "ics",
    "json": "json",
    "html": "html",
    "xlsx": "xlsx",
    "table": "txt",
}
JSON_SCHEMA_VERSION = 1
REMIND_MINUTES = 15
EVENT_MINUTES = 15

L: dict[str, T] = {
    "title": T("排期", "Schedule"),
    "window": T("{a} 至 {b}，共 {n} 天（时区 {tz}）", "{a} to {b}, {n} days (timezone {tz})"),
    "groups": T("群", "groups"),
    "launched": T("建群日期", "launched on"),
    "day": WORDS["day_n"],
    "conflict": T("冲突", "conflict"),
    "notice": T("注意", "note"),
    "nothing": T("（这段时间没有安排）", "(nothing scheduled in this window)"),
    "scripts": T("脚本", "Scripts"),
    "date": T("日期", "date"),
    "time": WORDS["time"],
    "item": T("事项", "item"),
    "owner": T("负责人", "owner"),
    "kind": WORDS["kind"],
    "script": T("脚本", "script"),
    "holiday_off": T("放假", "day off"),
    "group_id": GROUP_ID,
    "group_name": GROUP_NAME,
    "weekday": T("星期", "weekday"),
    "lifecycle_day": T("建群第几天", "lifecycle_day"),
    "stage": WORDS["stage"],
    "source": T("来源", "source"),
    "item_id": T("条目ID", "item_id"),
    "person": T("执行人", "person"),
    "holiday": T("节假日", "holiday"),
    "notes": T("备注", "notes"),
    "conflicts": T("冲突", "conflicts"),
    "reminder": T("提醒", "Reminder"),
    "load": T("人员负荷", "Per-person load"),
    "load_limit": T(
        "每人在任意 10 分钟内最多 {m} 条推送（rules.max_pushes_per_person_10min），跨所有群计",
        "at most {m} pushes per person in any 10 minutes, across all groups "
        "(rules.max_pushes_per_person_10min)",
    ),
    "by_owner": T("按负责人", "by owner"),
    "group": T("群", "group"),
    "nobody": T("（未指定负责人）", "(nobody responsible)"),
    "person_items": T("{n} 条安排，其中推送 {p} 条", "{n} item(s), {p} push(es)"),
    "legend": T("颜色表示事项类型：", "Colours show the kind of item:"),
}


def _t(key: str, lang: str) -> str:
    return L[key].get(lang)


@functools.cache
def _hm(t: dt.time) -> str:
    return f"{t.hour:02d}:{t.minute:02d}"  # (strftime's parser costs 4× more, per item)


def _weekday(d: dt.date, lang: str) -> str:
    return WEEKDAYS["zh" if lang == "zh" else "en"][d.weekday()]


def _owner(o: Occurrence, lang: str) -> str:
    role = ROLE_NAMES[o.owner].get(lang) if o.owner in ROLE_NAMES else (o.owner or "")
    if role and o.person:
        return f"{role} {o.person}" if lang == "zh" else f"{role}: {o.person}"
    return role or o.person or ""


def _kind(o: Occurrence, lang: str) -> str:
    return KIND_NAMES[o.kind].get(lang) if o.kind in KIND_NAMES else o.kind


def _stage(o: Occurrence, lang: str) -> str:
    return STAGE[o.stage].label.get(lang)


def _group_title(gp: GroupPlan) -> str:
    g = gp.group
    return g.name if g.name == g.id else f"{g.name} ({g.id})"


def _day_heading_parts(plan: Plan, gp: GroupPlan, d: dt.date, lang: str) -> list[str]:
    parts = [f"{d.isoformat()} {_weekday(d, lang)}"]
    idx = (d - gp.launched_on).days
    if idx >= 0:
        parts.append(_t("day", lang).format(n=lifecycle_day(idx)))
        parts.append(STAGE[stage_of_index(idx)].label.get(lang))
    label = plan.calendar[d].label(lang) if d in plan.calendar else ""
    if label:
        parts.append(label)
    return parts


def uid(plan: Plan, o: Occurrence) -> str:
    """Calendar UID: a function of community, group, item id and date only (stable)."""
    key = "\x1f".join((plan.community, o.group_id, o.item_id, o.date.isoformat()))
    return f"{hashlib.sha256(key.encode('utf-8')).hexdigest()[:32]}@sqops"


def single_group(plan: Plan, gp: GroupPlan) -> Plan:
    """The same plan restricted to one group (for ``-o DIR``)."""
    return Plan(
        plan.community, plan.timezone, plan.start, plan.days, plan.lang, [gp], plan.calendar,
        plan.holiday_data_until, list(plan.notices), plan.rendered,
        plan.load.of_group(gp.group.id) if plan.load is not None else None,
    )  # fmt: skip


# ------------------------------------------------------------------ per-person load
def _load_texts(plan: Plan, lang: str) -> list[str]:
    """The flagged windows of the plan's load, one sentence each."""
    if plan.load is None:
        return []
    return [w.text(plan.load.limit).get(lang) for w in plan.load.windows]


def _load_of(plan: Plan) -> dict[tuple[str, str], list[LoadWindow]]:
    """The flagged windows by the (group id, item id) of their pushes."""
    out: dict[tuple[str, str], list[LoadWindow]] = {}
    if plan.load is not None:
        for w in plan.load.windows:
            for key in w.items:
                out.setdefault(key, []).append(w)
    return out


def _load_flags(
    plan: Plan, index: dict[tuple[str, str], list[LoadWindow]], o: Occurrence, lang: str
) -> list[str]:
    """The load sentences of the windows this occurrence's push is in."""
    ws = index.get((o.group_id, o.item_id))
    if not ws or plan.load is None:
        return []
    at = dt.datetime.combine(o.date, o.time)
    return [w.text(plan.load.limit).get(lang) for w in ws if w.covers(o.group_id, o.item_id, at)]


def _md_load(plan: Plan, lang: str, level: int = 2) -> list[str]:
    """The Markdown section of the load (nothing when no window is flagged)."""
    texts = _load_texts(plan, lang)
    if not texts or plan.load is None:
        return []
    out = [f"{'#' * level} ⚠️ {_t('load', lang)}", ""]
    out += [f"- {md.escape(_t('load_limit', lang).format(m=plan.load.limit))}", ""]
    out += [f"- ⚠️ {md.escape(x)}" for x in texts]
    return [*out, ""]


def _load_doc(plan: Plan, lang: str) -> S.LoadDoc:
    load = plan.load
    if load is None:
        return {"limit": None, "windows": []}
    return {
        "limit": load.limit,
        "windows": [
            {
                "person": w.person,
                "start": w.start.isoformat(timespec="minutes"),
                "end": w.end.isoformat(timespec="minutes"),
                "pushes": w.pushes,
                "groups": list(w.groups),
                "item_ids": sorted({i for _, i in w.items}),
                "text": w.text(load.limit).get(lang),
            }
            for w in load.windows
        ],
    }


# ------------------------------------------------------------------ Markdown
def to_markdown(plan: Plan, lang: str) -> str:
    """A day-by-day checklist to print or paste (scripts in fenced blocks, copied verbatim)."""
    out: list[str] = [f"# {_t('title', lang)} · {md.escape(plan.community)}", ""]
    out.append(
        "- "
        + _t("window", lang).format(
            a=plan.start.isoformat(), b=plan.last.isoformat(), n=plan.days, tz=plan.timezone
        )
    )
    out.append("")
    for n in plan.notices:
        out += [f"> ⚠️ {md.escape(n.get(lang))}", ""]
    out += _md_load(plan, lang)
    for gp in plan.groups:
        out += [f"## {md.escape(_group_title(gp))}", ""]
        out += [f"- {_t('launched', lang)}: {gp.launched_on.isoformat()}"]
        for n in gp.notes:
            out.append(f"- {md.escape(n.get(lang))}")
        out.append("")
        by_date = views.by_date(gp)
        conf = views.conflicts_by_date(gp)
        if not by_date:
            out += [_t("nothing", lang), ""]
        for d in sorted(by_date):
            out += [f"### {md.escape(' · '.join(_day_heading_parts(plan, gp, d, lang)))}", ""]
            for o in by_date[d]:
                meta = " · ".join(x for x in (_kind(o, lang), _owner(o, lang)) if x)
                out.append(
                    f"- [ ] **{_hm(o.time)}** {md.escape(o.title)}"
                    + (f" — {md.escape(meta)}" if meta else "")
                )
                for note in o.notes:
                    out.append(f"  - ℹ️ {md.escape(note.get(lang))}")
                if o.script:
                    fence = md.fence(o.script)
                    out.append(f"  {fence}text")
                    out += [f"  {line}" if line else "" for line in o.script.split("\n")]
                    out.append(f"  {fence}")
            for c in conf.get(d, []):
                out.append(f"- ⚠️ **{_t('conflict', lang)}**: {md.escape(c.text.get(lang))}")
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


# ------------------------------------------------------------------ CSV
def to_csv(plan: Plan, lang: str) -> str:
    """One row per occurrence, every group; UTF-8 with BOM, formula cells neutralised."""
    header, rows = schedule_rows(plan, lang)
    return csv_text(header, [[_hm_cell(v) for v in r] for r in rows])


def _hm_cell(v: object) -> object:
    """A time as the CSV writes it (HH:MM); any other cell as it is."""
    return _hm(v) if isinstance(v, dt.time) else v


def schedule_rows(plan: Plan, lang: str) -> tuple[list[str], list[list[object]]]:
    """The CSV's header (Chinese in zh, else the column ids) and rows as data: the date a
    ``date``, the time a ``time`` (column 3), the rest as the CSV shows it (also the Excel
    sheet's, ``plan/xlsx.py``)."""
    keys = [
        "group_id", "group_name", "date", "time", "weekday", "lifecycle_day", "stage", "source",
        "item_id", "title", "kind", "owner", "person", "holiday", "script", "notes", "conflicts",
    ]  # fmt: skip
    header = [L["item" if k == "title" else k].get(lang) if lang == "zh" else k for k in keys]
    rows: list[list[object]] = []
    loads = _load_of(plan)
    for gp in plan.groups:
        conf = views.conflicts_by_date(gp)
        for o in gp.occurrences:
            mine = [c.text.get(lang) for c in conf.get(o.date, []) if o.item_id in c.item_ids]
            mine += _load_flags(plan, loads, o, lang)
            rows.append(
                [
                    gp.group.id,
                    gp.group.name,
                    o.date,
                    o.time,
                    _weekday(o.date, lang),
                    o.lifecycle_day,
                    _stage(o, lang),
                    SOURCE_NAMES[o.source].get(lang),
                    o.item_id,
                    o.title,
                    _kind(o, lang),
                    ROLE_NAMES[o.owner].get(lang) if o.owner in ROLE_NAMES else "",
                    o.person or "",
                    plan.calendar[o.date].label(lang) if o.date in plan.calendar else "",
                    o.script or "",
                    "; ".join(n.get(lang) for n in o.notes),
                    "; ".join(mine),
                ]  # fmt: skip
            )
    return header, rows


# ------------------------------------------------------------------ JSON
def _local_iso(plan: Plan, o: Occurrence) -> str:
    from zoneinfo import ZoneInfo

    return dt.datetime.combine(o.date, o.time, tzinfo=ZoneInfo(plan.timezone)).isoformat()


def to_data(plan: Plan, lang: str) -> S.PlanDoc:
    """The plan as plain JSON-ready data (the shape: :class:`sqops.plan.schema.PlanDoc`)."""
    days: list[S.CalendarDayDoc] = []
    for d in plan.dates():
        info = plan.calendar[d]
        day: S.CalendarDayDoc = {
            "date": d.isoformat(),
            "weekday": d.isoweekday(),
            "status": info.status,
            "holiday": info.holiday,
            "adjusted_workday": info.adjusted,
            "label": info.label(lang) or None,
        }
        if info.provisional:
            day["provisional"] = True
        days.append(day)
    groups: list[S.PlanGroupDoc] = []
    for gp in plan.groups:
        occs: list[S.OccurrenceDoc] = []
        for o in gp.occurrences:
            occs.append(
                {
                    "uid": uid(plan, o),
                    "date": o.date.isoformat(),
                    "time": _hm(o.time),
                    "datetime": _local_iso(plan, o),
                    "weekday": o.date.isoweekday(),
                    "lifecycle_day": o.lifecycle_day,
                    "stage": o.stage,
                    "source": o.source,
                    "item_id": o.item_id,
                    "title": o.title,
                    "kind": o.kind,
                    "owner": o.owner,
                    "person": o.person,
                    "script_name": o.script_name,
                    "script": o.script,
                    "campaign_id": o.campaign_id,
                    "countdown": o.countdown,
                    "notes": [n.get(lang) for n in o.notes],
                    "responsible": o.responsible,
                }
            )
        groups.append(
            {
                "id": gp.group.id,
                "name": gp.group.name,
                "launched_on": gp.launched_on.isoformat(),
                "vars": gp.group.vars,
                "notes": [n.get(lang) for n in gp.notes],
                "occurrences": occs,
                "conflicts": [
                    {
                        "date": c.date.isoformat(),
                        "rule": c.rule,
                        "text": c.text.get(lang),
                        "item_ids": list(c.item_ids),
                    }
                    for c in gp.conflicts
                ],
            }
        )
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "community": plan.community,
        "timezone": plan.timezone,
        "start": plan.start.isoformat(),
        "end": plan.last.isoformat(),
        "days": plan.days,
        "lang": lang,
        "holiday_data_until": plan.holiday_data_until.isoformat()
        if plan.holiday_data_until
        else None,
        "notices": [n.get(lang) for n in plan.notices],
        "calendar": days,
        "groups": groups,
        "load": _load_doc(plan, lang),
    }


def to_json(plan: Plan, lang: str) -> str:
    return json_text(to_data(plan, lang), default=str) + "\n"


# ------------------------------------------------------------------ iCalendar
def to_ics(plan: Plan, lang: str, remind_minutes: int = REMIND_MINUTES) -> bytes:
    """An iCalendar file: stable UIDs, a VTIMEZONE, a reminder ``remind_minutes`` before each
    item (0: none), the script as the description. DTSTAMP is the plan's start at 00:00 UTC
    (never "now")."""
    from zoneinfo import ZoneInfo

    import icalendar

    tz = ZoneInfo(plan.timezone)
    stamp = dt.datetime.combine(plan.start, dt.time(0), tzinfo=dt.UTC)
    cal = icalendar.Calendar()
    cal.add("prodid", "-//sqops//sqops plan//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    names = " / ".join(gp.group.name for gp in plan.groups)
    cal.add(
        "x-wr-calname", f"{plan.community} · {names}" if len(plan.groups) == 1 else plan.community
    )
    cal.add("x-wr-timezone", plan.timezone)
    if plan.notices:
        cal.add("x-wr-caldesc", "\n".join(n.get(lang) for n in plan.notices))
    vtz = icalendar.Timezone.from_tzid(
        plan.timezone,
        first_date=dt.date(plan.start.year, 1, 1),
        last_date=dt.date(plan.end.year + 1, 1, 1),
    )
    cal.add_component(vtz)
    # holidays and adjusted workdays as all-day, free (transparent) events
    for d in plan.dates():
        info = plan.calendar[d]
        label = info.label(lang)
        if not info.known or not label:
            continue
        ev = icalendar.Event()
        key = "\x1f".join((plan.community, "holiday", d.isoformat()))
        ev.add("uid", f"{hashlib.sha256(key.encode('utf-8')).hexdigest()[:32]}@sqops")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", d)
        ev.add("dtend", d + dt.timedelta(days=1))
        ev.add(
            "summary",
            label
            + (
                f"（{_t('holiday_off', lang)}）"
                if info.status == "holiday" and lang == "zh"
                else ""
            ),
        )
        ev.add("transp", "TRANSPARENT")
        cal.add_component(ev)
    # The items are written here, not through icalendar's objects (35× the Markdown writer's
    # time at 1,000 groups × 30 days): the same lines, in icalendar's order, escaping and folding
    # (:func:`_ics_text`, :func:`_ics_fold`); the calendar's head, the VTIMEZONE and the
    # holidays above still come from icalendar, and so do the date-time lines (cached).
    head = cal.to_ical()
    end = b"END:VCALENDAR\r\n"
    assert head.endswith(end)
    out: list[bytes] = [head[: -len(end)]]
    stamp_line = _ics_prop_line("dtstamp", stamp)
    trigger = _ics_prop_line("trigger", dt.timedelta(minutes=-remind_minutes))
    reminder = f"{_t('reminder', lang)}: "
    multi = len(plan.groups) > 1
    loads = _load_of(plan)
    times: dict[tuple[dt.date, dt.time], bytes] = {}
    for gp in plan.groups:
        for o in gp.occurrences:
            when = times.get((o.date, o.time))
            if when is None:
                start = dt.datetime.combine(o.date, o.time, tzinfo=tz)
                stop = start + dt.timedelta(minutes=EVENT_MINUTES)
                when = _ics_prop_line("dtstart", start) + _ics_prop_line("dtend", stop)
                times[(o.date, o.time)] = when
            summary = f"[{gp.group.name}] {o.title}" if multi else o.title
            desc: list[str] = []
            if o.script:
                desc += [o.script, ""]
            meta = " · ".join(
                x
                for x in (
                    _t("day", lang).format(n=o.lifecycle_day),
                    _stage(o, lang),
                    _kind(o, lang),
                    _owner(o, lang),
                )
                if x
            )
            desc.append(meta)
            desc += [n.get(lang) for n in o.notes]
            conf = [
                c.text.get(lang)
                for c in gp.conflicts
                if c.date == o.date and o.item_id in c.item_ids
            ]
            desc += [f"⚠ {x}" for x in conf + _load_flags(plan, loads, o, lang)]
            out.append(b"BEGIN:VEVENT\r\n" + _ics_fold("SUMMARY:" + _ics_text(summary)))
            out.append(when + stamp_line)
            out.append(_ics_fold("UID:" + _ics_text(uid(plan, o))))
            out.append(_ics_fold("CATEGORIES:" + _ics_text(_kind(o, lang))))
            out.append(_ics_fold("DESCRIPTION:" + _ics_text("\n".join(desc))))
            if remind_minutes > 0:
                out.append(b"BEGIN:VALARM\r\nACTION:DISPLAY\r\n")
                out.append(_ics_fold("DESCRIPTION:" + _ics_text(reminder + summary)))
                out.append(trigger + b"END:VALARM\r\n")
            out.append(b"END:VEVENT\r\n")
    out.append(end)
    return b"".join(out)


def _ics_prop_line(name: str, value: object) -> bytes:
    """One property's content line (CRLF-ended) as icalendar writes it (date-times, durations:
    their parameters, e.g. ``;TZID=``, and a UTC ``Z`` are icalendar's)."""
    import icalendar

    ev = icalendar.Event()
    ev.add(name, value)
    lines = ev.to_ical().split(b"\r\n")
    assert lines[0] == b"BEGIN:VEVENT" and lines[-2] == b"END:VEVENT", lines
    return b"".join(line + b"\r\n" for line in lines[1:-2])


def _ics_text(s: str) -> str:
    r"""A TEXT value escaped as RFC 5545 §3.3.11 says (and as icalendar escapes it): ``\``
    ``;`` ``,`` escaped, every line break as ``\n``. icalendar first turns a literal ``\N``
    into a line break (``C:\New`` came out broken over two lines); here it stays as written."""
    return (
        s.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


_FOLD = 74  # octets on a line before a fold (icalendar's: a continuation adds its space → 75)


def _ics_fold(line: str) -> bytes:
    """A content line, UTF-8, folded as icalendar folds it, CRLF-ended: at most 74 octets of
    the line before each ``CRLF SPACE``, never inside a multi-byte character, and a trailing
    ``\\`` or ``^`` carried over to the next line (never split from what it escapes)."""
    b = line.encode("utf-8")
    n = len(b)
    if n <= _FOLD:
        return b + b"\r\n"
    parts: list[bytes] = []
    start = 0
    while n - start > _FOLD:
        end = start + _FOLD
        while b[end] & 0xC0 == 0x80:  # a continuation byte: the character does not fit
            end -= 1
        if b[end - 1] in b"\\^" and end - 1 > start:
            end -= 1
        parts.append(b[start:end])
        start = end
    parts.append(b[start:])
    return b"\r\n ".join(parts) + b"\r\n"


# ------------------------------------------------------------------ HTML
def _month_title(year: int, month: int, lang: str) -> str:
    return f"{year}年{month}月" if lang == "zh" else dt.date(year, month, 1).strftime("%B %Y")


def _html_cell(
    c: views.DayCell,
    gp: GroupPlan,
    items: dict[dt.date, list[Occurrence]],
    conflicts: dict[dt.date, list[Conflict]],
    lang: str,
) -> tuple[Any, ...]:
    """A month-grid cell as the template lays it out: (inside the window, day of the month,
    CSS class, id, lifecycle day, holiday label, [(kind, "HH:MM title")], [conflict])."""
    if not c.in_window:
        return (False, c.date.day if c.in_month else "", "", "", "", "", (), ())
    n = views.lifecycle_day(gp, c.date)
    day = _t("day", lang).format(n=n) if n else ""
    its = [(o.kind, f"{_hm(o.time)} {o.title}") for o in items.get(c.date, ())]
    conf = [x.text.get(lang) for x in conflicts.get(c.date, ())]
    cid = f"{gp.group.id}-{c.date.isoformat()}"
    return (True, c.date.day, c.css, cid, day, c.label, its, conf)


def _html_script(o: Occurrence, lang: str) -> tuple[str, list[str], str]:
    """A scripted item: (heading line, notes, script)."""
    meta = " · ".join(x for x in (_kind(o, lang), _owner(o, lang)) if x)
    head = f"{o.date.isoformat()} {_weekday(o.date, lang)} {_hm(o.time)} {o.title}"
    return (head + (f" — {meta}" if meta else ""), [n.get(lang) for n in o.notes], o.script or "")


def to_html(plan: Plan, lang: str) -> str:
    """A printable month view per group (items in the calendar cells, scripts listed after),
    from ``templates/plan.html.j2``. All user text is escaped.

    The cells and script lines are formatted here as plain tuples (the template unpacks them):
    a thousand groups make hundreds of thousands of cells, and an attribute or function call
    in a template costs far more than in Python."""
    from sqops.render.html import Section
    from sqops.render.html import render as render_html

    grids = views.month_grids(plan, lang)
    t = {k: _t(k, lang) for k in ("title", "launched", "scripts")}
    weekdays = WEEKDAYS["zh" if lang == "zh" else "en"]
    groups = []
    for gp in plan.groups:
        items, conf = views.by_date(gp), views.conflicts_by_date(gp)
        months = [
            (
                _month_title(m.year, m.month, lang),
                [[_html_cell(c, gp, items, conf, lang) for c in week] for week in m.weeks],
            )
            for m in grids
        ]
        g = {
            "id": gp.group.id,
            "title": _group_title(gp),
            "launched_on": gp.launched_on.isoformat(),
            "notes": [n.get(lang) for n in gp.notes],
            "months": months,
            "scripts": [_html_script(o, lang) for o in views.scripted(gp)],
        }
        groups.append(Section("plan_group.html.j2", {"g": g, "t": t, "weekdays": weekdays}))
    window = _t("window", lang).format(
        a=plan.start.isoformat(), b=plan.last.isoformat(), n=plan.days, tz=plan.timezone
    )
    return render_html(
        "plan.html.j2",
        lang=lang,
        community=plan.community,
        t=t,
        window=window,
        notices=[n.get(lang) for n in plan.notices],
        groups=groups,
        load=_html_load(plan, lang),
        legend=_html_legend(plan, lang),
    )


def _html_legend(plan: Plan, lang: str) -> tuple[str, list[tuple[str, str]]]:
    """The colour legend of the month view: (lead, [(kind, its name)]) for the kinds the
    plan has, in the order of ``KIND_NAMES`` (a kind sqops does not know: last, by name)."""
    have = {o.kind for gp in plan.groups for o in gp.occurrences}
    order = {k: i for i, k in enumerate(KIND_NAMES)}
    kinds = sorted(have, key=lambda k: (order.get(k, len(order)), k))
    return _t("legend", lang), [
        (k, KIND_NAMES[k].get(lang) if k in KIND_NAMES else k) for k in kinds
    ]


def _html_load(plan: Plan, lang: str) -> tuple[str, str, list[str]] | None:
    """The load section of the HTML page: (heading, the rule, [window]); None: none flagged."""
    texts = _load_texts(plan, lang)
    if not texts or plan.load is None:
        return None
    return (_t("load", lang), _t("load_limit", lang).format(m=plan.load.limit), texts)


# ------------------------------------------------------------------ terminal
def to_renderables(plan: Plan, lang: str, *, scripts: bool = True) -> list[Any]:
    """Rich renderables for the terminal: a header, then one table per group.

    The tables fit the width they are printed at (:class:`sqops.render.console.Fit`): where
    the script column would be narrower than :data:`SCRIPT_MIN` cells (an 80-column
    terminal), the table leaves it out and each item's script follows the table under its
    day, time and name."""
    from sqops.render.console import Fit, para

    out: list[Any] = []
    out.append(para(f"{_t('title', lang)} · {plan.community}", style="bold"))
    out.append(
        para(
            _t("window", lang).format(
                a=plan.start.isoformat(), b=plan.last.isoformat(), n=plan.days, tz=plan.timezone
            )
        )
    )
    for n in plan.notices:
        out.append(para(f"⚠ {n.get(lang)}", style="yellow"))
    out += _load_renderables(plan, lang)
    for gp in plan.groups:
        title = f"{_group_title(gp)} · {_t('launched', lang)} {gp.launched_on.isoformat()}"
        by_date = views.by_date(gp)
        if not gp.occurrences:
            out.append(para(f"{title}\n{_t('nothing', lang)}"))
        elif scripts:
            below: list[Any] = []
            for d in sorted(by_date):
                for o in by_date[d]:
                    if o.script:
                        below.append(para(f"{d.isoformat()} {_hm(o.time)} {o.title}", style="bold"))
                        below.append(para(o.script))
            if below:
                below.insert(0, para(f"{_t('script', lang)} · {_group_title(gp)}", style="bold"))
            out.append(
                Fit(
                    _group_table(plan, gp, lang, title, True),
                    (_group_table(plan, gp, lang, title, False), below),
                    key=2,
                )
            )
        else:
            out.append(Fit(_group_table(plan, gp, lang, title, False), key=2))
        for n in gp.notes:
            out.append(para(f"ℹ {n.get(lang)}", style="dim"))
    return out


#: the narrowest script column worth showing (cells); narrower, the scripts follow the table
SCRIPT_MIN = 30


def _group_table(plan: Plan, gp: GroupPlan, lang: str, title: str, with_scripts: bool) -> Any:
    """One group's terminal table (with its script column or without)."""
    from sqops.render.console import Table, Text

    conf = views.conflicts_by_date(gp)
    by_date = views.by_date(gp)
    table = Table(title=title, show_lines=False)
    table.add_column(_t("date", lang), no_wrap=True)
    table.add_column(_t("time", lang), no_wrap=True)
    table.add_column(_t("item", lang), overflow="fold")
    table.add_column(_t("owner", lang))
    table.add_column(_t("kind", lang), no_wrap=True)
    if with_scripts:
        table.add_column(_t("script", lang), ratio=3, overflow="fold", min_width=SCRIPT_MIN)
    for d in sorted(by_date):
        head = Text("\n".join(_day_heading_parts(plan, gp, d, lang)))
        flagged = {i for c in conf.get(d, []) for i in c.item_ids}
        for k, o in enumerate(by_date[d]):
            title_ = Text(o.title, style="red" if o.item_id in flagged else "")
            for note in o.notes:
                title_.append(f"\nℹ {note.get(lang)}", style="dim")
            row: list[Text | str] = [
                head if k == 0 else Text(""),
                _hm(o.time),
                title_,
                _owner(o, lang),
                _kind(o, lang),
            ]
            if with_scripts:
                row.append(Text(o.script or ""))
            table.add_row(*row, end_section=k == len(by_date[d]) - 1)
        for c in conf.get(d, []):
            row = ["", "", Text(f"⚠ {c.text.get(lang)}", style="bold red"), "", ""]
            if with_scripts:
                row.append("")
            table.add_row(*row)
    return table


def _load_renderables(plan: Plan, lang: str) -> list[Any]:
    """The flagged windows as terminal warnings (nothing when none is flagged)."""
    from sqops.render.console import para

    texts = _load_texts(plan, lang)
    if not texts or plan.load is None:
        return []
    out: list[Any] = [
        para(
            f"⚠ {_t('load', lang)}: {_t('load_limit', lang).format(m=plan.load.limit)}",
            style="bold yellow",
        )
    ]
    out += [para(f"  ⚠ {x}", style="yellow") for x in texts]
    return out


def render(plan: Plan, fmt: str, lang: str, *, remind_minutes: int = REMIND_MINUTES) -> bytes:
    """The plan in a file format (not ``table``), as bytes to write."""
    if fmt == "md":
        return to_markdown(plan, lang).encode("utf-8")
    if fmt == "csv":
        return to_csv(plan, lang).encode("utf-8")
    if fmt == "json":
        return to_json(plan, lang).encode("utf-8")
    if fmt == "ics":
        return to_ics(plan, lang, remind_minutes)
    if fmt == "html":
        return to_html(plan, lang).encode("utf-8")
    if fmt == "xlsx":
        from sqops.plan.xlsx import to_xlsx

        return to_xlsx(plan, lang)
    raise ValueError(fmt)


# ------------------------------------------------------------------ --by owner
BY_OWNER_FORMATS: tuple[str, ...] = ("table", "md", "csv", "ics", "json", "html", "xlsx")


def _person_title(person: str | None, lang: str) -> str:
    return person if person is not None else _t("nobody", lang)


def single_person(plan: Plan, person: str | None, day: PersonDay | None = None) -> Plan:
    """The same plan with only ``person``'s items, in the groups where they have some, and only
    the load windows of that person (for ``--by owner -o DIR/``); ``day`` is that person's
    :func:`sqops.plan.by_person` entry when the caller has it (no pass over the whole plan)."""
    mine: dict[str, list[Occurrence]] = {}
    if day is not None:
        for o, group_id, _ in day.items:
            mine.setdefault(group_id, []).append(o)
        for occs in mine.values():
            occs.sort(key=Occurrence.sort_key)
    else:
        for gp in plan.groups:
            occs = [o for o in gp.occurrences if o.responsible == person]
            if occs:
                mine[gp.group.id] = occs
    groups = [
        GroupPlan(gp.group, gp.launched_on, mine[gp.group.id], [], list(gp.notes))
        for gp in plan.groups
        if gp.group.id in mine
    ]
    load = None
    if plan.load is not None:
        load = Load(plan.load.limit, [w for w in plan.load.windows if w.person == person])
    return Plan(
        plan.community, plan.timezone, plan.start, plan.days, plan.lang, groups, plan.calendar,
        plan.holiday_data_until, list(plan.notices), plan.rendered, load,
    )  # fmt: skip


def _person_days(
    pd: PersonDay,
) -> list[tuple[dt.date, list[tuple[Occurrence, str, str]]]]:
    out: dict[dt.date, list[tuple[Occurrence, str, str]]] = {}
    for row in pd.items:
        out.setdefault(row[0].date, []).append(row)
    return sorted(out.items())


def _group_label(group_id: str, name: str) -> str:
    return name if name == group_id else f"{name} ({group_id})"


def people_markdown(plan: Plan, lang: str) -> str:
    """``--by owner``: one section per person, each day a table of time, group and item."""
    out: list[str] = [
        f"# {_t('title', lang)} · {_t('by_owner', lang)} · {md.escape(plan.community)}",
        "",
        "- "
        + _t("window", lang).format(
            a=plan.start.isoformat(), b=plan.last.isoformat(), n=plan.days, tz=plan.timezone
        ),
        "",
    ]
    for n in plan.notices:
        out += [f"> ⚠️ {md.escape(n.get(lang))}", ""]
    out += _md_load(plan, lang)
    people = by_person(plan)
    if not people:
        out += [_t("nothing", lang), ""]
    for pd in people:
        out += [f"## {md.escape(_person_title(pd.person, lang))}", ""]
        out += [f"- {_t('person_items', lang).format(n=len(pd.items), p=pd.pushes)}", ""]
        for d, rows in _person_days(pd):
            out += [f"### {d.isoformat()} {_weekday(d, lang)}", ""]
            out += md.table(
                [_t("time", lang), _t("group", lang), _t("item", lang), _t("kind", lang)],
                [
                    [_hm(o.time), _group_label(gid, gname), o.title, _kind(o, lang)]
                    for o, gid, gname in rows
                ],
            )
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def people_csv(plan: Plan, lang: str) -> str:
    """``--by owner``: one row per item, by person, then date and time."""
    header, rows = people_rows(plan, lang)
    return csv_text(header, [[_hm_cell(v) for v in r] for r in rows])


def people_rows(plan: Plan, lang: str) -> tuple[list[str], list[list[object]]]:
    """:func:`people_csv`'s header and rows as data (the date a ``date``, the time, column 2,
    a ``time``)."""
    keys = [
        "person", "date", "time", "weekday", "group_id", "group_name", "item_id", "title",
        "kind", "owner", "source",
    ]  # fmt: skip
    header = [(L["item" if k == "title" else k].get(lang) if lang == "zh" else k) for k in keys]
    rows: list[list[object]] = []
    for pd in by_person(plan):
        for o, gid, gname in pd.items:
            rows.append(
                [
                    pd.person or "",
                    o.date,
                    o.time,
                    _weekday(o.date, lang),
                    gid,
                    gname,
                    o.item_id,
                    o.title,
                    _kind(o, lang),
                    ROLE_NAMES[o.owner].get(lang) if o.owner in ROLE_NAMES else "",
                    SOURCE_NAMES[o.source].get(lang),
                ]
            )
    return header, rows


def people_data(plan: Plan, lang: str) -> S.PlanDoc:
    """``--by owner``: the plan's JSON with ``people`` (each person's day)."""
    doc = to_data(plan, lang)
    doc["people"] = [
        {
            "person": pd.person,
            "pushes": pd.pushes,
            "items": [
                {
                    "date": o.date.isoformat(),
                    "time": _hm(o.time),
                    "group_id": gid,
                    "group_name": gname,
                    "item_id": o.item_id,
                    "title": o.title,
                    "kind": o.kind,
                    "source": o.source,
                }
                for o, gid, gname in pd.items
            ],
        }
        for pd in by_person(plan)
    ]
    return doc


def people_html(plan: Plan, lang: str) -> str:
    """``--by owner``: a page with one section per person (``templates/plan_people.html.j2``)."""
    from sqops.render.html import render as render_html

    people = [
        (
            _person_title(pd.person, lang),
            _t("person_items", lang).format(n=len(pd.items), p=pd.pushes),
            [
                (
                    f"{d.isoformat()} {_weekday(d, lang)}",
                    [
                        (_hm(o.time), _group_label(gid, gname), o.title, _kind(o, lang), o.kind)
                        for o, gid, gname in rows
                    ],
                )
                for d, rows in _person_days(pd)
            ],
        )
        for pd in by_person(plan)
    ]
    t = {k: _t(k, lang) for k in ("title", "by_owner", "time", "group", "item", "kind", "nothing")}
    window = _t("window", lang).format(
        a=plan.start.isoformat(), b=plan.last.isoformat(), n=plan.days, tz=plan.timezone
    )
    return render_html(
        "plan_people.html.j2",
        lang=lang,
        community=plan.community,
        t=t,
        window=window,
        notices=[n.get(lang) for n in plan.notices],
        load=_html_load(plan, lang),
        people=people,
    )


def people_renderables(plan: Plan, lang: str) -> list[Any]:
    """``--by owner`` on the terminal: the load warnings, then one table per person."""
    from sqops.render.console import Fit, Table, Text, para

    out: list[Any] = [
        Text(f"{_t('title', lang)} · {_t('by_owner', lang)} · {plan.community}", style="bold"),
        Text(
            _t("window", lang).format(
                a=plan.start.isoformat(), b=plan.last.isoformat(), n=plan.days, tz=plan.timezone
            )
        ),
    ]
    for n in plan.notices:
        out.append(para(f"⚠ {n.get(lang)}", style="yellow"))
    out += _load_renderables(plan, lang)
    people = by_person(plan)
    if not people:
        out.append(Text(_t("nothing", lang)))
    for pd in people:
        table = Table(
            title=f"{_person_title(pd.person, lang)} · "
            + _t("person_items", lang).format(n=len(pd.items), p=pd.pushes),
            show_lines=False,
        )
        table.add_column(_t("date", lang), no_wrap=True)
        table.add_column(_t("time", lang), no_wrap=True)
        table.add_column(_t("group", lang))
        table.add_column(_t("item", lang), overflow="fold")
        table.add_column(_t("kind", lang), no_wrap=True)
        for d, rows in _person_days(pd):
            for k, (o, gid, gname) in enumerate(rows):
                table.add_row(
                    f"{d.isoformat()} {_weekday(d, lang)}" if k == 0 else "",
                    _hm(o.time),
                    _group_label(gid, gname),
                    o.title,
                    _kind(o, lang),
                    end_section=k == len(rows) - 1,
                )
        out.append(Fit(table, key=3))
    return out


def render_people(
    plan: Plan, fmt: str, lang: str, *, remind_minutes: int = REMIND_MINUTES
) -> bytes:
    """``--by owner`` in a file format (not ``table``), as bytes to write; ``ics`` is the
    calendar of the plan's items as given (one person's with :func:`single_person`)."""
    if fmt == "md":
        return people_markdown(plan, lang).encode("utf-8")
    if fmt == "csv":
        return people_csv(plan, lang).encode("utf-8")
    if fmt == "json":
        return (json_text(people_data(plan, lang), default=str) + "\n").encode("utf-8")
    if fmt == "ics":
        return to_ics(plan, lang, remind_minutes)
    if fmt == "html":
        return people_html(plan, lang).encode("utf-8")
    if fmt == "xlsx":
        from sqops.plan.xlsx import people_xlsx

        return people_xlsx(plan, lang)
    raise ValueError(fmt)
