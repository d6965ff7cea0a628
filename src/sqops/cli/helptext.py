"""``--help`` in Chinese and English: every help text is written in both, one is shown.

typer reads a help text when the command is declared, before the language of the run is
known; so a help text carries both languages in one string, :func:`H` ``("中文", "English")``,
and the help formatter (:class:`HelpFormatter`, through :class:`HelpContext`) shows one of
them when the help is printed: Chinese when ``--lang zh`` is on the command line (anywhere:
``sqops --lang zh --help``, ``sqops report --help --lang zh``) or, without ``--lang``, the
locale is Chinese (``LC_ALL`` / ``LC_MESSAGES`` / ``LANG`` ``zh_*``; the Windows display
language), English otherwise. click's own words (``Usage:``, ``Options``, ``[default: …]``,
``Show this message and exit.``) are translated there too, and Chinese is wrapped by display
width (a CJK character is two columns; a line may break between two of them).

A command's docstring is its help: the English paragraphs, a line ``[zh]``, the Chinese ones
(:func:`doc_help`).

Only the standard library and typer are imported here: ``sqops --help`` must stay fast.
"""

from __future__ import annotations

import inspect
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

import typer

from sqops.i18n import Lang, T

#: the markers around one pair in a help string: START zh SEP en END (control characters that
#: are not whitespace, so that click's and typer's string handling keeps them intact)
START, SEP, END = "\x02", "\x03", "\x04"
_PAIR = re.compile(f"{START}(.*?){SEP}(.*?){END}", re.S)

#: the line of a docstring after which its Chinese paragraphs follow
ZH_MARK = "[zh]"

#: where the root command keeps the whole command line (shared with every sub-context)
ARGV_KEY = "sqops.argv"


def H(zh: str, en: str) -> str:
    """A help text in both languages (``help=H("中文", "English")``); shown in one of them."""
    return f"{START}{zh}{SEP}{en}{END}"


def pairs(text: str) -> list[tuple[str, str]]:
    """The (zh, en) pairs a help string carries (for the tests)."""
    return _PAIR.findall(text)


def pick(text: str, lang: str) -> str:
    """A help string in one language: each pair replaced by its ``lang`` half."""
    if START not in text:
        return text
    i = 1 if lang == "zh" else 2
    return _PAIR.sub(lambda m: m.group(i), text)


def doc_help(doc: str | None) -> str | None:
    """A command's docstring as its help: the English paragraphs, a line ``[zh]``, the Chinese
    ones. Without the ``[zh]`` line the docstring is shown as it is (a test requires it)."""
    if not doc:
        return doc
    text = inspect.cleandoc(doc)
    en, mark, zh = text.partition(f"\n{ZH_MARK}\n")
    if not mark:
        return text
    return H(zh.strip(), en.strip())


# ---------------------------------------------------------------- click's own words

_HEADINGS: dict[str, T] = {
    "Options": T("选项", "Options"),
    "Arguments": T("参数", "Arguments"),
    "Commands": T("命令", "Commands"),
}
_WORDS: dict[str, T] = {
    "Show this message and exit.": T("显示此帮助并退出。", "Show this message and exit."),
}
_EXTRA = re.compile(r"  \[([^\[\]]*)\]$")
_EXTRA_WORDS = (("default: ", "默认："), ("env var: ", "环境变量："), ("required", "必填"))


def localize(text: str, lang: str) -> str:
    """An option's help record in ``lang``: its pairs, click's words and the ``[default: …]``."""
    text = pick(text, lang)
    if lang != "zh":
        return text
    m = _EXTRA.search(text)
    head, extra = (text[: m.start()], m.group(1)) if m else (text, None)
    if head in _WORDS:
        head = _WORDS[head].zh
    if extra is None:
        return head
    for en, zh in _EXTRA_WORDS:
        extra = extra.replace(en, zh)
    return f"{head}  [{extra.replace('; ', '；')}]"


# ---------------------------------------------------------------- wrapping by display width


def width(text: str) -> int:
    """Columns on a terminal: East Asian wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _wide(c: str) -> bool:
    return unicodedata.east_asian_width(c) in "WF"


_TOKEN = re.compile(r"\s+|[^\s]")
#: not at the start of a line (Chinese line-breaking rule, 避头)
_NO_START = set("，。、；：？！）》」』】”’,.;:?!)]…")
#: not at the end of a line (避尾)
_NO_END = set("（《「『【“‘([")


def _tokens(text: str) -> list[str]:
    """Words: a run of narrow characters; every wide character alone; runs of spaces."""
    out: list[str] = []
    for m in _TOKEN.finditer(text):
        t = m.group()
        if t.isspace() or _wide(t):
            out.append(t)
        elif out and not out[-1].isspace() and not _wide(out[-1][-1]):
            out[-1] += t
        else:
            out.append(t)
    merged: list[str] = []  # no line ends on an opening bracket (避尾)
    for t in out:
        if merged and merged[-1][-1] in _NO_END and not t.isspace():
            merged[-1] += t
        else:
            merged.append(t)
    return merged


def _join_lines(lines: list[str]) -> str:
    """A paragraph's lines as one: no space where a wide character meets a wide character."""
    text = ""
    for line in (s.strip() for s in lines):
        if not line:
            continue
        if text and not (_wide(text[-1]) and _wide(line[0])):
            text += " "
        text += line
    return text


