"""A spill folder whose writer is still finishing files when the run is interrupted is still
removed (``sqops.data.spills.remove_tree``): polars' threads may write a file or two after
the interruption has reached Python, and one pass of ``rmtree`` then left the folder."""

from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path

from sqops.data import spills


def test_a_folder_written_to_while_it_is_removed_is_gone(tmp_path: Path) -> None:
    folder = tmp_path / "sqops-report-parts-x"
    parts = [folder / "split" / "messages" / f"_b={k}" for k in range(4)]
    for d in parts:
        d.mkdir(parents=True)
        for j in range(500):  # (files already written: removing them takes a while)
            (d / f"old{j:05d}.parquet").write_bytes(b"")
    started = threading.Event()

    def writer() -> None:  # a native writer finishing files in its folders for ~0.3 s
        started.set()
        end = time.monotonic() + 0.3
        i = 0
        while time.monotonic() < end:
            # (into the folders it made; none is made again once removed)
            with contextlib.suppress(OSError):
                (parts[i % 4] / f"{i:08d}.parquet").write_bytes(b"x" * 100)
            i += 1

    t = threading.Thread(target=writer)
    t.start()
    started.wait()
    spills.remove_tree(folder)
    t.join()
    assert not folder.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_folder_already_gone_is_fine(tmp_path: Path) -> None:
    spills.remove_tree(tmp_path / "never-made")
    assert list(tmp_path.iterdir()) == []
