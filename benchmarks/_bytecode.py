"""sqops' modules compiled to bytecode before a benchmark measures them, as an install has them.

``pip install .`` compiles every module of the package it installs, so a user's ``sqops``
reads each module's ``.pyc`` and never compiles at start. A checkout run from its ``src``
folder (``PYTHONPATH=src``, an editable install) compiles each module it imports on every run
where Python may not write the ``.pyc`` it made — ``PYTHONDONTWRITEBYTECODE=1``, which this
machine sets for every process — ~0.1 s of start-up measured as if it were sqops' own work
(session 15: ~0.125 CPU-s of a 1 M report, ~0.11 CPU-s of a 1 M-row import). Compiling once
here (the ``__pycache__`` folders are ignored by git) measures what a user runs; Python still
checks each ``.pyc`` against its source's time stamp, so an edited module is compiled again.
"""

from __future__ import annotations

import compileall
from pathlib import Path

#: the package the benchmarks measure (this checkout's)
PACKAGE = Path(__file__).resolve().parent.parent / "src" / "sqops"


def compile_package(package: Path = PACKAGE) -> str:
    """Compile every module of ``package`` whose ``.pyc`` is missing or stale; say what was
    done (for the results' record)."""
    ok = compileall.compile_dir(str(package), quiet=1, workers=1)
    if not ok:
        raise SystemExit(f"compiling {package} failed (a syntax error?)")
    return f"bytecode compiled (compileall {package})"
