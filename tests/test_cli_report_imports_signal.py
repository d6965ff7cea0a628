"""A signal while ``sqops report`` waits for the modules imported beside its reading
(``_ImportsBeside.join``) ends the run at once: a Ctrl-C was held until the thread's imports
ended (found by the review of session 15), a SIGTERM was not. The imports are made slow on
purpose here (a module that sleeps 30 s: far longer than a loaded machine's reading of
the example, so that "soon" is told from "when the imports end" with a wide margin)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

_SLOW = "import sys, time\nsys.stderr.write('SLOW_START\\n'); sys.stderr.flush()\ntime.sleep(30)\n"

_RUN = """
import sys
sys.path.insert(0, sys.argv.pop(1))
import sqops.cli.commands.report as R
R._after_reading = lambda adherence, fmt: ["slow_mod"]
sys.argv = ["sqops", *sys.argv[1:]]
from sqops.cli import main
main()
"""


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_while_the_imports_are_joined_ends_the_run_soon(
    tmp_path: Path, sig: signal.Signals
) -> None:
    (tmp_path / "slow_mod.py").write_text(_SLOW)
    data, sop = "examples/skincare/data", "examples/skincare/sop.yaml"
    args = ["report", data, "--sop", sop, "-f", "json", "-o", str(tmp_path / "r.json")]
    p = subprocess.Popen(
        [sys.executable, "-c", _RUN, str(tmp_path), *args],
        cwd=ROOT,
        env={**os.environ, "TMPDIR": str(tmp_path)},
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert p.stderr is not None
    assert p.stderr.readline() == "SLOW_START\n"
    time.sleep(1.0)  # (the example's tables are read: the run waits in join())
    sent = time.monotonic()
    p.send_signal(sig)
    err = p.communicate(timeout=60)[1]
    took = time.monotonic() - sent
    assert p.returncode == {signal.SIGINT: 130, signal.SIGTERM: 143}[sig], err
    assert "Traceback" not in err
    # (held until the imports end: ~29 s; a loaded machine's reading of the example, which a
    # signal also ends at once, stays far under 10)
    assert took < 10.0, f"{sig.name}: the run ended {took:.1f} s after the signal"
