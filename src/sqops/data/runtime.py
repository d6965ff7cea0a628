"""How a run uses the interpreter and the machine: the cyclic garbage collector paused while
a run builds many objects that live to its end; the memory a run may use (``--memory-limit``
of ``sqops report`` and ``sqops import``). No polars here (``sqops --help`` imports the CLI's
helpers)."""

from __future__ import annotations

import atexit
import contextlib
import gc
import math
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

from sqops.errors import UsageError
from sqops.i18n import T


@contextmanager
def gc_paused(*, freeze: bool = False) -> Iterator[None]:
    """No cyclic garbage collection inside (reference counting still frees what is dropped).

    A report is hundreds of thousands of small objects (KPIs, items, hours, then their dicts
    for JSON), a parsed JSON export millions, that all live on; the collector would walk them
    again and again as they grow. At 10 M messages: −0.6 s of ~13 s of a report (in-process
    A/B, 3 pairs); 40% of the CPU of a Discord import. Nothing made there forms cycles; the
    collector resumes after.

    ``freeze``: what was made is frozen (``gc.freeze``) before the collector resumes — for a
    run whose process ends with it (``sqops report`` from the command line): else the
    collector, on again, walks at once everything made inside (a collection of the young
    generation that holds all of it).
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            if freeze:
                gc.freeze()
            gc.enable()


#: what the collector was before :func:`start_paused` paused it, while that pause lasts
_start: list[bool] = []


@contextmanager
def start_paused() -> Iterator[None]:
    """No cyclic garbage collection while the command line starts (typer building the
    command, its options parsed) until a command's body begins (:func:`end_start`, called by
    ``sqops.cli.common.running``), or to the end of the block; the collector as it was after.

    The start makes tens of thousands of objects (modules, classes, typer's parameters) that
    live to the end: the collector walked them ~150 times in a report, 50–70 CPU-ms of the
    start-up before any data is read (benchmarks/README.md, "report fixed costs, session
    15")."""
    was = gc.isenabled()
    gc.disable()
    _start.append(was)
    try:
        yield
    finally:
        _start.clear()
        if was:
            gc.enable()


def end_start() -> None:
    """A command's body begins: the collector on again if :func:`start_paused` paused it (a
    command that pauses it for its whole run, as ``sqops report``, pauses it again at once).
    What the start made is frozen first (``gc.freeze``: it lives to the end, and no later
    collection walks it): else the collector, turned on, would at once walk the ~100,000
    objects made since it was paused (25 CPU-ms)."""
    if _start and _start.pop():
        gc.freeze()
        gc.enable()


#: what a run keeps to the process's end (:func:`keep_to_end`)
_kept: list[object] = []


def keep_to_end(*objects: object) -> None:
    """Keep ``objects`` alive until the process ends (:func:`end_process`): for a run whose
    process ends with it (``sqops report`` from the command line), what it made — the
    tables' copies held in memory, the report — is then never freed one object at a time
    but given back with the process (at 10 M messages freeing them took ~0.2 CPU-s on one
    core after the output was written: benchmarks/README.md, "report ends and adherence,
    session 16")."""
    _kept.extend(objects)


def keeps() -> bool:
    """Whether a run kept objects to the process's end (:func:`keep_to_end`)."""
    return bool(_kept)


def end_process(code: int) -> NoReturn:
    """End the process now with ``code``, as the interpreter would after the run but without
    freeing what is left (what :func:`keep_to_end` kept): the exit hooks run (``atexit``:
    weak-reference finalizers, logging's), the standard streams are flushed, then
    ``os._exit``. Only for the program's entry point, when the command has ended."""
    gc.freeze()  # (no collection while the exit hooks run: what is left is given back whole)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        if stream is None:  # (started with the descriptor closed: Python's sys.stdout is None)
            continue
        # (a closed pipe or stream: nothing more to give)
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


def memory_limit_bytes(text: str | None) -> int:
    """``--memory-limit``: ``2G``, ``1500M``, ``800MB``, ``1.5GiB`` or bytes (at least one byte,
    a finite size: else the usage error); None: half the machine's RAM."""
    if text is None:
        return total_memory() // 2
    t = text.strip().upper().removesuffix("B").removesuffix("I")
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}.get(t[-1:], 1)
    num = t[:-1] if t[-1:] in "KMGT" else t
    try:
        value = float(num)
    except ValueError:
        value = -1.0
    size = value * mult  # (1e300T: inf, not an OverflowError below; 0.5: under one byte)
    if not math.isfinite(size) or size < 1:
        raise UsageError(
            T(
                "--memory-limit 应是正数加单位，如 2G、1500M：{v}",
                "--memory-limit takes a positive size such as 2G or 1500M: {v}",
            ).format(v=text)
        )
    return int(size)


def total_memory() -> int:
    """The machine's RAM in bytes (8 GiB when the system does not say)."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return 8 << 30


def resident_bytes() -> int | None:
    """The memory this process holds now (its resident set), where the system says (Linux's
    ``/proc/self/statm``); None elsewhere."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            pages = int(fh.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        return None
