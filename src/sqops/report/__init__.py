"""sqops report: read tables → KPIs per stage → health → md/json/html/terminal.

The public API is imported lazily (polars loads only when one of these is used)::

    from sqops.report import read_tables, prepare_tables, build_report, Settings
"""

from __future__ import annotations

from typing import Any

__all__ = ["Report", "Settings", "Tables", "build_report", "prepare_tables", "read_tables"]

_WHERE = {
    "read_tables": "sqops.data.tables",
    "prepare_tables": "sqops.data.tables",
    "Tables": "sqops.data.tables",
    "build_report": "sqops.report.build",
    "Settings": "sqops.report.build",
    "Report": "sqops.report.build",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(name)
