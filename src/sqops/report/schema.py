"""The shape of ``sqops report --format json``, as types (``sqops schema report``).

:meth:`sqops.report.build.Report.to_dict` and the ``to_dict`` of its parts return these
types; :func:`report_schema` is generated from them. ``schema_version`` changes only when a
field is removed or changes meaning; new fields may be added within a version.
"""

from __future__ import annotations

from typing import Annotated, Any, NotRequired

from pydantic import Field, with_config
from typing_extensions import TypedDict

from sqops.adherence.schema import AdherenceDoc
from sqops.domain.actions import ACTION_NAMES
from sqops.domain.kpis import KPI_NAMES
from sqops.domain.stages import LIFECYCLE, STAGE_NAMES
from sqops.domain.status import KPI_STATUSES, STAGE_STATUSES, STATUS_RANK
from sqops.domain.tables import TABLE_NAMES
from sqops.render.json_schema import CLOSED, Count, Date, Lang, const, described, one_of, schema_of
from sqops.report.build import SCHEMA_VERSION

SCHEMA_ID = "https://sqops.dev/schema/report.schema.json"

Version = Annotated[int, const(SCHEMA_VERSION)]
KpiName = Annotated[str, one_of(KPI_NAMES)]
StageName = Annotated[str, one_of(STAGE_NAMES)]
LifecycleStage = Annotated[str, one_of(LIFECYCLE)]
KpiStatus = Annotated[str, one_of(KPI_STATUSES)]
StageStatus = Annotated[str, one_of(STAGE_STATUSES)]
Health = Annotated[str, one_of(tuple(STATUS_RANK))]
TableName = Annotated[str, one_of(TABLE_NAMES)]
Better = Annotated[str, one_of(("higher", "lower"))]
AdviceStatus = Annotated[str, one_of(("warn", "bad"))]
Basis = Annotated[str, one_of(("membership", "speakers"))]


@with_config(CLOSED)
class KpiDoc(TypedDict):
    name: Annotated[KpiName, described("KPI name (spec §2)")]
    value: Annotated[
        float | None,
        described(
            "numerator / denominator; null when unavailable, not started or the denominator is 0"
        ),
    ]
    numerator: float | None
    denominator: float | None
    target: float | None
    floor: float | None
    status: KpiStatus
    available: Annotated[
        bool, described("false when an input table, column or event type is missing")
    ]
    needs: Annotated[list[str], described("what is missing, e.g. 'orders' or 'members: leave'")]
    better: Better


@with_config(CLOSED)
class StageDoc(TypedDict):
    stage: StageName
    status: StageStatus
    health: Annotated[Health | None, described("worst status among its KPIs")]
    window: Annotated[
        list[Date | None],
        Field(
            min_length=2,
            max_length=2,
            description="[first_day, last_day] evaluated (planned when not started; null = open-ended)",
        ),
    ]
    kpis: list[KpiDoc]


@with_config(CLOSED)
class AdviceDoc(TypedDict):
    kpi: KpiName
    stage: StageName
    status: AdviceStatus
    text: str


@with_config(CLOSED)
class ReportGroupDoc(TypedDict):
    group_id: str
    name: str | None
    day0: Date
    day_index: int
    current_stage: LifecycleStage | None
    members_on_as_of: Count
    stages: Annotated[list[StageDoc], Field(min_length=5, max_length=5)]
    advice: list[AdviceDoc]


@with_config(CLOSED)
class TableQualityDoc(TypedDict):
    table: TableName
    source: str
    rows: Count
    valid: Count
    rejected: dict[str, Annotated[int, Field(ge=1)]]
    first_rejected_rows: dict[str, list[int]]
    duplicates: Count
    first_duplicate_rows: list[int]
    after_as_of: Count
    unattributed: Count


@with_config(CLOSED)
class DataQualityDoc(TypedDict):
    tables: list[TableQualityDoc]
    staff_ids: Count


