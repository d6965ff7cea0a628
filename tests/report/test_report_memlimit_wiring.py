"""``--memory-limit`` from the command line to phase 0 (issue #23 item 3; the review of the
session-14 work): the size's text, the limit reaching ``plan_partitions`` (here and on an
engine), Parquet read one row group ahead while the data is read, and a limit that leaves
phase 0 less than its smallest room said on stderr whatever chose the number of buckets."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

import sqops.data.runtime as runtime
import sqops.data.tables as data_tables
import sqops.report.partition as partition
from _fleets import fleet_with_ungrouped_rows
from sqops.data.runtime import memory_limit_bytes
from sqops.data.tables import read_tables
from sqops.errors import UsageError
from sqops.report.budget import PREFETCH_ENV
from sqops.report.build import Settings
from sqops.report.engine import Engine, run_partitioned
from sqops.report.render import to_json

MiB = 1 << 20


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """5 groups; every third row of orders, coupons and engagement without its group_id."""
    return fleet_with_ungrouped_rows(
        tmp_path_factory.mktemp("demo"),
        tmp_path_factory.mktemp("fleet"),
        groups=5,
        days=60,
        members=20,
        seed=5,
    )


def _spy_plan(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Each call of ``plan_partitions``: its ``memory_limit`` and the prefetch variable then."""
    calls: list[dict[str, Any]] = []
    real = partition.plan_partitions

    def spy(*args: Any, **kw: Any) -> Any:
        calls.append({"limit": kw.get("memory_limit"), "env": os.environ.get(PREFETCH_ENV)})
        return real(*args, **kw)

    monkeypatch.setattr(partition, "plan_partitions", spy)
    return calls


# ------------------------------------------------------------------ the size's text
def test_memory_limit_sizes_not_a_byte_or_not_finite() -> None:
    # 1e300 × 2^40 is past a float's range (inf): was an OverflowError from int(inf)
    # 0.5 bytes → int 0 (was accepted: a limit of 0 bytes); 0.9 likewise
    for bad in ("1e300T", "1e308K", "0.5", "0.9", "0.0001K", "nan", "1e-10G"):
        with pytest.raises(UsageError):
            memory_limit_bytes(bad)
    # one byte and more still taken (a byte is the smallest: the tests' "1" and "4");
    # 0.5K = 512 bytes; 1e300 bytes is a (huge) finite size
    assert memory_limit_bytes("1") == 1
    assert memory_limit_bytes("1.5") == 1
    assert memory_limit_bytes("0.5K") == 512
    assert memory_limit_bytes("1e300") == int(1e300)


@pytest.mark.parametrize("size", ["1e300T", "0.5"])
def test_cli_memory_limit_bad_size_exit_2(cli, size: str) -> None:
    for lang, said in (("en", "--memory-limit takes a positive size"), ("zh", "应是正数加单位")):
        r = cli("report", "examples/skincare/data", "--memory-limit", size, "--lang", lang)
        assert r.exit_code == 2 and said in r.stderr and size in r.stderr
        assert "Traceback" not in r.stderr


# ------------------------------------------------------------------ the limit reaches phase 0
def test_cli_limit_reaches_plan_and_reads_one_row_group_ahead(
    cli, tmp_path: Path, fleet: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PREFETCH_ENV, raising=False)
    calls = _spy_plan(monkeypatch)
    reads: list[str | None] = []
    real_read = data_tables.read_tables

    def read_spy(*args: Any, **kw: Any) -> Any:
        reads.append(os.environ.get(PREFETCH_ENV))
        return real_read(*args, **kw)

    monkeypatch.setattr(data_tables, "read_tables", read_spy)
    one = tmp_path / "one.json"
    assert cli("report", fleet, "-o", one).exit_code == 0
    assert reads == [None] and calls == []  # (no limit: one pass, polars' own prefetch)
    limited = tmp_path / "limited.json"
    r = cli("report", fleet, "-o", limited, "--partitions", "2", "--memory-limit", "3G")
    assert r.exit_code == 0, r.stderr
    # 3G = 3 × 2^30 bytes reaches the plan; one row group ahead while reading and planning
    assert reads == [None, "1"]
    assert calls == [{"limit": 3 << 30, "env": "1"}]
    assert PREFETCH_ENV not in os.environ  # (as before, after the run)
    assert one.read_bytes() == limited.read_bytes()
    # the user's own setting is kept, during and after
    monkeypatch.setenv(PREFETCH_ENV, "5")
    r = cli(
        "report", fleet, "-o", tmp_path / "own.json", "--partitions", "2", "--memory-limit", "3G"
    )
    assert r.exit_code == 0 and reads[-1] == "5" and calls[-1] == {"limit": 3 << 30, "env": "5"}
    assert os.environ[PREFETCH_ENV] == "5"


