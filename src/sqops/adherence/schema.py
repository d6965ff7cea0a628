"""The shape of ``sqops adherence --format json`` (``schema_version`` 1), as types.

:meth:`sqops.adherence.Adherence.to_dict` and the ``to_dict`` of its parts return these
types; :func:`adherence_schema` is generated from them (``sqops schema adherence``), and the
report embeds :class:`AdherenceDoc` as its ``adherence`` member (``sqops report --sop``).
Definitions in docs/adherence.md.
"""

from __future__ import annotations

from typing import Annotated, Any, NotRequired

from pydantic import Field, with_config
from typing_extensions import TypedDict

from sqops.adherence._compute import MIX_KINDS
from sqops.adherence._model import SCHEMA_VERSION, STATUSES
from sqops.plan.schema import Source
from sqops.render.json_schema import (
    CLOSED,
    HHMM,
    HHMMSS,
    Count,
    Date,
    Hour,
    Rate,
    const,
    described,
    one_of,
    schema_of,
)

SCHEMA_ID = "https://sqops.dev/schema/adherence.schema.json"

Version = Annotated[int, const(SCHEMA_VERSION)]
MixKind = Annotated[str, one_of(MIX_KINDS)]
RowStatus = Annotated[str, one_of(STATUSES)]
Basis = Annotated[str, one_of(("posts", "messages"))]


@with_config(CLOSED)
class CountsDoc(TypedDict):
    """planned items and posts by outcome"""

    planned: Annotated[Count, described("planned items whose time had come by the end of the data")]
    on_time: Annotated[Count, described("matched with a post within ± tolerance")]
    late: Annotated[
        Count, described("matched, posted more than the tolerance after the planned time")
    ]
    early: Annotated[
        Count, described("matched, posted more than the tolerance before the planned time")
    ]
    missed: Annotated[Count, described("planned, no post matched on that day")]
    unplanned: Annotated[Count, described("posts matched with no planned item")]
    posts: Annotated[Count, described("all posts (pushes) of the staff")]
    not_due: Annotated[Count, described("planned on the last day after the data ends; not counted")]
    not_checkable: Annotated[
        Count,
        described(
            "of planned: internal items (not pushed to the group) that chat data cannot show, "
            "when posts are taken from chat messages; left out of the rates"
        ),
    ]
    done: Count
    on_time_rate: Annotated[
        Rate | None, described("execution rate: on_time / (planned - not_checkable)")
    ]
    done_rate: Annotated[
        Rate | None, described("(on_time + late + early) / (planned - not_checkable)")
    ]
    unplanned_share: Annotated[Rate | None, described("unplanned / posts")]


@with_config(CLOSED)
class ItemDoc(TypedDict):
    item_id: str
    title: str
    source: Source
    kind: str
    time: HHMM
    planned: Count
    on_time: Count
    late: Count
    early: Count
    missed: Count
    not_checkable: Annotated[Count, described("of planned: internal, not checkable from chat data")]
    matched_posts: Count
    on_time_rate: Rate | None
    median_replies: Annotated[
        float | None, described("median member messages within 2 h of its posts")
    ]
    mean_replies: Annotated[float | None, described("mean of the same; breaks ties of the median")]
    silent_share: Annotated[
        Rate | None, described("share of its posts with no member reply within 2 h")
    ]
    median_opens: Annotated[
        float | None, described("median distinct openers within 48 h (null: no opens data)")
    ]
    bottom: Annotated[bool, described("in the bottom 20% of items by median replies")]


@with_config(CLOSED)
class MixDoc(TypedDict):
    kind: MixKind
    target: float
    planned_share: Rate | None
    actual_share: Rate | None
    actual_posts: Count
    deviation: float | None
    off: Annotated[bool, described("|deviation| > 0.10")]


@with_config(CLOSED)
class QuietPostDoc(TypedDict):
    day: Date
    time: HHMM
    post_id: str
    title: str | None
    kind: str | None


