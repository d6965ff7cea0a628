"""The temporary folders of typed table copies ("spills") a run made, so that the command line
can remove them itself when the run ends, with Ctrl-C and SIGTERM held off, instead of
leaving them to a garbage-collector callback or the exit hook (where a late Ctrl-C printed a
traceback and left the folder). No polars here: ``sqops --help`` and ``lint`` import it."""

from __future__ import annotations

import itertools
import os
import shutil
import time
import weakref
from pathlib import Path
from typing import Any

_seq = itertools.count()
_live: dict[int, weakref.finalize[..., Any]] = {}


def register(finalizer: weakref.finalize[..., Any]) -> None:
    """Keep ``finalizer`` (it removes one spill folder) until it has run."""
    for k in [k for k, f in _live.items() if not f.alive]:
        del _live[k]
    _live[next(_seq)] = finalizer


def mark() -> int:
    """A point in time: :func:`remove_since` removes the spills registered after it."""
    return next(_seq)


def remove_since(point: int) -> None:
    """Remove now every spill registered after ``point`` (its tables can no longer be read)."""
    for k in sorted(k for k in _live if k > point):
        _live.pop(k)()


#: how long :func:`remove_tree` waits for a folder's writers to stop (seconds)
SETTLE_S = 2.0


def remove_tree(path: str | os.PathLike[str]) -> None:
    """Remove the folder ``path`` and what is in it, errors ignored — again, for up to
    :data:`SETTLE_S`, while it is still there: when a run is interrupted (SIGTERM, Ctrl-C)
    inside a polars query that writes files, polars' own threads may still be finishing a
    file or two after the exception has reached Python, and one pass of ``rmtree`` then left
    the folder with those files in it."""
    deadline = time.monotonic() + SETTLE_S
    folder = Path(path)
    while True:
        shutil.rmtree(folder, ignore_errors=True)
        gone = not (folder.exists() or folder.is_symlink())
        if gone or time.monotonic() >= deadline:
            return
        time.sleep(0.02)
