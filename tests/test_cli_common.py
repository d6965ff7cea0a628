"""What the commands share: the output router, and the run that sets the language and maps
errors to exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer

from sqops.cli.common import running
from sqops.cli.route import Route, route
from sqops.errors import InputError, UsageError
from sqops.i18n import T

PLAN = ["table", "md", "csv", "ics", "json", "html"]
REPORT = ["table", "md", "json", "html"]


def test_route_to_stdout_defaults_to_the_terminal_table() -> None:
    assert route(None, None, REPORT) == Route("table")
    assert route("md", None, REPORT) == Route("md")
    assert route(None, None, ["json"]) == Route("json")  # (sqops schema)


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("r.md", "md"),
        ("r.MARKDOWN", "md"),
        ("r.json", "json"),
        ("r.html", "html"),
        ("r.htm", "html"),
    ],
)
def test_route_takes_the_format_from_the_suffix(name: str, fmt: str) -> None:
    assert route(None, name, REPORT) == Route(fmt, Path(name))


def test_route_explicit_format_wins_over_the_suffix() -> None:
    assert route("json", "r.md", REPORT) == Route("json", Path("r.md"))


@pytest.mark.parametrize("name", ["r.txt", "r", "r.csv"])  # (.csv: not a report format)
def test_route_unknown_suffix_is_a_usage_error(name: str) -> None:
    with pytest.raises(UsageError) as exc:
        route(None, name, REPORT)
    assert exc.value.exit_code == 2
    text = exc.value.problems[0].text
    assert text.en == f"cannot tell the format from '{name}'; add --format"
    assert text.zh == f"无法从 “{name}” 的后缀判断格式，请加 --format"


def test_route_refuses_the_table_for_a_file() -> None:
    with pytest.raises(UsageError) as exc:
        route("table", "r.md", REPORT)
    assert exc.value.problems[0].text == T(
        "table 只用于终端显示；写文件请选 md、json 或 html",
        "table is for the terminal; to write a file choose md, json or html",
    )
    with pytest.raises(UsageError) as exc:
        route("table", "out/", PLAN, per_group="md")
    assert exc.value.problems[0].text.en == (
        "table is for the terminal; to write files choose md, csv, ics, json or html"
    )


def test_route_dir_only_where_the_command_writes_per_group(tmp_path: Path) -> None:
    assert route(None, "plans/", PLAN, per_group="md") == Route("md", Path("plans"), True)
    assert route("ics", str(tmp_path), PLAN, per_group="md") == Route("ics", tmp_path, True)
    assert route(None, "plans/", PLAN, per_group="md").shown == "plans/"
    with pytest.raises(UsageError):  # no suffix to tell the format from
        route(None, "plans/", REPORT)


def test_route_one_format_takes_any_name(tmp_path: Path) -> None:
    to = route(None, tmp_path / "sop.schema", ["json"])
    assert to.fmt == "json"
    to.write("{}\n")
    assert (tmp_path / "sop.schema").read_bytes() == b"{}\n"


def test_running_maps_errors_to_exit_codes_in_the_sop_language(capsys) -> None:
    with pytest.raises(typer.Exit) as exc, running("en") as run:
        assert run.use_sop_language("zh") == "en"  # --lang wins
        raise UsageError(T("坏", "bad"))
    assert exc.value.exit_code == 2
    assert capsys.readouterr().err == "error: bad\n"
    with pytest.raises(typer.Exit) as exc, running(None) as run:
        run.use_sop_language("zh")  # the SOP's community.language, once loaded
        raise InputError(T("坏", "bad"))
    assert exc.value.exit_code == 2
    assert capsys.readouterr().err == "错误: 坏\n"
    with pytest.raises(typer.Exit) as exc, running("en"):
        raise KeyboardInterrupt
    assert exc.value.exit_code == 130 and capsys.readouterr().err == "interrupted\n"


def test_commands_do_not_import_each_other() -> None:
    """What two commands share lives in the library (e.g. sqops.importers.problems)."""
    import ast

    import sqops.cli.commands

    folder = Path(sqops.cli.commands.__file__).parent
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("sqops.cli.commands"), (path.name, node.module)
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith("sqops.cli.commands") for a in node.names), (
                    path.name
                )


@pytest.mark.parametrize(
    ("args", "option", "hint"),
    [
        (["init", "x.yaml", "--platform", "wechatt"], "--platform", "wechat"),
        (["init", "x.yaml", "--type", "refind"], "--type", "refined"),
        (["report", "data", "--format", "htm"], "--format", "html"),
        (["report", "data", "--fail-under", "wran"], "--fail-under", "warn"),
        (["plan", "sop.yaml", "--by", "ownr"], "--by", "owner"),
        (["demo", "d", "--format", "csvv"], "--format", "csv"),
        (["import", "qq", "x.txt", "--format", "parquett"], "--format", "parquet"),
        (["lint", "sop.yaml", "--format", "sariff"], "--format", "sarif"),
    ],
)
def test_a_value_that_is_not_a_choice_says_so_in_the_users_language(
    cli, tmp_path, monkeypatch, args, option, hint
) -> None:
    # was the validator's English "Value error, 'wechatt' is not one of ..." in any language
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.argv", ["sqops", *args, "--lang", "en"])  # (as a shell gives it)
    r = cli(*args, "--lang", "en")
    assert r.exit_code == 2
    assert "is not one of the choices" in r.stderr and f"did you mean {hint}?" in r.stderr
    assert "Value error" not in r.stderr and option in r.stderr
    monkeypatch.setattr("sys.argv", ["sqops", *args, "--lang", "zh"])
    zh = cli(*args, "--lang", "zh")
    assert "不是可选值" in zh.stderr and f"你是不是想写 {hint}？" in zh.stderr


def test_a_choice_in_another_case_is_taken(cli, tmp_path) -> None:
    r = cli("schema", "--lang", "EN", "-o", str(tmp_path / "s.json"))
    assert r.exit_code == 0, r.stderr
