"""JSON Schema of the adherence section (``sqops adherence --format json``, ``schema_version`` 1).

Hand-written so that it documents the contract rather than the implementation; a test
validates real output against it.
"""

from __future__ import annotations

from typing import Any

from sqops.adherence._model import SCHEMA_VERSION, STATUSES

SCHEMA_ID = "https://sqops.dev/schema/adherence.schema.json"

_INT = {"type": "integer", "minimum": 0}
_RATE = {"type": ["number", "null"], "minimum": 0, "maximum": 1}
_NUM_OR_NULL = {"type": ["number", "null"]}
_STR_OR_NULL = {"type": ["string", "null"]}
_DATE = {"type": "string", "format": "date"}
_HHMM = {"type": "string", "pattern": r"^\d{2}:\d{2}$"}


def _obj(props: dict[str, Any], description: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "object",
        "additionalProperties": False,
        "required": list(props),
        "properties": props,
    }
    if description:
        out["description"] = description
    return out


def _defs() -> dict[str, Any]:
    counts = _obj(
        {
            "planned": {**_INT, "description": "planned items whose time had come by the end of the data"},
            "on_time": {**_INT, "description": "matched with a post within ± tolerance"},
            "late": {**_INT, "description": "matched, posted more than the tolerance after the planned time"},
            "early": {**_INT, "description": "matched, posted more than the tolerance before the planned time"},
            "missed": {**_INT, "description": "planned, no post matched on that day"},
            "unplanned": {**_INT, "description": "posts matched with no planned item"},
            "posts": {**_INT, "description": "all posts (pushes) of the staff"},
            "not_due": {**_INT, "description": "planned on the last day after the data ends; not counted"},
            "done": _INT,
            "on_time_rate": {**_RATE, "description": "execution rate: on_time / planned"},
            "done_rate": {**_RATE, "description": "(on_time + late + early) / planned"},
            "unplanned_share": {**_RATE, "description": "unplanned / posts"},
        },
        "planned items and posts by outcome",
    )  # fmt: skip
    item = _obj(
        {
            "item_id": {"type": "string"},
            "title": {"type": "string"},
            "source": {"enum": ["lifecycle", "campaign", "countdown", "monthly", "weekly", "daily"]},
            "kind": {"type": "string"},
            "time": _HHMM,
            "planned": _INT,
            "on_time": _INT,
            "late": _INT,
            "early": _INT,
            "missed": _INT,
            "matched_posts": _INT,
            "on_time_rate": _RATE,
            "median_replies": {**_NUM_OR_NULL, "description": "median member messages within 2 h of its posts"},
            "mean_replies": {**_NUM_OR_NULL, "description": "mean of the same; breaks ties of the median"},
            "silent_share": {**_RATE, "description": "share of its posts with no member reply within 2 h"},
            "median_opens": {**_NUM_OR_NULL, "description": "median distinct openers within 48 h (null: no opens data)"},
            "bottom": {"type": "boolean", "description": "in the bottom 20% of items by median replies"},
        }
    )  # fmt: skip
    mix = _obj(
        {
            "kind": {"enum": ["activation", "conversion", "brand"]},
            "target": {"type": "number"},
            "planned_share": _RATE,
            "actual_share": _RATE,
            "actual_posts": _INT,
            "deviation": _NUM_OR_NULL,
            "off": {"type": "boolean", "description": "|deviation| > 0.10"},
        }
    )
    quiet = _obj(
        {
            "day": _DATE,
            "time": _HHMM,
            "post_id": {"type": "string"},
            "title": _STR_OR_NULL,
            "kind": _STR_OR_NULL,
        }
    )
    discipline = _obj(
        {
            "quiet_hours": _STR_OR_NULL,
            "quiet_posts": _INT,
            "quiet_conversion": _INT,
            "quiet_list": {"type": "array", "items": {"$ref": "#/$defs/quiet_post"}, "maxItems": 50},
            "max_posts_per_day": _INT,
            "days": _INT,
            "over_days": {
                "type": "array",
                "items": _obj({"group_id": {"type": "string"}, "day": _DATE, "posts": _INT}),
            },
            "content_mix": {"type": "array", "items": {"$ref": "#/$defs/mix"}},
            "other_kinds": {"type": "object", "additionalProperties": _INT},
        }
    )  # fmt: skip
    hour = _obj(
        {
            "hour": {"type": "integer", "minimum": 0, "maximum": 23},
            "member_messages": _INT,
            "member_share": _RATE,
            "staff_posts": _INT,
            "staff_share": _RATE,
            "median_replies": _NUM_OR_NULL,
            "silent_share": {
                **_RATE,
                "description": "share of the hour's posts with no reply within 2 h",
            },
        }
    )
    suggestion = _obj(
        {
            "item_id": {"type": "string"},
            "title": {"type": "string"},
            "time": _HHMM,
            "member_share": _RATE,
            "median_replies": _NUM_OR_NULL,
            "to_hours": {
                "type": "array",
                "items": {"type": "integer", "minimum": 0, "maximum": 23},
            },
        }
    )
    clock = _obj(
        {
            "hours": {"type": "array", "items": {"$ref": "#/$defs/hour"}, "minItems": 24, "maxItems": 24},
            "top_hours": {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 23}},
            "suggestions": {"type": "array", "items": {"$ref": "#/$defs/suggestion"}},
        }
    )  # fmt: skip
    scope_props = {
        "counts": {"$ref": "#/$defs/counts"},
        "items": {"type": "array", "items": {"$ref": "#/$defs/item"}},
        "discipline": {"$ref": "#/$defs/discipline"},
        "clock": {"$ref": "#/$defs/clock"},
    }
    day = _obj(
        {
            "day": _DATE,
            "label": {"type": "string"},
            "planned": _INT,
            "on_time": _INT,
            "late": _INT,
            "early": _INT,
            "missed": _INT,
            "unplanned": _INT,
        }
    )
    row = _obj(
        {
            "day": _DATE,
            "item_id": _STR_OR_NULL,
            "source": _STR_OR_NULL,
            "title": _STR_OR_NULL,
            "kind": _STR_OR_NULL,
            "planned": {"type": ["string", "null"], "pattern": r"^\d{2}:\d{2}$"},
            "status": {"enum": list(STATUSES)},
            "post_id": _STR_OR_NULL,
            "posted": {"type": ["string", "null"], "pattern": r"^\d{2}:\d{2}:\d{2}$"},
            "delta_min": {**_NUM_OR_NULL, "description": "posted − planned, minutes"},
            "post_kind": _STR_OR_NULL,
            "post_title": _STR_OR_NULL,
            "replies_2h": {"type": ["integer", "null"], "minimum": 0},
            "opens_48h": {"type": ["integer", "null"], "minimum": 0},
            "quiet": {"type": ["boolean", "null"]},
        },
        "one planned item (with the post matched to it) or one unplanned post",
    )
    group = _obj(
        {
            "group_id": {"type": "string"},
            "name": {"type": "string"},
            "first_day": _DATE,
            "last_day": _DATE,
            **scope_props,
            "days": {"type": "array", "items": {"$ref": "#/$defs/day"}},
            "rows": {"type": "array", "items": {"$ref": "#/$defs/row"}},
        }
    )
    group["required"] = [k for k in group["required"] if k not in ("days", "rows")]
    group["description"] = "days and rows: in `sqops adherence` output, not inside the report"
    return {
        "counts": counts,
        "item": item,
        "mix": mix,
        "quiet_post": quiet,
        "discipline": discipline,
        "hour": hour,
        "suggestion": suggestion,
        "clock": clock,
        "scope": _obj(scope_props),
        "day": day,
        "row": row,
        "group": group,
    }


def adherence_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of :meth:`sqops.adherence.Adherence.to_dict`."""
    top = _obj(
        {
            "schema_version": {"const": SCHEMA_VERSION},
            "community": {"type": "string"},
            "as_of": _DATE,
            "since": {"type": ["string", "null"], "format": "date"},
            "timezone": {"type": "string"},
            "tolerance_min": {"type": "integer", "minimum": 0, "maximum": 720},
            "basis": {"enum": ["posts", "messages"]},
            "opens_available": {"type": "boolean"},
            "notes": {"type": "array", "items": {"type": "string"}},
            "fleet": {"$ref": "#/$defs/scope"},
            "groups": {"type": "array", "items": {"$ref": "#/$defs/group"}},
        }
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "sqops adherence (plan against practice)",
        "description": "Output of `sqops adherence --format json`; definitions in docs/adherence.md.",
        **top,
        "$defs": _defs(),
    }


def embedded_schema() -> dict[str, Any]:
    """The schema as a sub-schema of another document (the report's ``adherence`` member)."""
    out = adherence_schema()
    out.pop("$schema")
    return out
