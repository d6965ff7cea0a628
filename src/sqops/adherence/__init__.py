"""Plan against practice (计划 vs 执行): the SOP's schedule matched with what staff posted.

Library API (no printing, no clock)::

    from sqops.sop.loader import load_sop
    from sqops.data.tables import read_tables
    from sqops.adherence import compute_adherence, render_md

    loaded = load_sop("examples/skincare/sop.yaml")
    tables = read_tables("examples/skincare/data", tz=loaded.sop.community.timezone)
    adh = compute_adherence(loaded, tables, tolerance_min=30, lang="zh")
    adh.fleet.counts.on_time_rate, adh.to_dict(), render_md(adh, "zh")

Definitions: docs/adherence.md. Renderers: :mod:`sqops.adherence.render`.
"""

from sqops.adherence._compute import compute_adherence, match_pairs
from sqops.adherence._model import (
    SCHEMA_VERSION,
    Adherence,
    Clock,
    Counts,
    DayRow,
    Discipline,
    GroupAdherence,
    HourRow,
    ItemEffect,
    MixRow,
    PersonAdherence,
    Scope,
    Suggestion,
)
from sqops.adherence.render import (
    render_html,
    render_html_section,
    render_md,
    to_json,
    to_renderables,
)


def __getattr__(name: str) -> object:
    # (the schema's types load pydantic's schema machinery: only when asked for)
    if name == "adherence_schema":
        from sqops.adherence.schema import adherence_schema

        return adherence_schema
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "SCHEMA_VERSION",
    "Adherence",
    "Clock",
    "Counts",
    "DayRow",
    "Discipline",
    "GroupAdherence",
    "HourRow",
    "ItemEffect",
    "MixRow",
    "PersonAdherence",
    "Scope",
    "Suggestion",
    "adherence_schema",
    "compute_adherence",
    "match_pairs",
    "render_html",
    "render_html_section",
    "render_md",
    "to_json",
    "to_renderables",
]
