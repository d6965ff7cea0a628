"""The shape of ``sqops plan --format json`` (``schema_version`` 1), as types.

:func:`sqops.plan.formats.to_data` returns :class:`PlanDoc`; :func:`plan_schema` is generated
from it (``sqops schema plan``). See docs/plan.md.
"""

from __future__ import annotations

from typing import Annotated, Any, NotRequired

from pydantic import Field, with_config
from typing_extensions import TypedDict

from sqops.domain.stages import LIFECYCLE
from sqops.plan._model import SOURCES
from sqops.plan.formats import JSON_SCHEMA_VERSION
from sqops.render.json_schema import CLOSED, HHMM, Date, Lang, const, described, one_of, schema_of

Version = Annotated[int, const(JSON_SCHEMA_VERSION)]
Stage = Annotated[str, one_of(LIFECYCLE)]
Source = Annotated[str, one_of(SOURCES)]
Rule = Annotated[str, one_of(("quiet-hours", "posts-per-day", "same-minute"))]
DayStatus = Annotated[str, one_of(("holiday", "workday", "weekend"))]

Weekday = Annotated[int, Field(ge=1, le=7)]


@with_config(CLOSED)
class OccurrenceDoc(TypedDict):
    uid: Annotated[str, Field(pattern=r"^[0-9a-f]{32}@sqops$", description="iCalendar UID")]
    date: Date
    time: HHMM
    datetime: Annotated[str, Field(json_schema_extra={"format": "date-time"})]
    weekday: Annotated[Weekday, described("1 = Monday")]
    lifecycle_day: Annotated[int, Field(ge=1, description="launch day = 1")]
    stage: Stage
    source: Source
    item_id: str
    title: str
    kind: str
    owner: str | None
    person: str | None
    script_name: str | None
    script: str | None
    campaign_id: str | None
    countdown: Annotated[int, Field(ge=1)] | None
    notes: list[str]
    responsible: Annotated[
        str | None,
        described("who posts it in this group: person:, else vars.owner, else the role's person"),
    ]


@with_config(CLOSED)
class ConflictDoc(TypedDict):
    date: Date
    rule: Rule
    text: str
    item_ids: list[str]


@with_config(CLOSED)
class CalendarDayDoc(TypedDict):
    date: Date
    weekday: Weekday
    status: Annotated[DayStatus | None, described("null: beyond the holiday data")]
    holiday: str | None
    adjusted_workday: Annotated[bool, described("调休: a weekend day that is a working day")]
    label: str | None
    provisional: NotRequired[
        Annotated[
            bool,
            described(
                "present and true: the year's 调休 arrangement is not announced; a make-up day "
                "off or a weekend around a holiday, whose status may change"
            ),
        ]
    ]


@with_config(CLOSED)
class PlanGroupDoc(TypedDict):
    id: str
    name: str
    launched_on: Date
    vars: dict[str, Any]
    notes: list[str]
    occurrences: list[OccurrenceDoc]
    conflicts: list[ConflictDoc]


@with_config(CLOSED)
class LoadWindowDoc(TypedDict):
    """one person's pushes in [start, end), more than the limit"""

    person: str
    start: Annotated[str, described("local date and time YYYY-MM-DDTHH:MM (a push)")]
    end: Annotated[str, described("start + 10 minutes (not included)")]
    pushes: Annotated[int, Field(ge=2)]
    groups: list[str]
    item_ids: list[str]
    text: str


@with_config(CLOSED)
class LoadDoc(TypedDict):
    """per-person load: rules.max_pushes_per_person_10min and the flagged windows"""

    limit: Annotated[Annotated[int, Field(ge=1)] | None, described("null: not computed")]
    windows: list[LoadWindowDoc]


@with_config(CLOSED)
class PersonItemDoc(TypedDict):
    date: Date
    time: HHMM
    group_id: str
    group_name: str
    item_id: str
    title: str
    kind: str
    source: Source


@with_config(CLOSED)
class PersonDoc(TypedDict):
    person: Annotated[str | None, described("null: the items nobody is responsible for")]
    pushes: Annotated[int, Field(ge=0)]
    items: list[PersonItemDoc]


@with_config(CLOSED)
class PlanDoc(TypedDict):
    schema_version: Version
    community: str
    timezone: str
    start: Date
    end: Annotated[Date, described("last day of the plan (inclusive)")]
    days: Annotated[int, Field(ge=1)]
    lang: Lang
    holiday_data_until: Annotated[
        Date | None,
        described("last day of the last year whose 调休 arrangement is known; null outside China"),
    ]
    notices: list[str]
    calendar: list[CalendarDayDoc]
    groups: list[PlanGroupDoc]
    load: LoadDoc
    people: NotRequired[
        Annotated[list[PersonDoc], described("sqops plan --by owner: each person's day")]
    ]


def plan_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of ``sqops plan --format json`` (``schema_version`` 1)."""
    return schema_of(PlanDoc, title="sqops plan (JSON output)")
