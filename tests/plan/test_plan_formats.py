"""Output formats: golden files on examples/, iCalendar round trip and UID stability,
CSV for Excel, HTML escaping, byte-identical output across runs.

Regenerate the golden files after an intended change with::

    SQOPS_UPDATE_GOLDEN=1 /work/venv/bin/pytest tests/plan/test_plan_formats.py

and review the diff of tests/plan/golden/ before committing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path

import pytest

from sqops.plan import GroupInfo, build_plan
from sqops.plan import formats as F
from sqops.render import markdown as md
from sqops.sop import load_sop, parse_sop

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
GOLDEN = Path(__file__).parent / "golden"
SKINCARE = EXAMPLES / "skincare" / "sop.yaml"
UPDATE = os.environ.get("SQOPS_UPDATE_GOLDEN") == "1"

#: (golden name, CLI arguments after the SOP path)
CASES = [
    ("october_zh.md", ["--days", "31", "--lang", "zh"]),
    ("october_zh.csv", ["--days", "31", "--lang", "zh"]),
    ("october_zh.json", ["--days", "31", "--lang", "zh"]),
    ("october_zh.ics", ["--days", "31", "--lang", "zh"]),
    ("october_zh.html", ["--days", "31", "--lang", "zh"]),
    (
        "december_g03_en.md",
        ["--start", "2026-12-01", "--days", "35", "--group", "g03", "--lang", "en"],
    ),
    (
        "december_g03_en.json",
        ["--start", "2026-12-01", "--days", "35", "--group", "g03", "--lang", "en"],
    ),
    (
        "december_g03_en.ics",
        ["--start", "2026-12-01", "--days", "35", "--group", "g03", "--lang", "en"],
    ),
    (
        "december_g03_en.csv",
        ["--start", "2026-12-01", "--days", "35", "--group", "g03", "--lang", "en"],
    ),
    (
        "december_g03_en.html",
        ["--start", "2026-12-01", "--days", "35", "--group", "g03", "--lang", "en"],
    ),
]


def _run(cli, tmp_path: Path, name: str, args: list[str]) -> bytes:
    out = tmp_path / name
    result = cli("plan", SKINCARE, *args, "-o", out)
    assert result.exit_code == 0, result.output
    return out.read_bytes()


@pytest.mark.parametrize(("name", "args"), CASES, ids=[c[0] for c in CASES])
def test_golden(cli, tmp_path, name, args):
    data = _run(cli, tmp_path, name, args)
    golden = GOLDEN / name
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(data)
    assert golden.exists(), f"missing golden file {golden}; run with SQOPS_UPDATE_GOLDEN=1"
    assert data == golden.read_bytes(), f"{name} differs from its golden file"


@pytest.mark.parametrize("fmt", ["md", "csv", "json", "ics", "html"])
def test_byte_identical_across_runs(cli, tmp_path, fmt):
    a = _run(cli, tmp_path / "a", f"plan.{fmt}", ["--days", "20"])
    b = _run(cli, tmp_path / "b", f"plan.{fmt}", ["--days", "20"])
    assert a == b and len(a) > 1000


# ------------------------------------------------------------------ iCalendar
def _events(data: bytes):
    import icalendar

    cal = icalendar.Calendar.from_ical(data)
    return cal, [e for e in cal.walk("VEVENT")]


def test_ics_parses_back_with_timezone_alarms_and_scripts():
    loaded = load_sop(SKINCARE)
    plan = build_plan(loaded, start=dt.date(2026, 12, 8), days=5, lang="zh")
    cal, events = _events(F.to_ics(plan, "zh"))
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    items = [e for e in events if e.get("TRANSP") != "TRANSPARENT"]
    assert len(items) == plan.occurrence_count
    uids = [str(e["UID"]) for e in items]
    assert len(set(uids)) == len(uids)
    first = plan.groups[0].occurrences[0]
    ev = next(e for e in items if str(e["UID"]) == F.uid(plan, first))
    start = ev.decoded("DTSTART")
    assert start.replace(tzinfo=None) == dt.datetime.combine(first.date, first.time)
    assert str(start.tzinfo) == "Asia/Shanghai"
    assert ev.decoded("DTSTAMP") == dt.datetime(2026, 12, 8, tzinfo=dt.UTC)
    assert str(ev["DESCRIPTION"]).startswith(first.script)
    alarms = ev.walk("VALARM")
    assert len(alarms) == 1 and alarms[0].decoded("TRIGGER") == dt.timedelta(minutes=-15)
    assert all(len(e.walk("VALARM")) == 1 for e in items)
    # the countdown and the campaign itself are there
    summaries = {str(e["SUMMARY"]) for e in items}
    assert "[上海一群] 距双十二囤货节还有 3 天" in summaries
    assert "[上海一群] 双十二囤货节" in summaries


def _uids(data: bytes) -> dict[tuple[str, str], str]:
    """(summary, dtstart) → UID."""
    _, events = _events(data)
    return {
        (str(e["SUMMARY"]), e.decoded("DTSTART").isoformat()[:10]): str(e["UID"]) for e in events
    }


def test_uids_stable_across_runs_and_unrelated_edits():
    text = SKINCARE.read_text(encoding="utf-8")
    base = parse_sop(text, "sop.yaml", SKINCARE.parent)
    start = dt.date(2026, 10, 1)
    a = F.to_ics(build_plan(base, start=start, days=14, lang="zh"), "zh")
    b = F.to_ics(build_plan(base, start=start, days=14, lang="zh"), "zh")
    assert a == b
    # move the perk to 20:15 and add a new daily item before everything: other UIDs keep,
    # and the perk keeps its UID too (so a calendar updates the event instead of duplicating)
    edited = text.replace('time: "20:00", title: 今晚福利', 'time: "20:15", title: 今晚福利')
    edited = edited.replace(
        "  daily:\n",
        '  daily:\n    - {time: "12:00", title: 午间小贴士, kind: activation, owner: content}\n',
        1,
    )
    assert edited != text
    other = parse_sop(edited, "sop.yaml", SKINCARE.parent)
    ua, uc = _uids(a), _uids(F.to_ics(build_plan(other, start=start, days=14, lang="zh"), "zh"))
    common = set(ua) & set(uc)
    assert len(common) == len(ua)
    assert all(ua[k] == uc[k] for k in common)
    new = set(uc) - set(ua)
    assert new and all("午间小贴士" in k[0] for k in new)


# ------------------------------------------------------------------ CSV / HTML / Markdown / JSON
HOSTILE = [
    GroupInfo(
        "x<1>",
        "<img src=x onerror=alert(1)>",
        dt.date(2026, 10, 1),
        {"city": '=HYPERLINK("http://e")'},
    )
]


def _hostile_plan():
    text = SKINCARE.read_text(encoding="utf-8").replace(
        "title: 早安护肤提醒", "title: '=1+1 *早安* <b>'"
    )
    loaded = parse_sop(text, "sop.yaml", SKINCARE.parent)
    return build_plan(loaded, start=dt.date(2026, 10, 1), days=3, lang="zh", groups=HOSTILE)


def test_csv_is_excel_safe():
    data = F.to_csv(_hostile_plan(), "zh")
    assert data.startswith("\ufeff群ID,群名称,日期,时间")
    import csv
    import io

    rows = list(csv.reader(io.StringIO(data.lstrip("\ufeff"))))
    titles = {r[9] for r in rows[1:]}
    assert "'=1+1 *早安* <b>" in titles
    assert not any(cell.startswith(("=", "+", "@")) for r in rows for cell in r)
    assert "\r\n" in data


def test_html_escapes_user_text():
    page = F.to_html(_hostile_plan(), "zh")
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<b>" not in page and "&lt;b&gt;" in page
    assert 'id="group-x&lt;1&gt;"' in page
    assert page.count("<table") == page.count("</table>") == 1
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")


def test_markdown_escapes_titles_but_keeps_scripts_verbatim():
    md = F.to_markdown(_hostile_plan(), "zh")
    assert r"\*早安\* \<b\>" in md
    assert "## \\<img src=x onerror=alert(1)\\> (x\\<1\\>)" in md
    assert "  早上好 ☀️ 今天是10月1日 周四。" in md  # the script is copied as is


def test_markdown_fence_longer_than_backticks_in_script():
    assert md.fence("a ```` b") == "`````"
    assert md.fence("plain") == "```"


def test_json_shape():
    loaded = load_sop(SKINCARE)
    plan = build_plan(loaded, start=dt.date(2026, 12, 30), days=4, lang="en")
    data = json.loads(F.to_json(plan, "en"))
    assert data["schema_version"] == 1
    assert (data["start"], data["end"], data["days"]) == ("2026-12-30", "2027-01-02", 4)
    # 2027-01-01 元旦 (statutory, certain); Saturday 01-02 follows it, the 2027 调休 not announced
    assert [d["status"] for d in data["calendar"]] == ["workday", "workday", "holiday", "holiday"]
    assert [d.get("provisional", False) for d in data["calendar"]] == [False, False, False, True]
    assert len(data["notices"]) == 1
    occ = data["groups"][0]["occurrences"][0]
    assert set(occ) == {
        "uid", "date", "time", "datetime", "weekday", "lifecycle_day", "stage", "source", "item_id",
        "title", "kind", "owner", "person", "script_name", "script", "campaign_id", "countdown", "notes",
        "responsible",
    }  # fmt: skip
    # three groups with one content person (苏内容): 3 pushes at 08:30, under the limit of 5
    assert data["load"] == {"limit": 5, "windows": []}
    assert occ["datetime"] == "2026-12-30T08:30:00+08:00"
    assert re.fullmatch(r"[0-9a-f]{32}@sqops", occ["uid"])


def test_json_numbers_as_orjson_writes_them():
    """Floats below 1e-4 are spelled the shortest way (``0.00005``, was ``5e-05``); an integer
    past 64 bits, which orjson refuses, is still written (by the standard library)."""
    loaded = load_sop(SKINCARE)
    plan = build_plan(loaded, start=dt.date(2026, 12, 30), days=1, lang="en")
    plan.groups[0].group.vars.update(tiny=0.00005, small=1e-7)
    assert '"tiny": 0.00005,\n' in F.to_json(plan, "en")
    assert '"small": 1e-7\n' in F.to_json(plan, "en")
    plan.groups[0].group.vars.update(big=10**30)
    assert json.loads(F.to_json(plan, "en"))["groups"][0]["vars"]["big"] == 10**30


def test_golden_table(cli):
    """The terminal table (NO_COLOR, 120 columns: set by tests/conftest.py)."""
    r = cli(
        "plan", SKINCARE, "--start", "2026-12-08", "--days", "5", "--group", "g03", "--lang", "zh"
    )
    assert r.exit_code == 0, r.output
    golden = GOLDEN / "december_g03_zh.table.txt"
    if UPDATE:
        golden.write_text(r.stdout, encoding="utf-8")
    assert r.stdout == golden.read_text(encoding="utf-8")
    assert "距双十二囤货节还有 3 天" in r.stdout


@pytest.mark.parametrize("name", ["october_zh.json", "december_g03_en.json"])
def test_json_matches_its_schema(name):
    import jsonschema

    from sqops.plan.schema import plan_schema

    schema = plan_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    data = json.loads((GOLDEN / name).read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)
    data["groups"][0]["occurrences"][0]["stage"] = "propagation"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)
