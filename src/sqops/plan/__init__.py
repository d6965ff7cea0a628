"""``sqops plan``: the SOP's cadence as a dated schedule per group, every script rendered.

Library API (no printing, no clock)::

    from sqops.sop import load_sop
    from sqops.plan import build_plan, expand

    loaded = load_sop("examples/skincare/sop.yaml")
    plan = build_plan(loaded, start=date(2026, 12, 1), days=30, lang="zh")
    for gp in plan.groups:
        for occ in gp.occurrences:
            print(occ.date, occ.time, occ.title, occ.script)

``expand(..., render=False)`` does the same without rendering scripts (for adherence checks);
``render_scripts(loaded, plan)`` renders them later. The cadence engine underneath —
``item_dates`` / ``falls_on`` (which dates an item falls on), ``make_occurrence`` (one item on
one date) and ``script_context`` (what its script sees) — is what ``sqops lint`` and
``sqops demo`` use too, so the three agree. ``MemberScripts`` renders the SOP's ``actions:``
scripts for one member (``sqops report --lists``; ``sqops lint`` with ``sample_member``).
Writers for every output format live in :mod:`sqops.plan.formats`. Who posts each item
(``responsible``) and the per-person load (pushes in 10 minutes across groups; ``by_person``
for ``--by owner``) are in :mod:`sqops.plan.load`. See docs/plan.md.
"""

from sqops.plan._cadence import SECTIONS as CADENCE_SECTIONS
from sqops.plan._cadence import falls_on, item_dates, monthly_day
from sqops.plan._expand import (
    DEFAULT_GROUP_ID,
    MAX_DAYS,
    allowed_on,
    build_plan,
    default_start,
    expand,
    find_conflicts,
    item_ids,
    make_occurrence,
    render_scripts,
    script_context,
    sop_groups,
)
from sqops.plan._groups import parse_groups_csv, read_groups_csv, unknown_group
from sqops.plan._holidays import Calendar, calendar_for, day_info, supported_countries
from sqops.plan._holidays import coverage as holiday_coverage
from sqops.plan._members import (
    MEMBER_VARS,
    GroupScripts,
    MemberScripts,
    member_context,
    sample_group,
    sample_member,
)
from sqops.plan._model import (
    KIND_NAMES,
    ROLE_NAMES,
    SOURCE_NAMES,
    SOURCES,
    Conflict,
    DayInfo,
    GroupInfo,
    GroupPlan,
    Occurrence,
    Plan,
)
from sqops.plan.load import WINDOW as LOAD_WINDOW
from sqops.plan.load import (
    Load,
    LoadWindow,
    People,
    PersonDay,
    busy_windows,
    by_person,
    person_load,
    plan_load,
    responsible,
    role_person,
)

__all__ = [
    "allowed_on",
    "CADENCE_SECTIONS",
    "DEFAULT_GROUP_ID",
    "KIND_NAMES",
    "MAX_DAYS",
    "MEMBER_VARS",
    "GroupScripts",
    "MemberScripts",
    "member_context",
    "sample_group",
    "sample_member",
    "ROLE_NAMES",
    "SOURCES",
    "SOURCE_NAMES",
    "Conflict",
    "DayInfo",
    "LOAD_WINDOW",
    "Load",
    "LoadWindow",
    "People",
    "PersonDay",
    "busy_windows",
    "by_person",
    "person_load",
    "plan_load",
    "responsible",
    "role_person",
    "GroupInfo",
    "GroupPlan",
    "Occurrence",
    "Plan",
    "build_plan",
    "day_info",
    "Calendar",
    "calendar_for",
    "supported_countries",
    "default_start",
    "expand",
    "falls_on",
    "item_dates",
    "make_occurrence",
    "monthly_day",
    "script_context",
    "find_conflicts",
    "holiday_coverage",
    "item_ids",
    "parse_groups_csv",
    "read_groups_csv",
    "render_scripts",
    "sop_groups",
    "unknown_group",
]
