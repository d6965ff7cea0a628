"""sqops report and the independent DuckDB reference agree on every KPI of the example data.

benchmarks/reference_duckdb.py was written from spec.md alone; if both implementations give
the same numerator and denominator for every KPI of every started stage, each definition has
been read the same way twice. Skipped until ``sqops.report`` exists, and without duckdb (the
``bench`` extra).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "skincare"

pytest.importorskip("duckdb")
if importlib.util.find_spec("sqops.report") is None:
    pytest.skip("sqops.report is not there yet", allow_module_level=True)


def _reference_module():
    spec = importlib.util.spec_from_file_location(
        "sqops_bench_reference", ROOT / "benchmarks" / "reference_duckdb.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def reference():
    return _reference_module()


@pytest.mark.parametrize("as_of", [None, "2026-12-20", "2026-11-05"])
def test_report_and_reference_agree_on_the_example(cli, reference, as_of):
    extra = ["--as-of", as_of] if as_of else []
    result = cli(
        "report", EXAMPLE / "data", "--sop", EXAMPLE / "sop.yaml", "--format", "json", *extra
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    ref = reference.reference_report(
        EXAMPLE / "data",
        EXAMPLE / "sop.yaml",
        None if as_of is None else dt.date.fromisoformat(as_of),
    )
    compared = [
        k
        for g in ref["groups"]
        for s in g["stages"]
        if s["status"] != "not_started"
        for k in s["kpis"]
    ]
    assert len(compared) >= 20
    assert reference.compare(report, ref) == []


def test_compare_notices_a_difference(reference):
    ref = {
        "as_of": "2027-01-28",
        "groups": [
            {
                "group_id": "g01",
                "day0": "2026-10-01",
                "stages": [
                    {
                        "stage": "activation",
                        "status": "complete",
                        "kpis": [
                            {
                                "name": "speaking_rate",
                                "numerator": 3,
                                "denominator": 10,
                                "available": True,
                            },
                            {
                                "name": "participation_rate",
                                "numerator": None,
                                "denominator": None,
                                "available": False,
                            },
                        ],
                    }
                ],
            }
        ],
    }
    same = json.loads(json.dumps(ref))
    assert reference.compare(same, ref) == []
    other = json.loads(json.dumps(ref))
    other["groups"][0]["stages"][0]["kpis"][0]["numerator"] = 4
    other["groups"][0]["stages"][0]["kpis"][1]["available"] = True
    assert reference.compare(other, ref) == [
        "g01 activation.speaking_rate: numerator sqops 4 != reference 3",
        "g01 activation.participation_rate: available sqops True != reference False",
    ]


def test_weekly_active_leaver_counts_in_neither_in_both(cli, reference, tmp_path):
    """The hand-worked case of tests/report/test_report_kpis.py through both implementations:
    b spoke in the block 03-12..03-18 but left on 03-15, before its last day, so counts in
    neither part of that block (spec §2, retention): (1 + 2) / (2 + 4)."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "messages.csv").write_text(
        "ts,group_id,member_id\n"
        "2027-03-12 10:00,g1,a\n2027-03-13 10:00,g1,b\n"
        "2027-03-06 10:00,g1,b\n2027-03-06 10:00,g1,c\n",
        encoding="utf-8",
    )
    (data / "members.csv").write_text(
        "ts,group_id,member_id,event\n"
        "2026-12-01 09:00,g1,a,join\n2026-12-01 09:00,g1,b,join\n"
        "2026-12-01 09:00,g1,c,join\n2026-12-01 09:00,g1,d,join\n"
        "2027-03-11 20:00,g1,c,leave\n2027-03-15 20:00,g1,b,leave\n",
        encoding="utf-8",
    )
    sop = tmp_path / "sop.yaml"
    sop.write_text(
        "version: 1\ncommunity: {name: t, platform: wecom, type: refined}\n"
        "groups:\n  - {id: g1, name: g1, launched_on: 2026-12-01}\n",
        encoding="utf-8",
    )
    r = cli("report", data, "--sop", sop, "--format", "json", "--as-of", "2027-03-18")
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)
    ref = reference.reference_report(data, sop, dt.date(2027, 3, 18))
    wa = [
        (k["numerator"], k["denominator"])
        for g in ref["groups"]
        for s in g["stages"]
        for k in s["kpis"]
        if k["name"] == "weekly_active_rate"
    ]
    assert wa == [(3, 6)]
    assert reference.compare(report, ref) == []