def test_engine_passes_the_limit_to_the_plan(fleet: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _spy_plan(monkeypatch)
    settings = Settings()
    tables = read_tables(fleet, tz=settings.tz)
    rep = run_partitioned(
        tables, Engine(), partitions=2, memory_limit=700 * MiB, settings=settings, lang="en"
    )
    # (was None: the engine's plan wrote every table in one pass whatever the limit)
    assert [c["limit"] for c in calls] == [700 * MiB]
    run_partitioned(tables, Engine(), partitions=2, settings=settings, lang="en")
    assert [c["limit"] for c in calls] == [700 * MiB, None]  # (no limit: none)
    single = read_tables(fleet, tz=settings.tz)
    from sqops.report.build import build_report

    assert to_json(rep) == to_json(build_report(single, settings=settings, lang="en"))


# ------------------------------------------------------------------ too little room, said
def test_cli_partitions_with_less_than_the_smallest_room_said(
    cli, tmp_path: Path, fleet: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the process said to hold 100 MiB once the data is read
    monkeypatch.setattr(runtime, "resident_bytes", lambda: 100 * MiB)
    en = "leaves less than 64 MB beside the ~100 MB this process holds"
    zh = "本进程已占用的约 100 MB 之外剩余不足 64 MB"
    out = tmp_path / "r.json"
    # 1MB (the review's case: under what is held), 150M (50 MiB left): said, in both languages
    for size, shown in (("1MB", "1"), ("150M", "150")):
        r = cli(
            "report", fleet, "-o", out, "--partitions", "3", "--memory-limit", size, "--lang", "en"
        )
        assert r.exit_code == 0 and f"--memory-limit {shown} MB {en}" in r.stderr, r.stderr
        r = cli(
            "report", fleet, "-o", out, "--partitions", "3", "--memory-limit", size, "--lang", "zh"
        )
        assert r.exit_code == 0 and f"--memory-limit {shown} MB 在读入数据后{zh}" in r.stderr
    # 164M: 64 MiB left, the smallest room: not said; no limit: not said
    r = cli(
        "report", fleet, "-o", out, "--partitions", "3", "--memory-limit", "164M", "--lang", "en"
    )
    assert r.exit_code == 0 and "leaves less than" not in r.stderr
    r = cli("report", fleet, "-o", out, "--partitions", "3", "--lang", "en")
    assert r.exit_code == 0 and "leaves less than" not in r.stderr


def test_cli_buckets_from_the_limit_with_little_room_said(
    cli, tmp_path: Path, fleet: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # without --partitions: the estimate chose 3 buckets (made so here: the fleet is small)
    # while the process holds 100 MiB; 120M leaves 20 MiB, under the smallest room: said;
    # under what is held: the earlier note only (not both)
    import sqops.report.budget as budget

    monkeypatch.setattr(runtime, "resident_bytes", lambda: 100 * MiB)
    real = budget.Budget.partitions
    monkeypatch.setattr(
        budget.Budget, "partitions", lambda self, limit: 3 if real(self, limit) else None
    )
    out = tmp_path / "r.json"
    r = cli("report", fleet, "-o", out, "--memory-limit", "120M", "--lang", "en")
    assert r.exit_code == 0 and "--memory-limit 120 MB leaves less than 64 MB" in r.stderr
    r = cli("report", fleet, "-o", out, "--memory-limit", "90M", "--lang", "en")
    assert r.exit_code == 0 and "is under the ~100 MB this process holds" in r.stderr
    assert "leaves less than" not in r.stderr
