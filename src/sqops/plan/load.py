"""Per-person load: who posts each planned item, and who posts too much in 10 minutes.

**Who is responsible** for an item of a group (one rule, used by the plan, ``--by owner``,
the ``person-load`` lint rule and the adherence per-person table), first match wins:

1. the item's own ``person:`` (a named person for this item);
2. the group's ``vars.owner``, when the item's ``owner`` role is ``owner`` or the item names
   no role (the group names the person who runs it);
3. the item's ``owner`` role in ``roles:``: its ``name``, else its only member's chat id, else
   (several members, no name) the role itself, e.g. ``content``, as one party;
4. nobody (``None``): the item is not counted for anyone.

**Load**: a person's pushes (items of every kind but ``review``, as ``max_posts_per_day``)
across all groups, at their local date and time. Windows are half-open ``[t, t + 10 min)``
starting at a push ``t`` (09:00 and 09:09 are in the same 10 minutes, 09:00 and 09:10 are
not). A person's pushes are scanned in time order; when the window starting at a push holds
more than ``rules.max_pushes_per_person_10min`` pushes, it is flagged and the scan goes on
from the first push at or after its end, so the flagged windows never overlap.

Pure Python, no clock; see docs/plan.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqops.i18n import T
from sqops.sop.model import is_push

if TYPE_CHECKING:
    from sqops.plan._model import Occurrence, Plan
    from sqops.sop.model import Sop

#: the length of "the same 10 minutes"
WINDOW = dt.timedelta(minutes=10)
#: the role a group's ``vars.owner`` stands for
GROUP_OWNER_ROLE = "owner"

#: a push as the window scan reads it: (local start, group id, item id)
Push = tuple[dt.datetime, str, str]


def role_person(sop: Sop, role: str | None) -> str | None:
    """The person a role stands for: its ``name``, else its only member, else the role id
    (a team with several members and no name); None when the SOP has no such role or it
    names nobody."""
    if role is None:
        return None
    r = sop.role(role)
    if r is None:
        return None
    if r.name:
        return r.name
    if len(r.members) == 1:
        return r.members[0]
    return r.role if r.members else None


def group_owner(vars_: Mapping[str, Any]) -> str | None:
    """A group's ``vars.owner`` as a person (None: not set or empty)."""
    v = vars_.get("owner")
    if v is None or isinstance(v, bool):
        return None
    text = str(v).strip()
    return text or None


def responsible(
    sop: Sop, item_person: str | None, item_role: str | None, vars_: Mapping[str, Any]
) -> str | None:
    """Who posts an item with ``person:`` ``item_person`` and ``owner:`` ``item_role`` in a
    group with ``vars_`` (the precedence in the module's docstring)."""
    if item_person:
        return item_person
    if item_role in (None, GROUP_OWNER_ROLE):
        named = group_owner(vars_)
        if named is not None:
            return named
    return role_person(sop, item_role)


class People:
    """:func:`responsible` for the occurrences of a plan, each item and role looked up once."""

    def __init__(self, sop: Sop) -> None:
        self.sop = sop
        self._items: dict[tuple[Any, ...], tuple[str | None, str | None]] = {}

    def _item(self, path: tuple[Any, ...]) -> tuple[str | None, str | None]:
        got = self._items.get(path)
        if got is None:
            item = getattr(self.sop.cadence, path[1])[path[2]]
            got = self._items[path] = (item.person, item.owner)
        return got

    def of(self, item_path: tuple[Any, ...], vars_: Mapping[str, Any]) -> str | None:
        """Who posts the cadence item at ``item_path`` (``("cadence", key, index)``) in a
        group with ``vars_``."""
        person, role = self._item(item_path)
        return responsible(self.sop, person, role, vars_)


@dataclass(frozen=True, slots=True)
class LoadWindow:
    """A flagged window: ``pushes`` of one person in ``[start, end)``, across ``groups``."""

    person: str
    start: dt.datetime  # local, naive (the SOP's timezone)
    end: dt.datetime
    pushes: int
    groups: tuple[str, ...]  # sorted group ids
    items: tuple[tuple[str, str], ...] = ()  # (group id, item id) of the pushes, sorted

    def text(self, limit: int) -> T:
        return T(
            "{p} 在 {a}–{b} 要发 {n} 条（{g} 个群），超过每人 10 分钟上限 {m} 条",
            "{p} has {n} pushes in {a}–{b} ({g} group(s)), more than the limit of {m} per "
            "person in 10 minutes (rules.max_pushes_per_person_10min)",
        ).format(
            p=self.person,
            a=self.start.strftime("%Y-%m-%d %H:%M"),
            b=self.end.strftime("%H:%M"),
            n=self.pushes,
            g=len(self.groups),
            m=limit,
        )

    def covers(self, group_id: str, item_id: str, at: dt.datetime) -> bool:
        """Is the push of ``item_id`` in ``group_id`` at ``at`` (local) one of this window's?"""
        return self.start <= at < self.end and (group_id, item_id) in self.items


