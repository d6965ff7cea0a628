"""Markdown: one escaper for user text in table cells, headings and inline text.

Every ASCII character that can start Markdown syntax in the middle of a line (emphasis,
code, links, HTML, headings, table pipes) is backslash-escaped, and line breaks become spaces,
so a group name such as ``# *x* | <b>`` is shown as written and never breaks a heading or a
table. Text the renderer composes as Markdown on purpose (a code span, bold) is marked with
:class:`Md` and passes through :func:`escape` and :func:`table` unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

#: each special character behind a backslash, a line break as a space (CR LF: see escape)
_ESCAPES = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|"} | {"\r": " ", "\n": " "})


class Md(str):
    """Text that is already Markdown (not escaped again)."""

    __slots__ = ()


def escape(text: object) -> Md:
    """``text`` shown literally in Markdown: in a cell, a heading or a paragraph."""
    if isinstance(text, Md):
        return text
    s = str(text)
    return Md((s.replace("\r\n", " ") if "\r" in s else s).translate(_ESCAPES))


def code(text: str) -> Md:
    """An inline code span (its text is shown as is; no backslash escapes inside)."""
    tick = "`" * (_longest_run(text) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    flat = text.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
    return Md(f"{tick}{pad}{flat}{pad}{tick}")


def fence(text: str) -> str:
    """A code fence longer than any run of backticks in ``text`` (at least three)."""
    return "`" * max(3, _longest_run(text) + 1)


def _longest_run(text: str) -> int:
    return max((len(m) for m in re.findall(r"`+", text)), default=0)


def table(header: Sequence[object], rows: Sequence[Sequence[object]]) -> list[str]:
    """A GitHub-flavoured table, every cell escaped (cells marked :class:`Md` as they are)."""
    out = ["| " + " | ".join(escape(h) for h in header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(escape(c) for c in r) + " |" for r in rows]
    return out
