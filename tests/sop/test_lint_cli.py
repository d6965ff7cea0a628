"""``sqops lint`` at the command line: exit codes, exact lines, every output format."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

DATA = Path(__file__).parent / "data"
GOOD = (DATA / "good.yaml").read_text(encoding="utf-8")
SARIF_SCHEMA = (
    Path(__file__).resolve().parents[3] / "shared" / "schemas" / "sarif-schema-2.1.0.json"
)
BAD = GOOD.replace('time: "20:00", title: 今晚福利', 'time: "22:30", title: 今晚福利').replace(
    "  forbidden: [广告, 刷屏]\n", "  forbidden: []\n"
)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "good.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "bad.yml").write_text(BAD, encoding="utf-8")
    (tmp_path / "sub" / "other.yaml").write_text(
        "just: data\n", encoding="utf-8"
    )  # not an SOP: skipped
    return tmp_path


def test_clean_file_exits_0(cli, tree: Path) -> None:
    r = cli("lint", tree / "good.yaml", "--lang", "en")
    assert r.exit_code == 0
    assert r.stdout == "no problems found (1 file)\n"


def test_findings_exact_lines(cli, tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tree)
    r = cli("lint", "sub/bad.yml", "--lang", "en", "--no-hints")
    assert r.exit_code == 1
    assert r.stdout.splitlines() == [
        "sub/bad.yml:14:3: warning forbidden-empty rules.forbidden is empty",
        "sub/bad.yml:20:14: error quiet-hours conversion item '今晚福利' at 22:30 is inside quiet hours 22:00-08:00",
        "1 error, 1 warning, 0 info (1 file)",
    ]


def test_chinese_output_and_hints(cli, tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tree)
    r = cli("lint", "sub/bad.yml", "--lang", "zh")
    lines = r.stdout.splitlines()
    assert lines[0] == "sub/bad.yml:14:3: warning forbidden-empty rules.forbidden 是空的"
    assert lines[1].startswith("    提示：“三不”")
    assert lines[-1] == "1 个错误，1 个警告，0 条提示（1 个文件）"


def test_language_follows_the_sop_then_the_locale(
    cli, tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tree)
    r = cli("lint", "sub/bad.yml", "--no-hints")
    assert (
        r.stdout.splitlines()[-1] == "1 个错误，1 个警告，0 条提示（1 个文件）"
    )  # SOP language defaults to zh
    en = BAD.replace("  platform: wechat\n", "  platform: wechat\n  language: en\n")
    (tree / "en.yaml").write_text(en, encoding="utf-8")
    assert cli("lint", "en.yaml").stdout.splitlines()[-1] == "1 error, 1 warning, 0 info (1 file)"
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    (tree / "broken.yaml").write_text("version: 1\ncommunity: [\n", encoding="utf-8")
    assert "YAML 语法错误" in cli("lint", "broken.yaml").stdout


def test_folder_is_searched_recursively(cli, tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tree)
    r = cli("lint", ".", "--lang", "en", "--no-hints")
    assert r.exit_code == 1
    assert r.stdout.splitlines()[-1] == "1 error, 1 warning, 0 info (2 files)"


def test_strict_makes_warnings_fail(cli, tree: Path) -> None:
    warn_only = GOOD.replace("  forbidden: [广告, 刷屏]\n", "  forbidden: []\n")
    (tree / "w.yaml").write_text(warn_only, encoding="utf-8")
    assert cli("lint", tree / "w.yaml").exit_code == 0
    assert cli("lint", tree / "w.yaml", "--strict").exit_code == 1


def test_disable_option(cli, tree: Path) -> None:
    r = cli("lint", tree / "sub" / "bad.yml", "--disable", "quiet-hours,forbidden-empty")
    assert r.exit_code == 0
    r = cli("lint", tree / "sub" / "bad.yml", "--disable", "quiet-hour", "--lang", "en")
    assert r.exit_code == 2
    assert r.stderr == "error: unknown rule quiet-hour; did you mean quiet-hours?\n"


def test_could_not_run_exits_2(cli, tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tree)
    r = cli("lint", "missing.yaml", "--lang", "en")
    assert r.exit_code == 2
    assert r.stdout.splitlines()[0] == "missing.yaml: error file no such file or folder"
    (tree / "gbk.yaml").write_bytes(GOOD.encode("gb18030"))
    r = cli("lint", "gbk.yaml", "--lang", "en", "--no-hints")
    assert r.exit_code == 2
    assert (
        r.stdout.splitlines()[0]
        == "gbk.yaml:3:9: error file file is not UTF-8 (it looks like GBK/GB18030); save it as UTF-8 in your editor"
    )


def test_syntax_error_is_a_finding(cli, tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tree)
    (tree / "dup.yaml").write_text(GOOD + "version: 1\n", encoding="utf-8")
    r = cli("lint", "dup.yaml", "--lang", "en", "--no-hints")
    assert r.exit_code == 1
    assert r.stdout.splitlines()[0] == (
        "dup.yaml:39:1: error yaml-syntax duplicate key 'version' (first at line 1); YAML would silently keep the last one"
    )


def test_json_format(cli, tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tree)
    r = cli("lint", "sub/bad.yml", "--format", "json", "--lang", "en")
    doc = json.loads(r.stdout)
    assert doc["summary"] == {"error": 1, "warning": 1, "info": 0}
    assert doc["findings"][1] == {
        "file": "sub/bad.yml",
        "line": 20,
        "col": 14,
        "severity": "error",
        "rule": "quiet-hours",
        "message": "conversion item '今晚福利' at 22:30 is inside quiet hours 22:00-08:00",
        "hint": "No promotion after 22:00: move the item outside quiet hours, or make it non-conversion content.",
    }


def test_github_format(cli, tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tree)
    r = cli("lint", "sub/bad.yml", "--format", "github", "--lang", "en", "--no-hints")
    lines = r.stdout.splitlines()
    assert lines[1] == (
        "::error file=sub/bad.yml,line=20,col=14,title=sqops quiet-hours::conversion item '今晚福利' at 22%3A30".replace(
            "22%3A30", "22:30"
        )
        + " is inside quiet hours 22:00-08:00%0ANo promotion after 22:00: move the item outside quiet hours, "
        "or make it non-conversion content."
    )
    assert lines[0].startswith(
        "::warning file=sub/bad.yml,line=14,col=3,title=sqops forbidden-empty::"
    )
    # the text lines follow, so the log stays readable
    assert "sub/bad.yml:20:14: error quiet-hours" in r.stdout


@pytest.mark.skipif(
    not SARIF_SCHEMA.exists(), reason="../shared/schemas is not beside this checkout"
)
def test_sarif_validates_against_the_official_schema(
    cli, tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tree)
    r = cli("lint", ".", "--format", "sarif", "--lang", "en")
    doc = json.loads(r.stdout)
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(doc, schema)
    results = doc["runs"][0]["results"]
    assert [(x["ruleId"], x["level"]) for x in results] == [
        ("forbidden-empty", "warning"),
        ("quiet-hours", "error"),
    ]
    region = results[1]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 20, "startColumn": 14}
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    assert rules[results[1]["ruleIndex"]]["id"] == "quiet-hours"


def test_list_rules(cli) -> None:
    r = cli("lint", "--list-rules", "--lang", "en")
    assert r.exit_code == 0
    assert "quiet-hours" in r.stdout and "conversion content inside quiet hours" in r.stdout
    assert "speaking_rate" in r.stdout


def test_output_is_deterministic(cli, tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tree)
    a = cli("lint", ".", "--format", "sarif").stdout
    b = cli("lint", ".", "--format", "sarif").stdout
    assert a == b


def test_every_rule_is_documented() -> None:
    from sqops.lint.rules import RULES

    doc = (Path(__file__).resolve().parents[2] / "docs" / "lint.md").read_text(encoding="utf-8")
    missing = [rid for rid in RULES if f"| `{rid}` | {RULES[rid].severity} |" not in doc]
    assert missing == []


def test_empty_file_is_a_format_finding(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty.yaml").write_text("", encoding="utf-8")
    r = cli("lint", "empty.yaml", "--lang", "en", "--no-hints")
    assert r.exit_code == 1
    assert r.stdout.splitlines()[0] == (
        "empty.yaml:1:1: error schema the file is empty: an SOP needs at least version: 1 and "
        "community: (sqops init writes one)"
    )
