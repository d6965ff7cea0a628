"""JSON Schema of the SOP file, for editors (``# yaml-language-server: $schema=...``)."""

from __future__ import annotations

import json
from typing import Any

from sqops.sop.model import Sop

SCHEMA_ID = "https://sqops.dev/schema/sop-1.json"


def sop_schema() -> dict[str, Any]:
    schema = Sop.model_json_schema(mode="validation")
    out: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
    }
    out.update(schema)
    out["description"] = (
        "sqops SOP file: positioning, goals, roles, rules, content mix, cadence and scripts "
        "of a brand community. 社群 SOP 文件。"
    )
    return out


def dumps(schema: dict[str, Any]) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
