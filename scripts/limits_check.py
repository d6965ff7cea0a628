"""Every command under a memory limit and a timeout, on hostile inputs and interrupted at
random moments: no traceback, the expected exit code, inputs byte-identical, no temporary
file or spill folder left, the previous output intact (issue #20, docs/architecture.md
"Tests").

    python scripts/limits_check.py            # ulimit -v 4000000 (KiB), 60 s per run
    python scripts/limits_check.py --signals 20 --seed 7

Prints one line per run and a summary; exits 1 if any run broke a rule. Nothing here is
taken from another project: every input is written by this script.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "skincare"
LIMIT_KIB = 4_000_000
TIMEOUT = 60


@dataclass
class Case:
    name: str
    args: list[str]
    codes: tuple[int, ...]  # the exit codes that are right
    inputs: tuple[Path, ...] = ()


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT_KIB * 1024, LIMIT_KIB * 1024))
    os.setsid()


def _digest(paths: tuple[Path, ...]) -> dict[str, str]:
    out = {}
    for p in paths:
        files = sorted(q for q in p.rglob("*") if q.is_file()) if p.is_dir() else [p]
        for f in files:
            if f.exists() and f.is_file():
                out[str(f)] = hashlib.sha256(f.read_bytes()).hexdigest()
    return out


def _leftovers(*dirs: Path) -> list[str]:
    found = []
    for d in dirs:
        for p in d.rglob("*"):
            n = p.name
            if n.endswith(".tmp") or n.startswith("sqops-report-") or n.startswith("sqops-"):
                found.append(str(p))
    return found


def build_cases(w: Path) -> list[Case]:
    sq = [sys.executable, "-m", "sqops"]
    data = w / "data"
    shutil.copytree(EXAMPLE / "data", data)
    sop = w / "sop.yaml"
    shutil.copy(EXAMPLE / "sop.yaml", sop)
    shutil.copytree(EXAMPLE / "scripts", w / "scripts")
    garbage = w / "garbage"
    garbage.mkdir()
    (garbage / "messages.csv").write_bytes(
        bytes(random.Random(1).randrange(256) for _ in range(4096))
    )
    notzip = w / "notzip"
    notzip.mkdir()
    (notzip / "messages.xlsx").write_bytes(b"this is not a zip file\n" * 10)
    bomb = w / "bomb"
    bomb.mkdir()
    with zipfile.ZipFile(bomb / "messages.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/sharedStrings.xml", b"\0" * (64 * 2**20))  # 64 MiB of zeros: ratio ~1000
    values = w / "values"
    values.mkdir()
    (values / "messages.csv").write_text(
        "ts,group_id,member_id\n2026-12-01 10:00,g1,a\n2026-12-01T10:00+99:99,g1,b\n"
        "-2026-01-01 10:00,g1,c\n9999-12-31 23:59,g1,d\n26/10/1 10:00,g1,e\n",
        encoding="utf-8",
    )
    (values / "orders.csv").write_text(
        "order_id,ts,member_id,amount\no1,2026-12-01 10:00,a,inf\no2,2026-12-01 10:00,a,1e999\n"
        "o3,2026-12-01 10:00,a,123456789012345678901\no4,2026-12-01 10:00,a,-Infinity\n"
        "o5,2026-12-01 10:00,a,12.5\n",
        encoding="utf-8",
    )
    bad_sop = w / "bad.yaml"
    bad_sop.write_text(
        (sop.read_text(encoding="utf-8") + "\n").replace(
            "  morning: ", "  morning: \"{{ 'x' | center(10**12) }}\"\n  unused: ", 1
        ),
        encoding="utf-8",
    )
    laughs = w / "laughs.yaml"
    laughs.write_text(
        "a: &a [x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n"
            for p, c in zip("abcdefgh", "bcdefghi", strict=True)
        )
        + "version: 1\n",
        encoding="utf-8",
    )
    tg = w / "tg.json"
    tg.write_text(
        '{"name": "g", "type": "private_group", "id": 1, "messages": [{"id": 1, "type": '
        '"message", "date": "2026-12-01T10:00:00", "from": "A", "from_id": "user1", '
        '"media_type": ["voice_message"], "text": "hi"}]}',
        encoding="utf-8",
    )
    out = w / "out"
    out.mkdir()
    return [
        Case(
            "report the example",
            [*sq, "report", str(data), "--sop", str(sop), "-o", str(out / "r.html")],
            (0,),
            (data, sop),
        ),
        Case(
            "report json trend",
            [*sq, "report", str(data), "--format", "json", "-o", str(out / "r.json")],
            (0,),
            (data,),
        ),
        Case(
            "plan the example",
            [*sq, "plan", str(sop), "--days", "30", "-o", str(out / "p.ics")],
            (0,),
            (sop,),
        ),
        Case("lint the example", [*sq, "lint", str(sop)], (0, 1), (sop,)),
        Case(
            "adherence",
            [
                *sq,
                "adherence",
                str(data),
                "--sop",
                str(sop),
                "--format",
                "json",
                "-o",
                str(out / "a.json"),
            ],
            (0,),
            (data, sop),
        ),
        Case("lint /dev/zero", [*sq, "lint", "/dev/zero"], (2,)),
        Case(
            "import whatsapp /dev/zero",
            [*sq, "import", "whatsapp", "/dev/zero", "-o", str(out / "wa")],
            (2,),
        ),
        Case("report garbage bytes", [*sq, "report", str(garbage)], (2,), (garbage,)),
        Case("report non-zip xlsx", [*sq, "report", str(notzip)], (2,), (notzip,)),
        Case("report xlsx bomb", [*sq, "report", str(bomb)], (2,), (bomb,)),
        Case(
            "report hostile values",
            [*sq, "report", str(values), "--format", "json", "-o", str(out / "v.json")],
            (0,),
            (values,),
        ),
        Case(
            "report --as-of 9999-12-31",
            [*sq, "report", str(data), "--as-of", "9999-12-31"],
            (2,),
            (data,),
        ),
        Case(
            "report onto its input",
            [*sq, "report", str(data), "-o", str(data / "messages.csv")],
            (2,),
            (data,),
        ),
        Case("plan onto its SOP", [*sq, "plan", str(sop), "-o", str(sop)], (2,), (sop,)),
        Case(
            "plan script bomb", [*sq, "plan", str(bad_sop), "--days", "3"], (1, 2), (bad_sop,)
        ),  # a lint error
        Case("lint billion laughs", [*sq, "lint", str(laughs)], (1, 2), (laughs,)),
        Case(
            "plan --start 9999-12-25",
            [*sq, "plan", str(sop), "--start", "9999-12-25"],
            (2,),
            (sop,),
        ),
        Case(
            "demo far too big",
            [*sq, "demo", str(out / "demo"), "--groups", "1000000", "--days", "100000"],
            (2,),
        ),
        Case("schema to /dev/full", [*sq, "schema", "-o", "/dev/full"], (2,)),
        Case(
            "import telegram list media_type",
            [*sq, "import", "telegram", str(tg), "-o", str(out / "tg")],
            (0,),
            (tg,),
        ),
    ]


def run_case(c: Case, tmp: Path, env: dict[str, str]) -> list[str]:
    before = _digest(c.inputs)
    t0 = time.monotonic()
    try:
        r = subprocess.run(c.args, capture_output=True, text=True, timeout=TIMEOUT,
                           preexec_fn=_limits, env=env, cwd=ROOT)  # fmt: skip
    except subprocess.TimeoutExpired:
        return [f"timed out after {TIMEOUT} s"]
    wrong = []
    if r.returncode not in c.codes:
        wrong.append(f"exit {r.returncode}, expected {c.codes}: {r.stderr.strip()[-300:]}")
    if "Traceback" in r.stderr or "Exception ignored" in r.stderr:
        wrong.append("traceback: " + r.stderr.strip()[-300:])
    if _digest(c.inputs) != before:
        wrong.append("an input changed")
    left = _leftovers(tmp)
    if left:
        wrong.append(f"left behind: {left[:3]}")
    print(
        f"{'ok ' if not wrong else 'BAD'} {c.name:34} exit {r.returncode} {time.monotonic() - t0:5.1f} s"
    )
    return wrong


def _signal_jobs(w: Path, out: Path) -> list[tuple[str, list[str], Path, str]]:
    """(name, args, the output whose previous content must survive, how a whole new one
    ends) for each command interrupted."""
    sq = [sys.executable, "-m", "sqops"]
    data, sop = str(w / "data"), str(w / "sop.yaml")
    qq = ROOT / "tests" / "importers" / "fixtures" / "qq.txt"
    return [
        ("report", [*sq, "report", data, "--sop", sop, "-o", str(out / "r.html"),
                    "--lists", str(out / "lists")], out / "r.html", "</html>"),
        ("plan", [*sq, "plan", sop, "--days", "60", "-o", str(out / "p.ics")], out / "p.ics",
         "END:VCALENDAR"),
        ("adherence", [*sq, "adherence", data, "--sop", sop, "--format", "json", "-o",
                       str(out / "a.json")], out / "a.json", "}"),
        ("import", [*sq, "import", "qq", str(qq), "-o", str(out / "tables"), "--format", "csv"],
         out / "tables" / "messages.csv", "\n"),
        ("demo", [*sq, "demo", str(out / "demo"), "--days", "60", "--members", "100"],
         out / "demo" / "messages.csv", "\n"),
    ]  # fmt: skip


def run_signals(w: Path, tmp: Path, env: dict[str, str], n: int, rng: random.Random) -> list[str]:
    """Interrupt each command in turn at random moments; its previous output must stay whole
    or be replaced whole, nothing left behind."""
    wrong = []
    out = w / "sig"
    out.mkdir()
    (out / "tables").mkdir()
    (out / "demo").mkdir()
    jobs = _signal_jobs(w, out)
    # how long each command runs here, uninterrupted: the signals then land inside the run
    took = {}
    for name, args, _target, _ in jobs:
        t0 = time.monotonic()
        subprocess.run(args, capture_output=True, env=env, cwd=ROOT, timeout=TIMEOUT)
        took[name] = time.monotonic() - t0
    print("uninterrupted: " + ", ".join(f"{k} {v:.2f} s" for k, v in took.items()))
    for i in range(n):
        name, args, target, end = jobs[i % len(jobs)]
        target.write_text("previous", encoding="utf-8")
        sig = rng.choice([signal.SIGINT, signal.SIGTERM])
        delay = rng.uniform(0.05, 0.95 * took[name])
        p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             preexec_fn=_limits, env=env, cwd=ROOT)  # fmt: skip
        time.sleep(delay)
        with_signal = p.poll() is None
        if with_signal:
            os.killpg(p.pid, sig)  # as a terminal's Ctrl-C reaches the whole process group
        try:
            _, err = p.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            p.kill()
            wrong.append(f"signal run {i} ({name}): hung")
            continue
        # (-sig: the signal came before Python set its handlers, as the interpreter started;
        # the default action ends the process, which had created nothing yet)
        expect = {0, 128 + sig, -sig} if with_signal else {0}
        bad = []
        if p.returncode not in expect:
            bad.append(f"exit {p.returncode} (expected {sorted(expect)})")
        if "Traceback" in err or "Exception ignored" in err:
            bad.append("traceback: " + err.strip()[-300:])
        text = target.read_text(encoding="utf-8-sig")
        whole = text.rstrip().endswith(end.strip()) if end.strip() else text.endswith("\n")
        if text != "previous" and not whole:
            bad.append("output neither the previous file nor a whole new one")
        left = _leftovers(tmp) + _leftovers(out)
        if left:
            bad.append(f"left behind: {left[:3]}")
        what = signal.Signals(sig).name if with_signal else "none (finished)"
        print(
            f"{'ok ' if not bad else 'BAD'} {name:9} signal {what:16} at {delay:4.2f} s  exit {p.returncode}"
        )
        wrong += [f"signal run {i} ({name}): {b}" for b in bad]
        for q in _leftovers(tmp) + _leftovers(out):
            shutil.rmtree(q, ignore_errors=True) if Path(q).is_dir() else Path(q).unlink(
                missing_ok=True
            )
    return wrong


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--signals", type=int, default=20, help="interrupted runs (default 20)")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    with tempfile.TemporaryDirectory(prefix="limits-") as d:
        w = Path(d) / "work"
        w.mkdir()
        tmp = Path(d) / "tmp"
        tmp.mkdir()
        env = {**os.environ, "TMPDIR": str(tmp), "NO_COLOR": "1", "LANG": "C.UTF-8"}
        problems: list[str] = []
        for c in build_cases(w):
            problems += [f"{c.name}: {p}" for p in run_case(c, tmp, env)]
        problems += run_signals(w, tmp, env, a.signals, rng)
    print()
    print("\n".join(problems) if problems else "all runs kept every rule")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
