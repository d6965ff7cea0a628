"""The plan as data: occurrences, per-day facts, conflicts, one schedule per group."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqops.domain.stages import lifecycle_day
from sqops.errors import Location
from sqops.i18n import T

if TYPE_CHECKING:
    from sqops.plan.load import Load

#: Where an occurrence comes from, in the order same-minute items are listed.
SOURCES: tuple[str, ...] = ("lifecycle", "campaign", "countdown", "monthly", "weekly", "daily")

SOURCE_NAMES: dict[str, T] = {
    "lifecycle": T("建群节点", "lifecycle"),
    "campaign": T("活动", "campaign"),
    "countdown": T("倒计时", "countdown"),
    "monthly": T("每月", "monthly"),
    "weekly": T("每周", "weekly"),
    "daily": T("每日", "daily"),
}

KIND_NAMES: dict[str, T] = {
    "activation": T("促活", "activation"),
    "conversion": T("转化", "conversion"),
    "brand": T("品牌", "brand"),
    "review": T("复盘", "review"),
    "service": T("服务", "service"),
    "other": T("其他", "other"),
}

ROLE_NAMES: dict[str, T] = {
    "owner": T("群主", "owner"),
    "admin": T("管理员", "admin"),
    "content": T("内容官", "content"),
    "events": T("活动策划", "events"),
    "support": T("客服", "support"),
    "helper": T("助手", "helper"),
}


@dataclass(frozen=True, slots=True)
class GroupInfo:
    """A group (or store) that gets its own schedule."""

    id: str
    name: str
    launched_on: dt.date | None
    vars: dict[str, Any] = field(default_factory=dict)
    where: Location | None = None  # where it was declared (SOP key or CSV row)

    def context(self) -> dict[str, Any]:
        """The ``group`` variable of a script."""
        return {
            "id": self.id,
            "name": self.name,
            "launched_on": self.launched_on,
            "vars": dict(self.vars),
        }


@dataclass(frozen=True, slots=True)
class DayInfo:
    """What the official calendar says about a date (``status`` None: beyond the data)."""

    date: dt.date
    status: str | None  # "holiday" | "workday" | "weekend" (an ordinary day off) | None (unknown)
    holiday: str | None = (
        None  # festival key, e.g. national_day, on a holiday or an adjusted workday
    )
    adjusted: bool = False  # 调休: a Saturday/Sunday that is a working day
    #: the year's 调休 arrangement is not announced: a make-up day off or a weekend around a
    #: holiday, whose status is by rule and may change (sqops.plan._holidays)
    provisional: bool = False

    @property
    def known(self) -> bool:
        return self.status is not None

    def label(self, lang: str) -> str:
        """``国庆节`` / ``调休上班（国庆节）`` / ``""``; ``节假日数据未覆盖`` when unknown."""
        from sqops.domain.calendar import HOLIDAY_NAMES

        if self.status is None:
            return T("节假日数据未覆盖", "no holiday data").get(lang)
        name = HOLIDAY_NAMES.get(self.holiday or "", T(self.holiday or "", self.holiday or "")).get(
            lang
        )
        if self.status == "holiday":
            if self.provisional:
                return (
                    T("{n}（按规则推定，待公布）", "{n} (by rule, not yet announced)")
                    .format(n=name)
                    .get(lang)
                )
            return name
        if self.adjusted:
            return T("调休上班（{n}）", "adjusted workday ({n})").format(n=name).get(lang)
        return ""


@dataclass(slots=True)
class Occurrence:
    """One dated item of a group's schedule."""

    group_id: str
    item_id: str
    source: str  # one of SOURCES
    date: dt.date
    time: dt.time
    day_index: int  # days since the group's launch day (0 = launch day)
    stage: str  # launch | activation | monetisation | retention
    title: str
    kind: str
    owner: str | None  # role
    person: str | None  # named person (explicit, else the role's name)
    script_name: str | None
    script: str | None = None  # rendered text (None until rendered, or no script)
    campaign_id: str | None = None
    countdown: int | None = None  # days left (countdown reminders only)
    notes: list[T] = field(default_factory=list)
    item_where: Location | None = None
    item_path: tuple[Any, ...] = ()  # key path of the cadence item in the SOP
    responsible: str | None = None  # who posts it in this group (sqops.plan.load.responsible)

    @property
    def weekday(self) -> int:
        """0 = Monday … 6 = Sunday."""
        return self.date.weekday()

    @property
    def lifecycle_day(self) -> int:
        """Day 1 = launch day (the day number people read)."""
        return lifecycle_day(self.day_index)

    def sort_key(self) -> tuple[Any, ...]:
        return (self.date, self.time, SOURCES.index(self.source), self.item_id)


@dataclass(frozen=True, slots=True)
class Conflict:
    """A rule broken on one date only (e.g. a campaign on top of the daily items)."""

    group_id: str
    date: dt.date
    rule: str  # quiet-hours | posts-per-day | same-minute
    text: T
    item_ids: tuple[str, ...] = ()


@dataclass(slots=True)
class GroupPlan:
    group: GroupInfo
    launched_on: dt.date
    occurrences: list[Occurrence] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    notes: list[T] = field(default_factory=list)


@dataclass(slots=True)
class Plan:
    """A dated schedule for every group, over ``[start, end)`` in the SOP's timezone."""

    community: str
    timezone: str
    start: dt.date
    days: int
    lang: str
    groups: list[GroupPlan]
    calendar: dict[dt.date, DayInfo]
    #: last day of the last year whose 调休 arrangement is known (China; None elsewhere)
    holiday_data_until: dt.date | None
    notices: list[T] = field(default_factory=list)
    rendered: bool = False
    load: Load | None = None  # per-person pushes in 10 minutes (build_plan fills it)

    @property
    def end(self) -> dt.date:
        """First day after the window."""
        return self.start + dt.timedelta(days=self.days)

    @property
    def last(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    def dates(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range(self.days)]

    @property
    def occurrence_count(self) -> int:
        return sum(len(g.occurrences) for g in self.groups)