@dataclass(slots=True)
class Load:
    """The plan's per-person load: the limit and the flagged windows (by person, then time)."""

    limit: int
    windows: list[LoadWindow] = field(default_factory=list)

    def of_group(self, group_id: str) -> Load:
        """The windows with a push of ``group_id`` (for a one-group file of ``-o DIR/``)."""
        return Load(self.limit, [w for w in self.windows if group_id in w.groups])


def busy_windows(person: str, pushes: Iterable[Push], limit: int) -> list[LoadWindow]:
    """The flagged windows of one person's pushes (any order): see the module's docstring."""
    xs = sorted(pushes)
    out: list[LoadWindow] = []
    i, n = 0, len(xs)
    while i < n:
        start = xs[i][0]
        end = start + WINDOW
        j = i
        while j < n and xs[j][0] < end:
            j += 1
        if j - i > limit:
            inside = xs[i:j]
            out.append(
                LoadWindow(
                    person,
                    start,
                    end,
                    j - i,
                    tuple(sorted({g for _, g, _ in inside})),
                    tuple(sorted({(g, it) for _, g, it in inside})),
                )
            )
            i = j  # the next window starts at the first push at or after this one's end
        else:
            i += 1
    return out


def person_load(
    sop: Sop, occurrences: Iterable[tuple[Occurrence, Mapping[str, Any]]], limit: int | None = None
) -> Load:
    """The load of every person over ``occurrences`` (each with its group's vars)."""
    limit = sop.rules.max_pushes_per_person_10min if limit is None else limit
    people = People(sop)
    by_person: dict[str, list[Push]] = {}
    moments: dict[tuple[dt.date, dt.time], dt.datetime] = {}  # (few distinct ones)
    for o, vars_ in occurrences:
        if not is_push(o.kind):
            continue
        who = o.responsible if o.responsible is not None else people.of(o.item_path, vars_)
        if who is None:
            continue
        at = moments.get((o.date, o.time))
        if at is None:
            at = moments[(o.date, o.time)] = dt.datetime.combine(o.date, o.time)
        by_person.setdefault(who, []).append((at, o.group_id, o.item_id))
    windows: list[LoadWindow] = []
    for who in sorted(by_person):
        windows += busy_windows(who, by_person[who], limit)
    return Load(limit, windows)


def plan_load(sop: Sop, plan: Plan) -> Load:
    """The load of the plan's people, across all its groups."""
    return person_load(sop, ((o, gp.group.vars) for gp in plan.groups for o in gp.occurrences))


# ------------------------------------------------------------------ --by owner
@dataclass(frozen=True, slots=True)
class PersonDay:
    """One person's planned items across their groups, in time order (``--by owner``)."""

    person: str | None  # None: items nobody is responsible for
    items: tuple[tuple[Occurrence, str, str], ...]  # (occurrence, group id, group name)

    @property
    def pushes(self) -> int:
        return sum(1 for o, _, _ in self.items if is_push(o.kind))


def by_person(plan: Plan) -> list[PersonDay]:
    """Every person's items (date, time, group, title), people sorted by name; the items of
    nobody last. Uses ``Occurrence.responsible`` (filled by the expansion)."""
    rows: dict[str | None, list[tuple[Occurrence, str, str]]] = {}
    for gp in plan.groups:
        for o in gp.occurrences:
            rows.setdefault(o.responsible, []).append((o, gp.group.id, gp.group.name))
    names = sorted(k for k in rows if k is not None)
    order: Sequence[str | None] = [*names, None] if None in rows else names
    return [PersonDay(k, tuple(sorted(rows[k], key=_person_order))) for k in order]


def _person_order(row: tuple[Occurrence, str, str]) -> tuple[Any, ...]:
    """A person's day in order: date, time, group, then the plan's order of one minute."""
    o, group_id, _ = row
    return (o.date, o.time, group_id, *o.sort_key()[2:])
