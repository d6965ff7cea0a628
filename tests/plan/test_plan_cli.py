"""``sqops plan`` wiring: exit codes, lint refusal and --force, -o FILE/DIR, --groups, errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from sqops.plan import formats as F

SKINCARE = Path(__file__).resolve().parents[2] / "examples" / "skincare" / "sop.yaml"

SIMPLE = """\
cadence:
  daily:
    - {id: am, time: "09:00", title: 早安, kind: activation, owner: content, script: hi}
scripts:
  hi: "{{ group.name }} 第 {{ day }} 天"
"""


def test_table_to_the_terminal(cli, write_sop):
    r = cli("plan", write_sop(SIMPLE), "--days", "2", "--lang", "en")
    assert r.exit_code == 0, r.output
    assert "Schedule · 测试社群" in r.stdout
    assert "2026-10-01 Thu" in r.stdout and "测试社群 第 2 天" in r.stdout
    assert r.stderr == "1 group(s), 2 item(s) (2026-10-01 to 2026-10-02)\n"


def test_json_to_stdout(cli, write_sop):
    r = cli("plan", write_sop(SIMPLE), "--days", "3", "-f", "json", "--lang", "zh")
    assert r.exit_code == 0
    data = json.loads(r.stdout)
    assert [o["script"] for o in data["groups"][0]["occurrences"]] == [
        "测试社群 第 1 天",
        "测试社群 第 2 天",
        "测试社群 第 3 天",
    ]
    assert r.stderr == "1 个群，3 条安排（2026-10-01 至 2026-10-03）\n"


def test_lint_errors_refuse_the_plan_unless_forced(cli, write_sop, tmp_path):
    bad = SIMPLE.replace(
        'time: "09:00", title: 早安, kind: activation',
        'time: "23:00", title: 深夜秒杀, kind: conversion',
    )
    path = write_sop(bad)
    out = tmp_path / "plan.md"
    r = cli("plan", path, "--days", "2", "--lang", "en", "-o", out)
    assert r.exit_code == 1
    assert r.stdout == ""
    assert " error quiet-hours " in r.stderr
    assert "sop.yaml:" in r.stderr
    assert r.stderr.rstrip().endswith(
        "the SOP has 1 lint error(s), so no plan was made; fix them or add --force"
    )
    assert not out.exists()
    r = cli("plan", path, "--days", "2", "--lang", "en", "-o", out, "--force")
    assert r.exit_code == 0
    assert "planning anyway because of --force" in r.stderr
    text = out.read_text(encoding="utf-8")
    # the date-specific check flags it in the output as well
    assert "23:00 '深夜秒杀' is conversion content inside the quiet hours 22:00-08:00" in text


def test_no_launch_date_needs_start(cli, write_sop, tmp_path):
    path = write_sop(SIMPLE)
    text = path.read_text(encoding="utf-8").replace(", launched_on: 2026-10-01", "")
    path.write_text(text, encoding="utf-8")
    r = cli("plan", path, "--lang", "en")
    assert r.exit_code == 2
    assert (
        "no launch date (launched_on) in the SOP or its groups: give --start YYYY-MM-DD" in r.stderr
    )
    r = cli("plan", path, "--lang", "en", "--start", "2026-11-01", "--days", "1", "-f", "json")
    assert r.exit_code == 0
    data = json.loads(r.stdout)
    assert data["groups"][0]["occurrences"][0]["lifecycle_day"] == 1
    assert data["groups"][0]["notes"] == [
        "no launch date, so the plan's start 2026-11-01 is taken as day 1"
    ]


def test_bad_start_and_days(cli, write_sop):
    path = write_sop(SIMPLE)
    r = cli("plan", path, "--lang", "en", "--start", "2026-02-30")
    assert r.exit_code == 2
    assert (
        r.stderr == "error: --start '2026-02-30' is not a date: write YYYY-MM-DD, e.g. 2026-12-01\n"
    )
    r = cli("plan", path, "--lang", "en", "--days", "0")
    assert r.exit_code == 2
    assert "--days must be 1..3660; got 0" in r.stderr


def test_unknown_group_suggests(cli):
    r = cli("plan", SKINCARE, "--group", "g1", "--lang", "en")
    assert r.exit_code == 2
    assert r.stderr == "error: no group with id 'g1'; did you mean 'g01'?\n"


def test_output_dir_one_file_per_group(cli, tmp_path):
    out = tmp_path / "plans"
    out.mkdir()
    r = cli("plan", SKINCARE, "--days", "20", "-o", out, "-f", "ics")
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == ["g01.ics", "g02.ics", "g03.ics"]
    g02 = (out / "g02.ics").read_text(encoding="utf-8")
    assert "X-WR-CALNAME:青禾护肤研究所 · 杭州一群" in g02
    assert "上海一群" not in g02
    # g03 launches on 2026-11-01, after the 20-day window: an empty calendar, still valid
    import icalendar

    cal = icalendar.Calendar.from_ical((out / "g03.ics").read_bytes())
    assert [e for e in cal.walk("VEVENT") if e.get("TRANSP") != "TRANSPARENT"] == []


def test_output_dir_by_trailing_slash_defaults_to_markdown(cli, tmp_path):
    target = str(tmp_path / "new") + "/"
    r = cli("plan", SKINCARE, "--days", "3", "--group", "g01", "-o", target)
    assert r.exit_code == 0, r.output
    assert [p.name for p in (tmp_path / "new").iterdir()] == ["g01.md"]


def test_format_from_suffix_and_unknown_suffix(cli, tmp_path):
    r = cli("plan", SKINCARE, "--days", "2", "-o", tmp_path / "p.csv")
    assert r.exit_code == 0
    assert (tmp_path / "p.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    r = cli("plan", SKINCARE, "--days", "2", "-o", tmp_path / "p.txt", "--lang", "en")
    assert r.exit_code == 2
    assert "cannot tell the format from" in r.stderr
    r = cli(
        "plan", SKINCARE, "--days", "2", "-o", tmp_path / "p.txt", "-f", "table", "--lang", "en"
    )
    assert r.exit_code == 2
    assert "table is for the terminal" in r.stderr


def test_groups_csv_for_stores(cli, tmp_path):
    stores = tmp_path / "stores.csv"
    stores.write_bytes(
        "\ufeffid,name,launched_on,city\r\ns1,徐汇店,2026-10-01,上海\r\ns2,西湖店,2026-10-02,杭州\r\n".encode()
    )
    r = cli("plan", SKINCARE, "--groups", stores, "--days", "3", "-f", "csv", "--lang", "zh")
    assert r.exit_code == 0, r.output
    rows = list(csv.reader(io.StringIO(r.stdout.lstrip("\ufeff"))))
    assert {row[0] for row in rows[1:]} == {"s1", "s2"}
    welcome = [row for row in rows[1:] if row[8] == "welcome"]
    assert [(row[0], row[2]) for row in welcome] == [("s1", "2026-10-01"), ("s2", "2026-10-02")]
    assert "例如“杭州-小禾”" in welcome[1][14]


def test_groups_csv_error_names_the_row(cli, tmp_path):
    stores = tmp_path / "stores.csv"
    stores.write_text("id,name\ns1,甲\ns1,乙\n", encoding="utf-8")
    r = cli("plan", SKINCARE, "--groups", stores, "--lang", "en")
    assert r.exit_code == 2
    assert "row 2" in r.stderr and "id 's1' repeats row 1" in r.stderr


def test_template_error_exit_2_with_location(cli, write_sop):
    path = write_sop(SIMPLE.replace("{{ group.name }}", "{{ group.nam }}"))
    r = cli("plan", path, "--days", "1", "--lang", "en", "--force")
    assert r.exit_code == 2
    assert "sop.yaml:" in r.stderr
    assert (
        "script 'hi': group.nam is undefined (group has no 'nam') (group default, 2026-10-01)"
        in r.stderr
    )


def test_invalid_sop_exit_2(cli, tmp_path):
    p = tmp_path / "sop.yaml"
    p.write_text(
        "version: 1\ncommunity: {name: x, platform: wechat}\ncadense: {}\n", encoding="utf-8"
    )
    r = cli("plan", p, "--lang", "en", "--start", "2026-10-01")
    assert r.exit_code == 2
    assert "did you mean 'cadence'?" in r.stderr


def test_extensions_cover_every_file_format():
    assert set(F.EXTENSIONS) == set(F.FORMATS)


def test_script_language_variant_follows_lang(cli, write_sop):
    body = SIMPLE.replace(
        'hi: "{{ group.name }} 第 {{ day }} 天"',
        'hi: {zh: "第 {{ day }} 天", en: "Day {{ day }}, {{ weekday }}"}',
    )
    path = write_sop(body)
    r = cli("plan", path, "--days", "1", "-f", "json", "--lang", "en")
    assert json.loads(r.stdout)["groups"][0]["occurrences"][0]["script"] == "Day 1, Thu"
    r = cli("plan", path, "--days", "1", "-f", "json", "--lang", "zh")
    assert json.loads(r.stdout)["groups"][0]["occurrences"][0]["script"] == "第 1 天"


def test_output_dir_file_name_clash(cli, write_sop, tmp_path):
    stores = tmp_path / "stores.csv"
    stores.write_text("id\na/b\na_b\n", encoding="utf-8")
    r = cli(
        "plan",
        write_sop(SIMPLE),
        "--groups",
        stores,
        "--days",
        "1",
        "-o",
        str(tmp_path / "out") + "/",
        "--lang",
        "en",
    )
    assert r.exit_code == 2
    assert "groups 'a/b' and 'a_b' map to the same file name (a_b)" in r.stderr
    assert not (tmp_path / "out").exists()


def test_output_dir_names_that_differ_only_in_case_clash(cli, write_sop, tmp_path):
    # G1.md and g1.md are one file on Windows and macOS: refused before anything is written
    stores = tmp_path / "stores.csv"
    stores.write_text("id\nG1\ng1\n", encoding="utf-8")
    out = tmp_path / "out"
    args = [write_sop(SIMPLE), "--groups", stores, "--days", "1", "-o", f"{out}/", "--lang", "en"]
    r = cli("plan", *args)
    assert r.exit_code == 2
    assert "groups 'G1' and 'g1' map to the same file name (g1)" in r.stderr
    assert not out.exists()


def test_output_dir_windows_device_names(cli, write_sop, tmp_path):
    # a group called con (or nul, com1 ...) cannot be a file con.md on Windows: _con.md
    stores = tmp_path / "stores.csv"
    stores.write_text("id\ncon\nNUL.x\n", encoding="utf-8")
    out = tmp_path / "out"
    r = cli(
        "plan", write_sop(SIMPLE), "--groups", stores, "--days", "1", "-o", f"{out}/", "-f", "md"
    )
    assert r.exit_code == 0, r.stderr
    assert sorted(p.name for p in out.iterdir()) == ["_NUL.x.md", "_con.md"]


def test_file_stem():
    from sqops.render.output import file_stem

    assert file_stem("上海一群") == "上海一群"
    assert file_stem("a/b c") == "a_b_c"
    assert file_stem(".hidden") == "_.hidden"
    assert file_stem("ends.") == "ends"
    assert file_stem("com1") == "_com1" and file_stem("COM1.txt") == "_COM1.txt"
    assert file_stem("com10") == "com10" and file_stem("console") == "console"
    assert file_stem("x" * 100) == "x" * 80


def test_remind_option(cli, tmp_path):
    import icalendar

    out = tmp_path / "p.ics"
    r = cli("plan", SKINCARE, "--days", "2", "--group", "g01", "--remind", "45", "-o", out)
    assert r.exit_code == 0, r.output
    events = [
        e
        for e in icalendar.Calendar.from_ical(out.read_bytes()).walk("VEVENT")
        if e.get("TRANSP") != "TRANSPARENT"
    ]
    assert events and all(
        e.walk("VALARM")[0].decoded("TRIGGER").total_seconds() == -45 * 60 for e in events
    )
    r = cli("plan", SKINCARE, "--days", "2", "--group", "g01", "--remind", "0", "-o", out)
    assert r.exit_code == 0
    assert b"BEGIN:VALARM" not in out.read_bytes()
    r = cli("plan", SKINCARE, "--days", "2", "--remind", "-5", "-o", out)
    assert r.exit_code == 2
