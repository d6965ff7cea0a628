"""The basis a report's member counts rest on, as a note for the reader.

A KPI's label and advice live in the domain registry (:mod:`sqops.domain.kpis`).
"""

from __future__ import annotations

from sqops.i18n import T

BASIS_NOTE: dict[str, T] = {
    "membership": T(
        "口径：按入群/退群事件计算成员（members 表）。",
        "Basis: members counted from join/leave events (members table).",
    ),
    "speakers": T(
        "口径：没有 members 表，只把发过言的人算作成员，所以各项比率是上限。",
        "Basis: no members table, so only people who spoke count as members; rates are upper bounds.",
    ),
}
