"""A notification as data (a title, sections of entries) and its text in each chat style,
split into messages that each fit a platform's limit.

Three styles, one per kind of chat text:

- ``markdown`` (WeCom ``markdown``, DingTalk ``markdown``): user text through the one Markdown
  escaper, :func:`sqops.render.markdown.escape`;
- ``slack`` (Slack ``mrkdwn``): ``&``, ``<`` and ``>`` as HTML entities, the three characters
  Slack's formatting reference says must be escaped;
- ``plain`` (WeCom/DingTalk ``text``, Feishu ``post`` text elements): no markup at all.

Splitting is at line boundaries; a single line longer than a message is cut between
characters (never inside a UTF-8 sequence, a backslash escape or an HTML entity).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from sqops.render.markdown import escape

Style = Literal["markdown", "slack", "plain"]

#: the most characters of a rendered script shown in a notification (then "…")
SCRIPT_CHARS = 120


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of a section: ``lead`` (a time, a KPI) shown strong, ``text``, an optional
    ``detail`` (a script, a target) shown as a quote below."""

    lead: str
    text: str
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    entries: list[Entry] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Digest:
    """What is posted: a title, the sections in the order given, the line shown when empty."""

    title: str
    sections: list[Section]
    empty: str

    @property
    def is_empty(self) -> bool:
        return not any(s.entries for s in self.sections)


def shorten(text: str, limit: int = SCRIPT_CHARS) -> str:
    """``text`` on one line, at most ``limit`` characters (cut at a character, then "…")."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


_SLACK = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def esc(text: str, style: Style) -> str:
    """User text shown literally in ``style`` (line breaks become spaces)."""
    if style == "markdown":
        return str(escape(text))
    flat = " ".join(text.splitlines())
    return flat.translate(_SLACK) if style == "slack" else flat


def title_line(title: str, style: Style) -> str:
    if style == "markdown":
        return f"## {esc(title, style)}"
    if style == "slack":
        return f"*{esc(title, style)}*"
    return f"【{esc(title, style)}】"


def lines_of(digest: Digest, style: Style) -> list[str]:
    """The body lines (the title is added per message by :func:`split`)."""
    out: list[str] = []
    for sec in digest.sections:
        if not sec.entries:
            continue
        if out:
            out.append("")
        if style == "markdown":
            out.append(f"### {esc(sec.title, style)}")
        elif style == "slack":
            out.append(f"*{esc(sec.title, style)}*")
        else:
            out.append(f"■ {esc(sec.title, style)}")
        for e in sec.entries:
            lead, text = esc(e.lead, style), esc(e.text, style)
            if style == "markdown":
                out.append(f"- **{lead}** {text}" if lead else f"- {text}")
            elif style == "slack":
                out.append(f"• *{lead}* {text}" if lead else f"• {text}")
            else:
                out.append(f"· {lead} {text}" if lead else f"· {text}")
            if e.detail:
                detail = esc(e.detail, style)
                out.append(f"> {detail}" if style != "plain" else f"  「{detail}」")
    if not out:
        out.append(esc(digest.empty, style))
    return out


#: the atoms a cut may not fall inside: a backslash escape, an HTML entity, one character
_ATOM = re.compile(r"\\.|&(?:amp|lt|gt);|.", re.S)


def _cut(line: str, fits: Callable[[str], bool]) -> list[str]:
    """A line too long for one message, cut into pieces that each fit (whole atoms)."""
    pieces: list[str] = []
    cur = ""
    for atom in _ATOM.findall(line):
        if cur and not fits(cur + atom):
            pieces.append(cur)
            cur = ""
        cur += atom
    if cur:
        pieces.append(cur)
    return pieces


def split(
    title: str,
    lines: Sequence[str],
    fits: Callable[[str, str], bool],
) -> list[tuple[str, str]]:
    """The messages as ``(title, body)``: the title (with ``(i/n)`` when there are several)
    and as many whole lines as ``fits(title, body)`` accepts, the platform's limit (bytes,
    characters or the whole request body)."""
    # room for the widest continuation mark, so the marks added afterwards still fit
    wide = title + " (999/999)"

    def ok(body: str) -> bool:
        return fits(wide, body)

    expanded: list[str] = []
    for line in lines:
        expanded.extend([line] if ok(line) else _cut(line, ok))
    chunks: list[list[str]] = []
    cur: list[str] = []
    for line in expanded:
        if cur and not ok("\n".join([*cur, line])):
            chunks.append(cur)
            cur = []
        if not cur and not line.strip():
            continue  # no message starts with a blank line
        cur.append(line)
    if cur or not chunks:
        chunks.append(cur)
    n = len(chunks)
    return [
        (title + (f" ({i}/{n})" if n > 1 else ""), "\n".join(chunk).rstrip("\n"))
        for i, chunk in enumerate(chunks, start=1)
    ]
