"""The generated JSON Schemas describe every member the JSON outputs have (no silent holes).

``jsonschema.validate`` passes a member a schema does not name when its object is open; here
every object of the schemas of ``sqops plan|report|adherence --format json`` must be closed
(``additionalProperties: false``) or a map, every member the bundled example produces must be
named by the schema, and only the members that an output may leave out are optional.
"""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from tests.conftest import EXAMPLES

SKINCARE = EXAMPLES / "skincare"


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = root["$defs"][schema["$ref"].removeprefix("#/$defs/")]
    return schema


def _objects(schema: Any, root: dict[str, Any]) -> list[dict[str, Any]]:
    """Every schema of an object with named members, anywhere in ``schema``."""
    out = []
    if isinstance(schema, dict):
        if "properties" in schema:
            out.append(schema)
        for v in schema.values():
            out += _objects(v, root)
    elif isinstance(schema, list):
        for v in schema:
            out += _objects(v, root)
    return out


def _walk(doc: Any, schema: dict[str, Any], root: dict[str, Any], path: str) -> None:
    """Check that ``doc``'s members are all named by ``schema``, every object closed."""
    schema = _resolve(schema, root)
    if "anyOf" in schema:
        branches = [_resolve(s, root) for s in schema["anyOf"]]
        if doc is None:
            assert any(b.get("type") == "null" for b in branches), path
            return
        branches = [b for b in branches if b.get("type") != "null"]
        assert len(branches) == 1, path
        schema = branches[0]
    if isinstance(doc, dict):
        assert schema.get("type") == "object", path
        props = schema.get("properties")
        if props is None:  # a map: the values' schema
            extra = schema.get("additionalProperties")
            assert extra is not None, f"{path}: an object the schema does not describe"
            if isinstance(extra, dict):
                for k, v in doc.items():
                    _walk(v, extra, root, f"{path}.{k}")
            return
        assert schema.get("additionalProperties") is False, f"{path}: not closed"
        for k, v in doc.items():
            assert k in props, f"{path}.{k}: not in the schema"
            _walk(v, props[k], root, f"{path}.{k}")
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            _walk(v, schema["items"], root, f"{path}[{i}]")


def _check(doc: Any, schema: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(doc, schema)
    for obj in _objects(schema, schema):
        assert obj.get("additionalProperties") is False, sorted(obj["properties"])
    _walk(doc, schema, schema, "$")


#: the members an output may leave out: the report's adherence section (with ``--sop``) and
#: views (with ``--views``), and each adherence group's calendar and rows (in ``sqops
#: adherence``, not in the report), the plan's people (with ``--by owner``), and a KPI's
#: data-coverage ``gaps`` (only when its stage window touches one)
OPTIONAL = {"adherence", "views", "days", "rows", "people", "gaps"}
#: with ``report --compare``: the compared day, and on each KPI with a value both days its
#: previous value, delta and (rates) change; with ``report --trend N``: the trend
OPTIONAL |= {"compared_with", "previous", "delta", "change", "trend"}
#: a calendar day of a year whose 调休 arrangement is not announced (plan, #19)
OPTIONAL |= {"provisional"}


def _optional(schema: dict[str, Any]) -> set[str]:
    return {
        k
        for obj in _objects(schema, schema)
        for k in obj["properties"]
        if k not in obj.get("required", [])
    }


def _schema(cli, which: str) -> dict[str, Any]:
    r = cli("schema", which)
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


def _json(cli, *args: Any) -> Any:
    r = cli(*args, "-f", "json", "--lang", "en")
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


@pytest.mark.parametrize(
    ("which", "args"),
    [
        ("plan", ("plan", SKINCARE / "sop.yaml", "--start", "2026-12-01", "--days", "14")),
        ("report", ("report", SKINCARE / "data", "--sop", SKINCARE / "sop.yaml")),
        ("report", ("report", SKINCARE / "data", "--sop", SKINCARE / "sop.yaml", "--views")),
        (
            "report",
            ("report", SKINCARE / "data", "--sop", SKINCARE / "sop.yaml", "--compare", "prev")
            + ("--trend", "8"),
        ),
        ("adherence", ("adherence", SKINCARE / "data", "--sop", SKINCARE / "sop.yaml")),
    ],
)
def test_every_member_of_the_example_output_is_described(cli, which, args):
    schema = _schema(cli, which)
    _check(_json(cli, *args), schema)
    assert _optional(schema) <= OPTIONAL  # every other member is required


def test_an_undescribed_member_is_caught(cli):
    schema = _schema(cli, "report")
    doc = _json(cli, "report", SKINCARE / "data")
    doc["groups"][0]["stages"][0]["kpis"][0]["surprise"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, schema)
    with pytest.raises(AssertionError, match="surprise"):
        _walk(doc, schema, schema, "$")


def test_the_json_views_are_what_the_html_shows(cli):
    # renderers only format: the HTML page and `--format json --views` show the same values
    from sqops.data.tables import read_tables
    from sqops.report.build import Settings, build_report
    from sqops.report.views import LIST_ROWS
    from sqops.sop.loader import load_sop

    doc = _json(cli, "report", SKINCARE / "data", "--sop", SKINCARE / "sop.yaml", "--views")
    views = doc["views"]
    loaded = load_sop(SKINCARE / "sop.yaml")
    settings = Settings.from_sop(loaded.sop)
    tables = read_tables(SKINCARE / "data", tz=settings.tz, columns=settings.columns)
    rep = build_report(tables, settings=settings, lang="en")
    assert views == json.loads(json.dumps(rep.views.to_dict()))
    assert len(views["recall"]) == min(LIST_ROWS, views["recall_total"])
    assert sum(map(sum, views["heatmap"])) > 0
    assert set(views["daily"]) == {g["group_id"] for g in doc["groups"]}
    page = cli("report", SKINCARE / "data", "--sop", SKINCARE / "sop.yaml", "-f", "html").stdout
    for row in views["recall"][:3]:
        assert row["member_id"] in page or (row["member_name"] or "") in page
    assert "views" not in _json(cli, "report", SKINCARE / "data")  # asked for, not by default
