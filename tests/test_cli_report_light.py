"""``sqops report`` written to a pipe or a file imports neither rich (its spinner shows only on
a terminal) nor the ``holidays`` modules of countries the SOP does not use; with
``FORCE_COLOR`` (rich may then draw on a pipe) the spinner is rich's, as before. Checked in a
fresh interpreter: the test session itself has imported them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CODE = """
import sys
from typer.testing import CliRunner
from sqops.cli import app
r = CliRunner().invoke(app, ["report", "examples/skincare/data", "--sop",
                             "examples/skincare/sop.yaml", "-f", "json"])
print("EXIT=" + str(r.exit_code))
print("RICH=" + str("rich" in sys.modules))
print("COUNTRIES=" + ",".join(sorted(m for m in sys.modules if m.startswith("holidays.countries"))))
"""


def _run(**env: str) -> dict[str, str]:
    drop = ("FORCE_COLOR", "TTY_COMPATIBLE", "CI")  # (CI: never a spinner)
    clean = {k: v for k, v in os.environ.items() if k not in drop}
    out = subprocess.run(
        [sys.executable, "-c", CODE],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        env={**clean, **env},
    )
    return dict(line.split("=", 1) for line in out.stdout.splitlines() if "=" in line)


def test_report_to_a_pipe_imports_no_rich_and_one_country() -> None:
    got = _run()
    assert got["EXIT"] == "0"
    assert got["RICH"] == "False"
    assert got["COUNTRIES"] == "holidays.countries.china"  # (the SOP's country: CN)


@pytest.mark.parametrize("env", [{"FORCE_COLOR": "1"}, {"TTY_COMPATIBLE": "1"}])
def test_report_where_rich_may_draw_asks_rich(env: dict[str, str]) -> None:
    got = _run(**env)
    assert got["EXIT"] == "0"
    assert got["RICH"] == "True"
