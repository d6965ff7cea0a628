"""``sqops report --preset FORMAT EXPORT...``: one step gives what import + report give."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

FIX = Path(__file__).parent / "importers" / "fixtures"

CASES = [
    ("telegram", ["telegram_chat.json"]),
    ("wechat-msg", ["wechat_msg.csv"]),
    ("wechat-chatlog", ["wechat_chatlog.csv"]),
    ("qq", ["qq.txt"]),
    ("whatsapp", ["whatsapp_es.txt"]),
    ("discord", ["discord.json"]),
    ("auto", ["wechat_msg.csv", "youzan_orders.csv"]),
]


def _kpis(doc: dict) -> dict:
    return {
        (g["group_id"], s["stage"], k["name"]): (k["available"], k["numerator"], k["denominator"])
        for g in doc["groups"]
        for s in g["stages"]
        for k in s["kpis"]
    }


@pytest.mark.parametrize(("fmt", "files"), CASES, ids=[c[0] for c in CASES])
def test_one_step_equals_import_then_report(
    cli, tmp_path: Path, fmt: str, files: list[str]
) -> None:
    inputs = [FIX / f for f in files]
    one = cli(
        "report", "--preset", fmt, *inputs, "--format", "json", "--lang", "en", "--no-adherence"
    )
    assert one.exit_code == 0, one.stderr
    out = tmp_path / "tables"
    imp = cli("import", fmt, *inputs, "-o", out, "--lang", "en")
    assert imp.exit_code == 0, imp.stderr
    two = cli("report", out, "--format", "json", "--lang", "en", "--no-adherence")
    assert two.exit_code == 0, two.stderr
    a, b = json.loads(one.stdout), json.loads(two.stdout)
    assert a["as_of"] == b["as_of"]
    assert _kpis(a) == _kpis(b)
    assert _kpis(a), "no KPI at all"


def test_preset_numbers_by_hand(cli) -> None:
    # telegram_chat.json: 4 members join in the launch week (one by invite link from a member,
    # one added by a member), one of them leaves again; see tests/importers/fixtures/README.md
    r = cli(
        "report",
        "--preset",
        "telegram",
        FIX / "telegram_chat.json",
        "--format",
        "json",
        "--lang",
        "en",
    )
    doc = json.loads(r.stdout)
    fleet = {k["name"]: k for k in doc["fleet"]["kpis"]}
    assert (
        fleet["first_week_retention"]["numerator"],
        fleet["first_week_retention"]["denominator"],
    ) == (3, 4)
    assert (fleet["referral_rate"]["numerator"], fleet["referral_rate"]["denominator"]) == (2, 4)
    assert fleet["conversion_rate"]["available"] is False
    # the line it could not read is said, with where it is
    assert "telegram_chat.json: messages[6]: warning: cannot read the date" in r.stderr


def test_preset_usage_errors(cli, tmp_path: Path) -> None:
    r = cli("report", "--preset", "telegramm", FIX / "telegram_chat.json", "--lang", "en")
    assert r.exit_code == 2
    assert r.stderr.endswith("did you mean telegram?\n")
    r = cli("report", tmp_path, tmp_path, "--lang", "en")
    assert r.exit_code == 2
    assert (
        r.stderr
        == "error: give one data folder; to read chat or order exports directly, add --preset FORMAT\n"
    )
    r = cli("report", "--preset", "qq", "--lang", "en")
    assert r.exit_code == 2
    bad = tmp_path / "not-qq.txt"
    bad.write_text("hello\n", encoding="utf-8")
    r = cli("report", "--preset", "qq", bad, "--lang", "en")
    assert r.exit_code == 2
    assert r.stderr.startswith(f"{bad.as_posix()}")


def test_date_options_read_alike(cli, tmp_path: Path) -> None:
    # --as-of (report, adherence), --start (plan): one parser, one message
    r = cli("report", "--preset", "qq", FIX / "qq.txt", "--as-of", "2026-02-30", "--lang", "en")
    assert r.exit_code == 2
    assert (
        r.stderr == "error: --as-of '2026-02-30' is not a date: write YYYY-MM-DD, e.g. 2026-12-01\n"
    )
    slash = cli(
        "report",
        "--preset",
        "qq",
        FIX / "qq.txt",
        "--as-of",
        "2026/12/3",
        "-f",
        "json",
        "--no-adherence",
    )
    dash = cli(
        "report",
        "--preset",
        "qq",
        FIX / "qq.txt",
        "--as-of",
        "2026-12-03",
        "-f",
        "json",
        "--no-adherence",
    )
    assert slash.exit_code == 0 and slash.stdout == dash.stdout


@pytest.mark.parametrize(
    ("files", "preset"),
    [
        (["WhatsApp Chat with Glow Club.txt"], "whatsapp"),
        (["telegram_chat.json"], "telegram"),  # (a .json: not a table file at all)
        (["wechat_chatlog.csv"], "wechat-chatlog"),
        (["wechat_msg.csv", "youzan_orders.csv"], "auto"),  # two formats in one folder
    ],
)
def test_an_export_given_as_tables_gets_the_preset_that_reads_it(cli, tmp_path, files, preset):
    import shutil

    folder = tmp_path / "exports"
    folder.mkdir()
    for f in files:
        shutil.copy(FIX / f, folder / f)
    target = folder / files[0] if len(files) == 1 else folder
    r = cli("report", str(target), "--lang", "en")
    assert r.exit_code == 2
    assert f"sqops report --preset {preset} " in r.stderr
    assert f"sqops import {preset} " in r.stderr
    for f in files:
        assert f in r.stderr
    zh = cli("report", str(target), "--lang", "zh")
    assert f"sqops report --preset {preset} " in zh.stderr and "不是 sqops 表" in zh.stderr


def test_no_hint_for_what_is_no_export(cli, tmp_path):
    (tmp_path / "messages.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    r = cli("report", str(tmp_path), "--lang", "en")
    assert r.exit_code == 2
    assert "lacks the required columns" in r.stderr
    assert "--preset" not in r.stderr


@pytest.mark.parametrize(("fmt", "files"), CASES, ids=[c[0] for c in CASES])
def test_preset_past_its_memory_limit_spills_and_says_the_same(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, files: list[str]
) -> None:
    # a memory limit of 1 byte: the import spills its messages to disk at once, the tables are
    # written to a private folder and read from there; the report is byte for byte the one of
    # the tables held in memory (made here with the limit of the report's own buckets as well,
    # so that only the import's path differs), and no folder is left behind
    import tempfile

    from sqops.cli.commands import report as report_cli

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    inputs = [FIX / f for f in files]
    args = ["report", "--preset", fmt, *inputs, "--format", "json", "--lang", "en"]
    held = cli(*args, "--no-adherence")
    assert held.exit_code == 0, held.stderr
    seen: list[object] = []
    real = report_cli._spilled_preset_tables
    monkeypatch.setattr(
        report_cli,
        "_spilled_preset_tables",
        lambda *a: seen.append(a) or real(*a),  # type: ignore[func-returns-value]
    )
    monkeypatch.setattr(report_cli, "_buckets", lambda *a: 0)  # (the one pass, as `held`)
    spilled = cli(*args, "--no-adherence", "--memory-limit", "1")
    assert spilled.exit_code == 0, spilled.stderr
    assert seen, "the import did not spill"
    assert spilled.stdout == held.stdout
    assert list(tmp_path.iterdir()) == []
