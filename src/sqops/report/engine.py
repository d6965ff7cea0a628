"""Where a report's tasks run: in this process, one after the other, or on a Dask cluster
(issue #23, item 4; docs/report.md, "Running on a Dask cluster").

:meth:`Engine.map` calls ``fn(shared, item)`` for each item and returns the results in the
items' order, whichever engine ran them and in whatever order they finished, so the output
built from them is the same bytes. On Dask:

- ``shared`` is sent to the cluster once (scattered), each item once with its task; the
  results come back to this process. ``fn`` is sent by reference (its module and name): every
  worker needs sqops installed, the same version as here.
- without an address, a ``LocalCluster`` of worker processes on this machine (one thread
  each: polars runs its own threads) is started for the run and closed after it.

Dask is an optional dependency (``pip install 'sqops[dask]'``), imported only when a run asks
for it. Every failure is a :class:`~sqops.errors.EngineError` with a message for the user
(exit 2): Dask not installed, the scheduler not reachable or without workers, a worker that
died, a task that raised; a task's own :class:`~sqops.errors.SqopsError` (bad data found by a
worker) passes through unchanged.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import gc
import hashlib
import logging
import uuid
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqops.errors import EngineError, SqopsError, UsageError
from sqops.i18n import T

if TYPE_CHECKING:
    from distributed import Client, Future

    from sqops.data.tables import Tables
    from sqops.report.build import Report, Settings

S = TypeVar("S")
I = TypeVar("I")  # noqa: E741
R = TypeVar("R")

#: the engines a report runs on (``--engine``)
ENGINES = ("local", "dask")
#: how to install the optional dependency
INSTALL = "pip install 'sqops[dask]'"
#: seconds to wait for the scheduler to answer
DEFAULT_TIMEOUT = 10.0
#: seconds to wait for the scheduler's first worker (a cluster may be starting its workers)
WORKERS_TIMEOUT = 60.0


@dataclass(frozen=True)
class Engine:
    """An engine: ``local`` (this process, in order) or ``dask`` (the scheduler at
    ``address``; without one, a ``LocalCluster`` of ``workers`` processes, by default one per
    core)."""

    kind: str = "local"
    address: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    workers: int | None = None
    workers_timeout: float = WORKERS_TIMEOUT

    def __post_init__(self) -> None:
        if self.kind not in ENGINES:
            raise UsageError(
                T("未知的引擎 {e}；可选：{a}", "unknown engine {e}; choose one of: {a}").format(
                    e=self.kind, a=", ".join(ENGINES)
                )
            )
        if self.address is not None and self.kind != "dask":
            raise UsageError(
                T(
                    "--address 是 Dask 调度器的地址：请同时给出 --engine dask",
                    "--address is a Dask scheduler's address: add --engine dask",
                )
            )
        if min(self.timeout, self.workers_timeout) <= 0 or (
            self.workers is not None and self.workers < 1
        ):
            raise UsageError(
                T("超时须为正数，worker 数至少为 1", "the timeout must be positive, workers ≥ 1")
            )

    @property
    def distributed(self) -> bool:
        return self.kind == "dask"

    def map(
        self,
        fn: Callable[[S, I], R],
        shared: S,
        items: Sequence[I],
        *,
        label: Callable[[I], str] = str,
    ) -> list[R]:
        """``[fn(shared, item) for item in items]``, on this engine (opened for this call
        alone); ``label(item)`` names a task in an error message."""
        with self.open() as session:
            return session.map(fn, shared, items, label=label)

    @contextmanager
    def open(self) -> Iterator[Session]:
        """The engine ready to run tasks: on Dask, a client of the scheduler (one with
        workers), closed at the end, and the ``LocalCluster`` it started, if any."""
        if not self.distributed:
            yield Session()
            return
        distributed = import_distributed()
        cluster = None
        address = self.address
        if address is None:
            # (its scheduler runs in this process; its workers are processes of their own)
            cluster = local_cluster(
                distributed,
                n_workers=self.workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                # (no dashboard; its HTTP routes on a free port, not on a busy 8787)
                scheduler_kwargs={"dashboard_address": ":0"},
                silence_logs=logging.CRITICAL,
            )
            address = cluster.scheduler_address
        try:
            client = _connect(distributed, address, self.timeout)
            try:
                _wait_for_workers(client, address, self.workers_timeout)
                yield Session(client, self.address or "LocalCluster")
            finally:
                client.close()
        finally:
            if cluster is not None:
                cluster.close()


@dataclass
class Session:
    """An open engine: :meth:`map` runs tasks in this process (no client) or on Dask."""

    client: Client | None = None
    #: the scheduler, as error messages name it
    shown: str = "local"

    @property
    def threads(self) -> int:
        """How many tasks run at once: 1 here, on Dask the workers' threads."""
        if self.client is None:
            return 1
        return max(1, sum(self.client.nthreads().values()))

    def map(
        self,
        fn: Callable[[S, I], R],
        shared: S,
        items: Sequence[I],
        *,
        label: Callable[[I], str] = str,
    ) -> list[R]:
        """``[fn(shared, item) for item in items]``, the results in the items' order."""
        if self.client is None:
            return [fn(shared, item) for item in items]
        return _dask_map(self.client, fn, shared, items, label, self.shown)

    def check_workers(self, folder: str) -> None:
        """Every worker runs the same sqops as this process and sees ``folder`` (where this
        process writes the tasks' files): a clear error before any task runs, rather than a
        task's "file not found" or a result this process cannot read."""
        if self.client is None:
            return
        try:
            seen: dict[str, tuple[str, bool]] = self.client.run(_worker_state, folder)
        except (OSError, TimeoutError) as exc:
            raise EngineError(
                T(
                    "与 Dask 调度器 {a} 的连接断开：{e}",
                    "lost the connection to the Dask scheduler at {a}: {e}",
                ).format(a=self.shown, e=exc)
            ) from None
        except Exception as exc:  # (a worker without sqops cannot even unpickle the check)
            raise EngineError(
                T(
                    "无法在 Dask worker 上运行 sqops（{e}）：每个 worker 都要装上与本机同一版本的"
                    " sqops（{v}）",
                    "cannot run sqops on the Dask workers ({e}): every worker needs sqops "
                    "installed, the same version as here ({v})",
                ).format(e=f"{type(exc).__name__}: {exc}", v=_version())
            ) from None
        here = code_fingerprint()
        other = sorted(w for w, (code, _) in seen.items() if code != here)
        if other:
            raise EngineError(
                T(
                    "Dask worker {w} 运行的 sqops 与本机不同：请在每个 worker 上安装同一版本（{v}）"
                    "并重启 worker",
                    "the Dask worker {w} runs another sqops than this machine: install the same "
                    "version ({v}) on every worker and restart the workers",
                ).format(w=", ".join(other), v=_version())
            )
        blind = sorted(w for w, (_, ok) in seen.items() if not ok)
        if blind:
            raise EngineError(
                T(
                    "Dask worker {w} 看不到文件夹 {f}：分桶文件要放在每个 worker 都能以同一路径"
                    "读取的共享存储上（--shared-dir）",
                    "the Dask worker {w} does not see the folder {f}: the bucket files must be "
                    "on storage every worker reads at the same path (--shared-dir)",
                ).format(w=", ".join(blind), f=folder)
            )


