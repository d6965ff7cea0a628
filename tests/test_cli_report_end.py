"""The end of ``sqops report`` from the command line: what the run made (its tables, the
report, its plan-against-practice section) is kept to the process's end and given back with
it, not freed object by object after the output is written (``keep_to_end``/``end_process`` in
:mod:`sqops.data.runtime`); the exit hooks still run, the streams are flushed, the exit code is
the command's. Run in fresh interpreters: only the program's entry point
(:func:`sqops.cli.program`, which ``sqops`` and ``python -m sqops`` run) ends the process so; :func:`sqops.cli.main` called in-process
ends by ``SystemExit`` as ever."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sqops.data import runtime

ROOT = Path(__file__).resolve().parents[1]

#: the entry point with the process's end watched: an exit hook and ``os._exit`` say so on
#: stderr (``os._exit`` is the end without freeing: the interpreter's own end never calls it)
_WATCHED = """
import atexit, os, sys
atexit.register(lambda: sys.stderr.write("EXIT_HOOKS_RAN\\n"))
given = os._exit
def _exit(code):
    sys.stderr.write("ENDED_BY_OS_EXIT=%d\\n" % code)
    sys.stderr.flush()
    given(code)
os._exit = _exit
sys.argv = ["sqops", *sys.argv[1:]]
from sqops.__main__ import main
main()
"""

EXAMPLE = ("report", "examples/skincare/data", "--sop", "examples/skincare/sop.yaml")


def _run(*args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
    kw.setdefault("capture_output", True)
    return subprocess.run([sys.executable, "-c", _WATCHED, *args], text=True, cwd=ROOT, **kw)


def test_report_ends_with_its_objects_kept(cli, tmp_path: Path) -> None:
    """The whole JSON on stdout and in a file, exit 0, the exit hooks run before the end."""
    expected = cli(*EXAMPLE, "-f", "json", "--lang", "en").stdout
    out = _run(*EXAMPLE, "-f", "json", "--lang", "en")
    assert out.returncode == 0, out.stderr
    assert out.stdout == expected
    assert out.stderr.splitlines()[-2:] == ["EXIT_HOOKS_RAN", "ENDED_BY_OS_EXIT=0"]
    f = tmp_path / "r.json"
    out = _run(*EXAMPLE, "-f", "json", "--lang", "en", "-o", str(f))
    assert out.returncode == 0, out.stderr
    assert "ENDED_BY_OS_EXIT=0" in out.stderr
    assert f.read_text("utf-8") == expected
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]  # (no temporary file left)


def test_report_exit_code_kept(cli) -> None:
    """``--fail-under``'s exit 1 (the example has a KPI at warn or bad) ends the same way,
    its message on stderr."""
    expected = cli(*EXAMPLE, "-f", "md", "--fail-under", "warn")
    assert expected.exit_code == 1
    out = _run(*EXAMPLE, "-f", "md", "--fail-under", "warn")
    assert out.returncode == 1
    assert out.stdout == expected.stdout
    assert "ENDED_BY_OS_EXIT=1" in out.stderr


def test_failing_report_ends_as_before() -> None:
    """A run that fails (exit 2) keeps nothing: the interpreter's own end."""
    out = _run(*EXAMPLE, "--as-of", "not-a-day")
    assert out.returncode == 2
    assert "ENDED_BY_OS_EXIT" not in out.stderr
    assert "EXIT_HOOKS_RAN" in out.stderr


def test_in_process_runs_keep_nothing(cli) -> None:
    """Tests and notebooks (no entry point): nothing is kept, the objects are freed."""
    assert cli(*EXAMPLE, "-f", "json").exit_code == 0
    assert not runtime.keeps()


def test_another_command_ends_as_before(tmp_path: Path) -> None:
    out = _run("schema", "-o", str(tmp_path / "s.json"))
    assert out.returncode == 0, out.stderr
    assert "ENDED_BY_OS_EXIT" not in out.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX descriptors")
@pytest.mark.parametrize("fd", [1, 2])
def test_report_ends_with_a_standard_stream_closed(tmp_path: Path, fd: int) -> None:
    """Started with stdout or stderr closed (a launcher's ``>&-``: Python's stream is None),
    the run writes its file and ends with exit 0, as the interpreter's own end does."""
    f = tmp_path / "r.json"
    other = subprocess.PIPE
    out = subprocess.run(
        [sys.executable, "-m", "sqops", *EXAMPLE, "-f", "json", "--lang", "en", "-o", str(f)],
        cwd=ROOT,
        stdout=other if fd == 2 else None,
        stderr=other if fd == 1 else None,
        preexec_fn=lambda: os.close(fd),
    )
    assert out.returncode == 0
    assert f.read_text("utf-8").startswith("{")


def test_cli_main_in_process_ends_by_system_exit(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """:func:`sqops.cli.main` called in a process that goes on (a notebook, runpy, a test)
    raises ``SystemExit`` after a report as before; nothing is kept for an end that is not
    coming."""
    import gc

    from sqops.cli import common, main

    monkeypatch.setattr(common, "PROCESS_ENDS_WITH_RUN", False)  # (restored after)
    f = tmp_path / "r.json"
    monkeypatch.setattr(sys, "argv", ["sqops", *EXAMPLE, "-f", "json", "-o", str(f)])
    monkeypatch.chdir(ROOT)
    # (main() is the program's: it leaves Ctrl-C and SIGTERM ignored at its end, the process
    # being about to end; this one goes on, so they are given back here)
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        with pytest.raises(SystemExit) as exc:
            main()
    finally:
        gc.unfreeze()
        for s, h in handlers.items():
            signal.signal(s, h)
    assert exc.value.code in (0, None)
    assert not runtime.keeps()
    assert not common.KEEP_TO_END
    assert f.read_text("utf-8").startswith("{")
