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
from sqops.report.triage import HEALTHS

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
TriageHealth = Annotated[str, one_of(HEALTHS)]
DayRange = Annotated[list[Date], Field(min_length=2, max_length=2)]


Change = Annotated[str, one_of(("flat", "up", "down", "noise"))]


@with_config(CLOSED)
class PreviousDoc(TypedDict):
    value: float | None
    numerator: float | None
    denominator: float | None


@with_config(CLOSED)
class PointDoc(TypedDict):
    numerator: float
    denominator: float
    value: Annotated[float | None, described("null when the denominator is 0")]


@with_config(CLOSED)
class TrendDoc(TypedDict):
    days: Annotated[list[Date], described("as-of − 7k, oldest first, the as-of day last")]
    fleet: Annotated[
        dict[str, list[PointDoc | None]],
        described("every KPI: one point per day, null where that day's report has none"),
    ]
    groups: Annotated[
        dict[str, dict[str, list[PointDoc | None]]],
        described("per group id, the KPIs of its current stage at as-of"),
    ]


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
    gaps: NotRequired[
        Annotated[
            list[DayRange],
            described(
                "data-coverage gaps (≥ 3 days without any message) overlapping the stage's "
                "evaluated window, whole; absent when none"
            ),
        ]
    ]
    previous: NotRequired[
        Annotated[
            PreviousDoc,
            described(
                "with --compare: the KPI on the compared day (when it has a value both days)"
            ),
        ]
    ]
    delta: NotRequired[Annotated[float, described("with --compare: value − previous value")]]
    change: NotRequired[
        Annotated[
            Change,
            described("with --compare, rates only: pooled two-proportion z-test, |z| ≥ 1.96"),
        ]
    ]


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
class CoverageDoc(TypedDict):
    first_day: Annotated[Date, described("first day up to as-of with a message or member event")]
    last_day: Annotated[Date, described("last day up to as-of with a message or member event")]
    gaps: Annotated[
        list[DayRange],
        described("[first, last] of each run of ≥ 3 days in the span without any message"),
    ]


@with_config(CLOSED)
class DataQualityDoc(TypedDict):
    tables: list[TableQualityDoc]
    staff_ids: Count
    coverage: Annotated[dict[str, CoverageDoc], described("per group id (spec §3 data coverage)")]


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
class TriageDoc(TypedDict):
    rank: Annotated[int, Field(ge=1), described("1 = needs attention first")]
    group_id: str
    group_name: str | None
    current_stage: LifecycleStage | None
    bad: Annotated[Count, described("current-stage KPIs at status bad")]
    warn: Annotated[Count, described("current-stage KPIs at status warn")]
    shortfall: Annotated[
        float,
        Field(ge=0),
        described(
            "largest relative gap below target among them, (target - value) / target "
            "((value - target) / target when lower is better; value - target for a target of 0); "
            "0 when none is below target"
        ),
    ]
    worst_kpi: Annotated[KpiName | None, described("the KPI that gives the shortfall")]
    health: Annotated[
        TriageHealth,
        described("bad, warn or good: the worst judged status; unrated: no KPI could be judged"),
    ]
    next_action: Annotated[
        str | None, described("the field's advice for worst_kpi, in the report language")
    ]


@with_config(CLOSED)
class RollupDoc(TypedDict):
    value: Annotated[str | None, described("the attribute's value; null: groups without it")]
    groups: Count
    good: Count
    warn: Count
    bad: Count
    unrated: Annotated[Count, described("groups with no judged current-stage KPI")]
    group_ids: list[str]
    kpis: Annotated[list[KpiDoc], described("Σ numerators / Σ denominators over its groups")]


@with_config(CLOSED)
class RatioDoc(TypedDict):
    numerator: Count
    denominator: Count
    value: Annotated[float | None, described("null when the denominator is 0")]


@with_config(CLOSED)
class ChannelRowDoc(TypedDict):
    channel: Annotated[str | None, described("null: the first join carries no channel")]
    joins: Annotated[Count, described("members whose first join in the group carries it")]
    retained_7d: Annotated[
        RatioDoc,
        described("joined on or before as-of − 7; numerator: no leave on join days 1..7"),
    ]
    spoke_30d: Annotated[
        RatioDoc,
        described("joined on or before as-of − 29; numerator: spoke on join days 1..30"),
    ]
    bought_30d: Annotated[
        RatioDoc,
        described(
            "joined on or before as-of − 29; numerator: a paid order of the group on days 1..30"
        ),
    ]


@with_config(CLOSED)
class ChannelsDoc(TypedDict):
    available: Annotated[bool, described("false without members.channel")]
    needs: list[str]
    fleet: Annotated[list[ChannelRowDoc], described("Σ over the groups, per channel")]
    groups: Annotated[dict[str, list[ChannelRowDoc]], described("per group id")]


@with_config(CLOSED)
class ServiceCountsDoc(TypedDict):
    questions: Annotated[
        Count,
        described(
            "questions in the window answered by the end of as-of, or unanswered with the SLA "
            "run out (the rate's denominator)"
        ),
    ]
    answered: Count
    answered_in_time: Annotated[Count, described("answered within the SLA (the numerator)")]
    unanswered: Annotated[Count, described("no answer and the SLA has run out")]
    pending: Annotated[
        Count, described("no answer yet, the SLA not run out at the end of as-of: in neither")
    ]
    answered_in_time_rate: Annotated[
        float | None, described("answered_in_time / questions; null without questions")
    ]
    median_response_minutes: Annotated[
        float | None,
        described("median over the answered questions, minutes outside quiet hours"),
    ]
    sla_hours: float


@with_config(CLOSED)
class ServiceStaffDoc(TypedDict):
    member_id: str
    name: str | None
    answered: Annotated[Count, described("questions whose answer this staff member wrote")]
    median_response_minutes: float


@with_config(CLOSED)
class ServiceDoc(TypedDict):
    available: Annotated[bool, described("false without messages.content or a known staff")]
    needs: Annotated[list[str], described("what is missing: 'messages.content', 'staff'")]
    window: Annotated[
        list[Date], Field(min_length=2, max_length=2, description="[as-of − 29, as-of]")
    ]
    sla_hours: float
    quiet_hours: Annotated[str | None, described("HH:MM-HH:MM, not counted in response times")]
    fleet: Annotated[
        ServiceCountsDoc | None,
        described("all groups pooled (the median over every answered question)"),
    ]
    groups: Annotated[dict[str, ServiceCountsDoc], described("by group id")]
    staff: Annotated[list[ServiceStaffDoc], described("staff who answered, most answers first")]


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
    triage: Annotated[
        list[TriageDoc],
        described("every group, worst current-stage health first (docs/report.md)"),
    ]
    data_quality: DataQualityDoc
    fleet: FleetDoc
    rollups: Annotated[
        dict[str, list[RollupDoc]],
        described("--by ATTR: per attribute, its values (null last) with their groups' KPIs"),
    ]
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
    channels: Annotated[ChannelsDoc, described("spec §3 channels (渠道)")]
    service: Annotated[
        ServiceDoc | None,
        described("questions and staff response (docs/report.md); null: not computed"),
    ]
    compared_with: NotRequired[
        Annotated[Date, described("with --compare: the earlier day each KPI's previous is from")]
    ]
    trend: NotRequired[Annotated[TrendDoc, described("with --trend N: every KPI at as-of − 7k")]]


def report_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of :meth:`sqops.report.build.Report.to_dict`."""
    return schema_of(ReportDoc, title="sqops report (--format json)", schema_id=SCHEMA_ID)
