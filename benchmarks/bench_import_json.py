"""The JSON importers against a plain read of the same file, each in its own process.

Run::

    python benchmarks/bench_import_json.py --rows 1000000 --formats wecom,telegram,discord,wechat-chatlog \
        [--before /path/to/other/src]

For each format it writes the synthetic export of ``bench_import.JSON_FORMATS``, then runs in a
subprocess (a) the reference read of ``bench_import.JSON_REFERENCE`` (polars, or orjson where
no polars schema reads the document), (b) ``import_files`` + ``write_tables`` (Parquet) with
this tree's code and, with ``--before``, with another source tree's, and prints wall time,
CPU seconds (user + sys, ``os.wait4``), rows per CPU second and peak RSS; with ``--before`` it
says whether the written tables are byte-identical. A stop-gap until ``bench_import.py`` runs
its formats in subprocesses itself.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_import  # noqa: E402

IMPORT = (
    "import sys; from sqops.importers import import_files, write_tables; "
    "r = import_files(sys.argv[2], [sys.argv[1]]); write_tables(r, sys.argv[3], 'parquet')"
)


def run(code: str, args: list[str], src: Path) -> tuple[float, float, float, int]:
    """(wall s, CPU s, peak RSS MB, exit status) of ``python -c code args`` with ``src`` first."""
    env = dict(os.environ, PYTHONPATH=str(src))
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, *args], env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, status


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--formats", default=",".join(bench_import.JSON_FORMATS))
    ap.add_argument("--before", type=Path, help="another source tree (its src/) to compare")
    args = ap.parse_args()
    src = HERE.parent / "src"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for fmt in args.formats.split(","):
            path = bench_import.JSON_FORMATS[fmt](args.rows, folder)
            print(
                f"{fmt}: {args.rows:,} rows, {path.stat().st_size / 1e6:.1f} MB, "
                f"load {os.getloadavg()[0]:.1f}",
                flush=True,
            )
            runs = [("reference", bench_import.JSON_REFERENCE[fmt], src, None)]
            if args.before:
                runs.append(("import before", IMPORT, args.before, folder / "before"))
            runs.append(("import", IMPORT, src, folder / "after"))
            for label, code, tree, out in runs:
                argv = [str(path), fmt, str(out or folder / "none")]
                wall, cpu, rss, status = run(code, argv, tree)
                print(
                    f"  {label:14s} wall {wall:6.2f} s  cpu {cpu:6.2f} s  "
                    f"{args.rows / cpu:>9,.0f} rows/cpu-s  peak RSS {rss:6.0f} MB  status {status}",
                    flush=True,
                )
            if args.before:
                for f in sorted((folder / "before").iterdir()):
                    same = f.read_bytes() == (folder / "after" / f.name).read_bytes()
                    print(f"  {f.name}: {'identical' if same else 'DIFFERENT'}")
                for d in ("before", "after"):
                    for f in (folder / d).iterdir():
                        f.unlink()
            path.unlink()


if __name__ == "__main__":
    main()
