"""``sqops schema``: every published schema is a valid JSON Schema, written atomically."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from sqops.cli.commands.schema import SCHEMAS


@pytest.mark.parametrize("which", sorted(SCHEMAS))
def test_schema_is_valid(cli, which: str) -> None:
    r = cli("schema", which)
    assert r.exit_code == 0
    schema = json.loads(r.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)


def test_sop_schema_accepts_the_example_and_rejects_unknown_keys(cli) -> None:
    import yaml

    schema = json.loads(cli("schema").stdout)
    root = Path(__file__).resolve().parent.parent
    doc = yaml.safe_load((root / "examples" / "skincare" / "sop.yaml").read_text(encoding="utf-8"))
    doc = json.loads(json.dumps(doc, default=str))  # dates as the strings YAML 1.2 would give
    jsonschema.validate(doc, schema)
    doc["community"]["platfrom"] = "qq"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, schema)


def test_schema_to_file_and_unknown_name(cli, tmp_path: Path) -> None:
    out = tmp_path / "sop.schema.json"
    assert cli("schema", "-o", out).exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["title"] == "sqops SOP file"
    r = cli("schema", "nope", "--lang", "en")
    assert r.exit_code == 2
    assert r.stderr.startswith(
        "error: unknown schema 'nope'; choose one of: sop, plan, report, adherence"
    )
