"""Plan against practice as Excel sheets (``sqops adherence --format xlsx``, and the section of
``sqops report --sop --format xlsx``).

Only assembly: the figures are the model's (:class:`~sqops.adherence.Adherence`), the words
and columns those of the Markdown tables (``adherence/render.py``); one sheet per table, the
groups' tables stacked in one sheet with a scope and group column to filter on: execution,
by person, cadence items, content mix, the community clock.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqops.i18n import T
from sqops.render.words import GROUP_ID, GROUP_NAME
from sqops.render.xlsx import Column, Sheet, workbook_bytes

if TYPE_CHECKING:
    from sqops.adherence._model import Adherence, Scope

#: the sheets' names (Excel's limit: 31 characters)
SHEETS: dict[str, T] = {
    "summary": T("执行率", "Execution"),
    "people": T("各负责人", "By person"),
    "items": T("条目效果", "Cadence items"),
    "mix": T("内容配比", "Content mix"),
    "clock": T("社群生物钟", "Community clock"),
}
_SCOPE = T("范围", "scope")
_ITEM_ID = T("条目ID", "item_id")


def _scopes(adh: Adherence, lang: str) -> list[tuple[str, str | None, str | None, Scope]]:
    from sqops.adherence.render import w

    out: list[tuple[str, str | None, str | None, Scope]] = [
        (w("fleet", lang), None, None, adh.fleet)
    ]
    out += [(w("group", lang), g.group_id, g.name, g.scope) for g in adh.groups]
    return out


def adherence_sheets(adh: Adherence, lang: str | None = None) -> list[Sheet]:
    """The sheets, in the order of the Markdown's tables."""
    from sqops.adherence.render import _count_keys, _kind, _label, w

    lang = lang or adh.lang
    ids = [Column(GROUP_ID.get(lang)), Column(GROUP_NAME.get(lang))]
    keys = _count_keys(adh.fleet.counts)
    cols = [*ids, Column(w("days", lang), "int")]
    cols += [Column(_label(k, lang), "int") for k in keys]
    cols += [Column(w("on_time_rate", lang), "percent"), Column(w("done_rate", lang), "percent")]

    def counts(days: int, c: Any) -> list[object]:
        return [days, *(getattr(c, k) for k in keys), c.on_time_rate, c.done_rate]

    rows: list[list[object]] = [
        [g.group_id, g.name, *counts(g.scope.discipline.days, g.counts)] for g in adh.groups
    ]
    rows.append([w("fleet", lang), None, *counts(adh.fleet.discipline.days, adh.fleet.counts)])
    out = [Sheet(SHEETS["summary"].get(lang), cols, rows)]
    if adh.people:
        internal = any(p.not_checkable for p in adh.people)
        pk = ("planned", "on_time", "late", "early", "missed") + (
            ("not_checkable",) if internal else ()
        )
        cols = [Column(w("person", lang)), Column(w("groups", lang), "int")]
        cols += [Column(_label(k, lang), "int") for k in pk]
        cols += [Column(w("on_time_rate", lang), "percent")]
        cols += [Column(w("done_rate", lang), "percent")]
        rows = [
            [p.person if p.person is not None else w("nobody", lang), p.groups]
            + [getattr(p, k) for k in pk]
            + [p.on_time_rate, p.done_rate]
            for p in adh.people
        ]
        out.append(Sheet(SHEETS["people"].get(lang), cols, rows))
    scopes = _scopes(adh, lang)
    # cadence items of the fleet and every group
    statuses = ("on_time", "late", "early", "missed", "not_checkable")
    cols = [Column(_SCOPE.get(lang)), *ids, Column(w("item", lang)), Column(_ITEM_ID.get(lang))]
    cols += [Column(w("time", lang)), Column(w("planned", lang), "int")]
    cols += [Column(_label(k, lang), "int") for k in statuses]
    cols += [Column(w("on_time_rate", lang), "percent"), Column(w("replies", lang), "number")]
    cols += [Column(w("silent", lang), "percent")]
    if adh.opens_available:
        cols.append(Column(w("opens", lang), "number"))
    cols.append(Column(w("bottom", lang)))
    rows = []
    for scope_name, gid, gname, scope in scopes:
        for i in scope.items:
            r: list[object] = [scope_name, gid, gname, i.title, i.item_id, i.time, i.planned]
            r += [getattr(i, k) for k in statuses]
            r += [i.on_time_rate, i.median_replies, i.silent_share]
            if adh.opens_available:
                r.append(i.median_opens)
            r.append(w("bottom_mark", lang) if i.bottom else None)
            rows.append(r)
    out.append(Sheet(SHEETS["items"].get(lang), cols, rows))
    cols = [Column(_SCOPE.get(lang)), *ids, Column(w("kind", lang))]
    cols += [Column(w(k, lang), "percent") for k in ("target", "planned_share", "actual_share")]
    cols += [Column(w("posts", lang), "int"), Column(w("deviation", lang), "percent")]
    cols += [Column(w("off", lang))]
    rows = []
    for scope_name, gid, gname, scope in scopes:
        for m in scope.discipline.mix:
            r = [scope_name, gid, gname, _kind(m.kind, lang), m.target, m.planned_share]
            r += [m.actual_share, m.actual_posts, m.deviation, "⚠" if m.off else None]
            rows.append(r)
    out.append(Sheet(SHEETS["mix"].get(lang), cols, rows))
    cols = [Column(w("hour", lang), "time")]
    cols += [Column(w(k, lang), "percent") for k in ("member_share", "staff_share")]
    cols += [Column(w("replies", lang), "number"), Column(w("silent", lang), "percent")]
    rows = [
        [dt.time(h.hour), h.member_share, h.staff_share, h.median_replies, h.silent_share]
        for h in adh.fleet.clock.hours
    ]
    out.append(Sheet(SHEETS["clock"].get(lang), cols, rows))
    return out


def to_xlsx(adh: Adherence, lang: str | None = None) -> bytes:
    """``sqops adherence --format xlsx``: the sheets, dated the as-of day (not the clock)."""
    return workbook_bytes(adherence_sheets(adh, lang), dt.datetime.combine(adh.as_of, dt.time()))
