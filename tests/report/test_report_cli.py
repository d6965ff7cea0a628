"""``sqops report`` end to end: outputs, exit codes, lists, rejects, golden files of examples/.

Regenerate the golden files after an intended change with::

    SQOPS_UPDATE_GOLDEN=1 /work/venv/bin/pytest tests/report/test_report_cli.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "skincare"
GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("SQOPS_UPDATE_GOLDEN") == "1"

needs_example = pytest.mark.skipif(
    not (EXAMPLE / "data" / "messages.csv").exists(), reason="no example data"
)


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}; run with SQOPS_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


def _data(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    (d / "messages.csv").write_text(
        "ts,group_id,member_id,member_name,msg_type\n"
        "2026-12-01 10:00,g1,a,小林,text\n"
        "2026-12-02 10:00,g1,b,<img src=x onerror=alert(1)>,text\n"
        "2026-12-09 10:00,g1,a,小林,text\n"
        "bad time,g1,c,cc,text\n",
        encoding="utf-8",
    )
    (d / "orders.csv").write_text(
        "order_id,ts,member_id,amount\no1,2026-12-05 10:00,a,100\no2,2026-12-06 10:00,b,-5\n",
        encoding="utf-8",
    )
    return d


def test_json_validates_against_schema(cli, tmp_path):
    import jsonschema

    from sqops.report.schema import report_schema

    r = cli("report", _data(tmp_path), "--format", "json", "--lang", "en")
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    jsonschema.Draft202012Validator.check_schema(report_schema())
    jsonschema.validate(doc, report_schema())
    assert (
        doc["schema_version"] == 1 and doc["as_of"] == "2026-12-09" and doc["basis"] == "speakers"
    )
    g = doc["groups"][0]
    assert g["current_stage"] == "activation"
    act = next(s for s in g["stages"] if s["stage"] == "activation")
    sr = next(k for k in act["kpis"] if k["name"] == "speaking_rate")
    assert (sr["numerator"], sr["denominator"], sr["status"]) == (1, 2, "good")
    q = {t["table"]: t for t in doc["data_quality"]["tables"]}
    assert q["messages"]["rejected"] == {"bad_time": 1} and q["messages"][
        "first_rejected_rows"
    ] == {"bad_time": [4]}
    assert q["orders"]["rejected"] == {"negative_amount": 1}


def test_schema_command_lists_report(cli):
    r = cli("schema", "report")
    assert r.exit_code == 0
    assert json.loads(r.stdout)["properties"]["schema_version"]["const"] == 1


def test_markdown_and_table(cli, tmp_path):
    d = _data(tmp_path)
    md = cli("report", d, "-f", "md", "--lang", "zh")
    assert md.exit_code == 0
    assert (
        "# 社群健康报告" in md.stdout
        and "| 发言率 `speaking_rate` | 50.0% | 1 | 2 | 30% | 5% | 达标 |" in md.stdout
    )
    assert "messages: 时间无法识别 × 1 (第 4 行)" in md.stdout
    t = cli("report", d, "--lang", "en")
    assert (
        t.exit_code == 0 and "Community health report" in t.stdout and "speaking rate" in t.stdout
    )


def test_output_format_from_the_suffix(cli, tmp_path):
    """``-o r.html`` writes HTML (it once wrote the terminal's box-drawing table there)."""
    d = _data(tmp_path)
    for name, head in (("r.html", "<!DOCTYPE html>"), ("r.md", "# "), ("r.json", "{")):
        r = cli("report", d, "-o", tmp_path / name, "--lang", "en")
        assert r.exit_code == 0, r.stderr
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert text.startswith(head), text[:200]
        assert "─" not in text and "│" not in text
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["lang"] == "en"
    # the same bytes as an explicit --format
    cli("report", d, "-f", "md", "-o", tmp_path / "x.out", "--lang", "en")
    assert (tmp_path / "x.out").read_bytes() == (tmp_path / "r.md").read_bytes()
    r = cli("report", d, "-o", tmp_path / "r.txt", "--lang", "en")
    assert r.exit_code == 2 and "cannot tell the format from" in r.stderr
    assert not (tmp_path / "r.txt").exists()
    r = cli("report", d, "-f", "table", "-o", tmp_path / "r.txt", "--lang", "zh")
    assert r.exit_code == 2 and "table 只用于终端显示" in r.stderr


def test_fail_under(cli, tmp_path):
    d = _data(tmp_path)
    # current stage activation: speaking 50% good, the others unavailable → no hit
    assert cli("report", d, "--fail-under", "warn").exit_code == 0
    sop = tmp_path / "sop.yaml"
    sop.write_text(
        "version: 1\ncommunity: {name: t, platform: wechat, language: en}\n"
        "kpis:\n  speaking_rate: {target: 0.9, floor: 0.6}\n",
        encoding="utf-8",
    )
    r = cli("report", d, "--sop", sop, "--fail-under", "bad")
    assert r.exit_code == 1 and "g1/speaking rate" in r.stderr  # (the KPI label)
    sop.write_text(sop.read_text().replace("floor: 0.6", "floor: 0.4"), encoding="utf-8")
    assert cli("report", d, "--sop", sop, "--fail-under", "bad").exit_code == 0
    assert cli("report", d, "--sop", sop, "--fail-under", "warn").exit_code == 1


def test_lists_and_rejects(cli, tmp_path):
    d = _data(tmp_path)
    r = cli("report", d, "-f", "json", "--lists", tmp_path / "lists", "--rejects", tmp_path / "rej")
    assert r.exit_code == 0
    files = sorted(p.name for p in (tmp_path / "lists").iterdir())
    assert files == [
        "actions.csv",
        "activity_heatmap.csv",
        "koc.csv",
        "pyramid.csv",
        "recall.csv",
        "rfm.csv",
    ]
    rej = (tmp_path / "rej" / "messages.rejects.csv").read_text(encoding="utf-8")
    assert rej.startswith("\ufeffrow,reason,")
    assert "4,bad_time,unreadable time,时间无法识别,bad time,g1,c,cc,text" in rej
    heat = (tmp_path / "lists" / "activity_heatmap.csv").read_text(encoding="utf-8").splitlines()
    # 2026-12-01 is a Tuesday, 12-02 and 12-09 Wednesdays; all at 10:00 (column 0 = weekday)
    assert heat[2].split(",")[11] == "1" and heat[3].split(",")[11] == "2"


@pytest.mark.parametrize(
    ("args", "needle", "code"),
    [
        (["--as-of", "2026-13-01"], "--as-of", 2),
        (["--tz", "Mars/Base"], "Mars/Base", 2),
        (["--group", "nope"], "nope", 2),
        (["--as-of", "2026-11-01"], "no message or member event on or before 2026-11-01", 2),
    ],
)
def test_usage_errors(cli, tmp_path, args, needle, code):
    r = cli("report", _data(tmp_path), *args, "--lang", "en")
    assert r.exit_code == code and needle in r.stderr and "Traceback" not in r.stderr


def test_missing_column_exit_2(cli, tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    (d / "messages.csv").write_text("time,group_id,member_id\n2026-12-01,g1,a\n", encoding="utf-8")
    r = cli("report", d, "--lang", "en")
    assert r.exit_code == 2
    assert (
        "messages.csv: error: table messages lacks the required column 'ts'; columns found: time, group_id, member_id"
        in r.stderr
    )


def test_columns_option(cli, tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    (d / "messages.csv").write_text("时间,群,成员\n2026-12-01 10:00,g1,a\n", encoding="utf-8")
    m = tmp_path / "map.yaml"
    m.write_text("messages: {ts: 时间, group_id: 群, member_id: 成员}\n", encoding="utf-8")
    r = cli("report", d, "--columns", m, "-f", "json")
    assert r.exit_code == 0, r.stderr
    m.write_text("messages: {tss: 时间}\n", encoding="utf-8")
    r = cli("report", d, "--columns", m, "--lang", "en")
    assert r.exit_code == 2 and "table messages has no column 'tss'" in r.stderr


@needs_example
@pytest.mark.parametrize("fmt", ["json", "md"])
def test_golden_example(cli, monkeypatch, fmt):
    monkeypatch.chdir(ROOT)
    args = ["report", "examples/skincare/data", "--sop", "examples/skincare/sop.yaml", "-f", fmt]
    r = cli(*args)
    assert r.exit_code == 0, r.stderr
    _golden(f"skincare.{fmt}", r.stdout)
    assert cli(*args).stdout == r.stdout  # deterministic
    if fmt == "json":
        import jsonschema

        from sqops.report.schema import report_schema

        jsonschema.validate(json.loads(r.stdout), report_schema())


def test_several_missing_columns_are_named_together(cli, tmp_path):
    (tmp_path / "messages.csv").write_text(
        "ts,group,member\n2026-12-01 10:00,g1,m1\n", encoding="utf-8"
    )
    r = cli("report", tmp_path, "--lang", "en")
    assert r.exit_code == 2
    assert (
        "table messages lacks the required columns 'group_id, member_id'; columns found: ts, group, member"
        in r.stderr
    )
