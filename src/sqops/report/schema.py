"""The JSON Schema of ``sqops report --format json`` (``sqops schema report``).

``schema_version`` changes only when a field is removed or changes meaning; new fields may
be added within a version.
"""

from __future__ import annotations

from typing import Any

from sqops.adherence.schema import embedded_schema as embedded_adherence_schema
from sqops.domain.kpis import KPI_NAMES
from sqops.domain.stages import LIFECYCLE, STAGE_NAMES
from sqops.domain.status import KPI_STATUSES
from sqops.report.build import SCHEMA_VERSION

DATE = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
NUM_OR_NULL = {"type": ["number", "null"]}


def _kpi() -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [
            "name",
            "value",
            "numerator",
            "denominator",
            "target",
            "floor",
            "status",
            "available",
            "needs",
            "better",
        ],
        "properties": {
            "name": {"enum": list(KPI_NAMES), "description": "KPI name (spec §2)"},
            "value": {
                **NUM_OR_NULL,
                "description": "numerator / denominator; null when unavailable, not started or the denominator is 0",
            },
            "numerator": NUM_OR_NULL,
            "denominator": NUM_OR_NULL,
            "target": NUM_OR_NULL,
            "floor": NUM_OR_NULL,
            "status": {"enum": list(KPI_STATUSES)},
            "available": {
                "type": "boolean",
                "description": "false when an input table, column or event type is missing",
            },
            "needs": {
                "type": "array",
                "items": {"type": "string"},
                "description": "what is missing, e.g. 'orders' or 'members: leave'",
            },
            "better": {"enum": ["higher", "lower"]},
        },
    }


def report_schema() -> dict[str, Any]:
    table_q = {
        "type": "object",
        "additionalProperties": False,
        "required": [
            "table",
            "source",
            "rows",
            "valid",
            "rejected",
            "first_rejected_rows",
            "duplicates",
            "first_duplicate_rows",
            "after_as_of",
            "unattributed",
        ],
        "properties": {
            "table": {
                "enum": ["messages", "members", "staff", "posts", "engagement", "orders", "coupons"]
            },
            "source": {"type": "string"},
            "rows": {"type": "integer", "minimum": 0},
            "valid": {"type": "integer", "minimum": 0},
            "rejected": {
                "type": "object",
                "additionalProperties": {"type": "integer", "minimum": 1},
            },
            "first_rejected_rows": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "integer"}},
            },
            "duplicates": {"type": "integer", "minimum": 0},
            "first_duplicate_rows": {"type": "array", "items": {"type": "integer"}},
            "after_as_of": {"type": "integer", "minimum": 0},
            "unattributed": {"type": "integer", "minimum": 0},
        },
    }
    stage = {
        "type": "object",
        "additionalProperties": False,
        "required": ["stage", "status", "health", "window", "kpis"],
        "properties": {
            "stage": {"enum": list(STAGE_NAMES)},
            "status": {"enum": ["not_started", "in_progress", "complete"]},
            "health": {
                "enum": ["good", "warn", "bad", None],
                "description": "worst status among its KPIs",
            },
            "window": {
                "type": "array",
                "minItems": 2,
                "maxItems": 2,
                "items": {"anyOf": [DATE, {"type": "null"}]},
                "description": "[first_day, last_day] evaluated (planned when not started; null = open-ended)",
            },
            "kpis": {"type": "array", "items": {"$ref": "#/$defs/kpi"}},
        },
    }
    group = {
        "type": "object",
        "additionalProperties": False,
        "required": [
            "group_id",
            "name",
            "day0",
            "day_index",
            "current_stage",
            "members_on_as_of",
            "stages",
            "advice",
        ],
        "properties": {
            "group_id": {"type": "string"},
            "name": {"type": ["string", "null"]},
            "day0": DATE,
            "day_index": {"type": "integer"},
            "current_stage": {"enum": [*LIFECYCLE, None]},
            "members_on_as_of": {"type": "integer", "minimum": 0},
            "stages": {
                "type": "array",
                "items": {"$ref": "#/$defs/stage"},
                "minItems": 5,
                "maxItems": 5,
            },
            "advice": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["kpi", "stage", "status", "text"],
                    "properties": {
                        "kpi": {"enum": list(KPI_NAMES)},
                        "stage": {"enum": list(STAGE_NAMES)},
                        "status": {"enum": ["warn", "bad"]},
                        "text": {"type": "string"},
                    },
                },
            },
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://sqops.dev/schema/report.schema.json",
        "title": "sqops report (--format json)",
        "type": "object",
        "additionalProperties": False,
        "required": [
            "schema_version",
            "as_of",
            "timezone",
            "lang",
            "community",
            "basis",
            "data_quality",
            "fleet",
            "groups",
        ],
        "properties": {
            "schema_version": {"const": SCHEMA_VERSION},
            "adherence": embedded_adherence_schema(),  # with --sop (docs/adherence.md)
            "as_of": DATE,
            "timezone": {"type": "string"},
            "lang": {"enum": ["zh", "en"]},
            "community": {"type": ["string", "null"]},
            "basis": {
                "enum": ["membership", "speakers"],
                "description": "membership: join/leave events; speakers: no members table, rates are upper bounds",
            },
            "data_quality": {
                "type": "object",
                "additionalProperties": False,
                "required": ["tables", "staff_ids"],
                "properties": {
                    "tables": {"type": "array", "items": table_q},
                    "staff_ids": {"type": "integer", "minimum": 0},
                },
            },
            "fleet": {
                "type": "object",
                "additionalProperties": False,
                "required": ["groups", "kpis"],
                "properties": {
                    "groups": {"type": "integer", "minimum": 0},
                    "kpis": {
                        "type": "array",
                        "items": {"$ref": "#/$defs/kpi"},
                        "description": "Σ numerators / Σ denominators over the groups",
                    },
                },
            },
            "groups": {"type": "array", "items": group},
        },
        "$defs": {"kpi": _kpi(), "stage": stage},
    }
