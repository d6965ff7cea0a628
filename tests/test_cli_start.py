"""The CLI starts light: help and lint never import the data libraries nor rich (checked in a fresh
interpreter, since the test session itself has imported them)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sqops.cli import command_names

HEAVY = (
    "polars",
    "matplotlib",
    "icalendar",
    "holidays",
    "lunar_python",
    "rich",
    "xlsxwriter",
    "dask",
    "distributed",
)
#: an option each command's help must show (the help really was rendered)
SHOWN = {"report": "--fail-under", "adherence": "--tolerance", "lint": "--format"}


@pytest.mark.parametrize(
    "args",
    [["--help"], ["lint", "examples"], *[[name, "--help"] for name in command_names()]],
    ids=lambda a: " ".join(a),
)
def test_help_and_lint_do_not_import_the_data_libraries(args: list[str]) -> None:
    root = Path(__file__).resolve().parents[1]
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from sqops.cli import app\n"
        f"r = CliRunner().invoke(app, {args!r})\n"
        "print('EXIT=' + str(r.exit_code))\n"
        "print('OUT=' + repr(r.output))\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=True
    )
    lines = out.stdout.splitlines()
    assert lines[-1] == "HEAVY="
    if args[-1] == "--help":
        assert lines[0] == "EXIT=0", out.stdout
        option = SHOWN.get(args[0])
        if option:
            assert option in lines[1]
