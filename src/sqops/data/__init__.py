"""The data layer: the tables a community's exports become, read once and understood once.

- :mod:`sqops.data.tables` — finding table files, decoding, reading CSV/TSV/Parquet/JSON
  Lines/xlsx, the column map, validating rows against the contract of
  :mod:`sqops.domain.tables` (rejects, duplicates, local times to UTC) and the typed copy
  every later question reads (:class:`~sqops.data.tables.Tables`).
- :mod:`sqops.data.columns` — the column map (``--columns``, the SOP's ``columns:``,
  ``import generic``): how a file names the contract's columns, as one model.
- :mod:`sqops.data.decode` and :mod:`sqops.data.scalars` — the one decoding policy and the
  scalar parsers of dates, times and amounts.
- :mod:`sqops.data.membership` — who is staff, presence intervals per (group, member), rows
  without a group attributed to one, and what the report and the adherence section share
  (spans of messages, post opens).

The report (:mod:`sqops.report`), plan against practice (:mod:`sqops.adherence`) and the
importers depend on it; it depends on nothing of theirs. The public API is imported lazily
(polars loads only when one of these is used)::

    from sqops.data import read_tables, prepare_tables, Tables
"""

from __future__ import annotations

from typing import Any

__all__ = ["Tables", "prepare_tables", "read_tables"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from sqops.data import tables

        return getattr(tables, name)
    raise AttributeError(name)