def _worker_state(folder: str) -> tuple[str, bool]:
    """(Run on each worker: the sqops it runs, and whether it sees the folder.)"""
    return code_fingerprint(), Path(folder).is_dir()


@functools.cache
def code_fingerprint() -> str:
    """A digest of the sqops source this process runs (every module's path and bytes): equal
    on two machines when they run the same code, whatever its version number says."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for f in sorted(root.rglob("*.py")):
        digest.update(f.relative_to(root).as_posix().encode("utf-8") + b"\0")
        digest.update(f.read_bytes())
    return digest.hexdigest()[:16]


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("sqops")
    except PackageNotFoundError:
        return "?"


def import_distributed() -> Any:
    """``distributed``, or the error that says how to install it."""
    try:
        import distributed
    except ImportError:
        raise EngineError(
            T(
                "--engine dask 需要安装 Dask：{p}",
                "--engine dask needs Dask installed: {p}",
            ).format(p=INSTALL)
        ) from None
    return distributed


def local_cluster(distributed: Any, **kwargs: Any) -> Any:
    """``distributed.LocalCluster(**kwargs)`` (also the tests' clusters).

    Its start is tried twice: distributed gives its event-loop thread a fixed 10 s to start
    and fails with a bare ``AssertionError`` when it has not (seen, rarely, on a busy machine
    and once on an idle one in this project's tests); a second failure, or any other, is an
    :class:`EngineError` that says what to do, not a traceback."""
    error: Exception | None = None
    for _ in range(2):
        # (a start that failed leaves a cluster object never closed, whose collection warns
        # "unclosed cluster": it is let go, and collected, with that warning ignored)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            try:
                return distributed.LocalCluster(**kwargs)
            except (AssertionError, OSError, TimeoutError) as exc:
                error = exc
            error = _without_traceback(error)
            gc.collect()
    raise EngineError(
        T(
            "无法在本机启动 Dask 集群（{e}）：请重试，或先启动调度器和 worker"
            "（dask scheduler、dask worker 地址），再用 --address 指定调度器",
            "could not start a local Dask cluster ({e}): try again, or start a scheduler and "
            "workers (dask scheduler, dask worker ADDRESS) and name it with --address",
        ).format(e=type(error).__name__ + (f": {error}" if str(error) else ""))
    ) from None


def _without_traceback(exc: Exception | None) -> Exception | None:
    """``exc`` holding none of the frames it was raised through (they hold what was being
    made: a failed cluster), for the message only."""
    if exc is not None:
        exc.__traceback__ = None
        exc.__context__ = exc.__cause__ = None
    return exc


def _connect(distributed: Any, address: str, timeout: float) -> Client:
    try:
        client: Client = distributed.Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        text = T(
            "连不上 Dask 调度器 {a}（等了 {t:g} 秒）：调度器是否已启动（dask scheduler），"
            "地址和端口是否正确、能否从本机访问？",
            "cannot reach the Dask scheduler at {a} (waited {t:g} s): is it running "
            "(dask scheduler), and are the address and port right and reachable from here?",
        ).format(a=address, t=timeout)
        if not str(exc).startswith("Timed out"):  # (a timeout says nothing more)
            text = text + T("（{e}）", " ({e})").format(e=exc)
        raise EngineError(text) from None
    except ValueError as exc:  # (an address distributed cannot parse)
        raise UsageError(
            T(
                "Dask 调度器地址无效 {a}：应形如 tcp://主机:8786（{e}）",
                "not a Dask scheduler address: {a}; write it as tcp://host:8786 ({e})",
            ).format(a=address, e=exc)
        ) from None
    return client


def _wait_for_workers(client: Client, address: str, timeout: float) -> None:
    try:
        client.wait_for_workers(1, timeout=timeout)
    except (OSError, TimeoutError):
        raise EngineError(
            T(
                "Dask 调度器 {a} 在 {t:g} 秒内没有任何 worker：请先启动 dask worker {a}",
                "the Dask scheduler at {a} has no worker after {t:g} s: start some with "
                "dask worker {a}",
            ).format(a=address, t=timeout)
        ) from None


def _dask_map(
    client: Client,
    fn: Callable[[S, I], R],
    shared: S,
    items: Sequence[I],
    label: Callable[[I], str],
    shown: str,
) -> list[R]:
    """Submit one task per item (``shared`` scattered once) and gather the results in the
    items' order; the first failure to arrive cancels the rest and is raised."""
    if not items:
        return []
    from distributed import as_completed

    run = uuid.uuid4().hex[:12]  # (keys unique to the run: never a result of an earlier one)
    name = getattr(fn, "__name__", "task")
    futures: list[Future] = []
    try:
        [held] = client.scatter([shared], hash=False)
        futures = [
            client.submit(fn, held, item, key=f"sqops-{name}-{run}-{i}", pure=False)
            for i, item in enumerate(items)
        ]
        index = {f.key: i for i, f in enumerate(futures)}
        for done in as_completed(futures, loop=client.loop):
            if done.status != "finished":
                i = index[done.key]
                _raise_failed(done, i, len(items), label(items[i]))
        results: list[R] = client.gather(futures)
        return results
    except SqopsError:
        raise
    except (OSError, TimeoutError) as exc:  # (the connection to the scheduler was lost)
        raise EngineError(
            T(
                "与 Dask 调度器 {a} 的连接断开：{e}",
                "lost the connection to the Dask scheduler at {a}: {e}",
            ).format(a=shown, e=exc)
        ) from None
    finally:
        if futures:
            client.cancel(futures)


def _raise_failed(future: Future, i: int, n: int, name: str) -> None:
    """The error of a failed task: a worker that died, a task cancelled (the cluster went
    away), or the exception the task raised (a :class:`SqopsError` as it is)."""
    from distributed import KilledWorker

    if future.status == "cancelled":
        raise EngineError(
            T(
                "任务 {i}/{n}（{name}）被取消：Dask 集群已关闭或重启？",
                "task {i} of {n} ({name}) was cancelled: did the Dask cluster close or restart?",
            ).format(i=i + 1, n=n, name=name)
        )
    exc = future.exception()
    if isinstance(exc, SqopsError):
        raise exc
    if isinstance(exc, KilledWorker):
        raise EngineError(
            T(
                "运行任务 {i}/{n}（{name}）的 Dask worker 退出了（试了 {k} 次）：内存不足？"
                "请看 worker 的日志，或用更多分区让每个任务更小",
                "a Dask worker died running task {i} of {n} ({name}), tried {k} times: out "
                "of memory? See the worker's log, or use more partitions so that each task "
                "is smaller",
            ).format(i=i + 1, n=n, name=name, k=getattr(exc, "allowed_failures", 0) + 1)
        )
    text = T(
        "任务 {i}/{n}（{name}）在 Dask worker 上出错：{e}",
        "task {i} of {n} ({name}) failed on a Dask worker: {e}",
    ).format(i=i + 1, n=n, name=name, e=f"{type(exc).__name__}: {exc}")
    if isinstance(exc, ImportError):
        text = text + T(
            "；每个 worker 都要装上 sqops（与本机同一版本 {v}）",
            "; every worker needs sqops installed (the same version as here, {v})",
        ).format(v=_version())
    raise EngineError(text)


def run_partitioned(
    tables: Tables,
    engine: Engine,
    *,
    partitions: int | None = None,
    memory_limit: int | None = None,
    shared_dir: str | Path | None = None,
    settings: Settings | None = None,
    as_of: dt.date | None = None,
    lang: str = "en",
    by: Sequence[str] = (),
    compare: dt.date | str | None = None,
    trend: int | None = None,
    groups: Iterable[str] | None = None,
    inputs: bool = False,
) -> Report:
    """The partitioned report (:mod:`sqops.report.partition`) with each bucket a task on
    ``engine``: the plan (reading and validating the tables) and the merge in this process,
    :func:`~sqops.report.partition.run_partition` on the workers. The same bytes as the
    single pass.

    The bucket files go to a new folder in ``shared_dir`` (default: the system's temporary
    folder, enough for this process and a cluster on this machine; for workers on other
    machines, a folder they all read at the same path), removed at the end. The buckets:
    ``partitions``; else as many as ``memory_limit`` (bytes; default half this machine's
    RAM) asks, and at least as many as the tasks the engine runs at once. ``compare``,
    ``trend``, ``groups``, ``inputs`` (the buckets' prepared inputs sent back too, for the
    HTML, the workbook, the lists and the views): as
    :func:`~sqops.report.partition.plan_partitions` takes them."""
    from sqops.report.partition import (
        memory_limit_bytes,
        merge_partials,
        partitions_for,
        plan_partitions,
        private_folder,
        run_partition,
    )
    from sqops.report.triage import check_attributes

    if by and settings is not None:
        check_attributes(by, settings.group_vars)  # (before the plan reads the data)
    base = None
    if shared_dir is not None:
        base = Path(shared_dir).resolve()
        if not base.is_dir():
            raise UsageError(
                T(
                    "--shared-dir 应是已有的文件夹：{d}",
                    "--shared-dir must be an existing folder: {d}",
                ).format(d=Path(shared_dir).as_posix())
            )
    with engine.open() as session:
        n = partitions
        if n is None:
            limit = memory_limit if memory_limit is not None else memory_limit_bytes(None)
            n = max(partitions_for(tables, limit), session.threads)
        with private_folder(base) as folder:
            session.check_workers(str(folder))
            plan = plan_partitions(
                tables,
                folder,
                partitions=n,
                settings=settings,
                as_of=as_of,
                lang=lang,
                compare=compare,
                trend=trend,
                groups=groups,
                inputs=inputs,
                memory_limit=memory_limit,
            )
            # (the workers read the bucket files, where every row already has its group: the
            # plan's per-row attribution, one row per order without group_id, stays here)
            sent = dataclasses.replace(plan, assigned={})
            partials = session.map(
                run_partition, sent, plan.nonempty, label=lambda k: f"bucket-{k}"
            )
            return merge_partials(plan, partials, by=by)


__all__ = [
    "DEFAULT_TIMEOUT",
    "ENGINES",
    "INSTALL",
    "WORKERS_TIMEOUT",
    "Engine",
    "Session",
    "import_distributed",
    "run_partitioned",
]
