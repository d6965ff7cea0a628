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

import logging
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from sqops.errors import EngineError, SqopsError, UsageError
from sqops.i18n import T

if TYPE_CHECKING:
    from distributed import Client, Future

S = TypeVar("S")
I = TypeVar("I")  # noqa: E741
R = TypeVar("R")

#: the engines a report runs on (``--engine``)
ENGINES = ("local", "dask")
#: how to install the optional dependency
INSTALL = "pip install 'sqops[dask]'"
#: seconds to wait for the scheduler to answer, and then for its first worker
DEFAULT_TIMEOUT = 30.0


@dataclass(frozen=True)
class Engine:
    """An engine: ``local`` (this process, in order) or ``dask`` (the scheduler at
    ``address``; without one, a ``LocalCluster`` of ``workers`` processes, by default one per
    core)."""

    kind: str = "local"
    address: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    workers: int | None = None

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
        if self.timeout <= 0 or (self.workers is not None and self.workers < 1):
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
        """``[fn(shared, item) for item in items]``, on this engine; ``label(item)`` names a
        task in an error message."""
        if not self.distributed:
            return [fn(shared, item) for item in items]
        with self.client() as client:
            return _dask_map(client, fn, shared, items, label, self.address or "LocalCluster")

    @contextmanager
    def client(self) -> Iterator[Client]:
        """A Dask client of this engine's scheduler (one with workers), closed at the end; the
        ``LocalCluster`` it started, if any, closed too."""
        distributed = import_distributed()
        cluster = None
        address = self.address
        if address is None:
            # (its scheduler runs in this process; its workers are processes of their own)
            cluster = distributed.LocalCluster(
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
                _wait_for_workers(client, address, self.timeout)
                yield client
            finally:
                client.close()
        finally:
            if cluster is not None:
                cluster.close()


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


def _connect(distributed: Any, address: str, timeout: float) -> Client:
    try:
        client: Client = distributed.Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise EngineError(
            T(
                "连不上 Dask 调度器 {a}（等了 {t:g} 秒）：调度器是否已启动（dask scheduler），"
                "地址和端口是否正确、能否从本机访问？（{e}）",
                "cannot reach the Dask scheduler at {a} (waited {t:g} s): is it running "
                "(dask scheduler), and are the address and port right and reachable from "
                "here? ({e})",
            ).format(a=address, t=timeout, e=exc)
        ) from None
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
        from importlib.metadata import PackageNotFoundError, version

        try:
            here = version("sqops")
        except PackageNotFoundError:
            here = "?"
        text = text + T(
            "；每个 worker 都要装上 sqops（与本机同一版本 {v}）",
            "; every worker needs sqops installed (the same version as here, {v})",
        ).format(v=here)
    raise EngineError(text)


__all__ = ["DEFAULT_TIMEOUT", "ENGINES", "INSTALL", "Engine", "import_distributed"]
