"""What an import could not read, as the lines a user reads.

Shared by ``sqops import`` and ``sqops report --preset``. Nothing here prints: the commands
write the lines to stderr.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqops.errors import Problem
from sqops.i18n import T


def _line(problem: Problem, lang: str, prefix: T) -> str:
    """``file:line: warning: message``: the compiler convention editors can jump to."""
    loc = problem.where.render()
    text = f"{prefix.get(lang)}: {problem.text.get(lang)}"
    return f"{loc}: {text}" if loc else text


def problem_lines(
    problems: Sequence[Problem], lang: str, max_problems: int = 20
) -> tuple[list[str], int]:
    """The notes, then the lines that were skipped (at most ``max_problems``, 0: all) under a
    count; returns the lines and how many input lines were skipped."""
    notes = [p for p in problems if p.code == "note"]
    skipped = [p for p in problems if p.code != "note"]
    out = [_line(p, lang, T("提示", "note")) for p in notes]
    if skipped:
        out.append(
            T("无法读取 {n} 行（已跳过）：", "{n} line(s) could not be read (skipped):")
            .format(n=len(skipped))
            .get(lang)
        )
        shown = skipped if max_problems <= 0 else skipped[:max_problems]
        out += [_line(p, lang, T("警告", "warning")) for p in shown]
        if len(shown) < len(skipped):
            out.append(
                T(
                    "……另有 {n} 行（--max-problems 0 显示全部）",
                    "... and {n} more (--max-problems 0 shows all)",
                )
                .format(n=len(skipped) - len(shown))
                .get(lang)
            )
    return out, len(skipped)
