"""The engagement table's checking pass begun by the entry point, before the command line is
built (``sqops.early``): which command lines begin it, the zone it guesses, the pass taken at
its table's turn only for the same query on the same file (else made again: the tables the
same as without it), the start still light for help and lint, and an error or a signal while
it runs ending the run as before (located message, exit 2 / 130, nothing written)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
from tests._held_checks import same_tables
from tests.test_data_tables_early import _passes

import sqops.data.tables as tables_mod
from sqops import early
from sqops.data.tables import read_tables, start_early

ROOT = Path(__file__).resolve().parents[1]

MESSAGES = {
    "ts": [dt.datetime(2026, 12, 1, 9), dt.datetime(2026, 12, 1, 10)],
    "group_id": ["g1", "g1"],
    "member_id": ["a", "b"],
}
MEMBERS = {
    "ts": [dt.datetime(2026, 11, 30, 9)],
    "group_id": ["g1"],
    "member_id": ["a"],
    "event": ["join"],
}
ENGAGEMENT = {
    "ts": [dt.datetime(2026, 12, 1, 9, 30), dt.datetime(2026, 12, 1, 23, 40)],
    "member_id": ["a", "b"],
    "event": ["open", "click"],
    "post_id": ["p1", "p1"],
    "group_id": ["g1", "g1"],
}


def _folder(tmp: Path, name: str = "data") -> Path:
    folder = tmp / name
    folder.mkdir()
    pl.DataFrame(MESSAGES).write_parquet(folder / "messages.parquet")
    pl.DataFrame(MEMBERS).write_parquet(folder / "members.parquet")
    pl.DataFrame(ENGAGEMENT).write_parquet(folder / "engagement.parquet")
    return folder


# ------------------------------------------------------------------ the command line read
@pytest.mark.parametrize(
    ("argv", "found"),
    [
        (["report", "d"], ("d", None, None)),
        (["report", "d", "--sop", "s.yaml", "--tz", "UTC"], ("d", "UTC", "s.yaml")),
        (["report", "--sop=s.yaml", "-f", "json", "d", "--views"], ("d", None, "s.yaml")),
        (["--lang", "en", "report", "d", "--no-adherence", "-o", "x"], ("d", None, None)),
        (["--lang=zh", "report", "--as-of", "2027-01-01", "d"], ("d", None, None)),
        (["report", "d", "--adherence", "--tz=Asia/Tokyo"], ("d", "Asia/Tokyo", None)),
        (["report", "d", "--messages", "m.csv"], ("d", None, None)),
    ],
)
def test_a_report_of_one_folder_is_read_off_the_command_line(
    argv: list[str], found: tuple[str, str | None, str | None]
) -> None:
    d, tz, sop = found
    assert early._report_args(argv) == (Path(d), tz, None if sop is None else Path(sop))


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["lint", "d"],
        ["report"],
        ["report", "--help"],
        ["report", "d", "-h"],
        ["--help"],
        ["report", "a", "b"],  # (two files: --preset's)
        ["report", "a", "--preset", "auto"],
        ["report", "d", "--engine", "dask"],
        ["report", "d", "--engagement", "e.parquet"],
        ["report", "d", "--columns", "c.yaml"],
        ["report", "d", "--encoding=gbk"],
        # (--memory-limit sets a polars variable in os.environ while the pass could read it)
        ["report", "d", "--memory-limit", "300MB"],
        ["report", "d", "--memory-limit=1G"],
        ["report", "d", "--sop"],  # (a value missing: typer's error, nothing begun)
        ["report", "--", "d"],
        ["plan", "report", "d"],
    ],
)
def test_nothing_is_begun_for_another_command_line(argv: list[str]) -> None:
    assert early._report_args(argv) is None


def test_the_zone_is_read_off_the_sops_timezone_line(tmp_path: Path) -> None:
    sop = tmp_path / "sop.yaml"
    sop.write_text("version: 1\ncommunity:\n  name: x\n  timezone: 'Europe/Berlin'\n")
    assert early._sop_tz(sop) == "Europe/Berlin"
    sop.write_text("version: 1\ncommunity:\n  name: x\n")
    assert early._sop_tz(sop) is None
    assert early._sop_tz(tmp_path / "missing.yaml") is None


def test_begin_starts_the_engagement_pass_with_the_zone_guessed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _folder(tmp_path)
    sop = tmp_path / "sop.yaml"
    sop.write_text("community:\n  timezone: Europe/Berlin\n")
    seen: list[tuple[Path, str, int]] = []
    monkeypatch.setattr(
        tables_mod, "start_early", lambda f, tz, n: seen.append((f, tz, n)) or {"engagement": 1}
    )
    early.begin(["report", str(folder), "--sop", str(sop)])
    early.begin(["report", str(folder), "--tz", "UTC", "--sop", str(sop)])
    early.begin(["report", str(folder)])
    early.begin(["report", str(tmp_path / "nothing-here")])  # (not a folder: nothing)
    early.begin(["lint", str(folder)])
    assert seen == [
        (folder, "Europe/Berlin", early.MAX_BYTES),
        (folder, "UTC", early.MAX_BYTES),
        (folder, early.DEFAULT_TZ, early.MAX_BYTES),
    ]
    assert early.take() == {"engagement": 1}
    assert early.take() == {}  # (taken once)


# ------------------------------------------------------------------ the pass taken or made again
@pytest.mark.parametrize(
    ("guess", "made_in"),
    [
        # the zone the run takes: made once, in its thread, not again at its turn
        ("Asia/Shanghai", ["sqops-read-early"]),
        # another zone: not taken (its plan may read the same: review rv-rep1m9), the pass
        # begun again beside the members' copy, as without the early one
        ("America/New_York", ["sqops-read-early", "sqops-read-early"]),
    ],
)
def test_a_pass_begun_early_is_taken_only_for_the_same_query(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, guess: str, made_in: list[str]
) -> None:
    folder = _folder(tmp_path)
    plain = read_tables(folder, tz="Asia/Shanghai", hold_from=10)
    made = _passes(monkeypatch)
    started = start_early(folder, guess, 1 << 20)
    assert list(started) == ["engagement"]
    got = read_tables(folder, tz="Asia/Shanghai", hold_from=10, started=started)
    assert made == made_in
    same_tables(got, plain)


def test_a_pass_of_another_file_is_not_taken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _folder(tmp_path)
    other = _folder(tmp_path, "other")
    pl.DataFrame({**ENGAGEMENT, "member_id": ["x", "y"]}).write_parquet(
        other / "engagement.parquet"
    )
    paths = {"engagement": other / "engagement.parquet"}
    plain = read_tables(folder, paths, tz="Asia/Shanghai", hold_from=10)
    made = _passes(monkeypatch)
    started = start_early(folder, "Asia/Shanghai", 1 << 20)
    got = read_tables(folder, paths, tz="Asia/Shanghai", hold_from=10, started=started)
    started["engagement"].join()
    # (the early pass of DATA's file ran, but the table is --engagement's: its own pass made,
    # beside the members' copy as without the early one)
    assert made == ["sqops-read-early", "sqops-read-early"]
    same_tables(got, plain)
    assert got["engagement"].frame.collect()["member_id"].cast(pl.String).to_list() == ["x", "y"]


def test_no_pass_is_begun_for_a_file_over_the_bound_or_an_unreadable_folder(
    tmp_path: Path,
) -> None:
    folder = _folder(tmp_path)
    size = (folder / "engagement.parquet").stat().st_size
    assert start_early(folder, "Asia/Shanghai", size - 1) == {}
    assert list(start_early(folder, "Asia/Shanghai", size)) == ["engagement"]
    pl.DataFrame(MESSAGES).write_csv(folder / "messages.csv")  # (two messages files)
    assert start_early(folder, "Asia/Shanghai", size) == {}


# ------------------------------------------------------------------ from the entry point
def test_help_and_lint_from_the_entry_point_do_not_import_polars() -> None:
    for args in (["--help"], ["report", "--help"], ["lint", "examples/skincare/sop.yaml"]):
        out = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "sqops", *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        assert out.returncode in (0, 1), out.stderr
        assert "| polars" not in out.stderr, args


def _cli(*args: str, cwd: Path = ROOT, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sqops", *args], capture_output=True, text=True, cwd=cwd, **kw
    )


def test_the_report_from_the_entry_point_is_the_same(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    args = [str(folder), "--as-of", "2026-12-02", "-f", "json", "--lang", "en"]
    assert _cli("report", *args, "-o", str(a)).returncode == 0
    # (in-process, without the entry point: nothing begun early)
    from typer.testing import CliRunner

    from sqops.cli import app

    r = CliRunner().invoke(app, ["report", *args, "-o", str(b)])
    assert r.exit_code == 0, r.output
    assert a.read_bytes() == b.read_bytes()


_SLOW_PASS = """
import sys, threading, time
sys.path.insert(0, sys.argv.pop(1))
import sqops.data.tables as T
checked = T._checked
def slow(checks):
    if threading.current_thread().name == "sqops-read-early":
        sys.stderr.write("SLOW_START\\n"); sys.stderr.flush()
        time.sleep(30)
    return checked(checks)
