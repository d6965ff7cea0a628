"""The terminal: the one module that imports rich (ruff's ``banned-api`` keeps it so).

Import it inside the function that prints, never at the top of a module (ruff TID253):
rich costs tens of milliseconds at start-up, and ``sqops --help`` and ``sqops lint`` on a
pipe print without it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

__all__ = [
    "Console",
    "Fit",
    "Table",
    "Text",
    "console",
    "para",
    "reset_consoles",
    "spinner",
]

_consoles: dict[bool, Console] = {}


def console(stderr: bool = False) -> Console:
    """A rich console (colour only on a terminal; NO_COLOR respected by rich)."""
    if stderr not in _consoles:
        _consoles[stderr] = Console(stderr=stderr, highlight=False, soft_wrap=True)
    return _consoles[stderr]


def reset_consoles() -> None:
    """Forget cached consoles (tests swap sys.stdout between runs)."""
    _consoles.clear()


class spinner:
    """A spinner with ``text`` on stderr when it is a terminal (never in CI or when piped)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.status: Any = None

    def __enter__(self) -> spinner:
        import os

        con = console(stderr=True)
        if con.is_terminal and not os.environ.get("CI"):
            self.status = con.status(self.text)
            self.status.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.status is not None:
            self.status.__exit__(*exc)


# ------------------------------------------------------------------ tables that fit the width
#: the looks tried in turn when a table is too wide: as built, then without the vertical
#: rules and outer edge (2 spaces between columns), then 1 space between columns
_LOOKS: tuple[tuple[int, int], ...] = ((0, 0), (1, 2), (1, 1))


def _is_wide(ch: str) -> bool:
    import unicodedata

    return unicodedata.east_asian_width(ch) in ("W", "F")


def _text_width(cell: Any, no_wrap: bool, keep: bool = False) -> tuple[int, int]:
    """(minimum, maximum) cells of a cell's text: the maximum is its longest line, the
    minimum its longest word (Chinese may break between any two characters, so a run of it
    counts 2 characters, unless ``keep``: a key column's names stay whole); a cell that may not wrap
    needs its longest line."""
    from rich.cells import cell_len

    plain = cell.plain if isinstance(cell, Text) else str(cell)
    lines = plain.split("\n")
    longest = max((cell_len(x) for x in lines), default=0)
    if no_wrap:
        return longest, longest
    least = 0
    for word in plain.split():
        if not keep and any(_is_wide(c) for c in word):  # the runs between wide characters
            runs = "".join(" " if _is_wide(c) else c for c in word).split()
            least = max(least, min(cell_len(word), 4), *(cell_len(r) for r in runs))
        else:
            least = max(least, cell_len(word))
    return least, longest


class Fit:
    """A table (or the first of several layouts of it) that fits the width it is printed at.

    rich shrinks a too-wide table by cutting its widest columns with "…", whatever they
    hold (a group's name, a header's words); here every column gets at least its longest
    word (its longest line when it may not wrap), the room left goes to the columns that
    want more, and a table whose words cannot fit is tried without vertical rules, then
    with one space between columns, then the next layout is tried (say, the numerators
    stacked under the values). Only when nothing fits does rich's own shrinking apply.
    """

    def __init__(self, *layouts: Table | tuple[Table, Sequence[Any]], key: int = 0) -> None:
        #: each layout: a table and what follows it (say, the text of a column left out)
        self.layouts = [x if isinstance(x, tuple) else (x, ()) for x in layouts]
        self.key = key
        self.extra = 0  # the rules and padding of the layout chosen

    def _needs(self, t: Table, look: int) -> tuple[list[int], list[int], int]:
        """Per column (minimum, maximum) content widths and the width of rules and padding."""
        mins, maxs = [], []
        for i, col in enumerate(t.columns):
            lo, hi = 1, 1
            for cell in (col.header, *col.cells):
                a, b = _text_width(cell, bool(col.no_wrap), keep=i == self.key)
                lo, hi = max(lo, a), max(hi, b)
            if col.min_width:
                lo, hi = max(lo, col.min_width), max(hi, col.min_width)
            mins.append(lo)
            maxs.append(hi)
        n = len(t.columns)
        if look == 0:
            top, right, bottom, left = t.padding
            pad = (left + right) * n - (0 if t.pad_edge else left + right)
            rules = (2 if t.box and t.show_edge else 0) + (n - 1 if t.box else 0)
        else:
            pad = (_LOOKS[look][1] - 1) * (n - 1)
            rules = n - 1
        return mins, maxs, pad + rules

    @staticmethod
    def _restyle(t: Table, look: int) -> None:
        from rich import box

        if look == 0:
            return
        t.box = box.SIMPLE_HEAD
        t.show_edge = False
        t.pad_edge = False
        t.padding = (0, _LOOKS[look][1] - 1, 0, 0)

    def layout(self, width: int) -> tuple[Table, Sequence[Any]]:
        """The layout chosen for ``width``, its columns' widths set."""
        trials = [(t, k) for t in self.layouts for k in (0, 1)]
        trials += [(self.layouts[-1], 2)]
        for (t, after), look in trials:
            mins, maxs, extra = self._needs(t, look)
            room = width - extra
            if sum(mins) <= room:
                self.extra = extra
                self._restyle(t, look)
                for col, w in zip(t.columns, _spread(mins, maxs, room), strict=True):
                    col.width = w
                    col.min_width = None
                    if not col.no_wrap:
                        col.overflow = "fold"  # (only Chinese is folded: no word is narrower)
                t.expand = False
                return t, after
        t, after = self.layouts[-1]
        self.extra = self._needs(t, 2)[2]
        self._restyle(t, 2)
        return t, after

    def __rich_console__(self, console: Console, options: Any) -> Any:
        from rich.cells import cell_len

        t, after = self.layout(options.max_width)
        title = t.title
        if isinstance(title, str | Text):  # a title wider than the table: wrapped above it
            plain = title.plain if isinstance(title, Text) else title
            if cell_len(plain) > self._width(t):
                t.title = None
                yield para(Text(plain, style=t.title_style or "table.title"))
        yield t
        yield from after

    def _width(self, t: Table) -> int:
        return sum(c.width or 0 for c in t.columns) + self.extra


def _spread(mins: list[int], maxs: list[int], room: int) -> list[int]:
    """Widths between each minimum and maximum that sum to at most ``room``: the room beyond
    the minimums shared fairly, the columns that want least more served first (a name or an
    owner whole on its line; the long texts, a script, wrap in what is left)."""
    if sum(maxs) <= room:
        return list(maxs)
    spare = room - sum(mins)
    want = [b - a for a, b in zip(mins, maxs, strict=True)]
    add = [0] * len(want)
    order = sorted(range(len(want)), key=lambda i: (want[i], i))
    for k, i in enumerate(order):
        share = spare // (len(order) - k)
        add[i] = min(want[i], share)
        spare -= add[i]
    return [a + b for a, b in zip(mins, add, strict=True)]


class para:
    """A line of prose that wraps at the width it is printed at (the consoles soft-wrap,
    which leaves long lines to the terminal: a pipe would get lines wider than its 80
    columns)."""

    def __init__(self, text: str | Text, style: str = "") -> None:
        self.text = text.copy() if isinstance(text, Text) else Text(text, style=style)

    @property
    def plain(self) -> str:
        return self.text.plain

    def __rich_console__(self, console: Console, options: Any) -> Any:
        yield from console.render(self.text, options.update(no_wrap=False, overflow="fold"))
