"""The engine layer (``sqops.report.engine``) on a real Dask cluster: a LocalCluster of two
worker processes with one thread each, started once for this module (issue #23, item 4).

Runs in CI (the ``test`` extra installs ``dask[distributed]``); without Dask it fails, it is
not skipped."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cloudpickle
import dask
import distributed
import polars as pl
import pytest
from distributed import Client, LocalCluster

from sqops.data.tables import read_tables
from sqops.demo import DemoOptions, generate_demo
from sqops.errors import DataError, EngineError, Location, UsageError
from sqops.i18n import T
from sqops.report import engine as engine_module
from sqops.report.build import Settings, build_report
from sqops.report.engine import INSTALL, Engine, local_cluster, run_partitioned
from sqops.report.partition import bucket_of
from sqops.report.render import to_json, to_markdown
from sqops.sop.loader import load_sop

pytestmark = pytest.mark.dask

# (the tasks below are this module's functions: the workers cannot import a test module by
# name, so they are sent by value)
cloudpickle.register_pickle_by_value(sys.modules[__name__])

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "skincare"


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    # a task is tried once (the default, 3 retries, would run the dying task below 4 times)
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        c = local_cluster(
            distributed,
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            scheduler_kwargs={"dashboard_address": ":0"},
            silence_logs=logging.CRITICAL,
        )
    try:
        yield c
    finally:
        c.close()


@pytest.fixture
def dask_engine(cluster: LocalCluster) -> Engine:
    return Engine("dask", address=cluster.scheduler_address, timeout=20)


# ------------------------------------------------------------------ tasks
def scaled(shared: dict[str, int], item: int) -> tuple[int, int]:
    """(item × shared factor, the worker's process id); the later items finish first."""
    time.sleep(0.05 * (5 - item))
    return item * shared["factor"], os.getpid()


def bad_data(shared: None, item: int) -> int:
    if item == 2:
        raise DataError(
            T("第 {n} 桶：金额不是数字", "bucket {n}: the amount is no number").format(n=item),
            Location(file="orders.csv", row=7),
        )
    return item


def buggy(shared: None, item: int) -> int:
    return {0: 0}[item]  # KeyError for every item but 0


def dies(shared: None, item: int) -> int:
    os._exit(3)


# ------------------------------------------------------------------ local
def test_local_runs_in_order_in_this_process() -> None:
    out = Engine().map(scaled, {"factor": 10}, [0, 1, 2, 3])
    assert out == [(0, os.getpid()), (10, os.getpid()), (20, os.getpid()), (30, os.getpid())]


def test_local_raises_the_tasks_own_error() -> None:
    with pytest.raises(DataError) as got:
        Engine("local").map(bad_data, None, [0, 1, 2, 3])
    assert got.value.render("en") == "orders.csv: row 7: bucket 2: the amount is no number"


def test_engine_options_are_checked() -> None:
    with pytest.raises(UsageError, match="add --engine dask"):
        Engine("local", address="tcp://127.0.0.1:8786")
    with pytest.raises(UsageError, match="unknown engine ray; choose one of: local, dask"):
        Engine("ray")


# ------------------------------------------------------------------ dask
def test_dask_results_come_back_in_task_order(dask_engine: Engine) -> None:
    # item 0 sleeps longest, item 4 not at all: they finish in reverse, come back in order
    out = dask_engine.map(scaled, {"factor": 3}, [0, 1, 2, 3, 4])
    assert [v for v, _ in out] == [0, 3, 6, 9, 12]
    pids = {p for _, p in out}
    assert os.getpid() not in pids  # (ran in the worker processes)
    assert len(pids) == 2  # (both workers took tasks: 5 tasks, 1 thread each)


def test_dask_no_items_no_tasks(dask_engine: Engine) -> None:
    assert dask_engine.map(scaled, {"factor": 3}, []) == []


def test_dask_a_tasks_sqops_error_passes_through_unchanged(dask_engine: Engine) -> None:
    with pytest.raises(DataError) as got:
        dask_engine.map(bad_data, None, [0, 1, 2, 3])
    assert got.value.render("en") == "orders.csv: row 7: bucket 2: the amount is no number"
    assert got.value.render("zh") == "orders.csv: row 7: 第 2 桶：金额不是数字"


def test_dask_a_tasks_other_error_names_the_task(dask_engine: Engine) -> None:
    with pytest.raises(EngineError) as got:
        dask_engine.map(buggy, None, [0, 7], label=lambda i: f"bucket {i}")
    assert got.value.render("en") == ("task 2 of 2 (bucket 7) failed on a Dask worker: KeyError: 7")
    assert got.value.render("zh") == "任务 2/2（bucket 7）在 Dask worker 上出错：KeyError: 7"


def test_dask_unreachable_scheduler() -> None:
    with socket.socket() as s:  # a port nobody listens on (bound, then released)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    with pytest.raises(EngineError) as got:
        Engine("dask", address=address, timeout=1).map(scaled, {"factor": 1}, [1])
    assert got.value.render("en") == (
        f"cannot reach the Dask scheduler at {address} (waited 1 s): is it running "
        "(dask scheduler), and are the address and port right and reachable from here?"
    )
    assert got.value.render("zh") == (
        f"连不上 Dask 调度器 {address}（等了 1 秒）：调度器是否已启动（dask scheduler），"
        "地址和端口是否正确、能否从本机访问？"
    )


def test_dask_address_that_is_no_address() -> None:
    with pytest.raises(UsageError, match="not a Dask scheduler address: nonsense://x"):
        Engine("dask", address="nonsense://x", timeout=1).map(scaled, {"factor": 1}, [1])


def test_dask_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # (import distributed: ImportError)
    with pytest.raises(EngineError) as got:
        Engine("dask").map(scaled, {"factor": 1}, [1])
    assert got.value.render("en") == f"--engine dask needs Dask installed: {INSTALL}"
    assert got.value.render("zh") == f"--engine dask 需要安装 Dask：{INSTALL}"


class _Unclosed:
    """What a LocalCluster whose start failed leaves: an object warning as it is collected."""

    def __init__(self) -> None:
        raise AssertionError  # (as distributed's LoopRunner: its loop not started in 10 s)

    def __del__(self) -> None:
        warnings.warn("unclosed cluster", ResourceWarning, stacklevel=1)


class _FlakyLocalCluster:
    """distributed's ``LocalCluster`` failing its start ``fails`` times as distributed does
    when its event-loop thread does not start within 10 s (a bare ``AssertionError``, the
    half-made cluster left to the collector, warning then)."""

    def __init__(self, fails: int) -> None:
        self.fails, self.tries = fails, 0

    def __call__(self, **kwargs: Any) -> LocalCluster:
        self.tries += 1
        if self.tries <= self.fails:
            _Unclosed()
        return LocalCluster(**kwargs)


def test_a_local_cluster_that_fails_to_start_once_is_started_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    flaky = _FlakyLocalCluster(fails=1)
    monkeypatch.setattr(distributed, "LocalCluster", flaky)
    got = Engine("dask", workers=1, timeout=20).map(scaled, {"factor": 3}, [1, 2])
    assert [r[0] for r in got] == [3, 6] and flaky.tries == 2


def test_a_local_cluster_that_cannot_start_is_a_message(monkeypatch: pytest.MonkeyPatch) -> None:
    flaky = _FlakyLocalCluster(fails=2)
    monkeypatch.setattr(distributed, "LocalCluster", flaky)
    with pytest.raises(EngineError) as got:
        Engine("dask", workers=1).map(scaled, {"factor": 1}, [1])
    assert flaky.tries == 2
    assert got.value.render("en") == (
        "could not start a local Dask cluster (AssertionError): try again, or start a "
        "scheduler and workers (dask scheduler, dask worker ADDRESS) and name it with --address"
    )
    assert got.value.render("zh").startswith("无法在本机启动 Dask 集群（AssertionError）")


def test_dask_scheduler_without_workers() -> None:
    with local_cluster(
        distributed,
        n_workers=0,
        processes=False,
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": ":0"},
        silence_logs=logging.CRITICAL,
    ) as empty:
        address = empty.scheduler_address
        with pytest.raises(EngineError) as got:
            Engine("dask", address=address, workers_timeout=1).map(scaled, {"factor": 1}, [1])
    assert got.value.render("en") == (
        f"the Dask scheduler at {address} has no worker after 1 s: start some with "
        f"dask worker {address}"
    )


def test_dask_workers_must_see_the_folder(dask_engine: Engine, tmp_path: Path) -> None:
    with dask_engine.open() as session:
        assert session.threads == 2
        session.check_workers(str(tmp_path))  # (this machine's folder: both workers see it)
        with pytest.raises(EngineError) as got:
            session.check_workers(str(tmp_path / "elsewhere"))
    en = got.value.render("en")
    assert en.startswith("the Dask worker tcp://127.0.0.1:"), en
    assert en.count("tcp://") == 2  # (both workers named)
    assert en.endswith(
        f"does not see the folder {tmp_path / 'elsewhere'}: the bucket files must be on "
        "storage every worker reads at the same path (--shared-dir)"
    )


def test_dask_workers_must_run_the_same_sqops(
    dask_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # (this process pretends to run other code than the workers, which import it themselves)
    monkeypatch.setattr(engine_module, "code_fingerprint", lambda: "another")
    with dask_engine.open() as session, pytest.raises(EngineError) as got:
        session.check_workers(str(tmp_path))
    en = got.value.render("en")
    assert en.startswith("the Dask worker tcp://127.0.0.1:"), en
    assert en.count("tcp://") == 2
    version = engine_module._version()  # (0.1.0; "?" when sqops runs uninstalled)
    assert en.endswith(
        f"runs another sqops than this machine: install the same version ({version}) on "
        "every worker and restart the workers"
    )


# ------------------------------------------------------------------ the report's buckets
@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated fleet of 8 groups: every third order without its group_id, and the
    coupons table without a group_id column at all (both attributed by presence, spec §2)."""
    raw = tmp_path_factory.mktemp("demo")
    generate_demo(
        load_sop(EXAMPLE / "sop.yaml").sop,
        raw,
        DemoOptions(groups=8, days=100, members=30, seed=5, fmt="parquet"),
    )
    out = tmp_path_factory.mktemp("fleet")
    for f in sorted(raw.glob("*.parquet")):
        df = pl.read_parquet(f)
        if f.stem == "orders":
            third = pl.int_range(pl.len()) % 3 == 0
            df = df.with_columns(
                pl.when(third).then(None).otherwise(pl.col("group_id")).alias("group_id")
            )
        elif f.stem == "coupons":
            df = df.drop("group_id")
        df.write_parquet(out / f.name)
    return out


def test_fleet_on_dask_is_byte_identical(dask_engine: Engine, fleet: Path, tmp_path: Path) -> None:
    settings = Settings()
    tables = read_tables(fleet, tz=settings.tz)
    single = build_report(tables, settings=settings, lang="en")
    for n in (None, 5):  # (None: as many buckets as the cluster's threads, 2)
        rep = run_partitioned(
            tables, dask_engine, partitions=n, settings=settings, lang="en", shared_dir=tmp_path
        )
        assert to_json(rep) == to_json(single)
        assert to_markdown(rep) == to_markdown(single)
    # (the fleet has what the test is about: orders and coupons attributed by presence, and
    # its groups fall in several of the 5 buckets)
    orders, coupons = (
        next(t for t in single.data_quality["tables"] if t["table"] == name)
        for name in ("orders", "coupons")
    )
    nulls = pl.read_parquet(fleet / "orders.parquet")["group_id"].null_count()
    assert nulls > 0 and orders["unattributed"] < nulls
    assert coupons["rows"] > coupons["unattributed"]
    assert len({bucket_of(g.group_id, 5) for g in single.groups}) > 1
    assert list(tmp_path.iterdir()) == []  # (the bucket files removed)


def test_fleet_compare_trend_group_on_dask(
    dask_engine: Engine, fleet: Path, tmp_path: Path
) -> None:
    settings = Settings()
    tables = read_tables(fleet, tz=settings.tz)
    gids = sorted(tables["messages"].frame.select("group_id").unique().collect()["group_id"])
    chosen = gids[::3]  # (3 of the 8 groups)
    asked = {"compare": "prev", "trend": 3, "groups": chosen}
    single = build_report(tables, settings=settings, lang="zh", **asked)
    rep = run_partitioned(
        tables,
        dask_engine,
        partitions=4,
        settings=settings,
        lang="zh",
        shared_dir=tmp_path,
        **asked,
    )
    assert [g.group_id for g in rep.groups] == chosen
    assert to_json(rep) == to_json(single)
    assert to_markdown(rep) == to_markdown(single)


@pytest.mark.parametrize(
    ("name", "extra"),
    [
        ("report.json", ["--sop", EXAMPLE / "sop.yaml"]),  # (+ plan against practice)
        ("report.html", ["--lists", "lists"]),  # (the buckets' inputs merged: HTML, lists)
    ],
    ids=["json-sop", "html-lists"],
)
def test_cli_example_on_dask_is_byte_identical(
    cli, cluster: LocalCluster, tmp_path: Path, name: str, extra: list
) -> None:
    def run(out: Path, *more: object) -> None:
        out.mkdir()
        args = [a if a != "lists" else out / "lists" for a in extra]
        r = cli("report", EXAMPLE / "data", *args, "-o", out / name, "--lang", "zh", *more)
        assert r.exit_code == 0, r.stderr

    shared = tmp_path / "shared"
    shared.mkdir()
    run(tmp_path / "one")
    run(
        tmp_path / "dask",
        "--engine",
        "dask",
        "--address",
        cluster.scheduler_address,
        "--partitions",
        "3",
        "--shared-dir",
        shared,
    )
    one = sorted(p.relative_to(tmp_path / "one") for p in (tmp_path / "one").rglob("*"))
    assert one == sorted(p.relative_to(tmp_path / "dask") for p in (tmp_path / "dask").rglob("*"))
    assert len(one) > 1 if "--lists" in extra else one == [Path(name)]
    for f in one:
        if (tmp_path / "one" / f).is_file():
            assert (tmp_path / "dask" / f).read_bytes() == (tmp_path / "one" / f).read_bytes(), f
    assert list(shared.iterdir()) == []  # (the bucket files removed)


def test_cli_engine_options(cli) -> None:
    r = cli("report", EXAMPLE / "data", "--address", "tcp://127.0.0.1:1", "--lang", "en")
    assert r.exit_code == 2
    assert "--address is a Dask scheduler's address: add --engine dask" in r.stderr
    r = cli("report", EXAMPLE / "data", "--shared-dir", ".", "--lang", "en")
    assert r.exit_code == 2
    assert "--shared-dir is where Dask workers read the bucket files: add --engine dask" in (
        r.stderr
    )


def test_report_without_engine_dask_does_not_import_dask() -> None:
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from sqops.cli import app\n"
        "r = CliRunner().invoke(app, ['report', 'examples/skincare/data', '-f', 'json'])\n"
        "assert r.exit_code == 0, r.output\n"
        "print(','.join(m for m in ('dask', 'distributed') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert out.stdout.splitlines()[-1] == ""


def test_dask_a_worker_that_dies(cluster: LocalCluster, dask_engine: Engine) -> None:
    with pytest.raises(EngineError) as got:
        dask_engine.map(dies, None, [5], label=lambda i: f"bucket {i}")
    assert got.value.render("en").startswith(
        "a Dask worker died running task 1 of 1 (bucket 5), tried 1 times: out of memory?"
    )
    # (its nanny starts it again: waited for, so that the cluster closes cleanly)
    with Client(cluster.scheduler_address, set_as_default=False) as c:
        c.wait_for_workers(2, timeout=60)