T._checked = slow
sys.argv = ["sqops", *sys.argv[1:]]
from sqops.__main__ import main
main()
"""


def _slow_run(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _SLOW_PASS, str(ROOT / "src"), *args],
        cwd=ROOT,
        env={**os.environ, "TMPDIR": str(tmp_path)},
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def test_an_sop_error_while_the_pass_runs_ends_the_run_as_before(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    sop = tmp_path / "sop.yaml"
    sop.write_text("version: 1\ncommunity:\n  timezone: Asia/Shanghai\n  name: [\n")
    out = tmp_path / "r.json"
    args = ["report", str(folder), "--sop", str(sop), "-f", "json", "-o", str(out)]
    begun = time.monotonic()
    p = _slow_run(tmp_path, *args)
    err = p.communicate(timeout=60)[1]
    took = time.monotonic() - begun
    assert err.startswith("SLOW_START\n")  # (the pass was running)
    assert took < 20.0, f"the run ended {took:.1f} s after it began: it waited for the pass"
    assert p.returncode == 2, err
    assert f"{sop}:" in err or "sop.yaml" in err
    assert "Traceback" not in err
    assert not out.exists()
    # the same message as without the early pass (in-process: nothing begun)
    plain = _cli(*args, env={**os.environ, "TMPDIR": str(tmp_path)})
    assert plain.returncode == 2
    assert err.removeprefix("SLOW_START\n") == plain.stderr


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_while_the_pass_runs_ends_the_run_soon(
    tmp_path: Path, sig: signal.Signals
) -> None:
    folder = _folder(tmp_path)
    out = tmp_path / "r.json"
    p = _slow_run(tmp_path, "report", str(folder), "-f", "json", "-o", str(out), "--lang", "en")
    assert p.stderr is not None
    assert p.stderr.readline() == "SLOW_START\n"
    time.sleep(3.0)  # (the start done: the run waits for the pass at engagement's turn)
    sent = time.monotonic()
    p.send_signal(sig)
    err = p.communicate(timeout=60)[1]
    took = time.monotonic() - sent
    assert p.returncode == {signal.SIGINT: 130, signal.SIGTERM: 143}[sig], err
    assert err == {signal.SIGINT: "interrupted\n", signal.SIGTERM: "terminated\n"}[sig]
    assert took < 10.0, f"{sig.name}: the run ended {took:.1f} s after the signal"
    assert not out.exists()
    assert not list(tmp_path.glob("sqops-*"))  # (no copy of the tables left)


# ------------------------------------------------------------------ review (rv-rep1m9)
def test_a_pass_begun_with_another_zone_is_made_again_for_aware_times(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # (times with a zone: the plan converts them with dt.convert_time_zone, whose zone
    # polars' explain() does not show — the two zones' plans read the same)
    folder = _folder(tmp_path)
    pl.DataFrame(ENGAGEMENT).with_columns(pl.col("ts").dt.replace_time_zone("UTC")).write_parquet(
        folder / "engagement.parquet"
    )
    plain = read_tables(folder, tz="America/New_York", hold_from=10)
    made = _passes(monkeypatch)
    started = start_early(folder, "Asia/Shanghai", 1 << 20)
    got = read_tables(folder, tz="America/New_York", hold_from=10, started=started)
    started["engagement"].join()
    assert made == ["sqops-read-early", "sqops-read-early"]  # (not taken: begun again)
    same_tables(got, plain)
    assert got["engagement"].last_day == plain["engagement"].last_day == dt.date(2026, 12, 1)


def test_an_sop_given_as_a_pipe_is_not_read_early(tmp_path: Path) -> None:
    # (--sop /dev/stdin, <(…), a FIFO: read once — by the SOP's loader, not by the guess)
    r, w = os.pipe()
    text = b"version: 1\ncommunity:\n  timezone: Europe/Berlin\n"
    os.write(w, text)
    os.close(w)
    try:
        assert early._sop_tz(Path(f"/dev/fd/{r}")) is None
        assert os.read(r, 1 << 10) == text
    finally:
        os.close(r)


def test_the_report_with_an_sop_from_stdin_is_the_same(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    sop = ROOT / "examples" / "skincare" / "sop.yaml"
    args = [str(folder), "--as-of", "2026-12-02", "-f", "json", "--lang", "en"]
    by_path = _cli("report", *args, "--sop", str(sop))
    assert by_path.returncode == 0, by_path.stderr
    piped = _cli("report", *args, "--sop", "/dev/stdin", input=sop.read_text(encoding="utf-8"))
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout == by_path.stdout


def test_the_default_zone_is_the_reports() -> None:
    # (a guess without --tz or a timezone line takes the zone a report without them takes;
    # report.Settings is not imported by early.py, which runs before pydantic is loaded)
    from sqops.report.settings import Settings

    assert Settings().tz == early.DEFAULT_TZ
