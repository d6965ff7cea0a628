"""The lifecycle stages of a group (spec §2, "Stages"), by day index (0 = the launch day).

| stage | days (index) | evaluated window |
|---|---|---|
| launch 初建期 | [0, 7) | its days up to as-of |
| activation 激活期 | [7, 30) | its days up to as-of |
| monetisation 变现期 | [30, 90) | its days up to as-of |
| retention 留存期 | [90, ∞) | the last 28 days up to as-of, not before day 90 |
| propagation 传播期 | [0, ∞) | all days up to as-of |
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqops.i18n import T

StageStatus = Literal["not_started", "in_progress", "complete"]


@dataclass(frozen=True, slots=True)
class StageDef:
    """One stage: its span of day indexes and the window its KPIs are evaluated over."""

    name: str
    label: T
    first: int  #: first day index of the stage
    last: int | None  #: last day index (inclusive); None = open-ended
    #: the stage is part of the lifecycle (a group is in exactly one of these on any day);
    #: propagation runs beside them from day 0
    lifecycle: bool = True
    #: evaluate over only the last N days up to as-of (not before ``first``); None = all
    trailing: int | None = None

    def started(self, index: int) -> bool:
        """Has a group whose as-of day index is ``index`` reached this stage?"""
        return index >= self.first

    def contains(self, index: int) -> bool:
        return self.first <= index and (self.last is None or index <= self.last)

    def status(self, index: int) -> StageStatus:
        if index < self.first:
            return "not_started"
        if self.last is None or index < self.last:
            return "in_progress"
        return "complete"

    def window(self, d0: int, as_of: int) -> tuple[int, int] | None:
        """The evaluated window ``(a, b)`` (day numbers, inclusive) of a group whose day 0 is
        day number ``d0`` when the report is as of day number ``as_of``; None before the
        stage starts. Day numbers may be any consistent count of days (ordinals, epoch days)."""
        if not self.started(as_of - d0):
            return None
        a = d0 + self.first
        if self.trailing is not None:
            a = max(a, as_of - self.trailing + 1)
        b = as_of if self.last is None else min(d0 + self.last, as_of)
        return a, b

    def span(self, d0: int) -> tuple[int, int | None]:
        """The stage's whole span as day numbers (for a stage not started yet)."""
        return d0 + self.first, None if self.last is None else d0 + self.last


STAGES: tuple[StageDef, ...] = (
    StageDef("launch", T("初建期", "launch"), 0, 6),
    StageDef("activation", T("激活期", "activation"), 7, 29),
    StageDef("monetisation", T("变现期", "monetisation"), 30, 89),
    StageDef("retention", T("留存期", "retention"), 90, None, trailing=28),
    StageDef("propagation", T("传播期", "propagation"), 0, None, lifecycle=False),
)
STAGE: dict[str, StageDef] = {s.name: s for s in STAGES}
STAGE_NAMES: tuple[str, ...] = tuple(STAGE)
#: the stages a group passes through one after another (its "current stage" is one of these)
LIFECYCLE: tuple[str, ...] = tuple(s.name for s in STAGES if s.lifecycle)


def lifecycle_day(day_index: int) -> int:
    """The day number people read (spec §2, "Group days and membership"): 第 N 天 / day N
    with N = day index + 1, so the launch day (day index 0) is day 1. Every plan, report,
    adherence and script text shows this number; machine output that carries the 0-based
    index names it ``day_index``."""
    return day_index + 1


def stage_of_index(day_index: int) -> str:
    """The lifecycle stage that contains a day index (0 = launch day; negative: launch)."""
    for name in LIFECYCLE:
        if STAGE[name].contains(day_index):
            return name
    return LIFECYCLE[0]
