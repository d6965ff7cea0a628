"""What the tests of the typed copies share: a copy held in memory (``read_tables(hold=...)``)
gives the same tables as the copy on disk."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import sqops.data.tables as tables_mod
from sqops.data.tables import Tables, read_tables
from sqops.errors import DataError

#: ``read_tables(hold=...)``: every copy on disk / room for every copy in memory
ON_DISK = 0
IN_MEMORY = 1 << 40


def same_tables(held: Tables, disk: Tables) -> None:
    assert sorted(held.tables) == sorted(disk.tables)
    for name, h in held.tables.items():
        d = disk.tables[name]
        assert_frame_equal(h.frame.collect(), d.frame.collect())
        assert h.columns == d.columns
        assert_frame_equal(h.rejected, d.rejected)
        assert (h.rows_read, h.duplicates, h.duplicate_rows, h.event_types, h.last_day) == (
            d.rows_read,
            d.duplicates,
            d.duplicate_rows,
            d.event_types,
            d.last_day,
        )


def held_equals_disk(folder: Path, batch: int) -> None:
    """The tables of ``folder`` held in memory, collected ``batch`` rows at a time, are the
    copy on disk's; or, with no valid row, both raise the same error."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(tables_mod, "HELD_BATCH", batch)
        try:
            held = read_tables(folder, hold=IN_MEMORY)
        except DataError as exc:  # (no valid row: the same error on disk)
            with pytest.raises(DataError) as info:
                read_tables(folder, hold=ON_DISK)
            assert str(info.value) == str(exc)
            return
        same_tables(held, read_tables(folder, hold=ON_DISK))


def types_and_roles(folder: Path) -> Path:
    """7 messages (Parquet) in ``folder`` (made), and a staff table:

    1 " Text\t" / "MEMBER"  → text / member
    2 "text" / " staff "    → text / staff
    3 "   " / ""            → both null (blank cells)
    4 member_id null        → rejected (empty_id); its cells as read, stripped:
                              msg_type "Image", role "Bot"
    5 time null             → rejected (bad_time); msg_type null (blank), role "member"
    6 "IMAGE" / "bot"       → image / bot
    7 null / null           → null / null
    """
    t = dt.datetime(2026, 12, 1, 9)
    folder.mkdir()
    pl.DataFrame(
        {
            "ts": [t, t, t, t, None, t, t],
            "group_id": ["g1"] * 7,
            "member_id": ["a", "b", "c", None, "e", "f", "g"],
            "msg_id": [1, 2, 3, 4, 5, 6, 7],
            "msg_type": [" Text\t", "text", "   ", " Image ", " ", "IMAGE", None],
            "role": ["MEMBER", " staff ", "", "Bot", " member", "bot", None],
        }
    ).write_parquet(folder / "messages.parquet")
    pl.DataFrame({"member_id": ["s"], "role": [" Staff "]}).write_parquet(folder / "staff.parquet")
    return folder
