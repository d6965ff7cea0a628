"""The SOP: model, safe loader and lint rules."""

from sqops.sop.loader import LoadedSop, ScriptSource, load_sop, parse_sop
from sqops.sop.model import PLATFORM_LIMITS, Sop

__all__ = [
    "PLATFORM_LIMITS",
    "LoadedSop",
    "ScriptSource",
    "Sop",
    "load_sop",
    "parse_sop",
]
