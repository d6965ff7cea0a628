"""The group sections of a partitioned run on disk (sqops.report.groupspill)."""

from __future__ import annotations

import datetime as dt
import gc

from sqops.report.build import GroupReport
from sqops.report.groupspill import SpilledGroups


def _group(gid: str) -> GroupReport:
    return GroupReport(gid, f"name {gid}", dt.date(2026, 11, 1), 3, None, [], [], 7)


def test_read_back_in_id_order_at_every_pass() -> None:
    spilled = SpilledGroups()
    # three buckets, each given its groups unsorted; the ids interleave across buckets
    spilled.add([_group("g05"), _group("g01")])
    spilled.add([])
    spilled.add([_group("g04"), _group("g02"), _group("g03")])
    assert len(spilled) == 5 and bool(spilled)
    for _ in range(2):  # (every pass reads the files again)
        assert [g.group_id for g in spilled] == ["g01", "g02", "g03", "g04", "g05"]
    assert spilled[1].group_id == "g02" and [g.group_id for g in spilled[3:]] == ["g04", "g05"]
    assert spilled[0] == _group("g01")  # (the section as it was, every field)
    folder = spilled.folder
    assert sorted(p.name for p in folder.iterdir()) == [
        "groups-0.pickle",
        "groups-1.pickle",
        "groups-2.pickle",
    ]
    del spilled
    gc.collect()
    assert not folder.exists()  # removed with the object


def test_empty() -> None:
    spilled = SpilledGroups()
    assert len(spilled) == 0 and not spilled and list(spilled) == []
