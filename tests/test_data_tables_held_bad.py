"""A copy held in memory keeps only its valid rows after reading: its rejected rows
(``_Held.bad``: every column as annotated, with the text as read) are read into
``TableData.rejected`` and then let go — ``TableData._held`` (for
:meth:`TableData.times_in_order`) keeps the copy's frame, not the whole ``_Held`` (found by
the review of session 15's rep10m), and ``dataclasses.replace`` does not carry the answer
over to a copy."""

from __future__ import annotations

import datetime as dt
import gc
import weakref
from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest

import sqops.data.tables as tables_mod
from sqops.data.tables import read_tables

T0 = dt.datetime(2026, 12, 1, 9)


def test_held_copy_lets_its_rejected_rows_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    n = 1000
    pl.DataFrame(
        {
            # every other time null: rejected rows
            "ts": [None if i % 2 else T0 + dt.timedelta(minutes=i) for i in range(n)],
            "group_id": [f"g{i % 3}" for i in range(n)],
            "member_id": [f"u{i % 17}" for i in range(n)],
            "member_name": [f"n{i}" for i in range(n)],
        }
    ).write_parquet(tmp_path / "messages.parquet")
    made: list[weakref.ref] = []
    make = tables_mod._Held.make.__func__

    def spy(cls, *args, **kwargs):  # type: ignore[no-untyped-def]
        held = make(cls, *args, **kwargs)
        made.append(weakref.ref(held.bad))
        return held

    monkeypatch.setattr(tables_mod._Held, "make", classmethod(spy))
    td = read_tables(tmp_path, hold=1 << 30)["messages"]
    assert td.rejected.height == n // 2 and made
    gc.collect()
    assert all(r() is None for r in made), "the held copy's rejected rows are still kept"


def test_a_replaced_table_does_not_inherit_the_order_found(tmp_path: Path) -> None:
    n = 200
    pl.DataFrame(
        {
            "ts": [T0 + dt.timedelta(minutes=i) for i in range(n)],
            "group_id": ["g1"] * n,
            "member_id": [f"u{i % 7}" for i in range(n)],
        }
    ).write_parquet(tmp_path / "messages.parquet")
    td = read_tables(tmp_path, hold=1 << 30)["messages"]
    assert td.times_in_order()
    backwards = replace(td, frame=td.frame.reverse())
    assert not backwards.times_in_order()  # (not known for another frame)
