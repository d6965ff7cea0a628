"""What the report takes from the SOP (or defaults without one): :class:`Settings`.

In a module of its own, with the KPIs' defaults only: ``sqops report`` needs it before the
tables are read (the time zone, the column maps), and :mod:`sqops.report.build` (membership,
the KPIs, the sections) is imported while they are read (benchmarks/README.md, "report
fixed costs, session 15"). :mod:`sqops.report.build` gives the same names."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqops.domain.kpis import KPI

if TYPE_CHECKING:
    from sqops.sop.loader import LoadedSop
    from sqops.sop.model import Sop

#: the SLA without a ``support`` role that sets ``response_hours`` (the service section's)
DEFAULT_SLA_HOURS = 24.0
#: default (target, floor) of every KPI (the registry's; an SOP overrides them)
DEFAULT_TARGETS: dict[str, tuple[float | None, float | None]] = {
    k.name: (k.target, k.floor) for k in KPI.values()
}


@dataclass
class Settings:
    """What the report needs from the SOP (or defaults without one)."""

    tz: str = "Asia/Shanghai"
    staff_ids: frozenset[str] = frozenset()
    nickname_pattern: str | None = None
    koc: tuple[int, int, int] = (7, 1, 30)
    day0: dict[str, dt.date] = field(default_factory=dict)
    default_day0: dt.date | None = None
    group_names: dict[str, str] = field(default_factory=dict)
    targets: dict[str, tuple[float | None, float | None]] = field(
        default_factory=lambda: dict(DEFAULT_TARGETS)
    )
    columns: dict[str, dict[str, str]] = field(default_factory=dict)
    community: str | None = None
    #: group id → its attributes (the SOP's ``groups[].vars``, a ``--groups`` CSV's columns
    #: over them), for ``--by`` roll-ups; a value that is null or empty is not set
    group_vars: dict[str, dict[str, str]] = field(default_factory=dict)
    #: service (spec §3): quiet hours (local start, end; may cross midnight; none without an
    #: SOP) and the SLA (smallest ``response_hours`` of the ``support`` roles, else 24 h)
    quiet_hours: tuple[dt.time, dt.time] | None = None
    sla_hours: float = DEFAULT_SLA_HOURS
    #: the SOP as loaded (its ``actions:`` scripts and their files), for the member actions
    loaded_sop: LoadedSop | None = None

    @classmethod
    def from_sop(cls, sop: Sop, tz: str | None = None) -> Settings:
        targets = dict(DEFAULT_TARGETS)
        for g in sop.goals:
            if g.metric in targets and g.target is not None:
                t, f = targets[g.metric]
                targets[g.metric] = (g.target, g.floor if g.floor is not None else f)
        for name, kt in sop.kpis.items():
            t, f = targets[name]
            targets[name] = (
                kt.target if kt.target is not None else t,
                kt.floor if kt.floor is not None else f,
            )
        return cls(
            tz=tz or sop.community.timezone,
            staff_ids=frozenset(sop.staff_ids),
            nickname_pattern=sop.rules.nickname_pattern,
            koc=(sop.koc.min_active_days, sop.koc.min_referrals, sop.koc.min_messages),
            day0={g.id: g.launched_on for g in sop.groups if g.launched_on},
            default_day0=None if sop.groups else sop.community.launched_on,
            group_names={g.id: g.name for g in sop.groups if g.name},
            targets=targets,
            columns={k: dict(v) for k, v in sop.columns.items()},
            community=sop.community.name,
            group_vars={g.id: vs for g in sop.groups if (vs := _vars(g.vars))},
            quiet_hours=(
                (sop.rules.quiet_hours.start, sop.rules.quiet_hours.end)
                if sop.rules.quiet_hours is not None
                else None
            ),
            sla_hours=min(
                (r.response_hours for r in sop.roles if r.role == "support" and r.response_hours),
                default=DEFAULT_SLA_HOURS,
            ),
        )

    @classmethod
    def from_loaded(cls, loaded: LoadedSop, tz: str | None = None) -> Settings:
        """:meth:`from_sop` of a loaded SOP, with its column maps (the files' ``columns:``
        resolved by the loader) and the SOP itself (the scripts of its ``actions:``)."""
        settings = cls.from_sop(loaded.sop, tz)
        settings.columns = loaded.column_maps()
        settings.loaded_sop = loaded
        return settings


def _vars(raw: Mapping[str, object]) -> dict[str, str]:
    """An SOP group's ``vars`` as attribute texts (true/false for booleans; null and "" unset)."""
    out = {}
    for k, v in raw.items():
        text = ("true" if v else "false") if isinstance(v, bool) else "" if v is None else str(v)
        if text.strip():
            out[k] = text.strip()
    return out
