"""json_bytes (the group-by-group JSON writer) gives exactly the text of dumping to_dict at once."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sqops.adherence import compute_adherence
from sqops.adherence.render import json_bytes, to_json
from sqops.data.tables import read_tables
from sqops.render.output import json_text
from sqops.sop.loader import load_sop

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "skincare"


def _adh():
    loaded = load_sop(EXAMPLE / "sop.yaml")
    tables = read_tables(EXAMPLE / "data", tz=loaded.sop.community.timezone)
    return compute_adherence(loaded, tables, lang="zh")


def test_json_bytes_equals_one_dumps():
    adh = _adh()
    assert len(adh.groups) >= 2  # the splicing between groups is exercised
    for lang in ("zh", "en"):
        want = json_text(adh.to_dict(lang)) + "\n"
        got = json_bytes(adh, lang)
        assert got == want.encode("utf-8")
        assert to_json(adh, lang) == want


def test_json_bytes_one_group_and_none():
    adh = _adh()
    for groups in (adh.groups[:1], []):
        a = replace(adh, groups=groups)
        want = json_text(a.to_dict()) + "\n"
        assert json_bytes(a) == want.encode("utf-8")