def wrap(text: str, columns: int) -> list[str]:
    """One paragraph as lines of at most ``columns`` display columns (a longer word alone). A
    closing mark that does not fit takes the word before it to the next line (避头)."""
    lines: list[list[str]] = []
    line: list[str] = []
    for tok in _tokens(text):
        if tok.isspace():
            if line:
                line.append(" ")
            continue
        if line and width("".join(line) + tok) > columns:
            carried = [tok]
            while line and carried[0][0] in _NO_START and len(line) > 1:
                carried.insert(0, line.pop())
                while line and line[-1] == " ":
                    line.pop()
            lines.append(line)
            line = [t for t in carried if t != " "] if carried[0] == " " else carried
            continue
        line.append(tok)
    lines.append(line)
    out = ["".join(ln).strip() for ln in lines]
    return [ln for ln in out if ln] or [""]


def _paragraphs(text: str) -> list[str]:
    return [_join_lines(p.splitlines()) for p in re.split(r"\n\s*\n", text.strip())]


# ---------------------------------------------------------------- the formatter and context

_Base: Any = typer.Context.formatter_class  # click's HelpFormatter (vendored by new typers)


class HelpFormatter(_Base):
    """click's help formatter, in one language: Chinese is wrapped by display width."""

    def __init__(self, *args: Any, lang: Lang = "en", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lang: Lang = lang

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        if prefix is None:
            prefix = T("用法：", "Usage: ").get(self.lang)
        super().write_usage(prog, args, prefix)

    def write_heading(self, heading: str) -> None:
        word = _HEADINGS.get(heading, T(heading, heading)).get(self.lang)
        colon = "：" if self.lang == "zh" else ":"
        self.write(f"{'':>{self.current_indent}}{word}{colon}\n")

    def write_text(self, text: str) -> None:
        text = pick(text, self.lang)
        if self.lang != "zh":
            super().write_text(text)
            return
        indent = " " * self.current_indent
        out = []
        for para in _paragraphs(text):
            out.append("\n".join(indent + ln for ln in wrap(para, self.width - len(indent))))
        self.write("\n\n".join(out) + "\n")

    def write_dl(
        self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        rows = [(a, localize(b, self.lang)) for a, b in rows]
        if self.lang != "zh":
            super().write_dl(rows, col_max, col_spacing)
            return
        first_col = min(max((width(a) for a, _ in rows), default=0), col_max) + col_spacing
        pad = " " * (first_col + self.current_indent)
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if width(first) <= first_col - col_spacing:
                self.write(" " * (first_col - width(first)))
            else:
                self.write("\n" + pad)
            lines = [
                ln
                for para in _paragraphs(second)
                for ln in wrap(para, max(self.width - first_col - 2, 10))
            ]
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write(pad + line + "\n")


def lang_in(args: Sequence[str]) -> str | None:
    """``--lang zh|en`` (or ``--lang=…``) anywhere in ``args``; the last one, as a command's own
    ``--lang`` comes after ``sqops --lang``."""
    found = None
    for i, a in enumerate(args):
        value = a.partition("=")[2] if a.startswith("--lang=") else None
        if a == "--lang" and i + 1 < len(args):
            value = args[i + 1]
        if value in ("zh", "en"):
            found = value
    return found


def help_lang(ctx: Any) -> Lang:
    """The language of the help: ``--lang`` on the command line, else the locale's."""
    from sqops.cli.common import _lang_in_argv, pick_lang

    args = ctx.meta.get(ARGV_KEY)
    return pick_lang(lang_in(args) if args is not None else _lang_in_argv())


class HelpContext(typer.Context):
    """A context whose help and usage are in the language of :func:`help_lang`."""

    formatter_class = HelpFormatter

    def make_formatter(self) -> Any:
        return HelpFormatter(
            width=self.terminal_width, max_width=self.max_content_width, lang=help_lang(self)
        )


def short_help(doc: str, limit: int, lang: str) -> str:
    """The first sentence of a command's help in ``lang``, cut to fit ``limit`` columns."""
    text = pick(doc, lang)
    first = _paragraphs(text)[0] if text.strip() else ""
    if lang == "zh" and "。" in first:
        first = first.split("。")[0] + "。"
    elif ". " in first:
        first = first.split(". ")[0] + "."
    if width(first) <= limit:
        return first
    lines = wrap(first, max(limit - 3, 1))
    return lines[0].rstrip("，,;； ") + "..."
