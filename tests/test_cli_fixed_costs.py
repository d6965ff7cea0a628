"""The command line's fixed costs: the cyclic garbage collector paused from the entry point until
a command's body begins (what the start makes frozen then), paused for the whole of ``sqops
report``, and the run's objects frozen when the process ends (the interpreter's last
collection does not walk them); the report's later modules imported while its tables are
read. The runs are checked in fresh interpreters: the entry point (:func:`sqops.cli.main`)
ends the process."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

from sqops.data.runtime import end_start, gc_paused, start_paused

ROOT = Path(__file__).resolve().parents[1]


def test_start_paused_until_the_body_begins_then_as_it_was() -> None:
    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    try:
        with start_paused():
            assert not gc.isenabled()
            objs = [[i] for i in range(2000)]  # (tracked objects made during the start)
            end_start()
            assert gc.isenabled()
            assert gc.get_freeze_count() >= frozen + len(objs)  # (the start's objects)
            end_start()  # (a second body, e.g. a command run in-process again: no change)
            assert gc.isenabled()
        assert gc.isenabled()
    finally:
        gc.unfreeze()


def test_start_paused_leaves_a_paused_collector_paused() -> None:
    with gc_paused():
        with start_paused():
            end_start()
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_without_the_entry_point_a_body_changes_nothing() -> None:
    """``running`` outside :func:`start_paused` (tests, notebooks): no freeze, no change."""
    frozen = gc.get_freeze_count()
    end_start()
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen


_RUN = """
import atexit, gc, sys
seen = []
gc.callbacks.append(lambda phase, info: phase == "start" and seen.append(info["generation"]))
def at_exit():
    print("COLLECTIONS=" + str(len(seen)))
    print("FROZEN=" + str(gc.get_freeze_count()))
    print("ENABLED=" + str(gc.isenabled()))
atexit.register(at_exit)
sys.argv = ["sqops", *sys.argv[1:]]
from sqops.cli import main
seen.clear()  # (from here: the entry point's run)
main()
"""


#: the example's report, as JSON
EXAMPLE = ("report", "examples/skincare/data", "--sop", "examples/skincare/sop.yaml", "-f", "json")


def _main(code: str, *args: str) -> dict[str, str]:
    """``code`` run with ``args`` in a fresh interpreter: its ``KEY=value`` lines."""
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT
    )
    assert out.returncode == 0, out.stderr
    return dict(line.split("=", 1) for line in out.stdout.splitlines() if "=" in line[:20])


def test_report_runs_without_a_collection_and_ends_frozen() -> None:
    got = _main(_RUN, *EXAMPLE)
    # (before this: ~150 collections at 1 M messages, ~20 in the example, 50–70 CPU-ms)
    assert got["COLLECTIONS"] == "0"
    assert int(got["FROZEN"]) > 10_000  # (the run's objects: frozen as the process ends)
    assert got["ENABLED"] == "True"


_BODY = """
import contextlib, gc, sys
import sqops.cli.commands.schema as schema
given = schema.running
@contextlib.contextmanager
def running(*a, **k):
    with given(*a, **k) as run:
        print("BODY_ENABLED=" + str(gc.isenabled()))
        yield run
schema.running = running
sys.argv = ["sqops", "schema", "-o", sys.argv[1]]
from sqops.cli import main
main()
"""


def test_another_command_runs_its_body_with_the_collector_on(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-c", _BODY, str(tmp_path / "s.json")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr
    assert "BODY_ENABLED=True" in out.stdout


_WHO_IMPORTS = """
import builtins, sys, threading
first = {}
given = builtins.__import__
def spy(name, globals=None, locals=None, fromlist=(), level=0):
    if level == 0 and name not in sys.modules and name.startswith("sqops."):
        first.setdefault(name, threading.current_thread().name)
    return given(name, globals, locals, fromlist, level)
builtins.__import__ = spy
import importlib
load = importlib.import_module
def load_spy(name, package=None):
    if name not in sys.modules:
        first.setdefault(name, threading.current_thread().name)
    return load(name, package)
importlib.import_module = load_spy
import atexit
atexit.register(lambda: print("BY=" + repr(first)))
sys.argv = ["sqops", *sys.argv[1:]]
from sqops.cli import main
main()
"""


def test_report_imports_what_follows_the_reading_while_it_reads() -> None:
    """The modules the report, its plan-against-practice section and the JSON import after
    the tables are read are imported in a thread while they are read (``_ImportsBeside``)."""
    by = eval(_main(_WHO_IMPORTS, *EXAMPLE)["BY"])
    for name in ("sqops.report.build", "sqops.report.partition", "sqops.adherence"):
        assert by[name] == "sqops-imports", (name, by[name])


def test_imports_beside_leave_a_failing_import_to_the_run() -> None:
    from sqops.cli.commands.report import _ImportsBeside

    beside = _ImportsBeside(["sqops.no_such_module"])
    beside.join()  # (no error here: the run's own import meets it)
    assert not beside._thread.is_alive()
    assert "sqops.no_such_module" not in sys.modules


def test_a_report_without_column_maps_does_not_import_their_models() -> None:
    """The column maps' pydantic models (``sqops.data.columns``, ~13 CPU-ms to import) are
    imported only by a run that has maps: the example's SOP has no ``columns:``."""
    by = eval(_main(_WHO_IMPORTS, *EXAMPLE)["BY"])
    assert "sqops.report.build" in by  # (the spy saw the run's imports)
    assert "sqops.data.columns" not in by
