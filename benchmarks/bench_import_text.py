"""Benchmark ``sqops import`` of the text exports (WhatsApp, QQ) against a plain polars read
of the same file's lines, each measurement in its own process (wall, CPU user+sys and peak
RSS from ``os.wait4``).

Run::

    /work/main/.venv/bin/python benchmarks/bench_import_text.py [--rows 1000000]
        [--formats whatsapp-android-en,qq-24h] [--before /work/main/src] [--big-gb 1]

* the reference: ``pl.read_csv`` of the file as one column of lines (no quoting, a separator
  byte the text never holds) — what reading the lines costs polars;
* ``import``: ``import_files`` + ``write_tables`` to Parquet, in a fresh process;
* ``--before SRC``: the same import with the sources in SRC (e.g. main's), alternated with
  the new one;
* ``--big-gb N``: one WhatsApp file of about N GB (the 1 M-message file repeated): the full
  import, and the reader alone (its frames counted and dropped), whose peak RSS shows the
  file is read in blocks.

Exits 1 when an import reads fewer than 500,000 lines/s (wall). The generators are in
``bench_import.py`` (``TEXT_FORMATS``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(SRC))

from bench_import import TEXT_FORMATS  # noqa: E402

TARGET = 500_000  # lines per second (issue #19)

REFERENCE = """
import sys, polars as pl
df = pl.read_csv(sys.argv[1], has_header=False, separator="\\x00", quote_char=None,
                 new_columns=["line"], infer_schema=False)
print(df.height)
"""
IMPORT = """
import sys
from sqops.importers import import_files, write_tables
r = import_files(sys.argv[2], [sys.argv[1]])
write_tables(r, sys.argv[3], "parquet")
print(r.counts.get("messages", 0))
"""
READER_ONLY = """
import sys
from pathlib import Path
from sqops.data.scalars import get_tz
from sqops.importers._base import Context
from sqops.importers import whatsapp, qq

class Counting(Context):
    rows = 0
    def add_messages(self, frame):
        Counting.rows += frame.height

ctx = Counting(tz=get_tz("Asia/Shanghai"))
{"whatsapp": whatsapp, "qq": qq}[sys.argv[2]].read(Path(sys.argv[1]), sys.argv[1], ctx, name="")
print(Counting.rows)
"""


def measure(code: str, args: list[str], src: Path) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=str(src))
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args], env=env, stdout=subprocess.PIPE, text=True
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    out = proc.stdout.read() if proc.stdout else ""
    if status != 0:
        raise SystemExit(f"failed ({status}): {args}")
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss": usage.ru_maxrss / 1024,
        "n": int(out.strip().splitlines()[-1]),
    }


def row(name: str, what: str, lines: int, mb: float, m: dict[str, float], ref: float) -> str:
    rate = lines / m["wall"]
    return (
        f"{name:22s} {what:9s} {mb:8.1f} MB {lines:>11,} lines  wall {m['wall']:7.2f} s  "
        f"cpu {m['cpu']:7.2f} s  peak RSS {m['rss']:7.0f} MB  {rate:>11,.0f} lines/s  "
        f"x{m['wall'] / ref:5.1f} polars"
    )


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--formats", default=",".join(TEXT_FORMATS))
    ap.add_argument("--before", type=Path, help="sources to compare with (e.g. main's src)")
    ap.add_argument("--big-gb", type=float, default=0.0)
    ap.add_argument("--tmp", type=Path, default=None, help="folder for the files (deleted)")
    args = ap.parse_args()
    print(f"load average {os.getloadavg()}", flush=True)
    missed = []
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        folder = Path(tmp)
        todo = [] if args.big_gb else args.formats.split(",")
        for name in todo:
            fmt, make, style = TEXT_FORMATS[name]
            path = folder / (
                "WhatsApp Chat with Bench.txt" if fmt == "whatsapp" else "bench-qq.txt"
            )
            lines = make(path, args.rows, style)
            mb = path.stat().st_size / 1e6
            ref = measure(REFERENCE, [str(path)], SRC)
            assert ref["n"] == lines, (ref["n"], lines)
            print(row(name, "polars", lines, mb, ref, ref["wall"]), flush=True)
            runs = [("import", SRC)] + ([("before", args.before)] if args.before else [])
            for what, src in runs:
                m = measure(IMPORT, [str(path), fmt, str(folder / f"out-{what}")], src)
                print(row(name, what, lines, mb, m, ref["wall"]), flush=True)
                if what == "import" and lines / m["wall"] < TARGET:
                    missed.append(name)
            if args.before:
                for t in ("messages.parquet", "members.parquet"):
                    a, b = folder / "out-import" / t, folder / "out-before" / t
                    same = a.exists() == b.exists() and (
                        not a.exists() or a.read_bytes() == b.read_bytes()
                    )
                    print(f"{'':22s} {t}: {'identical' if same else 'DIFFERENT'} bytes")
            path.unlink()
            for what in ("import", "before"):
                shutil.rmtree(folder / f"out-{what}", ignore_errors=True)
        if args.big_gb:
            fmt, make, style = TEXT_FORMATS["whatsapp-android-en"]
            base = folder / "base.txt"
            lines = make(base, args.rows, style)
            path = folder / "WhatsApp Chat with Big.txt"
            copies = max(1, round(args.big_gb * 1e9 / base.stat().st_size))
            with path.open("wb") as out:
                for _ in range(copies):
                    with base.open("rb") as f:
                        shutil.copyfileobj(f, out, 16 << 20)
            base.unlink()
            lines *= copies
            mb = path.stat().st_size / 1e6
            ref = measure(REFERENCE, [str(path)], SRC)
            print(row("whatsapp-big", "polars", lines, mb, ref, ref["wall"]), flush=True)
            m = measure(READER_ONLY, [str(path), fmt], SRC)
            assert m["n"] > 0
            print(row("whatsapp-big", "reader", lines, mb, m, ref["wall"]), flush=True)
            if not os.environ.get("BENCH_SKIP_FULL"):
                m = measure(IMPORT, [str(path), fmt, str(folder / "out-big")], SRC)
                print(row("whatsapp-big", "import", lines, mb, m, ref["wall"]), flush=True)
            path.unlink()
    print(f"load average {os.getloadavg()}")
    if missed:
        print(f"below {TARGET:,} lines/s: {', '.join(missed)}")
        sys.exit(1)


if __name__ == "__main__":
    main()
