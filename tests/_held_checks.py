"""What the tests of the typed copies share: a copy held in memory (``read_tables(hold=...)``)
gives the same tables as the copy on disk."""

from __future__ import annotations

from polars.testing import assert_frame_equal

from sqops.data.tables import Tables

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
