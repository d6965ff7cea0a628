"""What the adherence pages show beyond the model's tables, as data: the planned-vs-done
calendar of a group (one column per cadence item, one row per day, the unplanned posts).

The renderers only format it (symbols, tooltips); the grouping of the per-row detail by day
and item is done here once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqops.adherence._model import DayRow, GroupAdherence


@dataclass(frozen=True, slots=True)
class Cell:
    status: str  # on_time | late | early | missed | not_checkable
    delta_min: float | None  # minutes from the planned time (None: not posted)
    posted: str  # HH:MM:SS local, "" when missed


@dataclass(frozen=True, slots=True)
class CalendarItem:
    item_id: str
    title: str
    time: str


@dataclass(frozen=True, slots=True)
class CalendarDay:
    row: DayRow
    cells: tuple[Cell | None, ...]  # one per calendar item (None: not planned that day)
    unplanned: tuple[tuple[str, str], ...]  # (posted HH:MM, post title or id)


@dataclass(frozen=True, slots=True)
class Calendar:
    items: tuple[CalendarItem, ...]  # by planned time, then item id
    days: tuple[CalendarDay, ...]


def calendar(g: GroupAdherence) -> Calendar:
    """The group's calendar: each covered day against each cadence item."""
    items = sorted(
        (CalendarItem(i.item_id, i.title, i.time) for i in g.scope.items),
        key=lambda x: (x.time, x.item_id),
    )
    cells: dict[tuple[dt.date, str], Cell] = {}
    unplanned: dict[dt.date, list[tuple[str, str]]] = {}
    for r in g.rows.iter_rows(named=True):
        if r["item_id"] is None:
            unplanned.setdefault(r["day"], []).append(
                ((r["posted"] or "")[:5], r["post_title"] or r["post_id"])
            )
        else:
            cells[(r["day"], r["item_id"])] = Cell(r["status"], r["delta_min"], r["posted"] or "")
    days = tuple(
        CalendarDay(
            d,
            tuple(cells.get((d.day, i.item_id)) for i in items),
            tuple(unplanned.get(d.day, ())),
        )
        for d in g.days
    )
    return Calendar(tuple(items), days)
