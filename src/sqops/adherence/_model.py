"""The adherence check as data: plan-vs-practice counts, discipline, effect, community clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

import polars as pl

from sqops.i18n import T

if TYPE_CHECKING:  # (the types of the JSON output: sqops.adherence.schema)
    from sqops.adherence import schema as S

SCHEMA_VERSION = 1

#: statuses of a row of the plan-vs-practice table
#: (``not_checkable``: a team-internal item, not pushed to the group, when the posts are
#: taken from chat messages: nothing in the chat can show it was done)
STATUSES: tuple[str, ...] = ("on_time", "late", "early", "missed", "not_checkable", "unplanned")

STATUS_NAMES: dict[str, T] = {
    "on_time": T("准时", "on time"),
    "late": T("迟发", "late"),
    "early": T("早发", "early"),
    "missed": T("漏发", "missed"),
    "not_checkable": T("无法从聊天核对", "not checkable from chat"),
    "unplanned": T("计划外", "unplanned"),
}

#: the columns of :attr:`GroupAdherence.rows` (one per planned item or unplanned post)
ROW_COLUMNS: tuple[str, ...] = (
    "group_id", "day", "item_id", "source", "title", "kind", "planned", "status", "post_id",
    "posted", "delta_min", "post_kind", "post_title", "replies_2h", "opens_48h", "quiet",
)  # fmt: skip


def _r(v: float | None, n: int = 4) -> float | None:
    return None if v is None else round(float(v), n)


def _div(a: float, b: float) -> float | None:
    return a / b if b else None


@dataclass
class Counts:
    """Planned items and posts of a group (or the fleet), by outcome."""

    planned: int = 0
    on_time: int = 0
    late: int = 0
    early: int = 0
    missed: int = 0
    unplanned: int = 0
    posts: int = 0
    not_due: int = 0  # planned on the last day after the data ends: not counted as planned
    #: planned internal items (not pushed to the group) that chat data cannot show: part of
    #: ``planned``, left out of the rates
    not_checkable: int = 0

    @property
    def checked(self) -> int:
        """Planned items that the data can show done or missed (the rates' denominator)."""
        return self.planned - self.not_checkable

    @property
    def done(self) -> int:
        return self.on_time + self.late + self.early

    @property
    def on_time_rate(self) -> float | None:
        """Execution rate 执行率: planned items done on time / planned items."""
        return _div(self.on_time, self.checked)

    @property
    def done_rate(self) -> float | None:
        return _div(self.done, self.checked)

    def fails_under(self, threshold: float) -> bool:
        """``--fail-under``: the on-time rate is below ``threshold`` (or there is none: nothing
        planned was due, which a CI check should not take for a pass)."""
        rate = self.on_time_rate
        return rate is None or rate < threshold

    @property
    def unplanned_share(self) -> float | None:
        return _div(self.unplanned, self.posts)

    def add(self, other: Counts) -> None:
        for f in (
            "planned", "on_time", "late", "early", "missed", "unplanned", "posts", "not_due",
            "not_checkable",
        ):  # fmt: skip
            setattr(self, f, getattr(self, f) + getattr(other, f))

    def to_dict(self) -> S.CountsDoc:
        return {
            "planned": self.planned,
            "on_time": self.on_time,
            "late": self.late,
            "early": self.early,
            "missed": self.missed,
            "unplanned": self.unplanned,
            "posts": self.posts,
            "not_due": self.not_due,
            "not_checkable": self.not_checkable,
            "done": self.done,
            "on_time_rate": _r(self.on_time_rate),
            "done_rate": _r(self.done_rate),
            "unplanned_share": _r(self.unplanned_share),
        }


@dataclass
class ItemEffect:
    """One cadence item: how it was executed and what it did to members."""

    item_id: str
    title: str
    source: str
    kind: str
    time: str  # HH:MM planned
    planned: int
    on_time: int
    late: int
    early: int
    missed: int
    matched_posts: int  # = on_time + late + early
    median_replies: float | None  # member messages within 2 h of its posts, median over posts
    median_opens: float | None  # distinct openers within 48 h, median over posts (None: no opens)
    mean_replies: float | None = None  # breaks ties of the median for the bottom 20%
    silent_share: float | None = None  # share of its posts drawing no reply within 2 h
    not_checkable: int = 0  # of ``planned``: internal, chat data cannot show it (Counts)
    bottom: bool = False  # in the bottom 20% by median replies

    @property
    def on_time_rate(self) -> float | None:
        return _div(self.on_time, self.planned - self.not_checkable)

    def to_dict(self) -> S.ItemDoc:
        return {
            "item_id": self.item_id,
            "title": self.title,
            "source": self.source,
            "kind": self.kind,
            "time": self.time,
            "planned": self.planned,
            "on_time": self.on_time,
            "late": self.late,
            "early": self.early,
            "missed": self.missed,
            "not_checkable": self.not_checkable,
            "matched_posts": self.matched_posts,
            "on_time_rate": _r(self.on_time_rate),
            "median_replies": _r(self.median_replies, 2),
            "mean_replies": _r(self.mean_replies, 2),
            "silent_share": _r(self.silent_share),
            "median_opens": _r(self.median_opens, 2),
            "bottom": self.bottom,
        }


@dataclass
class MixRow:
    kind: str
    target: float
    planned_share: float | None
    actual_share: float | None
    actual_posts: int

    @property
    def deviation(self) -> float | None:
        return None if self.actual_share is None else self.actual_share - self.target

    @property
    def off(self) -> bool:
        """More than 10 percentage points away from the target."""
        d = self.deviation
        return d is not None and abs(d) > MIX_TOLERANCE + 1e-9

    def to_dict(self) -> S.MixDoc:
        return {
            "kind": self.kind,
            "target": round(float(self.target), 4),
            "planned_share": _r(self.planned_share),
            "actual_share": _r(self.actual_share),
            "actual_posts": self.actual_posts,
            "deviation": _r(self.deviation),
            "off": self.off,
        }


MIX_TOLERANCE = 0.10


@dataclass
class QuietPost:
    day: dt.date
    time: str  # HH:MM local
    post_id: str
    title: str | None
    kind: str | None

    def to_dict(self) -> S.QuietPostDoc:
        return {
            "day": self.day.isoformat(),
            "time": self.time,
            "post_id": self.post_id,
            "title": self.title,
            "kind": self.kind,
        }


@dataclass
class Discipline:
    """Rules of the SOP against the posts: quiet hours, posts per day, content mix."""

    quiet_hours: str | None
    quiet_posts: int
    quiet_conversion: int
    quiet_list: list[QuietPost]  # the first ones (at most QUIET_LIST_MAX)
    max_posts_per_day: int
    over_days: list[tuple[str, dt.date, int]]  # (group_id, day, posts), by day
    days: int  # days covered
    mix: list[MixRow]
    other_kinds: dict[str, int]  # posts of other or unknown kind

    def to_dict(self) -> S.DisciplineDoc:
        return {
            "quiet_hours": self.quiet_hours,
            "quiet_posts": self.quiet_posts,
            "quiet_conversion": self.quiet_conversion,
            "quiet_list": [q.to_dict() for q in self.quiet_list],
            "max_posts_per_day": self.max_posts_per_day,
            "days": self.days,
            "over_days": [
                {"group_id": g, "day": d.isoformat(), "posts": n} for g, d, n in self.over_days
            ],
            "content_mix": [m.to_dict() for m in self.mix],
            "other_kinds": dict(sorted(self.other_kinds.items())),
        }


QUIET_LIST_MAX = 50


@dataclass
class HourRow:
    hour: int
    member_messages: int
    member_share: float | None
    staff_posts: int
    staff_share: float | None
    median_replies: float | None  # over the posts made in this hour
    silent_share: float | None = None  # share of the posts made in this hour with no reply in 2 h

    def to_dict(self) -> S.HourDoc:
        return {
            "hour": self.hour,
            "member_messages": self.member_messages,
            "member_share": _r(self.member_share),
            "staff_posts": self.staff_posts,
            "staff_share": _r(self.staff_share),
            "median_replies": _r(self.median_replies, 2),
            "silent_share": _r(self.silent_share),
        }


@dataclass
class Suggestion:
    item_id: str
    title: str
    time: str
    member_share: float | None  # share of member messages in the item's hour
    median_replies: float | None
    to_hours: list[int]

    def to_dict(self) -> S.SuggestionDoc:
        return {
            "item_id": self.item_id,
            "title": self.title,
            "time": self.time,
            "member_share": _r(self.member_share),
            "median_replies": _r(self.median_replies, 2),
            "to_hours": list(self.to_hours),
        }


@dataclass
class Clock:
    """The community clock 社群生物钟: when members talk vs when staff post."""

    hours: list[HourRow]
    top_hours: list[int]  # the hours with most member messages, outside quiet hours
    suggestions: list[Suggestion]

    def to_dict(self) -> S.ClockDoc:
        return {
            "hours": [h.to_dict() for h in self.hours],
            "top_hours": list(self.top_hours),
            "suggestions": [s.to_dict() for s in self.suggestions],
        }


@dataclass
class DayRow:
    day: dt.date
    label: str  # holiday label in the report language, or ""
    planned: int
    on_time: int
    late: int
    early: int
    missed: int
    unplanned: int

    def to_dict(self) -> S.DayDoc:
        return {
            "day": self.day.isoformat(),
            "label": self.label,
            "planned": self.planned,
            "on_time": self.on_time,
            "late": self.late,
            "early": self.early,
            "missed": self.missed,
            "unplanned": self.unplanned,
        }


@dataclass
class PersonAdherence:
    """The planned items one person is responsible for (``sqops.plan.responsible``, with each
    group's vars), across the groups checked, by outcome."""

    person: str | None  # None: items nobody is responsible for
    groups: int  # groups with at least one of their planned items
    planned: int = 0
    on_time: int = 0
    late: int = 0
    early: int = 0
    missed: int = 0
    not_checkable: int = 0

    @property
    def checked(self) -> int:
        return self.planned - self.not_checkable

    @property
    def on_time_rate(self) -> float | None:
        """on_time / (planned - not_checkable), as :attr:`Counts.on_time_rate`."""
        return _div(self.on_time, self.checked)

    @property
    def done_rate(self) -> float | None:
        return _div(self.on_time + self.late + self.early, self.checked)

    def to_dict(self) -> S.PersonDoc:
        return {
            "person": self.person,
            "groups": self.groups,
            "planned": self.planned,
            "on_time": self.on_time,
            "late": self.late,
            "early": self.early,
            "missed": self.missed,
            "not_checkable": self.not_checkable,
            "on_time_rate": _r(self.on_time_rate),
            "done_rate": _r(self.done_rate),
        }


@dataclass
class Scope:
    """What is reported for one group, and in the same shape for the whole fleet."""

    counts: Counts
    items: list[ItemEffect]
    discipline: Discipline
    clock: Clock

    def item(self, item_id: str) -> ItemEffect:
        return next(i for i in self.items if i.item_id == item_id)

    def to_dict(self) -> S.ScopeDoc:
        return {
            "counts": self.counts.to_dict(),
            "items": [i.to_dict() for i in self.items],
            "discipline": self.discipline.to_dict(),
            "clock": self.clock.to_dict(),
        }


@dataclass
class GroupAdherence:
    group_id: str
    name: str
    first_day: dt.date
    last_day: dt.date
    scope: Scope
    days_of: Callable[[], list[DayRow]]  # the calendar rows, built when first asked for
    rows: pl.DataFrame  # ROW_COLUMNS, sorted by day, time, planned order
    launched_on: dt.date | None = None  # the launch day (lifecycle day 1) the plan used

    @property
    def days(self) -> list[DayRow]:
        """One row per covered day: planned items and outcomes (the HTML calendar)."""
        return self.days_of()

    @property
    def counts(self) -> Counts:
        return self.scope.counts

    def to_dict(self, detail: bool = True) -> S.GroupDoc:
        out: S.GroupDoc = {
            "group_id": self.group_id,
            "name": self.name,
            "first_day": self.first_day.isoformat(),
            "last_day": self.last_day.isoformat(),
            **self.scope.to_dict(),
        }
        if detail:
            rows = []
            for r in self.rows.iter_rows(named=True):
                r = dict(r)
                r["day"] = r["day"].isoformat()
                r.pop("group_id", None)
                rows.append(r)
            out["days"] = [d.to_dict() for d in self.days]
            out["rows"] = cast("list[S.RowDoc]", rows)  # (ROW_COLUMNS as read)
        return out


@dataclass
class Adherence:
    """Plan against practice for every group and the fleet (see docs/adherence.md)."""

    community: str
    as_of: dt.date
    timezone: str
    tolerance_min: int
    basis: str  # "posts" (the posts table) | "messages" (staff messages)
    opens_available: bool
    lang: str
    groups: list[GroupAdherence]
    fleet: Scope
    notes: list[T] = field(default_factory=list)
    since: dt.date | None = None  # first day looked at (None: each group's first day of data)
    people: list[PersonAdherence] = field(default_factory=list)  # by person (sorted, None last)

    def group(self, group_id: str) -> GroupAdherence:
        return next(g for g in self.groups if g.group_id == group_id)

    def to_dict(self, lang: str | None = None, *, detail: bool = True) -> S.AdherenceDoc:
        """JSON-ready data; ``detail=False`` leaves out each group's ``days`` and ``rows``."""
        lg = lang or self.lang
        return {
            "schema_version": SCHEMA_VERSION,
            "community": self.community,
            "as_of": self.as_of.isoformat(),
            "since": self.since.isoformat() if self.since else None,
            "timezone": self.timezone,
            "tolerance_min": self.tolerance_min,
            "basis": self.basis,
            "opens_available": self.opens_available,
            "notes": [n.get(lg) for n in self.notes],
            "fleet": self.fleet.to_dict(),
            "people": [p.to_dict() for p in self.people],
            "groups": [g.to_dict(detail) for g in self.groups],
        }
