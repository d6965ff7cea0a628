"""``sqops lint``: check SOP files against the file format and the field's practice."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from sqops.cli.common import LangOpt, echo, format_option, running
from sqops.cli.helptext import H
from sqops.errors import UsageError
from sqops.i18n import T


class LintFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"


_COLOUR = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def lint(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help=H(
                "SOP 文件或文件夹（文件夹：其中每个声明了 version: 和 community: 的 *.yaml/*.yml）。",
                "SOP files or folders (folders: every *.yaml/*.yml that declares version: and community:).",
            )
        ),
    ] = None,
    fmt: Annotated[LintFormat, format_option(LintFormat, from_suffix=False)] = LintFormat.text,
    strict: Annotated[
        bool, typer.Option("--strict", help=H("有警告也以 1 退出。", "Exit 1 on warnings too."))
    ] = False,
    disable: Annotated[
        list[str] | None,
        typer.Option(
            "--disable",
            help=H(
                "跳过的规则 id（可重复，或用逗号分隔）。",
                "Rule id to skip (repeatable, or comma-separated).",
            ),
        ),
    ] = None,
    list_rules: Annotated[
        bool,
        typer.Option("--list-rules", help=H("列出所有规则并退出。", "List every rule and exit.")),
    ] = False,
    no_hints: Annotated[
        bool,
        typer.Option(
            "--no-hints",
            help=H("文本格式：不输出提示行。", "Text format: leave out the hint lines."),
        ),
    ] = False,
    lang: LangOpt = None,
) -> None:
    """Check SOP files: format errors with file:line:col, and the field's practice as rules.

    Exit codes: 0 clean, 1 error findings (--strict: warnings too), 2 could not run.
    Silence one finding with a `# sqops: disable=RULE` comment on its line, a whole file with
    `# sqops: disable-file=RULE`.

    [zh]
    检查 SOP 文件：格式错误精确到 文件:行:列，并按社群运营实践规则检查。

    退出码：0 无问题，1 有错误级发现（--strict：警告也算），2 无法运行。
    在某行加 `# sqops: disable=RULE` 注释可忽略该行的一条发现，加 `# sqops: disable-file=RULE`
    忽略整个文件。
    """
    from sqops.lint import (
        exit_code,
        format_github,
        format_json,
        format_sarif,
        format_text,
        lint_paths,
        summary_line,
    )
    from sqops.lint.rules import RULES

    with running(lang) as run:
        disabled = {x.strip() for d in (disable or []) for x in d.split(",") if x.strip()}
        unknown = sorted(disabled - set(RULES) - {"all"})
        if unknown:
            from sqops.errors import did_you_mean

            hint = did_you_mean(unknown[0], RULES)
            raise UsageError(
                T("未知的规则 {r}", "unknown rule {r}").format(r=", ".join(unknown))
                + (T(f"，你是不是想写 {hint}？", f"; did you mean {hint}?") if hint else T("", ""))
            )
        if list_rules:
            _print_rules(run.lang)
            return
        results = lint_paths([str(p) for p in (paths or [Path(".")])], disabled)
        langs = [r.language for r in results if r.language]
        lg = run.use_sop_language(langs[0] if langs else None)
        if fmt is LintFormat.json:
            typer.echo(format_json(results, lg), nl=False)
        elif fmt is LintFormat.sarif:
            typer.echo(format_sarif(results, lg), nl=False)
        else:
            if fmt is LintFormat.github:
                for line in format_github(results, lg):
                    echo(line)
            _print_text(
                format_text(results, lg, hints=not no_hints), summary_line(results, lg), results
            )
        raise typer.Exit(exit_code(results, strict))


def _print_text(lines: list[tuple[str, str | None]], summary: str, results: list) -> None:
    import sys

    if not sys.stdout.isatty():
        for line, _ in lines:
            echo(line)
        echo(summary)
        return
    from sqops.render.console import Text, console

    con = console()
    for line, sev in lines:
        con.print(Text(line, style=_COLOUR.get(sev or "", "dim")))
    bad = any(f.severity == "error" for r in results for f in r.findings)
    con.print(Text(summary, style="bold red" if bad else "bold green"))


def _print_rules(lang: str) -> None:
    from sqops.domain.kpis import KPI_NAMES
    from sqops.lint.rules import RULES

    width = max(len(r) for r in RULES)
    for rid in sorted(RULES):
        r = RULES[rid]
        echo(f"{rid:<{width}}  {r.severity:<7}  {r.title.get(lang)}")
        echo(f"{'':<{width}}           {r.hint.get(lang)}")
    echo("")
    echo(
        (
            "指标名（goals.metric 与 kpis 的键）："
            if lang == "zh"
            else "KPI names (goals.metric and kpis keys): "
        )
        + ", ".join(KPI_NAMES)
    )


def register(app: typer.Typer) -> None:
    app.command("lint")(lint)