@with_config(CLOSED)
class FleetDoc(TypedDict):
    groups: Count
    kpis: Annotated[list[KpiDoc], described("Σ numerators / Σ denominators over the groups")]


@with_config(CLOSED)
class RecallRowDoc(TypedDict):
    group_id: str
    member_id: str
    member_name: str | None
    last_spoken: Annotated[Date | None, described("null: never spoke")]
    days_silent: int | None


@with_config(CLOSED)
class KocRowDoc(TypedDict):
    group_id: str
    member_id: str
    member_name: str | None
    active_days: Count
    messages: Count
    referrals: Count


@with_config(CLOSED)
class CohortRowDoc(TypedDict):
    week: Annotated[Date, described("Monday of the join week")]
    size: Count
    shares: Annotated[
        list[float | None],
        described("share still in the group k = 1.. weeks later (null: not yet)"),
    ]


@with_config(CLOSED)
class WeakPostDoc(TypedDict):
    group_id: str
    week: Annotated[Date, described("Monday of the post's week")]
    title: Annotated[str, described("the post's title, else its id")]
    opens: Count
    open_rate: float


@with_config(CLOSED)
class SeriesDoc(TypedDict):
    days: list[Date]
    members: list[int]
    speakers: list[int]


@with_config(CLOSED)
class KpiBarDoc(TypedDict):
    stage: StageName
    kpi: KpiName
    value: float
    target: float | None
    status: KpiStatus


@with_config(CLOSED)
class SegmentCountDoc(TypedDict):
    segment: str
    buyers: Count


@with_config(CLOSED)
class ViewsDoc(TypedDict):
    recall: Annotated[list[RecallRowDoc], described("the first 30 of the recall list")]
    recall_total: Count
    koc: Annotated[list[KocRowDoc], described("the first 30 KOCs")]
    rfm: Annotated[list[SegmentCountDoc], described("buyers per RFM segment, none empty")]
    cohort_weeks: list[int]
    cohorts: list[CohortRowDoc]
    weak_posts: Annotated[list[WeakPostDoc], described("the first 30 of the weakest posts")]
    heatmap: Annotated[
        list[list[int]], described("non-staff, non-system messages by weekday (0 = Monday) × hour")
    ]
    pyramid: dict[str, int]
    fleet_daily: Annotated[SeriesDoc | None, described("all groups summed; null: one group")]
    daily: Annotated[dict[str, SeriesDoc], described("per group id, the first 12 groups")]
    kpi_bars: Annotated[dict[str, list[KpiBarDoc]], described("per group id, the same groups")]


ActionCounts = Annotated[
    dict[str, Count],
    described("members per action, every action (zeros too): " + ", ".join(ACTION_NAMES)),
]


@with_config(CLOSED)
class ActionsDoc(TypedDict):
    fleet: Annotated[ActionCounts, described("all groups")]
    counts: Annotated[dict[str, ActionCounts], described("per group id")]


@with_config(CLOSED)
class ReportDoc(TypedDict):
    schema_version: Version
    as_of: Date
    timezone: str
    lang: Lang
    community: str | None
    basis: Annotated[
        Basis,
        described(
            "membership: join/leave events; speakers: no members table, rates are upper bounds"
        ),
    ]
    data_quality: DataQualityDoc
    fleet: FleetDoc
    groups: list[ReportGroupDoc]
    actions: Annotated[
        ActionsDoc,
        described("member actions on the as-of day (spec §3); the rows: --lists DIR/actions.csv"),
    ]
    views: NotRequired[
        Annotated[
            ViewsDoc,
            described("with --views: the lists, cohorts and chart series the HTML report shows"),
        ]
    ]
    adherence: NotRequired[
        Annotated[AdherenceDoc, described("with --sop: the adherence section (docs/adherence.md)")]
    ]


def report_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of :meth:`sqops.report.build.Report.to_dict`."""
    return schema_of(ReportDoc, title="sqops report (--format json)", schema_id=SCHEMA_ID)
