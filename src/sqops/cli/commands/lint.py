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


def _cells(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def wrap_cells(text: str, width: int, indent: str = "") -> list[str]:
    """``text`` in lines of at most ``width`` terminal cells (a Chinese character is 2), the
    lines after the first indented by ``indent``; words are not broken (a word wider than
    the line stands alone), Chinese breaks between any two characters. Without rich:
    ``sqops lint`` starts without it."""
    import unicodedata

    tokens: list[str] = []
    word = ""
    for c in text:
        if c.isspace() or unicodedata.east_asian_width(c) in ("W", "F"):
            if word:
                tokens.append(word)
            word = ""
            tokens.append(" " if c.isspace() else c)
        else:
            word += c
    if word:
        tokens.append(word)
    lines: list[str] = []
    line = ""
    for tok in tokens:
        if line.strip() and _cells(line + tok.rstrip()) > width:
            lines.append(line.rstrip())
            line = indent
            if tok == " ":
                continue
        line += tok
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


def _width() -> int:
    """The terminal's columns (COLUMNS first; 80 when stdout is no terminal)."""
    import shutil

    return max(40, shutil.get_terminal_size((80, 24)).columns)


def _print_text(lines: list[tuple[str, str | None]], summary: str, results: list) -> None:
    import sys

    # a hint line wraps at the width, indented as it starts (a finding line stays one line:
    # editors read file:line:col from it)
    width = _width()
    wrapped: list[tuple[str, str | None]] = []
    for line, sev in lines:
        if sev is None and line.startswith("    "):
            wrapped += [(x, sev) for x in wrap_cells(line, width, "    ")]
        else:
            wrapped.append((line, sev))
    lines = wrapped
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

    # rule, severity, title; the hint under the title; both wrap at the terminal's width
    width = max(len(r) for r in RULES)
    pad = " " * (width + 11)
    cols = _width()
    for rid in sorted(RULES):
        r = RULES[rid]
        for x in wrap_cells(f"{rid:<{width}}  {r.severity:<7}  {r.title.get(lang)}", cols, pad):
            echo(x)
        for x in wrap_cells(f"{pad}{r.hint.get(lang)}", cols, pad):
            echo(x)
    echo("")
    names = (
        "指标名（goals.metric 与 kpis 的键）："
        if lang == "zh"
        else "KPI names (goals.metric and kpis keys): "
    ) + ", ".join(KPI_NAMES)
    for x in wrap_cells(names, cols, "  "):
        echo(x)


def register(app: typer.Typer) -> None:
    app.command("lint")(lint)
