"""The terminal: the one module that imports rich (ruff's ``banned-api`` keeps it so).

Import it inside the function that prints, never at the top of a module (ruff TID253):
rich costs tens of milliseconds at start-up, and ``sqops --help`` and ``sqops lint`` on a
pipe print without it.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

__all__ = ["Console", "Table", "Text", "console", "reset_consoles", "spinner"]

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
