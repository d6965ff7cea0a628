"""The domain registry: every fact about stages, KPIs and tables, defined once.

Everything else imports these facts from here: the SOP model (which KPI names and tables an
SOP may name), lint (which KPIs are rates), the plan and scripts (the stage of a day), the
data layer (the table contract), the report (windows, targets, labels, advice) and the
renderers (labels). Pure Python: importing it costs nothing on the ``sqops lint`` path.

- :mod:`sqops.domain.stages` — the lifecycle stages, their spans and evaluated windows
- :mod:`sqops.domain.kpis` — the KPIs of spec §2: stage, default target and floor,
  direction, unit, label, advice, and what each needs in the data
- :mod:`sqops.domain.tables` — the data contract: tables, columns, value sets, file types
- :mod:`sqops.domain.actions` — the member actions of spec §3, their order and labels
- :mod:`sqops.domain.status` — the statuses a KPI or a stage can have, and their labels
"""

from sqops.domain.actions import ACTION, ACTION_NAMES, ACTIONS, ActionDef
from sqops.domain.kpis import KPI, KPI_NAMES, KPIS, KpiDef, needs
from sqops.domain.stages import (
    LIFECYCLE,
    STAGE,
    STAGE_NAMES,
    STAGES,
    StageDef,
    lifecycle_day,
    stage_of_index,
)
from sqops.domain.status import KPI_STATUSES, STAGE_STATUSES, STATUS_LABELS, STATUS_RANK
from sqops.domain.tables import TABLE, TABLE_NAMES, TABLES, TableDef

__all__ = [
    "ACTION",
    "ACTION_NAMES",
    "ACTIONS",
    "ActionDef",
    "KPI",
    "KPIS",
    "KPI_NAMES",
    "KPI_STATUSES",
    "LIFECYCLE",
    "STAGE",
    "STAGES",
    "STAGE_NAMES",
    "STAGE_STATUSES",
    "STATUS_LABELS",
    "STATUS_RANK",
    "TABLE",
    "TABLES",
    "TABLE_NAMES",
    "KpiDef",
    "StageDef",
    "TableDef",
    "lifecycle_day",
    "needs",
    "stage_of_index",
]
