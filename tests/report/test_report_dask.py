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
from collections.abc import Iterator
from pathlib import Path

import cloudpickle
import dask
import pytest
from distributed import Client, LocalCluster

from sqops.errors import DataError, EngineError, Location, UsageError
from sqops.i18n import T
from sqops.report.engine import INSTALL, Engine

pytestmark = pytest.mark.dask

# (the tasks below are this module's functions: the workers cannot import a test module by
# name, so they are sent by value)
cloudpickle.register_pickle_by_value(sys.modules[__name__])

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    # a task is tried once (the default, 3 retries, would run the dying task below 4 times)
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        c = LocalCluster(
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
    en = got.value.render("en")
    assert en.startswith(f"cannot reach the Dask scheduler at {address} (waited 1 s)"), en
    assert got.value.render("zh").startswith(f"连不上 Dask 调度器 {address}（等了 1 秒）")


def test_dask_address_that_is_no_address() -> None:
    with pytest.raises(UsageError, match="not a Dask scheduler address: nonsense://x"):
        Engine("dask", address="nonsense://x", timeout=1).map(scaled, {"factor": 1}, [1])


def test_dask_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # (import distributed: ImportError)
    with pytest.raises(EngineError) as got:
        Engine("dask").map(scaled, {"factor": 1}, [1])
    assert got.value.render("en") == f"--engine dask needs Dask installed: {INSTALL}"
    assert got.value.render("zh") == f"--engine dask 需要安装 Dask：{INSTALL}"


def test_dask_scheduler_without_workers() -> None:
    with LocalCluster(
        n_workers=0,
        processes=False,
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": ":0"},
        silence_logs=logging.CRITICAL,
    ) as empty:
        address = empty.scheduler_address
        with pytest.raises(EngineError) as got:
            Engine("dask", address=address, timeout=1).map(scaled, {"factor": 1}, [1])
    assert got.value.render("en") == (
        f"the Dask scheduler at {address} has no worker after 1 s: start some with "
        f"dask worker {address}"
    )


def test_dask_a_worker_that_dies(cluster: LocalCluster, dask_engine: Engine) -> None:
    with pytest.raises(EngineError) as got:
        dask_engine.map(dies, None, [5], label=lambda i: f"bucket {i}")
    assert got.value.render("en").startswith(
        "a Dask worker died running task 1 of 1 (bucket 5), tried 1 times: out of memory?"
    )
    # (its nanny starts it again; the next test has both workers)
    with Client(cluster.scheduler_address, set_as_default=False) as c:
        c.wait_for_workers(2, timeout=30)


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