@with_config(CLOSED)
class OverDayDoc(TypedDict):
    group_id: str
    day: Date
    posts: Count


@with_config(CLOSED)
class DisciplineDoc(TypedDict):
    quiet_hours: str | None
    quiet_posts: Count
    quiet_conversion: Count
    quiet_list: Annotated[list[QuietPostDoc], Field(max_length=50)]
    max_posts_per_day: Count
    days: Count
    over_days: list[OverDayDoc]
    content_mix: list[MixDoc]
    other_kinds: dict[str, Count]


@with_config(CLOSED)
class HourDoc(TypedDict):
    hour: Hour
    member_messages: Count
    member_share: Rate | None
    staff_posts: Count
    staff_share: Rate | None
    median_replies: float | None
    silent_share: Annotated[
        Rate | None, described("share of the hour's posts with no reply within 2 h")
    ]


@with_config(CLOSED)
class SuggestionDoc(TypedDict):
    item_id: str
    title: str
    time: HHMM
    member_share: Rate | None
    median_replies: float | None
    to_hours: list[Hour]


@with_config(CLOSED)
class ClockDoc(TypedDict):
    hours: Annotated[list[HourDoc], Field(min_length=24, max_length=24)]
    top_hours: list[Hour]
    suggestions: list[SuggestionDoc]


@with_config(CLOSED)
class ScopeDoc(TypedDict):
    counts: CountsDoc
    items: list[ItemDoc]
    discipline: DisciplineDoc
    clock: ClockDoc


@with_config(CLOSED)
class DayDoc(TypedDict):
    day: Date
    label: str
    planned: Count
    on_time: Count
    late: Count
    early: Count
    missed: Count
    unplanned: Count


@with_config(CLOSED)
class RowDoc(TypedDict):
    """one planned item (with the post matched to it) or one unplanned post"""

    day: Date
    item_id: str | None
    source: str | None
    title: str | None
    kind: str | None
    planned: HHMM | None
    status: RowStatus
    post_id: str | None
    posted: HHMMSS | None
    delta_min: Annotated[float | None, described("posted − planned, minutes")]
    post_kind: str | None
    post_title: str | None
    replies_2h: Count | None
    opens_48h: Count | None
    quiet: bool | None


@with_config(CLOSED)
class GroupDoc(ScopeDoc):
    """days and rows: in `sqops adherence` output, not inside the report"""

    group_id: str
    name: str
    first_day: Date
    last_day: Date
    days: NotRequired[list[DayDoc]]
    rows: NotRequired[list[RowDoc]]


@with_config(CLOSED)
class PersonDoc(TypedDict):
    """the planned items of one person across the groups checked (docs/adherence.md)"""

    person: Annotated[str | None, described("null: items nobody is responsible for")]
    groups: Annotated[Count, described("groups with planned items of this person")]
    planned: Count
    on_time: Count
    late: Count
    early: Count
    missed: Count
    not_checkable: Count
    on_time_rate: Annotated[
        Rate | None, described("on_time / (planned - not_checkable), as the group's")
    ]
    done_rate: Rate | None


@with_config(CLOSED)
class AdherenceDoc(TypedDict):
    """Output of `sqops adherence --format json`; definitions in docs/adherence.md."""

    schema_version: Version
    community: str
    as_of: Date
    since: Date | None
    timezone: str
    tolerance_min: Annotated[int, Field(ge=0, le=720)]
    basis: Basis
    opens_available: bool
    notes: list[str]
    fleet: ScopeDoc
    people: Annotated[
        list[PersonDoc], described("per person: who is responsible as in sqops plan --by owner")
    ]
    groups: list[GroupDoc]


def adherence_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of :meth:`sqops.adherence.Adherence.to_dict`."""
    return schema_of(
        AdherenceDoc, title="sqops adherence (plan against practice)", schema_id=SCHEMA_ID
    )
