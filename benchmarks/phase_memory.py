"""The peak memory of each phase of one `sqops report` run, in process (#23 item 3).

    PYTHONPATH=src python benchmarks/phase_memory.py report DATA --sop SOP -f json -o OUT \
        --no-adherence --memory-limit 1.5GB

runs the CLI with the arguments given and writes to stderr, at the start and end of every
phase, the elapsed time, the CPU seconds so far (user + system), VmHWM and VmRSS (MiB, from
``/proc/self/status``). The phases: reading (``read_tables``, each table's
``validate_table``), the number of buckets, phase 0 (``plan_partitions``: the groups' day 0,
the attribution and each slice's ``prepare``, the data-quality counts, each table's bucket
files, the opens, the paid orders), each bucket (``run_partition``) and the merge. VmHWM is
reset (``/proc/self/clear_refs``) at each phase's start, so the ``PEAK`` printed at its end is
that phase's own (a phase inside another passes its peak to the outer one). Linux only.
"""

from __future__ import annotations

import functools
import os
import sys
import time
from typing import Any

T0 = time.time()
#: the open phases, each [name, the largest VmHWM seen while it ran]
STACK: list[list[Any]] = []


def status() -> dict[str, int]:
    out = {}
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(("VmRSS", "VmHWM")):
                out[line.split(":")[0]] = int(line.split()[1]) // 1024
    return out


def log(msg: str, st: dict[str, int] | None = None) -> None:
    t = os.times()
    st = st or status()
    print(
        f"[{time.time() - T0:7.1f}s cpu {t.user + t.system:7.1f}] {'  ' * len(STACK)}{msg} "
        f"HWM={st['VmHWM']} RSS={st['VmRSS']}",
        file=sys.stderr,
        flush=True,
    )


def reset() -> None:
    hwm = status()["VmHWM"]
    for phase in STACK:
        phase[1] = max(phase[1], hwm)
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")


def wrap(module: Any, name: str, label: str | None = None) -> None:
    f = getattr(module, name)

    @functools.wraps(f)
    def logged(*a: Any, **k: Any) -> Any:
        tag = label or name
        if name == "validate_table":
            tag = f"read {a[0]}"
        elif name == "split_table":
            tag = f"split_table {a[0].name}"
        reset()
        STACK.append([tag, 0])
        log(f"> {tag}")
        try:
            return f(*a, **k)
        finally:
            st = status()
            phase = STACK.pop()
            peak = max(phase[1], st["VmHWM"])
            for outer in STACK:
                outer[1] = max(outer[1], peak)
            log(f"< {tag} PEAK={peak}", st)
            reset()

    setattr(module, name, logged)


def main() -> None:
    import sqops.cli.commands.report as cli_report
    import sqops.data.tables as data_tables
    import sqops.report.partition as partition
    import sqops.report.split as split

    wrap(data_tables, "validate_table")
    wrap(data_tables, "read_tables")
    for name in (
        "plan_partitions",
        "message_spans",
        "attribute_in_slices",
        "split_table",
        "split_opens",
        "_quality",
        "_sink",
        "run_partition",
        "merge_partials",
    ):
        wrap(partition, name)
    wrap(split, "prepare", "slice prepare")
    wrap(cli_report, "_buckets")
    from sqops.cli import app

    try:
        app(sys.argv[1:], standalone_mode=False)
    finally:
        log("end")


if __name__ == "__main__":
    main()
