"""The plan as an Excel workbook (``sqops plan --format xlsx``).

Only assembly: the rows and headers are the CSV's (:func:`sqops.plan.formats.schedule_rows`,
:func:`~sqops.plan.formats.people_rows`), with dates and times as Excel dates and times.
Sheets: every item of every group on one sheet (to filter), then one sheet per group
(``--by owner``: per person) when there are 2 to :data:`MAX_SHEETS` of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqops.i18n import T
from sqops.render.xlsx import Column, Sheet, workbook_bytes

if TYPE_CHECKING:
    from sqops.plan._model import Plan

#: at most this many per-group (per-person) sheets; with more, the first sheet alone
MAX_SHEETS = 50
SHEETS: dict[str, T] = {
    "all": T("排期", "Schedule"),
    "people": T("按负责人", "By owner"),
    "nobody": T("未指定负责人", "nobody responsible"),
}


def _columns(header: Sequence[str], date_col: int) -> list[Column]:
    kinds = {date_col: "date", date_col + 1: "time"}
    return [Column(h, kinds.get(i, "text")) for i, h in enumerate(header)]


def _created(plan: Plan) -> dt.datetime:
    """The workbook's date: the plan's first day (never the clock: the same bytes)."""
    return dt.datetime.combine(plan.start, dt.time())


def plan_sheets(plan: Plan, lang: str) -> list[Sheet]:
    from sqops.plan.formats import schedule_rows

    header, rows = schedule_rows(plan, lang)
    cols = _columns(header, 2)
    out = [Sheet(SHEETS["all"].get(lang), cols, rows)]
    if 1 < len(plan.groups) <= MAX_SHEETS:
        for gp in plan.groups:
            mine = [r for r in rows if r[0] == gp.group.id]
            out.append(Sheet(gp.group.name or gp.group.id, cols, mine))
    return out


def to_xlsx(plan: Plan, lang: str) -> bytes:
    return workbook_bytes(plan_sheets(plan, lang), _created(plan))


def people_xlsx(plan: Plan, lang: str) -> bytes:
    """``--by owner``: every person's items on one sheet, then a sheet per person."""
    from sqops.plan.formats import people_rows

    header, rows = people_rows(plan, lang)
    cols = _columns(header, 1)
    sheets = [Sheet(SHEETS["people"].get(lang), cols, rows)]
    people = list(dict.fromkeys(str(r[0]) for r in rows))
    if 1 < len(people) <= MAX_SHEETS:
        for person in people:
            mine = [r for r in rows if r[0] == person]
            sheets.append(Sheet(person or SHEETS["nobody"].get(lang), cols, mine))
    return workbook_bytes(sheets, _created(plan))
