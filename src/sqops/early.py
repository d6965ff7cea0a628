"""What ``sqops report`` begins before its command line is built.

The program's start (typer, pydantic building the options' and the SOP's validators, the
SOP read) is Python on one core while the other idles: ~0.2 s of a 1 M-message report's
~1.9 s. The engagement table's checking pass (a polars query over the whole file, ~0.2
CPU-s at 1 M, which releases the GIL) needs only the file and the time zone: begun here, in
a thread, it runs on the idle core, where it ran beside the members' copy before
(benchmarks/README.md, "the 1 M run's wall, session 20").

Nothing here decides anything: the folder and the zone are read off the command line as
they look (the zone from ``--tz``, else from the SOP's ``timezone:`` line, else the default),
and :func:`sqops.data.tables.read_tables` takes a pass only for the query and file its
table's turn would check (else the turn makes it again). A command line that does not
plainly read a folder's tables (``--preset``, ``--engine``, ``--engagement``, ``--columns``,
``--encoding``, help) or sets the environment (``--memory-limit``) begins nothing. Imported
by the entry point before the command line (``sqops.__main__``): no module of the program is
imported here unless a report begins.
"""

from __future__ import annotations

import gc
import re
from pathlib import Path
from typing import Any

#: an engagement file larger than this is checked at its turn, as before: a pass that
#: outlasts the start runs beside the messages' copy and adds its memory to it (1 M
#: messages: a 14 MB file; 10 M: ~140 MB)
MAX_BYTES = 32 << 20
#: the zone a report without ``--tz`` or the SOP's ``timezone`` takes (``report.Settings``)
DEFAULT_TZ = "Asia/Shanghai"
#: the report's options that take no value
_FLAGS = frozenset({"--adherence", "--no-adherence", "--views"})
#: options with which nothing is begun (another source, other column names, help;
#: ``--memory-limit``: the run sets polars' prefetch variable in ``os.environ``
#: (``report.budget.one_row_group_ahead``), which a pass's threads could be reading: C's
#: ``setenv`` beside ``getenv`` in another thread is not safe)
_NOT = frozenset(
    {
        "--preset",
        "--engine",
        "--engagement",
        "--columns",
        "--encoding",
        "--memory-limit",
        "-h",
        "--help",
        "--",
    }
)
#: the SOP's zone as its YAML writes it (a guess: a wrong one only makes the pass again)
_TZ_LINE = re.compile(rb"^[ \t]+timezone:[ \t]*[\"']?([A-Za-z0-9_+\-/]+)", re.MULTILINE)

_started: dict[str, Any] = {}


def begin(argv: list[str]) -> None:
    """For ``sqops report DATA …`` (``argv`` without the program's name): the checking
    passes of DATA's tables read without a copy, begun in threads
    (:func:`sqops.data.tables.start_early`), kept for :func:`take`."""
    found = _report_args(argv)
    if found is None:
        return
    folder, tz, sop = found
    if not folder.is_dir():
        return
    if tz is None:
        tz = _sop_tz(sop) if sop is not None else None
    # (the start's collector paused as sqops.data.runtime.start_paused pauses it: polars'
    # modules frozen once imported, not walked by every later collection)
    was = gc.isenabled()
    gc.disable()
    try:
        from sqops.data.tables import start_early

        _started.update(start_early(folder, tz or DEFAULT_TZ, MAX_BYTES))
    finally:
        if was:
            gc.freeze()
            gc.enable()


def take() -> dict[str, Any]:
    """The passes :func:`begin` began (once: later callers get none)."""
    out = dict(_started)
    _started.clear()
    return out


def _report_args(argv: list[str]) -> tuple[Path, str | None, Path | None] | None:
    """DATA, ``--tz`` and ``--sop`` of a ``report`` command line that reads one folder's
    tables as they are; None for any other."""
    rest = list(argv)
    while rest[:1] and rest[0].startswith("--lang"):  # (the program's own --lang)
        rest = rest[1:] if "=" in rest[0] else rest[2:]
    if rest[:1] != ["report"]:
        return None
    data: list[str] = []
    values: dict[str, str] = {}
    i = 1
    while i < len(rest):
        arg = rest[i]
        name = arg.split("=", 1)[0]
        if name in _NOT:
            return None
        if not arg.startswith("-") or arg == "-":
            data.append(arg)
        elif "=" in arg:
            values[name] = arg.split("=", 1)[1]
        elif arg not in _FLAGS:
            if i + 1 >= len(rest):
                return None
            values[arg] = rest[i + 1]
            i += 1
        i += 1
    if len(data) != 1:
        return None
    sop = values.get("--sop")
    return Path(data[0]), values.get("--tz"), Path(sop) if sop else None


def _sop_tz(sop: Path) -> str | None:
    """The zone of the SOP's ``timezone:`` line (its first), read as bytes; None when the
    file cannot be read or has none."""
    try:
        if not sop.is_file():  # (a pipe, /dev/stdin, a FIFO: read once, by the SOP's loader)
            return None
        with sop.open("rb") as fh:
            text = fh.read(1 << 20)
    except OSError:
        return None
    m = _TZ_LINE.search(text)
    return m.group(1).decode() if m else None
