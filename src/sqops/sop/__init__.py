"""The SOP: model, safe loader and lint rules."""

from sqops.sop.loader import LoadedSop, ScriptSource, load_sop, parse_sop
from sqops.sop.model import KPI_NAMES, KPI_STAGES, PLATFORM_LIMITS, Sop

__all__ = [
    "KPI_NAMES",
    "KPI_STAGES",
    "PLATFORM_LIMITS",
    "LoadedSop",
    "ScriptSource",
    "Sop",
    "load_sop",
    "parse_sop",
]
