"""``sqops init`` at the command line: what it writes, what it refuses, what it prints."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from sqops.lint import lint_paths
from sqops.sop.loader import load_sop
from sqops.sop.schema import dumps, sop_schema
from sqops.sop.templates import TEMPLATE_TYPES, read_template, starter_sop

CASES = [(t, lang) for t in TEMPLATE_TYPES for lang in ("zh", "en")]


@pytest.mark.parametrize(("type_", "lang"), CASES, ids=[f"{t}.{g}" for t, g in CASES])
def test_init_writes_a_clean_starter_and_the_schema(
    cli, tmp_path: Path, type_: str, lang: str
) -> None:
    target = tmp_path / "sop.yaml"
    r = cli("init", target, "--type", type_, "--lang", lang)
    assert r.exit_code == 0, r.stderr
    # exactly the template, byte for byte (no option changes anything)
    assert target.read_bytes() == read_template(type_, lang).encode("utf-8")
    schema = tmp_path / "sop.schema.json"
    assert schema.read_text(encoding="utf-8") == dumps(sop_schema())
    assert json.loads(schema.read_text(encoding="utf-8"))["title"] == "sqops SOP file"
    assert load_sop(target).sop.community.type == type_
    [result] = lint_paths([target])
    assert result.findings == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sop.schema.json", "sop.yaml"]


def test_next_steps_in_english(cli, tmp_path: Path) -> None:
    target = tmp_path / "my sop.yaml"
    r = cli("init", target, "--type", "refined", "--lang", "en")
    assert r.exit_code == 0
    quoted = f"'{target.as_posix()}'"
    lines = r.stdout.splitlines()
    assert lines[0] == f"wrote {quoted} (refined — a member community run around one interest)"
    assert lines[1] == (
        f"wrote {(tmp_path / 'sop.schema.json').as_posix()} "
        "(for completion and checks in your editor)"
    )
    assert f"  2. Check it: sqops lint {quoted}" in lines
    assert f"  3. Preview the schedule and scripts: sqops plan {quoted}" in lines
    assert r.stderr == ""


def test_next_steps_in_chinese(cli, tmp_path: Path) -> None:
    target = tmp_path / "sop.yaml"
    r = cli("init", target, "--type", "service", "--lang", "zh")
    assert r.exit_code == 0
    assert f"  2. 检查：sqops lint {target.as_posix()}" in r.stdout.splitlines()
    assert f"  3. 预览排期和话术：sqops plan {target.as_posix()}" in r.stdout.splitlines()
    assert r.stdout.startswith(f"已写入 {target.as_posix()}（客户服务型")


def test_language_follows_the_locale(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    target = tmp_path / "a.yaml"
    assert cli("init", target, "--type", "broadcast").exit_code == 0
    assert target.read_text(encoding="utf-8") == read_template("broadcast", "zh")
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    target = tmp_path / "b.yaml"
    assert cli("init", target, "--type", "broadcast").exit_code == 0
    assert target.read_text(encoding="utf-8") == read_template("broadcast", "en")
    # --lang wins over the locale
    target = tmp_path / "c.yaml"
    assert cli("init", target, "--type", "broadcast", "--lang", "zh").exit_code == 0
    assert "language: zh" in target.read_text(encoding="utf-8")


def test_default_path_is_sop_yaml_in_the_current_folder(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    r = cli("init", "--type", "store", "--lang", "en")
    assert r.exit_code == 0
    assert (tmp_path / "sop.yaml").read_text(encoding="utf-8") == read_template("store", "en")
    assert "sqops lint sop.yaml" in r.stdout


def test_an_existing_folder_gets_sop_yaml_inside(cli, tmp_path: Path) -> None:
    folder = tmp_path / "community"
    folder.mkdir()
    assert cli("init", folder, "--type", "refined", "--lang", "zh").exit_code == 0
    assert (folder / "sop.yaml").is_file()
    assert (folder / "sop.schema.json").is_file()


def test_missing_folders_are_created(cli, tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "sop.yaml"
    assert cli("init", target, "--type", "refined", "--lang", "en").exit_code == 0
    assert target.is_file() and (target.parent / "sop.schema.json").is_file()


def test_refuses_to_overwrite(cli, tmp_path: Path) -> None:
    target = tmp_path / "sop.yaml"
    original = b"version: 1\n# my own work, \xe4\xb8\x8d\xe8\xa6\x81\xe8\xa6\x86\xe7\x9b\x96\r\n"
    target.write_bytes(original)
    r = cli("init", target, "--type", "refined", "--lang", "en")
    assert r.exit_code == 2
    assert r.stderr == (
        f"{target.as_posix()}: error: the file already exists and was left unchanged; "
        "add --force to overwrite it\n"
    )
    assert target.read_bytes() == original
    assert not (tmp_path / "sop.schema.json").exists()  # nothing at all was written
    r = cli("init", target, "--type", "refined", "--lang", "zh")
    assert r.exit_code == 2
    assert r.stderr == f"{target.as_posix()}: 错误: 文件已存在，未做任何改动；要覆盖请加 --force\n"
    assert target.read_bytes() == original


def test_force_overwrites(cli, tmp_path: Path) -> None:
    target = tmp_path / "sop.yaml"
    target.write_text("old\n", encoding="utf-8")
    r = cli("init", target, "--type", "service", "--lang", "en", "--force")
    assert r.exit_code == 0
    assert target.read_text(encoding="utf-8") == read_template("service", "en")


def test_existing_schema_is_kept(cli, tmp_path: Path) -> None:
    schema = tmp_path / "sop.schema.json"
    schema.write_bytes(b'{"mine": true}\n')
    r = cli("init", tmp_path / "sop.yaml", "--type", "refined", "--lang", "en")
    assert r.exit_code == 0
    assert schema.read_bytes() == b'{"mine": true}\n'
    assert (
        f"kept the existing {schema.as_posix()} (to refresh it: sqops schema -o {schema.as_posix()})"
        in r.stdout.splitlines()
    )


def test_no_schema(cli, tmp_path: Path) -> None:
    r = cli("init", tmp_path / "sop.yaml", "--type", "refined", "--lang", "en", "--no-schema")
    assert r.exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sop.yaml"]
    assert "sop.schema.json" not in r.stdout


@pytest.mark.parametrize(
    "name",
    [
        'He said "hi": #1 门店',
        "小橡树·徐汇店 # 顾客群: 第 1 群",
        "back\\slash and 'single' quotes",
        "- looks like a list item",
        "{{ community.name }} [not, a, list] & *anchor !tag %",
        "null",
        "2027-03-01",
        "22:00",
        "  spaced  ",
        "emoji 🎉 and ümlaut",
    ],
)
def test_name_is_written_safely(cli, tmp_path: Path, name: str) -> None:
    target = tmp_path / "sop.yaml"
    r = cli("init", target, "--type", "store", "--lang", "zh", "--name", name)
    assert r.exit_code == 0, r.stderr
    loaded = load_sop(target)
    assert loaded.sop.community.name == name.strip()
    # only the name line changed; every comment is still there
    before = read_template("store", "zh").splitlines()
    after = target.read_text(encoding="utf-8").splitlines()
    assert len(before) == len(after)
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert len(changed) == 1
    assert changed[0][1].lstrip().startswith('name: "')
    assert changed[0][1].endswith("# 社群名称，话术里的 {{ community.name }} [init:name]")
    [result] = lint_paths([target])
    assert result.findings == []


def test_name_with_a_quote_is_escaped_exactly(cli, tmp_path: Path) -> None:
    target = tmp_path / "sop.yaml"
    assert (
        cli("init", target, "-t", "refined", "--lang", "en", "--name", 'A "B": #C 门').exit_code
        == 0
    )
    line = next(x for x in target.read_text(encoding="utf-8").splitlines() if "[init:name]" in x)
    value, _, comment = line.partition("  #")
    assert value.rstrip() == '  name: "A \\"B\\": #C 门"'
    assert comment == " the community's name, {{ community.name }} in scripts [init:name]"


@pytest.mark.parametrize("name", ["", "   ", "two\nlines", "tab\there"])
def test_bad_names_are_refused(cli, tmp_path: Path, name: str) -> None:
    target = tmp_path / "sop.yaml"
    r = cli("init", target, "--type", "refined", "--lang", "en", "--name", name)
    assert r.exit_code == 2
    assert r.stderr.startswith("error: --name must not")
    assert not target.exists()


def test_platform_and_launch(cli, tmp_path: Path) -> None:
    target = tmp_path / "sop.yaml"
    r = cli(
        "init", target, "--type", "broadcast", "--lang", "en",
        "--platform", "discord", "--launch", "2027-04-05", "--name", "Fruit Friends",
    )  # fmt: skip
    assert r.exit_code == 0, r.stderr
    sop = load_sop(target).sop
    assert sop.community.platform == "discord"
    assert sop.community.launched_on == dt.date(2027, 4, 5)
    assert sop.community.name == "Fruit Friends"
    assert lint_paths([target])[0].findings == []
    assert target.read_text(encoding="utf-8") == starter_sop(
        "broadcast", "en", name="Fruit Friends", platform="discord", launch=dt.date(2027, 4, 5)
    )


def test_unknown_platform_is_a_usage_error(cli, tmp_path: Path) -> None:
    r = cli("init", tmp_path / "s.yaml", "--type", "refined", "--platform", "icq")
    assert r.exit_code == 2
    assert not (tmp_path / "s.yaml").exists()


@pytest.mark.parametrize("value", ["2027-02-30", "next monday", "2027-03"])
def test_bad_launch_day(cli, tmp_path: Path, value: str) -> None:
    r = cli("init", tmp_path / "s.yaml", "--type", "refined", "--lang", "en", "--launch", value)
    assert r.exit_code == 2
    assert (
        r.stderr == f"error: --launch '{value}' is not a date: write YYYY-MM-DD, e.g. 2026-12-01\n"
    )
    assert not (tmp_path / "s.yaml").exists()


@pytest.mark.parametrize("value", ["2027-03-01", "2027/3/1", "2027年3月1日"])
def test_launch_day_is_read_as_every_date_option(cli, tmp_path: Path, value: str) -> None:
    # one date parser (sqops.data.scalars.parse_date) for --launch, --start, --as-of, --since
    r = cli("init", tmp_path / "s.yaml", "--type", "refined", "--lang", "en", "--launch", value)
    assert r.exit_code == 0, r.stderr
    assert "2027-03-01" in (tmp_path / "s.yaml").read_text(encoding="utf-8")


def test_type_is_required_and_listed(cli, tmp_path: Path) -> None:
    r = cli("init", tmp_path / "s.yaml", "--lang", "en")
    assert r.exit_code == 2
    lines = r.stderr.splitlines()
    assert lines[0] == "error: choose the community type with --type:"
    assert [line.split()[2] for line in lines[1:]] == ["broadcast", "refined", "service", "store"]
    assert not (tmp_path / "s.yaml").exists()
    r = cli("init", tmp_path / "s.yaml", "--lang", "zh")
    assert r.stderr.splitlines()[0] == "错误: 请用 --type 选择社群类型："


def test_output_is_deterministic(cli, tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for folder in (a, b):
        folder.mkdir()
        assert (
            cli("init", folder, "-t", "store", "--lang", "zh", "--name", "门店 #1").exit_code == 0
        )
    for name in ("sop.yaml", "sop.schema.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes()


def test_help_lists_init(cli) -> None:
    r = cli("--help")
    assert r.exit_code == 0
    assert "init" in r.stdout
    r = cli("init", "--help")
    assert r.exit_code == 0
    for option in (
        "--type",
        "--lang",
        "--name",
        "--platform",
        "--launch",
        "--force",
        "--no-schema",
    ):
        assert option in r.stdout


def _doc_block(text: str, starts_with: str) -> list[str]:
    blocks = text.split("```console\n")[1:]
    block = next(b.split("```", 1)[0] for b in blocks if b.startswith(starts_with))
    return block.splitlines()


def test_docs_example_is_what_init_prints(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "init.md").read_text(encoding="utf-8")
    block = _doc_block(docs, "$ sqops init --type refined --lang zh")
    monkeypatch.chdir(tmp_path)
    r = cli("init", "--type", "refined", "--lang", "zh")
    assert r.exit_code == 0
    assert r.stdout.splitlines() == block[1:]


def test_docs_cover_every_option(cli) -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "init.md").read_text(encoding="utf-8")
    for option in (
        "PATH",
        "--type",
        "--lang",
        "--name",
        "--platform",
        "--launch",
        "--force",
        "--no-schema",
    ):
        assert f"`{option}`" in docs, option
    for t in TEMPLATE_TYPES:
        assert f"`{t}`" in docs


def test_a_path_ending_in_slash_is_a_new_folder(cli, tmp_path: Path) -> None:
    r = cli("init", f"{tmp_path.as_posix()}/new/", "--type", "service", "--lang", "en")
    assert r.exit_code == 0, r.stderr
    assert (tmp_path / "new" / "sop.yaml").is_file()
    assert (tmp_path / "new" / "sop.schema.json").is_file()


def test_pre_commit_hooks_file() -> None:
    import yaml

    hooks = yaml.safe_load(
        (Path(__file__).resolve().parents[2] / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    )
    by_id = {h["id"]: h for h in hooks}
    assert set(by_id) == {"sqops-lint", "sqops-lint-files"}
    main = by_id["sqops-lint"]
    assert (main["entry"], main["language"], main["files"]) == (
        "sqops lint",
        "python",
        r"\.(ya?ml)$",
    )
    # lints the whole repository (SOPs are found by their content), not the YAML files given
    assert main["pass_filenames"] is False and main["args"] == ["."]
    assert by_id["sqops-lint-files"].get("pass_filenames", True) is True


def test_hook_command_ignores_yaml_that_is_not_an_sop(cli, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli("init", "--type", "refined", "--lang", "en").exit_code == 0
    (tmp_path / ".pre-commit-config.yaml").write_text("repos: [", encoding="utf-8")
    (tmp_path / "ci.yml").write_text("on: push\n", encoding="utf-8")
    r = cli("lint", ".")
    assert r.exit_code == 0
    assert r.stdout.strip().splitlines()[-1] == "no problems found (1 file)"


def test_a_folder_in_the_way_is_an_error(cli, tmp_path: Path) -> None:
    (tmp_path / "sop.yaml").mkdir()
    r = cli("init", tmp_path, "--type", "refined", "--lang", "en", "--force")
    assert r.exit_code == 2
    assert r.stderr == (
        f"{(tmp_path / 'sop.yaml').as_posix()}: error: is a folder, not a file an SOP can be written to\n"
    )
    assert not (tmp_path / "sop.schema.json").exists()


def test_a_failed_write_is_reported(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(src: str, dst: str) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    target = tmp_path / "sop.yaml"
    r = cli("init", target, "--type", "refined", "--lang", "en")
    assert r.exit_code == 2
    assert r.stderr == f"{target.as_posix()}: error: cannot write: Permission denied\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # the temporary file is gone too
