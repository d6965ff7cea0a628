"""Benchmark ``sqops report --format json`` against the DuckDB reference (run by hand, not in CI).

For each size it

1. generates the data with ``sqops demo`` (cached under ``--workdir``), with members, posts,
   engagement and orders growing with the number of messages (500 members per group,
   120 days, one more group per ~6,500 messages);
2. writes an SOP that lists every generated group with its launch day (so both tools use the
   same day 0), next to the data;
3. runs ``sqops report DATA --sop SOP --as-of END --format json`` and the reference
   (``benchmarks/reference_duckdb.py``) as subprocesses, measuring wall time and peak RSS
   (``os.wait4``: the child's own ``ru_maxrss``);
4. compares every KPI numerator / denominator per group and stage (any difference fails);
5. measures the start-up of ``sqops --help`` against ``python -c "import typer"``.

Usage::

    python benchmarks/run.py 1M                    # CSV and Parquet
    python benchmarks/run.py 10M --format parquet
    python benchmarks/run.py 1M --reference-only   # before sqops report exists

Results are printed and written to ``benchmarks/results/<size>-<format>.json``.
Exit status: 0 all agree and targets met, 1 a KPI differs or a target is missed, 2 an error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SOP = ROOT / "examples" / "skincare" / "sop.yaml"
SIZES = {
    "100K": 100_000,
    "1M": 1_000_000,
    "10M": 10_000_000,
    "50M": 50_000_000,
    "200M": 200_000_000,
}
MESSAGES_PER_GROUP = 6_500  # measured: --members 500 --days 120 gives ~6,500 messages a group
MEMBERS = 500
DAYS = 120
SEED = 1
#: targets from the issue
#: (#23: at 1 M no slower than the reference, at 10 M at most 0.7 of its wall time)
TARGETS = {
    "1M": {"max_ratio": 1.0},
    "10M": {"max_rss_mb": 2560, "max_ratio": 0.7},  # 2.5 GB
    "50M": {"max_rss_mb": 12288},  # 12 GB
}
STARTUP_RATIO = 1.5

sys.path.insert(0, str(HERE))
from _bytecode import compile_package  # noqa: E402
from reference_duckdb import compare  # noqa: E402


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def measure(
    cmd: list[str], stdout_path: Path | None = None, max_rss_mb: float | None = None
) -> dict[str, Any]:
    """Run ``cmd``; wall seconds, peak RSS (MB) of the child, exit code, stderr tail.

    With ``max_rss_mb`` a watchdog kills the child once its RSS passes the limit (so a run
    that would exhaust a shared machine stops early; the result says ``killed_over_rss``).
    """
    import threading

    out = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL  # noqa: SIM115
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE)
    killed = threading.Event()
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.2):
            if max_rss_mb and _rss_mb(proc.pid) > max_rss_mb:
                killed.set()
                proc.kill()
                return

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    # read stderr while waiting (a full pipe would block the child)
    err_chunks: list[bytes] = []
    assert proc.stderr is not None
    for chunk in iter(lambda: proc.stderr.read(65536), b""):
        err_chunks.append(chunk)
    _, status, usage = os.wait4(proc.pid, 0)
    done.set()
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if stdout_path:
        out.close()
    return {
        "cmd": " ".join(str(c) for c in cmd),
        "seconds": round(wall, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # Linux: kilobytes
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),  # (user + system, all threads)
        "exit_code": proc.returncode,
        "killed_over_rss": max_rss_mb if killed.is_set() else None,
        "stderr_tail": b"".join(err_chunks).decode("utf-8", "replace")[-2000:],
    }


def code_version() -> dict[str, Any]:
    """The commit measured, and whether sqops' sources differed from it (editable install)."""

    def git(*args: str) -> str:
        try:
            return subprocess.run(
                ["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=True
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return ""

    return {
        "commit": git("rev-parse", "HEAD"),
        "uncommitted_changes_in_src": bool(git("status", "--porcelain", "--", "src")),
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def groups_for(size: int) -> int:
    return max(3, round(size / MESSAGES_PER_GROUP))


def generate(workdir: Path, size_name: str, fmt: str) -> tuple[Path, dict[str, Any]]:
    """The data for a size (generated once, reused while the generator arguments match)."""
    n_groups = groups_for(SIZES[size_name])
    data = workdir / f"{size_name}-{fmt}"
    args = ["--groups", str(n_groups), "--members", str(MEMBERS), "--days", str(DAYS),
            "--seed", str(SEED), "--format", fmt, "--sop", str(SOP)]  # fmt: skip
    marker = data / ".bench-args.json"
    # the marker names the SOP relative to the checkout, so another worktree reuses the data
    key = [str(SOP.relative_to(ROOT)) if a == str(SOP) else a for a in args]
    if marker.exists() and _relative(json.loads(marker.read_text())["args"]) == key:
        return data, json.loads(marker.read_text())
    if data.exists():
        shutil.rmtree(data)
    data.mkdir(parents=True)
    sqops = shutil.which("sqops", path=str(Path(sys.executable).parent)) or "sqops"
    gen = measure([sqops, "demo", str(data), *args, "--lang", "en"])
    if gen["exit_code"] != 0:
        raise SystemExit(f"sqops demo failed:\n{gen['stderr_tail']}")
    rows = {}
    import polars as pl

    for table in ("messages", "members", "posts", "engagement", "orders", "coupons"):
        path = data / f"{table}.{fmt}"
        lf = pl.scan_parquet(path) if fmt == "parquet" else pl.scan_csv(path, infer_schema=False)
        rows[table] = lf.select(pl.len()).collect().item()
    write_sop(data, n_groups)
    info = {"args": key, "generate": gen, "rows": rows,
            "bytes": sum(p.stat().st_size for p in data.iterdir() if p.is_file())}  # fmt: skip
    marker.write_text(json.dumps(info, indent=1))
    return data, info


def _relative(args: list[str]) -> list[str]:
    """A marker's generator arguments with the SOP named relative to its checkout (markers
    written by older runs name it by the absolute path of the checkout that made them: any
    other worktree would take the data for another generator's and regenerate it)."""
    rel = str(SOP.relative_to(ROOT))
    return [rel if a == rel or a.endswith(f"/{rel}") else a for a in args]


def write_sop(data: Path, n_groups: int) -> Path:
    """The example SOP with every generated group listed (id, name, launch day)."""
    import yaml

    sys.path.insert(0, str(ROOT / "src"))
    from sqops.demo import demo_groups
    from sqops.sop import load_sop

    sop = load_sop(SOP).sop
    _, groups = demo_groups(sop, n_groups, None, DAYS)
    raw = yaml.safe_load(SOP.read_text(encoding="utf-8"))
    raw["groups"] = [
        {"id": g.id, "name": g.name, "launched_on": g.launched_on, "vars": {"city": g.city}}
        for g in groups
    ]
    target = data / "sop.yaml"
    target.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    shutil.copytree(SOP.parent / "scripts", data / "scripts", dirs_exist_ok=True)
    return target


def startup(repeat: int = 7) -> dict[str, Any]:
    py = sys.executable
    sqops = shutil.which("sqops", path=str(Path(py).parent)) or "sqops"

    def best(cmd: list[str]) -> float:
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            times.append(time.perf_counter() - t0)
        return statistics.median(times)

    t_typer = best([py, "-c", "import typer"])
    t_help = best([sqops, "--help"])
    return {"import_typer_s": round(t_typer, 3), "sqops_help_s": round(t_help, 3),
            "ratio": round(t_help / t_typer, 2), "target_ratio": STARTUP_RATIO}  # fmt: skip


def run_one(
    workdir: Path,
    size_name: str,
    fmt: str,
    reference_only: bool,
    threads: int | None,
    max_rss_mb: float | None = None,
    reuse_reference: bool = False,
    kpis_only: bool = False,
) -> dict[str, Any]:
    data, info = generate(workdir, size_name, fmt)
    sop = data / "sop.yaml"
    end = (dt.date(2026, 10, 1) + dt.timedelta(days=DAYS - 1)).isoformat()
    res: dict[str, Any] = {
        "size": size_name,
        "format": fmt,
        "data": str(data),
        "as_of": end,
        **info,
    }
    res["code"] = code_version()
    ref_out = workdir / f"{size_name}-{fmt}.reference.json"
    ref_cmd = [sys.executable, str(HERE / "reference_duckdb.py"), str(data), "--sop", str(sop),
               "--as-of", end, "-o", str(ref_out)]  # fmt: skip
    if threads:
        ref_cmd += ["--threads", str(threads)]
    if max_rss_mb:  # DuckDB spills to disk below this instead of growing
        ref_cmd += ["--memory-limit", f"{int(max_rss_mb * 0.6)}MB"]
    ref_measure = workdir / f"{size_name}-{fmt}.reference.measure.json"
    if reuse_reference and ref_measure.exists() and ref_out.exists():
        res["reference"] = {**json.loads(ref_measure.read_text()), "reused": True}
    else:
        res["reference"] = measure(ref_cmd, max_rss_mb=max_rss_mb)
        ref_measure.write_text(json.dumps(res["reference"], indent=1))
    if res["reference"]["exit_code"] != 0:
        raise SystemExit(f"reference failed:\n{res['reference']['stderr_tail']}")
    reference = json.loads(ref_out.read_text(encoding="utf-8"))
    res["kpis_compared"] = sum(
        len(s["kpis"])
        for g in reference["groups"]
        for s in g["stages"]
        if s["status"] != "not_started"
    )
    if reference_only:
        res["sqops"] = None
        res["mismatches"] = None
        return res
    sqops = shutil.which("sqops", path=str(Path(sys.executable).parent)) or "sqops"
    rep_out = workdir / f"{size_name}-{fmt}.sqops.json"
    cmd = [sqops, "report", str(data), "--sop", str(sop), "--as-of", end, "--format", "json",
           "--lang", "en"]  # fmt: skip
    res["sqops"] = measure(cmd, stdout_path=rep_out, max_rss_mb=max_rss_mb)
    if kpis_only:  # the same without the plan-against-practice section (not in the reference)
        kpi_out = workdir / f"{size_name}-{fmt}.sqops-kpis.json"
        res["sqops_kpis_only"] = measure(
            [*cmd, "--no-adherence"], stdout_path=kpi_out, max_rss_mb=max_rss_mb
        )
        if res["sqops_kpis_only"]["exit_code"] in (0, 1):
            got = json.loads(kpi_out.read_text(encoding="utf-8"))
            res["sqops_kpis_only"]["mismatches"] = len(compare(got, reference))
    if res["sqops"]["killed_over_rss"]:
        res["mismatches"] = [
            f"sqops report killed: RSS passed {res['sqops']['killed_over_rss']} MB"
        ]
        return res
    if res["sqops"]["exit_code"] not in (0, 1):
        res["mismatches"] = [f"sqops report exited {res['sqops']['exit_code']}"]
        return res
    try:
        report = json.loads(rep_out.read_text(encoding="utf-8"))
    except ValueError:
        res["mismatches"] = [
            f"sqops report wrote no JSON (exit {res['sqops']['exit_code']}): {res['sqops']['stderr_tail'][-500:]}"
        ]
        return res
    res["mismatches"] = compare(report, reference)
    return res


def verdict(res: dict[str, Any]) -> list[str]:
    """Targets missed (empty: all met or not applicable)."""
    missed = []
    if res.get("mismatches"):
        missed.append(f"{len(res['mismatches'])} KPI differences")
    t = TARGETS.get(res["size"])
    if t and res.get("sqops"):
        if "max_rss_mb" in t and res["sqops"]["peak_rss_mb"] > t["max_rss_mb"]:
            missed.append(f"peak RSS {res['sqops']['peak_rss_mb']} MB > {t['max_rss_mb']} MB")
        ratio = t.get("max_ratio")
        if ratio is not None and res["sqops"]["seconds"] > ratio * res["reference"]["seconds"]:
            missed.append(
                f"sqops {res['sqops']['seconds']} s > {ratio} x the reference's {res['reference']['seconds']} s"
            )
    return missed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="sqops report vs the DuckDB reference")
    ap.add_argument("sizes", nargs="+", choices=list(SIZES))
    ap.add_argument("--format", dest="formats", action="append", choices=["csv", "parquet"])
    ap.add_argument(
        "--workdir", type=Path, default=Path(os.environ.get("SQOPS_BENCH_DIR", "/tmp/sqops-bench"))
    )
    ap.add_argument(
        "--reference-only", action="store_true", help="only generate and run the reference"
    )
    ap.add_argument("--threads", type=int, default=None, help="DuckDB threads (default: all cores)")
    ap.add_argument("--no-startup", action="store_true")
    ap.add_argument(
        "--reuse-reference",
        action="store_true",
        help="reuse the reference's last result on the same (cached) data instead of rerunning it",
    )
    ap.add_argument(
        "--max-rss-mb",
        type=float,
        default=None,
        help="kill a measured process whose RSS passes this (protects a shared machine)",
    )
    ap.add_argument(
        "--generate-only", action="store_true", help="only generate (and cache) the data"
    )
    ap.add_argument(
        "--kpis-only",
        action="store_true",
        help="also time `sqops report --no-adherence` (the report without the plan-against-"
        "practice section, which the reference does not compute)",
    )
    args = ap.parse_args(argv)
    formats = args.formats or ["csv", "parquet"]
    args.workdir.mkdir(parents=True, exist_ok=True)
    results_dir = HERE / "results"
    results_dir.mkdir(exist_ok=True)
    failed = False
    print(compile_package())  # as `pip install .` leaves it (benchmarks/_bytecode.py)
    if not args.no_startup and not args.generate_only:
        st = startup()
        print(
            f"startup: sqops --help {st['sqops_help_s']} s, import typer {st['import_typer_s']} s, ratio {st['ratio']}"
        )
        st["code"] = code_version()
        (results_dir / "startup.json").write_text(json.dumps(st, indent=1) + "\n")
        failed |= st["ratio"] > STARTUP_RATIO
    for size in args.sizes:
        for fmt in formats:
            if args.generate_only:
                data, info = generate(args.workdir, size, fmt)
                print(
                    f"{size} {fmt}: {data} {info['rows']} generated in {info['generate']['seconds']} s"
                )
                continue
            res = run_one(
                args.workdir,
                size,
                fmt,
                args.reference_only,
                args.threads,
                args.max_rss_mb,
                args.reuse_reference,
                args.kpis_only,
            )
            missed = verdict(res)
            res["targets_missed"] = missed
            (results_dir / f"{size}-{fmt}.json").write_text(
                json.dumps(res, indent=1, ensure_ascii=False) + "\n"
            )
            ref = res["reference"]
            line = f"{size} {fmt}: {res['rows']['messages']:,} messages; reference {ref['seconds']} s {ref['peak_rss_mb']} MB"
            if res["sqops"]:
                line += f"; sqops {res['sqops']['seconds']} s {res['sqops']['peak_rss_mb']} MB"
                line += f"; {res['kpis_compared']} KPIs compared, {len(res['mismatches'])} differ"
            if res.get("sqops_kpis_only"):
                k = res["sqops_kpis_only"]
                line += f"; --no-adherence {k['seconds']} s {k['peak_rss_mb']} MB"
            print(line)
            for m in (res.get("mismatches") or [])[:30]:
                print("   ", m)
            for m in missed:
                print("    MISSED:", m)
            failed |= bool(missed)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
