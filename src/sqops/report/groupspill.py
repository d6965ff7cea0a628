"""The group sections of a partitioned run kept on disk until they are written (issue #23
item 3; docs/report.md, "Partitioned runs").

Each bucket's :class:`~sqops.report.build.GroupReport` objects go to a file of their own,
sorted by group id, one pickle after another; :class:`SpilledGroups` is the report's
``groups``: every pass over it (the merge's pooled KPIs, triage, coverage; the writers) reads
the files again, merged in group-id order (``heapq.merge`` of the sorted files), so one
group section per bucket is in memory at a time instead of every group (at 200 M messages
30,769 sections, ~11 KB each). Used when nothing changes the sections after the merge
(``--compare``/``--trend`` set each KPI's earlier values) and no output reads every
member's inputs. The folder is removed with the object, at the command line's end, or at
exit, whichever comes first.
"""

from __future__ import annotations

import heapq
import pickle
import tempfile
import weakref
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from sqops.data import spills

if TYPE_CHECKING:
    from sqops.report.build import GroupReport


def _gid(g: GroupReport) -> str:
    return g.group_id


class SpilledGroups(Sequence["GroupReport"]):
    """Group sections in files, read in group-id order at every pass."""

    def __init__(self, base: str | Path | None = None) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="sqops-report-groups-", dir=base)).resolve()
        self.files: list[Path] = []
        self._n = 0
        done = weakref.finalize(self, spills.remove_tree, str(self.folder))
        spills.register(done)

    def add(self, groups: Iterable[GroupReport]) -> None:
        """One bucket's sections (their ids unique across buckets), written sorted by id."""
        f = self.folder / f"groups-{len(self.files)}.pickle"
        with f.open("wb") as out:
            for g in sorted(groups, key=_gid):
                pickle.dump(g, out, protocol=pickle.HIGHEST_PROTOCOL)
                self._n += 1
        self.files.append(f)

    def __len__(self) -> int:
        return self._n

    def __iter__(self) -> Iterator[GroupReport]:
        return heapq.merge(*(_read(f) for f in self.files), key=_gid)

    @overload
    def __getitem__(self, i: int) -> GroupReport: ...
    @overload
    def __getitem__(self, i: slice) -> list[GroupReport]: ...
    def __getitem__(self, i: Any) -> Any:
        # (whole, then indexed: no writer of a spilled report indexes its groups)
        return list(self)[i]


def _read(path: Path) -> Iterator[GroupReport]:
    with path.open("rb") as fh:
        while True:
            try:
                yield pickle.load(fh)
            except EOFError:
                return


__all__ = ["SpilledGroups"]
