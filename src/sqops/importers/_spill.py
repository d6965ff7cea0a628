"""The import's messages on disk when there are too many to hold (``--memory-limit``).

:class:`Runs`: :class:`~sqops.importers._base.Context` writes the messages it holds, once they
pass its threshold, as a *run* sorted by ``(group_id, _t, _s)`` (the table's order), in files
of a few thousand rows, into a private temporary folder. At the end :meth:`Runs.merged` reads
the runs a file at a time and gives the messages back in the table's order, in chunks that
each hold every message of their ``(group_id, _t)`` (so that the duplicates of messages
without an id, which share that key, meet in one chunk). :class:`SpilledTable` is the finished
table, in files in that folder, written to the output by ``write_tables`` a row group at a time
(:mod:`sqops.importers._pqstitch`).

The folder is removed when the import fails or is interrupted (:meth:`Runs.discard`), when
the result is closed, and in any case at the end of the command (``sqops.data.spills``).
"""

from __future__ import annotations

import tempfile
import weakref
from collections.abc import Iterable, Iterator
from pathlib import Path

import polars as pl

from sqops.data import spills

#: rows of a run's file: the merge holds one file of each run (tests make it small)
MIN_FILE_ROWS = 4096
#: the most runs merged at once: past it, runs are first merged FAN_IN at a time into longer
#: ones (the merge holds a file of each run it merges)
FAN_IN = 32


class _Folder:
    """A private temporary folder, removed by :meth:`remove`, at garbage collection, or at the
    end of the command (registered with :mod:`sqops.data.spills`)."""

    def __init__(self) -> None:
        self.path = Path(tempfile.mkdtemp(prefix="sqops-import-"))
        self._remove = weakref.finalize(self, spills.remove_tree, self.path)
        spills.register(self._remove)

    def remove(self) -> None:
        self._remove()


class Runs:
    """The sorted runs of messages written so far (see the module's docstring)."""

    def __init__(self) -> None:
        self.folder = _Folder()
        self.runs: list[list[Path]] = []
        self.rows = 0
        self.files = 0
        self.file_rows = MIN_FILE_ROWS

    def add(self, part: pl.DataFrame, file_rows: int) -> None:
        """Write ``part`` (the messages held, :data:`~sqops.importers._base.MSG_SCHEMA`) as
        one run, sorted, in files of ``file_rows`` rows."""
        self.file_rows = max(1, file_rows)
        files = self._write([part.sort("group_id", "_t", "_s")])
        if files:
            self.runs.append(files)
            self.rows += part.height

    def _write(self, chunks: Iterable[pl.DataFrame]) -> list[Path]:
        """Sorted rows as the files of one run, :attr:`file_rows` rows each."""
        files = []
        step = self.file_rows
        for chunk in chunks:
            for off in range(0, chunk.height, step):
                path = self.folder.path / f"run-{self.files:07d}.parquet"
                self.files += 1
                chunk.slice(off, step).write_parquet(path, compression="lz4", statistics=False)
                files.append(path)
        return files

    def all_files(self) -> list[Path]:
        return [p for run in self.runs for p in run]

    def merged(self) -> Iterator[pl.DataFrame]:
        """Every message of the runs, in ``(group_id, _t, _s)`` order, in chunks that each
        hold all the messages of their ``(group_id, _t)``. More than :data:`FAN_IN` runs are
        first merged :data:`FAN_IN` at a time into longer runs (each row written once more)."""
        while len(self.runs) > FAN_IN:
            group = self.runs[:FAN_IN]
            del self.runs[:FAN_IN]
            self.runs.append(self._write(_merge(group)))
            for p in (p for run in group for p in run):
                p.unlink()
        yield from _merge(self.runs)

    def discard(self) -> None:
        self.folder.remove()


def _merge(runs: list[list[Path]]) -> Iterator[pl.DataFrame]:
    """:meth:`Runs.merged` of ``runs`` (each a list of files, sorted across them)."""
    queues = [list(run) for run in runs]
    bufs = [pl.read_parquet(q.pop(0)) for q in queues]
    while True:
        live = [r for r in range(len(bufs)) if bufs[r].height or queues[r]]
        if not live:
            return
        for r in live:
            if bufs[r].height == 0:
                bufs[r] = pl.read_parquet(queues[r].pop(0))
        more = [r for r in live if queues[r]]
        if not more:  # every run's last file is read: the rest, at once
            rest = [bufs[r] for r in live]
            bufs = [b.clear() for b in bufs]
            yield _sorted(rest)
            continue
        # rows before the smallest last key of a run with more to come are all here
        g, t = min((bufs[r]["group_id"][-1], bufs[r]["_t"][-1]) for r in more)
        parts = []
        for r in live:
            n = _before(bufs[r], g, t)
            if n:
                parts.append(bufs[r].head(n))
                bufs[r] = bufs[r].slice(n)
        if parts:
            yield _sorted(parts)
            continue
        # a run's file holds nothing but that key: read on until the key ends
        for r in more:
            if (bufs[r]["group_id"][-1], bufs[r]["_t"][-1]) == (g, t):
                bufs[r] = pl.concat([bufs[r], pl.read_parquet(queues[r].pop(0))])


def _before(buf: pl.DataFrame, g: str, t: float) -> int:
    """How many rows of ``buf`` (sorted by group, time) come before group ``g`` at time ``t``:
    two binary searches, not a pass over the rows (a merge of many runs takes many steps)."""
    groups = buf["group_id"]
    lo = int(groups.search_sorted(g, "left"))
    hi = int(groups.search_sorted(g, "right"))
    if lo == hi:
        return lo
    return lo + int(buf["_t"].slice(lo, hi - lo).search_sorted(t, "left"))


def _sorted(parts: list[pl.DataFrame]) -> pl.DataFrame:
    frame = pl.concat(parts) if len(parts) > 1 else parts[0]
    return frame.sort("group_id", "_t", "_s")


class SpilledTable:
    """A finished table too large to hold: its rows in order, in files of a private folder."""

    def __init__(self, folder: _Folder, files: list[Path], columns: list[str], height: int):
        self._folder = folder
        self.files = files
        self.columns = columns
        self.height = height

    def batches(self) -> Iterator[pl.DataFrame]:
        """The rows in order, a file at a time (columns :attr:`columns`, all String)."""
        for p in self.files:
            yield pl.read_parquet(p, columns=self.columns)

    def frame(self) -> pl.DataFrame:
        """The whole table in memory (as the in-memory import gives it: one chunk)."""
        parts = list(self.batches())
        if not parts:
            return pl.DataFrame(schema=dict.fromkeys(self.columns, pl.String))
        return pl.concat(parts, rechunk=True)

    def close(self) -> None:
        """Remove the files (the table can no longer be read)."""
        self._folder.remove()
